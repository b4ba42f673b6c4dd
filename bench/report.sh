#!/usr/bin/env bash
# The council report (GET /api/report): the time to build the demo ward's report as DOCX
# and as PDF, and the server's peak memory (VmHWM) while it does, one fresh server per
# format so that each peak is that format's. Run from the repo root: bash bench/report.sh
#
# The machine is shared (2 cores, others build on it): the load average is printed with
# the numbers. Everything lands in bench/out/ (git-ignored); the table is
# bench/out/report.md. Environment: RUNS (5 per format), PROFILE (release, or debug to
# use target/debug/kheo as built by the tests).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
PROFILE=${PROFILE:-release}
AS_OF=2025-12-31
# shellcheck source=bench/lib.sh
source bench/lib.sh
KHEO=target/$PROFILE/kheo
mkdir -p "$OUT"

if [[ "$PROFILE" == release ]]; then cargo build --release --locked; fi
"$KHEO" db up > /dev/null
"$KHEO" demo > /dev/null

kib() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }

{
    echo "| format | median s | min s | max s | file bytes | server VmHWM at start KiB | VmHWM after KiB |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
} > "$OUT/report.md"
for format in docx pdf; do
    start_server "report-$format"
    before=$(kib VmHWM)
    : > "$OUT/report-$format.times"
    for _ in $(seq "$RUNS"); do
        curl -sf -o "$OUT/report.$format" -w '%{time_total}\n' \
            "$BASE/api/report?commune=17131&as_of=$AS_OF&format=$format" >> "$OUT/report-$format.times"
    done
    after=$(kib VmHWM)
    bytes=$(stat -c %s "$OUT/report.$format")
    stats=$(sort -n "$OUT/report-$format.times" | awk '{ t[NR] = $1 } END { printf "%.2f | %.2f | %.2f", t[int((NR + 1) / 2)], t[1], t[NR] }')
    echo "| $format | $stats | $bytes | $before | $after |" >> "$OUT/report.md"
    stop_server
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), profile $PROFILE, $RUNS runs per format" >> "$OUT/report.md"
cat "$OUT/report.md"
