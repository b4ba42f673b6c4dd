#!/usr/bin/env bash
# `kheo commune import` of a country's boundary file (bench/communes.py: 3,321 communes of
# 480 vertices that touch along their borders, 39 MB of GeoJSON) into a database of its
# own: the dry run, the first import and a second one that changes nothing, each with its
# wall time and peak memory (/usr/bin/time), and the overlap check's own time from the
# slow-statement log; then the floor, `ogr2ogr` of the same file into a plain PostGIS table
# (no checks, no overlaps). Usage: bash bench/communes.sh   (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
export KHEO_HOME=$OUT/communes-home
rm -rf "$KHEO_HOME"
mkdir -p "$OUT/communes"
FILE=$OUT/communes/country.geojson
[[ -f $FILE ]] || python3 bench/communes.py "$FILE"
"$KHEO" db up > /dev/null
MAPPING='{"ma_xa": "code", "ten_xa": "name", "tinh": "province"}'
for run in dry-run first second; do
    args=()
    [[ $run == dry-run ]] && args=(--dry-run)
    /usr/bin/time -f "%e %M" -o "$OUT/communes/$run.time" \
        "$KHEO" commune import "$FILE" --mapping "$MAPPING" "${args[@]}" > "$OUT/communes/$run.json" 2> "$OUT/communes/$run.err"
    read -r wall peak < "$OUT/communes/$run.time"
    overlaps=$(grep -o 'summary="-- The overlaps of[^"]*".*elapsed_secs=[0-9.]*' "$OUT/communes/$run.err" \
        | grep -o 'elapsed_secs=[0-9.]*' | cut -d= -f2 || true)
    python3 - "$OUT/communes/$run.json" "$run" "$wall" "$peak" "${overlaps:-under 2 s (not logged)}" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]}: {sys.argv[3]} s, peak {int(sys.argv[4]) // 1024} MiB, overlap check {sys.argv[5]} s; "
      f"counts {json.dumps(report['counts'])}, communes {json.dumps(report.get('communes'))}, "
      f"warnings {len(report.get('warnings', []))}")
PY
done
URL=$("$KHEO" db status | sed -n 's/^url: *//p')
/usr/bin/time -f "%e %M" -o "$OUT/communes/ogr2ogr.time" \
    ogr2ogr -f PostgreSQL "$(ogr_url "$URL")" "$FILE" -nln bench_communes -overwrite
read -r wall peak < "$OUT/communes/ogr2ogr.time"
echo "ogr2ogr -overwrite (the floor): $wall s, peak $((peak / 1024)) MiB"
