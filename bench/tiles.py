#!/usr/bin/env python3
"""Helpers of bench/tiles.sh: the fixed tile set, a check that two servers serve the same
features, an interleaved load of several keep-alive clients, what generalisation buys (in
psql), and the report. Standard library only.

    tiles.py list                                   the fixed set, one "z x y" a line
    tiles.py check OUT.json PSQL_URL NAME=URL_TEMPLATE...  every tile once from each server
    tiles.py load OUT.json ROUNDS CLIENTS POSTMASTER_PID NAME=URL_TEMPLATE[@PID]...
    tiles.py revalidate OUT.json ROUNDS CLIENTS URL_TEMPLATE
    tiles.py generalisation OUT.json PSQL_URL KHEO_BIN RUNS
    tiles.py report STATE.json OUT.md

A URL template holds {z}, {x} and {y}. Every request says `Accept-Encoding: gzip`, as a
browser does.
"""
import gzip
import http.client
import json
import math
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

# The protobuf wire reader is shared with the tests' tile check.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from protobuf_wire import fields  # noqa: E402

# The centre of the synthetic province of 100 communes (src/synthetic.rs: 25 columns of
# 0.05°, four rows, from 104° E 19° N): 104.0-105.24 E, 19.0-19.19 N.
CENTRE = (104.62, 19.095)
ZOOMS = range(10, 15)
# A screen of 4 x 3 tiles of 512 CSS pixels (2048 x 1536): what MapLibre asks for at each
# zoom when a province officer zooms from the whole province in to a village.
VIEW = (4, 3)


def tile_of(lon, lat, z):
    n = 2 ** z
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_set():
    tiles = []
    for z in ZOOMS:
        cx, cy = tile_of(*CENTRE, z)
        x0 = int(math.floor(cx - VIEW[0] / 2 + 0.5))
        y0 = int(math.floor(cy - VIEW[1] / 2 + 0.5))
        for y in range(y0, y0 + VIEW[1]):
            for x in range(x0, x0 + VIEW[0]):
                tiles.append((z, x, y))
    return tiles


def summary(mvt):
    """{layer name: (feature ids, sorted keys)} of an MVT, enough to compare two servers'
    tiles (Tile.layers = 3; Layer.name = 1, features = 2, keys = 3; Feature.id = 1)."""
    out = {}
    for number, _, layer in fields(mvt):
        if number != 3:
            continue
        name, ids, keys = None, [], []
        for n, _, v in fields(layer):
            if n == 1:
                name = v.decode()
            elif n == 2:
                ids.append(next((fv for fn, _, fv in fields(v) if fn == 1), None))
            elif n == 3:
                keys.append(v.decode())
        out[name] = (ids, sorted(keys))
    return out


class Client:
    """One keep-alive HTTP/1.1 connection, as a browser keeps per host."""

    def __init__(self, template):
        self.template = template
        parsed = urllib.parse.urlsplit(template.replace("{z}", "0").replace("{x}", "0").replace("{y}", "0"))
        self.host, self.port = parsed.hostname, parsed.port
        self.conn = None

    def get(self, z, x, y, headers=None):
        url = urllib.parse.urlsplit(self.template.format(z=z, x=x, y=y))
        path = url.path + ("?" + url.query if url.query else "")
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            try:
                self.conn.request("GET", path, headers={"Accept-Encoding": "gzip", **(headers or {})})
                r = self.conn.getresponse()
                body = r.read()
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


def named(specs):
    out = []
    for spec in specs:
        name, rest = spec.split("=", 1)
        template, _, pid = rest.partition("@")
        out.append((name, template, int(pid) if pid else None))
    return out


def outside_the_tile(url, z, x, y, ids):
    """The roads among `ids` that do not meet tile z/x/y itself (only its buffer)."""
    sql = (f"SELECT id FROM road WHERE id = ANY('{{{','.join(str(i) for i in ids)}}}'::bigint[]) "
           f"AND NOT ST_Intersects(geom, ST_Transform(ST_TileEnvelope({z}, {x}, {y}), 4326))")
    out = subprocess.run(["psql", url, "-Atq", "-c", sql], check=True, capture_output=True, text=True).stdout
    return {int(v) for v in out.split()}


