"""Writes a GeoJSON FeatureCollection of N roads inside the demo ward (deterministic seed),
for bench/import.sh. Usage: python3 bench/import.py N OUT.geojson"""
import json
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(20261124)
features = []
for i in range(n):
    x = 105.690 + random.random() * 0.030
    y = 19.235 + random.random() * 0.030
    features.append({
        "type": "Feature",
        "properties": {"Tên": f"Ngõ thử {i}", "Loại đường": "Đường ngõ xóm, nội khối",
                       "Mặt đường": random.choice(["Bê tông", "Đất", "Cấp phối"]), "paved_on": "15/03/2021"},
        "geometry": {"type": "LineString", "coordinates": [[x, y], [x + 0.001, y + 0.0005], [x + 0.002, y]]},
    })
with open(out, "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "features": features}, f, ensure_ascii=False)
