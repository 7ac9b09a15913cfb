#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Everything written survives unmount and mount: a tree of files of many
# sizes (inline, small-block and file-block), directories, symlinks, hard
# links, special files, modes, owners, nanosecond mtimes and xattrs. A
# second mount of a mounted image is refused; a read-only mount shows the
# same tree and fails every change with EROFS.
. "$(dirname "$0")/lib.sh"
vmfs_init

T=$VMFS_TMP
img=$T/vol.img
mnt=$T/mnt
vmfs_image "$img" 2G
vmfs_mkfs "$img" -L remount || vmfs_die "mkfs.vmfs"
vmfs_mount "$img" "$mnt" || vmfs_die "mount"

r=$mnt/tree
mkdir -p "$r/a/b/c" "$r/empty" "$r/inline" "$r/x"
i=0
for size in 0 1 100 1000 1500 2047 2048 2049 4095 4096 5000 8191 65536 \
	100000 $((1 << 20)) $(((1 << 20) + 1)) $((3 * (1 << 20) + 17)) $((5 << 20)); do
	head -c "$size" /dev/urandom >"$r/f$size"
	head -c $((size % 2048)) /dev/urandom >"$r/inline/i$i"
	i=$((i + 1))
done
for d in a a/b a/b/c; do
	head -c $((RANDOM * 37)) /dev/urandom >"$r/$d/data"
done
# a sparse file: data, hole, data, trailing hole
dd if=/dev/urandom of="$r/sparse" bs=64K count=1 seek=3 status=none
dd if=/dev/urandom of="$r/sparse" bs=64K count=2 seek=40 conv=notrunc status=none
truncate -s 20M "$r/sparse"
ln -s f1000 "$r/link-rel"
ln -s ../../../f100 "$r/a/b/c/link-up"
ln -s /no/such/target "$r/link-dangling"
ln -s "$(printf 'p%.0s' {1..1000})" "$r/link-long"
ln "$r/f4096" "$r/a/hard"
mkfifo "$r/fifo"
mknod "$r/null" c 1 3
chmod 0600 "$r/f1"
chmod 04755 "$r/f100"
chmod 1777 "$r/x"
chown 1234:5678 "$r/f1000"
chown -h 42:43 "$r/link-rel"
touch -d '2001-02-03 04:05:06.123456789' "$r/f0"
touch -h -d '1999-12-31 23:59:59.5' "$r/link-rel"
setfattr -n user.small -v hello "$r/f1"
setfattr -n user.empty "$r/f1"
vmfs_check "3 KiB xattr value" setfattr -n user.big \
	-v "0x$(head -c 3072 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$r/f1"
vmfs_check "1 KiB xattr value" setfattr -n user.kib \
	-v "0x$(head -c 1024 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$r/f1"
setfattr -n user.dir -v on-a-dir "$r/a"
for k in $(seq 1 12); do setfattr -n "user.k$k" -v "value-$k" "$r/f5000"; done
touch -d '2010-01-01 00:00:00.000000001' "$r/a/b"

# manifest: one line per entry, with everything that must persist.
manifest() {
	(
		cd "$mnt/tree"
		find . -printf '%p %y %m %U %G %s %n %T@ %l\n' | sort
		find . -type f -print0 | sort -z | xargs -0 md5sum
		find . -type f -print0 | sort -z | xargs -0 stat -c '%n blocks=%b'
		find . -type f -o -type d | sort |
			while read -r f; do getfattr -h -d -m '^user\.' -e hex "$f" 2>/dev/null; done
		stat -c '%n rdev=%t:%T' null
	)
}
sync
manifest >"$T/before"
vmfs_log "manifest: $(wc -l <"$T/before") lines"
vmfs_check "xattrs are in the manifest" grep -q 'user.kib=0x' "$T/before"
vmfs_check "nanosecond mtime is in the manifest" grep -qE '^\./f0 .*\.1234567890* ' "$T/before"

