#!/usr/bin/env bash
# Makes (once) the two local images the real runtime-build test uses, without any registry:
#   base: Debian bookworm minbase from Debian's archive (debootstrap), trimmed of docs, man
#         pages, locales and apt lists (~80 MB), imported with `<cli> import`;
#   go:   the same root file system plus this machine's Go toolchain at /usr/local/go (the
#         compile stage's GO_IMAGE; golang images come from Docker Hub, which is not reachable).
# Existing images are reused; the debootstrap tree is cached in $GOHANDS_CACHE (default
# ~/.cache/gohands). Prints `base=IMAGE` and `go=IMAGE`.
# Usage: podman-test-images.sh [CLI]   (CLI: podman (default) or docker)
set -euo pipefail
# shellcheck source=containers-env.sh
. "$(dirname "$0")/containers-env.sh"
cli=${1:-podman}
goroot=$(go env GOROOT)
gover=$(go env GOVERSION); gover=${gover#go}
base=localhost/gohands-test-base:bookworm
goimg=localhost/gohands-test-go:$gover
cache=${GOHANDS_CACHE:-$HOME/.cache/gohands}
rootfs=$cache/rootfs-bookworm

exists() { "$cli" image inspect "$1" >/dev/null 2>&1; }

if ! exists "$base" || ! exists "$goimg"; then
  if [ ! -x "$rootfs/bin/bash" ]; then
    command -v debootstrap >/dev/null || { echo "debootstrap is not installed (scripts/deps.d/40-podman.sh)" >&2; exit 1; }
    rm -rf "$rootfs.tmp"
    mkdir -p "$cache"
    debootstrap --variant=minbase bookworm "$rootfs.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 || {
      tail -20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs.tmp"/var/cache/apt/archives/*.deb "$rootfs.tmp"/var/cache/apt/*.bin "$rootfs.tmp"/var/lib/apt/lists/* \
      "$rootfs.tmp"/usr/share/doc "$rootfs.tmp"/usr/share/man "$rootfs.tmp"/usr/share/locale "$rootfs.tmp"/usr/share/info
    mv "$rootfs.tmp" "$rootfs"
  fi
  if ! exists "$base"; then
    tar -C "$rootfs" -c . | "$cli" import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
  fi
  if ! exists "$goimg"; then
    tar -c -C "$rootfs" . -C "$(dirname "$goroot")" --exclude="$(basename "$goroot")/test" \
        --exclude="$(basename "$goroot")/api" --exclude="$(basename "$goroot")/misc" \
        --transform "s,^$(basename "$goroot"),./usr/local/go," "$(basename "$goroot")" |
      "$cli" import --change 'ENV PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV HOME=/root' --change 'CMD ["/bin/bash"]' - "$goimg" >/dev/null
  fi
fi
echo "base=$base"
echo "go=$goimg"
