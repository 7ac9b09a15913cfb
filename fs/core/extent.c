// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A file's extent map (docs/FORMAT.md "Extent tree") on the generic
 * B-tree: find the extent covering a logical mblock, insert with merging
 * of contiguous neighbours, punch a range (freeing its blocks), and flip
 * ranges between written and unwritten. Called under the metadata lock
 * with the file's data root in BTREE format.
 */
#include <string.h>

#include "fs/core/vol.h"

static int ext_get(struct vmfs_vol *vol, struct vmfs_bt *bt, bool le, uint64_t key,
		   struct vmfs_extent *e)
{
	uint8_t val[VMFS_EXTENT_VAL_BYTES];
	size_t vlen = sizeof(val);
	uint64_t k;
	int err;

	err = le ? vmfs_bt_lookup_le(vol, bt, key, &k, val, &vlen)
		 : vmfs_bt_lookup_ge(vol, bt, key, &k, val, &vlen);
	if (err)
		return err;
	return vmfs_extent_val_decode(val, vlen, k, e);
}

/*
 * vmfs_ext_find - the extent containing @lblk, or else the first one after
 * it (e->lstart > @lblk). Returns 0, -ENOENT when nothing is at or after
 * @lblk, or an error.
 */
int vmfs_ext_find(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
		  struct vmfs_extent *e)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(ip);
	int err;

	err = ext_get(vol, &bt, true, lblk, e);
	if (err == 0 && e->lstart + e->len > lblk)
		return 0;
	if (err && err != -ENOENT)
		return err;
	return ext_get(vol, &bt, false, lblk + 1, e);
}

static int ext_put(struct vmfs_vol *vol, struct vmfs_bt *bt, const struct vmfs_extent *e)
{
	uint8_t val[VMFS_EXTENT_VAL_BYTES];

	vmfs_extent_val_encode(val, e);
	return vmfs_bt_insert(vol, bt, e->lstart, val, sizeof(val));
}

static bool can_merge(const struct vmfs_extent *a, const struct vmfs_extent *b)
{
	return a->lstart + a->len == b->lstart && a->pstart + a->len == b->pstart &&
	       a->flags == b->flags && a->birth == b->birth &&
	       (uint64_t)a->len + b->len <= UINT32_MAX;
}

/* Insert @in (which must not overlap anything), merged with its neighbours. */
int vmfs_ext_insert(struct vmfs_vol *vol, struct vmfs_inode *ip, const struct vmfs_extent *in)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(ip);
	struct vmfs_extent e = *in, n;
	int err;

	if (e.lstart > 0) {
		err = ext_get(vol, &bt, true, e.lstart - 1, &n);
		if (err == 0 && can_merge(&n, &e)) {
			err = vmfs_bt_delete(vol, &bt, n.lstart);
			if (err)
				return err;
			n.len += e.len;
			e = n;
		} else if (err && err != -ENOENT) {
			return err;
		}
	}
	err = ext_get(vol, &bt, false, e.lstart + e.len, &n);
	if (err == 0 && can_merge(&e, &n)) {
		err = vmfs_bt_delete(vol, &bt, n.lstart);
		if (err)
			return err;
		e.len += n.len;
	} else if (err && err != -ENOENT) {
		return err;
	}
	return ext_put(vol, &bt, &e);
}

/*
 * Walk the extents overlapping [lblk, lblk+len). For each one, @fn gets the
 * extent (already removed from the tree) and the overlapping piece, and
 * re-inserts what it keeps. Head and tail outside the range are put back
 * here.
 */
static int ext_rewrite(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk, uint64_t len,
		       int (*fn)(struct vmfs_vol *, struct vmfs_inode *, const struct vmfs_extent *),
		       uint32_t only_flags_set, uint32_t only_flags_clear)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(ip);
	uint64_t end = lblk + len, pos = lblk;
	struct vmfs_extent e, piece, head, tail;
	int err;

	while (pos < end) {
		err = vmfs_ext_find(vol, ip, pos, &e);
		if (err == -ENOENT)
			return 0;
		if (err)
			return err;
		if (e.lstart >= end)
			return 0;
		if ((e.flags & only_flags_set) != only_flags_set || (e.flags & only_flags_clear)) {
			pos = e.lstart + e.len;
			continue;
		}
		err = vmfs_bt_delete(vol, &bt, e.lstart);
		if (err)
			return err;
		piece = e;
		if (e.lstart < lblk) {
			head = e;
			head.len = (uint32_t)(lblk - e.lstart);
			err = ext_put(vol, &bt, &head);
			if (err)
				return err;
			piece.lstart = lblk;
			piece.pstart = e.pstart + head.len;
			piece.len = e.len - head.len;
		}
		if (piece.lstart + piece.len > end) {
			tail = piece;
			tail.lstart = end;
			tail.pstart = piece.pstart + (end - piece.lstart);
			tail.len = (uint32_t)(piece.lstart + piece.len - end);
			err = ext_put(vol, &bt, &tail);
			if (err)
				return err;
			piece.len -= tail.len;
		}
		err = fn(vol, ip, &piece);
		if (!err)	/* one extent done: the map, counts and bitmaps agree */
			err = vmfs_txn_point(vol, ip);
		if (err)
			return err;
		pos = piece.lstart + piece.len;
	}
	return 0;
}

