#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/run.sh - compare this filesystem (vmfs, through FUSE) with baselines,
# all measured in ONE run on this machine:
#
#   raw      the backing image file itself (fio on a file of the host fs, direct=1)
#   ext4     ext4 on a loop device (losetup --direct-io=on, mkfs.ext4, mount)
#   fuse2fs  ext4 image served by fuse2fs (FUSE baseline)
#   vmfs     mkfs.vmfs image served by mount.vmfs
#
# Workloads on each target (same fio options everywhere, see "Exact commands"
# in the report):
#   seqwrite   1 MiB sequential write of a SIZE file, end_fsync=1
#   seqread    1 MiB sequential read of it (caches dropped before)
#   randread   4 KiB random read, iodepth 16, RUNTIME s (+2 s ramp)
#   randwrite  4 KiB random write, iodepth 16, RUNTIME s (+2 s ramp)
#   meta       bench/metaops: create+stat+unlink of NFILES small files
#
# Must run as root (losetup, mount, drop_caches).
#
# Environment:
#   BENCH_DIR   directory for all images and mount points (/var/tmp/vmfs-bench)
#   SIZE        fio file size (2G)
#   IMG_SIZE    size of each image (2 x SIZE, at least 1G)
#   RUNTIME     seconds per random job (20)
#   RAMP        ramp time per random job (2)
#   NFILES      files for the metadata test (10000)
#   VMFS_BUILD  meson build dir holding mkfs/mkfs.vmfs, fs/fuse/mount.vmfs
#               (/work/main/build)
#   VMFS_MKFS_OPTS   extra mkfs.vmfs options ("")
#   VMFS_MOUNT_OPTS  extra mount.vmfs options, e.g. "-o foo" ("")
#   FUSE2FS_OPTS     extra fuse2fs options ("")
#   ONLY        comma list of targets: raw,ext4,fuse2fs,vmfs (all)
#   KEEP        1 = keep the images (and the result dir is kept always)
#   OUT_MD      report path (bench/results-<date>.md)
#
# Example quick check:  ONLY=raw,ext4 RUNTIME=5 SIZE=512M bench/run.sh

set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BENCH_DIR=${BENCH_DIR:-/var/tmp/vmfs-bench}
SIZE=${SIZE:-2G}
RUNTIME=${RUNTIME:-20}
RAMP=${RAMP:-2}
NFILES=${NFILES:-10000}
VMFS_BUILD=${VMFS_BUILD:-/work/main/build}
VMFS_MKFS_OPTS=${VMFS_MKFS_OPTS:-}
VMFS_MOUNT_OPTS=${VMFS_MOUNT_OPTS:-}
FUSE2FS_OPTS=${FUSE2FS_OPTS:-}
ONLY=${ONLY:-raw,ext4,fuse2fs,vmfs}
KEEP=${KEEP:-0}
STAMP=$(date +%Y-%m-%d-%H%M%S)
OUT_MD=${OUT_MD:-$SCRIPT_DIR/results-$STAMP.md}
MKFS_VMFS=$VMFS_BUILD/mkfs/mkfs.vmfs
MOUNT_VMFS=$VMFS_BUILD/fs/fuse/mount.vmfs

SIZE_BYTES=$(numfmt --from=iec "$SIZE") || { echo "bad SIZE=$SIZE" >&2; exit 2; }
if [[ -z ${IMG_SIZE:-} ]]; then
	IMG_BYTES=$((SIZE_BYTES * 2))
	((IMG_BYTES < 1073741824)) && IMG_BYTES=1073741824
	IMG_SIZE=$((IMG_BYTES / 1048576))M
fi
IMG_BYTES=$(numfmt --from=iec "$IMG_SIZE")

# Before each job wait (up to QUIET_MAX s) until the machine is quiet:
# CPU busy <= QUIET_PCT % over 2 s.  Other work on a 2-core machine skews
# everything; the busy figures go into the report.
QUIET_PCT=${QUIET_PCT:-20}
QUIET_MAX=${QUIET_MAX:-120}

# Timeouts so that a hung FUSE daemon cannot hang the whole run.
SEQ_TIMEOUT=${SEQ_TIMEOUT:-1800}
RAND_TIMEOUT=$((RUNTIME + RAMP + 300))
META_TIMEOUT=${META_TIMEOUT:-1800}

exec {LOGFD}>&2   # log even from traps that run inside redirected calls
log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&"$LOGFD"; }
die() { log "ERROR: $*"; exit 1; }

