#!/usr/bin/env bash
# Whole-layer transfer of 100,000 roads, side by side in one run on the same table:
#   kheo-ogc   GET /ogc/collections/roads/items?limit=10000, following `next` (10 pages)
#   tipg       TiPg 1.6 (uvicorn) over the same database, /collections/public.road/items?limit=10000, following `next`
#   kheo-api   kheo's own streamed GET /api/layers/roads/features (one request)
# Each transfer is checked (100,000 features, the same ids); the servers' peak RSS comes
# from /proc/PID/status (VmHWM). Run from the repo root: bash bench/ogc.sh
#
# Environment: ROUNDS (5), COMMUNES (100; 1,000 roads each). Output in bench/out/ (ogc.md).
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
COMMUNES=${COMMUNES:-100}
# shellcheck source=bench/lib.sh
source bench/lib.sh
VENV=$OUT/tipg-venv
TIPG_PID=""
stop_tipg() {
    if [[ -n "$TIPG_PID" ]] && kill -0 "$TIPG_PID" 2>/dev/null; then
        kill -TERM "$TIPG_PID" 2>/dev/null || true
        wait "$TIPG_PID" 2>/dev/null || true
    fi
    TIPG_PID=""
}
# The bench cluster listens on TCP only for this benchmark.
reset_listen() { "$KHEO" db psql <<< "ALTER SYSTEM RESET listen_addresses;" > /dev/null 2>&1 || true; }
trap 'stop_tipg; reset_listen; cleanup' EXIT

log() { printf '\n== %s\n' "$*" >&2; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
mkdir -p "$OUT"

log "building release"
cargo build --release

if [[ ! -x "$VENV/bin/uvicorn" ]]; then
    log "installing TiPg 1.6 and uvicorn in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check 'tipg==1.6.*' uvicorn
fi
TIPG_VERSION=$("$VENV/bin/python" -c 'import tipg; print(tipg.__version__)')

log "the managed cluster under $KHEO_HOME, also on TCP 127.0.0.1 for TiPg"
"$KHEO" db up > /dev/null
if ss -ltn | grep -q '127.0.0.1:5432 '; then
    echo "127.0.0.1:5432 is taken; TiPg needs the bench cluster there" >&2
    exit 1
fi
"$KHEO" db psql <<< "ALTER SYSTEM SET listen_addresses = '127.0.0.1';" > /dev/null
"$KHEO" db down > /dev/null
"$KHEO" db up > /dev/null
TCP_URL="postgresql://postgres@127.0.0.1:5432/kheo"

log "synthetic province: $COMMUNES communes ($((COMMUNES * 1000)) roads)"
"$KHEO" demo --synthetic province --communes "$COMMUNES"
FEATURES=$((COMMUNES * 1000))

start_server ogc
KHEO_BASE=$BASE

log "starting TiPg $TIPG_VERSION"
TIPG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DATABASE_URL=$TCP_URL TIPG_DB_SCHEMAS='["public"]' TIPG_MAX_FEATURES_PER_QUERY=10000 \
    "$VENV/bin/uvicorn" tipg.main:app --host 127.0.0.1 --port "$TIPG_PORT" --log-level warning \
    > "$OUT/tipg.log" 2>&1 &
TIPG_PID=$!
for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$TIPG_PORT/collections/public.road" > /dev/null && break
    kill -0 "$TIPG_PID" 2>/dev/null || { cat "$OUT/tipg.log" >&2; echo "TiPg died" >&2; exit 1; }
    sleep 0.2
done
curl -sf "http://127.0.0.1:$TIPG_PORT/collections/public.road" > /dev/null || { echo "TiPg did not start" >&2; exit 1; }

declare -A URLS=(
    [kheo-ogc]="$KHEO_BASE/ogc/collections/roads/items?limit=10000"
    [tipg]="http://127.0.0.1:$TIPG_PORT/collections/public.road/items?limit=10000"
    [kheo-api]="$KHEO_BASE/api/layers/roads/features"
)
declare -A PIDS=([kheo-ogc]=$SERVER_PID [tipg]=$TIPG_PID [kheo-api]=$SERVER_PID)
ORDER=(kheo-ogc tipg kheo-api)

log "warm-up and check: every transfer has $FEATURES features with the same ids"
digest=""
for name in "${ORDER[@]}"; do
    result=$(python3 bench/ogc.py fetch "${URLS[$name]}")
    echo "$name: $result"
    count=$(jq -r .features <<< "$result")
    [[ "$count" == "$FEATURES" ]] || { echo "$name returned $count features, not $FEATURES" >&2; exit 1; }
    d=$(jq -r .ids_digest <<< "$result")
    [[ -z "$digest" || "$d" == "$digest" ]] || { echo "$name returned other ids" >&2; exit 1; }
    digest=$d
done

log "$ROUNDS rounds, the order rotated every round"
for name in "${ORDER[@]}"; do echo "[]" > "$OUT/ogc-$name.json"; done
for round in $(seq "$ROUNDS"); do
    for i in 0 1 2; do
        name=${ORDER[$(( (i + round) % 3 ))]}
        result=$(python3 bench/ogc.py fetch "${URLS[$name]}")
        jq --argjson r "$result" '. + [$r]' "$OUT/ogc-$name.json" > "$OUT/ogc-$name.tmp" && mv "$OUT/ogc-$name.tmp" "$OUT/ogc-$name.json"
        printf '%s %.2fs  ' "$name" "$(jq -r .seconds <<< "$result")" >&2
    done
    echo >&2
done

kheo_rss=$(hwm_kib "$SERVER_PID")
tipg_rss=$(hwm_kib "$TIPG_PID")
machine="$(nproc) cores, $(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo), TiPg $TIPG_VERSION, kheo $(git rev-parse --short HEAD), load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
cat > "$OUT/ogc-state.json" <<JSON
{"features": $FEATURES, "rounds": $ROUNDS, "machine": "$machine",
 "servers": [["kheo-ogc", "kheo /ogc/collections/roads/items?limit=10000, following next"],
             ["tipg", "TiPg /collections/public.road/items?limit=10000, following next"],
             ["kheo-api", "kheo /api/layers/roads/features, streamed"]],
 "rss": {"kheo-ogc": $kheo_rss, "tipg": $tipg_rss, "kheo-api": $kheo_rss}}
JSON
log "results (also in $OUT/ogc.md); kheo's peak RSS covers both of its columns (one server)"
python3 bench/ogc.py report "$OUT"
