#!/usr/bin/env bash
# actionlint, the linter of .github/workflows (scripts/lint-workflows.sh), from the Go module proxy.
set -euo pipefail
bin="$(go env GOPATH)/bin"
if [ ! -x "$bin/actionlint" ]; then
  go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
fi