[[ $(id -u) -eq 0 ]] || die "run as root"
for t in fio python3 cc losetup mkfs.ext4 mountpoint numfmt timeout; do
	command -v "$t" >/dev/null || die "missing tool: $t"
done

# ---------------------------------------------------------------- cleanup
MOUNTS=()   # mount points we mounted
LOOPS=()    # loop devices we attached
PIDS=()     # daemons we started
IMAGES=()   # image files we created

unmount_one() {
	local mnt=$1 _
	mountpoint -q "$mnt" || return 0
	for _ in 1 2 3 4 5; do
		if [[ $(findmnt -n -o FSTYPE -T "$mnt") == fuse* ]]; then
			fusermount3 -u "$mnt" 2>/dev/null || fusermount -u "$mnt" 2>/dev/null || umount "$mnt" 2>/dev/null
		else
			umount "$mnt" 2>/dev/null
		fi
		mountpoint -q "$mnt" || return 0
		sleep 1
	done
	log "lazy unmount of $mnt"
	umount -l "$mnt" 2>/dev/null
}

kill_one() {
	local pid=$1 _
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.2
	done
	log "daemon $pid ignores SIGTERM; SIGKILL"
	kill -9 "$pid" 2>/dev/null
}

cleanup() {
	local m p l img
	for m in "${MOUNTS[@]}"; do unmount_one "$m"; done
	MOUNTS=()
	for p in "${PIDS[@]}"; do
		# a FUSE daemon exits by itself after the unmount; give it a moment
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.3; done
		kill_one "$p"
	done
	PIDS=()
	for l in "${LOOPS[@]}"; do losetup -d "$l" 2>/dev/null; done
	LOOPS=()
	if [[ $KEEP != 1 ]]; then
		for img in "${IMAGES[@]}"; do rm -f "$img"; done
		IMAGES=()
	fi
}

# Run a long command in the background and wait for it, so that a signal to
# this script is handled at once (bash defers traps while a foreground
# child runs).  The child is a `timeout`, which forwards SIGTERM.
CHILD=
run_child() {
	"$@" &
	CHILD=$!
	wait "$CHILD"
	local rc=$?
	CHILD=
	return $rc
}

on_exit() {
	local rc=$?
	trap - EXIT INT TERM
	if [[ -n $CHILD ]]; then
		kill "$CHILD" 2>/dev/null
		wait "$CHILD" 2>/dev/null
	fi
	cleanup
	[[ $KEEP != 1 ]] && rm -rf "$BENCH_DIR"/mnt-* "$BENCH_DIR"/meta-raw 2>/dev/null
	exit $rc
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- setup
mkdir -p "$BENCH_DIR" || die "cannot create $BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
RES=$BENCH_DIR/results-$STAMP
mkdir -p "$RES"
CMDS=$RES/commands.txt
: >"$CMDS"

METAOPS=$BENCH_DIR/metaops
cc -O2 -Wall -o "$METAOPS" "$SCRIPT_DIR/metaops.c" || die "cannot build metaops"

# Pin the vmfs binaries for the whole run: the build dir may be rebuilt while
# the baselines run.  They link only system libraries, so a copy runs as is.
if [[ -x $MKFS_VMFS && -x $MOUNT_VMFS ]]; then
	mkdir -p "$RES/bin"
	cp "$MKFS_VMFS" "$MOUNT_VMFS" "$RES/bin/" && {
		MKFS_VMFS=$RES/bin/mkfs.vmfs
		MOUNT_VMFS=$RES/bin/mount.vmfs
	}
fi

declare -A WANT=()
IFS=, read -ra _only <<<"$ONLY"
for t in "${_only[@]}"; do
	case $t in
	raw | fuse2fs | vmfs) WANT[$t]=1 ;;
	ext4 | ext4-loop) WANT[ext4]=1 ;;
	"") ;;
	*) die "unknown target '$t' in ONLY (raw,ext4,fuse2fs,vmfs)" ;;
	esac
done

avail=$(df -B1 --output=avail "$BENCH_DIR" | tail -1)
# Images are created and removed per target, so one image at a time must fit.
((avail > IMG_BYTES + 268435456)) || die "not enough space in $BENCH_DIR: $avail bytes free, need $IMG_BYTES"

