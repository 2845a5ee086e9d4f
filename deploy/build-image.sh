#!/usr/bin/env bash
# Builds the converge container image from deploy/Dockerfile with podman
# (`make image`). Run as root from the repository root: podman, buildah and
# debootstrap share root's container storage.
#
# No registry is reachable from the build machines, so when debian:bookworm or
# debian:bookworm-slim is missing it makes them: one `debootstrap --variant=minbase
# bookworm` from the Debian mirror apt is configured with (DEBIAN_MIRROR overrides
# it), imported once and tagged under both names. Its apt sources are the host's
# bookworm, bookworm-updates and bookworm-security mirrors, as in Debian's own
# images, so the image gets security updates. The build never pulls.
#
# Usage: deploy/build-image.sh IMAGE    e.g. converge:0.1.0
set -euo pipefail

image=${1:?usage: deploy/build-image.sh IMAGE (e.g. converge:0.1.0)}
base_names=(debian:bookworm debian:bookworm-slim)

fail() {
  echo "make image: $*" >&2
  exit 1
}

# The mirror serving SUITE/main in apt's configuration, e.g. http://deb.debian.org/debian
# for bookworm; empty when apt has none.
configured_mirror() {
  apt-cache policy 2>/dev/null | awk -v suite="$1/main" '$3 == suite { print $2; exit }'
}

# The image's /etc/apt/sources.list: MIRROR's bookworm, and the host's
# bookworm-updates and bookworm-security mirrors when apt is configured with them.
sources_list() {
  local mirror=$1 suite url
  echo "deb $mirror bookworm main"
  for suite in bookworm-updates bookworm-security; do
    url=$(configured_mirror "$suite")
    if [ -n "$url" ]; then echo "deb $url $suite main"; fi
  done
}

# As Debian's own images: no documentation (but the copyright files), manual pages
# or translations in ROOTFS, neither now nor from packages installed later (dpkg
# path-exclude).
slim() {
  local rootfs=${1:?slim: no root file system given}
  case "$rootfs" in
    /var/tmp/converge-bookworm.*) ;;
    *) fail "slim: $rootfs is not a root file system this script made" ;;
  esac
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
    'path-exclude /usr/share/man/*' 'path-exclude /usr/share/groff/*' \
    'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
    'path-exclude /usr/share/lintian/*' >"$rootfs/etc/dpkg/dpkg.cfg.d/excludes"
  find "$rootfs/usr/share/doc" \( -type f -o -type l \) ! -name copyright -delete
  find "$rootfs/usr/share/man" "$rootfs/usr/share/groff" "$rootfs/usr/share/info" \
    "$rootfs/usr/share/locale" "$rootfs/usr/share/lintian" -mindepth 1 -delete 2>/dev/null || true
}

make_base_images() {
  local mirror=${DEBIAN_MIRROR:-$(configured_mirror bookworm)}
  mirror=${mirror:-http://deb.debian.org/debian}
  local rootfs
  rootfs=$(mktemp -d /var/tmp/converge-bookworm.XXXXXX)
  # shellcheck disable=SC2064  # expand now: the trap runs after rootfs is out of scope
  trap "rm -rf '$rootfs'" EXIT
  echo "make image: no ${base_names[*]} in podman's storage; debootstrap --variant=minbase bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2
    rm -f "$rootfs.log"
    fail "debootstrap bookworm from $mirror failed (log above); check the mirror or set DEBIAN_MIRROR"
  }
  rm -f "$rootfs.log"
  sources_list "$mirror" >"$rootfs/etc/apt/sources.list"
  slim "$rootfs"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
  tar --numeric-owner -C "$rootfs" -c . |
    podman import --change 'CMD ["bash"]' --message "debootstrap --variant=minbase bookworm $mirror" \
      - "${base_names[0]}" >/dev/null || fail "podman import of the bookworm root file system failed"
  podman tag "${base_names[0]}" "${base_names[1]}"
  rm -rf "$rootfs"
  trap - EXIT
}

missing_base=0
for name in "${base_names[@]}"; do
  podman image exists "$name" || missing_base=1
done
if [ "$missing_base" = 1 ]; then
  make_base_images
fi

# --layers keeps each step's result, so a rebuild with unchanged sources is quick.
podman build --isolation chroot --pull=never --layers \
  --ignorefile deploy/Dockerfile.dockerignore -f deploy/Dockerfile -t "$image" . ||
  fail "podman build of deploy/Dockerfile failed (output above)"

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "make image: built $image, $((size / 1000000)) MB ($size bytes)"
