#!/usr/bin/env bash
# Installs what the tests need, if missing. Each scripts/deps.d/*.sh is one idempotent step.
# The first step (05, the base packages the others use) runs alone; the others then run at
# once, since most of their time is spent downloading: apt-get is serialised behind a lock and
# `apt-get update` runs once. Each step's output is prefixed with its name, and its wall time
# is printed, so a slow one shows.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/gohands-deps.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GOHANDS_DEPS_WORK=$work
mkdir "$work/bin"
cat >"$work/bin/apt-get" <<'SH'
#!/bin/sh
# apt-get for concurrent steps: one at a time (dpkg's own lock fails instead of waiting), and
# the package lists fetched once per install run.
exec flock "$GOHANDS_DEPS_WORK/apt.lock" sh -c '
  for a in "$@"; do
    if [ "$a" = update ]; then
      [ -e "$GOHANDS_DEPS_WORK/updated" ] && exit 0
      /usr/bin/apt-get "$@" && touch "$GOHANDS_DEPS_WORK/updated"
      exit
    fi
  done
  exec /usr/bin/apt-get "$@"' sh "$@"
SH
chmod 755 "$work/bin/apt-get"
export PATH="$work/bin:$PATH"

run_step() {
  local step=$1 name t
  name=$(basename "$step" .sh)
  t=$SECONDS
  if bash "$step" > >(sed -u "s|^|[$name] |") 2>&1; then
    echo "== deps: $name done in $((SECONDS - t))s"
  else
    echo "== deps: $name FAILED after $((SECONDS - t))s"
    return 1
  fi
}

total=$SECONDS
steps=(scripts/deps.d/*.sh)
run_step "${steps[0]}"
pids=()
for step in "${steps[@]:1}"; do
  run_step "$step" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do
  wait "$p" || rc=1
done
echo "== deps: all done in $((SECONDS - total))s"
exit $rc
