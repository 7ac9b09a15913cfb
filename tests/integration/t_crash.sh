#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of a host at a random moment of a mixed workload on two hosts
# (docs/LOCKING.md "Recovery"), ITER times (default 4; more in the soak
# suite): each host creates, writes, renames, appends to, truncates and
# removes files and directories, and fsyncs some; a verifier outside the
# volume notes each file once its fsync returned. Then h1 is killed. Every
# other round h1 restarts at once (its own journal replayed as it takes
# its slot back); in the others h2 goes on alone and walks h1's files
# (breaking h1's locks recovers h1: its journal replayed by h2). Every
# fsync'd file must be there with its bytes, and after every round, with
# both hosts unmounted, fsck.vmfs finds the volume clean.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
LEASE=2000
ITER=${CRASH_ITER:-4}
vmfs_image "$img" 8G
vmfs_mkfs "$img" -L crash || vmfs_die "mkfs.vmfs"
mkdir -p "$T/h1" "$T/h2"

work() {	# HOST ROUND: until killed or until an operation fails
	# $local mirrors the file being written, outside the volume: the
	# checksum noted after an fsync is never read back through a mount
	# that may be dying.
	local m=$T/$1/$1-r$2 log=$T/synced-$1 local=$T/mirror-$1 i=0 f
	mkdir -p "$m" || return 0
	while :; do
		i=$((i + 1))
		f=$m/f$i
		head -c $(((RANDOM % 64 + 1) * 4096 + RANDOM)) /dev/urandom >"$local"
		cp "$local" "$f.tmp" 2>/dev/null || return 0
		mv "$f.tmp" "$f" || return 0
		case $((i % 6)) in
		0) mkdir "$m/d$i" && rmdir "$m/d$i" || return 0 ;;
		1) head -c 5000 /dev/urandom >>"$local" && cat "$local" >"$f" || return 0 ;;
		2) truncate -s $((RANDOM % 8192)) "$local" && cp "$local" "$f" || return 0 ;;
		3) rm "$f" || return 0; continue ;;
		esac
		if ((i % 3 == 0)); then
			sync "$f" || return 0
			# Only now is it promised: a line per fsync'd file and its checksum.
			echo "$1-r$2/f$i $(md5sum <"$local" | cut -d' ' -f1)" >>"$log"
		fi
	done
}

verify() {	# HOST MOUNT: every file the host fsync'd, read through MOUNT
	local line path sum bad=0 n=0
	[[ -f "$T/synced-$1" ]] || return 0
	while read -r path sum; do
		n=$((n + 1))
		[[ "$(md5sum <"$2/$path" 2>/dev/null | cut -d' ' -f1)" == "$sum" ]] || bad=$((bad + 1))
	done <"$T/synced-$1"
	vmfs_log "$1: $n fsync'd files checked through $2"
	return $((bad > 0))
}

for ((r = 1; r <= ITER; r++)); do
	vmfs_mount "$img" "$T/h2" -o host=h2,lease=$LEASE || vmfs_die "mount h2, round $r"
	vmfs_mount "$img" "$T/h1" -o host=h1,lease=$LEASE || vmfs_die "mount h1, round $r"
	work h1 "$r" &
	w1=$!
	work h2 "$r" &
	w2=$!
	sleep "0.$((RANDOM % 9 + 1))$((RANDOM % 10))"
	pid=$(_vmfs_daemon_pids "$(realpath "$T/h1")" | head -1)
	kill -9 "$pid"
	wait "$w1" 2>/dev/null || true
	kill "$w2" 2>/dev/null
	wait "$w2" 2>/dev/null || true
	umount -l "$T/h1" 2>/dev/null || fusermount3 -uz "$T/h1" 2>/dev/null || true
	if ((r % 2)); then
		vmfs_mount "$img" "$T/h1" -o host=h1,lease=$LEASE || vmfs_die "restart h1, round $r"
		vmfs_check "round $r: h1 restarted, its fsync'd files are there" verify h1 "$T/h1"
		vmfs_check "round $r: ... and h2's, read on h2" verify h2 "$T/h2"
		vmfs_check "round $r: unmount h1" vmfs_umount "$T/h1"
	else
		sleep $((LEASE / 1000 + 1))
		vmfs_check "round $r: h2 walks the dead host's files" \
			bash -c "cat \$(find '$T/h2' -type f -path '*h1-r*') >/dev/null"
		vmfs_check "round $r: h1's fsync'd files are there, read on h2" verify h1 "$T/h2"
		vmfs_check "round $r: ... and h2's own" verify h2 "$T/h2"
	fi
	vmfs_check "round $r: unmount h2" vmfs_umount "$T/h2"
	vmfs_fsck_clean "$img"
done
vmfs_done
