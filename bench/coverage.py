#!/usr/bin/env python3
"""Helpers of bench/coverage.sh: write the psql scripts, parse psql/wrk output, report.

    coverage.py edits-sql KIND WARMUP ID...   > script.sql   (KIND: geom, surface, light)
    coverage.py parse-edits OUT.json           < psql output
    coverage.py request-sql COMMUNE AS_OF RUNS > script.sql
    coverage.py parse-request OUT.json         < psql output
    coverage.py check OUT.json                 < psql output of the check query
    coverage.py wrk OUT.json                   < wrk output
    coverage.py report OUT_DIR OUT.md
"""
import json
import re
import statistics
import sys

# One transaction per run; \timing prints one "Time:" line per statement (BEGIN, the
# measured statement, COMMIT). EXPLAIN ANALYZE runs the statement for real (the AFTER
# triggers fire at the end of the statement, inside the measured time) and reports the
# time spent in each trigger.
EDITS = {
    # The geometry moves: coverage_on_road recomputes the road's pieces.
    "geom": "UPDATE road SET geom = ST_Translate(geom, 0.00001, 0) WHERE id = {id}",
    # An attribute read at request time: no trigger recomputes anything.
    "surface": "UPDATE road SET surface = CASE WHEN surface = 'concrete' THEN 'asphalt' ELSE 'concrete' END"
               " WHERE id = {id}",
    # A new lighting line 2 m north of a road: coverage_on_lighting_line computes its zone and
    # pieces, then recomputes the pieces of every road of the commune within lit_buffer_m.
    "light": "INSERT INTO lighting_line (commune_code, name, done_on, lamps, power, geom)"
             " SELECT commune_code, 'bench ' || id, DATE '2020-06-01', 6, 'grid', ST_Translate(geom, 0, 0.00002)"
             " FROM road WHERE id = {id}",
}


def edits_sql(kind, warmup, *ids):
    warmup = int(warmup)
    out = ["\\timing on"]
    for n, road in enumerate(ids):
        label = "warm" if n < warmup else "run"
        out += [f"\\echo @@ {label} {kind} {road}", "BEGIN;",
                "EXPLAIN (ANALYZE, FORMAT JSON) " + EDITS[kind].format(id=int(road)) + ";", "COMMIT;"]
    print("\n".join(out))


TIME = re.compile(r"^Time: ([0-9.]+) ms")


def blocks(text):
    """Splits psql output at `@@ ...` markers: yields (marker words, lines)."""
    head, lines = None, []
    for line in text.splitlines():
        if line.startswith("@@ "):
            if head is not None:
                yield head, lines
            head, lines = line[3:].split(), []
        elif head is not None:
            lines.append(line)
    if head is not None:
        yield head, lines


def parse_edits(out_path):
    runs = []
    for head, lines in blocks(sys.stdin.read()):
        label, kind, road = head
        times = [float(m.group(1)) for m in map(TIME.match, lines) if m]
        if len(times) != 3:
            sys.exit(f"run {head}: expected 3 Time lines (BEGIN, statement, COMMIT), got {len(times)}")
        plan_text = "\n".join(l for l in lines if not TIME.match(l))
        plan = json.loads(plan_text)[0]
        triggers = {t["Trigger Name"]: {"ms": t["Time"], "calls": t["Calls"]} for t in plan.get("Triggers", [])}
        runs.append({"label": label, "kind": kind, "road": int(road), "begin_ms": times[0],
                     "statement_ms": times[1], "commit_ms": times[2],
                     "planning_ms": plan["Planning Time"], "execution_ms": plan["Execution Time"],
                     "triggers": triggers, "rows": plan["Plan"]["Plans"][0].get("Actual Rows")
                     if plan["Plan"].get("Plans") else plan["Plan"].get("Actual Rows")})
    with open(out_path, "w") as f:
        json.dump({"runs": runs}, f, indent=2)
    for kind in sorted({r["kind"] for r in runs}):
        s = summary([r for r in runs if r["kind"] == kind and r["label"] == "run"])
        print(f"{kind}: {s['n']} runs, statement median {s['statement_ms']['median']:.1f} ms, "
              f"max {s['statement_ms']['max']:.1f} ms; commit median {s['commit_ms']['median']:.1f} ms")


