#!/usr/bin/env bash
# The property tests of the three outside-text readers (front matter / agent files, Claude Code
# log lines, config files), SCALE times the cases of a normal test run (default 10: 10,000
# agent files, 20,000 log lines, 4,000 config files). Prints proptest's result per target.
#   scripts/fuzz.sh [SCALE]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DEVTEAM_FUZZ_SCALE="${1:-10}" cargo test --release --bin devteam fuzz_tests -- --nocapture
