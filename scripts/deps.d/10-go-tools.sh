#!/usr/bin/env bash
# Go tools used by `make lint`.
set -euo pipefail
bin="$(go env GOPATH)/bin"
if [ ! -x "$bin/staticcheck" ]; then
  go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
