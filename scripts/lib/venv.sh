# Sourced by the scripts/deps.d steps (not a step itself: install-deps runs only deps.d/*.sh).

# ensure_venv VENV "PKGS" CHECK: a venv at VENV on Debian's python (not a pyenv under /root, so a
# non-root sandbox user can run it) holding PKGS from PyPI. A stamp file records the package
# set; when it matches and the shell test CHECK passes, nothing is done. Returns 0 when it
# (re)built the venv, 1 when it was already in place, so a step can add what follows a build.
ensure_venv() {
  local venv=$1 pkgs=$2 check=$3 stamp="$1/.gohands-stamp"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ] && eval "$check" >/dev/null 2>&1; then
    return 1
  fi
  if ! /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3 python3-venv >/dev/null
  fi
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  /usr/bin/python3 -m venv "$venv"
  # shellcheck disable=SC2086 # the package list is meant to split
  "$venv/bin/pip" install -q --disable-pip-version-check $pkgs
  chmod -R a+rX "$venv"
  echo "$pkgs" > "$stamp"
}

# ensure_cmd CMD PKG: installs the Debian package PKG when CMD is not on PATH.
ensure_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -ne 0 ]; then echo "missing: $2 (run as root to install)"; return 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2" >/dev/null
}
