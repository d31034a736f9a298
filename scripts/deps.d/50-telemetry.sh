#!/usr/bin/env bash
# Telemetry tests: sudo (the input-wait detector must see a sudo password prompt) and a venv
# with the `websockets` client for the end-to-end stream test (its SSE client is stdlib), at
# $GOHANDS_TELEMETRY_VENV. A stamp file records the package set: a second run is a no-op.
set -euo pipefail
if ! command -v sudo >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "missing: sudo (run as root to install)"; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null
fi
venv="${GOHANDS_TELEMETRY_VENV:-/opt/gohands/telemetry}"
pkgs="websockets==15.0.1"
stamp="$venv/.gohands-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ] && "$venv/bin/python" -c 'import websockets' 2>/dev/null; then
  exit 0
fi
if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check $pkgs
chmod -R a+rX "$venv"
echo "$pkgs" > "$stamp"
