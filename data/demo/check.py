#!/usr/bin/env python3
"""Check the kheo demo data and print the figures it reproduces (standard library only).

    python3 data/demo/check.py

Lengths are geodesic on the WGS 84 ellipsoid (geodesy.inverse, Vincenty), as PostGIS
measures `geography`. Per-group figures clip every line to the group polygons; a piece
lying on a shared group edge is counted once (for the first group holding it). "Lit" is
the counted road length within 15 m of an existing lighting line (planar buffer in a local
metric plane, what ST_DWithin on geography gives to well under a metre here).
Exits non-zero when a structural rule is broken (schema, tiling, dates, enum values).
"""

import json
import os
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep data/demo free of __pycache__
sys.path.insert(0, HERE)
import geodesy as G  # noqa: E402

LOC = G.Local(105.70, 19.25)
LIT_BUFFER = 15.0
LAST_DAY = "2025-12-31"

WORK_KEYS = ["commune", "name", "status", "done_on", "people_vnd", "state_vnd", "workdays",
             "organisation", "note"]
EXTRA = {
    "roads": ["class", "surface", "surface_before", "width_m", "paved_on"],
    "flower_routes": ["species", "trees", "caretaker"],
    "lighting_lines": ["lamps", "power"],
    "model_sites": ["field", "recognition", "year", "description"],
}
ENUMS = {
    "status": {"existing", "under_construction", "planned"},
    "organisation": {None, "MTTQ", "Hội Phụ nữ", "Đoàn Thanh niên", "Hội Cựu chiến binh",
                     "Hội Nông dân", "Liên đoàn Lao động", "Hội Khuyến học", "UBND phường"},
    "class": {"national", "provincial", "commune", "hamlet_axis", "inter_hamlet", "alley",
              "field"},
    "surface": {"concrete", "asphalt", "paving", "gravel", "earth"},
    "surface_before": {None, "earth", "gravel"},
    "power": {"grid", "solar"},
    "field": {"economy", "culture_society", "defence_security", "political_system"},
    "recognition": {"registered", "commune", "district", "province"},
}

problems = []


def problem(msg):
    problems.append(msg)


def load(name):
    with open(os.path.join(HERE, name + ".geojson"), encoding="utf-8") as fh:
        fc = json.load(fh)
    assert fc["type"] == "FeatureCollection"
    return fc["features"]


def km(m):
    return f"{m / 1000:8.3f} km"


def vn_money(v):
    return f"{v:,}".replace(",", ".") + " ₫"