static int punch_piece(struct vmfs_vol *vol, struct vmfs_inode *ip, const struct vmfs_extent *p)
{
	ip->d.alloc_mblocks -= p->len;
	return vmfs_free(vol, p->pstart, p->len);
}

/* Remove the mapping of [lblk, lblk+len) and free its blocks. */
int vmfs_ext_punch(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk, uint64_t len)
{
	int err = ext_rewrite(vol, ip, lblk, len, punch_piece, 0, 0);

	vmfs_inode_dirty(vol, ip);
	return err;
}

/* Free the unwritten extents of [lblk, lblk+len), keeping written data. */
int vmfs_ext_punch_unwritten(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			     uint64_t len)
{
	int err = ext_rewrite(vol, ip, lblk, len, punch_piece, VMFS_EXT_UNWRITTEN, 0);

	vmfs_inode_dirty(vol, ip);
	return err;
}

static int written_piece(struct vmfs_vol *vol, struct vmfs_inode *ip, const struct vmfs_extent *p)
{
	struct vmfs_extent e = *p;

	e.flags &= ~VMFS_EXT_UNWRITTEN;
	return vmfs_ext_insert(vol, ip, &e);
}

static int unwritten_piece(struct vmfs_vol *vol, struct vmfs_inode *ip,
			   const struct vmfs_extent *p)
{
	struct vmfs_extent e = *p;

	e.flags |= VMFS_EXT_UNWRITTEN;
	return vmfs_ext_insert(vol, ip, &e);
}

/* Unwritten extents in the range become written (after their data landed). */
int vmfs_ext_mark_written(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			  uint64_t len)
{
	return ext_rewrite(vol, ip, lblk, len, written_piece, VMFS_EXT_UNWRITTEN, 0);
}

/* Written extents in the range become unwritten (they read as zeros again). */
int vmfs_ext_mark_unwritten(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			    uint64_t len)
{
	return ext_rewrite(vol, ip, lblk, len, unwritten_piece, 0, VMFS_EXT_UNWRITTEN);
}

/*
 * vmfs_ext_walk - call @cb for each extent of @ip in logical order; stops
 * at the first non-zero return of @cb, which it returns, or at an error
 * reading the map (*at, if not NULL, is then the logical mblock).
 */
int vmfs_ext_walk(struct vmfs_vol *vol, struct vmfs_inode *ip,
		  int (*cb)(void *arg, const struct vmfs_extent *e), void *arg, uint64_t *at)
{
	struct vmfs_extent e;
	uint64_t pos = 0;
	int err;

	for (;;) {
		err = vmfs_ext_find(vol, ip, pos, &e);
		if (err == -ENOENT)
			return 0;
		if (err) {
			if (at)
				*at = pos;
			return err;
		}
		err = cb(arg, &e);
		if (err)
			return err;
		pos = e.lstart + e.len;
	}
}

struct verify_state {
	struct vmfs_vol *vol;
	uint64_t total;
};

static int verify_one(void *arg, const struct vmfs_extent *e)
{
	struct verify_state *v = arg;

	if (!vmfs_ext_in_volume(v->vol, e))
		return -EFSCORRUPTED;
	v->total += e->len;
	return 0;
}

/*
 * vmfs_ext_verify - does @ip's extent map hold together: readable, every
 * extent inside the volume's data area, and as many mblocks as the
 * descriptor counts? 0 or -EFSCORRUPTED (or a read error).
 */
int vmfs_ext_verify(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct verify_state v = { .vol = vol };
	int err = vmfs_ext_walk(vol, ip, verify_one, &v, NULL);

	if (!err && v.total != ip->d.alloc_mblocks)
		err = -EFSCORRUPTED;
	return err;
}

static bool extent_decodes(uint64_t key, const void *val, size_t vlen)
{
	struct vmfs_extent e;

	return vmfs_extent_val_decode(val, vlen, key, &e) == 0;
}

/*
 * vmfs_ext_rebuild - (fsck) @ip's extent map anew from the extents that
 * can be read of it; the mblocks of those lost are not freed (nothing
 * says whose they are). Returns the number of records and subtrees lost,
 * or a negative errno. The allocated count is the caller's.
 */
long vmfs_ext_rebuild(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(ip);

	return vmfs_bt_rebuild(vol, &bt, extent_decodes);
}
