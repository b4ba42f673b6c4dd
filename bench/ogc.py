#!/usr/bin/env python3
"""The client of bench/ogc.sh: reads a whole layer, through OGC API - Features pages
(following `next`) or in one streamed request, and reports what it took.

    ogc.py fetch URL        one transfer: prints {"seconds", "bytes", "features", "pages", "ids_digest"}
    ogc.py report OUT_DIR   the markdown table from OUT_DIR/ogc-*.json
"""
import hashlib
import json
import statistics
import sys
import time
import urllib.request


def fetch(url):
    """Every page from `url` on, by `next` links; a FeatureCollection without links is one page."""
    started = time.perf_counter()
    total_bytes = features = pages = 0
    ids = []
    page_seconds = []
    while url:
        page_started = time.perf_counter()
        request = urllib.request.Request(url, headers={"Accept": "application/geo+json"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
        total_bytes += len(body)
        pages += 1
        doc = json.loads(body)
        features += len(doc["features"])
        ids.extend(str(f["id"]) for f in doc["features"])
        url = next((l["href"] for l in doc.get("links", []) if l.get("rel") == "next"), None)
        page_seconds.append(time.perf_counter() - page_started)
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:16]
    return {"seconds": seconds, "bytes": total_bytes, "features": features, "pages": pages, "ids_digest": digest,
            "page_seconds": page_seconds}


def report(out):
    import os

    with open(os.path.join(out, "ogc-state.json")) as f:
        state = json.load(f)
    rows = []
    for name, label in state["servers"]:
        with open(os.path.join(out, f"ogc-{name}.json")) as f:
            runs = json.load(f)
        seconds = [r["seconds"] for r in runs]
        first = runs[0]
        rows.append((name, label, statistics.median(seconds), min(seconds), max(seconds), first, state["rss"][name]))
    tipg = next(r for r in rows if r[0] == "tipg")
    lines = [
        f"{state['features']:,} roads, {state['rounds']} rounds (order rotated each round) after one checked warm-up; {state['machine']}",
        "",
        "| | pages | seconds, median (min – max) | TiPg / this | bytes | bytes per feature | server peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, label, median, low, high, first, rss in rows:
        lines.append(
            f"| {label} | {first['pages']} | {median:.2f} ({low:.2f} – {high:.2f}) | {tipg[2] / median:.1f}x | "
            f"{first['bytes']:,} | {first['bytes'] / first['features']:.0f} | {rss / 1024:.1f} MiB |"
        )
    lines += ["", "Keyset against offset: the first and the last page of each paged transfer (median seconds, with parsing):", ""]
    for name, label, median, low, high, first, rss in rows:
        with open(os.path.join(out, f"ogc-{name}.json")) as f:
            runs = json.load(f)
        if first["pages"] > 1:
            page_one = statistics.median(r["page_seconds"][0] for r in runs)
            page_last = statistics.median(r["page_seconds"][-1] for r in runs)
            lines.append(f"- {label}: page 1 {page_one:.3f} s, page {first['pages']} {page_last:.3f} s")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "ogc.md"), "w") as f:
        f.write(text)
    print(text)


def main():
    if sys.argv[1:2] == ["fetch"] and len(sys.argv) == 3:
        print(json.dumps(fetch(sys.argv[2])))
    elif sys.argv[1:2] == ["report"] and len(sys.argv) == 3:
        report(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
