// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmfs-corrupt: damage one chosen structure of one chosen file of an
 * unmounted volume image, to make fsck regression cases (tests/fsck/).
 * Each kind of damage produces one problem of fsck's table (fsck/problems.c)
 * and is made through the core library, so the rest of the volume stays as
 * it was. For tests only: never on a volume that holds data you want.
 *
 * usage: vmfs-corrupt IMAGE PATH DAMAGE
 *   nlink=N        the file's link count          -> NLINK
 *   alloc=N        its allocated block count      -> ALLOC_COUNT
 *   size=N         its size in bytes (short of its data) -> SIZE
 *   nentries=N     a directory's entry count      -> DIR_COUNT
 *   type=DT        its directory entry's type     -> DIRENT_TYPE
 *   free-block     free its first data block      -> BLOCK_FREE
 *   leak           allocate a block nobody owns   -> BLOCK_LEAKED (PATH unused)
 *   ndesc=+N       its group's descriptor count   -> RG_NDESC
 *   rg-free=+N     its group's free count          -> RG_FREE_COUNT
 *   dup-extent     map its first extent twice     -> BLOCK_TWICE
 *   extent-outside map 4 mblocks past the volume's end -> EXTENT_OUTSIDE
 *   dangling=NAME  in directory PATH, an entry NAME to no descriptor -> DESC_UNREADABLE
 *   unname         remove PATH's directory entry, nothing else -> ORPHAN
 *   parent-self    a directory's parent field names itself -> DIR_PARENT
 *   alias=NAME     a second name NAME, in the root, for directory PATH -> DIR_LINKED_TWICE
 *   bitmap-crc     flip a byte of its group's first bitmap block -> RG_UNREADABLE
 *   node-crc       flip a byte of the first node of its extent tree (a file
 *                  with more extents than its descriptor holds) -> TREE_UNREADABLE,
 *                  or of a big directory's entry tree -> DIR_UNREADABLE
 *   dup-node       map the first node of its extent tree, and the mblock before
 *                  it, as its data too -> BLOCK_TWICE, the data found first
 *                  (the data owner gets the copy)
 *   dup-child      its tree root's second child made its first again (a node
 *                  linked twice) -> BLOCK_TWICE and DIR_UNREADABLE / TREE_UNREADABLE
 *   lock-crc       flip a byte of its lock record -> LOCK_UNREADABLE
 *   hb-crc         flip a byte of heartbeat slot 0 -> HB_UNREADABLE (PATH unused)
 *   backup-header  zero the backup volume header  -> HDR_BACKUP (PATH unused)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/vol.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "vmfs-corrupt: %s: %s\n", what, strerror(-err));
	return 1;
}

/* The descriptor at @path (from the root, '/'-separated) and its parent. */
static int walk(struct vmfs_vol *vol, const char *path, struct vmfs_inode **dirp,
		struct vmfs_inode **ipp, const char **leaf)
{
	char buf[4096], *save = NULL, *name, *next;
	struct vmfs_inode *dp, *ip;
	uint64_t ino, key;
	uint8_t type;
	int err;

	snprintf(buf, sizeof(buf), "%s", path);
	err = vmfs_inode_get(vol, vol->vh.root_ino, &ip);
	dp = ip;
	*leaf = path;
	for (name = strtok_r(buf, "/", &save); !err && name; name = next) {
		next = strtok_r(NULL, "/", &save);
		dp = ip;
		err = vmfs_dir_lookup(vol, dp, name, strlen(name), &ino, &type, &key);
		if (!err)
			err = vmfs_inode_get(vol, ino, &ip);
		*leaf = path + (name - buf);
	}
	*dirp = dp;
	*ipp = ip;
	return err;
}

static int first_node(void *arg, uint64_t blkno, unsigned level)
{
	(void)level;
	if (!*(uint64_t *)arg)
		*(uint64_t *)arg = blkno;
	return 0;
}