# Machine description.
{
	echo "date:        $(date -Is)"
	echo "host:        $(hostname)"
	echo "cpus:        $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory:      $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "kernel:      $(uname -srm)"
	if command -v systemd-detect-virt >/dev/null; then
		echo "virt:        $(systemd-detect-virt 2>/dev/null || true)"
	fi
	src=$(findmnt -n -o SOURCE -T "$BENCH_DIR")
	echo "image dir:   $BENCH_DIR on $src ($(findmnt -n -o FSTYPE -T "$BENCH_DIR"), $(findmnt -n -o OPTIONS -T "$BENCH_DIR"))"
	dev=$(basename "$src")
	parent=$(lsblk -no PKNAME "$src" 2>/dev/null | head -1)
	[[ -n $parent ]] && dev=$parent
	if [[ -r /sys/block/$dev/queue/rotational ]]; then
		echo "disk:        /dev/$dev rotational=$(cat "/sys/block/$dev/queue/rotational") scheduler=$(cat "/sys/block/$dev/queue/scheduler") size=$(lsblk -dno SIZE "/dev/$dev" 2>/dev/null | tr -d ' ')"
	fi
	df -hT "$BENCH_DIR" | sed 's/^/  /'
	echo "fio:         $(fio --version)"
	echo "fuse2fs:     $(dpkg-query -W -f '${Version}' fuse2fs 2>/dev/null || echo '?') (libfuse2)"
	echo "libfuse3:    $(pkg-config --modversion fuse3 2>/dev/null || echo '?')"
	echo "io_uring_disabled sysctl: $(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo n/a)"
	for b in "$VMFS_BUILD/mkfs/mkfs.vmfs" "$VMFS_BUILD/fs/fuse/mount.vmfs"; do
		[[ -x $b ]] && echo "binary:      $b  built $(date -r "$b" -Is)  sha256 $(sha256sum "$b" | cut -c1-16)  (copied to $RES/bin at start and run from there)"
	done
	echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "other FUSE mounts at start: $(findmnt -rn -o FSTYPE,TARGET | awk -v d="$BENCH_DIR" '($1 == "fuse" || $1 ~ /^fuse\./) && index($2, d) != 1' | wc -l)"
} >"$RES/machine.txt"

{
	echo "command:     $(printf '%q ' env BENCH_DIR="$BENCH_DIR" SIZE="$SIZE" RUNTIME="$RUNTIME" NFILES="$NFILES" ONLY="$ONLY" "$0")"
	echo "SIZE=$SIZE ($SIZE_BYTES bytes)  IMG_SIZE=$IMG_SIZE  RUNTIME=$RUNTIME s  RAMP=$RAMP s  NFILES=$NFILES"
	echo "BENCH_DIR=$BENCH_DIR  VMFS_BUILD=$VMFS_BUILD"
	echo "results dir (fio JSON, logs): $RES"
	echo "Caches dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before every fio job."
	echo "Before every job: wait up to ${QUIET_MAX} s for machine CPU busy <= ${QUIET_PCT}% (2 s sample)."
	echo "ext4-loop: losetup --direct-io=on (no host page cache under the loop device)."
	echo "mkfs.ext4 for ext4-loop and fuse2fs: -F -q -E lazy_itable_init=0,lazy_journal_init=0"
	echo "fallocate=none on all jobs, so sequential write includes block allocation."
} >"$RES/config.txt"

echo "# Benchmark: vmfs vs raw / ext4-loop / fuse2fs ($STAMP)" >"$RES/title.txt"

# ---------------------------------------------------------------- helpers
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches 2>/dev/null || log "warning: cannot drop caches"
}

note() { # target text...
	local t=$1; shift
	echo "$*" >>"$RES/$t.notes"
	log "[$t] $*"
}

# CPU seconds (user+sys) of a process, or empty.
proc_cpu() {
	local pid=$1
	[[ -n $pid && -r /proc/$pid/stat ]] || return 0
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$pid/stat"
}

# "busy total" jiffies of all CPUs (iowait counts as idle).
cpu_sample() {
	awk '/^cpu / { idle = $5 + $6; tot = 0; for (i = 2; i <= 9; i++) tot += $i; print tot - idle, tot }' /proc/stat
}
busy_pct() { # "b0 t0" "b1 t1"
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
		dt = y[2] - x[2]; v = 0; if (dt > 0) v = 100 * (y[1] - x[1]) / dt; printf "%.0f", v }'
}

