#!/usr/bin/env bash
# The server's peak memory (VmHWM) under the inputs of issue 8, one fresh `kheo serve` per
# case with the default settings (KHEO_MAX_UPLOAD_MB=50, KHEO_MAX_IMPORTS=2), and
# `kheo import` of a 200 MB GeoJSON (its peak from /usr/bin/time). See bench/memory.py.
# Usage: bash bench/memory.sh [CASE...]   (after `cargo build --release`; KHEO_BIN=path
# measures another build, e.g. an older one)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
KHEO=${KHEO_BIN:-$KHEO}
CASES=("$@")
if [[ ${#CASES[@]} -eq 0 ]]; then
    CASES=(geojson-dry-run kmz-dry-run line-1m name-1mb concurrent-imports clients-50 writes-50 cli-200mb)
fi
mkdir -p "$OUT/memory"
[[ -f "$OUT/memory/roads-200mb.geojson" ]] || python3 bench/memory.py make "$OUT/memory"
"$KHEO" demo > /dev/null
KHEO_PASSWORD='bench password' "$KHEO" user add bench --role admin > /dev/null
RESULTS="$OUT/memory/results-$(basename "$KHEO").jsonl"
for case in "${CASES[@]}"; do
    if [[ $case == cli-200mb ]]; then
        /usr/bin/time -v "$KHEO" import "$OUT/memory/roads-200mb.geojson" --layer roads --commune 17131 --dry-run \
            --defaults '{"class": "alley", "surface": "earth"}' > "$OUT/memory/cli.out" 2> "$OUT/memory/cli.err" || true
        python3 - "$OUT/memory" <<'PY' | tee -a "$RESULTS"
import json, re, sys
err = open(sys.argv[1] + "/cli.err").read()
peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err).group(1)
try:
    counts = json.load(open(sys.argv[1] + "/cli.out"))["counts"]
except Exception:
    counts = err.splitlines()[-25:-23]
print(json.dumps({"case": "cli-200mb", "peak_kib": peak, "wall": wall, "counts": counts}, ensure_ascii=False))
PY
        continue
    fi
    "$KHEO" demo > /dev/null   # the demo ward as it was: a case's writes are undone
    start_server "memory-$case"
    python3 bench/memory.py run "$case" "$BASE" "$SERVER_PID" "$OUT/memory" | tee -a "$RESULTS"
    stop_server
done
