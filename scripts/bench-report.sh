#!/usr/bin/env bash
# Benchmark of the usage reports (issue 5). Rerunnable; prints a Markdown table.
#   scripts/bench-report.sh [CALLS] [RUNS]
# Builds the release binary, creates a store with devteam's own schema, fills it with CALLS
# generated calls (default 1,000,000; scripts/gen_calls.py, at run time, never committed), and
# reports the median and fastest wall time of each report over RUNS runs (default 7), after one
# warm-up run each. The target for `usage summary` and `usage by model` is 300 ms at 1M calls.
# The machine's load average is printed too: on a shared 2-core machine it moves the figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
calls="${1:-1000000}"
runs="${2:-7}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/devteam"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/usage.db"
"$bin" --db "$db" -q usage summary >/dev/null
start=$(date +%s%N)
python3 scripts/gen_calls.py "$db" "$calls" --budget daily:400
gen_s=$(( ($(date +%s%N) - start) / 1000000 ))
report="$work/dashboard.html"

# times_ms CMD...: one warm-up, then $runs runs; prints "median fastest" wall times in ms.
times_ms() {
    "$@" >/dev/null 2>&1
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f | %.0f", a[int((NR+1)/2)]/1000, a[1]/1000}'
}
usage() { "$bin" --db "$db" -q usage "$@" --timezone UTC; }

echo "store: $calls calls, $(( $(stat -c %s "$db") / 1048576 )) MiB, generated in ${gen_s} ms; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| command | median ms | fastest ms | target |"
echo "|---|---|---|---|"
echo "| usage summary | $(times_ms usage summary) | <= 300 |"
echo "| usage by model | $(times_ms usage by model) | <= 300 |"
echo "| usage summary --json | $(times_ms "$bin" --db "$db" --json usage summary --timezone UTC) | |"
echo "| usage by day | $(times_ms usage by day) | |"
echo "| usage by agent | $(times_ms usage by agent) | |"
echo "| usage by task | $(times_ms usage by task) | |"
echo "| usage summary --since 7d | $(times_ms usage summary --since 7d) | |"
echo "| usage summary --project project-web | $(times_ms usage summary --project project-web) | |"
echo "| usage report --html | $(times_ms usage report --html "$report") | |"
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
