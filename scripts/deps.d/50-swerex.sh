#!/usr/bin/env bash
# SWE-ReX 1.4.0 (the reference server and its real client) plus pytest for the SWE-ReX door's
# compatibility tests (test/swerex), from PyPI into a venv at $GOHANDS_SWEREX_VENV.
# aiohttp is the client's transport; pytest-asyncio runs SWE-ReX's async tests. Debian's
# python (3.11) satisfies swe-rex's requires-python >= 3.10. A stamp file records the package
# set: a second run is a no-op.
set -euo pipefail
# SWE-ReX's pager test runs `less`.
if ! command -v less >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends less >/dev/null
fi
venv="${GOHANDS_SWEREX_VENV:-/opt/gohands/swerex-venv}"
pkgs="swe-rex==1.4.0 aiohttp pytest pytest-asyncio requests"
stamp="$venv/.gohands-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ] && "$venv/bin/python" -c 'import swerex, aiohttp, pytest, pytest_asyncio' 2>/dev/null; then
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
