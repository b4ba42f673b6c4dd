#!/usr/bin/env bash
# A/B of a streamed layer: GET /api/layers/roads/features from this build, whose queries
# write into a spill (memory up to 1 MiB, then a temporary file) drained at the client's pace,
# against another kheo binary over the same synthetic province: typically one built from a
# commit before the spill, whose query waited on the client through a channel of 4 chunks.
# Interleaved rounds (the order swaps every round), then each server's peak memory.
#
#   git archive <commit> | tar -x -C /tmp/kheo-before && (cd /tmp/kheo-before && cargo build --release)
#   bash bench/streams.sh /tmp/kheo-before/target/release/kheo      # from the repo root
#
# Environment: ROUNDS (10), COMMUNES (100: 100,000 roads). Results in bench/out/streams.md.
set -euo pipefail

cd "$(dirname "$0")/.."
OTHER=$(realpath "${1:?usage: bash bench/streams.sh OTHER_KHEO_BINARY}")
ROUNDS=${ROUNDS:-10}
COMMUNES=${COMMUNES:-100}
# shellcheck source=bench/lib.sh
source bench/lib.sh
mkdir -p "$OUT/rounds"
OTHER_PID=""
trap 'rc=$?; [[ -n "$OTHER_PID" ]] && kill "$OTHER_PID" 2>/dev/null; cleanup; exit $rc' EXIT
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }

cargo build --release
"$KHEO" db up > /dev/null
"$KHEO" demo --synthetic province --communes "$COMMUNES"

start_server spill
SPILL_BASE=$BASE
SPILL_PID=$SERVER_PID
"$OTHER" serve --listen 127.0.0.1:0 > "$OUT/serve-other.log" 2> "$OUT/serve-other.err" &
OTHER_PID=$!
OTHER_BASE=""
for _ in $(seq 300); do
    OTHER_BASE=$(sed -n 's/^kheo: listening on \(http:[^ ]*\)$/\1/p' "$OUT/serve-other.log")
    [[ -n "$OTHER_BASE" ]] && break
    sleep 0.1
done
[[ -n "$OTHER_BASE" ]] || { cat "$OUT/serve-other.err" >&2; echo "the other kheo did not start" >&2; exit 1; }

path=/api/layers/roads/features
spill_bytes=$(curl -sf -o "$OUT/streams-spill.json" -w '%{size_download}' "$SPILL_BASE$path")
other_bytes=$(curl -sf -o "$OUT/streams-other.json" -w '%{size_download}' "$OTHER_BASE$path")
cmp -s "$OUT/streams-spill.json" "$OUT/streams-other.json" \
    || { echo "the two servers' bodies differ ($spill_bytes vs $other_bytes bytes)" >&2; exit 1; }
echo "body: $spill_bytes bytes, identical from both" >&2

rounds=()
for r in $(seq -w 1 "$ROUNDS"); do
    f="$OUT/rounds/streams-$r.json"
    spill=(-n spill "curl -sf -o /dev/null '$SPILL_BASE$path'")
    other=(-n other "curl -sf -o /dev/null '$OTHER_BASE$path'")
    if (( 10#$r % 2 )); then first=("${spill[@]}"); second=("${other[@]}"); else first=("${other[@]}"); second=("${spill[@]}"); fi
    warm=0; (( 10#$r == 1 )) && warm=2
    hyperfine -N --style none --warmup "$warm" --runs 1 --export-json "$f" "${first[@]}" "${second[@]}" > /dev/null
    rounds+=("$f")
    printf '.' >&2
done
echo >&2

python3 - "$OUT/streams.md" "$spill_bytes" "$(hwm_kib "$SPILL_PID")" "$(hwm_kib "$OTHER_PID")" "${rounds[@]}" <<'PY'
import json, statistics, sys
out, body, hwm_spill, hwm_other, *files = sys.argv[1:]
times = {"spill": [], "other": []}
for f in files:
    for result in json.load(open(f))["results"]:
        times[result["command"]].extend(result["times"])
mean = {k: statistics.mean(v) * 1000 for k, v in times.items()}
sd = {k: statistics.stdev(v) * 1000 for k, v in times.items()}
lines = [
    f"| | this build (spill) | other build |",
    f"|---|---|---|",
    f"| `GET /api/layers/roads/features` ({int(body):,} bytes), mean ± sd of {len(times['spill'])} | "
    f"{mean['spill']:.0f} ± {sd['spill']:.0f} ms | {mean['other']:.0f} ± {sd['other']:.0f} ms |",
    f"| server peak RSS (VmHWM) | {int(hwm_spill) / 1024:.1f} MiB | {int(hwm_other) / 1024:.1f} MiB |",
    "",
    f"spill / other: {mean['spill'] / mean['other']:.3f}",
]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
