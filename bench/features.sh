#!/usr/bin/env bash
# Benchmark of GET /api/layers/roads/features against the raw PostGIS query that builds the
# same FeatureCollection (`kheo sql collection roads` run by psql), plus the server's peak
# memory at 10,000 and 100,000 roads. Run from the repo root: bash bench/features.sh
#
# The machine is shared, so only ratios measured in the same run mean anything: kheo and the
# baseline alternate (one run of each per hyperfine round, order swapped every round).
# Everything lands in bench/out/ (git-ignored); the table is bench/out/features.md.
#
# Environment: ROUNDS (10), WARMUP (2), BIG (100 communes), SMALL (10 communes).
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-10}
WARMUP=${WARMUP:-2}
BIG=${BIG:-100}
SMALL=${SMALL:-10}
# shellcheck source=bench/lib.sh
source bench/lib.sh
HELPER="python3 bench/features.py"
mkdir -p "$OUT/rounds"


log() { printf '\n== %s\n' "$*" >&2; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

log "building release"
cargo build --release

log "starting the managed cluster under $KHEO_HOME"
URL=$("$KHEO" db up | sed -n 's/^database ready: //p')
[[ -n "$URL" ]] || { echo "kheo db up printed no url" >&2; exit 1; }
echo "$URL"
"$KHEO" sql collection roads > "$OUT/collection-roads.sql"

# measure LABEL COMMUNES: loads the dataset, starts a fresh server and measures everything.
# Writes $OUT/state-LABEL.json.
measure() {
    local label=$1 communes=$2 features=$(( $2 * 1000 ))
    log "$label: synthetic province with $communes communes ($features roads)"
    "$KHEO" demo --synthetic province --communes "$communes"
    start_server "$label"
    local api="$BASE/api/layers/roads/features"
    local hwm_start; hwm_start=$(hwm_kib "$SERVER_PID")

    log "$label: correctness (kheo vs baseline, parsed)"
    local bytes
    bytes=$(curl -sf -o "$OUT/kheo-$label.json" -w '%{size_download}' "$api")
    psql "$URL" -Atq -f "$OUT/collection-roads.sql" > "$OUT/baseline-$label.json"
    echo "kheo body: $bytes bytes; baseline output: $(stat -c %s "$OUT/baseline-$label.json") bytes"
    $HELPER compare "$OUT/kheo-$label.json" "$OUT/baseline-$label.json" "$features"

    log "$label: kheo vs baseline, $ROUNDS interleaved rounds"
    local kheo_cmd="curl -sf -o /dev/null '$api'"
    local base_cmd="psql '$URL' -Atq -f $OUT/collection-roads.sql -o /dev/null"
    local rounds=() r warm
    for r in $(seq -w 1 "$ROUNDS"); do
        warm=0; (( 10#$r == 1 )) && warm=$WARMUP
        local f="$OUT/rounds/features-$label-$r.json"
        if (( 10#$r % 2 )); then
            hyperfine -N --style none --warmup "$warm" --runs 1 --export-json "$f" \
                -n kheo "$kheo_cmd" -n baseline "$base_cmd" > /dev/null
        else
            hyperfine -N --style none --warmup "$warm" --runs 1 --export-json "$f" \
                -n baseline "$base_cmd" -n kheo "$kheo_cmd" > /dev/null
        fi
        rounds+=("$f")
        printf '.' >&2
    done
    echo >&2
    $HELPER merge "$OUT/features-$label.json" "${rounds[@]}"
    local hwm_identity; hwm_identity=$(hwm_kib "$SERVER_PID")

    log "$label: gzip (for information)"
    local gzip_bytes enc
    enc=$(curl -sf -H 'Accept-Encoding: gzip' -D - -o "$OUT/kheo-$label.json.gz" "$api" | tr -d '\r' | sed -n 's/^content-encoding: //Ip')
    [[ "$enc" == gzip ]] || { echo "expected Content-Encoding gzip, got '$enc'" >&2; exit 1; }
    gzip_bytes=$(stat -c %s "$OUT/kheo-$label.json.gz")
    gzip -dc "$OUT/kheo-$label.json.gz" | cmp -s - "$OUT/kheo-$label.json" \
        || { echo "gzip body does not decompress to the identity body" >&2; exit 1; }
    hyperfine -N --style basic --warmup 1 --runs "$ROUNDS" --export-json "$OUT/features-$label-gzip.json" \
        -n kheo-gzip "curl -sf --compressed -H 'Accept-Encoding: gzip' -o /dev/null '$api'"
    local hwm_gzip; hwm_gzip=$(hwm_kib "$SERVER_PID")
    stop_server

    local psql_rss=null
    if [[ -x /usr/bin/time ]] && /usr/bin/time -v true 2>/dev/null; then
        psql_rss=$( { /usr/bin/time -v psql "$URL" -Atq -f "$OUT/collection-roads.sql" -o /dev/null; } 2>&1 \
            | awk -F': ' '/Maximum resident set size/ {print $2}')
    fi
    echo "$label: VmHWM start $hwm_start kB, after identity $hwm_identity kB, after gzip $hwm_gzip kB; psql max RSS ${psql_rss} kB"
    cat > "$OUT/state-$label.json" <<JSON
{"features": $features, "json": "$OUT/features-$label.json", "gzip_json": "$OUT/features-$label-gzip.json",
 "bytes": $bytes, "gzip_bytes": $gzip_bytes, "hwm_start": $hwm_start, "hwm_identity": $hwm_identity,
 "hwm_gzip": $hwm_gzip, "psql_rss": $psql_rss}
JSON
}

log "baseline fixed cost: psql connection + PostGIS load in a fresh backend, trivial query"
hyperfine -N --style basic --warmup "$WARMUP" --runs "$ROUNDS" --export-json "$OUT/psql-fixed.json" \
    -n psql-fixed "psql '$URL' -Atq -c 'SELECT postgis_lib_version()' -o /dev/null"

big_label="$((BIG * 1000 / 1000))k"
small_label="$((SMALL * 1000 / 1000))k"
measure "$big_label" "$BIG"
measure "$small_label" "$SMALL"

server_version=$(psql "$URL" -Atq -c "SELECT current_setting('server_version')")
postgis_version=$(psql "$URL" -Atq -c "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
machine="$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $mem RAM, Linux $(uname -r), PostgreSQL $server_version, PostGIS $postgis_version, $(hyperfine --version), $(curl --version | head -1 | cut -d' ' -f1-2), load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT" "$small_label" "$big_label" "$WARMUP" "$machine" <<'PY'
import json, sys
out, small, big, warmup, machine = sys.argv[1:]
state = {"sizes": [small, big], "warmup": int(warmup), "machine": machine}
for s in (small, big):
    with open(f"{out}/state-{s}.json") as f:
        state[s] = json.load(f)
with open(f"{out}/state.json", "w") as f:
    json.dump(state, f, indent=2)
PY
log "results (also in $OUT/features.md)"
$HELPER report "$OUT" "$OUT/features.md"
