#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak (suite "soak", not in CI): 64 hosts on one volume, each a mount.vmfs
# process. Every host creates and writes files in its own directory and in
# one shared directory, renames and removes some, all at once, for ROUNDS
# rounds (default 3); then every host must see the same shared directory,
# one host reads back every file with its expected contents, all unmount,
# and fsck finds the volume clean (no block claimed twice).
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
NH=${SOAK_HOSTS:-64}
ROUNDS=${SOAK_ROUNDS:-3}
vmfs_image "$img" 256G
vmfs_mkfs "$img" -L soak64 || vmfs_die "mkfs.vmfs"
for ((h = 1; h <= NH; h++)); do
	vmfs_mount "$img" "$T/h$h" -o host=soak$h,lease=4000 || vmfs_die "mount host $h"
done
live=$("$VMFSCTL" hosts "$img" | awk '$3 == "live"' | wc -l)
vmfs_expect_eq "$NH hosts are live" "$live" "$NH"
mkdir "$T/h1/shared"

work() {	# HOST ROUND
	local h=$1 r=$2 m=$T/h$1 i
	mkdir -p "$m/own$h" || return 1
	for i in 1 2 3 4 5; do
		printf 'host %s round %s file %s\n' "$h" "$r" "$i" >"$m/shared/h$h-r$r-$i" || return 1
		head -c $(((h * 7 + i) * 4096)) /dev/zero | tr '\0' "$(printf \\$(printf '%03o' $((65 + i))))" \
			>"$m/own$h/r$r-$i" || return 1
	done
	mv "$m/shared/h$h-r$r-1" "$m/shared/h$h-r$r-moved" || return 1
	rm "$m/shared/h$h-r$r-2" "$m/own$h/r$r-2" || return 1
}

for ((r = 1; r <= ROUNDS; r++)); do
	start=$(date +%s)
	pids=()
	for ((h = 1; h <= NH; h++)); do
		work "$h" "$r" &
		pids+=($!)
	done
	vmfs_wait_pids "${pids[@]}"
	vmfs_expect_eq "round $r: $NH hosts at once, no failed operation ($(($(date +%s) - start)) s)" "$VMFS_JOBS_FAILED" 0
done

want=$(ls "$T/h1/shared" | sort | md5sum)
same=0
for ((h = 1; h <= NH; h++)); do
	[[ "$(ls "$T/h$h/shared" | sort | md5sum)" == "$want" ]] && same=$((same + 1))
done
vmfs_expect_eq "every host sees the same shared directory" "$same" "$NH"
vmfs_expect_eq "the shared directory holds 4 names per host and round" \
	"$(ls "$T/h$NH/shared" | wc -l)" $((NH * ROUNDS * 4))
bad=0
for ((h = 1; h <= NH; h++)); do
	for ((r = 1; r <= ROUNDS; r++)); do
		[[ "$(cat "$T/h$(((h % NH) + 1))/shared/h$h-r$r-3")" == "host $h round $r file 3" ]] ||
			bad=$((bad + 1))
		[[ $(stat -c %s "$T/h$(((h % NH) + 1))/own$h/r$r-4") == $(((h * 7 + 4) * 4096)) ]] ||
			bad=$((bad + 1))
	done
done
vmfs_expect_eq "each host reads what its neighbour wrote" "$bad" 0
for ((h = NH; h >= 1; h--)); do
	vmfs_umount "$T/h$h" || vmfs_fail "unmount host $h"
done
vmfs_fsck_clean "$img"
vmfs_done
