#!/usr/bin/env python3
"""Generate the kheo demo commune: an illustrative model of the former Quỳnh Xuân ward.

Standard library only, deterministic (random.Random(2022)): running it twice writes
byte-identical files. Geometry is synthetic; the figures it reproduces come from the
ward's 2022 reports (see README.md and docs/DOMAIN.md).

    python3 data/demo/generate.py        # writes the six *.geojson files next to it
    python3 data/demo/check.py           # prints the figures

Everything is laid out in a local plane in metres around (105.70 E, 19.25 N), turned into
WGS 84 lon/lat rounded to 7 decimals, and then measured again geodesically on the rounded
coordinates (geodesy.py), so that the tuned totals hold for the files as written.
"""

import datetime as dt
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep data/demo free of __pycache__
sys.path.insert(0, HERE)
import geodesy as G  # noqa: E402

RNG = random.Random(2022)
LON0, LAT0 = 105.70, 19.25
LOC = G.Local(LON0, LAT0)

COMMUNE = {"code": "17131", "name": "Phường Quỳnh Xuân", "kind": "phuong",
           "province": "Nghệ An"}

TARGET_TOTAL = 50800.0          # counted road length (m)
TARGET_RATIO = 0.807            # concrete share of it
TARGET_LIT = 33000.0            # counted road length within 15 m of a lighting line
LIT_BUFFER = 15.0

ORGS = ["MTTQ", "Hội Phụ nữ", "Đoàn Thanh niên", "Hội Cựu chiến binh", "Hội Nông dân",
        "Liên đoàn Lao động", "Hội Khuyến học", "UBND phường"]


# ------------------------------------------------------------------ small helpers

def ll(p):
    lon, lat = LOC.inv(p[0], p[1])
    return [round(lon, 7), round(lat, 7)]


def xy(q):
    return LOC.fwd(q[0], q[1])


def snap(pts):
    """Local points -> rounded lon/lat -> local points (what the files will hold)."""
    return [xy(ll(p)) for p in pts]


def plen(pts):
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in zip(pts, pts[1:]))


def glen(pts):
    return G.line_length([ll(p) for p in pts])


def cut(pts, d0, d1):
    """Part of a local polyline between planar distances d0 < d1 from its start."""
    out = []
    acc = 0.0
    for a, b in zip(pts, pts[1:]):
        seg = math.hypot(b[0] - a[0], b[1] - a[1])
        s0, s1 = acc, acc + seg
        if seg > 0 and s1 >= d0 and s0 <= d1:
            t0 = max(0.0, (d0 - s0) / seg)
            t1 = min(1.0, (d1 - s0) / seg)
            p0 = (a[0] + t0 * (b[0] - a[0]), a[1] + t0 * (b[1] - a[1]))
            p1 = (a[0] + t1 * (b[0] - a[0]), a[1] + t1 * (b[1] - a[1]))
            if not out:
                out.append(p0)
            elif math.hypot(out[-1][0] - p0[0], out[-1][1] - p0[1]) > 1e-9:
                out.append(p0)
            if math.hypot(p1[0] - out[-1][0], p1[1] - out[-1][1]) > 1e-9:
                out.append(p1)
        acc = s1
    return out


def cut_geodesic(pts, d0, length):
    """Cut starting at planar d0 whose geodesic length (rounded coords) is `length`."""
    d1 = d0 + length
    for _ in range(8):
        piece = cut(pts, d0, d1)
        err = length - glen(piece)
        if abs(err) < 0.01:
            break
        d1 += err
    return cut(pts, d0, d1)


def point_at(pts, d):
    acc = 0.0
    for a, b in zip(pts, pts[1:]):
        seg = math.hypot(b[0] - a[0], b[1] - a[1])
        if acc + seg >= d and seg > 0:
            t = (d - acc) / seg
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]),
                    (b[0] - a[0]) / seg, (b[1] - a[1]) / seg)
        acc += seg
    a, b = pts[-2], pts[-1]
    seg = math.hypot(b[0] - a[0], b[1] - a[1])
    return (b[0], b[1], (b[0] - a[0]) / seg, (b[1] - a[1]) / seg)


def densify(ctrl, step=90.0, noise=2.5):
    """Polyline through control points with a vertex every ~step m, slightly wobbly."""
    out = [ctrl[0]]
    for a, b in zip(ctrl, ctrl[1:]):
        seg = math.hypot(b[0] - a[0], b[1] - a[1])
        n = max(1, round(seg / step))
        nx, ny = -(b[1] - a[1]) / seg, (b[0] - a[0]) / seg
        for k in range(1, n + 1):
            t = k / n
            e = RNG.uniform(-noise, noise) if k < n else 0.0
            out.append((a[0] + t * (b[0] - a[0]) + e * nx, a[1] + t * (b[1] - a[1]) + e * ny))
    return out


def offset(pts, d):
    """Parallel polyline d metres to the left (negative: right), mitred."""
    out = []
    n = len(pts)
    for i in range(n):
        if i == 0:
            a, b = pts[0], pts[1]
            tx, ty = b[0] - a[0], b[1] - a[1]
        elif i == n - 1:
            a, b = pts[-2], pts[-1]
            tx, ty = b[0] - a[0], b[1] - a[1]
        else:
            a, b, c = pts[i - 1], pts[i], pts[i + 1]
            l1 = math.hypot(b[0] - a[0], b[1] - a[1])
            l2 = math.hypot(c[0] - b[0], c[1] - b[1])
            tx = (b[0] - a[0]) / l1 + (c[0] - b[0]) / l2
            ty = (b[1] - a[1]) / l1 + (c[1] - b[1]) / l2
        L = math.hypot(tx, ty)
        out.append((pts[i][0] - ty / L * d, pts[i][1] + tx / L * d))
    return out


def rdate(y0, y1, rng=RNG):
    """A random ISO date between 1 Jan y0 and 31 Dec y1 (inclusive)."""
    a = dt.date(y0, 1, 1).toordinal()
    b = dt.date(y1, 12, 31).toordinal()
    return dt.date.fromordinal(rng.randint(a, b)).isoformat()


def vnd(x, unit=100_000):
    return int(round(x / unit)) * unit


