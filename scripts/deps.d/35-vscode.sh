#!/usr/bin/env bash
# A VS Code server that takes openvscode-server's flags, for the vscode plugin's tests.
# openvscode-server itself is on neither npm nor Debian here; code-server (npm) bundles the same
# VS Code REH-web server (out/server-main.js), which accepts --host/--port/--connection-token/
# --server-base-path exactly as openvscode-server does. Recipe: shared notes, environment.md §3.
# Result: $GOHANDS_OVS_ROOT/bin/openvscode-server, an openvscode-server-shaped root.
# A stamp file makes a second run a no-op.
set -euo pipefail
ver=4.100.3                                   # last code-server release that runs on node 20
prefix="${GOHANDS_CODE_SERVER_PREFIX:-/opt/code-server}"
root="${GOHANDS_OVS_ROOT:-/opt/gohands/openvscode-server}"
cs="$prefix/lib/node_modules/code-server"
stamp="$root/.gohands-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ver" ] && [ -f "$cs/lib/vscode/out/server-main.js" ]; then
  exit 0
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed"; exit 1; }
need=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
command -v g++ >/dev/null 2>&1 || need+=(g++ make)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
if [ ! -f "$cs/lib/vscode/out/server-main.js" ] || [ ! -f "$cs/.gohands-built" ]; then
  rm -rf "$cs"
  npm install -g --ignore-scripts --prefix "$prefix" "code-server@$ver" >/dev/null
  (cd "$cs" && npm rebuild argon2 --build-from-source >/dev/null)
  cd "$cs/lib/vscode"
  npm install --omit=dev --ignore-scripts >/dev/null
  npm rebuild @parcel/watcher @vscode/deviceid @vscode/spdlog kerberos native-watchdog node-pty >/dev/null
  mkdir -p node_modules/@vscode/ripgrep/bin && cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
  rm -rf node_modules.asar && ln -s node_modules node_modules.asar
  (cd bin/remote-cli && ln -sf code-linux.sh code-server)
  (cd bin/helpers && ln -sf browser-linux.sh browser.sh)
  (cd extensions && npm install --omit=dev >/dev/null)
  touch "$cs/.gohands-built"
fi
mkdir -p "$root/bin"
cat > "$root/bin/openvscode-server" <<SH
#!/bin/sh
# openvscode-server-shaped launcher for the VS Code server bundled in code-server $ver.
exec node "$cs/lib/vscode/out/server-main.js" --accept-server-license-terms "\$@"
SH
chmod 755 "$root/bin/openvscode-server"
chmod -R a+rX "$prefix" "$root"
echo "$ver" > "$stamp"
