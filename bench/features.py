#!/usr/bin/env python3
"""Helpers of bench/features.sh: check outputs, merge interleaved hyperfine rounds, report.

    features.py compare KHEO.json BASELINE.json EXPECTED_COUNT
    features.py merge OUT.json ROUND.json...
    features.py report STATE_DIR OUT.md
"""
import json
import statistics
import sys


def compare(kheo_path, baseline_path, expected):
    expected = int(expected)
    with open(kheo_path, "rb") as f:
        kheo = json.load(f)
    with open(baseline_path, "rb") as f:
        base = json.load(f)
    problems = []
    for name, doc in (("kheo", kheo), ("baseline", base)):
        if doc.get("type") != "FeatureCollection":
            problems.append(f"{name}: type is {doc.get('type')!r}, not FeatureCollection")
        n = len(doc.get("features") or [])
        if n != expected:
            problems.append(f"{name}: {n} features, expected {expected}")
    kf, bf = kheo.get("features") or [], base.get("features") or []
    if len(kf) != len(bf):
        problems.append(f"feature counts differ: kheo {len(kf)}, baseline {len(bf)}")
    if kf and bf:
        if kf[0] != bf[0]:
            problems.append(f"first features differ:\n  kheo     {kf[0]}\n  baseline {bf[0]}")
        if kf[-1] != bf[-1]:
            problems.append(f"last features differ:\n  kheo     {kf[-1]}\n  baseline {bf[-1]}")
    if not problems and kheo != base:
        # Not asked for, but cheap: every feature, not only the ends.
        diff = next(i for i, (a, b) in enumerate(zip(kf, bf)) if a != b)
        problems.append(f"feature {diff} differs:\n  kheo     {kf[diff]}\n  baseline {bf[diff]}")
    if problems:
        print("MISMATCH between kheo and the baseline:", *problems, sep="\n", file=sys.stderr)
        sys.exit(1)
    print(f"same FeatureCollection: {len(kf)} features, every feature equal (first id {kf[0].get('id')}, last id {kf[-1].get('id')})")


def merge(out_path, *round_paths):
    """Merges one-run-per-command hyperfine rounds into one hyperfine-shaped JSON."""
    times, user, system, codes = {}, {}, {}, {}
    order = []
    for path in round_paths:
        with open(path) as f:
            for r in json.load(f)["results"]:
                name = r["command"]
                if name not in times:
                    order.append(name)
                times.setdefault(name, []).extend(r["times"])
                user.setdefault(name, []).append(r["user"])
                system.setdefault(name, []).append(r["system"])
                codes.setdefault(name, []).extend(r.get("exit_codes", []))
    results = []
    for name in order:
        t = times[name]
        results.append({
            "command": name,
            "mean": statistics.mean(t),
            "stddev": statistics.stdev(t) if len(t) > 1 else None,
            "median": statistics.median(t),
            "user": statistics.mean(user[name]),
            "system": statistics.mean(system[name]),
            "min": min(t),
            "max": max(t),
            "times": t,
            "exit_codes": codes[name],
        })
    doc = {"results": results, "rounds": list(round_paths),
           "note": "interleaved: one run of each command per hyperfine round, order alternating"}
    if len(order) == 2:
        a, b = (times[n] for n in order)
        doc["paired_ratios"] = {f"{order[0]}/{order[1]}": [x / y for x, y in zip(a, b)]}
    with open(out_path, "w") as f:
        json.dump(doc, f, indent=2)


def load_result(path, name):
    with open(path) as f:
        for r in json.load(f)["results"]:
            if r["command"] == name:
                return r
    raise KeyError(f"{name} not in {path}")


def ms(r):
    return f"{r['mean'] * 1000:.0f} ± {(r['stddev'] or 0) * 1000:.0f} ms"


def mib(kib):
    return f"{int(kib) / 1024:.1f} MiB" if kib not in (None, "", "-") else "n/a"


