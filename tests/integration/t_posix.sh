#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs posix_ops (every POSIX operation the mount supports, with exact
# results) on a fresh volume mounted with allow_other, so that its checks
# as user nobody reach the mount; then checks that the volume unmounts and
# mounts again cleanly with the work directory gone.
. "$(dirname "$0")/lib.sh"
vmfs_init

POSIX_OPS=${VMFS_POSIX_OPS:-$VMFS_BUILD/tests/integration/posix_ops}
[[ -x "$POSIX_OPS" ]] || vmfs_skip "posix_ops is not built ($POSIX_OPS)"

img=$VMFS_TMP/vol.img
mnt=$VMFS_TMP/mnt
vmfs_image "$img" 4G
vmfs_mkfs "$img" -L posix || vmfs_die "mkfs.vmfs failed"
vmfs_mount "$img" "$mnt" -o allow_other || vmfs_die "mount failed"
chmod 0755 "$mnt"

rc=0
timeout 1200 "$POSIX_OPS" "$mnt" || rc=$?
case $rc in
0) vmfs_pass "posix_ops" ;;
77) vmfs_fail "posix_ops could not use the mount (exit 77)" ;;
*) vmfs_fail "posix_ops (exit $rc)" ;;
esac

vmfs_check "unmount after posix_ops" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount failed"
left=$(find "$mnt" -mindepth 1 -maxdepth 1 -name 'posix_ops.*' | wc -l)
vmfs_expect_eq "work directory removed and stays removed" "$left" 0
vmfs_check "statfs after remount" stat -f "$mnt"
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
