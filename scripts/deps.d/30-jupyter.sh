#!/usr/bin/env bash
# Jupyter for the jupyter plugin's tests: the reference's own stack (jupyter_kernel_gateway +
# ipykernel) plus matplotlib for the image test, from PyPI into a venv at $GOHANDS_JUPYTER_VENV.
# The venv uses Debian's python (not a pyenv under /root) so a non-root sandbox user can run it.
# A stamp file records the package set: a second run is a no-op.
set -euo pipefail
venv="${GOHANDS_JUPYTER_VENV:-/opt/gohands/jupyter}"
pkgs="jupyter_kernel_gateway ipykernel matplotlib"
stamp="$venv/.gohands-stamp"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ] && "$venv/bin/python" -c 'import kernel_gateway, ipykernel, matplotlib' 2>/dev/null; then
  exit 0
fi
if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
fi
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check $pkgs
chmod -R a+rX "$venv"
echo "$pkgs" > "$stamp"
