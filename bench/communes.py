#!/usr/bin/env python3
"""A country's commune boundary file for bench/communes.sh: 3,321 communes (as many as
Vietnam has since the 2025 reform) on a grid of 61 x 55 cells of 0.05° from 103° E 17° N,
each side of 120 wobbly vertices shared with the neighbour across it, so that the communes
tile the plane as published boundaries do (they touch along their borders, no overlap).
Properties as a province's file names them: `ma_xa`, `ten_xa`, `tinh`. Standard library.

    communes.py OUT.geojson
"""
import json
import math
import random
import sys

COLS, ROWS, COUNT = 61, 55, 3321
X0, Y0, CELL = 103.0, 17.0, 0.05
VERTICES = 120  # per side


def side(xa, ya, xb, yb, key):
    """The vertices of the side from (xa, ya) towards (xb, yb), its last one left out, the
    same for both communes that share it (seeded by the side's own key)."""
    wobble = random.Random(key)
    out = []
    for i in range(VERTICES):
        t = i / VERTICES
        w = 0.002 * math.sin(t * math.pi) * (wobble.random() - 0.5)
        x, y = xa + (xb - xa) * t, ya + (yb - ya) * t
        out.append([round(x + w, 6), round(y, 6)] if xa == xb else [round(x, 6), round(y + w, 6)])
    return out


def horizontal(i, j):
    return side(X0 + i * CELL, Y0 + j * CELL, X0 + (i + 1) * CELL, Y0 + j * CELL, f"h{i},{j}")


def vertical(i, j):
    return side(X0 + i * CELL, Y0 + j * CELL, X0 + i * CELL, Y0 + (j + 1) * CELL, f"v{i},{j}")


def ring(i, j):
    """The cell's boundary, counter-clockwise, each side walked from its own start."""
    bottom = horizontal(i, j)
    right = vertical(i + 1, j)
    top = list(reversed(horizontal(i, j + 1) + [[round(X0 + (i + 1) * CELL, 6), round(Y0 + (j + 1) * CELL, 6)]]))[:-1]
    left = list(reversed(vertical(i, j) + [[round(X0 + i * CELL, 6), round(Y0 + (j + 1) * CELL, 6)]]))[:-1]
    points = bottom + right + top + left
    return points + [points[0]]


def main(path):
    features = []
    for k in range(COUNT):
        i, j = k % COLS, k // COLS
        kind = "Phường" if k % 5 == 0 else "Xã"
        features.append({
            "type": "Feature",
            "properties": {"ma_xa": f"{k + 1:05d}", "ten_xa": f"{kind} Số {k + 1}", "tinh": f"Tỉnh Thử {k // 100 + 1}"},
            "geometry": {"type": "Polygon", "coordinates": [ring(i, j)]},
        })
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
