#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fsck.vmfs exit codes as fsck(8) has them: 0 on a clean volume (also with
# -p and -y), 4 when a problem is found and left (a bitmap block whose
# checksum no longer matches), 8 for something that is not a volume, 16 for
# bad usage; --json output; a mounted volume is checked read-only and its
# live host named.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
vmfs_image "$img" 512M
vmfs_mkfs "$img" -L fsck || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$T/m" -o host=checker || vmfs_die "mount"
mkdir -p "$T/m/a/b"
for i in $(seq 1 50); do head -c $((i * 3000)) /dev/urandom >"$T/m/a/f$i"; done
ln "$T/m/a/f1" "$T/m/a/b/link"
out=$("$FSCK" -n "$img" 2>&1) || true
vmfs_check "fsck on a mounted volume names the live host" grep -q "host 'checker'" <<<"$out"
vmfs_check "unmount" vmfs_umount "$T/m"

vmfs_fsck_clean "$img"
for mode in -p -a -y; do
	rc=0
	"$FSCK" "$mode" "$img" >/dev/null 2>&1 || rc=$?
	vmfs_expect_eq "fsck $mode on a clean volume exits 0" "$rc" 0
done
json=$("$FSCK" -n --json "$img" | tr -d ' \n')
vmfs_check "--json counts the files" grep -q '"files":50' <<<"$json"
vmfs_check "--json exit 0" grep -q '"exit":0' <<<"$json"

# Break the checksum of group 0's first bitmap block (the data area start).
data_start=$("$VMFSCTL" info --json "$img" >/dev/null; python3 - "$img" <<'PY'
import struct, sys
with open(sys.argv[1], 'rb') as f:
    hdr = f.read(4096)
print(struct.unpack_from('<Q', hdr, 0xe8)[0])
PY
)
python3 - "$img" $((data_start * 4096 + 100)) <<'PY'
import sys
with open(sys.argv[1], 'r+b') as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)[0]
    f.seek(int(sys.argv[2]))
    f.write(bytes([b ^ 0x01]))
PY
rc=0
out=$("$FSCK" -n "$img" 2>&1) || rc=$?
vmfs_expect_eq "a damaged bitmap block: exit 4" "$rc" 4
vmfs_check "the problem is named" grep -q RG_UNREADABLE <<<"$out"
rc=0
"$FSCK" -y "$img" >"$T/y.out" 2>&1 || rc=$?
vmfs_expect_eq "fsck -y leaves it (no repairs yet): exit 4" "$rc" 4
vmfs_check "-y says nothing was changed" grep -q "nothing was changed" "$T/y.out"

truncate -s 64M "$T/zero.img"
rc=0
"$FSCK" -n "$T/zero.img" >/dev/null 2>&1 || rc=$?
vmfs_expect_eq "not a volume: exit 8" "$rc" 8
rc=0
"$FSCK" -n >/dev/null 2>&1 || rc=$?
vmfs_expect_eq "no target: exit 16" "$rc" 16
vmfs_done
