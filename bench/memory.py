"""The server's memory under the inputs of issue 8 (bench/memory.sh drives it).

  python3 bench/memory.py make OUT            writes the inputs into OUT (deterministic)
  python3 bench/memory.py run CASE BASE PID OUT
                                              sends one case to a running kheo (as the
                                              admin `bench`) and prints one JSON line: the
                                              answers and the server's VmHWM after the
                                              sign-in (base_kib) and after the case
                                              (peak_kib), and its VmRSS 3 s later (KiB)

Inputs (all in the demo ward, commune 17131):
  roads-45mib.geojson  45 MiB FeatureCollection of roads, 24 vertices each
  roads-200mb.geojson  200 MB of the same, for `kheo import`
  roads-190mib.kmz     a KMZ of some 30 MB holding doc.kml of 190 MiB (one Placemark a road)
  line-1m.json         a Feature with a LineString of 1,000,000 vertices (some 26 MB)
  name-1mb.json        a Feature whose name is 1 MiB long

Cases: geojson-dry-run, kmz-dry-run, line-1m, name-1mb, concurrent-imports (6 uploads of
the 45 MiB file at once), clients-50 (2 imports, 24 writes of a road at the vertex limit
with a 5,000-character note, 24 reads of the whole roads layer, all at once), writes-50
(2 imports and 48 such writes at once).
"""
import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from http.cookiejar import CookieJar

MIB = 1024 * 1024


def road(rng, i, vertices):
    x, y = 105.685 + rng.random() * 0.03, 19.235 + rng.random() * 0.03
    coordinates = []
    for _ in range(vertices):
        coordinates.append([round(x, 7), round(y, 7)])
        x += (rng.random() - 0.5) * 0.0004
        y += (rng.random() - 0.5) * 0.0004
    return {
        "type": "Feature",
        "properties": {"Tên": f"Ngõ thử {i}", "Loại đường": "Đường ngõ xóm, nội khối",
                       "Mặt đường": rng.choice(["Bê tông", "Đất", "Cấp phối"]), "paved_on": "15/03/2021"},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }


