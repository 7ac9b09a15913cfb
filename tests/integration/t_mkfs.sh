#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mkfs.vmfs: the summary, refusing to overwrite an existing filesystem
# (ext4 or vmfs) without -f and leaving it byte-identical, -f, rejecting bad
# options with a one-line message, and a 1 PiB sparse volume that costs
# little real space.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP

# --- summary and vmfsctl info ------------------------------------------
vmfs_image "$T/a.img" 1G
if out=$("$MKFS" -L summary-test "$T/a.img" 2>&1); then
	vmfs_pass "mkfs of a 1 GiB image"
	printf '%s\n' "$out" | sed 's/^/#   /'
	n=$(printf '%s\n' "$out" | grep -c . || true)
	vmfs_check "summary is short (1..25 lines, got $n)" test "$n" -ge 1 -a "$n" -le 25
	vmfs_check "summary names the label" grep -q summary-test <<<"$out"
else
	vmfs_fail "mkfs of a 1 GiB image: $out"
fi
vmfs_expect_eq "mkfs keeps the image size" "$(vmfs_size "$T/a.img")" $((1 << 30))
if info=$("$VMFSCTL" info "$T/a.img" 2>&1); then
	vmfs_pass "vmfsctl info"
	printf '%s\n' "$info" | sed 's/^/#   /'
	vmfs_check "info shows the block size" grep -qi 'block' <<<"$info"
	vmfs_check "info shows free space" grep -qi 'free' <<<"$info"
	vmfs_check "info shows capacity" grep -qiE 'capacity|size|total' <<<"$info"
	vmfs_check "info shows the 1M default block size" \
		grep -qiE '1048576|1 ?M' <<<"$info"
else
	vmfs_fail "vmfsctl info: $info"
fi

vmfs_image "$T/b.img" 2G
vmfs_check "mkfs -b 64K -s 8K -H 64 -L small" \
	vmfs_mkfs "$T/b.img" -f -b 64K -s 8K -H 64 -L small
info=$("$VMFSCTL" info "$T/b.img" 2>&1 || true)
vmfs_check "info shows the 64K block size" grep -qiE '65536|64 ?K' <<<"$info"
vmfs_check "mkfs -b 64M" vmfs_mkfs "$T/b.img" -f -b 64M
if vmfs_mount "$T/b.img" "$T/mb"; then
	vmfs_check "64M-block volume takes a file" \
		dd if=/dev/urandom of="$T/mb/f" bs=1M count=3 status=none
	vmfs_check "unmount 64M-block volume" vmfs_umount "$T/mb"
else
	vmfs_fail "mount of a 64M-block volume"
fi

vmfs_check "mkfs --size creates a sparse image" \
	vmfs_mkfs "$T/new.img" --size 10G -L created
vmfs_expect_eq "created image size" "$(vmfs_size "$T/new.img")" $((10 << 30))
alloc=$(vmfs_alloc_bytes "$T/new.img")
vmfs_check "created image is sparse ($alloc bytes allocated)" \
	test "$alloc" -lt $((512 << 20))
rm -f "$T/new.img"

# --- refusing to overwrite ----------------------------------------------
if command -v mkfs.ext4 >/dev/null; then
	vmfs_image "$T/ext4.img" 256M
	mkfs.ext4 -q -F "$T/ext4.img"
	sum=$(sha256sum <"$T/ext4.img")
	if vmfs_expect_refusal "$MKFS" "$T/ext4.img"; then
		vmfs_pass "refuses an ext4 image without -f"
		vmfs_check "message names ext4" grep -qi ext4 <<<"$VMFS_OUT"
	else
		vmfs_fail "refuses an ext4 image without -f"
	fi
	vmfs_expect_eq "ext4 image byte-identical after refusal" \
		"$(sha256sum <"$T/ext4.img")" "$sum"
	if vmfs_expect_refusal "$MKFS" -L x -b 1M "$T/ext4.img"; then
		vmfs_pass "refuses ext4 also with other options"
	else
		vmfs_fail "refuses ext4 also with other options"
	fi
	vmfs_check "mkfs -f over ext4" vmfs_mkfs "$T/ext4.img" -f -L was-ext4
	if command -v blkid >/dev/null; then
		t=$(blkid -p -o value -s TYPE "$T/ext4.img" 2>/dev/null || true)
		vmfs_check "blkid no longer sees ext4 (sees '${t}')" test "$t" != ext4
	fi
	vmfs_check "vmfsctl info on the reformatted image" "$VMFSCTL" info "$T/ext4.img"
	if vmfs_mount "$T/ext4.img" "$T/m4"; then
		n=$(find "$T/m4" -mindepth 1 | grep -cv lost+found || true)
		vmfs_expect_eq "reformatted volume is empty" "$n" 0
		vmfs_check "unmount reformatted volume" vmfs_umount "$T/m4"
	else
		vmfs_fail "mount of the volume made with -f over ext4"
	fi
