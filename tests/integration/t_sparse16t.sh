#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A 64 TiB sparse volume: 1 MiB written at 16 TiB - 1 MiB in one file must
# survive unmount and remount, the file must read 16 TiB in size with only
# the written mebibyte allocated, and the hole before it must read zeros.
. "$(dirname "$0")/lib.sh"
vmfs_init

vmfs_sparse_dir 64T || vmfs_skip "no filesystem here holds a 64 TiB sparse file"
img=$VMFS_SPARSE_DIR/vol64t.img
mnt=$VMFS_TMP/mnt
vmfs_log "64 TiB image in $VMFS_SPARSE_DIR ($(stat -f -c %T "$VMFS_SPARSE_DIR"))"

timeout 300 "$MKFS" --size 64T -L sparse64 "$img" | sed 's/^/#   /' ||
	vmfs_die "mkfs.vmfs --size 64T"
vmfs_expect_eq "image size" "$(vmfs_size "$img")" $((64 << 40))
vmfs_log "image allocates $(vmfs_alloc_bytes "$img") bytes after mkfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"

head -c 1M /dev/urandom >"$VMFS_TMP/pattern"
want=$(vmfs_md5 "$VMFS_TMP/pattern")
mib16t=$((16 << 20))	# 16 TiB in MiB
vmfs_check "write 1 MiB at 16 TiB - 1 MiB" dd if="$VMFS_TMP/pattern" \
	of="$mnt/big" bs=1M seek=$((mib16t - 1)) conv=notrunc,fsync status=none
vmfs_expect_eq "size before remount" "$(vmfs_size "$mnt/big")" $((16 << 40))
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"

vmfs_expect_eq "size after remount" "$(vmfs_size "$mnt/big")" $((16 << 40))
vmfs_expect_eq "st_blocks is the written mebibyte" \
	"$(vmfs_alloc_bytes "$mnt/big")" $((1 << 20))
got=$(dd if="$mnt/big" bs=1M skip=$((mib16t - 1)) count=1 status=none | md5sum | cut -d' ' -f1)
vmfs_expect_eq "data at 16 TiB - 1 MiB" "$got" "$want"
zero=$(head -c 1M /dev/zero | md5sum | cut -d' ' -f1)
for at in 0 $((mib16t / 2)) $((mib16t - 2)); do
	got=$(dd if="$mnt/big" bs=1M skip=$at count=1 status=none | md5sum | cut -d' ' -f1)
	vmfs_expect_eq "hole at ${at} MiB reads zeros" "$got" "$zero"
done
n=$(dd if="$mnt/big" bs=1M skip=$mib16t count=1 status=none | wc -c)
vmfs_expect_eq "read at EOF returns nothing" "$n" 0

# Data past 16 TiB and a second file near the end of the volume.
vmfs_check "append 1 MiB at 16 TiB" dd if="$VMFS_TMP/pattern" of="$mnt/big" \
	bs=1M seek=$mib16t conv=notrunc status=none
vmfs_expect_eq "size after append" "$(vmfs_size "$mnt/big")" $(((16 << 40) + (1 << 20)))
vmfs_check "truncate back to 16 TiB" truncate -s 16T "$mnt/big"
vmfs_expect_eq "st_blocks after truncate" "$(vmfs_alloc_bytes "$mnt/big")" $((1 << 20))
vmfs_check "df works" df -h "$mnt"
vmfs_check "rm the 16 TiB file" rm "$mnt/big"
vmfs_check "unmount" vmfs_umount "$mnt"
alloc=$(vmfs_alloc_bytes "$img")
vmfs_log "image allocates $alloc bytes at the end"
vmfs_check "image stays small (< 512 MiB allocated)" test "$alloc" -lt $((512 << 20))
vmfs_fsck_clean "$img"
rm -f "$img"
vmfs_done
