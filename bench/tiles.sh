#!/usr/bin/env bash
# Benchmark of the vector tiles, GET /tiles/roads/{z}/{x}/{y}.mvt, against Martin 1.14.0
# serving the same `road` table with the same attributes, side by side in one run, over
# the synthetic province. Run from the repo root: bash bench/tiles.sh
#
# Both servers reach PostgreSQL the same way (TCP on 127.0.0.1: Martin needs it, so the
# bench's own cluster listens there for the run), with pools of the same size, and neither
# keeps tiles in memory for the main measurement (kheo never does; Martin's cache is off).
# The load is bench/tiles.py: a fixed set of 60 tiles (z10-z14), several keep-alive
# clients, rounds of each server interleaved. Everything lands in bench/out/ (git-ignored);
# the table is bench/out/tiles.md.
#
# Martin is not part of kheo; build it once, outside the repository (about 16 minutes on
# 2 cores), and say where it is with MARTIN (default: `martin` on the PATH):
#   CARGO_TARGET_DIR=DIR/target cargo install martin@1.14.0 --locked --root DIR \
#     --no-default-features \
#     --features postgres,fonts,sprites,styles,mbtiles,pmtiles,geojson,mlt,metrics,passthrough
#   MARTIN=DIR/bin/martin bash bench/tiles.sh
#
# Environment: COMMUNES (100: 100,000 roads), ROUNDS (5), CLIENTS (6, a browser's
# connections to one host), SQL_RUNS (3), SKIP_LOAD=1 reuses a province already loaded in
# bench/out/home.
set -euo pipefail

cd "$(dirname "$0")/.."
COMMUNES=${COMMUNES:-100}
ROUNDS=${ROUNDS:-5}
CLIENTS=${CLIENTS:-6}
SQL_RUNS=${SQL_RUNS:-3}
SKIP_LOAD=${SKIP_LOAD:-0}
MARTIN=${MARTIN:-$(command -v martin || true)}
PG_PORT=5432 # kheo's managed cluster (src/db/cluster.rs)
# shellcheck source=bench/lib.sh
source bench/lib.sh
HELPER="python3 bench/tiles.py"
mkdir -p "$OUT"

