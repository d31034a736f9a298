#!/usr/bin/env bash
# Debian packages the shell tests use: bash, a C toolchain for the race detector, procps, git, curl.
set -euo pipefail
need=()
for p in bash gcc procps git curl python3; do
  command -v "$p" >/dev/null 2>&1 || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then echo "missing: ${need[*]} (run as root to install)"; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]/procps/procps}" >/dev/null
