#!/usr/bin/env bash
# Container tools for the runtime image tests: podman (its Docker-compatible API service is the
# engine the tests build against), buildah, skopeo, runc, debootstrap (a base image made without
# a registry). Writes the /etc/containers config from shared/notes/environment.md only when it is
# absent or different. Idempotent.
set -euo pipefail

need=()
for p in podman buildah skopeo runc debootstrap; do
  command -v "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then echo "missing: ${need[*]} (run as root to install)"; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    podman buildah skopeo runc debootstrap >/dev/null
fi

[ "$(id -u)" -eq 0 ] || exit 0

# put_file PATH CONTENT: writes CONTENT only when the file is absent or different.
put_file() {
  local path=$1 content=$2
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then return 0; fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" >"$path.tmp.$$"
  mv "$path.tmp.$$" "$path"
  echo "wrote $path"
}

# vfs: one driver chosen before the first use (a later switch fails with "database
# configuration mismatch"). An existing store keeps its driver: switching would orphan it.
if [ ! -f /etc/containers/storage.conf ] || ! grep -q '^driver' /etc/containers/storage.conf; then
  put_file /etc/containers/storage.conf '[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"'
fi

# runc: crun fails on this machine's hybrid cgroups. The ulimits: without CAP_SYS_RESOURCE
# podman's default rlimits cannot be set.
put_file /etc/containers/containers.conf '[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"'
