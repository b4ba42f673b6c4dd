#!/usr/bin/env bash
# Import benchmark: N roads (default 10,000) from one GeoJSON into the demo ward.
#   kheo import --dry-run   (read, map, check every value and geometry in PostGIS)
#   kheo import             (the same, then insert + audit each feature, rebuild coverage)
#   ogr2ogr -append         (the peer: GDAL loading the same file into a plain PostGIS table,
#                            no checks, no audit, no coverage), when gdal-bin is installed
# Usage: bash bench/import.sh [N]     (after `cargo build --release`)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
N=${1:-10000}
mkdir -p "$OUT"
FILE=$OUT/roads-$N.geojson
python3 bench/import.py "$N" "$FILE"
"$KHEO" demo > /dev/null
URL=$("$KHEO" db status | sed -n 's/^url: *//p')
PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$URL")
reset_sql="DELETE FROM road WHERE id >= 1000000; DELETE FROM audit_log; DROP TABLE IF EXISTS bench_import_roads;"
"${PSQL[@]}" -c "$reset_sql" 2> /dev/null

IMPORT="$KHEO import $FILE --layer roads --commune 17131"
hyperfine --warmup 1 --runs 5 --export-json "$OUT/import-dry.json" \
    -n "kheo import --dry-run ($N roads)" "$IMPORT --dry-run"
hyperfine --runs 5 --prepare "psql -X -q '$URL' -c '$reset_sql'" --export-json "$OUT/import-real.json" \
    -n "kheo import ($N roads)" "$IMPORT"
if command -v ogr2ogr > /dev/null; then
    OGR_URL=$(ogr_url "$URL")
    hyperfine --runs 5 --prepare "psql -X -q '$URL' -c 'DROP TABLE IF EXISTS bench_import_roads'" \
        --export-json "$OUT/import-ogr.json" \
        -n "ogr2ogr -append ($N roads)" "ogr2ogr -f PostgreSQL '$OGR_URL' '$FILE' -nln bench_import_roads -append"
fi
"${PSQL[@]}" -c "$reset_sql" 2> /dev/null
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
def median(name):
    path = os.path.join(out, name)
    return json.load(open(path))["results"][0]["median"] if os.path.exists(path) else None
dry, real, ogr = median("import-dry.json"), median("import-real.json"), median("import-ogr.json")
print(f"dry run: {dry:.2f} s   import: {real:.2f} s" + (f"   ogr2ogr: {ogr:.2f} s   kheo/ogr2ogr: {real / ogr:.1f}" if ogr else ""))
PY
