#!/usr/bin/env bash
# Installs what the tests need, if missing. Each scripts/deps.d/*.sh is one idempotent step;
# each step's wall time is printed, so a slow one shows.
set -euo pipefail
cd "$(dirname "$0")/.."
total=$SECONDS
for step in scripts/deps.d/*.sh; do
  [ -e "$step" ] || continue
  echo "== deps: $step"
  t=$SECONDS
  bash "$step"
  echo "== deps: $step done in $((SECONDS - t))s"
done
echo "== deps: all done in $((SECONDS - total))s"
