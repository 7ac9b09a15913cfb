// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Repairs of fsck.vmfs -p / -y (problems.c names each): applied after a
 * whole check, in an order that keeps every step safe: groups rebuilt,
 * blocks in use marked used, unreadable trees rebuilt from what can be
 * read of them (they may allocate: the bitmaps hold every claimed block by
 * then), descriptor fields, directory entries and extents outside the
 * volume, then leaked blocks freed, the group counters recounted from the
 * bitmaps as they are now, the orphans named in /lost+found, and last the
 * backup header. Everything goes through the block cache and is written
 * back at the end by the caller.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsck/check.h"

/* Set a descriptor field the check found wrong. */
static int fix_desc(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *ip;
	int err = vmfs_inode_get(vol, f->a, &ip);

	if (err)
		return err;
	switch (f->pr) {
	case PR_ALLOC_COUNT:
		ip->d.alloc_mblocks = f->b;
		break;
	case PR_NLINK:
		ip->d.nlink = (uint32_t)f->b;
		break;
	case PR_DIR_PARENT:
		ip->d.parent = f->b;
		break;
	case PR_SIZE:
		ip->d.size = f->b;
		break;
	default:	/* PR_DIR_COUNT */
		ip->d.nentries = f->b;
		break;
	}
	vmfs_inode_dirty(vol, ip);
	return 0;
}

/*
 * Directory entries: a dangling one or a directory's second name removed,
 * a wrong type set from the mode.
 */
static int fix_entry(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *dp;
	int err = vmfs_inode_get(vol, f->a, &dp);

	if (err || !f->name)
		return err ? err : -ENOMEM;
	if (f->pr == PR_DESC_UNREADABLE || f->pr == PR_DIR_LINKED_TWICE)
		err = vmfs_dir_remove(vol, dp, f->name, strlen(f->name));
	else
		err = vmfs_dir_set(vol, dp, f->name, strlen(f->name), f->b, (uint8_t)f->c);
	if (!err)
		vmfs_inode_dirty(vol, dp);
	return err;
}

/* An extent outside the data area: its record goes (a hole), and its count. */
static int fix_extent(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *ip;
	struct vmfs_bt bt;
	int err = vmfs_inode_get(vol, f->a, &ip);

	if (err)
		return err;
	bt = vmfs_inode_data_bt(ip);
	err = vmfs_bt_delete(vol, &bt, f->b);	/* no block is freed: none is ours */
	if (err)
		return err;
	ip->d.alloc_mblocks = ip->d.alloc_mblocks > f->c ? ip->d.alloc_mblocks - f->c : 0;
	vmfs_inode_dirty(vol, ip);
	return 0;
}

/* /lost+found, made when missing (mode 0700, as e2fsck makes it). */
static int lost_found(struct vmfs_vol *vol, struct vmfs_inode **out)
{
	struct vmfs_inode *root, *lf;
	uint64_t ino, key;
	uint8_t type;
	int err = vmfs_inode_get(vol, vol->vh.root_ino, &root);

	if (err)
		return err;
	err = vmfs_dir_lookup(vol, root, "lost+found", 10, &ino, &type, &key);
	if (!err)
		return type == VMFS_DT_DIR ? vmfs_inode_get(vol, ino, out) : -ENOTDIR;
	if (err != -ENOENT)
		return err;
	err = vmfs_inode_alloc(vol, root->ino, S_IFDIR | 0700, 0, 0, root->ino, &lf);
	if (!err)
		err = vmfs_dir_add(vol, root, "lost+found", 10, lf->ino, VMFS_DT_DIR);
	if (err)
		return err;
	root->d.nlink++;
	vmfs_inode_dirty(vol, root);
	*out = lf;
	return 0;
}

