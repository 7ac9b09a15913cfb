#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Make the fsck regression cases (run as root: it mounts the base volume
# to fill it). For each damage of tools/vmfs-corrupt listed below: a copy
# of one base volume, damaged, kept compressed as CASE/image.gz, with the
# output of two fsck.vmfs -y runs as CASE/expect.1 and expect.2. Review
# the expected output of a new case by hand before committing it.
# usage: VMFS_BUILD=build tests/fsck/make_cases.sh [CASE...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
B=$(cd "${VMFS_BUILD:?VMFS_BUILD is not set}" && pwd)
declare -A damage=(
	[nlink]="d/f nlink=5"
	[alloc_count]="d/f alloc=3"
	[size]="d/f size=1000"
	[dir_count]="d nentries=9"
	[block_free]="d/f free-block"
	[block_leaked]="/ leak"
	[rg_ndesc]="d/f ndesc=+2"
	[rg_free_count]="d/f rg-free=+5"
	[hdr_backup]="/ backup-header"
	[lock_unreadable]="d/f lock-crc"
	[hb_unreadable]="/ hb-crc"
	[block_twice]="d/f dup-extent"
	[block_twice_node]="frag dup-node"
	[block_twice_tree]="big dup-child"
	[dirent_type]="d/f type=1"
	[desc_unreadable]="d dangling=ghost"
	[extent_outside]="d/f extent-outside"
	[orphan]="small unname"
	[dir_parent]="d parent-self"
	[dir_linked_twice]="d alias=again"
	[tree_unreadable]="frag node-crc"
	[dir_unreadable]="big node-crc"
	[rg_unreadable]="d/f bitmap-crc"
)
cases=("$@")
((${#cases[@]})) || cases=("${!damage[@]}")
work=$(mktemp -d /tmp/vmfs-make-cases.XXXXXX)
trap 'mountpoint -q "$work/m" && fusermount3 -u "$work/m"; rm -rf "$work"' EXIT
truncate -s 64M "$work/base"
"$B/mkfs/mkfs.vmfs" -q -L fsckcase "$work/base" >/dev/null
mkdir "$work/m"
"$B/fs/fuse/mount.vmfs" "$work/base" "$work/m" -o host=casemaker
mkdir "$work/m/d"
head -c $((3 << 20)) /dev/zero | tr '\0' 'x' >"$work/m/d/f"
echo small >"$work/m/small"
ln "$work/m/d/f" "$work/m/link"
setfattr -n user.case -v base "$work/m/small"
mkdir "$work/m/big"	# a directory that outgrows its descriptor into tree nodes
for i in $(seq 1 300); do : >"$work/m/big/entry-$i"; done
for i in $(seq 0 39); do	# a map that outgrows the descriptor into tree nodes
	dd if=/dev/zero of="$work/m/frag" bs=4k count=1 seek=$((i * 256)) conv=notrunc status=none
done
fusermount3 -u "$work/m"
while pgrep -f "mount.vmfs $work/base" >/dev/null; do sleep 0.1; done
for c in "${cases[@]}"; do
	read -r path what <<<"${damage[$c]}"
	mkdir -p "$here/$c"
	cp "$work/base" "$work/image"
	"$B/tools/vmfs-corrupt" "$work/image" "$path" "$what"
	gzip -9c "$work/image" >"$here/$c/image.gz"
	for run in 1 2; do
		rc=0
		(cd "$work" && "$B/fsck/fsck.vmfs" -y image >out 2>&1) || rc=$?
		echo "exit $rc" >>"$work/out"
		cp "$work/out" "$here/$c/expect.$run"
	done
	echo "$c: $(tail -1 "$here/$c/expect.1"), then $(tail -1 "$here/$c/expect.2")"
done
