#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One directory of 100,000 files (VMFS_BIGDIR_N to change): readdir must
# list each exactly once before and after a remount, and all must delete.
. "$(dirname "$0")/lib.sh"
vmfs_init

MKFILES=${VMFS_MKFILES:-$VMFS_BUILD/tests/integration/mkfiles}
[[ -x "$MKFILES" ]] || vmfs_skip "mkfiles is not built ($MKFILES)"
N=${VMFS_BIGDIR_N:-100000}

img=$VMFS_TMP/vol.img
mnt=$VMFS_TMP/mnt
vmfs_image "$img" 16G
vmfs_mkfs "$img" -L bigdir || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"
mkdir "$mnt/big"
free0=$(stat -f -c %f "$mnt")

start=$SECONDS
vmfs_check "create $N files" "$MKFILES" create "$mnt/big" "$N"
vmfs_log "created in $((SECONDS - start)) s"
start=$SECONDS
vmfs_check "readdir lists $N names once each" "$MKFILES" verify "$mnt/big" "$N"
vmfs_log "verified in $((SECONDS - start)) s"
vmfs_expect_eq "ls -f count" "$(ls -f "$mnt/big" | wc -l)" $((N + 2))
vmfs_expect_eq "directory nlink" "$(stat -c %h "$mnt/big")" 2

vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
start=$SECONDS
vmfs_check "after remount: readdir lists $N names" "$MKFILES" verify "$mnt/big" "$N"
vmfs_log "verified in $((SECONDS - start)) s"
vmfs_check "create one more by name" touch "$mnt/big/f$(printf %07d "$N")"
vmfs_check "and remove it" rm "$mnt/big/f$(printf %07d "$N")"
start=$SECONDS
vmfs_check "delete all $N" "$MKFILES" delete "$mnt/big" "$N"
vmfs_log "deleted in $((SECONDS - start)) s"
vmfs_check "rmdir the emptied directory" rmdir "$mnt/big"
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
vmfs_expect_eq "root is empty after remount (but lost+found)" \
	"$(find "$mnt" -mindepth 1 ! -path "$mnt/lost+found*" | wc -l)" 0
free1=$(stat -f -c %f "$mnt")
vmfs_check "free blocks back ($free1 >= $free0)" test "$free1" -ge "$free0"
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
