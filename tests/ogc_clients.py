#!/usr/bin/env python3
"""Reads a running kheo's /ogc with the real clients, and fails loudly where they disagree
with kheo's own API (GET /api/layers/roads/features):

  * GDAL's OAPIF driver, Debian's gdal-bin: `ogrinfo -ro -so` lists every collection, and
    `ogr2ogr` copies the whole roads layer through pages of PAGE_SIZE into GeoJSON in
    WGS 84, with exactly the API's features and attributes;
  * GDAL 3.12's OAPIF driver (pyogrio's wheel; Debian's GDAL 3.6 predates Part 2) reads the
    roads with CRS=EPSG:9208 into a GeoPackage labelled EPSG:9208, whose coordinates agree
    with cs2cs within 1 cm;
  * OWSLib's owslib.ogcapi.features.Features reads the collections, the queryables and
    items, with a CQL2 filter.

Usage: ogc_clients.py BASE_URL WORK_DIR PROJ_OF_EPSG_9208   (run by tests/api/ogc_clients.rs;
the proj string is the one in kheo's spatial_ref_sys, with its towgs84)
Nothing here skips: a missing client is an error.
"""

import json
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

PAGE_SIZE = 50
TM3_NGHE_AN = "EPSG:9208"


def fail(message):
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def get_json(url):
    with urllib.request.urlopen(url) as response:
        return json.load(response)