class SegIndex:
    """Grid of local segments, for clearance tests while laying out roads."""

    def __init__(self, cell=100.0):
        self.cell = cell
        self.grid = {}

    def add(self, pts):
        for a, b in zip(pts, pts[1:]):
            for k in self._keys(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])):
                self.grid.setdefault(k, []).append((a[0], a[1], b[0], b[1]))

    def _keys(self, x0, y0, x1, y1):
        c = self.cell
        for i in range(math.floor(x0 / c), math.floor(x1 / c) + 1):
            for j in range(math.floor(y0 / c), math.floor(y1 / c) + 1):
                yield (i, j)

    def mindist(self, x, y, r):
        best = math.inf
        for k in self._keys(x - r, y - r, x + r, y + r):
            for s in self.grid.get(k, ()):
                best = min(best, G.dist_point_seg(x, y, *s))
        return best

    def clear(self, pts, dmin, skip=0.0, step=6.0):
        total = plen(pts)
        d = skip
        while d <= total:
            x, y, _, _ = point_at(pts, d)
            if self.mindist(x, y, dmin) < dmin:
                return False
            d += step
        return True


# ------------------------------------------------------------------ groups (tổ dân phố)

XS = [-2000.0, -1000.0, 0.0, 1000.0, 2000.0]
YS = [-2000.0, -1000.0, 0.0, 1000.0, 2000.0]


def build_lattice():
    V = {}
    for i, x in enumerate(XS):
        for j, y in enumerate(YS):
            outer = i in (0, 4) or j in (0, 4)
            jit = 90.0 if outer else 110.0
            V[(i, j)] = (x + RNG.uniform(-jit, jit), y + RNG.uniform(-jit, jit))
    E = {}

    def edge(p, q, outer):
        a, b = V[p], V[q]
        n = 3 if outer else RNG.choice([1, 2])
        L = math.hypot(b[0] - a[0], b[1] - a[1])
        nx, ny = -(b[1] - a[1]) / L, (b[0] - a[0]) / L
        pts = [a]
        for k in range(1, n + 1):
            t = k / (n + 1) + RNG.uniform(-0.06, 0.06)
            e = RNG.uniform(-70, 70) if outer else RNG.uniform(-45, 45)
            pts.append((a[0] + t * (b[0] - a[0]) + e * nx, a[1] + t * (b[1] - a[1]) + e * ny))
        pts.append(b)
        E[(p, q)] = [ll(p_) for p_ in pts]

    for i in range(5):
        for j in range(5):
            if i < 4:
                edge((i, j), (i + 1, j), j in (0, 4))
            if j < 4:
                edge((i, j), (i, j + 1), i in (0, 4))
    return V, E


def edge_seq(E, p, q):
    if (p, q) in E:
        return E[(p, q)]
    return list(reversed(E[(q, p)]))


def cell_ring(E, i, j):
    ring = []
    for p, q in (((i, j), (i + 1, j)), ((i + 1, j), (i + 1, j + 1)),
                 ((i + 1, j + 1), (i, j + 1)), ((i, j + 1), (i, j))):
        ring.extend(edge_seq(E, p, q)[:-1])
    return ring + [ring[0]]


def union_rings(rings):
    """Outer boundary of a set of CCW rings that share identical edges."""
    directed = []
    for r in rings:
        directed.extend((tuple(a), tuple(b)) for a, b in zip(r, r[1:]))
    s = set(directed)
    keep = [(a, b) for a, b in directed if (b, a) not in s]
    nxt = {a: b for a, b in keep}
    assert len(nxt) == len(keep), "non-manifold union"
    out = []
    seen = set()
    for start in [a for a, _ in keep]:
        if start in seen:
            continue
        ring = [start]
        seen.add(start)
        cur = nxt[start]
        while cur != start:
            ring.append(cur)
            seen.add(cur)
            cur = nxt[cur]
        ring.append(start)
        out.append([list(p) for p in ring])
    return out


# group number -> cells (i = column west->east, j = row south->north)
GROUP_CELLS = {
    1: [(0, 3)], 2: [(1, 3)], 3: [(2, 3)], 4: [(3, 3), (3, 2)],
    5: [(0, 2)], 6: [(1, 2)], 7: [(2, 2)],
    8: [(0, 1)], 9: [(1, 1)], 10: [(2, 1)], 11: [(3, 1)],
    12: [(0, 0), (1, 0)], 13: [(2, 0)], 14: [(3, 0)],
}
# concrete share each group aims at (before the final global tuning)
GROUP_TARGET = {1: 1.0, 2: 0.96, 3: 1.0, 4: 0.55, 5: 1.0, 6: 0.95, 7: 0.99, 8: 0.95,
                9: 0.97, 10: 0.97, 11: 0.5, 12: 0.38, 13: 0.2, 14: 0.37}


