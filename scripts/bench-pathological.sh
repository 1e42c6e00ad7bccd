#!/usr/bin/env bash
# Pathological agent files (issue 11): how long `extract-metadata` takes to index a library
# holding one generated 1 MB agent file of each kind, next to the same library without it.
#   scripts/bench-pathological.sh [RUNS]
# Builds the release binary, generates the files under a temp dir (never committed) and prints
# the median wall time over RUNS runs (default 5) of a cold index (fresh store).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${1:-5}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/devteam"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# gen KIND DIR: a one-agent subagent library whose file is about 1 MB of KIND.
gen() {
    mkdir -p "$2"
    python3 - "$1" "$2/deep-agent.md" <<'PY'
import sys
kind, path = sys.argv[1], sys.argv[2]
size = 1_000_000
if kind == "flow":       # a flow collection nested ~500,000 deep
    body = "x: " + "[" * (size // 2) + "]" * (size // 2) + "\n"
elif kind == "indent":   # block mappings nested by indentation, as deep as fits
    lines, i = [], 0
    while sum(len(l) for l in lines) < size:
        lines.append(" " * (i % 1400) + f"k{i}:\n")
        i += 1
    body = "".join(lines)
elif kind == "anchors":  # aliases of aliases (a "billion laughs" shape)
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
    for i in range(1, 40):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]\n")
    body = "".join(lines)
    body += "#" + "x" * (size - len(body)) + "\n"
else:                    # one enormous description line
    body = "description: " + "word " * (size // 5) + "\n"
open(path, "w").write("---\nname: deep-agent\ndescription: generated\n" + body + "---\n# Deep agent\nbody\n")
PY
}

median_ms() {
    local times=()
    for _ in $(seq "$runs"); do
        rm -f "$work/b.db"*
        local start end
        start=$(date +%s%N)
        "$bin" --db "$work/b.db" --agents "$1" -q extract-metadata >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

mkdir -p "$work/empty"
cp "$root/fixtures/agents/"*/CLAUDE.md "$work/empty/" 2>/dev/null || true
echo "| 1 MB agent file | bytes | cold index, median ms ($runs runs) |"
echo "|---|---|---|"
for kind in flow indent anchors longline; do
    gen "$kind" "$work/$kind"
    bytes=$(wc -c < "$work/$kind/deep-agent.md")
    echo "| $kind | $bytes | $(median_ms "$work/$kind") |"
done