else
	vmfs_log "mkfs.ext4 missing: ext4 refusal not tested"
fi

sum=$(sha256sum <"$T/a.img")
if vmfs_expect_refusal "$MKFS" "$T/a.img"; then
	vmfs_pass "refuses an existing vmfs without -f"
	vmfs_check "message names vmfs" grep -qi vmfs <<<"$VMFS_OUT"
else
	vmfs_fail "refuses an existing vmfs without -f"
fi
vmfs_expect_eq "vmfs image byte-identical after refusal" "$(sha256sum <"$T/a.img")" "$sum"
# A mounted volume is never reformatted, not even with -f.
if vmfs_mount "$T/a.img" "$T/ma"; then
	echo busy > "$T/ma/keep"
	if vmfs_expect_refusal "$MKFS" -f "$T/a.img"; then
		vmfs_pass "refuses a mounted volume even with -f"
		vmfs_check "message says it is mounted" grep -qi mounted <<<"$VMFS_OUT"
	else
		vmfs_fail "refuses a mounted volume even with -f"
	fi
	vmfs_check "file still there" grep -qx busy "$T/ma/keep"
	vmfs_check "unmount after refusal" vmfs_umount "$T/ma"
else
	vmfs_fail "mount for the in-use refusal"
fi
vmfs_check "mkfs -f over vmfs" vmfs_mkfs "$T/a.img" -f -L again
info=$("$VMFSCTL" info "$T/a.img" 2>&1 || true)
vmfs_check "new label after -f" grep -q again <<<"$info"

# --- bad options ---------------------------------------------------------
vmfs_image "$T/c.img" 1G
sum=$(sha256sum <"$T/c.img")
long_label=$(printf 'L%.0s' {1..100})
bad() {
	local desc=$1
	shift
	if vmfs_expect_refusal "$MKFS" "$@"; then
		vmfs_pass "rejects $desc"
	else
		vmfs_fail "rejects $desc"
	fi
}
bad "block size 3M" -b 3M "$T/c.img"
bad "block size 32K" -b 32K "$T/c.img"
bad "block size 128M" -b 128M "$T/c.img"
bad "block size garbage" -b lots "$T/c.img"
bad "a 100-byte label" -L "$long_label" "$T/c.img"
bad "size garbage" --size 12Q3 "$T/d.img"
bad "size garbage (letters)" --size big "$T/d.img"
bad "small blocks larger than blocks" -b 1M -s 2M "$T/c.img"
bad "a missing target without --size" "$T/missing/none.img"
# Usage errors may print the usage text: only the exit code counts there.
for args in "-L x" "--frobnicate $T/c.img"; do
	# shellcheck disable=SC2086
	if timeout 60 "$MKFS" $args >/dev/null 2>&1; then
		vmfs_fail "rejects mkfs.vmfs $args"
	else
		vmfs_pass "rejects mkfs.vmfs $args"
	fi
done
vmfs_expect_eq "rejected options left the image alone" "$(sha256sum <"$T/c.img")" "$sum"
vmfs_check "size garbage created no file" test ! -e "$T/d.img"

# --- 1 PiB --------------------------------------------------------------
if vmfs_sparse_dir 1P; then
	big=$VMFS_SPARSE_DIR/pib.img
	vmfs_log "1 PiB image in $VMFS_SPARSE_DIR ($(stat -f -c %T "$VMFS_SPARSE_DIR"))"
	start=$SECONDS
	if timeout 300 "$MKFS" --size 1P -L petabyte "$big" | sed 's/^/#   /'; then
		vmfs_pass "mkfs --size 1P in $((SECONDS - start)) s"
		vmfs_expect_eq "1 PiB image size" "$(vmfs_size "$big")" $((1 << 50))
		alloc=$(vmfs_alloc_bytes "$big")
		vmfs_log "1 PiB image allocates $alloc bytes"
		vmfs_check "1 PiB image allocates < 256 MiB ($alloc)" \
			test "$alloc" -lt $((256 << 20))
		vmfs_check "vmfsctl info on 1 PiB" "$VMFSCTL" info "$big"
		if vmfs_mount "$big" "$T/mp"; then
			total=$(stat -f -c '%b * %S' "$T/mp")
			total=$((total))
			vmfs_log "statfs total $total bytes"
			vmfs_check "statfs shows nearly 1 PiB" \
				test "$total" -gt $(((1 << 50) / 100 * 95))
			vmfs_check "write on 1 PiB volume" \
				dd if=/dev/urandom of="$T/mp/f" bs=1M count=8 status=none
			vmfs_check "unmount 1 PiB volume" vmfs_umount "$T/mp"
		else
			vmfs_fail "mount of the 1 PiB volume"
		fi
	else
		vmfs_fail "mkfs --size 1P"
	fi
	rm -f "$big"
else
	vmfs_log "no filesystem here holds a 1 PiB sparse file: not tested"
fi
vmfs_done
