# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
# Shared helpers of the integration tests (README.md "Tests"): a private
# temporary directory per test, images, mkfs, mounts through the daemonizing
# mount.vmfs, and an EXIT trap that unmounts every mount the test made, stops
# any daemon it started and removes the directory, whatever happened.
#
# Source it from a t_*.sh script, then call vmfs_init. Exit codes follow
# meson and automake: 0 pass, 1 fail, 77 skip.
#
# Environment:
#   VMFS_BUILD    meson build directory (meson's test() passes it; default:
#                 <source>/build)
#   VMFS_BIG_DIR  a directory for huge sparse images, instead of probing
#   VMFS_KEEP=1   keep the temporary directory (mounts are still undone)
#   TMPDIR        where the temporary directory goes (default /tmp)

set -eEuo pipefail

VMFS_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VMFS_BUILD=${VMFS_BUILD:-$VMFS_SRC/build}
MKFS=$VMFS_BUILD/mkfs/mkfs.vmfs
MOUNT_VMFS=$VMFS_BUILD/fs/fuse/mount.vmfs
VMFSCTL=$VMFS_BUILD/tools/vmfsctl
FSCK=$VMFS_BUILD/fsck/fsck.vmfs

VMFS_TEST=$(basename "$0" .sh)
VMFS_TMP=
VMFS_FAILED=0
VMFS_MOUNTS=()		# FUSE mount points, in mount order
VMFS_PIDS=()		# daemon PIDs we started or found for our mounts
VMFS_LOOPS=()		# kernel (loop) mounts made for backing storage
VMFS_EXTRA_DIRS=()	# directories outside VMFS_TMP to remove
VMFS_AT_EXIT=()		# commands (strings) run by the cleanup, first

vmfs_log() { printf '# %s\n' "$*"; }
vmfs_pass() { printf 'ok - %s\n' "$*"; }

# Records a failure and goes on; vmfs_done turns it into exit 1.
vmfs_fail() {
	printf 'not ok - %s\n' "$*"
	VMFS_FAILED=1
}

# A failure after which nothing else makes sense.
vmfs_die() {
	printf 'not ok - %s\n' "$*"
	printf 'Bail out! %s\n' "$VMFS_TEST"
	exit 1
}

vmfs_skip() {
	printf 'SKIP: %s: %s\n' "$VMFS_TEST" "$*"
	exit 77
}

