#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# O_DIRECT through the mount: 64 MiB written and read back by dd with
# oflag=direct / iflag=direct in 1 MiB blocks, the same bytes seen through
# the page cache, and, when fio is installed, a short random-write job over
# io_uring that verifies every 4 KiB block by CRC32C.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
vmfs_image "$img" 2G
vmfs_mkfs "$img" -L odirect || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"

head -c 64M /dev/urandom >"$T/src"
want=$(vmfs_md5 "$T/src")
vmfs_check "dd oflag=direct 64 x 1 MiB" \
	dd if="$T/src" of="$mnt/d" bs=1M oflag=direct status=none
vmfs_expect_eq "size" "$(vmfs_size "$mnt/d")" $((64 << 20))
got=$(dd if="$mnt/d" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)
vmfs_expect_eq "dd iflag=direct reads it back" "$got" "$want"
vmfs_expect_eq "buffered read sees the same" "$(vmfs_md5 "$mnt/d")" "$want"
got=$(dd if="$mnt/d" bs=4k iflag=direct status=none | md5sum | cut -d' ' -f1)
vmfs_expect_eq "dd iflag=direct in 4 KiB blocks" "$got" "$want"

# Overwrite the middle directly, with both page cache and direct readers.
head -c 8M /dev/urandom >"$T/mid"
dd if="$T/mid" of="$T/src" bs=1M seek=20 conv=notrunc status=none
want=$(vmfs_md5 "$T/src")
vmfs_check "direct overwrite of 8 MiB at 20 MiB" \
	dd if="$T/mid" of="$mnt/d" bs=1M seek=20 oflag=direct conv=notrunc status=none
vmfs_expect_eq "buffered read after direct overwrite" "$(vmfs_md5 "$mnt/d")" "$want"
got=$(dd if="$mnt/d" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)
vmfs_expect_eq "direct read after direct overwrite" "$got" "$want"
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
got=$(dd if="$mnt/d" bs=1M iflag=direct status=none | md5sum | cut -d' ' -f1)
vmfs_expect_eq "direct read after remount" "$got" "$want"

if command -v fio >/dev/null; then
	engine=io_uring
	if ! fio --name=probe --filename="$T/probe" --size=1M --ioengine=io_uring \
		--rw=read --bs=4k --direct=1 >/dev/null 2>&1; then
		engine=libaio
		vmfs_log "io_uring unavailable to fio here: using libaio"
	fi
	rm -f "$T/probe"
	if fio --name=verify --filename="$mnt/fio.dat" --direct=1 --ioengine=$engine \
		--rw=randwrite --bs=4k --size=64M --verify=crc32c --iodepth=16 \
		--runtime=30 --do_verify=1 --verify_fatal=1 --verify_state_save=0 --output="$T/fio.out"; then
		vmfs_pass "fio randwrite 4k $engine iodepth 16 with crc32c verify"
	else
		vmfs_fail "fio randwrite 4k $engine iodepth 16 with crc32c verify"
		grep -iE 'err|verify|bad' "$T/fio.out" | head -10 | sed 's/^/#   /'
	fi
	grep -E 'IOPS|READ:|WRITE:' "$T/fio.out" | sed 's/^/#   /' || true
	if fio --name=mixed --filename="$mnt/fio2.dat" --direct=1 --ioengine=$engine \
		--rw=randrw --bsrange=4k-1M --size=32M --verify=crc32c \
		--iodepth=8 --runtime=30 --verify_fatal=1 --verify_state_save=0 --output="$T/fio2.out"; then
		vmfs_pass "fio randrw 4k..1M with crc32c verify"
	else
		vmfs_fail "fio randrw 4k..1M with crc32c verify"
		grep -iE 'err|verify|bad' "$T/fio2.out" | head -10 | sed 's/^/#   /'
	fi
else
	vmfs_log "fio missing: fio jobs skipped"
fi
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