# --- a second mount of a mounted image -------------------------------
mkdir -p "$T/mnt2"
if vmfs_expect_refusal "$MOUNT_VMFS" "$img" "$T/mnt2"; then
	vmfs_pass "second mount of a mounted image is refused"
else
	vmfs_fail "second mount of a mounted image is refused"
	if [[ $VMFS_RC == 0 ]]; then
		vmfs_track_mount "$T/mnt2"
	fi
fi
vmfs_check "first mount still serves" cmp -s "$r/f65536" "$r/f65536"

vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "remount"
manifest >"$T/after"
if diff -u "$T/before" "$T/after" >"$T/diff"; then
	vmfs_pass "tree identical after remount"
else
	vmfs_fail "tree identical after remount"
	head -50 "$T/diff" | sed 's/^/#   /'
fi

# Change things, then check again: updates must persist too, not only creates.
echo appended >>"$r/f1000"
truncate -s 777 "$r/f100000"
rm "$r/f2048" "$r/link-long"
mv "$r/a/b" "$r/moved"
setfattr -x user.small "$r/f1"
setfattr -n user.k3 -v replaced "$r/f5000"
sync
manifest >"$T/before2"
vmfs_check "unmount" vmfs_umount "$mnt"
vmfs_mount "$img" "$mnt" || vmfs_die "second remount"
manifest >"$T/after2"
if diff -u "$T/before2" "$T/after2" >"$T/diff"; then
	vmfs_pass "changed tree identical after remount"
else
	vmfs_fail "changed tree identical after remount"
	head -50 "$T/diff" | sed 's/^/#   /'
fi
vmfs_check "unmount" vmfs_umount "$mnt"

# --- read-only ---------------------------------------------------------
vmfs_mount "$img" "$mnt" -o ro || vmfs_die "mount -o ro"
manifest >"$T/ro"
if diff -u "$T/before2" "$T/ro" >"$T/diff"; then
	vmfs_pass "read-only mount shows the same tree"
else
	vmfs_fail "read-only mount shows the same tree"
	head -20 "$T/diff" | sed 's/^/#   /'
fi
erofs() {
	local desc=$1 err
	shift
	if err=$("$@" 2>&1); then
		vmfs_fail "ro: $desc succeeded"
	elif grep -q 'Read-only file system' <<<"$err"; then
		vmfs_pass "ro: $desc fails with EROFS"
	else
		vmfs_fail "ro: $desc fails, but not with EROFS: $err"
	fi
}
erofs "create" touch "$r/new"
erofs "write" dd if=/dev/zero of="$r/f1000" bs=1 count=1 conv=notrunc status=none
erofs "truncate" truncate -s 0 "$r/f4096"
erofs "mkdir" mkdir "$r/newdir"
erofs "unlink" rm -f "$r/f1"
erofs "rmdir" rmdir "$r/empty"
erofs "rename" mv "$r/f0" "$r/f0-renamed"
erofs "chmod" chmod 0777 "$r/f0"
erofs "chown" chown 1:1 "$r/f0"
erofs "utimes" touch -d 2020-01-01 "$r/f0"
erofs "setfattr" setfattr -n user.new -v 1 "$r/f0"
erofs "symlink" ln -s x "$r/newlink"
erofs "hard link" ln "$r/f0" "$r/newhard"
vmfs_check "ro: reads work" cmp -s "$r/f65536" "$r/f65536"
vmfs_check "unmount ro" vmfs_umount "$mnt"

vmfs_mount "$img" "$mnt" || vmfs_die "rw mount after ro"
manifest >"$T/after-ro"
if diff -u "$T/before2" "$T/after-ro" >"$T/diff"; then
	vmfs_pass "tree unchanged by the read-only mount"
else
	vmfs_fail "tree unchanged by the read-only mount"
	head -20 "$T/diff" | sed 's/^/#   /'
fi
vmfs_check "writable again" touch "$r/new"
vmfs_check "final unmount" vmfs_umount "$mnt"
vmfs_fsck_clean "$img"
vmfs_done
