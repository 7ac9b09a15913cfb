#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fsck.vmfs exit codes as fsck(8) has them: 0 on a clean volume (also with
# -p and -y); 1 after recovering a host killed with the volume mounted (its
# journal replayed, its slot freed) and after rebuilding a group whose
# bitmap block's checksum no longer matches; 4 when a problem is found and
# left; an extent tree node with a bad checksum rebuilt from the rest of
# the tree, the file's other data intact; 8 for something that is not a
# volume, a VMware VMFS LUN, and a repair while a host heartbeats; 16 for
# bad usage; --json output; a mounted volume is checked read-only and its
# live host named. The repairs themselves are tested problem by problem in
# tests/unit/test_check.c and tests/fsck/.
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
# A file of many extents: its map outgrows its descriptor into several
# tree leaves. A copy outside the volume, to compare with after a repair.
for i in $(seq 0 399); do
	dd if=/dev/urandom of="$T/m/frag" bs=4k count=1 seek=$((i * 256)) conv=notrunc status=none
done
cp --sparse=always "$T/m/frag" "$T/frag.orig"
out=$("$FSCK" -n "$img" 2>&1) || true
vmfs_check "fsck on a mounted volume names the live host" grep -q "host 'checker'" <<<"$out"
rc=0
out=$("$FSCK" -p "$img" 2>&1) || rc=$?
vmfs_expect_eq "a repair while a host heartbeats is refused: exit 8" "$rc" 8
vmfs_check "... naming the host" grep -q "host 'checker'" <<<"$out"
vmfs_check "unmount" vmfs_umount "$T/m"

# A host killed with the volume mounted: -p recovers it (journal, slot).
vmfs_mount "$img" "$T/m" -o host=victim,lease=2000 || vmfs_die "mount as victim"
for i in $(seq 1 20); do echo "$i" >"$T/m/a/new$i"; done
touch "$T/m/a/new20"	# an fsync: a transaction journalled, not yet checkpointed
sync "$T/m/a/new20"
vmfs_kill_host "$T/m"
vmfs_check "fsck -n says the dead host's journal holds changes to replay" \
	bash -c "'$FSCK' -n '$img' 2>&1 | grep -q \"journal of host 'victim' (slot 0) holds\""
rc=0
"$FSCK" -p "$img" >"$T/p.out" 2>&1 || rc=$?
vmfs_expect_eq "fsck -p after a host was killed: exit 1 (recovered)" "$rc" 1
vmfs_check "... it recovered the dead host" grep -q "dead host 'victim' (slot 0) recovered" "$T/p.out"
vmfs_check "... and its slot is free" bash -c "! '$VMFSCTL' hosts '$img' | grep -q victim"

vmfs_fsck_clean "$img"
for mode in -p -a -y; do
	rc=0
	"$FSCK" "$mode" "$img" >/dev/null 2>&1 || rc=$?
	vmfs_expect_eq "fsck $mode on a clean volume exits 0" "$rc" 0
done
json=$("$FSCK" -n --json "$img" | tr -d ' \n')
vmfs_check "--json counts the files (the victim's 20, fsync'd, among them)" \
	grep -q '"files":71' <<<"$json"
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
vmfs_expect_eq "fsck -y rebuilds the group from what the files claim: exit 1" "$rc" 1
vmfs_fsck_clean "$img"
# An extent tree leaf with a bad checksum: the map is rebuilt from the
# other leaves; the extents lost become holes, their mblocks are freed by
# the next round, and the rest of the file reads as it was.
"$VMFS_BUILD/tools/vmfs-corrupt" "$img" frag node-crc
rc=0
"$FSCK" -y "$img" >"$T/y.out" 2>&1 || rc=$?
vmfs_expect_eq "fsck -y rebuilds a tree with an unreadable node: exit 1" "$rc" 1
vmfs_check "... names it" grep -q "TREE_UNREADABLE" "$T/y.out"
vmfs_check "... and frees what the lost extents held in a second round" \
	grep -q "^BLOCK_LEAKED" "$T/y.out"
vmfs_fsck_clean "$img"
vmfs_mount "$img" "$T/m" -o host=checker || vmfs_die "mount after the tree repair"
vmfs_check "the repaired file keeps its size" \
	test "$(stat -c %s "$T/m/frag")" = "$(stat -c %s "$T/frag.orig")"
vmfs_check "each 4k piece reads as it was, or as zeros where its extent was lost; some of each" \
	python3 - "$T/m/frag" "$T/frag.orig" <<'PY'
import sys
a, b = open(sys.argv[1], 'rb'), open(sys.argv[2], 'rb')
same = zero = 0
for i in range(400):
    a.seek(i << 20); b.seek(i << 20)
    x, y = a.read(4096), b.read(4096)
    if x == y:
        same += 1
    elif x == bytes(4096):
        zero += 1
    else:
        sys.exit(f"piece {i} differs and is not zeros")
print(f"{same} kept, {zero} lost")
sys.exit(0 if same and zero else 1)
PY
vmfs_check "unmount after the tree repair" vmfs_umount "$T/m"

truncate -s 64M "$T/zero.img"
rc=0
"$FSCK" -n "$T/zero.img" >/dev/null 2>&1 || rc=$?
vmfs_expect_eq "not a volume: exit 8" "$rc" 8
# A VMware VMFS LUN (its volume magic at 1 MiB): refused, pointing at vmfs-tools.
printf '\x0d\xd0\x01\xc0' | dd of="$T/zero.img" bs=1 seek=$((0x100000)) conv=notrunc status=none
rc=0
"$FSCK" -n "$T/zero.img" >"$T/vmw.out" 2>&1 || rc=$?
vmfs_expect_eq "a VMware VMFS volume: exit 8" "$rc" 8
vmfs_check "... named, with a pointer to vmfs-tools" grep -q "VMware.*vmfs-tools" "$T/vmw.out"
rc=0
"$FSCK" -n >/dev/null 2>&1 || rc=$?
vmfs_expect_eq "no target: exit 16" "$rc" 16
vmfs_done