def run(args):
    done = subprocess.run(args, capture_output=True, text=True)
    if done.returncode != 0:
        fail(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def feature_key(feature):
    key = feature.get("id", feature["properties"].get("id"))
    return int(key)


def same_value(api, got):
    if api is None:
        return got is None
    if isinstance(api, float) or isinstance(got, float):
        return got is not None and abs(float(api) - float(got)) < 1e-9
    if isinstance(api, str) and isinstance(got, str):
        return api == got.replace("/", "-") if len(api) == 10 and api[4] == "-" else api == got
    return api == got


def lines_of(geometry):
    if geometry["type"] == "LineString":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiLineString":
        return geometry["coordinates"]
    fail(f"a road with a {geometry['type']}")


def fetched_pages(log, crs=None):
    """The items requests GDAL's debug log (CPL_DEBUG, CPL_LOG) shows, with `crs` if given."""
    urls = [line.split("Fetch(", 1)[1].rstrip(")\n") for line in log.read_text().splitlines() if "HTTP: Fetch(" in line]
    pages = [u for u in urls if "/ogc/collections/roads/items" in u]
    if crs is not None:
        pages = [u for u in pages if crs in urllib.parse.unquote(u)]
    return pages


def check_gdal_lists_collections(base, out):
    for tool in ("ogrinfo", "ogr2ogr"):
        if shutil.which(tool) is None:
            fail(f"{tool} is missing: install gdal-bin (./dev deps --test)")
    listing = run(["ogrinfo", "-ro", "-so", f"OAPIF:{base}/ogc"])
    (out / "ogrinfo.txt").write_text(listing)
    ids = [c["id"] for c in get_json(f"{base}/ogc/collections")["collections"]]
    for index, collection in enumerate(ids, start=1):
        if f"{index}: {collection}" not in listing:
            fail(f"ogrinfo does not list collection {collection}:\n{listing}")
    print(listing)


def check_ogr2ogr_copies_roads(base, out, api):
    target = out / "roads-wgs84.geojson"
    target.unlink(missing_ok=True)
    log = out / "ogr2ogr-debug.log"
    log.unlink(missing_ok=True)
    # -preserve_fid: GDAL makes the integer feature ids its FIDs; this writes them back as ids.
    run(["ogr2ogr", "--config", "CPL_DEBUG", "ON", "--config", "CPL_LOG", str(log), "-preserve_fid",
         "-f", "GeoJSON", "-oo", f"PAGE_SIZE={PAGE_SIZE}", str(target), f"OAPIF:{base}/ogc", "roads"])
    copied = json.loads(target.read_text())["features"]
    expected = {feature_key(f): f for f in api}
    got = {feature_key(f): f for f in copied}
    if len(copied) != len(api) or set(got) != set(expected):
        fail(f"ogr2ogr copied {len(copied)} roads {sorted(got)[:5]}..., the API has {len(api)}")
    for key, feature in expected.items():
        copy = got[key]
        for name, value in feature["properties"].items():
            if not same_value(value, copy["properties"].get(name)):
                fail(f"road {key}: {name} is {copy['properties'].get(name)!r} in the copy, {value!r} in the API")
        extra = set(copy["properties"]) - set(feature["properties"]) - {"id"}
        if extra:
            fail(f"road {key}: the copy has attributes the API has not: {extra}")
        for api_line, copy_line in zip(lines_of(feature["geometry"]), lines_of(copy["geometry"]), strict=True):
            for a, b in zip(api_line, copy_line, strict=True):
                if abs(a[0] - b[0]) > 1e-9 or abs(a[1] - b[1]) > 1e-9:
                    fail(f"road {key}: vertex {b} in the copy, {a} in the API")
    pages = [u for u in fetched_pages(log) if f"limit={PAGE_SIZE}" in u]
    if len(pages) < -(-len(api) // PAGE_SIZE):
        fail(f"ogr2ogr fetched {len(pages)} pages of {PAGE_SIZE} for {len(api)} roads: {pages}")
    print(f"ogr2ogr (GDAL OAPIF) copied {len(copied)} roads in {len(pages)} pages of {PAGE_SIZE}, equal to the API's")


def cs2cs(points, proj):
    text = "".join(f"{x} {y}\n" for x, y in points)
    done = subprocess.run(
        ["cs2cs", "-f", "%.4f", "+proj=longlat", "+datum=WGS84", "+to", *proj.split()],
        input=text, capture_output=True, text=True,
    )
    if done.returncode != 0:
        fail(f"cs2cs failed: {done.stderr}")
    return [tuple(float(v) for v in line.split()[:2]) for line in done.stdout.splitlines()]


def parse_wkb_lines(blob):
    """The vertices of a (Multi)LineString WKB, little or big endian, 2D."""
    import struct

    def read(offset):
        order = "<" if blob[offset] == 1 else ">"
        kind = struct.unpack_from(order + "I", blob, offset + 1)[0] % 1000
        offset += 5
        if kind == 2:
            (count,) = struct.unpack_from(order + "I", blob, offset)
            offset += 4
            points = [struct.unpack_from(order + "dd", blob, offset + 16 * i) for i in range(count)]
            return [points], offset + 16 * count
        if kind == 5:
            (parts,) = struct.unpack_from(order + "I", blob, offset)
            offset += 4
            lines = []
            for _ in range(parts):
                part, offset = read(offset)
                lines.extend(part)
            return lines, offset
        fail(f"unexpected WKB geometry type {kind}")

    return read(0)[0]


def check_gdal_reads_vn2000(base, out, api, proj):
    try:
        import pyogrio
        from pyogrio import raw
    except ImportError as error:
        fail(f"pyogrio is missing ({error}): ./dev deps --test makes target/venv")
    if "OAPIF" not in pyogrio.list_drivers():
        fail("pyogrio's GDAL has no OAPIF driver")
    source = f"OAPIF:{base}/ogc"
    log = out / "pyogrio-debug.log"
    log.unlink(missing_ok=True)
    pyogrio.set_gdal_config_options({"CPL_DEBUG": "ON", "CPL_LOG": str(log)})
    # GDAL makes the integer feature ids its FIDs.
    meta, fids, geometry, field_data = raw.read(
        source, layer="roads", return_fids=True, CRS=TM3_NGHE_AN, PAGE_SIZE=PAGE_SIZE
    )
    pyogrio.set_gdal_config_options({"CPL_DEBUG": None, "CPL_LOG": None})
    # kheo did the transformation: GDAL asked for the CRS on every page.
    asked = fetched_pages(log, crs="http://www.opengis.net/def/crs/EPSG/0/9208")
    if len(asked) < -(-len(api) // PAGE_SIZE):
        fail(f"GDAL asked for EPSG:9208 in {len(asked)} requests: {fetched_pages(log)}")
    if meta["crs"] != TM3_NGHE_AN:
        fail(f"GDAL {pyogrio.__gdal_version_string__} labelled the layer {meta['crs']}, not {TM3_NGHE_AN}")
    target = out / "roads-9208.gpkg"
    target.unlink(missing_ok=True)
    # Roads are lines, some of several parts: a conformant GeoPackage layer of MultiLineStrings.
    raw.write(str(target), geometry, field_data, meta["fields"], layer="roads", driver="GPKG",
              geometry_type="MultiLineString", promote_to_multi=True, crs=meta["crs"])
    written = pyogrio.read_info(str(target))
    if written["crs"] != TM3_NGHE_AN or written["features"] != len(api):
        fail(f"the GeoPackage holds {written['features']} roads in {written['crs']}")
    ids = [int(fid) for fid in fids]
    expected = {feature_key(f): f for f in api}
    worst = 0.0
    for key, blob in zip(ids, geometry, strict=True):
        feature = expected[int(key)]
        api_points = [p for line in lines_of(feature["geometry"]) for p in line]
        want = cs2cs(api_points, proj)
        got = [p for line in parse_wkb_lines(bytes(blob)) for p in line]
        if len(got) != len(want):
            fail(f"road {key}: {len(got)} vertices in EPSG:9208, {len(want)} in the API")
        for (x, y), (ex, ey) in zip(got, want):
            worst = max(worst, abs(x - ex), abs(y - ey))
    if worst > 0.01:
        fail(f"EPSG:9208 coordinates differ from cs2cs by up to {worst:.4f} m")
    print(f"GDAL {pyogrio.__gdal_version_string__} OAPIF read {len(ids)} roads in {TM3_NGHE_AN} ({len(asked)} pages) "
          f"into {target.name}; largest difference from cs2cs {worst * 1000:.1f} mm")


def check_owslib(base, api):
    try:
        import owslib
        from owslib.ogcapi.features import Features
    except ImportError as error:
        fail(f"OWSLib is missing ({error}): ./dev deps --test makes target/venv")
    service = Features(f"{base}/ogc")
    ids = [c["id"] for c in service.collections()["collections"]]
    expected_ids = [c["id"] for c in get_json(f"{base}/ogc/collections")["collections"]]
    if ids != expected_ids:
        fail(f"OWSLib read collections {ids}, expected {expected_ids}")
    queryables = service.collection_queryables("roads")
    if "surface" not in queryables["properties"] or "geometry" not in queryables["properties"]:
        fail(f"OWSLib's queryables lack surface or geometry: {list(queryables['properties'])}")
    page = service.collection_items("roads", limit=10)
    if len(page["features"]) != 10 or page["numberMatched"] != len(api):
        fail(f"OWSLib read {len(page['features'])} items of {page['numberMatched']}")
    concrete = [f for f in api if f["properties"]["surface"] == "concrete"]
    filtered = service.collection_items("roads", limit=1000, filter="surface = 'concrete'")
    if sorted(f["id"] for f in filtered["features"]) != sorted(f["id"] for f in concrete):
        fail(f"OWSLib's filtered items: {len(filtered['features'])}, the API has {len(concrete)} concrete roads")
    print(f"OWSLib {owslib.__version__} read {len(ids)} collections, the roads' queryables, "
          f"{len(page['features'])} items and {len(concrete)} concrete roads by CQL2")


def main():
    if len(sys.argv) != 4:
        fail(__doc__)
    base, out, proj = sys.argv[1].rstrip("/"), Path(sys.argv[2]), sys.argv[3]
    out.mkdir(parents=True, exist_ok=True)
    api = get_json(f"{base}/api/layers/roads/features")["features"]
    check_gdal_lists_collections(base, out)
    check_ogr2ogr_copies_roads(base, out, api)
    check_gdal_reads_vn2000(base, out, api, proj)
    check_owslib(base, api)
    print("ogc clients: all checks passed")


if __name__ == "__main__":
    main()