def report(state_dir, out_md):
    with open(f"{state_dir}/state.json") as f:
        state = json.load(f)
    sizes = state["sizes"]  # e.g. ["10k", "100k"], small first
    cols = {}
    for s in sizes:
        st = state[s]
        k = load_result(st["json"], "kheo")
        b = load_result(st["json"], "baseline")
        g = load_result(st["gzip_json"], "kheo-gzip")
        paired = [x / y for x, y in zip(k["times"], b["times"])]
        cols[s] = {
            "kheo": ms(k), "baseline": ms(b),
            "ratio": k["mean"] / b["mean"],
            "ratio_med": statistics.median(paired),
            "ratio_range": (min(paired), max(paired)),
            "bytes": int(st["bytes"]), "gzip": ms(g), "gzip_bytes": int(st["gzip_bytes"]),
            "hwm_start": st["hwm_start"], "hwm_identity": st["hwm_identity"],
            "hwm_gzip": st["hwm_gzip"], "psql_rss": st.get("psql_rss"),
            "features": st["features"], "runs": len(k["times"]),
        }
    head = "| | " + " | ".join(f"{cols[s]['features']:,} roads" for s in sizes) + " |"
    rows = [head, "|---|" + "---:|" * len(sizes)]

    def row(label, fn):
        rows.append(f"| {label} | " + " | ".join(fn(cols[s]) for s in sizes) + " |")

    row("kheo `GET /api/layers/roads/features` (identity), mean ± sd", lambda c: c["kheo"])
    row("baseline `psql` of `kheo sql collection roads`, mean ± sd", lambda c: c["baseline"])
    row("**ratio kheo / baseline** (of the means)", lambda c: f"**{c['ratio']:.2f}**")
    row("ratio, median of the paired runs (min – max)",
        lambda c: f"{c['ratio_med']:.2f} ({c['ratio_range'][0]:.2f} – {c['ratio_range'][1]:.2f})")
    row("response body, bytes (identity)", lambda c: f"{c['bytes']:,}")
    row("kheo gzip (`curl --compressed`), mean ± sd", lambda c: c["gzip"])
    row("gzip bytes transferred", lambda c: f"{c['gzip_bytes']:,} ({c['gzip_bytes'] / c['bytes']:.1%})")
    row("kheo server VmHWM at start (before any request)", lambda c: mib(c["hwm_start"]))
    row("**kheo server VmHWM after the identity runs**", lambda c: f"**{mib(c['hwm_identity'])}**")
    row("kheo server VmHWM after the gzip runs too", lambda c: mib(c["hwm_gzip"]))
    row("psql (baseline client) max RSS", lambda c: mib(c["psql_rss"]))
    fixed = load_result(f"{state_dir}/psql-fixed.json", "psql-fixed")
    rows.append(f"| baseline fixed cost: psql + connection + PostGIS load, trivial query | {ms(fixed)} (once, not per size) | |")
    small, big = sizes[0], sizes[-1]
    ratio = cols[big]["ratio"]
    hwm_growth = int(cols[big]["hwm_identity"]) / int(cols[small]["hwm_identity"])
    lines = [
        f"Runs per command: {cols[big]['runs']} (interleaved, one run of each per round, order alternating; "
        f"{state['warmup']} warm-up runs each first).",
        "",
        *rows,
        "",
        f"- Target 1, kheo within 1.3x of the raw query at {cols[big]['features']:,} roads: "
        f"ratio {ratio:.2f} -> **{'met' if ratio <= 1.3 else 'MISSED'}**.",
        f"- Target 2, server memory flat in the number of features: VmHWM {mib(cols[small]['hwm_identity'])} at "
        f"{cols[small]['features']:,} roads vs {mib(cols[big]['hwm_identity'])} at {cols[big]['features']:,} "
        f"(x{hwm_growth:.2f} for x{cols[big]['features'] / cols[small]['features']:.0f} the features) -> "
        f"**{'met' if hwm_growth <= 1.25 else 'MISSED'}** (flat = at most 1.25x).",
        "",
        "Machine: " + state["machine"],
    ]
    text = "\n".join(lines) + "\n"
    with open(out_md, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"compare": compare, "merge": merge, "report": report}[cmd](*args)
