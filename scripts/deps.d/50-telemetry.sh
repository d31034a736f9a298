#!/usr/bin/env bash
# Telemetry tests: sudo (the input-wait detector must see a sudo password prompt) and a venv
# with the `websockets` client for the end-to-end stream test (its SSE client is stdlib), at
# $GOHANDS_TELEMETRY_VENV.
set -euo pipefail
. "$(dirname "$0")/../lib/venv.sh"
ensure_cmd sudo sudo
venv="${GOHANDS_TELEMETRY_VENV:-/opt/gohands/telemetry}"
ensure_venv "$venv" "websockets==15.0.1" "'$venv/bin/python' -c 'import websockets'" || true