# wait_quiet TARGET JOB: wait for a quiet machine, record the busy % seen.
wait_quiet() {
	local t=$1 wl=$2 s0 s1 pct waited=0
	while :; do
		s0=$(cpu_sample); sleep 2; s1=$(cpu_sample)
		pct=$(busy_pct "$s0" "$s1")
		((pct <= QUIET_PCT)) && break
		waited=$((waited + 2))
		if ((waited >= QUIET_MAX)); then
			note "$t" "machine still ${pct}% busy after waiting ${QUIET_MAX} s before $wl; ran anyway"
			break
		fi
	done
	((waited > 0)) && log "[$t] waited ${waited} s for a quiet machine before $wl"
	echo "$pct" >"$RES/$t-$wl.bgbusy"
}

# Wait until MNT is a mount point, while daemon PID lives.
wait_mount() {
	local mnt=$1 pid=$2 _
	for _ in $(seq 1 150); do
		mountpoint -q "$mnt" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# probe_fio DIR ENGINE DIRECT -> 0 if the combination works on DIR
probe_fio() {
	local dir=$1 engine=$2 direct=$3 out=$RES/probe.json
	rm -f "$dir/.fio-probe"
	timeout -k 5 60 fio --name=probe --filename="$dir/.fio-probe" --size=8M --bs=4k \
		--rw=randrw --ioengine="$engine" --iodepth=4 --direct="$direct" \
		--runtime=1 --time_based --output-format=json --output="$out" >/dev/null 2>&1
	local rc=$?
	rm -f "$dir/.fio-probe"
	[[ $rc -eq 0 ]] && python3 "$SCRIPT_DIR/report.py" fiook "$out"
}

# Select engines and direct flag for a target; sets SEQ_ENGINE RAND_ENGINE DIRECT
choose_io() {
	local t=$1 dir=$2
	DIRECT=1
	if probe_fio "$dir" io_uring 1; then
		RAND_ENGINE=io_uring
	elif probe_fio "$dir" libaio 1; then
		RAND_ENGINE=libaio
		note "$t" "io_uring with direct=1 failed; random jobs use libaio"
	elif probe_fio "$dir" psync 1; then
		RAND_ENGINE=psync
		note "$t" "io_uring and libaio with direct=1 failed; random jobs use psync (iodepth is then 1)"
	else
		DIRECT=0
		note "$t" "O_DIRECT does not work here: all jobs run with direct=0 (buffered; read numbers may come from page cache)"
		if probe_fio "$dir" io_uring 0; then RAND_ENGINE=io_uring; else RAND_ENGINE=psync; fi
	fi
	if probe_fio "$dir" libaio "$DIRECT"; then
		SEQ_ENGINE=libaio
	else
		SEQ_ENGINE=psync
		note "$t" "libaio failed; sequential jobs use psync"
	fi
}

# run_fio TARGET WORKLOAD FILE DAEMONPID
run_fio() {
	local t=$1 wl=$2 file=$3 dpid=${4:-} json=$RES/$1-$2.json
	local -a args=(--name="$wl" --filename="$file" --size="$SIZE" --fallocate=none
		--direct="$DIRECT" --output-format=json --output="$json")
	local tmo
	case $wl in
	seqwrite) args+=(--rw=write --bs=1M --ioengine="$SEQ_ENGINE" --iodepth=4 --end_fsync=1); tmo=$SEQ_TIMEOUT ;;
	seqread) args+=(--rw=read --bs=1M --ioengine="$SEQ_ENGINE" --iodepth=4); tmo=$SEQ_TIMEOUT ;;
	randread) args+=(--rw=randread --bs=4k --ioengine="$RAND_ENGINE" --iodepth=16
		--time_based --runtime="$RUNTIME" --ramp_time="$RAMP"); tmo=$RAND_TIMEOUT ;;
	randwrite) args+=(--rw=randwrite --bs=4k --ioengine="$RAND_ENGINE" --iodepth=16
		--time_based --runtime="$RUNTIME" --ramp_time="$RAMP"); tmo=$RAND_TIMEOUT ;;
	esac
	drop_caches
	wait_quiet "$t" "$wl"
	echo "[$t] fio $(printf '%q ' "${args[@]}")" >>"$CMDS"
	local c0 c1 m0 m1
	m0=$(cpu_sample)
	c0=$(proc_cpu "$dpid")
	log "[$t] fio $wl"
	run_child timeout -k 10 "$tmo" fio "${args[@]}" >"$RES/$t-$wl.stdout" 2>&1
	local rc=$?
	c1=$(proc_cpu "$dpid")
	m1=$(cpu_sample)
	busy_pct "$m0" "$m1" >"$RES/$t-$wl.busy"
	[[ -n $c0 && -n $c1 ]] && awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f\n", b - a }' >"$RES/$t-$wl.daemoncpu"
	if [[ $rc -ne 0 ]] || ! python3 "$SCRIPT_DIR/report.py" fiook "$json"; then
		note "$t" "fio $wl failed (rc=$rc): $(tail -c 300 "$RES/$t-$wl.stdout" | tr '\n' ' ')"
		return 1
	fi
	return 0
}

