#!/usr/bin/env bash
# Recipe of the lab VM disk: Debian 12 (bookworm) with linux-image-amd64,
# systemd, openssh-server and the packages of packages.txt, booted by qemu
# with -kernel/-initrd (no bootloader): the disk is one ext4 filesystem
# (/dev/vda), kernel and initrd are written beside it. Called by
# lab/bin/lab-image (root, disk, mirror, tools checked there); every file in
# this directory is part of the recipe hash.
# usage: build.sh OUT.qcow2 RECIPE_HASH WORKDIR DEB_CACHE PUBKEY
set -euo pipefail
out=$1 hash=$2 work=$3 debs=$4 pubkey=$5
here=$(cd "$(dirname "$0")" && pwd)
mirror=${LAB_MIRROR:-http://deb.debian.org/debian}
root=$work/rootfs
mkdir -p "$root" "$debs"

log() { printf '%s lab-image vm: %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

log "debootstrap (minbase + systemd, udev, kmod)"
debootstrap --variant=minbase --cache-dir="$debs" \
  --include=systemd-sysv,udev,kmod,dbus,initramfs-tools,zstd \
  bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; echo "debootstrap failed (log above)" >&2; exit 1; }

rm -f "$root/etc/apt/sources.list"
install -m 0644 "$here/../container/debian.sources" "$root/etc/apt/sources.list.d/debian.sources"
# Small initrd (TCG decompresses slowly): only what mounts /dev/vda.
mkdir -p "$root/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=zstd\n' >"$root/etc/initramfs-tools/conf.d/lab.conf"
printf 'virtio_pci\nvirtio_blk\nvirtio_net\next4\n' >>"$root/etc/initramfs-tools/modules"

# chroot apt-get: services must not start in the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind "$debs" "$root/var/cache/apt/archives"
cleanup() {
  for m in var/cache/apt/archives dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
pkgs=$(grep -Ev '^\s*(#|$)' "$here/packages.txt" | tr '\n' ' ')
log "apt-get install linux-image-amd64 $pkgs"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# shellcheck disable=SC2086
chroot "$root" /bin/sh -c "export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8;
  apt-get update -qq && apt-get install -y -qq --no-install-recommends linux-image-amd64 $pkgs" \
  >"$work/apt.log" 2>&1 \
  || { tail -n 30 "$work/apt.log" >&2; echo "apt-get install in the VM chroot failed (log above)" >&2; exit 1; }
cleanup; trap - EXIT
rm -f "$root/usr/sbin/policy-rc.d"

log "configuring"
echo lab >"$root/etc/hostname"
: >"$root/etc/machine-id"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf '/dev/vda / ext4 rw,noatime,errors=remount-ro 0 1\n' >"$root/etc/fstab"
ln -sf /usr/share/zoneinfo/Etc/UTC "$root/etc/localtime"
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$pubkey" "$root/root/.ssh/authorized_keys"
install -m 0755 "$here/files/lab-boot-net" "$root/usr/local/sbin/lab-boot-net"
install -m 0644 "$here/files/lab-boot-net.service" "$root/etc/systemd/system/lab-boot-net.service"
# enable, not a hand-made symlink: also the D-Bus alias networkctl talks to
chroot "$root" systemctl enable --quiet systemd-networkd.service lab-boot-net.service
# Boot fast under TCG: nothing waits for links that are the test's business,
# no periodic jobs, no getty on the (absent) VGA console.
for unit in systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer \
    e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer getty@tty1.service \
    systemd-timesyncd.service serial-getty@ttyS0.service; do
  ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# Services of the baked packages are installed but not enabled: a TCG boot
# stays short, and the roles under test enable what they need (as they must
# on a fresh server anyway).
chroot "$root" systemctl disable --quiet nfs-server.service rpcbind.service rpcbind.socket \
  iscsid.socket open-iscsi.service multipathd.service multipathd.socket \
  lvm2-monitor.service lvm2-lvmpolld.socket dm-event.socket blk-availability.service \
  chrony.service rtslib-fb-targetctl.service nfs-client.target remote-fs.target \
  networking.service NetworkManager.service NetworkManager-wait-online.service \
  NetworkManager-dispatcher.service \
  >/dev/null 2>&1 || true
chroot "$root" systemctl set-default multi-user.target >/dev/null 2>&1
# Ansible's module zips: Python compiles zip-imported code on every task,
# about half of a task's time under TCG. lab_zipcache.py (loaded by a .pth at
# every interpreter start) keeps the compiled code; it is filled here, in the
# chroot at native speed, from the controller's ansible-core and collections
# (the make setup venv, when there is one) laid out as inside the zips, so no
# guest compiles them again. Lab disks only: docs/lab.md.
pydist="$root/usr/lib/python3/dist-packages"
install -m 0644 "$here/files/lab_zipcache.py" "$pydist/lab_zipcache.py"
echo "import lab_zipcache" >"$pydist/lab-zipcache.pth"
site=$(compgen -G "$here/../../../.venv/lib/python3*/site-packages" | head -n 1 || true)
if [ -n "$site" ] && [ -d "$site/ansible/module_utils" ]; then
  log "zip-import bytecode cache from $(cd "$site" && pwd)"
  pre="$root/tmp/lab-prewarm"
  mkdir -p "$pre/ansible_collections/cloudstack/infra/plugins"
  # ansible-core and the collections the roles use (galaxy.yml's dependencies)
  (cd "$site" && find ansible/module_utils ansible/modules \
     ansible_collections/{ansible/posix,ansible/utils,community/crypto,community/general,community/mysql}/plugins/{module_utils,modules} \
     -name '*.py' -print0 2>/dev/null | xargs -0 cp --parents -t "$pre")
  cp -r "$here/../../../plugins/module_utils" "$here/../../../plugins/modules" \
    "$pre/ansible_collections/cloudstack/infra/plugins/"
  chroot "$root" python3 - /tmp/lab-prewarm <"$here/files/lab_zipcache_prewarm.py" >&2
  rm -rf "$pre"
fi
# Several TCG guests on two busy cores boot slowly: no unit may time out.
mkdir -p "$root/etc/systemd/system.conf.d"
printf '[Manager]\nDefaultTimeoutStartSec=600s\n' >"$root/etc/systemd/system.conf.d/lab-timeouts.conf"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log \
       "$root"/tmp/* "$root"/var/tmp/*
mkdir -p "$root/var/lib/apt/lists/partial"

log "kernel, initrd, filesystem"
dir=$(dirname "$out")
cp "$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)" "$dir/vmlinuz-$hash"
cp "$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n1)" "$dir/initrd-$hash"
truncate -s 8G "$work/disk.raw"
mkfs.ext4 -q -F -L labroot -d "$root" "$work/disk.raw"
qemu-img convert -O qcow2 "$work/disk.raw" "$out"
