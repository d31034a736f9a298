#!/usr/bin/env bash
# Check gohands against the REAL OpenHands client code (openhands-ai 0.62.0 from PyPI): see
# test/compat/README.md. Not part of `make test` (it needs PyPI for the first install and takes
# a few minutes). Run as root: the server runs bash as root inside a private mount namespace.
#
#   scripts/compat-check.sh                 # gohands, every case without Jupyter
#   scripts/compat-check.sh --jupyter       # also the IPython cases (scripts/deps.d/30-jupyter.sh)
#   scripts/compat-check.sh --reference     # the same cases against the reference's own server
#   scripts/compat-check.sh --diff          # both servers, then every response that differs
#   scripts/compat-check.sh --user          # gohands with a fresh sandbox user per case (as openhands)
#   scripts/compat-check.sh --mcp           # the MCP proxy side by side with the reference's
#                                           #   (needs scripts/deps.d/50-mcp.sh)
#   scripts/compat-check.sh -- -k aci -v    # anything after -- goes to real_client_check.py
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${GOHANDS_COMPAT_VENV:-/tmp/gohands-compat-venv}"
out="${GOHANDS_COMPAT_OUT:-/tmp/gohands-compat}"
version=0.62.0

# openhands-ai 0.62.0 needs Python 3.12 or 3.13.
# (A pyenv shim exists for every installed version but fails unless that version is selected,
# so each candidate must actually run.)
find_python() {
  local p
  for p in python3.12 python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 /root/.pyenv/versions/3.13*/bin/python3.13; do
    if "$p" -c 'import sys, venv; sys.exit(sys.version_info[:2] not in ((3, 12), (3, 13)))' >/dev/null 2>&1; then
      command -v "$p"
      return
    fi
  done
  echo "compat-check: no Python 3.12/3.13 found (openhands-ai $version requires one)" >&2
  exit 2
}

if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('openhands-ai') != '$version' or m.version('chardet') != '5.2.0')" 2>/dev/null; then
  rm -rf "$venv"
  "$(find_python)" -m venv "$venv"
  # chardet as in the reference's lock file: binaryornot 0.4.4 decides "binary" through
  # chardet, and the newest chardet (7.x) changes those answers (and crashes it on NUL runs).
  "$venv/bin/pip" install -q --disable-pip-version-check "openhands-ai==$version" "chardet==5.2.0"
fi

mode=gohands jupyter=() user=() extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --jupyter) jupyter=(--jupyter) ;;
    --user) user=(--user) ;;
    --reference) mode=reference ;;
    --diff) mode=diff ;;
    --mcp) mode=mcp ;;
    --) shift; extra=("$@"); break ;;
    *) echo "compat-check: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$out"
CGO_ENABLED=0 go build -o "$out/action-execution-server" ./cmd/action-execution-server
check=(env LOG_LEVEL=WARNING "$venv/bin/python" test/compat/real_client_check.py "${jupyter[@]}")
case "$mode" in
  gohands) "${check[@]}" --binary "$out/action-execution-server" "${user[@]}" "${extra[@]}" ;;
  reference) "${check[@]}" --binary reference "${extra[@]}" ;;
  mcp) LOG_LEVEL=WARNING "$venv/bin/python" test/compat/mcp_side_by_side.py --binary "$out/action-execution-server" ;;
  diff)
    rc=0
    "${check[@]}" --binary reference --record "$out/reference.json" "${extra[@]}" || rc=1
    "${check[@]}" --binary "$out/action-execution-server" --record "$out/gohands.json" "${extra[@]}" || rc=1
    "$venv/bin/python" test/compat/real_client_check.py --compare "$out/reference.json" "$out/gohands.json" || rc=1
    exit $rc
    ;;
esac