log() { printf '\n== %s (load average %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }

if [[ -z "$MARTIN" || ! -x "$MARTIN" ]]; then
    cat >&2 <<'EOF'
Martin 1.14.0 is needed (MARTIN=/path/to/martin). Build it once, outside the repository:
  CARGO_TARGET_DIR=DIR/target cargo install martin@1.14.0 --locked --root DIR \
    --no-default-features \
    --features postgres,fonts,sprites,styles,mbtiles,pmtiles,geojson,mlt,metrics,passthrough
then: MARTIN=DIR/bin/martin bash bench/tiles.sh
EOF
    exit 1
fi
"$MARTIN" --version >&2
if ss -ltn "sport = :$PG_PORT" | grep -q LISTEN; then
    echo "127.0.0.1:$PG_PORT is taken: the bench's cluster must listen there for Martin" >&2
    exit 1
fi

MARTIN_PID=""
stop_martin() {
    if [[ -n "$MARTIN_PID" ]] && kill -0 "$MARTIN_PID" 2>/dev/null; then
        kill -TERM "$MARTIN_PID" 2>/dev/null || true
        wait "$MARTIN_PID" 2>/dev/null || true
    fi
    MARTIN_PID=""
}
# Back to a socket-only cluster, whatever happens: other benchmarks share bench/out/home.
tiles_cleanup() {
    local rc=$?
    stop_martin
    if [[ -n "${URL:-}" ]]; then psql "$URL" -Atq -c "ALTER SYSTEM RESET listen_addresses" >/dev/null 2>&1 || true; fi
    return "$rc" # for lib.sh's cleanup, which exits with it
}
trap 'tiles_cleanup; cleanup' EXIT

log "building release"
cargo build --release

log "starting the managed cluster under $KHEO_HOME, listening on 127.0.0.1:$PG_PORT too"
URL=$("$KHEO" db up | sed -n 's/^database ready: //p')
[[ -n "$URL" ]] || { echo "kheo db up printed no url" >&2; exit 1; }
psql "$URL" -Atq -c "ALTER SYSTEM SET listen_addresses = '127.0.0.1'"
"$KHEO" db down >/dev/null
"$KHEO" db up >/dev/null
TCP_URL="postgres://postgres@127.0.0.1:$PG_PORT/kheo"
POSTMASTER=$(head -1 "$KHEO_HOME/pg/data/postmaster.pid")
psql "$TCP_URL" -Atq -c "SELECT 'TCP: ' || inet_server_addr() || ':' || inet_server_port()" >&2

if [[ "$SKIP_LOAD" != 1 ]]; then
    log "loading the synthetic province: $COMMUNES communes"
    "$KHEO" demo --synthetic province --communes "$COMMUNES"
fi
roads=$(psql "$URL" -Atq -c "SELECT count(*) FROM road")
echo "roads: $roads" >&2

# -- the servers -------------------------------------------------------------------------
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
POOL=16 # kheo serve's default --max-connections
# start_martin CACHE_MB: Martin on a free port with the road table, the same attributes as
# kheo's catalogue (bench/tiles.py check compares them); sets MARTIN_PID, MARTIN_BASE.
start_martin() {
    local cache_mb=$1 port
    port=$(free_port)
    cat > "$OUT/martin.yaml" <<YAML
listen_addresses: "127.0.0.1:$port"
cache:
  size_mb: $cache_mb
postgres:
  connection_string: "$TCP_URL"
  pool_size: $POOL
  auto_publish: false
  tables:
    road:
      schema: public
      table: road
      srid: 4326
      geometry_column: geom
      geometry_type: LINESTRING
      id_column: id
      extent: 4096
      buffer: 64
      clip_geom: true
      properties:
        commune_code: text
        name: text
        status: text
        done_on: date
        people_vnd: int8
        state_vnd: int8
        workdays: numeric
        organisation: text
        note: text
        class: text
        surface: text
        surface_before: text
        width_m: numeric
        paved_on: date
YAML
    "$MARTIN" --config "$OUT/martin.yaml" > "$OUT/martin.log" 2>&1 &
    MARTIN_PID=$!
    MARTIN_BASE="http://127.0.0.1:$port"
    for _ in $(seq 300); do
        curl -sf -o /dev/null "$MARTIN_BASE/health" && break
        kill -0 "$MARTIN_PID" 2>/dev/null || { cat "$OUT/martin.log" >&2; echo "martin died" >&2; exit 1; }
        sleep 0.1
    done
    curl -sf -o /dev/null "$MARTIN_BASE/health" || { echo "martin did not answer in 30 s" >&2; exit 1; }
    echo "martin: pid $MARTIN_PID at $MARTIN_BASE, cache $cache_mb MB" >&2
}

start_server kheo DATABASE_URL="$TCP_URL" KHEO_MAX_CONNECTIONS=$POOL
KHEO_PID=$SERVER_PID
start_martin 0
KHEO_TILES="$BASE/tiles/roads/{z}/{x}/{y}.mvt"
MARTIN_TILES="$MARTIN_BASE/road/{z}/{x}/{y}"

log "the fixed set: $($HELPER list | wc -l) tiles; both servers must serve the same features"
$HELPER check "$OUT/tiles-check.json" "$URL" "kheo=$KHEO_TILES" "martin=$MARTIN_TILES"

log "load: $ROUNDS rounds of each server, interleaved, $CLIENTS clients"
$HELPER load "$OUT/tiles-load.json" "$ROUNDS" "$CLIENTS" "$POSTMASTER" "kheo=$KHEO_TILES@$KHEO_PID" "martin=$MARTIN_TILES@$MARTIN_PID"

log "for information: Martin with its default tile cache (512 MB in all), and kheo revalidated"
stop_martin
start_martin 512
MARTIN_TILES="$MARTIN_BASE/road/{z}/{x}/{y}"
$HELPER load "$OUT/tiles-cached.json" "$ROUNDS" "$CLIENTS" "$POSTMASTER" "martin-cached=$MARTIN_TILES@$MARTIN_PID"
$HELPER revalidate "$OUT/tiles-revalidate.json" "$ROUNDS" "$CLIENTS" "$KHEO_TILES"
stop_martin
stop_server

log "what generalisation buys: the set's tile queries in one psql session, $SQL_RUNS runs"
$HELPER generalisation "$OUT/tiles-generalisation.json" "$URL" "$KHEO" "$SQL_RUNS"

server_version=$(psql "$URL" -Atq -c "SELECT current_setting('server_version')")
postgis_version=$(psql "$URL" -Atq -c "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
machine="$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $mem RAM, PostgreSQL $server_version, PostGIS $postgis_version, $("$MARTIN" --version), kheo $(git rev-parse --short HEAD), $roads roads, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat > "$OUT/tiles-state.json" <<JSON
{"check": "$OUT/tiles-check.json", "load": "$OUT/tiles-load.json", "cached": "$OUT/tiles-cached.json",
 "revalidate": "$OUT/tiles-revalidate.json", "generalisation": "$OUT/tiles-generalisation.json",
 "machine": "$machine"}
JSON
log "results (also in $OUT/tiles.md)"
$HELPER report "$OUT/tiles-state.json" "$OUT/tiles.md"
