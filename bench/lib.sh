# Shared by the benchmarks (sourced): kheo's own cluster in bench/out/home, the release
# binary, and a server on port 0 that is always stopped, with the cluster, on exit.

OUT=bench/out
export KHEO_HOME=$OUT/home
unset DATABASE_URL KHEO_LISTEN
KHEO=target/release/kheo

SERVER_PID=""
BASE=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
cleanup() {
    local rc=$?
    stop_server
    if [[ -x "$KHEO" ]]; then "$KHEO" db down >/dev/null 2>&1 || true; fi
    exit "$rc"
}
trap cleanup EXIT

# start_server LABEL [NAME=VALUE...]: `kheo serve` on port 0 with that environment; sets
# SERVER_PID and BASE (http://127.0.0.1:PORT); output in $OUT/serve-LABEL.{log,err,pid}.
start_server() {
    local label=$1
    shift
    local logf="$OUT/serve-$label.log"
    : > "$logf"
    env "$@" "$KHEO" serve --listen 127.0.0.1:0 > "$logf" 2> "$OUT/serve-$label.err" &
    SERVER_PID=$!
    echo "$SERVER_PID" > "$OUT/serve-$label.pid"
    BASE=""
    for _ in $(seq 300); do
        BASE=$(sed -n 's/^kheo: listening on \(http:[^ ]*\)$/\1/p' "$logf")
        [[ -n "$BASE" ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { cat "$OUT/serve-$label.err" >&2; echo "kheo serve died" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n "$BASE" ]] || { echo "kheo serve did not print its address in 30 s" >&2; exit 1; }
    echo "kheo serve: pid $SERVER_PID at $BASE" >&2
}

# ogr_url URL: the libpq URL of `kheo db status` as GDAL's `PG:` connection string.
ogr_url() {
    python3 -c "
import sys, urllib.parse as u
p = u.urlparse(sys.argv[1]); q = dict(u.parse_qsl(p.query))
print(f\"PG:dbname={p.path.lstrip('/')} user={p.username} host={q['host']} port={q.get('port', 5432)}\")" "$1"
}