# vmfs_check DESC CMD...: runs CMD, records pass or failure under DESC.
vmfs_check() {
	local desc=$1
	shift
	local rc=0 cmd
	"$@" || rc=$?
	if ((rc == 0)); then
		vmfs_pass "$desc"
	else
		cmd=$*
		((${#cmd} <= 200)) || cmd="${cmd:0:200}..."
		vmfs_fail "$desc (exit $rc: $cmd)"
	fi
}

# vmfs_wait_pids PID...: wait for each background job of this shell;
# VMFS_JOBS_FAILED is how many failed (not a $(...): a subshell cannot wait).
vmfs_wait_pids() {
	local p
	VMFS_JOBS_FAILED=0
	for p in "$@"; do
		wait "$p" || VMFS_JOBS_FAILED=$((VMFS_JOBS_FAILED + 1))
	done
}

# vmfs_expect_eq DESC GOT WANT
vmfs_expect_eq() {
	if [[ "$2" == "$3" ]]; then
		vmfs_pass "$1"
	else
		vmfs_fail "$1: got '$2', expected '$3'"
	fi
}

vmfs_done() {
	if ((VMFS_FAILED)); then
		printf '%s: FAILED\n' "$VMFS_TEST"
		exit 1
	fi
	printf '%s: passed\n' "$VMFS_TEST"
	exit 0
}

# Runs CMD expecting a non-zero exit and a message of exactly one line
# (stdout and stderr together). Sets VMFS_OUT to the message and VMFS_RC to
# the exit code. Returns 0 when both hold, 1 otherwise (with the reason).
vmfs_expect_refusal() {
	local lines
	VMFS_RC=0
	VMFS_OUT=$(timeout 60 "$@" 2>&1) || VMFS_RC=$?
	lines=$(printf '%s' "$VMFS_OUT" | grep -c . || true)
	if ((VMFS_RC == 0)); then
		echo "# accepted (exit 0): $*: $VMFS_OUT"
		return 1
	fi
	if ((VMFS_RC >= 124 && VMFS_RC <= 137)); then
		echo "# timed out or crashed (exit $VMFS_RC): $*"
		return 1
	fi
	if ((lines != 1)); then
		echo "# $lines lines of output instead of one:"
		printf '%s\n' "$VMFS_OUT" | sed 's/^/#   /'
		return 1
	fi
	echo "# refused (exit $VMFS_RC): $VMFS_OUT"
	return 0
}

_vmfs_cleanup() {
	local rc=$? m i pid
	set +eE
	trap - ERR
	for m in "${VMFS_AT_EXIT[@]}"; do
		eval "$m"
	done
	for ((i = ${#VMFS_MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${VMFS_MOUNTS[i]}
		[[ -n "$m" ]] && _vmfs_unmount_quiet "$m"
	done
	for pid in "${VMFS_PIDS[@]}"; do
		_vmfs_stop_pid "$pid"
	done
	for ((i = ${#VMFS_LOOPS[@]} - 1; i >= 0; i--)); do
		umount "${VMFS_LOOPS[i]}" 2>/dev/null ||
			umount -l "${VMFS_LOOPS[i]}" 2>/dev/null
	done
	for m in "${VMFS_EXTRA_DIRS[@]}"; do
		rm -rf --one-file-system "$m"
	done
	if [[ -n "$VMFS_TMP" && -d "$VMFS_TMP" ]]; then
		if [[ "${VMFS_KEEP:-0}" == 1 ]]; then
			echo "# kept $VMFS_TMP"
		else
			rm -rf --one-file-system "$VMFS_TMP"
		fi
	fi
	# Anything but pass or skip is a failure for meson (99 is "hard error").
	if ((rc != 0 && rc != 77)); then
		rc=1
	fi
	exit $rc
}

_vmfs_on_err() {
	local rc=$? line=$1 cmd=$2
	printf 'not ok - unexpected failure (exit %d) at %s line %d: %s\n' \
		"$rc" "$VMFS_TEST" "$line" "$cmd"
}

# vmfs_at_exit CMD: CMD (a string for eval) runs first in the cleanup.
vmfs_at_exit() { VMFS_AT_EXIT+=("$1"); }

# vmfs_track_mount MOUNTPOINT: have the cleanup undo a mount made otherwise.
vmfs_track_mount() { VMFS_MOUNTS+=("$(realpath "$1")"); }

# PIDs of mount.vmfs daemons serving mount point $1 (by their argv).
_vmfs_daemon_pids() {
	local want=$1 p args exe
	for p in /proc/[0-9]*; do
		exe=$(readlink "$p/exe" 2>/dev/null) || continue
		[[ "$(basename "$exe")" == mount.vmfs* ]] || continue
		mapfile -d '' -t args <"$p/cmdline" 2>/dev/null || continue
		for a in "${args[@]}"; do
			if [[ "$a" == "$want" || "$a" == "$want/" ]]; then
				echo "${p#/proc/}"
				break
			fi
		done
	done
}

# Waits up to $2 seconds for PID $1 to exit, then kills it.
_vmfs_stop_pid() {
	local pid=$1 t=${2:-5} i
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# daemon $pid still running after ${t}s, killing it"
	kill -TERM "$pid" 2>/dev/null
	sleep 1
	kill -KILL "$pid" 2>/dev/null
	return 0
}

_vmfs_is_mounted() {
	timeout 5 mountpoint -q "$1" 2>/dev/null
}

_vmfs_unmount_quiet() {
	local m=$1 pid pids
	pids=$(_vmfs_daemon_pids "$m")
	if _vmfs_is_mounted "$m" || grep -q " $m fuse" /proc/self/mounts; then
		timeout 20 fusermount3 -u "$m" 2>/dev/null ||
			timeout 20 fusermount3 -uz "$m" 2>/dev/null ||
			umount -l "$m" 2>/dev/null
	fi
	for pid in $pids; do
		_vmfs_stop_pid "$pid" 10
	done
}

# vmfs_init: checks for root and /dev/fuse, the binaries, makes VMFS_TMP.
vmfs_init() {
	trap _vmfs_cleanup EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	trap '_vmfs_on_err $LINENO "$BASH_COMMAND"' ERR
	[[ $(id -u) == 0 ]] || vmfs_skip "needs root"
	[[ -c /dev/fuse ]] || vmfs_skip "/dev/fuse is missing"
	command -v fusermount3 >/dev/null || vmfs_skip "fusermount3 is missing"
	command -v mountpoint >/dev/null || vmfs_skip "mountpoint is missing"
	local b
	for b in "$MKFS" "$MOUNT_VMFS" "$VMFSCTL"; do
		[[ -x "$b" ]] || vmfs_skip "$b is not built (VMFS_BUILD=$VMFS_BUILD)"
	done
	VMFS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmfs-$VMFS_TEST.XXXXXX")
	# posix_ops runs checks as nobody, who must be able to reach the mounts.
	chmod 0755 "$VMFS_TMP"
	vmfs_log "$VMFS_TEST in $VMFS_TMP, binaries from $VMFS_BUILD"
}

# vmfs_image PATH SIZE: creates a sparse file.
vmfs_image() {
	rm -f "$1"
	truncate -s "$2" "$1"
}

# vmfs_mkfs IMAGE [mkfs options]: formats, showing the summary.
vmfs_mkfs() {
	local img=$1
	shift
	"$MKFS" "$@" "$img" | sed 's/^/#   /'
	return "${PIPESTATUS[0]}"
}

# vmfs_fsck_clean IMAGE: fsck.vmfs -n finds no problem (records pass/fail).
vmfs_fsck_clean() {
	local out rc=0
	out=$("$FSCK" -n "$1" 2>&1) || rc=$?
	if ((rc == 0)); then
		vmfs_pass "fsck.vmfs -n is clean: ${out##*$'\n'}"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		vmfs_fail "fsck.vmfs -n is clean (exit $rc)"
	fi
}

# vmfs_mount IMAGE MOUNTPOINT [mount.vmfs options]: mounts in the background
# (the daemonizing mode) and waits up to 10 s for the mount to show up.
# Returns mount.vmfs's exit code when it fails.
vmfs_mount() {
	local img=$1 mnt=$2 rc=0 i pid
	shift 2
	mkdir -p "$mnt"
	mnt=$(realpath "$mnt")
	timeout 30 "$MOUNT_VMFS" "$img" "$mnt" "$@" || rc=$?
	if ((rc != 0)); then
		echo "# mount.vmfs $img $mnt $* failed with exit $rc"
		return $rc
	fi
	VMFS_MOUNTS+=("$mnt")
	for ((i = 0; i < 100; i++)); do
		_vmfs_is_mounted "$mnt" && break
		sleep 0.1
	done
	if ! _vmfs_is_mounted "$mnt"; then
		echo "# $mnt not mounted 10 s after mount.vmfs returned"
		return 1
	fi
	for pid in $(_vmfs_daemon_pids "$mnt"); do
		VMFS_PIDS+=("$pid")
	done
	return 0
}

# vmfs_mount_fg IMAGE MOUNTPOINT [options]: the same with mount.vmfs -f run
# as a background job of this shell; VMFS_FG_PID is its PID.
vmfs_mount_fg() {
	local img=$1 mnt=$2 i
	shift 2
	mkdir -p "$mnt"
	mnt=$(realpath "$mnt")
	"$MOUNT_VMFS" "$img" "$mnt" -f "$@" &
	VMFS_FG_PID=$!
	VMFS_PIDS+=("$VMFS_FG_PID")
	VMFS_MOUNTS+=("$mnt")
	for ((i = 0; i < 100; i++)); do
		_vmfs_is_mounted "$mnt" && return 0
		kill -0 "$VMFS_FG_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "# $mnt not mounted after 10 s"
	return 1
}

# vmfs_kill_host MOUNTPOINT: kill -9 the daemon serving it (a host crash),
# then detach the dead mount (descriptors into it can be closed after).
vmfs_kill_host() {
	local mnt pid
	mnt=$(realpath "$1")
	pid=$(_vmfs_daemon_pids "$mnt" | head -1)
	[[ -n "$pid" ]] && kill -9 "$pid"
	umount -l "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
}

# vmfs_umount MOUNTPOINT: unmounts and waits for the daemon to exit, so the
# image is free for the next mount. Returns 1 if that did not go cleanly.
vmfs_umount() {
	local mnt pids pid i rc=0
	mnt=$(realpath "$1")
	pids=$(_vmfs_daemon_pids "$mnt")
	if ! timeout 20 fusermount3 -u "$mnt"; then
		echo "# fusermount3 -u $mnt failed"
		rc=1
		umount -l "$mnt" 2>/dev/null || true
	fi
	for pid in $pids; do
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "# daemon $pid did not exit within 10 s of unmount"
			rc=1
		fi
	done
	for i in "${!VMFS_MOUNTS[@]}"; do
		[[ "${VMFS_MOUNTS[i]}" == "$mnt" ]] && VMFS_MOUNTS[i]=
	done
	return $rc
}

# vmfs_sparse_dir SIZE: sets VMFS_SPARSE_DIR to a directory that holds a
# sparse file of SIZE bytes: VMFS_BIG_DIR, then VMFS_TMP itself, then a
# tmpfs /dev/shm, then an XFS filesystem on a 2 GiB loop image (ext4 stops
# at 16 TiB per file). Returns 1 if none does. Not for $(...): it records
# what it mounts for the cleanup.
vmfs_sparse_dir() {
	local size=$1 d
	VMFS_SPARSE_DIR=
	for d in "${VMFS_BIG_DIR:-}" "$VMFS_TMP"; do
		[[ -n "$d" && -d "$d" ]] || continue
		if _vmfs_probe_sparse "$d" "$size"; then
			VMFS_SPARSE_DIR=$d
			return 0
		fi
	done
	if [[ "$(stat -f -c %T /dev/shm 2>/dev/null)" == tmpfs ]]; then
		d=$(mktemp -d "/dev/shm/vmfs-$VMFS_TEST.XXXXXX")
		VMFS_EXTRA_DIRS+=("$d")
		if _vmfs_probe_sparse "$d" "$size"; then
			VMFS_SPARSE_DIR=$d
			return 0
		fi
	fi
	if command -v mkfs.xfs >/dev/null; then
		d=$VMFS_TMP/xfs
		mkdir -p "$d"
		truncate -s 2G "$VMFS_TMP/xfs.img"
		mkfs.xfs -q -f "$VMFS_TMP/xfs.img"
		if mount -o loop "$VMFS_TMP/xfs.img" "$d"; then
			VMFS_LOOPS+=("$d")
			if _vmfs_probe_sparse "$d" "$size"; then
				VMFS_SPARSE_DIR=$d
				return 0
			fi
		fi
	fi
	return 1
}

_vmfs_probe_sparse() {
	local rc=0
	truncate -s "$2" "$1/.probe" 2>/dev/null || rc=1
	rm -f "$1/.probe"
	return $rc
}

# Allocated bytes of a file (what du reports), and its apparent size.
vmfs_alloc_bytes() { echo $(($(stat -c '%b * %B' "$1"))); }
vmfs_size() { stat -c %s "$1"; }
vmfs_md5() { md5sum <"$1" | cut -d' ' -f1; }
