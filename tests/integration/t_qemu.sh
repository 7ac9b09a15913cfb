#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Virtual disks on the volume with QEMU's own tools: create qcow2 and raw
# images, convert random data into qcow2 on the mount and back, compare,
# write and verify through qemu-io, also with the O_DIRECT cache mode
# (-t none), and all of it again after a remount.
. "$(dirname "$0")/lib.sh"
vmfs_init
command -v qemu-img >/dev/null || vmfs_skip "qemu-img is missing"

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
vmfs_image "$img" 4G
vmfs_mkfs "$img" -L qemu || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"

# A 96 MiB source disk with data in three places and holes between.
truncate -s 96M "$T/src.raw"
dd if=/dev/urandom of="$T/src.raw" bs=1M count=8 conv=notrunc status=none
dd if=/dev/urandom of="$T/src.raw" bs=1M count=5 seek=40 conv=notrunc status=none
dd if=/dev/urandom of="$T/src.raw" bs=4K count=3 seek=$((90 * 256 + 1)) conv=notrunc status=none

vmfs_check "qemu-img create qcow2" qemu-img create -q -f qcow2 "$mnt/a.qcow2" 10G
info=$(qemu-img info "$mnt/a.qcow2" 2>&1 || true)
vmfs_check "qemu-img info: format qcow2" grep -q 'file format: qcow2' <<<"$info"
vmfs_check "qemu-img info: 10 GiB virtual size" grep -q '10 GiB' <<<"$info"
vmfs_check "qemu-img check on a new qcow2" qemu-img check -q "$mnt/a.qcow2"
vmfs_check "qemu-img create raw" qemu-img create -q -f raw "$mnt/r.raw" 10G
vmfs_expect_eq "raw image size" "$(vmfs_size "$mnt/r.raw")" $((10 << 30))
alloc=$(vmfs_alloc_bytes "$mnt/r.raw")
vmfs_check "raw image is sparse ($alloc bytes allocated)" test "$alloc" -lt $((2 << 20))

vmfs_check "convert raw -> qcow2 into the mount" \
	qemu-img convert -f raw -O qcow2 "$T/src.raw" "$mnt/c.qcow2"
vmfs_check "compare source with qcow2" qemu-img compare -q "$T/src.raw" "$mnt/c.qcow2"
vmfs_check "qemu-img check on the converted qcow2" qemu-img check -q "$mnt/c.qcow2"
vmfs_check "convert qcow2 -> raw inside the mount" \
	qemu-img convert -f qcow2 -O raw "$mnt/c.qcow2" "$mnt/back.raw"
vmfs_check "raw round trip is byte-identical" cmp "$T/src.raw" "$mnt/back.raw"
vmfs_check "convert raw from the mount to qcow2 outside" \
	qemu-img convert -f raw -O qcow2 "$mnt/back.raw" "$T/out.qcow2"
vmfs_check "compare outside copy" qemu-img compare -q "$T/src.raw" "$T/out.qcow2"
vmfs_check "compare detects a difference" bash -c \
	"! qemu-img compare -q '$T/src.raw' '$mnt/a.qcow2'"

# qio DESC QEMU-IO-ARGS...: qemu-io must exit 0 with every -c command done
# in full ("wrote N/N" or "read N/N") and no pattern mismatch.
qio() {
	local desc=$1 out rc=0 ncmd nd
	shift
	ncmd=$(printf '%s\n' "$@" | grep -c '^-c$' || true)
	out=$(timeout 120 qemu-io "$@" 2>&1) || rc=$?
	nd=$(grep -cE '^(wrote|read) ([0-9]+)/\2 bytes' <<<"$out" || true)
	if ((rc == 0 && nd == ncmd)) && ! grep -q 'verification failed' <<<"$out"; then
		vmfs_pass "$desc"
	else
		vmfs_fail "$desc (exit $rc, $nd of $ncmd commands done)"
		printf '%s\n' "$out" | grep -vE '^[0-9.]+ [KMG]?i?B, ' | head -10 | sed 's/^/#   /'
	fi
}

if command -v qemu-io >/dev/null; then
	qio "qemu-io write and verify patterns" -f qcow2 \
		-c 'write -P 0xab 0 4M' -c 'write -P 0xcd 1G 64k' -c 'write -z 2M 1M' \
		-c 'read -P 0xab 0 2M' -c 'read -P 0 2M 1M' -c 'read -P 0xcd 1G 64k' \
		"$mnt/a.qcow2"
	qio "qemu-io with -t none (O_DIRECT)" -t none -f qcow2 \
		-c 'read -P 0xab 0 2M' -c 'write -P 0x11 8M 1M' -c 'read -P 0x11 8M 1M' \
		"$mnt/a.qcow2"
	if qemu-io -t none -i io_uring -f raw -c 'read 0 4k' "$T/src.raw" >/dev/null 2>&1; then
		qio "qemu-io -t none -i io_uring" -t none -i io_uring -f qcow2 \
			-c 'write -P 0x22 16M 1M' -c 'read -P 0x22 16M 1M' \
			-c 'read -P 0x11 8M 1M' "$mnt/a.qcow2"
	else
		vmfs_log "qemu-io cannot use io_uring here: that case is skipped"
	fi
	qio "qemu-io -t none on raw" -t none -f raw -c 'write -P 0x5a 1M 1M' \
		-c 'read -P 0x5a 1M 1M' "$mnt/r.raw"
	vmfs_check "qemu-img check after qemu-io" qemu-img check -q "$mnt/a.qcow2"
else
	vmfs_log "qemu-io missing: pattern checks skipped"
fi

# The O_DIRECT cache mode for both source and target.
vmfs_check "convert with -t none -T none" qemu-img convert -t none -T none \
	-f raw -O qcow2 "$T/src.raw" "$mnt/direct.qcow2"
vmfs_check "compare with -T none" qemu-img compare -q -T none "$T/src.raw" "$mnt/direct.qcow2"
vmfs_check "raw convert with -t none" qemu-img convert -t none -f raw -O raw \
	"$T/src.raw" "$mnt/direct.raw"
vmfs_check "O_DIRECT raw copy identical" cmp "$T/src.raw" "$mnt/direct.raw"
vmfs_check "qemu-img resize" qemu-img resize -q -f qcow2 "$mnt/c.qcow2" 200M
vmfs_check "qemu-img snapshot -c" qemu-img snapshot -c snap1 "$mnt/c.qcow2"
vmfs_check "qemu-img snapshot -l" bash -c "qemu-img snapshot -l '$mnt/c.qcow2' | grep -q snap1"

sums=$(cd "$mnt" && md5sum back.raw direct.raw)
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
vmfs_check "after remount: qcow2 check" qemu-img check -q "$mnt/c.qcow2"
vmfs_check "after remount: compare" qemu-img compare -q "$T/src.raw" "$mnt/direct.qcow2"
vmfs_check "after remount: raw checksums" bash -c "cd '$mnt' && md5sum --quiet -c <<<\"\$1\"" _ "$sums"
if command -v qemu-io >/dev/null; then
	qio "after remount: qemu-io patterns" -f qcow2 -c 'read -P 0xab 0 2M' \
		-c 'read -P 0x11 8M 1M' -c 'read -P 0xcd 1G 64k' "$mnt/a.qcow2"
fi
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
