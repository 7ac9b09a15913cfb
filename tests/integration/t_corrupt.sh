#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mounting what is not a valid volume: random bytes over the header, an
# ext4 image, an all-zero image, and one flipped byte in the header are
# refused with a one-line reason and a non-zero exit, leaving nothing
# mounted. A volume header with a backup may instead be mounted from the
# backup; that is accepted and reported.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
mnt=$T/mnt
mkdir -p "$mnt"
vmfs_image "$T/good.img" 512M
vmfs_mkfs "$T/good.img" -L corrupt-me || vmfs_die "mkfs.vmfs"
vmfs_mount "$T/good.img" "$mnt" || vmfs_die "mount of the valid image"
echo "payload" >"$mnt/file"
vmfs_check "unmount the valid image" vmfs_umount "$mnt"

not_mounted() {
	if _vmfs_is_mounted "$mnt"; then
		vmfs_fail "$1: left mounted"
		vmfs_umount "$mnt" || true
	elif [[ -n "$(_vmfs_daemon_pids "$(realpath "$mnt")")" ]]; then
		vmfs_fail "$1: a daemon stayed behind"
	else
		vmfs_pass "$1: nothing left mounted"
	fi
}

# must_refuse DESC IMAGE [WORD]: the mount fails with one line (naming WORD).
must_refuse() {
	local desc=$1 img=$2 word=${3:-}
	if vmfs_expect_refusal "$MOUNT_VMFS" "$img" "$mnt"; then
		vmfs_pass "refuses $desc"
		if [[ -n "$word" ]]; then
			vmfs_check "reason for $desc mentions $word" grep -qiE "$word" <<<"$VMFS_OUT"
		fi
	else
		vmfs_fail "refuses $desc"
		if [[ $VMFS_RC == 0 ]]; then
			vmfs_track_mount "$mnt"
		fi
	fi
	not_mounted "$desc"
}

# refuse_or_backup DESC IMAGE WORD: refused (naming WORD) or mounted from the
# backup header with the data intact.
refuse_or_backup() {
	local desc=$1 img=$2 word=$3
	if vmfs_expect_refusal "$MOUNT_VMFS" "$img" "$mnt"; then
		vmfs_pass "refuses $desc"
		vmfs_check "reason for $desc mentions $word" grep -qiE "$word" <<<"$VMFS_OUT"
		not_mounted "$desc"
	elif [[ $VMFS_RC == 0 ]]; then
		vmfs_track_mount "$mnt"
		vmfs_log "$desc: mounted, from the backup header: $VMFS_OUT"
		vmfs_check "$desc: data intact via the backup" grep -qx payload "$mnt/file"
		vmfs_check "$desc: unmount" vmfs_umount "$mnt"
		vmfs_check "$desc: vmfsctl info works" "$VMFSCTL" info "$img"
	else
		vmfs_fail "$desc: neither refused with one line nor mounted"
		not_mounted "$desc"
	fi
}

cp --sparse=always "$T/good.img" "$T/garbage.img"
dd if=/dev/urandom of="$T/garbage.img" bs=4096 count=1 conv=notrunc status=none
refuse_or_backup "random bytes over the first 4 KiB" "$T/garbage.img" \
	'checksum|crc|magic|header|not a|bad|corrupt|invalid'

if command -v mkfs.ext4 >/dev/null; then
	vmfs_image "$T/ext4.img" 256M
	mkfs.ext4 -q -F "$T/ext4.img"
	must_refuse "an ext4 image" "$T/ext4.img"
fi

vmfs_image "$T/zero.img" 256M
must_refuse "an all-zero image" "$T/zero.img"

vmfs_image "$T/tiny.img" 4K
must_refuse "a 4 KiB image" "$T/tiny.img"

must_refuse "a missing image" "$T/does-not-exist.img"

# One byte inside the checksummed header (the label, at 0x50).
cp --sparse=always "$T/good.img" "$T/flip.img"
printf '\xff' | dd of="$T/flip.img" bs=1 seek=$((0x55)) conv=notrunc status=none
refuse_or_backup "one flipped byte in the header" "$T/flip.img" 'checksum|crc'

# With the backup (last 4 KiB) spoiled as well, nothing can be trusted.
size=$(vmfs_size "$T/flip.img")
dd if=/dev/urandom of="$T/flip.img" bs=4096 seek=$((size / 4096 - 1)) count=1 \
	conv=notrunc status=none
must_refuse "a flipped byte with the backup header destroyed" "$T/flip.img"

# The untouched image still mounts: the copies above were independent.
if vmfs_mount "$T/good.img" "$mnt"; then
	vmfs_check "valid image still mounts with its data" grep -qx payload "$mnt/file"
	vmfs_check "unmount" vmfs_umount "$mnt"
else
	vmfs_fail "valid image still mounts"
fi
vmfs_done