def stats(values):
    return {"median": statistics.median(values), "max": max(values), "min": min(values),
            "mean": statistics.mean(values)} if values else None


def summary(runs):
    trig = {}
    for r in runs:
        for name, t in r["triggers"].items():
            trig.setdefault(name, []).append(t["ms"])
    return {"n": len(runs),
            "statement_ms": stats([r["statement_ms"] for r in runs]),
            "execution_ms": stats([r["execution_ms"] for r in runs]),
            "commit_ms": stats([r["commit_ms"] for r in runs]),
            "with_commit_ms": stats([r["statement_ms"] + r["commit_ms"] for r in runs]),
            "triggers": {n: stats(v) for n, v in trig.items()}}


# The statements of one GET /api/coverage?commune=..&as_of=.., in the order the server runs
# them (src/http/coverage.rs tag, src/coverage/report.rs report), copied from
# src/store/{revision,coverage}.rs. Prepared once, like sqlx does per connection.
REQUEST = [
    ("revisions", "(text[])", "SELECT string_agg(table_name || ':' || revision, ',' ORDER BY table_name)"
     " FROM layer_revision WHERE table_name = ANY($1)",
     "ARRAY['commune','residential_group','road','flower_route','lighting_line','model_site','commune_setting']"),
    ("commune", "(text)", "SELECT code, name, kind, province FROM commune WHERE code = $1", "{c}"),
    ("groups", "(text)", "SELECT id, code, name, kind, households, population FROM residential_group"
     " WHERE commune_code = $1 ORDER BY code, id", "{c}"),
    ("settings", "(text)", "SELECT counted_classes, lit_buffer_m, targets FROM commune_setting WHERE commune_code = $1",
     "{c}"),
    ("tallies_roads", "(text, date[])", """SELECT d.as_of, p.group_id, r.class,
        coalesce(sum(p.length_m) FILTER (WHERE exists_then), 0) AS road_m,
        coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface = 'concrete'), 0) AS concrete_m,
        coalesce(sum(p.length_m) FILTER (WHERE exists_then AND s.surface IN ('concrete', 'asphalt', 'paving')), 0)
            AS hardened_m,
        coalesce(sum(p.length_m) FILTER (WHERE exists_then AND p.lit AND (p.lit_since IS NULL OR p.lit_since <= d.as_of)), 0)
            AS lit_m,
        coalesce(sum(p.share * r.people_vnd) FILTER (WHERE paid_then), 0) AS people_vnd,
        coalesce(sum(p.share * r.state_vnd) FILTER (WHERE paid_then), 0) AS state_vnd,
        coalesce(sum(p.share * r.workdays) FILTER (WHERE paid_then), 0)::float8 AS workdays
   FROM unnest($2::date[]) AS d (as_of)
   JOIN coverage_road_piece p ON p.commune_code = $1
   JOIN road r ON r.id = p.road_id AND r.status = 'existing'
   CROSS JOIN LATERAL (SELECT r.done_on IS NULL OR r.done_on <= d.as_of AS exists_then,
                              coalesce(r.paved_on, r.done_on) IS NULL
                              OR coalesce(r.paved_on, r.done_on) <= d.as_of AS paid_then,
                              CASE WHEN r.paved_on > d.as_of THEN coalesce(r.surface_before, 'earth')
                                   ELSE r.surface END AS surface) AS s
  WHERE s.exists_then OR s.paid_then
  GROUP BY d.as_of, p.group_id, r.class""", "{c}, {d}"),
]
for _layer, _table in (("flower_routes", "flower_route"), ("lighting_lines", "lighting_line")):
    REQUEST.append((f"tallies_{_layer}", "(text, date[])", f"""SELECT d.as_of, p.group_id, sum(p.length_m),
            coalesce(sum(p.share * w.people_vnd), 0), coalesce(sum(p.share * w.state_vnd), 0),
            coalesce(sum(p.share * w.workdays), 0)::float8
       FROM unnest($2::date[]) AS d (as_of)
       JOIN coverage_line_piece p ON p.commune_code = $1 AND p.layer = '{_layer}'
       JOIN {_table} w ON w.id = p.work_id AND w.status = 'existing'
                     AND (w.done_on IS NULL OR w.done_on <= d.as_of)
      GROUP BY d.as_of, p.group_id""", "{c}, {d}"))
