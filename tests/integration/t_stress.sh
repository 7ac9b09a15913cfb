#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrency on one mount: four fio jobs writing and verifying their own
# files (buffered, O_DIRECT over io_uring, sparse random writes, mixed
# sizes) while shell loops create, rename, hard-link, truncate, punch and
# delete files and directories beside them. Afterwards every fio verify
# passed, the files left read back as written, and fsck.vmfs finds the
# volume clean after unmount.
. "$(dirname "$0")/lib.sh"
vmfs_init
command -v fio >/dev/null || vmfs_skip "fio is not installed"

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
vmfs_image "$img" 4G
vmfs_mkfs "$img" -L stress || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"
mkdir "$mnt/fio" "$mnt/churn"

fio --output="$T/fio.out" --directory="$mnt/fio" --verify=crc32c --verify_fatal=1 \
	--verify_state_save=0 \
	--do_verify=1 --size=96M --runtime=40 \
	--name=buffered --rw=randwrite --bs=4k --ioengine=psync \
	--name=direct --rw=randwrite --bs=16k --ioengine=io_uring --direct=1 --iodepth=16 \
	--name=sparse --rw=randwrite --bs=8k --ioengine=psync --fallocate=none --file_service_type=random --nrfiles=4 \
	--name=mixed --rw=randwrite --bsrange=512-256k --ioengine=libaio --direct=0 --iodepth=4 &
fio_pid=$!

churn() {	# $1: worker number
	local d=$mnt/churn/w$1 i
	mkdir -p "$d"
	for ((i = 0; i < 400; i++)); do
		head -c $(((i * 7919) % 300000)) /dev/urandom >"$d/f$i"
		mkdir -p "$d/dir$((i % 7))"
		mv "$d/f$i" "$d/dir$((i % 7))/g$i"
		ln "$d/dir$((i % 7))/g$i" "$d/h$i"
		truncate -s $(((i * 31) % 100000)) "$d/h$i"
		fallocate -p -o 4096 -l 65536 "$d/h$i" 2>/dev/null || true
		setfattr -n user.i -v "$i" "$d/h$i"
		if ((i % 3 == 0)); then rm -f "$d/h$i" "$d/dir$((i % 7))/g$i"; fi
		if ((i % 50 == 49)); then rm -rf "$d/dir$((i % 7))"; fi
	done
}
pids=()
for w in 1 2 3; do
	churn $w &
	pids+=($!)
done
ok=1
for p in "${pids[@]}"; do wait "$p" || ok=0; done
vmfs_expect_eq "metadata churn loops finished without errors" "$ok" 1
rc=0
wait "$fio_pid" || rc=$?
vmfs_expect_eq "fio jobs wrote and verified (exit 0)" "$rc" 0
vmfs_check "fio reports no errors" grep -q "err= 0" "$T/fio.out"
if grep -E "err= *[1-9]|verify:.*bad" "$T/fio.out"; then
	vmfs_fail "fio found bad data"
fi
(cd "$mnt/churn" && find . -type f -exec md5sum {} + | sort -k2) >"$T/sums"
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
vmfs_check "churned files identical after remount" \
	bash -c "cd '$mnt/churn' && md5sum --quiet -c '$T/sums'"
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_done
