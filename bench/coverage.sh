#!/usr/bin/env bash
# Benchmark of the derived coverage data (migrations/*_coverage.sql) over the synthetic
# province of 500 communes: the full rebuild, one-road edits with the triggers that keep the
# pieces, and GET /api/coverage under load. Run from the repo root: bash bench/coverage.sh
#
# The machine is shared (2 cores, others build on it): the numbers come from one run and
# the load average is recorded with them. Everything lands in bench/out/ (git-ignored);
# the table is bench/out/coverage.md.
#
# Environment: COMMUNES (500), REBUILDS (3), EDITS (30 per kind), WRK_DURATION (20s),
# CURL_RUNS (50), SQL_RUNS (30), SKIP_LOAD=1 reuses a province already loaded in
# bench/out/home (its load times are then reported as n/a).
set -euo pipefail

cd "$(dirname "$0")/.."
COMMUNES=${COMMUNES:-500}
REBUILDS=${REBUILDS:-3}
EDITS=${EDITS:-30}
WARM_EDITS=2
WRK_DURATION=${WRK_DURATION:-20s}
CURL_RUNS=${CURL_RUNS:-50}
SQL_RUNS=${SQL_RUNS:-30}
SKIP_LOAD=${SKIP_LOAD:-0}
AS_OF=2024-01-01
ONE=S00042
# shellcheck source=bench/lib.sh
source bench/lib.sh
HELPER="python3 bench/coverage.py"
mkdir -p "$OUT"


