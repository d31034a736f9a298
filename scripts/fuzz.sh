#!/usr/bin/env bash
# Runs every Fuzz* target for $1 (default 1m), $FUZZ_JOBS targets at a time (default 1).
# go test -fuzz takes one target per run. With several jobs, each target's output is printed
# when it ends; the exit status is non-zero when any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
t="${1:-1m}"
jobs="${FUZZ_JOBS:-1}"
out=$(mktemp -d "${TMPDIR:-/tmp}/gohands-fuzz.XXXXXX")
trap 'rm -rf "$out"' EXIT

targets=()
while read -r f; do
  pkg="./$(dirname "${f#./}")"
  for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //'); do
    targets+=("$pkg $fn")
  done
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sort)

run() {
  local pkg=$1 fn=$2 log=$3
  {
    echo "== fuzz $pkg $fn ($t)"
    if CGO_ENABLED=1 go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$t" -parallel "$((($(nproc) + jobs - 1) / jobs))" "$pkg"; then
      echo ok >"$log.ok"
    fi
  } >"$log" 2>&1
  cat "$log"
}

i=0
for target in "${targets[@]}"; do
  # shellcheck disable=SC2086 # "pkg fn"
  run $target "$out/$i" &
  i=$((i + 1))
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
done
wait
failed=0
for ((j = 0; j < i; j++)); do
  [ -e "$out/$j.ok" ] || { echo "FAILED: ${targets[$j]}"; failed=1; }
done
exit $failed
