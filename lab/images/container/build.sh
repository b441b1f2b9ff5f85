#!/usr/bin/env bash
# Recipe of the container image: a Debian 12 (bookworm) root filesystem with
# systemd as PID 1, imported into docker as IMAGE. Called by lab/bin/lab-image
# (which checks root, disk, mirror and docker first); every file in this
# directory is part of the recipe hash, so editing any of them rebuilds.
# usage: build.sh IMAGE RECIPE_HASH WORKDIR DEB_CACHE
set -euo pipefail
image=$1 hash=$2 work=$3 debs=$4
here=$(cd "$(dirname "$0")" && pwd)
mirror=${LAB_MIRROR:-http://deb.debian.org/debian}
root=$work/rootfs

pkgs=$(grep -Ev '^\s*(#|$)' "$here/packages.txt" | paste -sd, -)
mkdir -p "$root" "$debs"
debootstrap --variant=minbase --cache-dir="$debs" --include="$pkgs" \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; echo "debootstrap failed (log above)" >&2; exit 1; }

# apt sources: the real Debian mirror, as on a server, so roles can install.
rm -f "$root/etc/apt/sources.list"
install -m 0644 "$here/debian.sources" "$root/etc/apt/sources.list.d/debian.sources"
install -m 0644 "$here/nodoc.dpkg.cfg" "$root/etc/dpkg/dpkg.cfg.d/lab-nodoc"

# systemd inside an unprivileged container: nothing to do on consoles and
# kernel filesystems the container cannot mount; an empty machine-id makes
# systemd generate one per container at boot.
for unit in getty.target console-getty.service systemd-udevd.service \
    systemd-remount-fs.service sys-kernel-config.mount sys-kernel-debug.mount \
    sys-kernel-tracing.mount sys-fs-fuse-connections.mount dev-hugepages.mount \
    systemd-modules-load.service systemd-firstboot.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/etc/hostname"
ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"

# Small image: no apt lists, no downloaded packages, no logs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
       "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log \
       "$root"/tmp/* "$root"/var/tmp/*
# An old mtime on the (empty) lists: ansible.builtin.apt with cache_valid_time
# then knows the cache is stale and runs apt-get update before installing.
mkdir -p "$root/var/lib/apt/lists/partial"
touch -d 2000-01-01 "$root/var/lib/apt/lists/partial" "$root/var/lib/apt/lists"

tar --numeric-owner -C "$root" -c . | docker import \
  --change 'CMD ["/sbin/init"]' \
  --change 'ENV container=docker' \
  --change "LABEL org.cloudstack-lab.recipe=$hash" \
  --change 'LABEL org.cloudstack-lab.recipe-path=lab/images/container' \
  - "$image" >/dev/null