log() { printf '\n== %s (load average %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
loads=()
note_load() { loads+=("$1 $(cut -d' ' -f1 /proc/loadavg)"); }

log "building release"
cargo build --release
df -h "$OUT" >&2

log "starting the managed cluster under $KHEO_HOME"
URL=$("$KHEO" db up | sed -n 's/^database ready: //p')
[[ -n "$URL" ]] || { echo "kheo db up printed no url" >&2; exit 1; }
echo "$URL"
PSQL=(psql "$URL" -Atq -v ON_ERROR_STOP=1)

# -- 1. Full rebuild -------------------------------------------------------------------
load_insert=null load_rebuild=null made=""
if [[ "$SKIP_LOAD" != 1 ]]; then
    log "loading the synthetic province: $COMMUNES communes (insert, then the parallel rebuild)"
    "$KHEO" demo --synthetic province --communes "$COMMUNES" > "$OUT/coverage-load.out" 2> "$OUT/coverage-load.err"
    cat "$OUT/coverage-load.out"
    load_insert=$(sed -n 's/^synthetic province: .* in \([0-9.]*\) s$/\1/p' "$OUT/coverage-load.out")
    load_rebuild=$(sed -n 's/^coverage rebuilt for [0-9]* communes in \([0-9.]*\) s$/\1/p' "$OUT/coverage-load.out")
    made=$(sed -n 's/^synthetic province: \(.*\) in [0-9.]* s$/\1/p' "$OUT/coverage-load.out")
    note_load "after load"
fi
[[ -n "$made" ]] || made=$("${PSQL[@]}" -c "SELECT (SELECT count(*) FROM commune WHERE code LIKE 'S%') || ' communes, '
    || (SELECT count(*) FROM residential_group WHERE commune_code LIKE 'S%') || ' groups, '
    || (SELECT count(*) FROM road WHERE commune_code LIKE 'S%') || ' roads, '
    || (SELECT count(*) FROM lighting_line WHERE commune_code LIKE 'S%') || ' lighting lines, '
    || (SELECT count(*) FROM model_site WHERE commune_code LIKE 'S%') || ' model sites'")
echo "province: $made"

rebuilds=() rebuild_communes=""
for n in $(seq "$REBUILDS"); do
    log "kheo coverage rebuild, run $n of $REBUILDS"
    "$KHEO" coverage rebuild > "$OUT/coverage-rebuild-$n.out" 2> "$OUT/coverage-rebuild-$n.err"
    cat "$OUT/coverage-rebuild-$n.out"
    rebuilds+=("$(sed -n 's/^coverage rebuilt for [0-9]* communes in \([0-9.]*\) s$/\1/p' "$OUT/coverage-rebuild-$n.out")")
    rebuild_communes=$(sed -n 's/^coverage rebuilt for \([0-9]*\) communes in .*/\1/p' "$OUT/coverage-rebuild-$n.out")
    note_load "after rebuild $n"
done

# -- 2. One-road edits -------------------------------------------------------------------
# Roads spread over the province (every 15,331st synthetic road, three neighbouring
# offsets for the three kinds of edit); the first WARM_EDITS of each kind are warm-ups in
# the fresh psql session (they plan the statements and compile the PL/pgSQL triggers).
n_ids=$((EDITS + WARM_EDITS))
pick() { "${PSQL[@]}" -c "SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS rn FROM road
                           WHERE commune_code LIKE 'S%') s WHERE rn % 15331 = $1 ORDER BY id LIMIT $n_ids"; }
: > "$OUT/coverage-edits.out"
all_ids=()
for kind in geom surface light; do
    case $kind in geom) off=7 ;; surface) off=8 ;; light) off=9 ;; esac
    mapfile -t ids < <(pick "$off")
    (( ${#ids[@]} == n_ids )) || { echo "picked ${#ids[@]} roads, wanted $n_ids" >&2; exit 1; }
    all_ids+=("${ids[@]}")
    log "edits: $kind, ${#ids[@]} roads ($WARM_EDITS warm-up), one transaction each"
    $HELPER edits-sql "$kind" "$WARM_EDITS" "${ids[@]}" > "$OUT/coverage-edits-$kind.sql"
    "${PSQL[@]}" -f "$OUT/coverage-edits-$kind.sql" >> "$OUT/coverage-edits.out"
done
$HELPER parse-edits "$OUT/coverage-edits.json" < "$OUT/coverage-edits.out"
note_load "after edits"

log "check: the touched communes' pieces against their roads, and against a fresh computation"
ids_csv=$(IFS=,; echo "${all_ids[*]}")
cat > "$OUT/coverage-check.sql" <<SQL
WITH touched AS (SELECT DISTINCT commune_code AS code FROM road WHERE id IN ($ids_csv)),
roads AS (
    SELECT r.commune_code, sum(ST_Length(r.geom::geography)) AS road_m, count(*) AS roads
      FROM road r JOIN touched t ON t.code = r.commune_code GROUP BY 1),
stored AS (
    SELECT p.commune_code, sum(p.length_m) AS piece_m, sum(p.length_m) FILTER (WHERE p.lit) AS lit_m,
           count(*) AS pieces
      FROM coverage_road_piece p JOIN touched t ON t.code = p.commune_code GROUP BY 1),
fresh AS (
    SELECT f.commune_code, sum(f.length_m) AS fresh_m, sum(f.length_m) FILTER (WHERE f.lit) AS fresh_lit_m,
           count(*) AS fresh_pieces
      FROM coverage_road_pieces(ARRAY(SELECT r.id FROM road r JOIN touched t ON t.code = r.commune_code)) f
     GROUP BY 1)
SELECT json_agg(json_build_object('commune', t.code, 'roads', r.roads, 'road_m', r.road_m,
                                  'piece_m', s.piece_m, 'lit_m', s.lit_m, 'pieces', s.pieces,
                                  'fresh_m', f.fresh_m, 'fresh_lit_m', f.fresh_lit_m,
                                  'fresh_pieces', f.fresh_pieces) ORDER BY t.code)
  FROM touched t JOIN roads r ON r.commune_code = t.code JOIN stored s ON s.commune_code = t.code
  JOIN fresh f ON f.commune_code = t.code;
SQL
"${PSQL[@]}" -f "$OUT/coverage-check.sql" > "$OUT/coverage-check.out"
$HELPER check "$OUT/coverage-check.json" < "$OUT/coverage-check.out"

# -- 3. Coverage requests ----------------------------------------------------------------
serve_coverage() {  # $1: coverage answers kept in memory (0 = every request computed)
    log "starting kheo serve (KHEO_CACHE_ENTRIES=$1)"
    start_server coverage "KHEO_CACHE_ENTRIES=$1"
    API="$BASE/api/coverage?commune=$ONE&as_of=$AS_OF"
}
serve_coverage 0

curl -sf -D "$OUT/coverage-one.headers" -o "$OUT/coverage-one.json" "$API"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print("coverage of", sys.argv[2], "parsed:", len(json.dumps(d)), "bytes of JSON, keys", sorted(d)[:8])' \
    "$OUT/coverage-one.json" "$ONE"
etag=$(tr -d '\r' < "$OUT/coverage-one.headers" | sed -n 's/^etag: //Ip')
echo "ETag: $etag; with If-None-Match: HTTP $(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$API") (wrk sends none: every request below is computed)"

log "warm-up: 20 requests, then 5 s of wrk round robin over the communes"
for _ in $(seq 20); do curl -sf -o /dev/null "$API"; done
COMMUNES=$COMMUNES AS_OF=$AS_OF wrk -t2 -c50 -d5s -s bench/coverage.lua "$BASE/" > "$OUT/coverage-wrk-warm.txt"

log "wrk -t2 -c50 -d$WRK_DURATION --latency, one commune ($ONE)"
wrk -t2 -c50 -d"$WRK_DURATION" --latency -s bench/coverage.lua "$API" | tee "$OUT/coverage-wrk-one.txt" >&2
$HELPER wrk "$OUT/coverage-wrk-one.json" < "$OUT/coverage-wrk-one.txt"
note_load "after wrk one commune"

log "wrk -t2 -c50 -d$WRK_DURATION --latency, round robin over S00000..S$(printf %05d $((COMMUNES - 1)))"
COMMUNES=$COMMUNES AS_OF=$AS_OF wrk -t2 -c50 -d"$WRK_DURATION" --latency -s bench/coverage.lua "$BASE/" \
    | tee "$OUT/coverage-wrk-many.txt" >&2
$HELPER wrk "$OUT/coverage-wrk-many.json" < "$OUT/coverage-wrk-many.txt"
note_load "after wrk round robin"

log "one request at a time: hyperfine of curl, $CURL_RUNS runs"
hyperfine -N --style basic --warmup 5 --runs "$CURL_RUNS" --export-json "$OUT/coverage-curl.json" \
    -n curl "curl -sf -o /dev/null '$API'"

log "the request's SQL statements by hand (psql, prepared, \\timing), $SQL_RUNS rounds"
$HELPER request-sql "$ONE" "$AS_OF" "$SQL_RUNS" > "$OUT/coverage-sql.sql"
"${PSQL[@]}" -f "$OUT/coverage-sql.sql" > "$OUT/coverage-sql.out"
$HELPER parse-request "$OUT/coverage-sql.json" < "$OUT/coverage-sql.out"
stop_server

# The same round robin with the answer cache on (kheo's default): each commune's answer is
# computed once per data revision, later requests only check the revisions.
serve_coverage 512
COMMUNES=$COMMUNES AS_OF=$AS_OF wrk -t2 -c50 -d5s -s bench/coverage.lua "$BASE/" > "$OUT/coverage-wrk-cached-warm.txt"
log "wrk -t2 -c50 -d$WRK_DURATION --latency, round robin, answer cache on"
COMMUNES=$COMMUNES AS_OF=$AS_OF wrk -t2 -c50 -d"$WRK_DURATION" --latency -s bench/coverage.lua "$BASE/" \
    | tee "$OUT/coverage-wrk-cached.txt" >&2
$HELPER wrk "$OUT/coverage-wrk-cached.json" < "$OUT/coverage-wrk-cached.txt"
note_load "after wrk round robin, cached"
stop_server

# -- Report -----------------------------------------------------------------------------
server_version=$("${PSQL[@]}" -c "SELECT current_setting('server_version')")
postgis_version=$("${PSQL[@]}" -c "SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
mem=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
load_notes=$(printf '%s; ' "${loads[@]}")
machine="$(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $mem RAM, Linux $(uname -r), PostgreSQL $server_version, PostGIS $postgis_version, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), $(hyperfine --version), $(curl --version | head -1 | cut -d' ' -f1-2), kheo $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src migrations || echo ' (src or migrations modified)'). 1-minute load average: ${load_notes}at the end $(cut -d' ' -f1-3 /proc/loadavg)"
rebuilds_json=$(IFS=,; echo "[${rebuilds[*]}]")
cat > "$OUT/coverage-state.json" <<JSON
{"communes": $COMMUNES, "made": "$made", "load_insert_s": $load_insert, "load_rebuild_s": $load_rebuild,
 "rebuilds_s": $rebuilds_json, "rebuild_communes": $rebuild_communes, "jobs": $(nproc),
 "wrk_duration": "$WRK_DURATION", "machine": "$machine"}
JSON
log "results (also in $OUT/coverage.md)"
$HELPER report "$OUT" "$OUT/coverage.md"
python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1]))["ok"] else "coverage check failed")' \
    "$OUT/coverage-check.json"