def check(out_path, url, *specs):
    """Every tile once from each server: status, bytes (gzip and identity), features. The
    servers must serve the same features, but in a tile's buffer: there a road whose 3 m
    bend pokes into the buffer is in a tile that is not simplified (Martin's), and not in
    one that is (kheo's, below z16); such a road is outside the tile proper."""
    servers = named(specs)
    result = {"tiles": [], "servers": [s[0] for s in servers], "buffer_only": 0}
    problems = []
    for z, x, y in tile_set():
        row = {"z": z, "x": x, "y": y}
        ids = {}
        for name, template, _ in servers:
            status, headers, body = Client(template).get(z, x, y)
            raw = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
            if status not in (200, 204):
                problems.append(f"{name} {z}/{x}/{y}: HTTP {status}: {raw[:200]!r}")
            layers = summary(raw) if raw else {}
            ids[name] = {i for found, _ in layers.values() for i in found}
            keys = sorted({k for _, ks in layers.values() for k in ks})
            row[name] = {"status": status, "bytes": len(raw), "wire": len(body),
                         "encoding": headers.get("content-encoding", "identity"),
                         "features": sum(len(found) for found, _ in layers.values()), "keys": keys}
        differing = set.union(*ids.values()) - set.intersection(*ids.values())
        if differing:
            inside = differing - outside_the_tile(url, z, x, y, differing)
            if inside:
                problems.append(f"{z}/{x}/{y}: features inside the tile differ: {sorted(inside)[:10]}")
            result["buffer_only"] += len(differing)
        result["tiles"].append(row)
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    if problems:
        print("MISMATCH:", *problems, sep="\n", file=sys.stderr)
        sys.exit(1)
    total = {name: sum(t[name]["features"] for t in result["tiles"]) for name, _, _ in servers}
    print(f"{len(result['tiles'])} tiles, the same features from every server in each ({total}), "
          f"but {result['buffer_only']} in tile buffers only")
    for name, _, _ in servers:
        some = next((t[name]["keys"] for t in result["tiles"] if t[name]["keys"]), [])
        print(f"  {name} attributes: {', '.join(some)}")


TICK_S = 1 / 100  # USER_HZ: /proc/PID/stat counts CPU time in these


def cpu_seconds(pid):
    """User + system CPU time of process `pid` so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) * TICK_S
    except FileNotFoundError:
        return 0.0


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


def cluster_cpu(postmaster):
    """CPU time of the bench's PostgreSQL: the postmaster and its backends. Robust to the
    load of a shared machine in a way wall time is not (the pools keep their backends)."""
    return cpu_seconds(postmaster) + sum(cpu_seconds(c) for c in children(postmaster))


def hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def one_round(template, clients, tiles, headers_for=None):
    """Every client walks the whole set once, each from its own starting point; returns
    (seconds, per-request [(z, seconds, status, wire bytes)])."""
    records, errors = [], []
    lock = threading.Lock()

    def work(k):
        client = Client(template)
        start = k * len(tiles) // clients
        mine = []
        try:
            for i in range(len(tiles)):
                z, x, y = tiles[(start + i) % len(tiles)]
                t0 = time.perf_counter()
                status, _, body = client.get(z, x, y, headers_for(z, x, y) if headers_for else None)
                mine.append((z, time.perf_counter() - t0, status, len(body)))
                if status not in (200, 204, 304):
                    errors.append(f"{z}/{x}/{y}: HTTP {status}")
        except Exception as e:  # noqa: BLE001 - reported, and the run fails
            errors.append(repr(e))
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        print("errors:", *errors[:10], sep="\n", file=sys.stderr)
        sys.exit(1)
    return elapsed, records


def summarise(rounds, clients, tiles, cpu=None):
    per_round = [clients * len(tiles) / seconds for seconds, _ in rounds]
    records = [r for _, rs in rounds for r in rs]
    by_zoom = {}
    for z in ZOOMS:
        lat = [r[1] for r in records if r[0] == z]
        by_zoom[z] = {"median_ms": statistics.median(lat) * 1000, "p95_ms": sorted(lat)[int(0.95 * (len(lat) - 1))] * 1000}
    return {
        "tiles_per_s": per_round,
        "median_tiles_per_s": statistics.median(per_round),
        "requests": len(records),
        "statuses": {str(s): sum(1 for r in records if r[2] == s) for s in sorted({r[2] for r in records})},
        "wire_bytes": sum(r[3] for r in records),
        "by_zoom": by_zoom,
        # CPU milliseconds per tile, of the server and of PostgreSQL, each round.
        "cpu_ms_per_tile": cpu or [],
    }


def load(out_path, rounds, clients, postmaster, *specs):
    """ROUNDS rounds of each server, interleaved A B B A A B ... so that a drift in the
    machine's load falls on both alike; the CPU time that each round cost the server and
    PostgreSQL is counted too."""
    rounds, clients, postmaster = int(rounds), int(clients), int(postmaster)
    servers = named(specs)
    tiles = tile_set()
    # A warm-up round each: connections, plans, PostGIS and PROJ caches in the backends.
    for _, template, _ in servers:
        one_round(template, clients, tiles)
    results = {name: [] for name, _, _ in servers}
    cpu = {name: [] for name, _, _ in servers}
    loads = []
    for r in range(rounds):
        order = servers if r % 2 == 0 else list(reversed(servers))
        for name, template, pid in order:
            before = cluster_cpu(postmaster) + (cpu_seconds(pid) if pid else 0)
            results[name].append(one_round(template, clients, tiles))
            spent = cluster_cpu(postmaster) + (cpu_seconds(pid) if pid else 0) - before
            cpu[name].append(spent * 1000 / (clients * len(tiles)))
            print(f"round {r + 1} {name}: {clients * len(tiles) / results[name][-1][0]:.1f} tiles/s, "
                  f"{cpu[name][-1]:.1f} CPU ms a tile", file=sys.stderr)
        loads.append(open("/proc/loadavg").read().split()[0])
    out = {"clients": clients, "rounds": rounds, "tiles": len(tiles), "load_average": loads, "servers": {}}
    for name, _, pid in servers:
        out["servers"][name] = summarise(results[name], clients, tiles, cpu[name])
        out["servers"][name]["peak_rss_kib"] = hwm_kib(pid) if pid else None
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
    for name, _, _ in servers:
        s = out["servers"][name]
        print(f"{name}: {s['median_tiles_per_s']:.1f} tiles/s (median of {rounds} rounds), peak RSS {s['peak_rss_kib']} KiB")


def revalidate(out_path, rounds, clients, template):
    """kheo behind an HTTP cache: every request carries the tile's ETag and answers 304."""
    rounds, clients = int(rounds), int(clients)
    tiles = tile_set()
    tags = {}
    client = Client(template)
    for z, x, y in tiles:
        _, headers, _ = client.get(z, x, y)
        tags[(z, x, y)] = headers.get("etag")
    results = [one_round(template, clients, tiles, lambda z, x, y: {"If-None-Match": tags[(z, x, y)]})
               for _ in range(rounds)]
    out = summarise(results, clients, tiles)
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"kheo revalidation: {out['median_tiles_per_s']:.1f} tiles/s, statuses {out['statuses']}")


