#!/usr/bin/env bash
# Write benchmark: PATCHes of one road through the API and the coverage request after each
# (bench/edit.py), against the release build on the demo ward. Usage: bash bench/edit.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
N=${1:-200}
mkdir -p "$OUT"
"$KHEO" demo > /dev/null
KHEO_PASSWORD='bench password' "$KHEO" user add bench --role admin > /dev/null
start_server edit
python3 bench/edit.py "$BASE" bench 'bench password' "$N" | tee "$OUT/edit.txt"
# The baseline: the same UPDATE in SQL (the coverage trigger included, no HTTP, no checks,
# no audit), N times in one psql session.
URL=$("$KHEO" db status | sed -n 's/^url: *//p')
{
    echo '\timing on'
    for i in $(seq "$N"); do
        if (( i % 2 )); then s=gravel; else s=concrete; fi
        echo "UPDATE road SET surface = '$s', version = version + 1 WHERE id = 100;"
    done
} > "$OUT/edit-baseline.sql"
psql -X -q "$URL" -f "$OUT/edit-baseline.sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | python3 -c "
import statistics, sys
v = sorted(float(x) for x in sys.stdin)
print(f'UPDATE in psql (trigger included): median {statistics.median(v):.1f} ms, p99 {v[min(len(v) - 1, int(len(v) * 0.99))]:.1f} ms ({len(v)} statements)')
" | tee -a "$OUT/edit.txt"
"$KHEO" demo > /dev/null
