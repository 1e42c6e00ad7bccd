#!/usr/bin/env bash
# Proves the stand-in speaks the real wire format: runs Anthropic's official Python SDK
# (tests/python/test_sdk.py) against a freshly built `standin` on a free loopback port.
# The SDK goes into a venv under the cargo target dir, installed from PyPI on first use.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$target/python-sdk-venv"
key="sk-standin-sdk-test"

cargo build --quiet -p devteam-standin --bin standin

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import anthropic, pytest' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check anthropic pytest
fi

log="$(mktemp)"
"$target/debug/standin" --api-key "$key" >"$log" 2>&1 &
pid=$!
cleanup() {
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT

# The binary prints `listening on http://127.0.0.1:PORT` first; wait up to 10 s for it.
line=""
for _ in $(seq 1 100); do
    line="$(head -n 1 "$log" 2>/dev/null || true)"
    [[ "$line" == listening\ on\ * ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "standin exited early:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ "$line" != listening\ on\ * ]]; then
    echo "standin did not report its address" >&2
    exit 1
fi
url="${line#listening on }"
echo "standin at $url; anthropic $("$venv/bin/python" -c 'import anthropic; print(anthropic.__version__)')"

# Both credentials set would be a 401 by design, so only the key is passed.
env -u ANTHROPIC_AUTH_TOKEN ANTHROPIC_BASE_URL="$url" ANTHROPIC_API_KEY="$key" \
    "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/python/test_sdk.py "$@"