/* Flip a byte of mblock @p on the device (its checksum no longer matches). */
static int flip(struct vmfs_vol *vol, uint64_t p)
{
	void *blk;
	int err = vmfs_bc_flush(vol);	/* the block as on disk, then damaged */

	if (!err && posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	if (!err)
		err = vmfs_dev_read(vol->dev, blk, VMFS_MBLOCK_SIZE, p << VMFS_MBLOCK_SHIFT);
	if (!err) {
		((uint8_t *)blk)[100] ^= 1;
		err = vmfs_dev_write(vol->dev, blk, VMFS_MBLOCK_SIZE, p << VMFS_MBLOCK_SHIFT);
		free(blk);
	}
	vmfs_bc_forget(vol, p);
	return err;
}

static uint64_t rg_of(const struct vmfs_vol *vol, uint64_t blk)
{
	return (blk - vol->vh.data_start) / vol->vh.rg_mblocks;
}

static int damage(struct vmfs_vol *vol, const char *path, const char *what)
{
	struct vmfs_inode *dp, *ip;
	struct vmfs_extent e;
	const char *leaf;
	uint64_t p, got, rg;
	void *blk = NULL;
	int err;

	if (!strcmp(what, "leak"))
		return vmfs_alloc(vol, VMFS_AK_META, 1, 0, &p, &got);
	if (!strcmp(what, "backup-header")) {
		if (posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
			return -ENOMEM;
		memset(blk, 0, VMFS_MBLOCK_SIZE);
		err = vmfs_dev_write(vol->dev, blk, VMFS_MBLOCK_SIZE,
				     (vol->vh.total_mblocks - 1) << VMFS_MBLOCK_SHIFT);
		free(blk);
		return err;
	}
	if (!strcmp(what, "hb-crc"))
		return flip(vol, vol->vh.hb_start);
	err = walk(vol, path, &dp, &ip, &leaf);
	if (err)
		return err;
	rg = rg_of(vol, ip->ino);
	if (!strncmp(what, "nlink=", 6)) {
		ip->d.nlink = (uint32_t)strtoul(what + 6, NULL, 0);
	} else if (!strncmp(what, "alloc=", 6)) {
		ip->d.alloc_mblocks = strtoull(what + 6, NULL, 0);
	} else if (!strcmp(what, "dup-child")) {
		struct vmfs_bt_hdr h;
		uint8_t *recs = ip->d.data_root + VMFS_BT_ROOT_HDR;

		vmfs_bt_hdr_decode(ip->d.data_root, &h);
		if (ip->d.data_fmt != VMFS_FMT_BTREE || h.level == 0 || h.nrecs < 2)
			return -ENODATA;
		vmfs_put_le64(recs + 16 + 8, vmfs_get_le64(recs + 8));	/* 16-byte records */
	} else if (!strcmp(what, "lock-crc")) {
		return flip(vol, ip->ino - 1);
	} else if (!strncmp(what, "size=", 5)) {
		ip->d.size = strtoull(what + 5, NULL, 0);
	} else if (!strncmp(what, "nentries=", 9)) {
		ip->d.nentries = strtoull(what + 9, NULL, 0);
	} else if (!strncmp(what, "type=", 5)) {
		return vmfs_dir_set(vol, dp, leaf, strlen(leaf), ip->ino,
				    (uint8_t)strtoul(what + 5, NULL, 0));
	} else if (!strcmp(what, "node-crc") || !strcmp(what, "dup-node")) {
		struct vmfs_bt bt = vmfs_inode_data_bt(ip);

		p = 0;
		err = vmfs_bt_walk_nodes(vol, &bt, first_node, &p);
		if (!err && !p)
			err = -ENODATA;	/* one root leaf in the descriptor: no node */
		if (err || !strcmp(what, "node-crc"))
			return err ? err : flip(vol, p);
		e = (struct vmfs_extent){ .lstart = 1ull << 30, .pstart = p - 1, .len = 2,
					  .flags = VMFS_EXT_UNWRITTEN };	/* past EOF */
		err = vmfs_ext_insert(vol, ip, &e);
		ip->d.alloc_mblocks += e.len;
	} else if (!strcmp(what, "parent-self")) {
		ip->d.parent = ip->ino;
	} else if (!strncmp(what, "alias=", 6)) {
		struct vmfs_inode *root;

		err = vmfs_inode_get(vol, vol->vh.root_ino, &root);
		return err ? err : vmfs_dir_add(vol, root, what + 6, strlen(what + 6), ip->ino,
						VMFS_DT_DIR);
	} else if (!strcmp(what, "unname")) {
		return vmfs_dir_remove(vol, dp, leaf, strlen(leaf));
	} else if (!strncmp(what, "dangling=", 9)) {
		return vmfs_dir_add(vol, ip, what + 9, strlen(what + 9),
				    vol->vh.data_start + 301, VMFS_DT_REG);
	} else if (!strcmp(what, "extent-outside")) {
		e = (struct vmfs_extent){ .lstart = 1ull << 30, .pstart = vol->vh.total_mblocks + 10,
					  .len = 4 };
		err = vmfs_ext_insert(vol, ip, &e);
		ip->d.alloc_mblocks += e.len;
	} else if (!strncmp(what, "ndesc=+", 7)) {
		return vmfs_rg_ndesc_add(vol, ip->ino, atoi(what + 7));
	} else if (!strncmp(what, "rg-free=+", 9)) {
		err = vmfs_rg_load(vol, rg);
		return err ? err : vmfs_rg_set_free(vol, rg, vol->rgs[rg].hdr.free_mblocks -
						    strtoull(what + 9, NULL, 0));
	} else if (!strcmp(what, "free-block") || !strcmp(what, "dup-extent") ||
		   !strcmp(what, "bitmap-crc")) {
		err = vmfs_ext_find(vol, ip, 0, &e);
		if (err)
			return err;
		if (!strcmp(what, "free-block"))
			return vmfs_free(vol, e.pstart, 1);
		if (!strcmp(what, "bitmap-crc"))
			return flip(vol, vmfs_rg_start(&vol->vh, rg_of(vol, e.pstart)));
		e.lstart = 1ull << 30;	/* far past the end: the same blocks again, */
		e.flags = VMFS_EXT_UNWRITTEN;	/* preallocated (no size problem) */
		err = vmfs_ext_insert(vol, ip, &e);
		ip->d.alloc_mblocks += e.len;
	} else {
		return -EINVAL;
	}
	if (!err)
		vmfs_inode_dirty(vol, ip);
	return err;
}

int main(int argc, char **argv)
{
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE };
	struct vmfs_mount_opts mo = { .no_host_lock = true };
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	char why[256];
	int err;

	if (argc != 4) {
		fprintf(stderr, "usage: vmfs-corrupt IMAGE PATH DAMAGE (see tools/vmfs_corrupt.c)\n");
		return 2;
	}
	err = vmfs_dev_open(argv[1], &dopts, &dev);
	if (err)
		return fail(argv[1], err);
	err = vmfs_vol_open(dev, &mo, &vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "vmfs-corrupt: %s: %s\n", argv[1], why);
		return 1;
	}
	pthread_mutex_lock(&vol->lock);
	err = damage(vol, argv[2], argv[3]);
	pthread_mutex_unlock(&vol->lock);
	if (err == -EINVAL)
		fprintf(stderr, "vmfs-corrupt: unknown damage '%s'\n", argv[3]);
	else if (err)
		fail(argv[2], err);
	if (vmfs_vol_close(vol) && !err)
		err = fail("writing back", -EIO);
	vmfs_dev_close(dev);
	return err ? 1 : 0;
}
