// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: fsck.vmfs's check, and a journal replay, on a hostile
 * image. A small volume is built once (directories, files with data and
 * extents, xattrs, a symlink-sized inline file, a journal area holding a
 * live transaction); each input is a list of patches to its metadata
 * blocks, each optionally resealed (a valid CRC, so that the damage reaches
 * the code that reads the fields). Then the journal is replayed, the volume
 * opened read-only and checked, or, when the first patch asks, opened
 * read-write, checked, repaired as fsck -y does (several rounds) and
 * checked again. Nothing may crash, hang or read out of bounds; errors are
 * fine.
 *
 * Input: repeated { u16 block, u16 offset, u8 flags, u8 len, len bytes },
 * block indexing the base image's metadata blocks (modulo their number);
 * flags bit 0: reseal the block afterwards; bit 1 of the first patch:
 * repair.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/fileio.h"
#include "fs/core/format_volume.h"
#include "fsck/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define VOL_BYTES (24ull << 20)
#define JNL_MBLOCKS 256	/* one file block */

static uint8_t *base;			/* the metadata blocks of the built volume */
static uint64_t *base_blk;		/* their addresses */
static size_t nbase;
static uint64_t jnl_start;

static struct vmfs_inode *mk(struct vmfs_vol *vol, struct vmfs_inode *dir, const char *name,
			     uint32_t mode)
{
	struct vmfs_inode *ip;

	if (vmfs_inode_alloc(vol, dir->ino, mode, 0, 0, dir->ino, &ip) ||
	    vmfs_dir_add(vol, dir, name, strlen(name), ip->ino, vmfs_mode_to_dt(mode)))
		abort();
	if (S_ISDIR(mode)) {
		dir->d.nlink++;
		vmfs_inode_dirty(vol, dir);
	}
	return ip;
}

/* Build the base volume once and keep every block that is not zero. */
static void build(void)
{
	struct vmfs_format_params p = { .label = "fuzz", .rg_mblocks = 1024 };
	struct vmfs_mount_opts o = { .no_host_lock = true };
	static uint8_t buf[1 << 20], blk[VMFS_MBLOCK_SIZE] __attribute__((aligned(4096)));
	struct vmfs_inode *root, *d, *f, *s;
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	uint64_t i, got, total;
	char why[256];
	int k;

	if (vmfs_dev_ram_open(VOL_BYTES, 512, &dev) || vmfs_format(dev, &p, NULL, why, sizeof(why)) ||
	    vmfs_vol_open(dev, &o, &vol, why, sizeof(why))) {
		fprintf(stderr, "fuzz_fsck: cannot build the base volume: %s\n", why);
		abort();
	}
	memset(buf, 0xa5, sizeof(buf));
	pthread_mutex_lock(&vol->lock);
	if (vmfs_alloc(vol, VMFS_AK_DATA, JNL_MBLOCKS, 0, &jnl_start, &got) || got != JNL_MBLOCKS ||
	    vmfs_inode_get(vol, vol->vh.root_ino, &root))
		abort();
	d = mk(vol, root, "dir", S_IFDIR | 0755);
	f = mk(vol, d, "disk", S_IFREG | 0644);
	s = mk(vol, root, "small", S_IFREG | 0600);
	for (k = 0; k < 40; k++) {
		char name[16];

		snprintf(name, sizeof(name), "n%d", k);
		mk(vol, d, name, S_IFREG | 0600);
	}
	vmfs_xattr_set(vol, s, "user.a", "value", 5, 0);
	vmfs_xattr_set(vol, s, "user.big", buf, 3000, 0);
	pthread_mutex_unlock(&vol->lock);
	for (k = 0; k < 12; k++)	/* scattered writes: several extents */
		vmfs_file_write(vol, f, buf, 65536, (uint64_t)k * 3 << 20, false);
	vmfs_file_write(vol, s, "tiny", 4, 0, false);
	vmfs_vol_sync(vol);
	/* A live transaction in the journal, as a crash would leave it. */
	if (vmfs_jnl_attach(vol, jnl_start, JNL_MBLOCKS))
		abort();
	pthread_mutex_lock(&vol->lock);
	mk(vol, root, "late", S_IFREG | 0644);
	vmfs_bc_flush(vol);
	pthread_mutex_unlock(&vol->lock);
	vmfs_jnl_detach(vol);
	vmfs_vol_close(vol);
	total = VOL_BYTES >> VMFS_MBLOCK_SHIFT;
	base = malloc(total * VMFS_MBLOCK_SIZE);
	base_blk = malloc(total * sizeof(*base_blk));
	if (!base || !base_blk)
		abort();
	for (i = 0; i < total; i++) {
		if (vmfs_dev_read(dev, blk, sizeof(blk), i << VMFS_MBLOCK_SHIFT))
			abort();
		if (vmfs_blk_is_zero(blk, sizeof(blk)))
			continue;
		memcpy(base + nbase * VMFS_MBLOCK_SIZE, blk, sizeof(blk));
		base_blk[nbase++] = i;
	}
	vmfs_dev_close(dev);
}

