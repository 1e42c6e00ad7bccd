#!/usr/bin/env bash
# What `usage suggest` proposes on a store (the day benchmark's, once `devteam bench day` exists),
# and the day's cost after `--apply`. The store is copied: the original is never changed.
#
#   scripts/suggest-after-bench.sh STORE.db [-- BENCH COMMAND...]
#
# Without a bench command it prints the suggestions and applies them to a scratch config and a
# learned-routing file beside the copied store. With one (e.g. `-- devteam bench day --json`),
# it runs the command before and after --apply with XDG_CONFIG_HOME pointing at the scratch
# config and DEVTEAM_DATA_DIR at the copy's folder, so the second run reads what --apply wrote;
# the benchmark must take its settings from there for the comparison to mean anything.
set -euo pipefail
store=${1:?usage: $0 STORE.db [-- BENCH COMMAND...]}
shift
[[ "${1:-}" == "--" ]] && shift
devteam=${DEVTEAM:-target/release/devteam}
[[ -x "$devteam" ]] || devteam=target/debug/devteam
work=$(mktemp -d)
mkdir -p "$work/data" "$work/config/devteam"
cp "$store" "$work/data/devteam.db"
export XDG_CONFIG_HOME="$work/config" DEVTEAM_DATA_DIR="$work/data"
db=(--db "$work/data/devteam.db")

if [[ $# -gt 0 ]]; then
  echo "== bench before --apply"; "$@" | tee "$work/bench-before.out"
fi
echo "== usage suggest"
"$devteam" "${db[@]}" usage suggest
"$devteam" "${db[@]}" --json usage suggest --apply >"$work/applied.json"
echo "== applied (config: $work/config/devteam/config.yaml, learned: $work/data/learned-routing.json)"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); [print(" ", a) for a in r["applied"]] or print("  nothing safe to apply"); print("  estimated saving over the period: $%.4f" % r["total_saves_usd"])' "$work/applied.json"
if [[ $# -gt 0 ]]; then
  echo "== bench after --apply"; "$@" | tee "$work/bench-after.out"
fi
echo "outputs in $work"
