#!/usr/bin/env bash
# Lints every GitHub Actions workflow with actionlint (installed by scripts/deps.d/45-actionlint.sh).
# shellcheck and pyflakes integrations are used when they are on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
[ ${#files[@]} -gt 0 ] || { echo "no workflows"; exit 0; }
"$(go env GOPATH)/bin/actionlint" "${files[@]}"
echo "actionlint: ${#files[@]} workflow(s) clean"