run_meta() {
	local t=$1 dir=$2
	rm -rf "$dir"
	mkdir -p "$dir" || { note "$t" "cannot create $dir"; return 1; }
	wait_quiet "$t" meta
	echo "[$t] $METAOPS $dir $NFILES" >>"$CMDS"
	log "[$t] metaops $NFILES files"
	if ! run_child timeout -k 10 "$META_TIMEOUT" "$METAOPS" "$dir" "$NFILES" >"$RES/$t-meta.txt" 2>&1; then
		note "$t" "metaops failed: $(tail -c 300 "$RES/$t-meta.txt" | tr '\n' ' ')"
		return 1
	fi
	rmdir "$dir" 2>/dev/null
	return 0
}

# run_workloads TARGET DIR FIOFILE [DAEMONPID] [METADIR]
run_workloads() {
	local t=$1 dir=$2 file=$3 dpid=${4:-} mdir=${5:-$2/meta}
	local failed=0
	choose_io "$t" "$dir"
	echo "[$t] engines: sequential=$SEQ_ENGINE random=$RAND_ENGINE direct=$DIRECT" >>"$CMDS"
	if run_fio "$t" seqwrite "$file" "$dpid"; then
		run_fio "$t" seqread "$file" "$dpid" || failed=1
		run_fio "$t" randread "$file" "$dpid" || failed=1
		run_fio "$t" randwrite "$file" "$dpid" || failed=1
	else
		failed=1
	fi
	rm -f "$file"
	run_meta "$t" "$mdir" || failed=1
	if ((failed)); then echo "failed: see notes" >"$RES/$t.status"; else echo ok >"$RES/$t.status"; fi
}

# Create a sparse image file of IMG_SIZE.
new_image() {
	local img=$1
	rm -f "$img"
	IMAGES+=("$img")
	truncate -s "$IMG_BYTES" "$img"
}

mkfs_ext4() {
	echo "mkfs.ext4 -F -q -E lazy_itable_init=0,lazy_journal_init=0 $1" >>"$CMDS"
	mkfs.ext4 -F -q -E lazy_itable_init=0,lazy_journal_init=0 "$1"
}

# ---------------------------------------------------------------- targets
target_raw() {
	local img=$BENCH_DIR/raw.img
	log "=== raw: $img (host $(findmnt -n -o FSTYPE -T "$BENCH_DIR"))"
	new_image "$img"
	echo "[raw] truncate -s $IMG_BYTES $img   # fio writes the first $SIZE of it" >>"$CMDS"
	run_workloads raw "$BENCH_DIR" "$img" "" "$BENCH_DIR/meta-raw"
	rm -f "$img"
}

