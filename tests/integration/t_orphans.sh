#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Files unlinked while open, on a host killed with kill -9 (docs/FORMAT.md
# "Orphan table"): the host's orphan table lists them, so fsck.vmfs finds
# the volume consistent right after the kill (their blocks are owned, not
# leaked), and when the host mounts again it deletes them: the space comes
# back and fsck stays clean. A file unlinked and closed is gone at once.
# The same again, where fsck.vmfs -p deletes them instead (exit 1).
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
vmfs_image "$img" 512M
vmfs_mkfs "$img" -L orphans || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$T/m" -o host=keeper,lease=2000 || vmfs_die "mount"
free0=$(stat -f -c %a "$T/m")
for f in open1 open2 closed; do
	head -c $((40 << 20)) /dev/urandom >"$T/m/$f"
done
mkdir "$T/m/dir"
exec 3<"$T/m/open1" 4<"$T/m/open2" 5<"$T/m/dir"
rm "$T/m/open1" "$T/m/open2" "$T/m/closed"
rmdir "$T/m/dir"
vmfs_check "an unlinked open file still reads" \
	bash -c "head -c 4096 <&3 | wc -c | grep -qx 4096"
sync "$T/m"	# fsync of the root: the unlinks are durable, the table lists the open ones
free1=$(stat -f -c %a "$T/m")
vmfs_kill_host "$T/m"	# with the files open: the daemon never sees them closed
exec 3<&- 4<&- 5<&-

rc=0
out=$("$FSCK" -n "$img" 2>&1) || rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
vmfs_expect_eq "after the kill, fsck -n finds nothing wrong (the orphans are listed)" "$rc" 0
vmfs_check "... and counts them: 2 files, 1 directory more than the root" \
	grep -q "2 files, 2 directories" <<<"$out"

vmfs_mount "$img" "$T/m" -o host=keeper,lease=2000 || vmfs_die "mount again"
free2=$(stat -f -c %a "$T/m")
echo "# free blocks: $free0 at first, $free1 with the orphans, $free2 after the remount"
vmfs_check "the orphans held their space until the remount" \
	test "$free1" -lt $((free0 - (60 << 20) / $(stat -f -c %S "$T/m")))
vmfs_check "the remount deleted them: the space is back" \
	test "$free2" -ge $((free0 - (1 << 20) / $(stat -f -c %S "$T/m")))
vmfs_check "no name came back" test -z "$(ls -A "$T/m")"
vmfs_check "unmount" vmfs_umount "$T/m"
vmfs_fsck_clean "$img"
rc=0
out=$("$FSCK" -n "$img" 2>&1) || rc=$?
vmfs_check "fsck counts the root alone" grep -q "0 files, 1 directories" <<<"$out"

# Again, and this time fsck -p deletes them (the host recovered first).
vmfs_mount "$img" "$T/m" -o host=keeper,lease=2000 || vmfs_die "mount a third time"
head -c $((40 << 20)) /dev/urandom >"$T/m/open3"
exec 3<"$T/m/open3"
rm "$T/m/open3"
sync "$T/m"
vmfs_kill_host "$T/m"
exec 3<&-
rc=0
"$FSCK" -p "$img" >"$T/p.out" 2>&1 || rc=$?
sed 's/^/# /' "$T/p.out"
vmfs_expect_eq "fsck -p after the kill: exit 1" "$rc" 1
vmfs_check "... it deleted the file unlinked while open" \
	grep -q "1 file that hosts which died had unlinked while open deleted" "$T/p.out"
rc=0
out=$("$FSCK" -n "$img" 2>&1) || rc=$?
vmfs_expect_eq "then fsck -n is clean" "$rc" 0
vmfs_check "... with the root alone" grep -q "0 files, 1 directories" <<<"$out"
vmfs_mount "$img" "$T/m" -o host=keeper,lease=2000 || vmfs_die "mount a fourth time"
vmfs_check "the space is back" \
	test "$(stat -f -c %a "$T/m")" -ge $((free0 - (1 << 20) / $(stat -f -c %S "$T/m")))
vmfs_check "unmount at the end" vmfs_umount "$T/m"
vmfs_done
