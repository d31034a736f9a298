#!/usr/bin/env bash
# SWE-ReX 1.4.0 (the reference server and its real client) plus pytest for the SWE-ReX door's
# compatibility tests (test/swerex), from PyPI into a venv at $GOHANDS_SWEREX_VENV.
# aiohttp is the client's transport; pytest-asyncio runs SWE-ReX's async tests. Debian's
# python (3.11) satisfies swe-rex's requires-python >= 3.10.
set -euo pipefail
. "$(dirname "$0")/../lib/venv.sh"
ensure_cmd less less # SWE-ReX's pager test runs `less`
venv="${GOHANDS_SWEREX_VENV:-/opt/gohands/swerex-venv}"
ensure_venv "$venv" "swe-rex==1.4.0 aiohttp pytest pytest-asyncio requests" \
  "'$venv/bin/python' -c 'import swerex, aiohttp, pytest, pytest_asyncio'" || true
