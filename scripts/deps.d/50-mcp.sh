#!/usr/bin/env bash
# Real MCP servers and clients for the mcp package's tests (issue 10):
#   $GOHANDS_MCP_VENV (/opt/gohands/mcp): mcp-server-time and mcp-server-fetch (stdio servers; fetch
#     is the one the reference's test_mcp_action.py uses) and the Python
#     clients the backend uses: the `mcp` SDK and fastmcp pinned to openhands-ai 0.62's lock
#     (fastmcp 2.12.4).
#   $GOHANDS_MCP_NPM (/opt/gohands/mcp-npm): @modelcontextprotocol/server-filesystem and
#     server-everything (stdio servers on node).
# The venv uses Debian's python so that a non-root sandbox user can run it. A stamp file
# records the package set: a second run is a no-op.
set -euo pipefail
. "$(dirname "$0")/../lib/venv.sh"
venv="${GOHANDS_MCP_VENV:-/opt/gohands/mcp}"
npmdir="${GOHANDS_MCP_NPM:-/opt/gohands/mcp-npm}"
pkgs="fastmcp==2.12.4 mcp==1.30.0 mcp-server-time==2026.10.10 mcp-server-fetch==2026.10.10"
npkgs="@modelcontextprotocol/server-filesystem@2026.8.31 @modelcontextprotocol/server-everything@2026.8.31"

if ensure_venv "$venv" "$pkgs" \
  "[ -x '$venv/bin/mcp-server-time' ] && [ -x '$venv/bin/mcp-server-fetch' ] && [ -x '$venv/bin/fastmcp' ]"; then
  # mcp-server-fetch's readabilipy installs its node modules on first use, into the venv, from
  # the npm registry: do it now, not in the middle of a test (nor as a sandbox user who cannot).
  if command -v node >/dev/null; then
    "$venv/bin/python" -c 'from readabilipy.simple_json import have_node; assert have_node()' \
      || { rm -f "$venv/.gohands-stamp"; exit 1; }
    chmod -R a+rX "$venv"
  fi
fi

nstamp="$npmdir/.gohands-stamp"
if ! { [ -f "$nstamp" ] && [ "$(cat "$nstamp")" = "$npkgs" ] && [ -x "$npmdir/bin/mcp-server-filesystem" ] && [ -x "$npmdir/bin/mcp-server-everything" ]; }; then
  command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 1; }
  export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
  rm -rf "$npmdir"
  mkdir -p "$npmdir"
  # shellcheck disable=SC2086
  npm install -g --prefix "$npmdir" $npkgs >/dev/null
  chmod -R a+rX "$npmdir"
  echo "$npkgs" > "$nstamp"
fi