REQUEST += [
    ("tallies_sites", "(text, date[])", """SELECT d.as_of, s.group_id, m.field, m.recognition, count(*) AS sites,
        coalesce(sum(m.people_vnd), 0)::float8 AS people_vnd, coalesce(sum(m.state_vnd), 0)::float8 AS state_vnd,
        coalesce(sum(m.workdays), 0)::float8 AS workdays
   FROM unnest($2::date[]) AS d (as_of)
   JOIN coverage_site s ON s.commune_code = $1
   JOIN model_site m ON m.id = s.site_id AND m.status = 'existing'
  WHERE coalesce(m.done_on, make_date(m.year, 1, 1)) IS NULL
     OR coalesce(m.done_on, make_date(m.year, 1, 1)) <= d.as_of
  GROUP BY d.as_of, s.group_id, m.field, m.recognition""", "{c}, {d}"),
    ("quality", "(text)", "SELECT overlapping, gap_m2, outside_m2 FROM coverage_quality WHERE commune_code = $1",
     "{c}"),
]


def request_sql(commune, as_of, runs):
    c, d = f"'{commune}'", f"ARRAY[DATE '{as_of}']"
    out = ["SET jit = off;"]  # as the server's pool does (src/db/mod.rs)
    out += [f"PREPARE {name} {types} AS {sql};" for name, types, sql, _ in REQUEST]
    out += ["\\o /dev/null", "\\timing on"]
    for n in range(int(runs)):
        for name, _, _, args in REQUEST:
            out += [f"\\echo @@ {name} {n}", f"EXECUTE {name}({args.format(c=c, d=d)});"]
    print("\n".join(out))


def parse_request(out_path):
    times = {}
    for head, lines in blocks(sys.stdin.read()):
        t = [float(m.group(1)) for m in map(TIME.match, lines) if m]
        if len(t) != 1:
            sys.exit(f"{head}: expected one Time line, got {len(t)}")
        times.setdefault(head[0], []).append(t[0])
    # The first round plans every statement and warms the caches: left out.
    doc = {"queries": {n: {"times_ms": v, **stats(v[1:])} for n, v in times.items()}}
    doc["sum_of_medians_ms"] = sum(q["median"] for q in doc["queries"].values())
    doc["tallies_sum_of_medians_ms"] = sum(q["median"] for n, q in doc["queries"].items() if n.startswith("tallies"))
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2)
    print(", ".join(f"{n} {q['median']:.2f}" for n, q in doc["queries"].items()) +
          f" ms (medians); all {doc['sum_of_medians_ms']:.2f} ms, tallies {doc['tallies_sum_of_medians_ms']:.2f} ms")


def check(out_path):
    rows = json.loads(sys.stdin.read())
    problems = []
    for r in rows:
        r["piece_vs_road"] = r["piece_m"] / r["road_m"] - 1
        r["stored_vs_fresh"] = r["piece_m"] / r["fresh_m"] - 1
        r["lit_stored_vs_fresh"] = (r["lit_m"] or 0) / r["fresh_lit_m"] - 1 if r["fresh_lit_m"] else 0
        if abs(r["piece_vs_road"]) > 1e-4:
            problems.append(f"{r['commune']}: pieces {r['piece_m']:.3f} m vs roads {r['road_m']:.3f} m "
                            f"({r['piece_vs_road']:+.5%})")
        if abs(r["stored_vs_fresh"]) > 1e-9 or abs(r["lit_stored_vs_fresh"]) > 1e-9 \
                or r["pieces"] != r["fresh_pieces"]:
            problems.append(f"{r['commune']}: stored pieces differ from a fresh computation: "
                            f"{r['pieces']} vs {r['fresh_pieces']} pieces, length {r['stored_vs_fresh']:+.3e}, "
                            f"lit {r['lit_stored_vs_fresh']:+.3e}")
    worst = max(rows, key=lambda r: abs(r["piece_vs_road"]))
    doc = {"communes": rows, "problems": problems, "ok": not problems,
           "worst_piece_vs_road": worst["piece_vs_road"], "worst_commune": worst["commune"],
           "worst_stored_vs_fresh": max(abs(r["stored_vs_fresh"]) for r in rows),
           "worst_lit_stored_vs_fresh": max(abs(r["lit_stored_vs_fresh"]) for r in rows)}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2)
    print(f"{len(rows)} touched communes: worst sum(length_m) vs sum(ST_Length) {doc['worst_piece_vs_road']:+.6%} "
          f"({doc['worst_commune']}); stored vs fresh pieces: length {doc['worst_stored_vs_fresh']:.1e}, "
          f"lit {doc['worst_lit_stored_vs_fresh']:.1e}")
    if problems:
        print("COVERAGE CHECK FAILED:", *problems, sep="\n", file=sys.stderr)


