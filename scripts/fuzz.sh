#!/usr/bin/env bash
# Runs every Fuzz* target for a short time ($1, default 10s). go test -fuzz takes one target at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-10s}"
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
  pkg="./$(dirname "${f#./}")"
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    echo "== fuzz $pkg $fn ($t)"
    CGO_ENABLED=1 go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" "$pkg"
  done
done