def main():
    communes = load("communes")
    groups = load("groups")
    layers = {n: load(n) for n in EXTRA}

    # ------------------------------------------------------------ schema and values
    for n, feats in layers.items():
        keys = WORK_KEYS + EXTRA[n]
        ids = [f["id"] for f in feats]
        if len(set(ids)) != len(ids) or not all(isinstance(i, int) for i in ids):
            problem(f"{n}: ids must be unique integers")
        for f in feats:
            p = f["properties"]
            if sorted(p) != sorted(keys):
                problem(f"{n} {f['id']}: keys {sorted(set(p) ^ set(keys))}")
            for k, allowed in ENUMS.items():
                if k in p and p[k] not in allowed:
                    problem(f"{n} {f['id']}: {k}={p[k]!r}")
            for k in ("done_on", "paved_on"):
                d = p.get(k)
                if d is not None and not (len(d) == 10 and "1990-01-01" <= d <= LAST_DAY):
                    problem(f"{n} {f['id']}: {k}={d}")
            if p["status"] != "existing" and (p.get("done_on") or p.get("paved_on")):
                problem(f"{n} {f['id']}: {p['status']} work with a date")
            if n == "roads" and p["status"] != "existing" and p["surface"] == "concrete":
                problem(f"roads {f['id']}: planned concrete road")
    c = communes[0]
    if c["id"] != "17131" or c["properties"] != {"code": "17131", "name": "Phường Quỳnh Xuân",
                                                   "kind": "phuong", "province": "Nghệ An"}:
        problem("commune properties")

    # ------------------------------------------------------------ tiling
    crings = c["geometry"]["coordinates"]
    cedges = Counter()
    for poly in crings:
        r = poly[0]
        cedges.update((tuple(a), tuple(b)) for a, b in zip(r, r[1:]))
    gedges = Counter()
    for g in groups:
        for poly in g["geometry"]["coordinates"]:
            r = poly[0]
            gedges.update((tuple(a), tuple(b)) for a, b in zip(r, r[1:]))
    shared = 0
    for (a, b), k in gedges.items():
        if k != 1:
            problem(f"group edge used {k} times in one direction")
        if (b, a) in gedges:
            shared += 1
        elif (a, b) not in cedges:
            problem(f"group edge {a}-{b} neither shared nor on the commune boundary")
    for e in cedges:
        if e not in gedges:
            problem(f"commune edge {e} not on a group")

    def area(ring):
        pts = [LOC.fwd(*p) for p in ring]
        return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(pts, pts[1:])) / 2

    carea = sum(area(p[0]) for p in crings)
    garea = sum(area(p[0]) for g in groups for p in g["geometry"]["coordinates"])
    if abs(carea - garea) > 1e-6 * carea:
        problem(f"group areas {garea:.0f} != commune area {carea:.0f}")

    areas = [(g["id"], g["geometry"]["coordinates"]) for g in groups]
    gname = {g["id"]: g["properties"]["code"] for g in groups}

    # ------------------------------------------------------------ roads
    roads = layers["roads"]

    def counted(p):
        return p["class"] not in ("national", "provincial") and p["status"] == "existing"

    total = conc = hard = 0.0
    per_g = defaultdict(lambda: defaultdict(float))
    unassigned = on_edge = 0.0
    by_surface = Counter()
    by_class = Counter()
    ql_groups = set()
    crossing = 0
    for f in roads:
        p = f["properties"]
        L = G.geom_length(f["geometry"])
        if p["class"] == "national":
            for line in G.lines_of(f["geometry"]):
                res, _, _ = G.clip_lengths(line, areas, LOC)
                ql_groups.update(k for k, m in res.items() if m > 1.0)
            ql_len = L
        if not counted(p):
            continue
        total += L
        by_surface[p["surface"]] += L
        by_class[p["class"]] += L
        if p["surface"] == "concrete":
            conc += L
        if p["surface"] in ("concrete", "asphalt", "paving"):
            hard += L
        touched = set()
        for line in G.lines_of(f["geometry"]):
            res, un, edge = G.clip_lengths(line, areas, LOC)
            unassigned += un
            on_edge += edge
            for g, m in res.items():
                if m > 0:
                    touched.add(g)
                    per_g[g]["road"] += m
                    if p["surface"] == "concrete":
                        per_g[g]["conc"] += m
                    if p["surface"] in ("concrete", "asphalt", "paving"):
                        per_g[g]["hard"] += m
        if len([g for g in touched if True]) > 1:
            crossing += 1

    # lit: counted road length within 15 m of an existing lighting line
    lights = layers["lighting_lines"]
    lit_lines = [line for f in lights if f["properties"]["status"] == "existing"
                 for line in G.lines_of(f["geometry"])]
    ix = G.NearIndex(lit_lines, LOC, LIT_BUFFER)
    lit = 0.0
    for f in roads:
        p = f["properties"]
        if not counted(p):
            continue
        for line in G.lines_of(f["geometry"]):
            m = ix.length_near(line)
            lit += m
    light_len = sum(G.geom_length(f["geometry"]) for f in lights
                    if f["properties"]["status"] == "existing")
    # per group lit, by clipping the lit parts is heavy; approximate per group with the
    # lighting lines' own length clipped to groups
    for f in lights:
        if f["properties"]["status"] != "existing":
            continue
        for line in G.lines_of(f["geometry"]):
            res, _, _ = G.clip_lengths(line, areas, LOC)
            for g, m in res.items():
                per_g[g]["light"] += m

    flowers = layers["flower_routes"]
    for f in flowers:
        if f["properties"]["status"] != "existing":
            continue
        for line in G.lines_of(f["geometry"]):
            res, _, _ = G.clip_lengths(line, areas, LOC)
            for g, m in res.items():
                per_g[g]["flower"] += m

    sites = layers["model_sites"]
    site_group = Counter()
    for f in sites:
        x, y = LOC.fwd(*f["geometry"]["coordinates"])
        for gid, polys in areas:
            if G.point_in_multipolygon(x, y, [[[LOC.fwd(*q) for q in r] for r in poly]
                                             for poly in polys]):
                site_group[gid] += 1
                break
        else:
            problem(f"model site {f['id']} outside every group")

    # ------------------------------------------------------------ print
    print("kheo demo data: Phường Quỳnh Xuân (17131), Nghệ An")
    print()
    print("Counts")
    print(f"  communes {len(communes)}, groups {len(groups)} "
          f"(households {sum(g['properties']['households'] for g in groups)}, "
          f"population {sum(g['properties']['population'] for g in groups)})")
    for n, feats in layers.items():
        st = Counter(f["properties"]["status"] for f in feats)
        multi = sum(1 for f in feats if f["geometry"]["type"].startswith("Multi"))
        print(f"  {n:15s} {len(feats):4d}  " + ", ".join(f"{k} {v}" for k, v in sorted(st.items()))
              + (f"  ({multi} MultiLineString)" if multi else ""))
    print()
    print("Tiling")
    print(f"  commune area {carea / 1e6:.3f} km2, sum of group areas {garea / 1e6:.3f} km2, "
          f"{shared // 2} shared group edges, all edges matched: "
          f"{'yes' if not any('edge' in p for p in problems) else 'NO'}")
    print()
    print("Roads (counted: class not national/provincial, status existing)")
    print(f"  total counted length  {km(total)}   (target 50.8 km)")
    print(f"  concrete              {km(conc)}   {100 * conc / total:6.2f} %  "
          f"(ratio {conc / total:.4f}, target 0.807)")
    print(f"  hardened (conc/asph/paving) {km(hard)}   {100 * hard / total:6.2f} %")
    print("  by surface: " + ", ".join(f"{k} {v / 1000:.3f}" for k, v in by_surface.most_common())
          + " km")
    print("  by class:   " + ", ".join(f"{k} {v / 1000:.3f}" for k, v in by_class.most_common())
          + " km")
    print(f"  in groups {km(sum(v['road'] for v in per_g.values()))}, unassigned {unassigned:.1f} m, "
          f"lying on a group edge {on_edge:.1f} m (counted once), "
          f"roads crossing a group boundary {crossing}")
    print(f"  Quốc lộ 1A: {km(ql_len)}, crosses {len(ql_groups)} groups "
          f"({', '.join(gname[g] for g in sorted(ql_groups))})")
    print()
    print("Lighting")
    print(f"  counted road length within {LIT_BUFFER:.0f} m of a lighting line  {km(lit)}   "
          f"({100 * lit / total:.1f} % of counted roads; target ~33 km)")
    print(f"  length of existing lighting lines  {km(light_len)}, lamps "
          f"{sum(f['properties']['lamps'] for f in lights if f['properties']['status'] == 'existing')}, "
          f"solar lines {sum(1 for f in lights if f['properties']['power'] == 'solar')}")
    print()
    print("Per group (clipped)     road km  concrete km  concrete %  hardened %  lightline km  "
          "flower km  sites")
    for gid, _ in areas:
        v = per_g[gid]
        r = v["road"]
        pct = f"{100 * v['conc'] / r:9.1f}" if r else "     null"
        hp = f"{100 * v['hard'] / r:9.1f}" if r else "     null"
        print(f"  {gname[gid]} Tổ dân phố {gid:<3d}  {r / 1000:7.3f}  {v['conc'] / 1000:11.3f}  "
              f"{pct}   {hp}   {v['light'] / 1000:11.3f}  {v['flower'] / 1000:8.3f}  "
              f"{site_group[gid]:5d}")
    print()
    fl_len = sum(G.geom_length(f["geometry"]) for f in flowers)
    print("Flower routes")
    print(f"  {len(flowers)} sections, {km(fl_len)}, trees "
          f"{sum(f['properties']['trees'] for f in flowers)}")
    for f in flowers:
        p = f["properties"]
        if p["name"] in ("Đường hoa Xuân Liên",) or "đường cờ" in p["name"]:
            print(f"  {p['name']}: {G.geom_length(f['geometry']):.1f} m, {p['trees']} trees "
                  f"({p['species']}), people {vn_money(p['people_vnd'])}")
    print()
    print("Model sites")
    print("  by field: " + ", ".join(f"{k} {v}" for k, v in
                                     Counter(f["properties"]["field"] for f in sites).most_common()))
    print("  by recognition: " + ", ".join(
        f"{k} {v}" for k, v in Counter(f["properties"]["recognition"] for f in sites).most_common()))
    print(f"  groups with sites: {len(site_group)} of {len(groups)}")
    print()
    print("Contributions (all works)")
    people = state = 0
    wd = 0.0
    for n, feats in layers.items():
        pv = sum(f["properties"]["people_vnd"] or 0 for f in feats)
        sv = sum(f["properties"]["state_vnd"] or 0 for f in feats)
        w = sum(f["properties"]["workdays"] or 0 for f in feats)
        people += pv
        state += sv
        wd += w
        print(f"  {n:15s} people {vn_money(pv):>22s}  state {vn_money(sv):>22s}  workdays {w:8.0f}")
    print(f"  {'total':15s} people {vn_money(people):>22s}  state {vn_money(state):>22s}  "
          f"workdays {wd:8.0f}")

    def year_of(f):
        p = f["properties"]
        d = p.get("paved_on") or p.get("done_on")
        return d[:4] if d else None

    p22 = sum(f["properties"]["people_vnd"] or 0 for fs in layers.values() for f in fs
              if year_of(f) == "2022")
    w22 = sum(f["properties"]["workdays"] or 0 for fs in layers.values() for f in fs
              if year_of(f) == "2022")
    new22 = sum(G.geom_length(f["geometry"]) for f in roads
                if f["properties"]["done_on"] and f["properties"]["done_on"][:4] == "2022"
                and f["properties"]["surface"] == "concrete"
                and f["properties"]["surface_before"] is None)
    print(f"  in 2022 (paved_on, else done_on): people {vn_money(p22)}, workdays {w22:.0f}, "
          f"new concrete lanes {new22:.0f} m")
    years = Counter(f["properties"]["paved_on"][:4] for f in roads
                    if f["properties"]["paved_on"] and f["properties"]["surface"] == "concrete")
    print("  concrete roads by paved_on year: "
          + ", ".join(f"{y} {k}" for y, k in sorted(years.items())))
    print()
    if problems:
        print(f"PROBLEMS ({len(problems)}):")
        for p in problems[:50]:
            print("  " + p)
        sys.exit(1)
    print("structure: OK (schema, enum values, dates <= 2025-12-31, tiling)")


if __name__ == "__main__":
    main()
