#!/usr/bin/env python3
"""Add drains (rãnh thoát nước) to the kheo demo commune: drainage.geojson.

Run after generate.py (it reads roads.geojson). Standard library only, deterministic:
every fourth concrete commune road, hamlet axis or alley that was paved (paved_on set)
gets a drain built with its concrete, 3 m to its left, over the whole road. A drain lies
within the default 10 m drain buffer of its road, so the road counts as drained from the
drain's date; the drains' own money is a tenth of the paving's.

    python3 data/demo/drainage.py
"""

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
import geodesy as G  # noqa: E402

LOC = G.Local(105.70, 19.25)
OFFSET_M = 3.0


def offset(pts, d):
    """Parallel polyline d metres to the left, mitred (as generate.py's)."""
    out = []
    n = len(pts)
    for i in range(n):
        a = pts[max(i - 1, 0)]
        b = pts[min(i + 1, n - 1)]
        tx, ty = b[0] - a[0], b[1] - a[1]
        length = math.hypot(tx, ty)
        out.append((pts[i][0] - ty / length * d, pts[i][1] + tx / length * d))
    return out


def main():
    with open(os.path.join(HERE, "roads.geojson"), encoding="utf-8") as fh:
        roads = json.load(fh)["features"]
    chosen = [r for r in roads
              if r["properties"]["surface"] == "concrete" and r["properties"]["paved_on"]
              and r["properties"]["class"] in ("commune", "hamlet_axis", "alley")
              and r["geometry"]["type"] == "LineString"][::4]
    features = []
    for n, road in enumerate(chosen, 1):
        p = road["properties"]
        local = [LOC.fwd(lon, lat) for lon, lat in road["geometry"]["coordinates"]]
        coords = [[round(c, 7) for c in LOC.inv(x, y)] for x, y in offset(local, OFFSET_M)]
        money = p["people_vnd"] and int(round(p["people_vnd"] / 10 / 100_000)) * 100_000
        features.append({"type": "Feature", "id": n, "properties": {
            "commune": p["commune"], "name": f"Rãnh {p['name']}", "status": "existing",
            "built_on": p["paved_on"], "people_vnd": money or None, "state_vnd": None,
            "workdays": None, "organisation": p["organisation"], "note": None,
            "kind": "covered" if n % 3 == 0 else "open"},
            "geometry": {"type": "LineString", "coordinates": coords}})
    with open(os.path.join(HERE, "drainage.geojson"), "w", encoding="utf-8", newline="\n") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features))
        fh.write("\n]}\n")
    print(f"drainage.geojson: {len(features)} drains")


if __name__ == "__main__":
    main()
