#!/usr/bin/env bash
# Jupyter for the jupyter plugin's tests: the reference's own stack (jupyter_kernel_gateway +
# ipykernel) plus matplotlib for the image test, from PyPI into a venv at $GOHANDS_JUPYTER_VENV.
set -euo pipefail
. "$(dirname "$0")/../lib/venv.sh"
venv="${GOHANDS_JUPYTER_VENV:-/opt/gohands/jupyter}"
ensure_venv "$venv" "jupyter_kernel_gateway ipykernel matplotlib" \
  "'$venv/bin/python' -c 'import kernel_gateway, ipykernel, matplotlib'" || true
