# Sourced (bash): points podman, buildah and skopeo at the project's own container config,
# written by scripts/deps.d/40-podman.sh, instead of the machine's /etc/containers.
_gohands_containers="${GOHANDS_CONTAINERS_DIR:-/opt/gohands/containers}"
if [ -f "$_gohands_containers/storage.conf" ]; then
  export CONTAINERS_CONF="$_gohands_containers/containers.conf"
  export CONTAINERS_STORAGE_CONF="$_gohands_containers/storage.conf"
  export CONTAINERS_REGISTRIES_CONF="$_gohands_containers/registries.conf"
fi
unset _gohands_containers
