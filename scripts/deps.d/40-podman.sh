#!/usr/bin/env bash
# Container tools for the runtime image tests: podman (its Docker-compatible API service is the
# engine the tests build against), buildah, skopeo, runc, debootstrap (a base image made without
# a registry). Idempotent.
#
# The settings these tools need here (shared/notes/environment.md: runc, not crun; ulimits that
# fit without CAP_SYS_RESOURCE; one storage driver chosen before the first use) go into the
# project's own files under $GOHANDS_CONTAINERS_DIR (default /opt/gohands/containers), with a
# store of its own: the machine's /etc/containers and /var/lib/containers are never written.
# scripts/containers-env.sh points podman, buildah and skopeo at them.
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

dir="${GOHANDS_CONTAINERS_DIR:-/opt/gohands/containers}"
graphroot="${GOHANDS_CONTAINERS_STORE:-/var/lib/gohands/containers/storage}"
runroot=/run/gohands/containers

# put_file PATH CONTENT: writes CONTENT only when the file is absent or different.
put_file() {
  local path=$1 content=$2
  if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then return 0; fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" >"$path.tmp.$$"
  mv "$path.tmp.$$" "$path"
  echo "wrote $path"
}

# The driver is chosen once, before the store's first use (a later switch fails with "database
# configuration mismatch"): overlay when the kernel mounts it (layers are shared, not copied:
# the runtime image builds several times faster than on vfs), else vfs. An existing store
# keeps its driver.
driver=$(sed -n 's/^driver = "\(.*\)"/\1/p' "$dir/storage.conf" 2>/dev/null || true)
if [ -z "$driver" ] || [ ! -d "$graphroot" ]; then
  driver=vfs
  probe=$(mktemp -d)
  mkdir "$probe"/{l,u,w,m}
  if mount -t overlay overlay -o "lowerdir=$probe/l,upperdir=$probe/u,workdir=$probe/w" "$probe/m" 2>/dev/null; then
    umount "$probe/m"
    driver=overlay
  fi
  rm -rf "$probe"
fi
put_file "$dir/storage.conf" "[storage]
driver = \"$driver\"
runroot = \"$runroot\"
graphroot = \"$graphroot\""

# runc: crun fails on this machine's hybrid cgroups. The ulimits: without CAP_SYS_RESOURCE
# podman's default rlimits cannot be set.
put_file "$dir/containers.conf" '[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"'

# No registry is searched for short names: the tests use localhost/ images only.
put_file "$dir/registries.conf" 'unqualified-search-registries = []
short-name-mode = "permissive"'
