#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's first command: on a fresh Debian machine, as root, install
# what the project needs (tests/integration/packages.txt), build it into
# build/, then format a sparse image, mount it as two hosts, put a VM disk
# on it with qemu-img from the first, write and read it back, hand a disk
# from one host to the other, show df, ls, vmfsctl info, hosts and locks,
# fsck.vmfs while mounted and after, and unmount. Leaves nothing mounted
# and removes its files, whatever happens.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${VMFS_BUILD:-$SRC/build}
cd "$SRC"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

[[ $(id -u) == 0 ]] || { echo "demo.sh: run as root (it mounts)" >&2; exit 1; }

say "packages"
mapfile -t pkgs < <(grep -v '^#' tests/integration/packages.txt | grep .)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
	echo "all ${#pkgs[@]} packages present"
fi

say "build"
if [[ -f "$BUILD/build.ninja" ]]; then
	meson setup --reconfigure "$BUILD" >/dev/null
else
	meson setup "$BUILD"
fi
ninja -C "$BUILD"
MKFS=$BUILD/mkfs/mkfs.vmfs
MOUNT=$BUILD/fs/fuse/mount.vmfs
CTL=$BUILD/tools/vmfsctl
FSCK=$BUILD/fsck/fsck.vmfs

DEMO=$(mktemp -d "${TMPDIR:-/tmp}/vmfs-demo.XXXXXX")
MNT=$DEMO/esx1
MNT2=$DEMO/esx2
cleanup() {
	set +e
	for m in "$MNT" "$MNT2"; do
		if mountpoint -q "$m" 2>/dev/null; then
			fusermount3 -u "$m" 2>/dev/null || umount -l "$m"
		fi
	done
	rm -rf --one-file-system "$DEMO"
}
trap cleanup EXIT
mkdir -p "$MNT" "$MNT2"

say "format a 100 GiB sparse image"
"$MKFS" -L demo --size 100G "$DEMO/lun.img"
ls -ls "$DEMO/lun.img"

say "mount it as two hosts, esx1 and esx2"
"$MOUNT" "$DEMO/lun.img" "$MNT" -o host=esx1
"$MOUNT" "$DEMO/lun.img" "$MNT2" -o host=esx2
mountpoint "$MNT"
mountpoint "$MNT2"

say "a VM disk: qcow2 made by qemu-img, written with qemu-io"
qemu-img create -f qcow2 "$MNT/vm1.qcow2" 20G
qemu-io -f qcow2 -c 'write -P 0x5a 0 64M' -c 'read -P 0x5a 0 64M' "$MNT/vm1.qcow2" |
	grep -E '^(wrote|read)'
qemu-img info "$MNT/vm1.qcow2"

say "a raw disk converted in, compared, converted back"
truncate -s 1G "$DEMO/disk.raw"
dd if=/dev/urandom of="$DEMO/disk.raw" bs=1M count=32 conv=notrunc status=none
qemu-img convert -p -f raw -O qcow2 "$DEMO/disk.raw" "$MNT/vm2.qcow2"
qemu-img compare "$DEMO/disk.raw" "$MNT/vm2.qcow2"
qemu-img convert -f qcow2 -O raw "$MNT/vm2.qcow2" "$MNT/vm2.raw"
cmp "$DEMO/disk.raw" "$MNT/vm2.raw" && echo "raw round trip: identical"

say "plain files, O_DIRECT"
dd if=/dev/urandom of="$DEMO/blob" bs=1M count=64 status=none
dd if="$DEMO/blob" of="$MNT/blob" bs=1M oflag=direct status=progress
md5sum "$DEMO/blob" "$MNT/blob"

say "what it looks like"
df -h "$MNT"
ls -ls "$MNT"
"$CTL" info "$DEMO/lun.img"

say "hosts: both heartbeat in their slots"
"$CTL" hosts "$DEMO/lun.img"

say "esx2 sees what esx1 wrote; a disk esx1 holds open is busy on esx2"
md5sum "$MNT2/blob"
exec 3>>"$MNT/vm2.raw"
"$CTL" locks "$MNT"
echo x >>"$MNT2/vm2.raw" || echo "(esx2 may not write it while esx1 has it open)"
exec 3>&-

say "hand the disk over: esx1 closed it, esx2 opens it and writes"
dd if=/dev/urandom of="$MNT2/vm2.raw" bs=1M count=1 seek=100 conv=notrunc,fsync status=none
qemu-img compare "$MNT/vm2.raw" "$MNT2/vm2.raw" && echo "both hosts read the same disk"

say "fsck while mounted (read-only check), then unmount and check again"
"$FSCK" -n "$DEMO/lun.img" || true

say "unmount both hosts"
fusermount3 -u "$MNT2"
fusermount3 -u "$MNT"
# fusermount3 returns before the daemon has written back and left its slot.
for ((i = 0; i < 100; i++)); do
	pgrep -f "mount.vmfs $DEMO/lun.img" >/dev/null || break
	sleep 0.1
done
"$FSCK" -n "$DEMO/lun.img"
echo "done: the volume image was $(du -h "$DEMO/lun.img" | cut -f1) on disk for a 100G volume"
