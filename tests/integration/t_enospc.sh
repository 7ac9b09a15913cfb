#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A small volume filled to ENOSPC: the error is ENOSPC, files written before
# read back intact, what a full write stored is exactly what it reported,
# deleted space is reusable, and all of it holds across a remount.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
SIZE=${VMFS_ENOSPC_SIZE:-128M}
vmfs_image "$img" "$SIZE"
vmfs_mkfs "$img" -L full || vmfs_die "mkfs.vmfs of a $SIZE image"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"

head -c 1M /dev/urandom >"$T/pattern"
head -c $((4 << 20)) /dev/urandom >"$T/keep1"
head -c 100000 /dev/urandom >"$T/keep2"
cp "$T/keep1" "$T/keep2" "$mnt/"
mkdir "$mnt/small"
for i in $(seq 1 20); do
	head -c $((i * 150)) /dev/urandom >"$mnt/small/s$i"
done
sync
(cd "$mnt" && find . -type f -exec md5sum {} + | sort -k2) >"$T/sums"
verify_kept() {
	local what=$1
	if (cd "$mnt" && md5sum --quiet -c "$T/sums"); then
		vmfs_pass "$what: earlier files intact"
	else
		vmfs_fail "$what: earlier files intact"
	fi
}

# fill FILE DDFLAGS...: writes the pattern again and again into FILE until
# dd fails; sets FILL_OUT (dd's messages) and FILL_BYTES (what dd says it
# wrote). Returns dd's exit code.
fill() {
	local f=$1 rc
	shift
	set +e
	for _ in $(seq 1 4096); do cat "$T/pattern"; done 2>/dev/null |
		timeout 300 dd of="$f" bs=1M iflag=fullblock "$@" 2>"$T/dd.err"
	rc=${PIPESTATUS[1]}
	set -e
	FILL_OUT=$(cat "$T/dd.err")
	FILL_BYTES=$(grep -oE '^[0-9]+ bytes' "$T/dd.err" | cut -d' ' -f1 || true)
	return $rc
}

# check_fill FILE BYTES: the file holds BYTES bytes of the repeated pattern.
check_fill() {
	local f=$1 bytes=$2 i n bad=0 full want
	full=$((bytes >> 20))
	want=$(vmfs_md5 "$T/pattern")
	for ((i = 0; i < full; i++)); do
		n=$(dd if="$f" bs=1M skip=$i count=1 status=none | md5sum | cut -d' ' -f1)
		[[ "$n" == "$want" ]] || bad=$((bad + 1))
	done
	if ((bytes % (1 << 20))); then
		n=$(dd if="$f" bs=1M skip=$full count=1 status=none | md5sum | cut -d' ' -f1)
		[[ "$n" == "$(head -c $((bytes % (1 << 20))) "$T/pattern" | md5sum | cut -d' ' -f1)" ]] ||
			bad=$((bad + 1))
	fi
	((bad == 0))
}

# Buffered: the error may come from write() or from the final fsync.
if fill "$mnt/fill" conv=fsync; then
	vmfs_fail "buffered fill reached ENOSPC (dd succeeded: $FILL_OUT)"
else
	vmfs_pass "buffered fill stopped"
	vmfs_log "$(tr '\n' ' ' <<<"$FILL_OUT")"
	vmfs_check "buffered fill error is ENOSPC" grep -q "No space left on device" <<<"$FILL_OUT"
fi
vmfs_log "filled $(vmfs_size "$mnt/fill") bytes"
avail=$(stat -f -c '%a * %S' "$mnt")
vmfs_check "statfs shows (almost) no space left ($((avail)) bytes)" \
	test $((avail)) -lt $((2 << 20))
vmfs_check "a new file's data gets ENOSPC" bash -c \
	"! head -c 2M '$T/pattern' | dd of='$mnt/more' bs=1M conv=fsync status=none 2>'$T/more.err'"
vmfs_check "...reported as ENOSPC" grep -q "No space left on device" "$T/more.err"
rm -f "$mnt/more"
verify_kept "when full"

vmfs_check "delete the fill file" rm "$mnt/fill"
sync
# Direct I/O: no page cache between dd and the volume, so what dd says it
# wrote must be exactly what the file holds.
if fill "$mnt/fill2" oflag=direct; then
	vmfs_fail "direct fill reached ENOSPC (dd succeeded: $FILL_OUT)"
else
	vmfs_pass "direct fill after delete stopped"
	vmfs_check "direct fill error is ENOSPC" grep -q "No space left on device" <<<"$FILL_OUT"
fi
bytes2=${FILL_BYTES:-0}
vmfs_log "direct fill wrote $bytes2 bytes"
vmfs_check "freed space is reusable ($bytes2 bytes >= $SIZE / 2)" \
	test "$bytes2" -ge $(($(numfmt --from=iec "$SIZE") / 2))
vmfs_expect_eq "direct fill: size is what dd wrote" "$(vmfs_size "$mnt/fill2")" "$bytes2"
vmfs_check "direct fill: content is what dd wrote" check_fill "$mnt/fill2" "$bytes2"
verify_kept "after direct fill"

vmfs_check "unmount while full" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount of the full volume"
verify_kept "after remount while full"
vmfs_expect_eq "after remount: fill size" "$(vmfs_size "$mnt/fill2")" "$bytes2"
vmfs_check "after remount: fill content" check_fill "$mnt/fill2" "$bytes2"

vmfs_check "delete fill after remount" rm "$mnt/fill2"
head -c $((16 << 20)) /dev/urandom >"$T/new"
vmfs_check "16 MiB file after freeing" cp "$T/new" "$mnt/new"
sync
(cd "$mnt" && md5sum ./new) >>"$T/sums"
free=$(stat -f -c %f "$mnt")
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "final remount"
verify_kept "after final remount"
vmfs_expect_eq "free block count persists across remount" "$(stat -f -c %f "$mnt")" "$free"
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
