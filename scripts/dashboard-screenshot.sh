#!/usr/bin/env bash
# Regenerates docs/dashboard.png: a store of 30,000 generated calls over 30 days with a daily
# budget, its dashboard, and a headless-Chromium screenshot (quantized with pngquant when it is
# installed, to keep the committed file small). Rerunnable; the data is fixed by the seed and
# the end date, so only rendering differences change the picture.
#   scripts/dashboard-screenshot.sh [OUT.png]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${1:-docs/dashboard.png}"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$root/target}/release/devteam"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/usage.db"
end_ms=1774915200000 # 2026-03-31T00:00:00Z
"$bin" --db "$db" -q usage summary >/dev/null
python3 scripts/gen_calls.py "$db" 30000 --days 30 --end-ms "$end_ms" --budget daily:45
"$bin" --db "$db" usage report --html "$work/dashboard.html" --until 2026-03-30 --timezone UTC
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$work/profile" --hide-scrollbars \
    --window-size=1280,2010 --screenshot="$work/shot.png" "file://$work/dashboard.html" 2>/dev/null
if command -v pngquant >/dev/null; then
    pngquant --force --quality 70-95 --output "$out" "$work/shot.png"
else
    cp "$work/shot.png" "$out"
fi
echo "wrote $out ($(( $(stat -c %s "$out") / 1024 )) KB)"
