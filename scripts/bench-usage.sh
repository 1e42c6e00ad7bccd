#!/usr/bin/env bash
# Claude Code log import against ccusage, side by side in one run (issue 5). Rerunnable.
#   scripts/bench-usage.sh [RUNS]
# Installs ccusage@20.0.24 from npm into a temp prefix, builds the release binary, generates
# logs of 100k and 1M lines with scripts/gen_claude_logs.py (not committed), and for each size
# reports the median of RUNS runs (default 3) of:
#   - ccusage's native binary, `claude daily --json --offline -z UTC`: wall time and peak RSS;
#   - devteam's first import into an empty store: wall time and peak RSS;
#   - `devteam usage daily --source claude-code --json` on that store, and a second import with
#     nothing new;
# and whether the daily totals agree: ccusage vs devteam, and both vs the generator's ground
# truth (tokens exactly; cost within half a micro-dollar per call, devteam's storage unit).
# A small log set with the cases where ccusage is wrong (--bugs) shows where the two part.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${1:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

npm install --silent --no-audit --no-fund --prefix "$work/npm" ccusage@20.0.24 >/dev/null 2>&1
ccusage="$(find "$work/npm/node_modules/@ccusage" -path '*/bin/ccusage' -type f | head -1)"
chmod +x "$ccusage"
cargo build --release --quiet 2>/dev/null
bin="${CARGO_TARGET_DIR:-$root/target}/release/devteam"

# measure CMD...: "<wall s> <peak RSS MiB> <CPU s>" of one run (output discarded). CPU time
# (user + system) shows how much of a slow wall time was other processes on the machine.
measure() {
    /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>&1
    awk '{printf "%.2f %.0f %.2f", $1, $2 / 1024, $3 + $4}' "$work/time"
}
# median_of RUNS CMD...: the run with the median wall time, as measure prints it.
median_of() {
    local n="$1"
    shift
    for _ in $(seq "$n"); do
        measure "$@"
        echo
    done | sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}
# report_ms DB: median wall time in ms of `usage daily --json` over 7 runs.
report_ms() {
    for _ in $(seq 7); do
        local s e
        s=$(date +%s%N)
        "$bin" --db "$1" --json usage daily --source claude-code >/dev/null
        e=$(date +%s%N)
        echo $(((e - s) / 1000))
    done | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[4] / 1000}'
}

compare() {
    python3 - "$@" <<'EOF'
import json, sys
def days(path):
    d = json.load(open(path))
    return {r["date"]: r for r in d["daily"]}, d["totals"]
def diff(a_path, b_path, calls):
    a, at = days(a_path)
    b, bt = days(b_path)
    keys = ["inputTokens", "outputTokens", "cacheCreationTokens", "cacheReadTokens", "totalTokens"]
    bad = [(k, day) for day in sorted(set(a) | set(b)) for k in keys if a.get(day, {}).get(k) != b.get(day, {}).get(k)]
    models = [day for day in set(a) & set(b) if sorted(a[day]["modelsUsed"]) != sorted(b[day]["modelsUsed"])]
    cost = max([abs(a[d]["totalCost"] - b[d]["totalCost"]) for d in set(a) & set(b)] or [0.0])
    ok = not bad and not models and set(a) == set(b) and cost <= calls * 0.5e-6
    return ok, f"{len(a)} days, tokens {'equal' if not bad else 'DIFFER ' + str(bad[:3])}, models {'equal' if not models else 'DIFFER'}, max day cost diff ${cost:.6f}, totals ${at['totalCost']:.6f} vs ${bt['totalCost']:.6f}"
calls = int(sys.argv[4])
for name, a, b in [("ccusage vs devteam", sys.argv[1], sys.argv[2]), ("devteam vs ground truth", sys.argv[2], sys.argv[3]), ("ccusage vs ground truth", sys.argv[1], sys.argv[3])]:
    ok, text = diff(a, b, calls)
    print(f"| {name} | {'equal' if ok else 'NOT equal'} | {text} |")
EOF
}

echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
for lines in 100000 1000000; do
    logs="$work/logs$lines"
    python3 scripts/gen_claude_logs.py "$logs" --lines "$lines" >/dev/null
    files=$(find "$logs/projects" -name '*.jsonl' | wc -l)
    size=$(du -sb "$logs/projects" | awk '{printf "%.2f GiB", $1/1073741824}')
    find "$logs/projects" -name '*.jsonl' -print0 | xargs -0 cat >/dev/null # warm the page cache
    db="$work/bench$lines.db"
    read -r cc_s cc_mb cc_cpu <<<"$(median_of "$runs" env CLAUDE_CONFIG_DIR="$logs" "$ccusage" claude daily --json --offline -z UTC)"
    read -r im_s im_mb im_cpu <<<"$(median_of "$runs" bash -c 'rm -f "$1"*; exec "$2" --db "$1" -q usage import claude-code "$3"' _ "$db" "$bin" "$logs")"
    rm -f "$db"*
    "$bin" --db "$db" --json usage import claude-code "$logs" >"$work/first.json" 2>/dev/null
    calls=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calls_added"])' "$work/first.json")
    read -r again_s again_mb again_cpu <<<"$(measure "$bin" --db "$db" -q usage import claude-code "$logs")"
    rep_ms=$(report_ms "$db")
    read -r _ rep_mb rep_cpu <<<"$(measure "$bin" --db "$db" --json usage daily --source claude-code)"
    CLAUDE_CONFIG_DIR="$logs" "$ccusage" claude daily --json --offline -z UTC >"$work/cc.json"
    "$bin" --db "$db" --json usage daily --source claude-code >"$work/dt.json"
    echo "### $lines lines ($size, $files files, $calls calls after deduplication)"
    echo
    echo "| measure | wall s | CPU s | peak RSS MiB | target |"
    echo "|---|---|---|---|---|"
    echo "| ccusage 20.0.24 \`claude daily --json --offline -z UTC\` | $cc_s | $cc_cpu | $cc_mb | |"
    echo "| devteam first import (\`usage import claude-code\`) | $im_s | $im_cpu | $im_mb | <= 2 s, <= 110 MB (1M lines) |"
    echo "| devteam import again, nothing new | $again_s | $again_cpu | $again_mb | |"
    echo "| devteam \`usage daily --json\` after import (median of 7) | $(awk "BEGIN {printf \"%.3f\", $rep_ms/1000}") | $rep_cpu | $rep_mb | <= 0.050 s |"
    echo
    echo "| daily totals | result | detail |"
    echo "|---|---|---|"
    compare "$work/cc.json" "$work/dt.json" "$logs/expected.json" "$calls"
    echo
    echo "Load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    rm -rf "$logs"
done

# Where ccusage is wrong: "id":null in the only full line of a response, long-context Sonnet 4.5
# requests, and multi-line responses through a gateway that omits requestId.
logs="$work/bugs"
python3 scripts/gen_claude_logs.py "$logs" --lines 20000 --bugs --seed 3 >/dev/null
rm -f "$work/bugs.db"*
"$bin" --db "$work/bugs.db" -q usage import claude-code "$logs" >/dev/null 2>&1
CLAUDE_CONFIG_DIR="$logs" "$ccusage" claude daily --json --offline -z UTC >"$work/cc.json"
"$bin" --db "$work/bugs.db" --json usage daily --source claude-code >"$work/dt.json"
echo "### 20,000 lines with ccusage's failure cases (--bugs)"
echo
echo "| source | total tokens | total cost USD |"
echo "|---|---|---|"
for pair in "ground truth:$logs/expected.json" "devteam:$work/dt.json" "ccusage 20.0.24:$work/cc.json"; do
    python3 -c 'import json,sys; t=json.load(open(sys.argv[2]))["totals"]; print("| %s | {:,} | {:.4f} |".format(t["totalTokens"], t["totalCost"]) % sys.argv[1])' "${pair%%:*}" "${pair#*:}"
done
