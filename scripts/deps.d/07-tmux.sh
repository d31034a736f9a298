#!/usr/bin/env bash
# tmux: shell/screen_test.go renders the same output in a real tmux (the reference's renderer)
# and compares.
set -euo pipefail
command -v tmux >/dev/null 2>&1 && exit 0
if [ "$(id -u)" -ne 0 ]; then echo "missing: tmux (run as root to install)"; exit 1; fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tmux >/dev/null