target_ext4() {
	local img=$BENCH_DIR/ext4.img mnt=$BENCH_DIR/mnt-ext4 loop
	log "=== ext4-loop: $img"
	new_image "$img"
	mkfs_ext4 "$img" || { echo "failed: mkfs.ext4" >"$RES/ext4.status"; return; }
	loop=$(losetup --find --show --direct-io=on "$img") || { echo "failed: losetup" >"$RES/ext4.status"; return; }
	LOOPS+=("$loop")
	echo "[ext4] losetup --find --show --direct-io=on $img -> $loop; mount $loop $mnt" >>"$CMDS"
	mkdir -p "$mnt"
	mount "$loop" "$mnt" || { echo "failed: mount" >"$RES/ext4.status"; return; }
	MOUNTS+=("$mnt")
	note ext4 "loop $loop dio=$(cat "/sys/block/${loop#/dev/}/loop/dio" 2>/dev/null || echo ?), mount options: $(findmnt -n -o OPTIONS "$mnt")"
	run_workloads ext4 "$mnt" "$mnt/fio.dat"
	cleanup
}

target_fuse2fs() {
	local img=$BENCH_DIR/fuse2fs.img mnt=$BENCH_DIR/mnt-fuse2fs pid
	log "=== fuse2fs: $img"
	new_image "$img"
	mkfs_ext4 "$img" || { echo "failed: mkfs.ext4" >"$RES/fuse2fs.status"; return; }
	mkdir -p "$mnt"
	# shellcheck disable=SC2086
	echo "[fuse2fs] fuse2fs $img $mnt -f $FUSE2FS_OPTS   # run as root, in background" >>"$CMDS"
	# shellcheck disable=SC2086
	fuse2fs "$img" "$mnt" -f $FUSE2FS_OPTS >"$RES/fuse2fs-daemon.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	MOUNTS+=("$mnt")
	if ! wait_mount "$mnt" "$pid"; then
		echo "failed: fuse2fs did not mount ($(tail -c 200 "$RES/fuse2fs-daemon.log" | tr '\n' ' '))" >"$RES/fuse2fs.status"
		cleanup
		return
	fi
	note fuse2fs "mount options: $(findmnt -n -o OPTIONS "$mnt")"
	run_workloads fuse2fs "$mnt" "$mnt/fio.dat" "$pid"
	cleanup
}

target_vmfs() {
	local img=$BENCH_DIR/vmfs.img mnt=$BENCH_DIR/mnt-vmfs pid
	if [[ ! -x $MKFS_VMFS || ! -x $MOUNT_VMFS ]]; then
		log "=== vmfs: SKIPPED - binaries missing ($MKFS_VMFS, $MOUNT_VMFS); build with: meson setup build && ninja -C build"
		echo "skipped: binaries missing under $VMFS_BUILD" >"$RES/vmfs.status"
		return
	fi
	log "=== vmfs: $img"
	new_image "$img"
	# shellcheck disable=SC2086
	echo "[vmfs] $MKFS_VMFS -f --size $IMG_SIZE $VMFS_MKFS_OPTS $img" >>"$CMDS"
	# shellcheck disable=SC2086
	if ! "$MKFS_VMFS" -f --size "$IMG_SIZE" $VMFS_MKFS_OPTS "$img" >"$RES/vmfs-mkfs.log" 2>&1; then
		echo "failed: mkfs.vmfs ($(tail -c 300 "$RES/vmfs-mkfs.log" | tr '\n' ' '))" >"$RES/vmfs.status"
		log "mkfs.vmfs failed: $(cat "$RES/vmfs-mkfs.log")"
		return
	fi
	mkdir -p "$mnt"
	echo "[vmfs] $MOUNT_VMFS $img $mnt -f $VMFS_MOUNT_OPTS   # in background" >>"$CMDS"
	# shellcheck disable=SC2086
	"$MOUNT_VMFS" "$img" "$mnt" -f $VMFS_MOUNT_OPTS >"$RES/vmfs-daemon.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	MOUNTS+=("$mnt")
	if ! wait_mount "$mnt" "$pid"; then
		echo "failed: mount.vmfs did not mount ($(tail -c 300 "$RES/vmfs-daemon.log" | tr '\n' ' '))" >"$RES/vmfs.status"
		log "mount.vmfs failed: $(tail -c 500 "$RES/vmfs-daemon.log")"
		cleanup
		return
	fi
	note vmfs "mount options: $(findmnt -n -o OPTIONS "$mnt"); daemon threads after mount: $(find "/proc/$pid/task" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)"
	run_workloads vmfs "$mnt" "$mnt/fio.dat" "$pid"
	note vmfs "daemon peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status 2>/dev/null)"
	cleanup
}

# ---------------------------------------------------------------- main
log "results in $RES; report -> $OUT_MD"
[[ -n ${WANT[raw]:-} ]] && target_raw
[[ -n ${WANT[ext4]:-} ]] && target_ext4
[[ -n ${WANT[fuse2fs]:-} ]] && target_fuse2fs
[[ -n ${WANT[vmfs]:-} ]] && target_vmfs
for t in raw ext4 fuse2fs vmfs; do
	[[ -e $RES/$t.status ]] || echo "not selected (ONLY=$ONLY)" >"$RES/$t.status"
done

echo "loadavg at end:   $(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/machine.txt"
python3 "$SCRIPT_DIR/report.py" "$RES" >"$OUT_MD" || die "report failed"
cp "$OUT_MD" "$RES/report.md"
cat "$OUT_MD"
log "report written to $OUT_MD (raw data in $RES)"
