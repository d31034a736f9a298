#!/usr/bin/env bash
# Debian packages the shell tests use: bash, a C toolchain for the race detector, ps, git, curl,
# python3, node (a REPL that echoes its own input) and useradd. Installs only what is missing.
set -euo pipefail
declare -A pkg=([bash]=bash [gcc]=gcc [ps]=procps [git]=git [curl]=curl [python3]=python3 [useradd]=passwd [node]=nodejs)
need=()
for cmd in "${!pkg[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || need+=("${pkg[$cmd]}")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then echo "missing: ${need[*]} (run as root to install)"; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
