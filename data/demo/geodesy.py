"""Geodesy and small planar helpers for the kheo demo data (standard library only).

- ``inverse(lon1, lat1, lon2, lat2)``: geodesic distance in metres on the WGS 84
  ellipsoid (Vincenty's inverse formula, iterated to 1e-12 rad; sub-millimetre for the
  short segments used here). PostGIS ``ST_Length(geography)`` measures on the same
  spheroid, so lengths agree far inside the 0.1 % the tests allow.
- ``line_length(coords)``: sum of segment lengths of a lon/lat polyline.
- ``Local``: an equirectangular plane centred on the commune (metres). It is an affine map
  of lon/lat, so the points where a segment crosses a polygon edge fall at the same
  fractions as in PostGIS geometry (planar lon/lat) operations.
- ``clip_lengths``: geodesic length of a polyline per polygon of a tiling (pieces lying on
  a shared edge go to the first polygon that holds them, so they are counted once).
- ``length_near``: geodesic length of a polyline within ``r`` metres of a set of lines
  (what ``ST_DWithin``/buffer coverage of lit roads measures).
"""

import math

A = 6378137.0
F = 1 / 298.257223563
B = A * (1 - F)


def inverse(lon1, lat1, lon2, lat2):
    """Geodesic distance (m) between two lon/lat points on WGS 84 (Vincenty)."""
    if lon1 == lon2 and lat1 == lat2:
        return 0.0
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - F) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - F) * math.tan(math.radians(lat2)))
    sinU1, cosU1 = math.sin(U1), math.cos(U1)
    sinU2, cosU2 = math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSigma = math.hypot(cosU2 * sinLam, cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        if sinSigma == 0:
            return 0.0
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sigma = math.atan2(sinSigma, cosSigma)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSigma
        cos2Alpha = 1 - sinAlpha * sinAlpha
        cos2SigmaM = cosSigma - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha != 0 else 0.0
        C = F / 16 * cos2Alpha * (4 + F * (4 - 3 * cos2Alpha))
        lamPrev = lam
        lam = L + (1 - C) * F * sinAlpha * (
            sigma + C * sinSigma * (cos2SigmaM + C * cosSigma * (-1 + 2 * cos2SigmaM ** 2)))
        if abs(lam - lamPrev) < 1e-12:
            break
    u2 = cos2Alpha * (A * A - B * B) / (B * B)
    Ak = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    Bk = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSigma = Bk * sinSigma * (cos2SigmaM + Bk / 4 * (
        cosSigma * (-1 + 2 * cos2SigmaM ** 2)
        - Bk / 6 * cos2SigmaM * (-3 + 4 * sinSigma ** 2) * (-3 + 4 * cos2SigmaM ** 2)))
    return B * Ak * (sigma - dSigma)


def line_length(coords):
    """Geodesic length (m) of a lon/lat polyline [[lon, lat], ...]."""
    return sum(inverse(a[0], a[1], b[0], b[1]) for a, b in zip(coords, coords[1:]))


def lines_of(geom):
    """The polylines of a LineString or MultiLineString geometry."""
    if geom["type"] == "LineString":
        return [geom["coordinates"]]
    if geom["type"] == "MultiLineString":
        return list(geom["coordinates"])
    raise ValueError(geom["type"])


def geom_length(geom):
    return sum(line_length(c) for c in lines_of(geom))


class Local:
    """Equirectangular plane in metres around (lon0, lat0); affine in lon/lat."""

    def __init__(self, lon0, lat0):
        phi = math.radians(lat0)
        e2 = F * (2 - F)
        w = math.sqrt(1 - e2 * math.sin(phi) ** 2)
        n = A / w                       # prime vertical radius
        m = A * (1 - e2) / w ** 3       # meridian radius
        self.lon0, self.lat0 = lon0, lat0
        self.kx = n * math.cos(phi) * math.pi / 180  # metres per degree of longitude
        self.ky = m * math.pi / 180                  # metres per degree of latitude

    def fwd(self, lon, lat):
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def inv(self, x, y):
        return (self.lon0 + x / self.kx, self.lat0 + y / self.ky)


# ---------------------------------------------------------------- planar helpers

def point_in_ring(x, y, ring):
    inside = False
    n = len(ring)
    for i in range(n - 1):
        x1, y1 = ring[i]
        x2, y2 = ring[i + 1]
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if xi > x:
                inside = not inside
    return inside


def point_in_polygon(x, y, rings):
    """rings: [outer, hole, ...] in the same plane as (x, y)."""
    if not point_in_ring(x, y, rings[0]):
        return False
    return not any(point_in_ring(x, y, h) for h in rings[1:])


def point_in_multipolygon(x, y, polys):
    return any(point_in_polygon(x, y, p) for p in polys)


def dist_point_seg(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    L2 = dx * dx + dy * dy
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / L2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def seg_intersection_params(ax, ay, bx, by, cx, cy, dx, dy):
    """Parameters t on AB where AB meets CD (0, 1 or 2 values when collinear)."""
    rx, ry = bx - ax, by - ay
    sx, sy = dx - cx, dy - cy
    den = rx * sy - ry * sx
    qx, qy = cx - ax, cy - ay
    if abs(den) < 1e-12 * (abs(rx) + abs(ry) + 1e-30) * (abs(sx) + abs(sy) + 1e-30):
        # parallel: if collinear, the overlap ends are split points
        if abs(qx * ry - qy * rx) > 1e-9 * (abs(rx) + abs(ry)) ** 2:
            return []
        L2 = rx * rx + ry * ry
        if L2 == 0:
            return []
        out = []
        for px, py in ((cx, cy), (dx, dy)):
            t = ((px - ax) * rx + (py - ay) * ry) / L2
            if 0 < t < 1:
                out.append(t)
        return out
    t = (qx * sy - qy * sx) / den
    u = (qx * ry - qy * rx) / den
    if -1e-12 <= t <= 1 + 1e-12 and -1e-12 <= u <= 1 + 1e-12:
        return [min(1.0, max(0.0, t))]
    return []


def _on_boundary(x, y, rings, tol):
    for ring in rings:
        for i in range(len(ring) - 1):
            if dist_point_seg(x, y, ring[i][0], ring[i][1], ring[i + 1][0], ring[i + 1][1]) <= tol:
                return True
    return False


def clip_lengths(coords, areas, local, tol=1e-3):
    """Split a lon/lat polyline by a list of areas and measure each piece geodesically.

    areas: list of (key, polys) where polys is a MultiPolygon's coordinates in lon/lat.
    Returns ({key: metres}, unassigned_metres, on_boundary_metres). A piece lying on an
    edge shared by two areas is given to the first area (in list order) that holds it.
    """
    pl = [[[[local.fwd(*p) for p in ring] for ring in poly] for poly in polys]
          for _, polys in areas]
    out = {k: 0.0 for k, _ in areas}
    unassigned = 0.0
    on_edge = 0.0
    pts = [local.fwd(*p) for p in coords]
    for i in range(len(coords) - 1):
        (ax, ay), (bx, by) = pts[i], pts[i + 1]
        ts = {0.0, 1.0}
        minx, maxx = min(ax, bx), max(ax, bx)
        miny, maxy = min(ay, by), max(ay, by)
        for polys in pl:
            for poly in polys:
                for ring in poly:
                    for j in range(len(ring) - 1):
                        (cx, cy), (dx, dy) = ring[j], ring[j + 1]
                        if max(cx, dx) < minx - tol or min(cx, dx) > maxx + tol \
                                or max(cy, dy) < miny - tol or min(cy, dy) > maxy + tol:
                            continue
                        ts.update(seg_intersection_params(ax, ay, bx, by, cx, cy, dx, dy))
        ts = sorted(ts)
        (lo1, la1), (lo2, la2) = coords[i], coords[i + 1]
        for t0, t1 in zip(ts, ts[1:]):
            if t1 - t0 < 1e-12:
                continue
            tm = (t0 + t1) / 2
            mx, my = ax + tm * (bx - ax), ay + tm * (by - ay)
            d = inverse(lo1 + t0 * (lo2 - lo1), la1 + t0 * (la2 - la1),
                        lo1 + t1 * (lo2 - lo1), la1 + t1 * (la2 - la1))
            hit = None
            for (key, _), polys in zip(areas, pl):
                if any(_on_boundary(mx, my, poly, tol) for poly in polys):
                    hit = key
                    on_edge += d
                    break
            if hit is None:
                for (key, _), polys in zip(areas, pl):
                    if point_in_multipolygon(mx, my, polys):
                        hit = key
                        break
            if hit is None:
                unassigned += d
            else:
                out[hit] += d
    return out, unassigned, on_edge


def _line_capsule_interval(ax, ay, bx, by, cx, cy, dx, dy, r):
    """Interval [t0, t1] (or None) of the points A + t(B-A), t in [0,1], within r of CD."""
    ex, ey = dx - cx, dy - cy
    L = math.hypot(ex, ey)
    lo, hi = math.inf, -math.inf

    def disk(ox, oy):
        nonlocal lo, hi
        fx, fy = ax - ox, ay - oy
        vx, vy = bx - ax, by - ay
        a = vx * vx + vy * vy
        b = 2 * (fx * vx + fy * vy)
        c = fx * fx + fy * fy - r * r
        if a == 0:
            if c <= 0:
                lo, hi = min(lo, 0.0), max(hi, 1.0)
            return
        disc = b * b - 4 * a * c
        if disc < 0:
            return
        s = math.sqrt(disc)
        lo, hi = min(lo, (-b - s) / (2 * a)), max(hi, (-b + s) / (2 * a))

    disk(cx, cy)
    disk(dx, dy)
    if L > 0:
        ux, uy = ex / L, ey / L
        # A and B in the frame of CD: u along, v across
        au, av = (ax - cx) * ux + (ay - cy) * uy, -(ax - cx) * uy + (ay - cy) * ux
        bu, bv = (bx - cx) * ux + (by - cy) * uy, -(bx - cx) * uy + (by - cy) * ux
        t0, t1 = -math.inf, math.inf
        ok = True
        for p0, dp, mn, mx in ((au, bu - au, 0.0, L), (av, bv - av, -r, r)):
            if dp == 0:
                if p0 < mn or p0 > mx:
                    ok = False
            else:
                ta, tb = (mn - p0) / dp, (mx - p0) / dp
                if ta > tb:
                    ta, tb = tb, ta
                t0, t1 = max(t0, ta), min(t1, tb)
        if ok and t0 <= t1:
            lo, hi = min(lo, t0), max(hi, t1)
    lo, hi = max(lo, 0.0), min(hi, 1.0)
    if lo >= hi:
        return None
    return (lo, hi)


class NearIndex:
    """Segments of some lines (lon/lat) in the local plane, bucketed on a grid."""

    def __init__(self, lines, local, r, cell=200.0):
        self.local, self.r, self.cell = local, r, cell
        self.grid = {}
        for coords in lines:
            pts = [local.fwd(*p) for p in coords]
            for (cx, cy), (dx, dy) in zip(pts, pts[1:]):
                for key in self._keys(min(cx, dx) - r, min(cy, dy) - r,
                                      max(cx, dx) + r, max(cy, dy) + r):
                    self.grid.setdefault(key, []).append((cx, cy, dx, dy))

    def _keys(self, x0, y0, x1, y1):
        c = self.cell
        for i in range(math.floor(x0 / c), math.floor(x1 / c) + 1):
            for j in range(math.floor(y0 / c), math.floor(y1 / c) + 1):
                yield (i, j)

    def length_near(self, coords):
        """Geodesic length of a lon/lat polyline within r of the indexed lines."""
        total = 0.0
        pts = [self.local.fwd(*p) for p in coords]
        for i in range(len(pts) - 1):
            (ax, ay), (bx, by) = pts[i], pts[i + 1]
            segs = set()
            for key in self._keys(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)):
                segs.update(self.grid.get(key, ()))
            ivs = []
            for s in segs:
                iv = _line_capsule_interval(ax, ay, bx, by, *s, self.r)
                if iv:
                    ivs.append(iv)
            if not ivs:
                continue
            ivs.sort()
            merged = [list(ivs[0])]
            for a, b in ivs[1:]:
                if a <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], b)
                else:
                    merged.append([a, b])
            (lo1, la1), (lo2, la2) = coords[i], coords[i + 1]
            for t0, t1 in merged:
                total += inverse(lo1 + t0 * (lo2 - lo1), la1 + t0 * (la2 - la1),
                                 lo1 + t1 * (lo2 - lo1), la1 + t1 * (la2 - la1))
        return total