static size_t seal_len(const uint8_t *b)
{
	uint32_t m = vmfs_get_le32(b);

	return m == VMFS_MAGIC_LOCK || m == VMFS_MAGIC_HB ? VMFS_LOCK_BYTES : VMFS_MBLOCK_SIZE;
}

/* A check; with @repair, up to three rounds of repairs as fsck.vmfs -y makes them. */
static void check_and_repair(struct vmfs_vol *vol, struct vmfs_check_report *rep, bool repair)
{
	int round;

	rep->want_fixes = repair;
	if (vmfs_check(vol, rep) != 0 || !repair)
		goto out;
	for (round = 0; round < 3 && vmfs_check_total(rep); round++) {
		if (vmfs_repair(vol, rep) <= 0 || vmfs_vol_sync(vol) != 0)
			break;
		vmfs_check_report_release(rep);
		*rep = (struct vmfs_check_report){ .want_fixes = true };
		if (vmfs_check(vol, rep) != 0)
			break;
	}
out:
	vmfs_check_report_release(rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *img;
	struct vmfs_mount_opts o = { .rdonly = true, .no_host_lock = true, .cache_bufs = 256 };
	struct vmfs_check_report rep = { 0 };
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	uint64_t replayed;
	char why[256];
	size_t i, at = 0;
	bool repair = size >= 6 && (data[4] & 2);

	if (!base)
		build();
	if (!img && posix_memalign((void **)&img, VMFS_MBLOCK_SIZE, nbase * VMFS_MBLOCK_SIZE))
		abort();
	memcpy(img, base, nbase * VMFS_MBLOCK_SIZE);
	while (at + 6 <= size) {
		size_t b = (data[at] | (size_t)data[at + 1] << 8) % nbase;
		size_t off = (data[at + 2] | (size_t)data[at + 3] << 8) % VMFS_MBLOCK_SIZE;
		uint8_t flags = data[at + 4], len = data[at + 5];
		uint8_t *blk = img + b * VMFS_MBLOCK_SIZE;

		at += 6;
		if (len > size - at)
			len = (uint8_t)(size - at);
		if (len > VMFS_MBLOCK_SIZE - off)
			len = (uint8_t)(VMFS_MBLOCK_SIZE - off);
		memcpy(blk + off, data + at, len);
		at += len;
		if (flags & 1)
			vmfs_blk_seal(blk, seal_len(blk));
	}
	if (vmfs_dev_ram_open(VOL_BYTES, 512, &dev))
		abort();
	for (i = 0; i < nbase; i++)
		vmfs_dev_write(dev, img + i * VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE,
			       base_blk[i] << VMFS_MBLOCK_SHIFT);
	if (vmfs_vol_open(dev, &o, &vol, why, sizeof(why)) == 0) {
		vmfs_jnl_replay(dev, &vol->vh, jnl_start, JNL_MBLOCKS, NULL, NULL, &replayed);
		vmfs_vol_close(vol);
		o.rdonly = !repair;
		if (vmfs_vol_open(dev, &o, &vol, why, sizeof(why)) == 0) {
			check_and_repair(vol, &rep, repair);
			vmfs_vol_close(vol);
		}
	}
	vmfs_dev_close(dev);
	return 0;
}