def wrk(out_path):
    text = sys.stdin.read()
    line = next((l for l in text.splitlines() if l.startswith("JSON ")), None)
    if line is None:
        sys.exit("no JSON line in the wrk output:\n" + text)
    doc = json.loads(line[5:])
    doc["raw"] = text
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2)
    print(f"{doc['rps']:.1f} requests/s, p50 {doc['p50_us'] / 1000:.1f} ms, p90 {doc['p90_us'] / 1000:.1f} ms, "
          f"p99 {doc['p99_us'] / 1000:.1f} ms; non-2xx {doc['non2xx']}, socket errors "
          f"{doc['connect_errors'] + doc['read_errors'] + doc['write_errors'] + doc['timeouts']}")


def report(out_dir, out_md):
    def load(name):
        with open(f"{out_dir}/{name}") as f:
            return json.load(f)

    st = load("coverage-state.json")
    rebuilds = st["rebuilds_s"]
    med_rebuild = statistics.median(rebuilds)
    communes = st["rebuild_communes"]
    edits = load("coverage-edits.json")["runs"]
    by_kind = {k: summary([r for r in edits if r["kind"] == k and r["label"] == "run"])
               for k in ("geom", "surface", "light")}
    cold = next(r for r in edits if r["kind"] == "geom" and r["label"] == "warm")
    chk = load("coverage-check.json")
    one, many = load("coverage-wrk-one.json"), load("coverage-wrk-many.json")
    cached = load("coverage-wrk-cached.json")
    hf = load("coverage-curl.json")["results"][0]
    sql = load("coverage-sql.json")

    def secs(s):
        return "n/a (SKIP_LOAD)" if s is None else f"{s:.1f} s"

    def ms(us):
        return f"{us / 1000:.1f} ms"

    def mm(s, key="statement_ms"):
        return f"{s[key]['median']:.1f} ms / {s[key]['max']:.1f} ms"

    g = by_kind["geom"]
    rows = [
        "| What | Measured |",
        "|---|---:|",
        f"| Load: `kheo demo --synthetic province --communes {st['communes']}` (insert, coverage deferred) "
        f"| {secs(st['load_insert_s'])} |",
        f"| ... then its parallel coverage rebuild of the {st['communes']} communes | {secs(st['load_rebuild_s'])} |",
        f"| **`kheo coverage rebuild`** ({communes} communes, {st['jobs']} jobs), {len(rebuilds)} runs "
        f"| {', '.join(f'{t:.1f}' for t in rebuilds)} s |",
        f"| **rebuild, median** | **{med_rebuild:.1f} s** ({med_rebuild / communes * 1000:.0f} ms per commune, "
        f"{med_rebuild / communes * 1000 * st['jobs']:.0f} ms of one core) |",
        f"| **one-road geometry update** (`UPDATE road SET geom = ST_Translate(..)`), statement median / max, "
        f"{g['n']} roads | **{mm(g)}** |",
        f"| ... of which trigger `coverage_on_road`, median / max "
        f"| {mm(g['triggers'], 'coverage_on_road') if 'coverage_on_road' in g['triggers'] else 'n/a'} |",
        f"| ... COMMIT after it, median / max | {mm(g, 'commit_ms')} |",
        f"| ... the first geometry update of a fresh psql session (warm-up, not counted above) "
        f"| {cold['statement_ms']:.1f} ms (trigger {cold['triggers'].get('coverage_on_road', {}).get('ms', 0):.1f} ms) |",
        f"| one-road surface update (no recomputation), statement median / max | {mm(by_kind['surface'])} |",
        f"| new lighting line beside a road (recomputes the roads near it), statement median / max "
        f"| {mm(by_kind['light'])} |",
        f"| ... of which trigger `coverage_on_lighting_line`, median / max "
        f"| {mm(by_kind['light']['triggers'], 'coverage_on_lighting_line') if 'coverage_on_lighting_line' in by_kind['light']['triggers'] else 'n/a'} |",
        f"| check after the edits, {len(chk['communes'])} touched communes: sum(`length_m`) vs "
        f"sum(`ST_Length(geom::geography)`), worst | {chk['worst_piece_vs_road']:+.5%} "
        f"({'ok' if abs(chk['worst_piece_vs_road']) <= 1e-4 else 'OVER 0.01 %'}) |",
        f"| ... stored pieces vs recomputed from scratch (length, lit length), worst relative difference "
        f"| {chk['worst_stored_vs_fresh']:.1e}, {chk['worst_lit_stored_vs_fresh']:.1e} |",
        f"| **`GET /api/coverage?commune=S00042&as_of=2024-01-01`**, wrk -t2 -c50 -d{st['wrk_duration']}: "
        f"requests/s | {one['rps']:.0f} |",
        f"| ... p50 / p90 / p99 | **{ms(one['p50_us'])}** / {ms(one['p90_us'])} / {ms(one['p99_us'])} |",
        f"| same, round robin over S00000..S{many['communes'] - 1:05d}: requests/s | {many['rps']:.0f} |",
        f"| ... p50 / p90 / p99 | **{ms(many['p50_us'])}** / {ms(many['p90_us'])} / {ms(many['p99_us'])} |",
        f"| same round robin with the answer cache on (kheo's default): requests/s | {cached['rps']:.0f} |",
        f"| ... p50 / p90 / p99 | **{ms(cached['p50_us'])}** / {ms(cached['p90_us'])} / {ms(cached['p99_us'])} |",
        f"| one request at a time (`curl`, hyperfine, {len(hf['times'])} runs): median (mean ± sd) "
        f"| {hf['median'] * 1000:.1f} ms ({hf['mean'] * 1000:.1f} ± {(hf['stddev'] or 0) * 1000:.1f} ms) |",
        f"| the request's {len(sql['queries'])} SQL statements by hand (psql, prepared, `\\timing`), "
        f"sum of medians | {sql['sum_of_medians_ms']:.1f} ms |",
        f"| ... of which the 4 `tallies` sums (roads {sql['queries']['tallies_roads']['median']:.1f} ms) "
        f"| {sql['tallies_sum_of_medians_ms']:.1f} ms |",
    ]
    errors = sum(d[k] for d in (one, many, cached) for k in ("non2xx", "connect_errors", "read_errors", "write_errors",
                                                    "timeouts"))
    p50 = max(one["p50_us"], many["p50_us"]) / 1000
    targets = [
        f"- Rebuild under 60 s: median {med_rebuild:.1f} s -> **{'met' if med_rebuild < 60 else 'MISSED'}**.",
        f"- One-road update under 100 ms: median {g['statement_ms']['median']:.1f} ms, max "
        f"{g['statement_ms']['max']:.1f} ms (statement with its trigger) -> "
        f"**{'met' if g['statement_ms']['max'] < 100 else ('met at the median, not at the max' if g['statement_ms']['median'] < 100 else 'MISSED')}**.",
        f"- Coverage request p50 under 20 ms (wrk, 50 connections): computed every time, {ms(one['p50_us'])} on "
        f"one commune and {ms(many['p50_us'])} round robin -> **{'met' if p50 < 20 else 'MISSED'}**; with the "
        f"answer cache (the default), {ms(cached['p50_us'])} round robin -> "
        f"**{'met' if cached['p50_us'] / 1000 < 20 else 'MISSED'}**.",
    ]
    lines = [
        f"Synthetic province of {st['communes']} communes ({st['made']}).",
        "",
        *rows,
        "",
        *targets,
        "",
        f"wrk errors (non-2xx, socket): {errors}. The coverage endpoint sends an ETag but wrk sends no "
        "If-None-Match, so no request is a 304; the first two wrk runs use KHEO_CACHE_ENTRIES=0, so "
        "every request is computed in full.",
        f"Coverage check: {'ok' if chk['ok'] else 'FAILED: ' + '; '.join(chk['problems'])}.",
        "",
        "Machine: " + st["machine"],
    ]
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"edits-sql": edits_sql, "parse-edits": parse_edits, "request-sql": request_sql,
     "parse-request": parse_request, "check": check, "wrk": wrk, "report": report}[cmd](*args)