/* A file no directory names: named #INO in /lost+found. */
static int fix_orphan(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *lf, *ip;
	char name[32];
	int err = lost_found(vol, &lf);

	if (!err)
		err = vmfs_inode_get(vol, f->a, &ip);
	if (err)
		return err;
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)f->a);
	err = vmfs_dir_add(vol, lf, name, strlen(name), ip->ino, vmfs_mode_to_dt(ip->d.mode));
	if (err)
		return err;
	ip->d.nlink = (uint32_t)f->b;
	if (S_ISDIR(ip->d.mode)) {
		ip->d.parent = lf->ino;
		lf->d.nlink++;
	}
	vmfs_inode_dirty(vol, ip);
	vmfs_inode_dirty(vol, lf);
	return 0;
}

/* Every group whose header disagrees with its bitmap gets the bitmap's count. */
static int recount_groups(struct vmfs_vol *vol, long *applied)
{
	uint64_t rg, was;
	int err;

	for (rg = 0; rg < vol->vh.rg_count; rg++) {
		err = vmfs_rg_recount(vol, rg, &was);
		if (err == -EFSBADCRC || err == -EFSCORRUPTED)
			continue;	/* a damaged header or bitmap block: RG_UNREADABLE stays */
		if (err < 0)
			return err;
		*applied += err;
	}
	return 0;
}

static int fix_ndesc(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	int err = vmfs_rg_load(vol, f->a);

	if (err)
		return err;
	/* Through the counter's own update: found - recorded. */
	return vmfs_rg_ndesc_add(vol, vmfs_rg_start(&vol->vh, f->a),
				 (int)((int64_t)f->b - (int64_t)vol->rgs[f->a].hdr.ndesc));
}

