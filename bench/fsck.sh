#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fsck speed (issue 4): fsck.vmfs -n on a volume holding N files (default
# 100,000: 100 directories of 1000 small files, a few KiB each) against
# e2fsck -fn on an ext4 image holding the same files, in the same run, on
# the same disk. Each checker runs three times with cold caches for the
# image (drop_caches between runs); the median is reported. As root.
#
# usage: bench/fsck.sh [OUT.md]   (default bench/results-fsck-DATE.md)
# Environment: VMFS_BUILD (default build), BENCH_DIR (default /tmp), N.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VMFS_BUILD:-$SRC/build}
N=${N:-100000}
OUT=${1:-$SRC/bench/results-fsck-$(date +%Y-%m-%d-%H%M%S).md}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/vmfs-fsck.XXXXXX")

cleanup() {
	set +e
	mountpoint -q "$W/m" && { fusermount3 -u "$W/m" 2>/dev/null || umount "$W/m"; }
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

fill() {	# DIR: N files in directories of 1000
	local d f
	for ((d = 0; d < N / 1000; d++)); do
		mkdir "$1/d$d"
		for ((f = 0; f < 1000; f++)); do
			printf 'file %d of directory %d\n' "$f" "$d" >"$1/d$d/f$f"
		done
	done
}

median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

timed() {	# CMD...: seconds, caches dropped first
	local t0 t1
	sync
	echo 3 >/proc/sys/vm/drop_caches
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || true
	t1=$(date +%s%N)
	echo "scale=2; ($t1 - $t0) / 1000000000" | bc
}

mkdir "$W/m"
truncate -s 8G "$W/vmfs.img"
"$BUILD/mkfs/mkfs.vmfs" -q "$W/vmfs.img" >/dev/null
"$BUILD/fs/fuse/mount.vmfs" "$W/vmfs.img" "$W/m" -o host=bench
fill "$W/m"
fusermount3 -u "$W/m"
while pgrep -f "mount.vmfs $W/vmfs.img" >/dev/null; do sleep 0.1; done

truncate -s 8G "$W/ext4.img"
mkfs.ext4 -q -F "$W/ext4.img"
mount -o loop "$W/ext4.img" "$W/m"
fill "$W/m"
umount "$W/m"

v=() e=()
for i in 1 2 3; do
	v+=("$(timed "$BUILD/fsck/fsck.vmfs" -n "$W/vmfs.img")")
	e+=("$(timed e2fsck -fn "$W/ext4.img")")
done
summary=$("$BUILD/fsck/fsck.vmfs" -n "$W/vmfs.img" 2>&1 | tail -1)
{
	echo "# fsck speed: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Command: \`bench/fsck.sh\` (N=$N files in directories of 1000, a few bytes each)."
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),"
	echo "kernel $(uname -r), images on $(df -T "$W" | awk 'NR==2 {print $2}'),"
	echo "fsck.vmfs $(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?'), $(e2fsck -V 2>&1 | head -1)."
	echo "Cold caches (drop_caches) before every run; median of three."
	echo
	echo "| checker | runs (s) | median (s) |"
	echo "| --- | --- | --- |"
	echo "| fsck.vmfs -n | ${v[*]} | $(median3 "${v[@]}") |"
	echo "| e2fsck -fn (ext4 on the same disk) | ${e[*]} | $(median3 "${e[@]}") |"
	echo
	echo "fsck.vmfs: \`$summary\`"
} | tee "$OUT"
