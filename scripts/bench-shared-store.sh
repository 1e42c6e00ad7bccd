#!/usr/bin/env bash
# `usage summary` and `usage daily` over N generated calls (default 1,000,000) on the SQLite store
# and on the shared store on PostgreSQL, side by side in one run (issue 14). Rerunnable.
#   scripts/bench-shared-store.sh [N] [RUNS]
# Starts a throwaway PostgreSQL (scripts/pg-cluster.sh), generates the calls into a SQLite store
# with scripts/gen_calls.py (nothing committed), copies them into PostgreSQL with
# `devteam store migrate --to` (timed: the move a team makes once), then reports the median wall
# time of RUNS runs (default 5) of each report on each store, and checks the two agree.
# DEVTEAM_BIN picks the binary (default: target/release/devteam, built if missing).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-1000000}"
runs="${2:-5}"
work="$(mktemp -d)"
chmod 755 "$work"
bin="${DEVTEAM_BIN:-$root/target/release/devteam}"
[ -x "$bin" ] || cargo build --release --quiet
url="$(bash scripts/pg-cluster.sh start "$work/pg")"
trap 'bash scripts/pg-cluster.sh stop "$work/pg"; rm -rf "$work"' EXIT

dt() { env -i PATH="$PATH" HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config" "$bin" "$@"; }
db="$work/devteam.db"
dt --db "$db" --init usage summary >/dev/null
python3 scripts/gen_calls.py "$db" "$n" >/dev/null
s=$(date +%s%N)
dt --db "$db" store migrate --to "$url" >/dev/null
e=$(date +%s%N)
echo "store migrate of $n calls into PostgreSQL: $(((e - s) / 1000000)) ms"

# median_ms STORE ARGS...: median wall time in ms of RUNS runs.
median_ms() {
    local store="$1"
    shift
    for _ in $(seq "$runs"); do
        local s e
        s=$(date +%s%N)
        dt --db "$store" --json "$@" >/dev/null
        e=$(date +%s%N)
        echo $(((e - s) / 1000000))
    done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

printf '%-28s %10s %12s %8s\n' "report ($n calls)" "SQLite ms" "PostgreSQL ms" "PG/SQLite"
for report in "usage summary --since 2000-01-01 --until 2100-01-01" "usage daily --since 2000-01-01 --until 2100-01-01"; do
    # shellcheck disable=SC2086
    a=$(median_ms "$db" $report)
    # shellcheck disable=SC2086
    b=$(median_ms "$url" $report)
    printf '%-28s %10s %12s %8.2f\n' "${report%% --*}" "$a" "$b" "$(echo "$b / $a" | bc -l)"
    # shellcheck disable=SC2086
    dt --db "$db" --json $report >"$work/a.json"
    # shellcheck disable=SC2086
    dt --db "$url" --json $report >"$work/b.json"
    python3 - "$work/a.json" "$work/b.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
# Equal, but for the last digits of shares (floating-point sums in another order).
def same(x, y):
    if isinstance(x, float) or isinstance(y, float):
        return abs(x - y) <= 1e-9 * max(1.0, abs(x), abs(y))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    return x == y
print("  the two stores' reports agree" if same(a, b) else "  REPORTS DIFFER")
PY
done
