#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Heartbeats on a real mount (docs/LOCKING.md): vmfsctl hosts shows the
# host live; a second mount under a live name is refused; a clean unmount
# frees the slot; after kill -9 the slot is dead and the restarted host gets
# it back within a lease, with what it had fsync'd; a host stopped (SIGSTOP)
# past its lease whose slot is taken meanwhile is fenced: every operation
# fails with EIO and its log says so, while the host that took its slot
# over writes.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
LEASE=2000
vmfs_image "$img" 1G
vmfs_mkfs "$img" -L hosts || vmfs_die "mkfs.vmfs"

hosts() { "$VMFSCTL" hosts "$@"; }
slot_state() {	# NAME -> the state column of its slot, or "none"
	hosts "$img" | awk -v n="$1" '$2 == n { print $3; f = 1 } END { if (!f) print "none" }'
}

vmfs_mount "$img" "$T/a" -o host=alpha,lease=$LEASE || vmfs_die "mount as alpha"
vmfs_expect_eq "alpha is live" "$(slot_state alpha)" live
vmfs_check "hosts --json names alpha" grep -q '"host":"alpha"' <<<"$(hosts --json "$T/a" | tr -d ' \n')"
if vmfs_expect_refusal "$MOUNT_VMFS" "$img" "$T/b" -o host=alpha,lease=$LEASE; then
	vmfs_pass "a second mount as alpha is refused"
	vmfs_check "the message says alpha is mounted" grep -q "host 'alpha' is already mounted" <<<"$VMFS_OUT"
else
	vmfs_fail "a second mount as alpha is refused"
fi
vmfs_check "unmount alpha" vmfs_umount "$T/a"
vmfs_expect_eq "a clean unmount frees the slot" "$(slot_state alpha)" none

# kill -9: the slot goes dead; the restart takes it back, fsync'd data intact.
vmfs_mount "$img" "$T/a" -o host=alpha,lease=$LEASE || vmfs_die "mount as alpha again"
head -c 3M /dev/urandom >"$T/data"
cp "$T/data" "$T/a/data" && sync "$T/a/data"
pid=$(pgrep -f "mount.vmfs $img $(realpath "$T/a")" | head -1)
kill -9 "$pid"
sleep $((LEASE / 1000 + 1))
vmfs_expect_eq "a killed host is dead after its lease" "$(slot_state alpha)" dead
umount -l "$T/a" 2>/dev/null || fusermount3 -uz "$T/a" 2>/dev/null || true
start=$(date +%s%N)
vmfs_mount "$img" "$T/a" -o host=alpha,lease=$LEASE || vmfs_die "restart as alpha"
ms=$((($(date +%s%N) - start) / 1000000))
vmfs_log "restart joined in $ms ms"
vmfs_check "restart joins within a lease" test "$ms" -lt $((LEASE + 2000))
vmfs_check "fsync'd data survived kill -9" cmp "$T/data" "$T/a/data"
vmfs_expect_eq "alpha is live again" "$(slot_state alpha)" live
sleep 0.5	# the keeper gives recovered groups back
vmfs_check "the restart recovered the resource groups its last incarnation held" \
	bash -c "'$VMFSCTL' locks '$img' | grep -q '^(volume lock)' &&
		! '$VMFSCTL' locks '$img' | grep -q '^(resource group.*gone'"

# SIGSTOP past the lease; another mount as alpha takes the slot over and
# writes; the stopped host wakes up fenced.
pid=$(pgrep -f "mount.vmfs $img $(realpath "$T/a")" | head -1)
kill -STOP "$pid"
vmfs_at_exit "kill -CONT $pid 2>/dev/null"
if vmfs_mount "$img" "$T/b" -o host=alpha,lease=$LEASE; then
	vmfs_check "the new alpha writes while the old one is stopped" \
		sh -c 'echo taken >"$1" && sync "$1"' sh "$T/b/taker"
	vmfs_check "unmount the new alpha" vmfs_umount "$T/b"
else
	vmfs_fail "a new alpha takes the slot of a stopped one"
fi
kill -CONT "$pid"
sleep 1
if sh -c 'echo x >"$1"' sh "$T/a/after" 2>"$T/err"; then
	vmfs_fail "a fenced host refuses writes"
else
	vmfs_check "a fenced host refuses writes with EIO" grep -q "Input/output error" "$T/err"
fi
if cat "$T/a/data" >/dev/null 2>"$T/err"; then
	vmfs_fail "a fenced host refuses reads"
else
	vmfs_pass "a fenced host refuses reads"
fi
vmfs_check "unmount the fenced host" vmfs_umount "$T/a"
vmfs_mount "$img" "$T/a" -o host=alpha,lease=$LEASE || vmfs_die "mount after fencing"
vmfs_check "data intact after fencing" cmp "$T/data" "$T/a/data"
vmfs_check "nothing written while fenced" test ! -e "$T/a/after"
vmfs_expect_eq "what the new alpha wrote is there" "$(cat "$T/a/taker")" taken
vmfs_check "final unmount" vmfs_umount "$T/a"
vmfs_done
