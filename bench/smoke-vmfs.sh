#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/smoke-vmfs.sh - quick check that mkfs.vmfs + mount.vmfs work before
# benchmarking: mkfs a 1 GiB image, mount, write files, read them back,
# unmount; then remount and verify that the data persisted.
# Exit 0 = usable for the benchmark. Run as root.
#
# Environment: VMFS_BUILD (/work/main/build), SMOKE_DIR (/var/tmp/vmfs-smoke)

set -uo pipefail
VMFS_BUILD=${VMFS_BUILD:-/work/main/build}
SMOKE_DIR=${SMOKE_DIR:-/var/tmp/vmfs-smoke}
MKFS=$VMFS_BUILD/mkfs/mkfs.vmfs
MOUNT=$VMFS_BUILD/fs/fuse/mount.vmfs
IMG=$SMOKE_DIR/smoke.img
MNT=$SMOKE_DIR/mnt
PID=

say() { printf 'smoke: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

cleanup() {
	if mountpoint -q "$MNT" 2>/dev/null; then
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
		sleep 1
		kill "$PID" 2>/dev/null
		sleep 1
		kill -9 "$PID" 2>/dev/null
	fi
	rm -f "$IMG" "$SMOKE_DIR/ref.bin"
	rmdir "$MNT" 2>/dev/null
}
trap cleanup EXIT

do_mount() {
	"$MOUNT" "$IMG" "$MNT" -f >>"$SMOKE_DIR/daemon.log" 2>&1 &
	PID=$!
	for _ in $(seq 1 100); do
		mountpoint -q "$MNT" && return 0
		kill -0 "$PID" 2>/dev/null || fail "mount.vmfs exited: $(tail -c 400 "$SMOKE_DIR/daemon.log")"
		sleep 0.2
	done
	fail "mount.vmfs did not mount within 20 s: $(tail -c 400 "$SMOKE_DIR/daemon.log")"
}

do_umount() {
	local ok=0
	for _ in 1 2 3 4 5; do
		if fusermount3 -u "$MNT" 2>>"$SMOKE_DIR/daemon.log"; then ok=1; break; fi
		sleep 1
	done
	((ok)) || fail "fusermount3 -u failed"
	for _ in $(seq 1 50); do
		kill -0 "$PID" 2>/dev/null || { wait "$PID" 2>/dev/null; PID=; return 0; }
		sleep 0.2
	done
	say "warning: daemon still running 10 s after unmount"
}

[[ -x $MKFS ]] || fail "missing $MKFS"
[[ -x $MOUNT ]] || fail "missing $MOUNT"
mkdir -p "$MNT"
: >"$SMOKE_DIR/daemon.log"
rm -f "$IMG"
truncate -s 1G "$IMG"

timeout 120 "$MKFS" -f --size 1G "$IMG" >"$SMOKE_DIR/mkfs.log" 2>&1 ||
	fail "mkfs.vmfs -f --size 1G: $(tail -c 400 "$SMOKE_DIR/mkfs.log")"
say "mkfs ok"

do_mount
say "mount ok"

head -c 16M /dev/urandom >"$SMOKE_DIR/ref.bin"
timeout 60 cp "$SMOKE_DIR/ref.bin" "$MNT/big.bin" || fail "write 16 MiB file"
echo "hello vmfs" >"$MNT/small.txt" || fail "write small file"
timeout 60 sync -f "$MNT/big.bin" 2>/dev/null || sync
cmp "$SMOKE_DIR/ref.bin" "$MNT/big.bin" || fail "read-back of 16 MiB file differs"
timeout 60 dd if="$MNT/big.bin" of=/dev/null bs=1M iflag=direct status=none ||
	say "warning: O_DIRECT read failed on vmfs"
[[ $(cat "$MNT/small.txt") == "hello vmfs" ]] || fail "small file content"
say "write+read ok ($(stat -c %s "$MNT/big.bin") bytes)"

do_umount
say "unmount ok"

do_mount
if cmp -s "$SMOKE_DIR/ref.bin" "$MNT/big.bin" && [[ $(cat "$MNT/small.txt" 2>/dev/null) == "hello vmfs" ]]; then
	say "remount: data persisted"
else
	fail "remount: data did not persist"
fi
do_umount
say "PASS"
