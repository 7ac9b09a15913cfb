#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several hosts on one volume (issue 3), measured on one image file with one
# mount.vmfs process per host, as root:
#   1. open-to-open handover of a file between two hosts (bench/handoff.c)
#   2. time from kill -9 of a host holding a file to another host opening
#      it, with the volume's default lease (8 s)
#   3. aggregate write throughput: 4 hosts writing new files at once,
#      against 1 host running the same 4 writers
#   4. metadata (bench/metaops.c): 1 host alone on the volume, then 2 hosts
#      at once in their own directories (they share the volume lock)
# Join time and lock latency are bench/lockbench's (docs/PERFORMANCE.md).
#
# usage: bench/multihost.sh [OUT.md]    (default bench/results-multihost-DATE.md)
# Environment: VMFS_BUILD (default build), BENCH_DIR (default /tmp), MB per
# writer (default 512), N files for metaops (default 5000).
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${VMFS_BUILD:-$SRC/build}
MKFS=$BUILD/mkfs/mkfs.vmfs
MOUNT=$BUILD/fs/fuse/mount.vmfs
MB=${MB:-512}
N=${N:-5000}
OUT=${1:-$SRC/bench/results-multihost-$(date +%Y-%m-%d-%H%M%S).md}
W=$(mktemp -d "${BENCH_DIR:-/tmp}/vmfs-mh.XXXXXX")
IMG=$W/vol.img
HOLDER=

cleanup() {
	set +e
	[[ -n "$HOLDER" ]] && kill "$HOLDER" 2>/dev/null
	for m in "$W"/h*; do
		mountpoint -q "$m" 2>/dev/null && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	for ((i = 0; i < 100; i++)); do
		pgrep -f "mount.vmfs $IMG" >/dev/null || break
		sleep 0.1
	done
	pkill -9 -f "mount.vmfs $IMG" 2>/dev/null
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT

cc -O2 -o "$W/handoff" "$SRC/bench/handoff.c"
cc -O2 -o "$W/metaops" "$SRC/bench/metaops.c"

fresh() {	# format and mount hosts h1..h$1
	local h
	for m in "$W"/h*; do
		mountpoint -q "$m" 2>/dev/null && fusermount3 -u "$m"
	done
	while pgrep -f "mount.vmfs $IMG" >/dev/null; do sleep 0.1; done
	rm -f "$IMG"
	"$MKFS" -q -f --size 64G "$IMG" >/dev/null
	for ((h = 1; h <= $1; h++)); do
		mkdir -p "$W/h$h"
		"$MOUNT" "$IMG" "$W/h$h" -o host=h$h
	done
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

{
	echo "# Several hosts on one volume: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Command: \`bench/multihost.sh\` (MB=$MB per writer, N=$N for metaops)."
	echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo),"
	echo "kernel $(uname -r), image on $(df -T "$W" | awk 'NR==2 {print $2}'),"
	rev=$(git -C "$SRC" rev-parse --short HEAD 2>/dev/null || echo '?')
	git -C "$SRC" diff --quiet HEAD -- fs lockmgr 2>/dev/null || rev="$rev plus uncommitted changes"
	echo "mount.vmfs $rev with O_DIRECT backing."
	echo
} >"$OUT"

# 1. handover
fresh 2
r=$("$W/handoff" "$W/h1/disk" "$W/h2/disk" 200 | tail -1)
echo "handoff: $r"
printf '## Open-to-open handover\n\n200 rounds, roles swapping: `%s`\n\n' "$r" >>"$OUT"

# 2. kill -9 to takeover, default lease
head -c 4M /dev/urandom >"$W/held"
cp "$W/held" "$W/h2/held" && sync "$W/h2/held"
sleep 1000 3>>"$W/h2/held" &
HOLDER=$!
sleep 0.5
pid=$(pgrep -f "mount.vmfs $IMG $W/h2" | head -1)
lease=8000	# the volume default that mkfs.vmfs writes
t0=$(now_ms)
kill -9 "$pid"
until (exec 4>>"$W/h1/held") 2>/dev/null; do sleep 0.05; done
t1=$(now_ms)
cmp "$W/held" "$W/h1/held"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null || true
HOLDER=
umount -l "$W/h2" 2>/dev/null || true
echo "takeover: $((t1 - t0)) ms"
printf '## kill -9 to takeover\n\nh1 opened the file h2 held %d ms after kill -9 of h2 (lease %d ms); every fsync'"'"'d byte there.\n\n' \
	$((t1 - t0)) "$lease" >>"$OUT"

# 3. aggregate write throughput
writers() {	# DIR... : one dd writer per argument, at once; prints MiB/s
	local t0 t1 d i=0
	t0=$(now_ms)
	for d in "$@"; do
		i=$((i + 1))
		mkdir -p "$d"
		dd if=/dev/zero of="$d/new$i" bs=1M count="$MB" oflag=direct status=none &
	done
	wait
	t1=$(now_ms)
	echo $(($# * MB * 1000 / (t1 - t0)))
}
fresh 4
one=$(writers "$W/h1/a" "$W/h1/b" "$W/h1/c" "$W/h1/d")
fresh 4
four=$(writers "$W/h1/a" "$W/h2/b" "$W/h3/c" "$W/h4/d")
echo "write: 1 host x4 writers $one MiB/s, 4 hosts x1 writer $four MiB/s"
printf '## Aggregate write throughput, new files\n\n| case | MiB/s |\n| --- | --- |\n| 1 host, 4 writers | %s |\n| 4 hosts, 1 writer each | %s |\n\n' \
	"$one" "$four" >>"$OUT"

# 4. metadata
fresh 1
mkdir "$W/h1/m0"
solo=$("$W/metaops" "$W/h1/m0" "$N" | tail -1)
fresh 2
mkdir "$W/h1/m1" "$W/h2/m2"
"$W/metaops" "$W/h1/m1" "$N" >"$W/m1.out" &
p1=$!
"$W/metaops" "$W/h2/m2" "$N" >"$W/m2.out"
wait "$p1"
echo "metaops, one host mounted: $solo"
echo "metaops h1 with h2 busy: $(tail -1 "$W/m1.out")"
echo "metaops h2 with h1 busy: $(tail -1 "$W/m2.out")"
{
	printf '## Metadata, create+stat+unlink (metaops)\n\n'
	printf -- '- one host, alone on the volume: `%s`\n' "$solo"
	printf -- '- two hosts at once, each in its own directory, h1: `%s`\n' "$(tail -1 "$W/m1.out")"
	printf -- '- the same, h2: `%s`\n' "$(tail -1 "$W/m2.out")"
} >>"$OUT"
echo "results in $OUT"