static int fix_backup_header(struct vmfs_vol *vol)
{
	uint64_t last = vol->vh.total_mblocks - 1;
	struct vmfs_volhdr vh = vol->vh;
	void *blk;
	int err;

	if (posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	memset(blk, 0, VMFS_MBLOCK_SIZE);
	vh.hdr.blkno = last;
	vmfs_volhdr_encode(blk, &vh);
	err = vmfs_dev_write(vol->dev, blk, VMFS_MBLOCK_SIZE, last << VMFS_MBLOCK_SHIFT);
	free(blk);
	return err;
}

/*
 * A group whose header or a bitmap block is unreadable: every bitmap block
 * written anew, all free but the bitmap blocks themselves, the header
 * rewritten (from the layout if it was the damaged one) with the
 * descriptor count found; the runs files claim are marked in the next step.
 */
static int fix_rebuild_group(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_rg_state *rs = &vol->rgs[f->a];
	struct vmfs_buf *b;
	uint64_t k;
	int err;

	if (f->c)
		return 1;	/* a claimed run: the next step */
	if (vmfs_rg_load(vol, f->a) != 0) {
		memset(&rs->hdr, 0, sizeof(rs->hdr));
		rs->hdr.index = f->a;
		rs->hdr.start = vmfs_rg_start(&vol->vh, f->a);
		rs->hdr.mblocks = vmfs_rg_len(&vol->vh, f->a);
		rs->hdr.bitmap_blocks = vmfs_rg_bitmap_blocks(rs->hdr.mblocks);
		rs->hdr.flags = VMFS_RG_F_INIT;
		rs->init = rs->loaded = true;
	}
	for (k = 0; k < rs->hdr.bitmap_blocks; k++) {
		err = vmfs_bc_get(vol, rs->hdr.start + k, VMFS_MAGIC_BITMAP, VMFS_BC_NEW, &b);
		if (err)
			return err;
		vmfs_bitmap_init(b->data, b->blkno, vol->vh.hdr.uuid, f->a, k * VMFS_BITMAP_BITS);
		vmfs_bc_dirty(vol, b);
		vmfs_bc_put(vol, b);
		rs->hdr.bitmap_init[k / 8] |= (uint8_t)(1u << (k % 8));
	}
	rs->hdr.ndesc = f->b;
	err = vmfs_rg_set_free(vol, f->a, rs->hdr.mblocks);
	return err ? err : vmfs_alloc_mark_used(vol, rs->hdr.start, rs->hdr.bitmap_blocks);
}

/* A run files claim in a rebuilt group. */
static int fix_group_run(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	return f->c ? vmfs_alloc_mark_used(vol, f->b, f->c) : 1;	/* 1: the rebuild itself */
}

/*
 * A tree with nodes or records that do not read: made anew from those that
 * do (@f->b: 1 the xattrs, 0 the extent map or entries). What was lost is
 * found by the next check: mblocks nobody owns, files nobody names.
 */
static int fix_tree(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *ip;
	long lost;
	int err = vmfs_inode_get(vol, f->a, &ip);

	if (err)
		return err;
	if (f->b)
		lost = vmfs_xattr_rebuild(vol, ip);
	else if (S_ISDIR(ip->d.mode))
		lost = vmfs_dir_rebuild(vol, ip);
	else
		lost = vmfs_ext_rebuild(vol, ip);
	if (lost >= 0)
		vmfs_inode_dirty(vol, ip);
	return lost < 0 ? (int)lost : 0;
}

/* Copy mblock @from to @to, through the device. */
static int copy_mblock(struct vmfs_vol *vol, uint64_t from, uint64_t to)
{
	void *buf;
	int err;

	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	err = vmfs_dev_read(vol->dev, buf, VMFS_MBLOCK_SIZE, from << VMFS_MBLOCK_SHIFT);
	if (!err)
		err = vmfs_dev_write(vol->dev, buf, VMFS_MBLOCK_SIZE, to << VMFS_MBLOCK_SHIFT);
	free(buf);
	return err;
}

/*
 * The file @f->a maps mblocks [b, b + c), from its logical mblock @f->d
 * on, that another owner claims too: each such mblock of the extent there
 * moves to a new block holding a copy. The extent is taken out of the tree
 * whole and put back in pieces (the old blocks are not freed: they are the
 * other owner's). A run that reaches into the next extent is left to the
 * next round. A tree node claimed twice: the tree is rebuilt (fix_tree).
 */
static int fix_twice(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	struct vmfs_inode *ip;
	struct vmfs_extent e, piece;
	struct vmfs_bt bt;
	uint64_t os, oe, m, nb, got;
	int err;

	if (!f->c)	/* a tree node: the tree rebuilt lets go of it */
		return fix_tree(vol, f);
	err = vmfs_inode_get(vol, f->a, &ip);
	if (!err)
		err = vmfs_ext_find(vol, ip, f->d, &e);
	if (err || e.lstart > f->d || e.pstart + (f->d - e.lstart) != f->b)
		return err ? err : 1;	/* changed since the check */
	os = f->b;
	oe = e.pstart + e.len < f->b + f->c ? e.pstart + e.len : f->b + f->c;
	bt = vmfs_inode_data_bt(ip);
	err = vmfs_bt_delete(vol, &bt, e.lstart);
	/* The part before the run and the part after it keep their blocks. */
	piece = e;
	piece.len = (uint32_t)(os - e.pstart);
	if (!err && piece.len)
		err = vmfs_ext_insert(vol, ip, &piece);
	piece.lstart = e.lstart + (oe - e.pstart);
	piece.pstart = oe;
	piece.len = (uint32_t)(e.pstart + e.len - oe);
	if (!err && piece.len)
		err = vmfs_ext_insert(vol, ip, &piece);
	for (m = os; !err && m < oe; m++) {	/* the run, one copied mblock at a time */
		piece.lstart = e.lstart + (m - e.pstart);
		piece.len = 1;
		err = vmfs_alloc(vol, VMFS_AK_DATA1, 1, m, &nb, &got);
		if (!err)
			err = copy_mblock(vol, m, nb);
		piece.pstart = nb;
		if (!err)
			err = vmfs_ext_insert(vol, ip, &piece);	/* merges neighbours */
	}
	if (!err)
		vmfs_inode_dirty(vol, ip);
	return err;
}

/*
 * A heartbeat slot or lock record that does not decode: written all zero,
 * which is a free slot or lock (docs/FORMAT.md), straight to the device,
 * where the lock manager reads it. No host is mounted during a repair.
 */
static int fix_zero_record(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	void *blk;
	int err;

	if (posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	memset(blk, 0, VMFS_MBLOCK_SIZE);
	err = vmfs_dev_write(vol->dev, blk, VMFS_MBLOCK_SIZE, f->a << VMFS_MBLOCK_SHIFT);
	free(blk);
	return err;
}

static int fix_mark_used(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	return vmfs_alloc_mark_used(vol, f->a, f->b);
}

static int fix_free(struct vmfs_vol *vol, const struct vmfs_fix *f)
{
	return vmfs_free(vol, f->a, f->b);
}

/*
 * Which repair, in which step: 0 groups rebuilt; 1 blocks in use; 2 trees
 * rebuilt (which allocate, so after every claimed block is marked); 3
 * descriptors, entries, extents, heartbeat slots and lock records; 4 leaked blocks; 5 descriptor counts;
 * 6 orphans into /lost+found and copies of blocks claimed twice (which
 * allocate too). The group free counts and the backup header follow all
 * of them.
 */
static const struct {
	enum vmfs_problem pr;
	int step;
	int (*fix)(struct vmfs_vol *vol, const struct vmfs_fix *f);	/* 1: nothing to do */
} steps[] = {
	{ PR_RG_UNREADABLE, 0, fix_rebuild_group },
	{ PR_BLOCK_FREE, 1, fix_mark_used },
	{ PR_RG_UNREADABLE, 1, fix_group_run },
	{ PR_TREE_UNREADABLE, 2, fix_tree },
	{ PR_DIR_UNREADABLE, 2, fix_tree },
	{ PR_ALLOC_COUNT, 3, fix_desc },
	{ PR_NLINK, 3, fix_desc },
	{ PR_DIR_COUNT, 3, fix_desc },
	{ PR_DIR_PARENT, 3, fix_desc },
	{ PR_SIZE, 3, fix_desc },
	{ PR_DIR_LINKED_TWICE, 3, fix_entry },
	{ PR_DESC_UNREADABLE, 3, fix_entry },
	{ PR_DIRENT_TYPE, 3, fix_entry },
	{ PR_EXTENT_OUTSIDE, 3, fix_extent },
	{ PR_HB_UNREADABLE, 3, fix_zero_record },
	{ PR_LOCK_UNREADABLE, 3, fix_zero_record },
	{ PR_BLOCK_LEAKED, 4, fix_free },
	{ PR_RG_NDESC, 5, fix_ndesc },
	{ PR_ORPHAN, 6, fix_orphan },
	{ PR_BLOCK_TWICE, 6, fix_twice },
};
#define NSTEPS 7

long vmfs_repair(struct vmfs_vol *vol, const struct vmfs_check_report *rep)
{
	/*
	 * An unreadable tree may own blocks that look leaked: free none, and
	 * rebuild no group, until a check after the tree's rebuild.
	 */
	bool keep_blocks = rep->found[PR_TREE_UNREADABLE] || rep->found[PR_DIR_UNREADABLE];
	long applied = 0;
	int step, err = 0;
	size_t i, k;

	if (vol->rdonly)
		return -EROFS;
	pthread_mutex_lock(&vol->lock);
	for (step = 0; step < NSTEPS && !err; step++) {
		for (i = 0; i < rep->nfixes && !err; i++) {
			for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
				if (steps[k].pr != rep->fixes[i].pr || steps[k].step != step)
					continue;
				if (keep_blocks && (steps[k].pr == PR_BLOCK_LEAKED ||
						    steps[k].pr == PR_RG_UNREADABLE))
					continue;
				err = steps[k].fix(vol, &rep->fixes[i]);
				applied += err == 0;
				err = err > 0 ? 0 : err;
			}
		}
	}
	if (!err)
		err = recount_groups(vol, &applied);
	pthread_mutex_unlock(&vol->lock);
	for (i = 0; i < rep->nfixes && !err; i++) {
		if (rep->fixes[i].pr == PR_HDR_BACKUP) {
			err = fix_backup_header(vol);
			applied += !err;
			break;
		}
	}
	return err ? err : applied;
}
