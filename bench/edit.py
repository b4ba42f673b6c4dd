"""Times writes through the API against a running kheo with the demo ward: N PATCHes of one
road's surface (each with If-Match, its audit entry and the coverage update by trigger, in
one transaction), then N GETs of the commune's coverage right after each write (computed,
since the write changed its ETag). Prints medians and p99 in ms.
Usage: python3 bench/edit.py BASE_URL USER PASSWORD [N]"""
import json
import statistics
import sys
import time
import urllib.request
from http.cookiejar import CookieJar

base, user, password = sys.argv[1:4]
n = int(sys.argv[4]) if len(sys.argv) > 4 else 200
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def call(method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"content-type": "application/json", **(headers or {})})
    with opener.open(request) as response:
        return response.status, dict(response.headers), response.read()


_, _, body = call("POST", "/api/session", {"username": user, "password": password})
csrf = json.loads(body)["csrf_token"]
road = "/api/layers/roads/features/100"
_, headers, _ = call("GET", road)
etag = headers["etag"]
writes, reads = [], []
for i in range(n):
    surface = "concrete" if i % 2 else "gravel"
    started = time.perf_counter()
    status, headers, _ = call("PATCH", road, {"properties": {"surface": surface}}, {"x-csrf-token": csrf, "if-match": etag})
    writes.append((time.perf_counter() - started) * 1000)
    assert status == 200, status
    etag = headers["etag"]
    started = time.perf_counter()
    call("GET", "/api/coverage?commune=17131")
    reads.append((time.perf_counter() - started) * 1000)


def line(name, values):
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"{name}: median {statistics.median(values):.1f} ms, p99 {p99:.1f} ms ({len(values)} requests)"


print(line("PATCH one road (write + audit + coverage)", writes))
print(line("GET /api/coverage after the write (recomputed)", reads))
