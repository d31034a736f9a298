#!/usr/bin/env bash
# Runs a command with TMPDIR in a fresh directory, then names what the command left there (a
# test that forgot to clean up) and removes it all, so that a test run leaves nothing behind
# in /tmp. The command's exit status is kept.
set -uo pipefail
dir=$(mktemp -d "${TMPDIR:-/tmp}/gohands-test.XXXXXX") || exit 1
chmod 1777 "$dir" # as /tmp: a test's sandbox user must reach its own files in there
# bash's history goes there too: the servers the tests start run bash as root, with HOME=/root.
TMPDIR=$dir HISTFILE=$dir/.bash_history "$@"
rc=$?
left=$(cd "$dir" && find . -mindepth 1 -maxdepth 1 ! -name 'go-build*' ! -name .bash_history | sort)
if [ -n "$left" ]; then
  echo "in-temp-dir: left behind by the run (removed now):"
  echo "$left" | sed 's/^/  /' | head -50
fi
chmod -R u+rwX "$dir" 2>/dev/null
rm -rf "$dir"
exit $rc