def main():
    V, E = build_lattice()
    groups = {}
    for g, cells in GROUP_CELLS.items():
        rings = union_rings([cell_ring(E, i, j) for i, j in cells])
        assert len(rings) == 1
        groups[g] = rings[0]
    commune_rings = union_rings([cell_ring(E, i, j) for i in range(4) for j in range(4)])
    assert len(commune_rings) == 1
    commune_ring = commune_rings[0]
    commune_xy = [xy(p) for p in commune_ring]
    areas = [(g, [[groups[g]]]) for g in sorted(groups)]

    def inside(pts, margin=25.0):
        for p in pts:
            if not G.point_in_ring(p[0], p[1], commune_xy):
                return False
            for a, b in zip(commune_xy, commune_xy[1:]):
                if G.dist_point_seg(p[0], p[1], a[0], a[1], b[0], b[1]) < margin:
                    return False
        return True

    group_xy = {g: [xy(q) for q in groups[g]] for g in groups}

    def group_at(p):
        for g in sorted(group_xy):
            if G.point_in_ring(p[0], p[1], group_xy[g]):
                return g
        return None

    index = SegIndex()
    roads = []   # dicts with local pts (or list of parts), properties in progress

    def add_road(name, parts, cls, **kw):
        if parts and isinstance(parts[0][0], (int, float)):
            parts = [parts]
        parts = [snap(p) for p in parts]
        r = {"name": name, "parts": parts, "class": cls, "status": "existing"}
        r.update(kw)
        roads.append(r)
        for p in parts:
            index.add(p)
        return r

    # --- National Road 1A: NNE through column 1 (groups 2, 6, 9, 12), beyond the ward
    ql = densify([(-700, -2400), (-610, -1200), (-500, 0), (-420, 1200), (-340, 2400)],
                 step=120, noise=1.0)
    add_road("Quốc lộ 1A", ql, "national", surface="asphalt", width_m=20.0,
             paved_on=None, surface_before=None, fixed=True)

    # --- main streets (class commune), split into sections concreted at different dates
    streets = [
        ("Nguyễn Tất Thành", [(-1760, 560), (-900, 600), (-480, 545), (300, 520),
                              (1000, 575), (1760, 540)], [0.22, 0.5, 0.76]),
        ("Lưu Kiệm", [(-1760, -470), (-1000, -430), (-540, -470), (420, -440),
                      (1200, -480), (1770, -450)], [0.25, 0.48, 0.73]),
        ("Xuân Liên", [(-1740, 1480), (-1000, 1520), (-430, 1500), (400, 1470),
                       (1150, 1500)], [0.3, 0.62]),
        ("Mai Thúc Loan", [(470, -1760), (430, -1000), (480, -200), (440, 700),
                           (470, 1760)], [0.2, 0.45, 0.7]),
        ("Phùng Hưng", [(-1500, -1730), (-1540, -900), (-1480, 100), (-1520, 900),
                        (-1490, 1740)], [0.15, 0.55, 0.8]),
        ("Hồ Tùng Mậu", [(1520, -1740), (1480, -900), (1530, -100), (1500, 960)],
         [0.2, 0.45, 0.68]),
    ]
    main_pts = {}
    for sname, ctrl, splits in streets:
        pts = snap(densify(ctrl, step=85, noise=2.0))
        main_pts[sname] = pts
        L = plen(pts)
        cuts = [0.0] + [s * L for s in splits] + [L]
        for k, (d0, d1) in enumerate(zip(cuts, cuts[1:])):
            add_road(f"Đường {sname} (đoạn {k + 1})", cut(pts, d0, d1), "commune",
                     street=sname, section=k + 1, width_m=RNG.choice([5.5, 6.0, 6.5, 7.5]))
    # sections kept out of concrete (asphalt / gravel), set by hand for realism
    for r in roads:
        if r.get("street") == "Phùng Hưng" and r["section"] == 1:
            r.update(surface="asphalt", fixed=True)
        if r.get("street") == "Hồ Tùng Mậu" and r["section"] == 1:
            r.update(surface="gravel", fixed=True)
        if r.get("street") == "Hồ Tùng Mậu" and r["section"] == 3:
            r.update(surface="asphalt", fixed=True)
        if r.get("street") == "Nguyễn Tất Thành" and r["section"] == 4:
            r.update(surface="asphalt", fixed=True)

    # --- inter-hamlet road across the southern row (rural)
    ih = snap(densify([(-1760, -1420), (-1100, -1380), (-300, -1440), (600, -1400),
                       (1300, -1430), (1760, -1390)], step=90, noise=2.5))
    L = plen(ih)
    cuts = [0.0, 0.33 * L, 0.62 * L, L]
    for k, (d0, d1) in enumerate(zip(cuts, cuts[1:])):
        add_road(f"Đường liên TDP 12 - 13 - 14 (đoạn {k + 1})", cut(ih, d0, d1),
                 "inter_hamlet", street="liên TDP 12 - 13 - 14", section=k + 1, width_m=5.0)
    main_pts["liên TDP 12 - 13 - 14"] = ih

    # --- roads along shared group boundaries (same vertices as the boundary)
    e1 = [xy(q) for q in edge_seq(E, (3, 1), (3, 2))]          # TDP 10 | TDP 11
    add_road("Đường liên TDP 10 - 11", e1, "inter_hamlet", width_m=4.5)
    e2 = [xy(q) for q in edge_seq(E, (1, 2), (0, 2))][:-1]     # TDP 5 | TDP 8, stops short
    add_road("Đường liên TDP 5 - 8", e2, "inter_hamlet", width_m=4.0)

    # --- hamlet axis roads: one per cell in rows 1-3, parallel to the E-W street
    axis_names = ["Hồ Xuân Hương", "Nguyễn Du", "Lê Hồng Phong", "Đào Duy Từ", "Trần Phú",
                  "Nguyễn Thị Minh Khai", "Tôn Thất Tùng", "Cao Xuân Huy", "Nguyễn Xí",
                  "Hoàng Văn Thụ", "Phan Đăng Lưu", "Ngô Trí Hòa"]
    row_street_y = {1: -450, 2: 550, 3: 1500}
    k = 0
    axes = []
    for j in (3, 2, 1):
        for i in range(4):
            cx = XS[i] + 500
            if j == 3 and i == 3:
                off = -230
            else:
                off = 225 if (i + j) % 2 else -225
            y = row_street_y[j] + off
            x0 = max(cx - 370, -1700)
            x1 = min(cx + 370, 1700)
            pts = densify([(x0, y + RNG.uniform(-15, 15)), (cx, y + RNG.uniform(-20, 20)),
                           (x1, y + RNG.uniform(-15, 15))], step=80, noise=2.5)
            name = axis_names[k]
            k += 1
            if not inside(pts, 20):
                raise SystemExit(f"axis {name} leaves the ward")
            r = add_road(f"Đường {name}", pts, "hamlet_axis", street=name,
                         width_m=RNG.choice([4.0, 4.5, 5.0]))
            axes.append(r)
            main_pts[name] = r["parts"][0]

    # --- field roads (đường nội đồng) in the rural south and north-east
    field_specs = [
        ("Đường nội đồng Cồn Bãi", [(-1850, -1250), (-1700, -1240), (-1560, -1250)], "earth"),
        ("Đường nội đồng Đồng Cửa", [(-1200, -1340), (-1190, -1150), (-1210, -980)], "gravel"),
        ("Đường nội đồng Mã Vàng", [(1800, -1330), (1700, -1200), (1650, -1080)], "earth"),
        ("Đường nội đồng Xuân Hòa", [(1700, 1650), (1450, 1660), (1300, 1690)], "earth"),
    ]
    for name, ctrl, surf in field_specs:
        pts = densify(ctrl, step=70, noise=3)
        if not inside(pts, 20) or not index.clear(pts, 25, skip=30):
            print("skip field road", name, file=sys.stderr)
            continue
        add_road(name, pts, "field", surface=surf, fixed=True, width_m=3.0)

    # --- filler roads whose length is tuned at the end to hit the reported totals
    filler_c_path = snap(densify([(560, -1740), (940, -1730), (950, -1640), (580, -1610),
                                  (570, -1530), (930, -1520), (940, -1460), (600, -1470)],
                                 step=60, noise=1.5))
    filler_n_path = snap(densify([(-1430, -1720), (-760, -1700), (-750, -1620), (-1420, -1600),
                                  (-1410, -1520), (-760, -1510)], step=60, noise=1.5))
    for pts in (filler_c_path, filler_n_path):
        if not inside(pts, 15) or not index.clear(pts, 25, skip=30):
            raise SystemExit("filler path blocked")
    fc = add_road("Đường trục chính nội đồng Đồng Trọt", filler_c_path, "field",
                  surface="concrete", fixed=True, width_m=3.5, filler=True)
    fn = add_road("Đường nội đồng Bàu Sen", filler_n_path, "field", surface="earth",
                  fixed=True, width_m=3.0, filler=True)
    fc["parts"] = [cut(filler_c_path, 0.0, 900.0)]   # nominal lengths until the tuning
    fn["parts"] = [cut(filler_n_path, 0.0, 700.0)]

    # --- planned / under construction roads (not counted)
    planned = [
        ("Đường quy hoạch khu dân cư Đồng Xuân", [(1350, 1850), (1700, 1830)], "planned"),
        ("Đường nối Mai Thúc Loan - Hồ Tùng Mậu", [(540, -1230), (900, -1210), (1440, -1230)],
         "planned"),
        ("Ngõ 118 Xuân Liên (kéo dài)", [(-1000, 1521), (-995, 1780)], "under_construction"),
    ]
    planned_roads = []
    for name, ctrl, st in planned:
        pts = densify(ctrl, step=80, noise=1.5)
        if not inside(pts, 15):
            raise SystemExit(f"{name} leaves the ward")
        r = add_road(name, pts, "hamlet_axis" if "Đường" in name else "alley",
                     surface="earth" if st == "planned" else "gravel", status=st,
                     fixed=True, width_m=6.0 if "Đường" in name else 3.0)
        planned_roads.append(r)

    # --- alleys (ngõ): short spurs off streets and axes
    candidates = []
    used_numbers = {}
    parents = list(main_pts.items())
    for pname, ppts in parents:
        L = plen(ppts)
        d = RNG.uniform(30, 70)
        while d < L - 30:
            x, y, tx, ty = point_at(ppts, d)
            side = RNG.choice([1, -1])
            g = group_at((x, y))
            dens = 1.0 if g is None or GROUP_TARGET[g] > 0.8 else 0.55
            if RNG.random() < dens:
                ang = math.atan2(ty, tx) + side * math.pi / 2 + RNG.uniform(-0.2, 0.2)
                length = RNG.uniform(50, 200)
                bend = RNG.uniform(-0.35, 0.35)
                mid = (x + math.cos(ang) * length * 0.55, y + math.sin(ang) * length * 0.55)
                end = (mid[0] + math.cos(ang + bend) * length * 0.45,
                       mid[1] + math.sin(ang + bend) * length * 0.45)
                branch = None
                if RNG.random() < 0.08:
                    bang = ang + bend + RNG.choice([1, -1]) * math.pi / 2
                    bl = RNG.uniform(50, 90)
                    branch = [mid, (mid[0] + math.cos(bang) * bl, mid[1] + math.sin(bang) * bl)]
                candidates.append((pname, d, side, [(x, y), mid, end], branch))
            d += RNG.uniform(55, 120)
    RNG.shuffle(candidates)

    def counted(r):
        return r["class"] not in ("national", "provincial") and r["status"] == "existing"

    def road_len(r):
        return sum(glen(p) for p in r["parts"])

    budget = TARGET_TOTAL - 1350.0   # leave room for the two fillers (~700 m each)
    total = sum(road_len(r) for r in roads if counted(r) and not r.get("filler"))
    for pname, d, side, pts, branch in candidates:
        if total >= budget:
            break
        pts = snap(pts)
        if not inside(pts, 20) or not index.clear(pts, 28, skip=30):
            continue
        parts = [pts]
        if branch:
            branch = snap(branch)
            if inside(branch, 20) and index.clear(branch, 28, skip=30) and \
                    G.dist_point_seg(*branch[1], *pts[0], *pts[1]) > 28:
                parts.append(branch)
        base = 2 * max(1, round(d / 12))
        num = base + (1 if side < 0 else 0)
        while (pname, num) in used_numbers:
            num += 2
        used_numbers[(pname, num)] = True
        label = f"đường {pname}" if pname.startswith("liên") else pname
        r = add_road(f"Ngõ {num} {label}", parts, "alley", street=pname,
                     width_m=RNG.choice([2.5, 3.0, 3.0, 3.5]))
        total += road_len(r)

    # --- clip every counted road to the groups once
    for r in roads:
        r["groups"] = {}
        for p in r["parts"]:
            res, un, _ = G.clip_lengths([ll(q) for q in p], areas, LOC)
            for g, m in res.items():
                if m > 0:
                    r["groups"][g] = r["groups"].get(g, 0.0) + m
            r["unassigned"] = r.get("unassigned", 0.0) + un
        r["length"] = road_len(r)
        r["home"] = max(r["groups"], key=r["groups"].get) if r["groups"] else None

    # --- surfaces: main streets concrete unless fixed; others greedily per group
    for r in roads:
        if "surface" in r:
            continue
        if r["class"] == "commune" or (r["class"] == "inter_hamlet" and r.get("section")):
            r["surface"] = "concrete"
    for r in roads:
        if r["class"] == "inter_hamlet" and r.get("section") in (1, 3):
            r["surface"] = "gravel"
    grp_total = {g: 0.0 for g in groups}
    grp_conc = {g: 0.0 for g in groups}
    for r in roads:
        if counted(r):
            for g, m in r["groups"].items():
                grp_total[g] += m
                if r.get("surface") == "concrete":
                    grp_conc[g] += m
    free = [r for r in roads if "surface" not in r]
    for g in sorted(groups):
        grng = random.Random(2022 * 100 + g)   # one stream per group: groups tune apart
        mine = [r for r in free if r["home"] == g]
        grng.shuffle(mine)
        for r in mine:
            if grp_conc[g] + r["length"] / 2 <= GROUP_TARGET[g] * grp_total[g]:
                r["surface"] = "concrete"
                grp_conc[g] += r["length"]
            else:
                if r["class"] == "alley":
                    r["surface"] = grng.choice(["earth", "gravel", "gravel", "paving"])
                else:
                    r["surface"] = grng.choice(["asphalt", "gravel"])

    # --- tune the two fillers: total counted length and concrete share, exactly
    def totals():
        T = sum(r["length"] for r in roads if counted(r))
        C = sum(r["length"] for r in roads if counted(r) and r["surface"] == "concrete")
        return T, C

    if os.environ.get("KHEO_DEBUG"):
        T, C = totals()
        print(f"before tuning: T={T:.0f} C={C:.0f} ratio={C / T:.3f} "
              f"need_c={TARGET_TOTAL * TARGET_RATIO - C:.0f} "
              f"need_n={TARGET_TOTAL * (1 - TARGET_RATIO) - (T - C):.0f}", file=sys.stderr)
        for g in sorted(groups):
            tg = sum(r["groups"].get(g, 0) for r in roads if counted(r))
            cg = sum(r["groups"].get(g, 0) for r in roads if counted(r) and r["surface"] == "concrete")
            print(f"  TDP {g}: {tg:.0f} m, concrete {cg / tg:.3f}", file=sys.stderr)
    for _ in range(6):
        T, C = totals()
        need_c = TARGET_TOTAL * TARGET_RATIO - C
        need_n = TARGET_TOTAL * (1 - TARGET_RATIO) - (T - C)
        done = True
        for fr, path, need in ((fc, filler_c_path, need_c), (fn, filler_n_path, need_n)):
            want = fr["length"] + need
            if abs(need) > 0.05:
                done = False
            if not 80 <= want <= plen(path) - 5:
                raise SystemExit(f"filler {fr['name']} would need {want:.0f} m "
                                 f"(path {plen(path):.0f} m)")
            fr["parts"] = [cut_geodesic(path, 0.0, want)]
            fr["length"] = road_len(fr)
        if done:
            break
    for fr in (fc, fn):
        if os.environ.get("KHEO_DEBUG"):
            print(f"filler {fr['name']}: {fr['length']:.0f} m", file=sys.stderr)
        res, _, _ = G.clip_lengths([ll(q) for q in fr["parts"][0]], areas, LOC)
        fr["groups"] = {g: m for g, m in res.items() if m > 0}
        fr["home"] = max(fr["groups"], key=fr["groups"].get)

    # --- dates, money and the rest of the road properties
    year_weights = {2015: 5, 2016: 6, 2017: 7, 2018: 8, 2019: 9, 2020: 8, 2021: 9,
                    2022: 12, 2023: 9, 2024: 7}
    years = [y for y, w in year_weights.items() for _ in range(w)]
    org_cycle = ["MTTQ", "MTTQ", "Hội Cựu chiến binh", "Hội Phụ nữ", "Đoàn Thanh niên",
                 "MTTQ", "Hội Nông dân", "Liên đoàn Lao động"]
    main_dates = {}
    for r in roads:
        r.setdefault("surface_before", None)
        r.setdefault("paved_on", None)
        r.setdefault("done_on", None)
        r.setdefault("people_vnd", None)
        r.setdefault("state_vnd", None)
        r.setdefault("workdays", None)
        r.setdefault("organisation", None)
        r.setdefault("note", None)
        if r["class"] == "national" or r["status"] != "existing":
            continue
        if r["surface"] != "concrete":
            if r["surface"] == "asphalt":
                r["paved_on"] = rdate(2008, 2014) if r["class"] == "commune" else None
                r["surface_before"] = "gravel" if r["paved_on"] else None
                if r["class"] == "commune":
                    r["organisation"] = "UBND phường"
                    r["note"] = "Thảm nhựa bằng ngân sách thị xã"
                    r["state_vnd"] = vnd(r["length"] * r["width_m"] * 420_000, 1_000_000)
            continue
        area = r["length"] * r["width_m"]
        if r["class"] in ("commune", "inter_hamlet"):
            y = RNG.choice([2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023])
            r["paved_on"] = rdate(y, y)
            r["surface_before"] = "gravel"
            cost = area * RNG.uniform(380_000, 450_000)
            share = RNG.uniform(0.15, 0.35)
            r["state_vnd"] = vnd(cost * (1 - share), 1_000_000)
            r["people_vnd"] = vnd(cost * share)
            r["workdays"] = round(r["length"] / RNG.uniform(4, 8))
            r["organisation"] = "UBND phường"
            r["note"] = "Nhà nước và nhân dân cùng làm"
        else:
            if r["class"] == "alley" and RNG.random() < 0.06:
                # concreted long ago, before the records
                r["surface_before"] = None
                r["note"] = "Bê tông hóa trước năm 2010, chưa có hồ sơ"
                continue
            y = RNG.choice(years)
            r["paved_on"] = rdate(y, y)
            r["surface_before"] = RNG.choice(["earth", "earth", "gravel"])
            cost = area * RNG.uniform(220_000, 300_000)
            share = RNG.uniform(0.55, 1.0) if r["class"] == "alley" else RNG.uniform(0.3, 0.6)
            r["people_vnd"] = vnd(cost * share)
            if share < 0.97:
                r["state_vnd"] = vnd(cost * (1 - share))
            r["workdays"] = round(r["length"] * r["width_m"] / RNG.uniform(5, 9))
            r["organisation"] = RNG.choice(org_cycle)
            if r["home"] == 5 and r["class"] == "alley":
                r["people_vnd"] = vnd(max(r["people_vnd"], cost))
                r["state_vnd"] = None
                r["note"] = "Nhiều hộ góp đến 20 triệu đồng/hộ, hiến đất mở rộng ngõ"
            elif r["people_vnd"] and share > 0.9:
                r["note"] = "Nhân dân tự nguyện đóng góp 3-5 triệu đồng/hộ"

    # new concrete lanes opened in 2022 (over 2,000 m, as reported)
    new_lanes = [r for r in roads if r["class"] == "alley" and r["status"] == "existing"
                 and r["surface"] == "concrete" and r["paved_on"]]
    RNG.shuffle(new_lanes)
    acc = 0.0
    for r in new_lanes:
        if acc >= 2150:
            break
        d = rdate(2022, 2022)
        r.update(paved_on=d, done_on=d, surface_before=None,
                 note="Ngõ mở mới năm 2022, nhân dân hiến đất")
        acc += r["length"]

    # --- lighting lines along counted roads, tuned to ~33 km of lit counted road
    counted_roads = [r for r in roads if counted(r)]
    must = [r for r in counted_roads if r["class"] in ("commune",)]
    rest = [r for r in counted_roads if r not in must and r["class"] != "field"]
    RNG.shuffle(rest)
    # roads in rural groups come last
    rest.sort(key=lambda r: GROUP_TARGET.get(r["home"], 1) < 0.6)
    # the first section of Nguyễn Tất Thành (TDP 5) carries the 600 m flag road model
    flag_road = next(r for r in roads if r["name"] == "Đường Nguyễn Tất Thành (đoạn 1)")
    order = must + rest

    def light_geom(r):
        out = []
        for p in r["parts"]:
            if r["class"] in ("commune", "inter_hamlet", "hamlet_axis"):
                out.append(snap(offset(p, -4.0)))
            else:
                out.append(p)
        return out

    def lit_metric(k):
        lines = [[ll(q) for q in p] for r in order[:k] for p in light_geom(r)]
        ix = G.NearIndex(lines, LOC, LIT_BUFFER)
        return sum(ix.length_near([ll(q) for q in p]) for r in counted_roads for p in r["parts"])

    lo, hi = 1, len(order)
    while lo < hi:
        mid = (lo + hi) // 2
        if lit_metric(mid) < TARGET_LIT:
            lo = mid + 1
        else:
            hi = mid
    k = lo
    if abs(lit_metric(k - 1) - TARGET_LIT) < abs(lit_metric(k) - TARGET_LIT):
        k -= 1
    lit_roads = order[:k]

    lights = []
    for r in lit_roads:
        geom = light_geom(r)
        length = sum(glen(p) for p in geom)
        base = r["paved_on"][:4] if r.get("paved_on") else "2015"
        y0 = max(2016, int(base) + (1 if r.get("paved_on") else 0))
        y0 = min(y0, 2024)
        lit_on = rdate(y0, 2024)
        solar = r["class"] == "alley" and RNG.random() < 0.35
        lamps = max(1, round(length / 30))
        unit = 4_500_000 if solar else 2_800_000
        people = vnd(lamps * unit * (0.5 if r["class"] == "commune" else 1.0))
        label = r["name"].split(" (")[0]
        sec = f" ({r['name'].split(' (')[1]}" if " (" in r["name"] else ""
        lights.append({
            "name": f"Tuyến chiếu sáng {label}{sec}" if not solar
            else f"Đèn năng lượng mặt trời {label}",
            "parts": geom, "status": "existing", "done_on": lit_on,
            "people_vnd": people,
            "state_vnd": vnd(lamps * unit * 0.5) if r["class"] == "commune" else None,
            "workdays": round(lamps * RNG.uniform(0.5, 1.5)) if r["class"] != "commune" else None,
            "organisation": "UBND phường" if r["class"] == "commune" else
            RNG.choice(["Đoàn Thanh niên", "MTTQ", "Hội Cựu chiến binh", "Liên đoàn Lao động"]),
            "note": "Thuộc mô hình \"đường cờ, đường điện sáng\" TDP 5" if r is flag_road
            else None, "lamps": lamps, "power": "solar" if solar else "grid", "road": r,
        })
    # one planned lighting line along a planned road (not lit yet)
    pr = planned_roads[0]
    p = pr["parts"][0]
    lp = cut(p, 30, plen(p))
    lights.append({"name": "Tuyến chiếu sáng khu dân cư Đồng Xuân (dự kiến)", "parts": [lp],
                   "status": "planned", "done_on": None, "people_vnd": None,
                   "state_vnd": None, "workdays": None, "organisation": "UBND phường",
                   "note": "Làm cùng đường quy hoạch", "lamps": max(1, round(plen(lp) / 30)),
                   "power": "solar", "road": pr})

    # --- flower routes: 36 sections along roads
    flowers = []
    xl = next(r for r in roads if r["name"] == "Đường Xuân Liên (đoạn 1)")
    xlp = offset(xl["parts"][0], 6.0)
    xlen = plen(xlp)
    flowers.append({
        "name": "Đường hoa Xuân Liên", "parts": [snap(cut(xlp, 40, min(xlen - 20, 1000)))],
        "status": "existing", "done_on": "2022-03-26", "people_vnd": 165_000_000,
        "state_vnd": None, "workdays": 240, "organisation": "Hội Phụ nữ",
        "note": "300 cây hoa ban, bằng lăng do nhân dân và con em xa quê tài trợ",
        "species": "Hoa ban, Bằng lăng", "trees": 300,
        "caretaker": "Chi hội Phụ nữ TDP 1"})
    flag = snap(cut_geodesic(offset(flag_road["parts"][0], 5.0), 60, 600.0))
    flowers.append({
        "name": "Tuyến đường cờ, đường điện sáng TDP 5", "parts": [flag],
        "status": "existing", "done_on": "2022-08-19", "people_vnd": 118_500_000,
        "state_vnd": None, "workdays": 180, "organisation": "Đoàn Thanh niên",
        "note": "Mô hình \"đường cờ, đường điện sáng\": cột cờ, đèn chiếu sáng và bồn hoa "
                "dọc 600 m, kinh phí nhân dân đóng góp trên 100 triệu đồng",
        "species": "Hoa giấy", "trees": 120, "caretaker": "Chi đoàn TDP 5"})
    species = [("Hoa giấy", 6), ("Bằng lăng", 10), ("Hoa mười giờ", 1.5), ("Sao đen", 12),
               ("Hoa ban", 9), ("Hoa sữa", 12), ("Hoa mười giờ", 1.5), ("Hoa giấy", 5)]
    cands = [r for r in roads if counted(r) and r["class"] in ("alley", "hamlet_axis")
             and r["surface"] == "concrete" and r["length"] > 90
             and r["home"] is not None]
    RNG.shuffle(cands)
    by_home = {}
    for r in cands:
        by_home.setdefault(r["home"], []).append(r)
    picked = []
    while len(picked) < 34 and any(by_home.values()):
        for g in sorted(by_home):
            if by_home[g] and len(picked) < 34:
                picked.append(by_home[g].pop())
    care = [("Chi hội Phụ nữ TDP {g}", "Hội Phụ nữ"), ("Chi đoàn TDP {g}", "Đoàn Thanh niên"),
            ("Chi hội Cựu chiến binh TDP {g}", "Hội Cựu chiến binh"),
            ("Ban công tác Mặt trận TDP {g}", "MTTQ")]
    for n, r in enumerate(picked):
        p = r["parts"][0]
        L = plen(p)
        d0 = RNG.uniform(5, max(6, L * 0.2))
        d1 = min(L - 3, d0 + RNG.uniform(80, 260))
        piece = snap(cut(p, d0, d1))
        sp, spacing = species[n % len(species)]
        length = glen(piece)
        trees = max(10, round(length / spacing))
        caretaker, org = care[n % len(care)]
        g = r["home"]
        y = RNG.choice([2018, 2019, 2020, 2021, 2022, 2022, 2023, 2024, 2025])
        d = rdate(y, y) if y < 2025 else rdate(2025, 2025)[:5] + "0" + str(RNG.randint(1, 6)) + "-15"
        st = "existing"
        if n == 30:
            st, d = "planned", None
        flowers.append({
            "name": f"Đường hoa {r['name']}" if sp != "Sao đen" and sp != "Hoa sữa"
            else f"Tuyến cây xanh {r['name']}",
            "parts": [piece], "status": st, "done_on": d,
            "people_vnd": vnd(trees * RNG.uniform(80_000, 250_000)) if st == "existing" else None,
            "state_vnd": None,
            "workdays": round(length / RNG.uniform(8, 20)) if st == "existing" else None,
            "organisation": org, "note": None if n % 5 else "Tuyến đường xanh - sạch - đẹp",
            "species": sp, "trees": trees, "caretaker": caretaker.format(g=g)})

    # --- model sites (mô hình "Dân vận khéo")
    fields = (["economy"] * 8 + ["culture_society"] * 12 + ["defence_security"] * 25
              + ["political_system"] * 5)
    recog = ["registered"] * 20 + ["commune"] * 16 + ["district"] * 9 + ["province"] * 5
    RNG.shuffle(fields)
    RNG.shuffle(recog)
    titles = {
        "economy": [("Mô hình nuôi tôm thẻ chân trắng trong nhà lưới", "Hộ nuôi tôm liên kết, "
                     "mỗi năm thu lãi trên 500 triệu đồng và tạo việc làm cho lao động địa phương."),
                    ("Tổ hợp tác làm nước mắm truyền thống", "Các hộ góp vốn, giữ nghề làm "
                     "nước mắm truyền thống và đưa sản phẩm lên sàn thương mại điện tử."),
                    ("Mô hình trồng rau an toàn", "Chi hội Nông dân hướng dẫn hội viên trồng "
                     "rau theo hướng an toàn, cung cấp cho bếp ăn các trường học."),
                    ("Quỹ tín dụng tiết kiệm giúp nhau phát triển kinh tế", "Hội viên góp vốn "
                     "xoay vòng giúp các hộ khó khăn vay làm ăn, không tính lãi.")],
        "culture_society": [("Câu lạc bộ dân ca ví, giặm", "Câu lạc bộ sinh hoạt hằng tháng, "
                             "giữ gìn và truyền dạy dân ca ví, giặm Nghệ Tĩnh cho thiếu nhi."),
                            ("Mô hình \"5 không, 3 sạch\"", "Chi hội Phụ nữ vận động hội viên giữ "
                             "nhà sạch, bếp sạch, ngõ sạch và phân loại rác tại nguồn."),
                            ("Tủ sách khuyến học tổ dân phố", "Hội Khuyến học xây dựng tủ sách "
                             "tại nhà văn hóa, trao học bổng cho học sinh nghèo vượt khó."),
                            ("Mô hình \"Ngày Chủ nhật xanh\"", "Đoàn viên thanh niên ra quân "
                             "dọn vệ sinh, trồng hoa dọc các tuyến đường mỗi sáng Chủ nhật.")],
        "defence_security": [("Mô hình camera an ninh", "Nhân dân góp tiền lắp camera tại các "
                              "ngã ba, ngã tư, kết nối về công an phường giám sát an ninh trật tự."),
                             ("Tổ tự quản an ninh trật tự", "Tổ tự quản tuần tra đêm, hòa giải "
                              "mâu thuẫn tại cơ sở, giữ vững khu dân cư không có tội phạm."),
                             ("Mô hình \"Khu dân cư an toàn về phòng cháy chữa cháy\"", "Mỗi cụm "
                              "dân cư có bình chữa cháy và tổ xung kích phòng cháy chữa cháy."),
                             ("Mô hình \"Cựu chiến binh tham gia giữ gìn an ninh\"", "Hội viên "
                              "Cựu chiến binh tham gia tuần tra, tuyên truyền phòng chống ma túy."),
                             ("Mô hình \"Dòng họ không có người vi phạm pháp luật\"", "Các dòng "
                              "họ ký cam kết giáo dục con cháu chấp hành pháp luật.")],
        "political_system": [("Mô hình \"Dân vận khéo\" trong sinh hoạt chi bộ", "Chi bộ đổi mới "
                              "sinh hoạt, lắng nghe ý kiến nhân dân trước khi quyết định công việc "
                              "của tổ dân phố."),
                             ("Mô hình \"Tổ dân phố tự quản\"", "Ban công tác Mặt trận phối hợp "
                              "tổ trưởng công khai thu chi, nhân dân bàn và quyết định.")],
    }
    sites = []
    site_groups = []
    for g in sorted(groups):
        site_groups += [g, g]
    rest_g = sorted(groups)
    while len(site_groups) < len(fields):
        site_groups.append(RNG.choice(rest_g))
    RNG.shuffle(site_groups)
    used = {}
    for n, (f, rc, g) in enumerate(zip(fields, recog, site_groups)):
        ring = group_xy[g]
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        for _ in range(1000):
            p = (RNG.uniform(min(xs), max(xs)), RNG.uniform(min(ys), max(ys)))
            if G.point_in_ring(p[0], p[1], ring) and \
                    min(G.dist_point_seg(p[0], p[1], *a, *b) for a, b in zip(ring, ring[1:])) > 60:
                break
        k = used.get(f, 0)
        used[f] = k + 1
        title, desc = titles[f][k % len(titles[f])]
        year = {"province": RNG.randint(2019, 2022), "district": RNG.randint(2019, 2023),
                "commune": RNG.randint(2020, 2024)}.get(rc, RNG.randint(2021, 2025))
        dd = rdate(year, year) if year < 2025 else f"2025-0{RNG.randint(1, 9)}-{RNG.randint(10, 28)}"
        org = {"economy": RNG.choice(["Hội Nông dân", "Hội Phụ nữ", "Liên đoàn Lao động"]),
               "culture_society": RNG.choice(["Hội Phụ nữ", "Đoàn Thanh niên", "Hội Khuyến học",
                                              "MTTQ"]),
               "defence_security": RNG.choice(["MTTQ", "Hội Cựu chiến binh", "Đoàn Thanh niên",
                                               "UBND phường"]),
               "political_system": "MTTQ"}[f]
        money = None
        if "camera" in title:
            money = vnd(RNG.uniform(20, 60) * 1_000_000)
        elif f == "economy":
            money = vnd(RNG.uniform(30, 150) * 1_000_000, 1_000_000)
        elif RNG.random() < 0.3:
            money = vnd(RNG.uniform(5, 25) * 1_000_000)
        sites.append({
            "name": f"{title} TDP {g}", "pt": snap([p])[0], "status": "existing",
            "done_on": dd, "people_vnd": money, "state_vnd": None,
            "workdays": RNG.choice([None, None, RNG.randint(10, 60)]),
            "organisation": org, "note": None, "field": f, "recognition": rc, "year": year,
            "description": desc})

    # --------------------------------------------------------------- write files
    def geom_lines(parts):
        cs = [[ll(q) for q in p] for p in parts]
        if len(cs) == 1:
            return {"type": "LineString", "coordinates": cs[0]}
        return {"type": "MultiLineString", "coordinates": cs}

    def write(fname, feats):
        path = os.path.join(HERE, fname)
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write('{"type":"FeatureCollection","features":[\n')
            fh.write(",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":"))
                                for f in feats))
            fh.write("\n]}\n")

    write("communes.geojson", [{
        "type": "Feature", "id": COMMUNE["code"], "properties": dict(COMMUNE),
        "geometry": {"type": "MultiPolygon", "coordinates": [[commune_ring]]}}])

    hh_rng = random.Random(2022 * 7)
    gfeats = []
    for g in sorted(groups):
        hh = hh_rng.randint(180, 430) if GROUP_TARGET[g] > 0.6 else hh_rng.randint(150, 260)
        pop = round(hh * hh_rng.uniform(3.6, 4.2))
        gfeats.append({"type": "Feature", "id": g, "properties": {
            "commune": COMMUNE["code"], "code": f"TDP{g:02d}", "name": f"Tổ dân phố {g}",
            "kind": "to_dan_pho", "households": hh, "population": pop},
            "geometry": {"type": "MultiPolygon", "coordinates": [[groups[g]]]}})
    write("groups.geojson", gfeats)

    def work_props(w):
        return {"commune": COMMUNE["code"], "name": w["name"], "status": w["status"],
                "done_on": w.get("done_on"), "people_vnd": w.get("people_vnd"),
                "state_vnd": w.get("state_vnd"), "workdays": w.get("workdays"),
                "organisation": w.get("organisation"), "note": w.get("note")}

    rfeats = []
    for n, r in enumerate(roads, 1):
        pr = work_props(r)
        pr.update({"class": r["class"], "surface": r["surface"],
                   "surface_before": r["surface_before"], "width_m": r["width_m"],
                   "paved_on": r["paved_on"]})
        rfeats.append({"type": "Feature", "id": n, "properties": pr,
                       "geometry": geom_lines(r["parts"])})
    write("roads.geojson", rfeats)

    ffeats = []
    for n, f in enumerate(flowers, 1):
        pr = work_props(f)
        pr.update({"species": f["species"], "trees": f["trees"], "caretaker": f["caretaker"]})
        ffeats.append({"type": "Feature", "id": n, "properties": pr,
                       "geometry": geom_lines(f["parts"])})
    write("flower_routes.geojson", ffeats)

    lfeats = []
    for n, lt in enumerate(lights, 1):
        pr = work_props(lt)
        pr.update({"lamps": lt["lamps"], "power": lt["power"]})
        lfeats.append({"type": "Feature", "id": n, "properties": pr,
                       "geometry": geom_lines(lt["parts"])})
    write("lighting_lines.geojson", lfeats)

    sfeats = []
    for n, s in enumerate(sites, 1):
        pr = work_props(s)
        pr.update({"field": s["field"], "recognition": s["recognition"], "year": s["year"],
                   "description": s["description"]})
        sfeats.append({"type": "Feature", "id": n, "properties": pr,
                       "geometry": {"type": "Point", "coordinates": ll(s["pt"])}})
    write("model_sites.geojson", sfeats)
    print(f"wrote {len(rfeats)} roads, {len(ffeats)} flower routes, {len(lfeats)} lighting "
          f"lines, {len(sfeats)} model sites, {len(gfeats)} groups")


if __name__ == "__main__":
    main()