def write_geojson(path, size):
    rng = random.Random(8)
    with open(path, "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection","features":[\n')
        i = 0
        while f.tell() < size:
            if i:
                f.write(",\n")
            f.write(json.dumps(road(rng, i, 24), ensure_ascii=False))
            i += 1
        f.write("\n]}\n")


def write_kmz(path, kml_size):
    rng = random.Random(9)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("doc.kml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n')
            written, i = 0, 0
            while written < kml_size:
                feature = road(rng, i, 40)
                coordinates = "\n".join(f"            {x:.6f},{y:.6f},0" for x, y in feature["geometry"]["coordinates"])
                # As Google Earth writes it: a style and its ExtendedData per Placemark,
                # indented; KML of this kind deflates some 7:1.
                placemark = (
                    f"  <Placemark>\n    <name>Ngõ thử {i}</name>\n    <styleUrl>#duong-ngo</styleUrl>\n"
                    f"    <Style><LineStyle><color>ff0000ff</color><width>3</width></LineStyle></Style>\n"
                    f"    <ExtendedData>\n      <Data name=\"mat_duong\"><value>{feature['properties']['Mặt đường']}</value></Data>\n"
                    f"      <Data name=\"loai_duong\"><value>Đường ngõ xóm, nội khối</value></Data>\n    </ExtendedData>\n"
                    f"    <LineString>\n        <tessellate>1</tessellate>\n        <coordinates>\n{coordinates}\n"
                    f"        </coordinates>\n    </LineString>\n  </Placemark>\n"
                ).encode()
                f.write(placemark)
                written += len(placemark)
                i += 1
            f.write(b"</Document></kml>\n")


def make(out):
    os.makedirs(out, exist_ok=True)
    write_geojson(os.path.join(out, "roads-45mib.geojson"), 45 * MIB)
    write_geojson(os.path.join(out, "roads-200mb.geojson"), 200 * 1000 * 1000)
    write_kmz(os.path.join(out, "roads-190mib.kmz"), 190 * MIB)
    line = {"type": "Feature", "properties": {"commune": "17131", "class": "alley", "surface": "concrete"},
            "geometry": {"type": "LineString",
                         "coordinates": [[round(105.69 + i * 1e-8, 8), 19.25] for i in range(1_000_000)]}}
    with open(os.path.join(out, "line-1m.json"), "w") as f:
        json.dump(line, f)
    name = {"type": "Feature", "properties": {"commune": "17131", "class": "alley", "surface": "concrete",
                                              "name": "x" * MIB},
            "geometry": {"type": "LineString", "coordinates": [[105.69, 19.25], [105.691, 19.25]]}}
    with open(os.path.join(out, "name-1mb.json"), "w") as f:
        json.dump(name, f)
    for name in sorted(os.listdir(out)):
        if name.endswith((".geojson", ".kmz", ".json")):
            print(f"{name}: {os.path.getsize(os.path.join(out, name)) / MIB:.1f} MiB", file=sys.stderr)


def status_kib(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1])
    raise SystemExit(f"no {key} for {pid}")


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        _, body = self.call("POST", "/api/session", json.dumps({"username": "bench", "password": "bench password"}).encode(),
                            {"content-type": "application/json"})
        self.csrf = json.loads(body)["csrf_token"]

    def call(self, method, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        if hasattr(self, "csrf"):
            request.add_header("x-csrf-token", self.csrf)
        try:
            with self.opener.open(request, timeout=1800) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except (ConnectionError, urllib.error.URLError) as error:
            return 0, str(error).encode()

    def upload(self, path, fields):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        with open(path, "rb") as f:
            data = f.read()
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{os.path.basename(path)}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.call("POST", "/api/import", b"".join(parts), {"content-type": f"multipart/form-data; boundary={boundary}"})


def summary(status, body):
    try:
        answer = json.loads(body)
    except ValueError:
        return {"status": status, "body": body[:200].decode(errors="replace")}
    keep = {k: answer[k] for k in ("error", "counts", "features_omitted") if k in answer}
    if "detail" in answer:
        keep["detail"] = answer["detail"]
    return {"status": status, **keep}


def run(case, base, pid, out):
    client = Client(base)
    # After the sign-in (argon2id takes 19 MiB): what the case adds is measured from here.
    base_kib = status_kib(pid, "VmHWM:")
    import_fields = {"layer": "roads", "commune": "17131", "dry_run": "true", "defaults": '{"class": "alley", "surface": "earth"}'}
    started = time.time()
    if case == "geojson-dry-run":
        answers = [summary(*client.upload(os.path.join(out, "roads-45mib.geojson"), import_fields))]
    elif case == "kmz-dry-run":
        answers = [summary(*client.upload(os.path.join(out, "roads-190mib.kmz"), import_fields))]
    elif case in ("line-1m", "name-1mb"):
        with open(os.path.join(out, f"{case}.json"), "rb") as f:
            body = f.read()
        answers = [summary(*client.call("POST", "/api/layers/roads/features", body, {"content-type": "application/json"}))]
    elif case == "concurrent-imports":
        answers = [None] * 6

        def one(i):
            answers[i] = summary(*client.upload(os.path.join(out, "roads-45mib.geojson"), import_fields))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(answers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    elif case in ("clients-50", "writes-50"):
        # 50 clients at once: 2 imports of the 45 MiB file (as many as run at once), then
        # writes of a road at the vertex limit (24, or 48 for writes-50) and reads of the
        # whole roads layer (24, or none).
        line = {"type": "Feature", "properties": {"commune": "17131", "class": "alley", "surface": "concrete",
                                                  "note": "x" * 5000},
                "geometry": {"type": "LineString",
                             "coordinates": [[105.69 + i * 1e-7 + 1e-12, 19.25 + 1e-12] for i in range(50_000)]}}
        body = json.dumps(line).encode()
        answers = [None] * 50

        def one(i):
            if i < 2:
                answers[i] = summary(*client.upload(os.path.join(out, "roads-45mib.geojson"), import_fields))
            elif i < 26 or case == "writes-50":
                status, reply = client.call("POST", "/api/layers/roads/features", body, {"content-type": "application/json"})
                answers[i] = {"status": status, "bytes": len(body)}
            else:
                status, reply = client.call("GET", "/api/layers/roads/features")
                answers[i] = {"status": status, "bytes": len(reply)}

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(answers))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counts = {}
        for a in answers:
            counts[a["status"]] = counts.get(a["status"], 0) + 1
        answers = [{"statuses": counts}, answers[0], answers[2], answers[26]]
    else:
        raise SystemExit(f"unknown case {case}")
    seconds = time.time() - started
    time.sleep(3)
    print(json.dumps({"case": case, "seconds": round(seconds, 1), "base_kib": base_kib, "peak_kib": status_kib(pid, "VmHWM:"),
                      "rss_after_kib": status_kib(pid, "VmRSS:"), "answers": answers}, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        raise SystemExit(__doc__)
