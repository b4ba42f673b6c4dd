#!/usr/bin/env bash
# Benchmark of a region's coverage (GET /api/coverage?region=) over the synthetic province:
# computed (the answer cache off) and cached, one request at a time and at 50 concurrent
# clients, with each server's peak memory; computed also just after one commune changed
# (its coverage steps computed again first) and after all of them changed. Run from the repo root: bash bench/region.sh
#
# The province of the synthetic communes is the region `tinh-tong-hop` (derived from their
# `province`). The numbers come from one run; the load average is recorded with them.
# Everything lands in bench/out/ (git-ignored); the table is bench/out/region.md.
#
# Environment: COMMUNES (500), RUNS (20 single requests), WRK_DURATION (20s),
# SKIP_LOAD=1 reuses a province already loaded in bench/out/home.
set -euo pipefail

cd "$(dirname "$0")/.."
COMMUNES=${COMMUNES:-500}
RUNS=${RUNS:-20}
WRK_DURATION=${WRK_DURATION:-20s}
SKIP_LOAD=${SKIP_LOAD:-0}
REGION=tinh-tong-hop
AS_OF=2024-01-01
# shellcheck source=bench/lib.sh
source bench/lib.sh
mkdir -p "$OUT"

for tool in wrk hyperfine; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y $tool" >&2; exit 1; }
done
log() { printf '\n== %s (load average %s)\n' "$*" "$(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
peak_kib() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$SERVER_PID/status"; }

log "building release"
cargo build --release
URL=$("$KHEO" db up | sed -n 's/^database ready: //p')
if [[ "$SKIP_LOAD" != 1 ]]; then
    log "loading the synthetic province: $COMMUNES communes"
    "$KHEO" demo --synthetic province --communes "$COMMUNES" | tee "$OUT/region-load.out" >&2
fi

API="/api/coverage?region=$REGION&as_of=$AS_OF"

# The baseline: what raw PostGIS does with no precomputed pieces, in one query — the
# region's road lengths per commune and class (all of them, then the concrete ones), on the
# ellipsoid, from the road geometries, as of the date. It is less than kheo answers (no
# groups, no lighting, drainage, money or models), so the ratio flatters the baseline.
RAW_SQL="SELECT r.commune_code, r.class, sum(ST_Length(r.geom::geography)) AS road_m,
       sum(ST_Length(r.geom::geography)) FILTER (WHERE r.surface = 'concrete') AS concrete_m
  FROM road r
 WHERE r.commune_code IN (SELECT region_communes('$REGION'))
   AND r.status = 'existing' AND (r.done_on IS NULL OR r.done_on <= DATE '$AS_OF')
 GROUP BY 1, 2"
log "raw PostGIS: the road lengths alone, $RUNS runs (hyperfine over psql)"
hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$OUT/region-raw-single.json" \
    "psql '$URL' -Atq -o /dev/null -c \"$RAW_SQL\"" >&2
results=()
for mode in computed cached; do
    entries=0
    [[ "$mode" == cached ]] && entries=512
    start_server "region-$mode" KHEO_CACHE_ENTRIES="$entries"
    curl -sf -o "$OUT/region-$mode.json" "$BASE$API"
    log "$mode: $RUNS single requests (hyperfine)"
    hyperfine -N --style basic --warmup 2 --runs "$RUNS" --export-json "$OUT/region-$mode-single.json" \
        "curl -sf -o /dev/null '$BASE$API'" >&2
    if [[ "$mode" == computed ]]; then
        # The first answer after a change: the changed commune's steps are computed again
        # first. One road repaved per run, in a different commune each time.
        log "computed: $RUNS single requests, each after one road of one commune changed"
        : > "$OUT/region-after-edit.txt"
        for run in $(seq "$RUNS"); do
            psql "$URL" -qAt -c "UPDATE road SET paved_on = DATE '2023-01-01' + $run, surface_before = 'earth'
                                  WHERE id = (SELECT min(id) FROM road WHERE commune_code = (
                                              SELECT code FROM commune ORDER BY code OFFSET $run LIMIT 1))"
            curl -sf -o /dev/null -w '%{time_total}\n' "$BASE$API" >> "$OUT/region-after-edit.txt"
        done
        # Every commune changed (as after a bulk load with no server running): the first
        # answer computes the steps of all 500.
        log "computed: one request after every commune changed"
        psql "$URL" -qAt -c "INSERT INTO coverage_step_change (commune_code) SELECT code FROM commune"
        curl -sf -o /dev/null -w '%{time_total}\n' "$BASE$API" > "$OUT/region-all-changed.txt"
    fi
    log "$mode: wrk -t2 -c50 -d$WRK_DURATION"
    wrk -t2 -c50 -d"$WRK_DURATION" --latency "$BASE$API" | tee "$OUT/region-$mode-wrk.txt" >&2
    if [[ "$mode" == cached ]]; then
        # As browsers ask: gzip (the cache keeps the compressed body beside the plain one).
        log "cached: wrk -t2 -c50 -d$WRK_DURATION, gzip"
        wrk -t2 -c50 -d"$WRK_DURATION" --latency -H 'Accept-Encoding: gzip' "$BASE$API" \
            | tee "$OUT/region-cached-gzip-wrk.txt" >&2
    fi
    results+=("$mode $(peak_kib) $(cut -d' ' -f1 /proc/loadavg)")
    stop_server
done

python3 - "$OUT" "$COMMUNES" "${results[@]}" > "$OUT/region.md" <<'PY'
import json, re, sys
out, communes, rows = sys.argv[1], sys.argv[2], sys.argv[3:]
def wrk(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", text).group(1))
    def pct(p):
        m = re.search(rf"\s{p}%\s+([0-9.]+)(us|ms|s)\b", text)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct(50), pct(99), int(errors.group(1)) if errors else 0
answer = json.load(open(f"{out}/region-computed.json"))
print(f"Region `tinh-tong-hop`: {answer['region']['communes']} communes, "
      f"{answer['region']['road_m'] / 1000:.1f} km of counted roads.\n")
print("| answer | single: median ms (min-max) | 50 clients: req/s | p50 ms | p99 ms | non-2xx | server peak RSS | load |")
print("|---|---|---|---|---|---|---|---|")
raw = json.load(open(f"{out}/region-raw-single.json"))["results"][0]
print(f"| raw PostGIS, road lengths only (psql) | {raw['median'] * 1000:.0f} ({raw['min'] * 1000:.0f}-{raw['max'] * 1000:.0f}) | | | | | | |")
def median_ms(path):
    times = sorted(float(line) * 1000 for line in open(path) if line.strip())
    return times[len(times) // 2], times[0], times[-1]
for row in rows:
    mode, peak, load = row.split()
    single = json.load(open(f"{out}/region-{mode}-single.json"))["results"][0]
    rps, p50, p99, errors = wrk(f"{out}/region-{mode}-wrk.txt")
    print(f"| {mode} | {single['median'] * 1000:.0f} ({single['min'] * 1000:.0f}-{single['max'] * 1000:.0f}) "
          f"| {rps:.1f} | {p50:.1f} | {p99:.1f} | {errors} | {int(peak) / 1024:.0f} MiB | {load} |")
    if mode == "cached":
        rps, p50, p99, errors = wrk(f"{out}/region-cached-gzip-wrk.txt")
        print(f"| cached, gzip asked | | {rps:.1f} | {p50:.1f} | {p99:.1f} | {errors} | | |")
    if mode == "computed":
        med, lo, hi = median_ms(f"{out}/region-after-edit.txt")
        print(f"| computed, just after one commune changed | {med:.0f} ({lo:.0f}-{hi:.0f}) | | | | | | |")
        med, _, _ = median_ms(f"{out}/region-all-changed.txt")
        print(f"| computed, just after all {communes} communes changed | {med:.0f} | | | | | | |")
PY
cat "$OUT/region.md"