class Psql:
    """One psql session (so one backend, whose CPU time can be read) fed statement by
    statement."""

    def __init__(self, url):
        self.p = subprocess.Popen(["psql", url, "-Atq", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pid = int(self.run("SELECT pg_backend_pid();")[0])

    def run(self, sql):
        self.p.stdin.write(sql + "\n\\echo __done__\n")
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise RuntimeError(f"psql ended; last output {lines[-3:]}")
            if line.strip() == "__done__":
                return lines
            lines.append(line.strip())

    def close(self):
        self.p.stdin.close()
        self.p.wait()


def generalisation(out_path, url, kheo, runs):
    """Each tile query of the set in one psql session, as kheo runs it and without
    generalisation (`kheo sql tile --full`): the backend's CPU time, and the bytes."""
    runs = int(runs)
    tiles = tile_set()
    scripts = {}
    for variant, flag in (("generalised", []), ("full", ["--full"])):
        lines = []
        for z, x, y in tiles:
            sql = subprocess.run([kheo, "sql", "tile", "roads", str(z), str(x), str(y), *flag],
                                 check=True, capture_output=True, text=True).stdout.strip().rstrip(";")
            lines.append(f"SELECT {z} AS z, coalesce(length(b), 0) FROM ({sql}) AS s(b);")
        scripts[variant] = "\n".join(lines)
    out = {v: {"cpu_seconds": [], "bytes": None, "by_zoom_bytes": {}} for v in scripts}
    session = Psql(url)
    session.run("SET max_parallel_workers_per_gather = 0;")
    for variant in scripts:  # warm-up: PostGIS, PROJ and the pages in the backend
        session.run(scripts[variant])
    for r in range(runs):
        for variant in (list(scripts) if r % 2 == 0 else list(reversed(list(scripts)))):
            before = cpu_seconds(session.pid)
            rows = session.run(scripts[variant])
            out[variant]["cpu_seconds"].append(cpu_seconds(session.pid) - before)
            sizes = [tuple(int(v) for v in line.split("|")) for line in rows if "|" in line]
            out[variant]["bytes"] = sum(b for _, b in sizes)
            out[variant]["by_zoom_bytes"] = {str(z): sum(b for zz, b in sizes if zz == z) for z in ZOOMS}
    session.close()
    with open(out_path, "w") as f:
        json.dump(out, f, indent=1)
    for v in out:
        print(f"{v}: {statistics.median(out[v]['cpu_seconds']):.2f} CPU s for the set (median of {runs}), "
              f"{out[v]['bytes']:,} bytes")


def report(state_path, out_md):
    with open(state_path) as f:
        st = json.load(f)
    with open(st["check"]) as f:
        check_doc = json.load(f)
    with open(st["load"]) as f:
        load_doc = json.load(f)
    names = check_doc["servers"]
    tiles = check_doc["tiles"]
    lines = [f"{len(tiles)} tiles (z10-z14, {VIEW[0]} x {VIEW[1]} a zoom around {CENTRE[0]} E {CENTRE[1]} N), "
             f"{load_doc['clients']} keep-alive clients, {load_doc['rounds']} rounds of each server interleaved; "
             f"load average after each round pair: {', '.join(load_doc['load_average'])}.", ""]
    lines += ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]

    def row(label, fn):
        lines.append(f"| {label} | " + " | ".join(fn(n) for n in names) + " |")

    s = load_doc["servers"]
    row("**tiles per second**, median of the rounds", lambda n: f"**{s[n]['median_tiles_per_s']:.1f}**")
    row("tiles per second, each round", lambda n: ", ".join(f"{v:.1f}" for v in s[n]["tiles_per_s"]))
    row("**CPU ms a tile**, server + PostgreSQL, median of the rounds",
        lambda n: f"**{statistics.median(s[n]['cpu_ms_per_tile']):.1f}**")
    for z in ZOOMS:
        row(f"z{z}: median / p95 latency, ms", lambda n, z=z: f"{s[n]['by_zoom'][str(z)]['median_ms']:.1f} / {s[n]['by_zoom'][str(z)]['p95_ms']:.1f}")
    row("tiles with features / empty (204)", lambda n: f"{sum(1 for t in tiles if t[n]['status'] == 200)} / {sum(1 for t in tiles if t[n]['status'] == 204)}")
    row("features in the set", lambda n: f"{sum(t[n]['features'] for t in tiles):,}")
    row("bytes for the set, MVT", lambda n: f"{sum(t[n]['bytes'] for t in tiles):,}")
    row("bytes for the set, gzip on the wire", lambda n: f"{sum(t[n]['wire'] for t in tiles):,}")
    for z in ZOOMS:
        def mean_bytes(n, z=z):
            sized = [t[n]["bytes"] for t in tiles if t["z"] == z and t[n]["bytes"]]
            wire = [t[n]["wire"] for t in tiles if t["z"] == z and t[n]["bytes"]]
            return f"{statistics.mean(sized):,.0f} / {statistics.mean(wire):,.0f}" if sized else "-"
        row(f"z{z}: mean bytes of a non-empty tile, MVT / gzip", mean_bytes)
    row("peak RSS (VmHWM) after the load", lambda n: f"{(s[n]['peak_rss_kib'] or 0) / 1024:.1f} MiB")
    if st.get("cached"):
        with open(st["cached"]) as f:
            cached = json.load(f)
        lines += ["", "For information, caches on (after a warm-up round):", "",
                  "| | tiles per second, median | peak RSS |", "|---|---:|---:|"]
        for name, doc in cached["servers"].items():
            lines.append(f"| {name} | {doc['median_tiles_per_s']:.1f} | {(doc['peak_rss_kib'] or 0) / 1024:.1f} MiB |")
    if st.get("revalidate"):
        with open(st["revalidate"]) as f:
            rv = json.load(f)
        lines.append(f"| kheo, every request revalidated with its ETag (304), as behind an HTTP cache | "
                     f"{rv['median_tiles_per_s']:.1f} | |")
    if st.get("generalisation"):
        with open(st["generalisation"]) as f:
            g = json.load(f)
        lines += ["", "What generalisation buys (the set's tile queries in one psql session, median of the runs):",
                  "", "| | PostgreSQL CPU seconds for the set | bytes for the set |", "|---|---:|---:|"]
        for v in ("generalised", "full"):
            lines.append(f"| {v} | {statistics.median(g[v]['cpu_seconds']):.2f} | {g[v]['bytes']:,} |")
    lines += ["", f"Machine: {st.get('machine', '')}"]
    with open(out_md, "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "list":
        for z, x, y in tile_set():
            print(z, x, y)
    else:
        {"check": check, "load": load, "revalidate": revalidate, "generalisation": generalisation,
         "report": report}[command](*args)
