#!/usr/bin/env bash
# Installs what the tests need, if missing. Each scripts/deps.d/*.sh is one idempotent step.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/deps.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== deps: $step"
  bash "$step"
done
