#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mount(8) integration: with /sbin/mount.vmfs present, `mount -t vmfs IMG
# MNT` runs our daemon (mount(8) looks for /sbin/mount.TYPE helpers, not
# along PATH), passes -o options through, and umount(8) undoes it. The test
# links /sbin/mount.vmfs to the built binary only when nothing is there,
# and removes its link at exit; it skips when /sbin is read-only.
. "$(dirname "$0")/lib.sh"
vmfs_init
command -v mount >/dev/null || vmfs_skip "mount(8) is missing"

helper=/sbin/mount.vmfs
built=$(realpath "$MOUNT_VMFS")
if [[ -e $helper || -L $helper ]]; then
	if [[ "$(realpath "$helper" 2>/dev/null)" != "$built" ]]; then
		vmfs_skip "$helper exists and is not this build's binary; not touching it"
	fi
	vmfs_log "$helper already points at this build"
else
	probe=/sbin/.vmfs-probe.$$
	if ! (: >"$probe") 2>/dev/null; then
		vmfs_skip "/sbin is not writable"
	fi
	rm -f "$probe"
	ln -s "$built" "$helper"
	vmfs_at_exit "rm -f '$helper'"
	vmfs_log "linked $helper -> $built (removed at exit)"
fi

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
mkdir -p "$mnt"
vmfs_image "$img" 1G
vmfs_mkfs "$img" -L helper || vmfs_die "mkfs.vmfs"

wait_mounted() {
	local i
	for ((i = 0; i < 100; i++)); do
		_vmfs_is_mounted "$mnt" && return 0
		sleep 0.1
	done
	return 1
}

# umount8 DESC: umount(8), then the daemon must go away.
umount8() {
	local pids pid i
	pids=$(_vmfs_daemon_pids "$(realpath "$mnt")")
	vmfs_check "$1" timeout 20 umount "$mnt"
	vmfs_check "$1: no longer mounted" bash -c "! mountpoint -q '$mnt'"
	for pid in $pids; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		vmfs_check "$1: daemon $pid exited" bash -c "! kill -0 $pid 2>/dev/null"
	done
}

if timeout 30 mount -t vmfs "$img" "$mnt"; then
	vmfs_track_mount "$mnt"
	vmfs_check "mount -t vmfs: mounted" wait_mounted
	vmfs_log "$(findmnt -n -o SOURCE,FSTYPE,OPTIONS "$mnt" || true)"
	vmfs_check "mount -t vmfs: listed as a fuse mount" \
		bash -c "findmnt -n -o FSTYPE '$mnt' | grep -q '^fuse'"
	head -c 3M /dev/urandom >"$T/data"
	vmfs_check "write through the helper mount" cp "$T/data" "$mnt/data"
	vmfs_check "read back" cmp "$T/data" "$mnt/data"
	umount8 "umount(8)"
else
	vmfs_fail "mount -t vmfs $img $mnt"
fi

if timeout 30 mount -t vmfs -o ro,host=helper-test "$img" "$mnt"; then
	vmfs_track_mount "$mnt"
	vmfs_check "mount -t vmfs -o ro,host=NAME: mounted" wait_mounted
	vmfs_check "ro via mount(8): data readable" cmp "$T/data" "$mnt/data"
	if err=$(touch "$mnt/new" 2>&1); then
		vmfs_fail "ro via mount(8): write refused"
	else
		vmfs_check "ro via mount(8): write fails with EROFS" \
			grep -q 'Read-only file system' <<<"$err"
	fi
	umount8 "umount(8) of the ro mount"
else
	vmfs_fail "mount -t vmfs -o ro,host=helper-test"
fi

# mount(8) adds its own words to a failure: only the exit code counts here.
if timeout 30 mount -t vmfs "$T/no-such.img" "$mnt" 2>&1 | sed 's/^/#   /'; then
	vmfs_fail "mount -t vmfs of a missing image fails"
	vmfs_track_mount "$mnt"
else
	vmfs_pass "mount -t vmfs of a missing image fails"
fi
vmfs_done
