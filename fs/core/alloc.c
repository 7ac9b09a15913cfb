// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Space allocation from resource groups (docs/FORMAT.md "Resource groups",
 * "Allocation"). Regular file data gets whole, aligned file blocks; small
 * blocks, descriptors and B-tree nodes are carved out of "mixed" file
 * blocks that are already partly used, so whole free file blocks stay
 * available for data. Groups are initialised on first use (lazy mkfs).
 * Called under the metadata lock. On a volume shared by several hosts a
 * group changes only on the host holding its lock (rglock.c): allocation
 * looks in the groups this host holds first, then takes another.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/core/cluster.h"

static uint64_t rg_of(const struct vmfs_vol *vol, uint64_t blk)
{
	return (blk - vol->vh.data_start) / vol->vh.rg_mblocks;
}

static int rgmap_buf(struct vmfs_vol *vol, uint64_t rg, struct vmfs_buf **b, uint8_t **bits,
		     uint64_t *bit)
{
	uint64_t k = rg / VMFS_RGMAP_BITS;
	int err;

	err = vmfs_bc_get(vol, vol->vh.rgmap_start + k, VMFS_MAGIC_RGMAP, 0, b);
	if (err)
		return err;
	*bits = vmfs_rgmap_bits((*b)->data);
	*bit = rg % VMFS_RGMAP_BITS;
	return 0;
}

/* Load group @rg's header (or synthesise it for a never-initialised group). */
int vmfs_rg_load(struct vmfs_vol *vol, uint64_t rg)
{
	struct vmfs_rg_state *rs = &vol->rgs[rg];
	struct vmfs_buf *b;
	uint8_t *bits;
	uint64_t bit;
	int err;

	if (rs->loaded)
		return 0;
	err = rgmap_buf(vol, rg, &b, &bits, &bit);
	if (err)
		return err;
	rs->init = bits[bit / 8] & (1u << (bit % 8));
	vmfs_bc_put(vol, b);
	if (rs->init) {
		err = vmfs_bc_get(vol, vmfs_rg_hdr_blk(&vol->vh, rg), VMFS_MAGIC_RG, 0, &b);
		if (err)
			return err;
		err = vmfs_rg_decode(b->data, b->blkno, vol->vh.hdr.uuid, &rs->hdr);
		vmfs_bc_put(vol, b);
		if (err)
			return err;
		if (rs->hdr.index != rg || rs->hdr.start != vmfs_rg_start(&vol->vh, rg) ||
		    rs->hdr.mblocks != vmfs_rg_len(&vol->vh, rg))
			return -EFSCORRUPTED;
	} else {
		memset(&rs->hdr, 0, sizeof(rs->hdr));
		rs->hdr.index = rg;
		rs->hdr.start = vmfs_rg_start(&vol->vh, rg);
		rs->hdr.mblocks = vmfs_rg_len(&vol->vh, rg);
		rs->hdr.bitmap_blocks = vmfs_rg_bitmap_blocks(rs->hdr.mblocks);
		rs->hdr.free_mblocks = rs->hdr.mblocks - rs->hdr.bitmap_blocks;
	}
	rs->loaded = true;
	return 0;
}

static int rg_hdr_write(struct vmfs_vol *vol, struct vmfs_rg_state *rs)
{
	struct vmfs_buf *b;
	int err;

	rs->hdr.version++;
	rs->hdr.hdr.magic = VMFS_MAGIC_RG;
	rs->hdr.hdr.blkno = vmfs_rg_hdr_blk(&vol->vh, rs->hdr.index);
	memcpy(rs->hdr.hdr.uuid, vol->vh.hdr.uuid, 16);
	err = vmfs_bc_get(vol, rs->hdr.hdr.blkno, VMFS_MAGIC_RG, VMFS_BC_NEW, &b);
	if (err)
		return err;
	vmfs_rg_encode(b->data, &rs->hdr);
	vmfs_bc_dirty(vol, b);
	vmfs_bc_put(vol, b);
	return 0;
}

/* Bitmap block @k of group @rs; *bits NULL if never written (all free). */
static int bm_block(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t k, bool write,
		    struct vmfs_buf **b, uint8_t **bits)
{
	uint64_t blkno = rs->hdr.start + k;
	bool valid = rs->init && (rs->hdr.bitmap_init[k / 8] & (1u << (k % 8)));
	int err;

	*b = NULL;
	*bits = NULL;
	if (!valid && !write)
		return 0;
	err = vmfs_bc_get(vol, blkno, VMFS_MAGIC_BITMAP, valid ? 0 : VMFS_BC_NEW, b);
	if (err)
		return err;
	if (!valid) {
		vmfs_bitmap_init((*b)->data, blkno, vol->vh.hdr.uuid, rs->hdr.index,
				 k * VMFS_BITMAP_BITS);
		rs->hdr.bitmap_init[k / 8] |= 1u << (k % 8);
		vmfs_bc_dirty(vol, *b);
	}
	*bits = vmfs_bitmap_bits((*b)->data);
	return 0;
}

/*
 * Scan group-relative bits [p, p+len): *used = count of set bits and
 * *first = first set bit (UINT64_MAX if none).
 */
static int bm_scan(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t p, uint64_t len,
		   uint64_t *used, uint64_t *first)
{
	struct vmfs_buf *b;
	uint8_t *bits;
	int err;

	*used = 0;
	*first = UINT64_MAX;
	while (len) {
		uint64_t k = p / VMFS_BITMAP_BITS, off = p % VMFS_BITMAP_BITS;
		uint64_t n = VMFS_BITMAP_BITS - off < len ? VMFS_BITMAP_BITS - off : len;
		uint64_t i = off, end = off + n;

		err = bm_block(vol, rs, k, false, &b, &bits);
		if (err)
			return err;
		if (!rs->init && k == 0 && off < rs->hdr.bitmap_blocks) {
			/* A never-initialised group: only its bitmap blocks are in use. */
			uint64_t ue = end < rs->hdr.bitmap_blocks ? end : rs->hdr.bitmap_blocks;

			if (*first == UINT64_MAX)
				*first = off;
			*used += ue - off;
		}
		while (bits && i < end) {
			if ((i & 63) == 0 && end - i >= 64) {
				uint64_t w = vmfs_get_le64(bits + i / 8);

				if (w) {
					if (*first == UINT64_MAX)
						*first = k * VMFS_BITMAP_BITS + i +
							 (uint64_t)__builtin_ctzll(w);
					*used += (uint64_t)__builtin_popcountll(w);
				}
				i += 64;
				continue;
			}
			if (bits[i / 8] & (1u << (i % 8))) {
				if (*first == UINT64_MAX)
					*first = k * VMFS_BITMAP_BITS + i;
				(*used)++;
			}
			i++;
		}
		vmfs_bc_put(vol, b);
		p += n;
		len -= n;
	}
	return 0;
}

/* Set (@val) or clear group-relative bits [p, p+len); every bit must change. */
static int bm_set(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t p, uint64_t len,
		  bool val)
{
	struct vmfs_buf *b;
	uint8_t *bits;
	uint64_t total = len, used, first;
	int err = 0;

	/* Refuse a double allocation or double free before changing any bit. */
	err = bm_scan(vol, rs, p, len, &used, &first);
	if (err)
		return err;
	if (used != (val ? 0 : len))
		return -EFSCORRUPTED;

	while (len) {
		uint64_t k = p / VMFS_BITMAP_BITS, off = p % VMFS_BITMAP_BITS;
		uint64_t n = VMFS_BITMAP_BITS - off < len ? VMFS_BITMAP_BITS - off : len;
		uint64_t i;

		err = bm_block(vol, rs, k, true, &b, &bits);
		if (err)
			return err;
		for (i = off; i < off + n; i++) {
			uint8_t m = (uint8_t)(1u << (i % 8));

			if ((i & 63) == 0 && off + n - i >= 64) {
				uint64_t w = vmfs_get_le64(bits + i / 8);

				if (w != (val ? 0 : ~0ull)) {
					err = -EFSCORRUPTED;
					break;
				}
				vmfs_put_le64(bits + i / 8, val ? ~0ull : 0);
				i += 63;
				continue;
			}

			if (!!(bits[i / 8] & m) == val) {
				err = -EFSCORRUPTED;	/* double allocation or double free */
				break;
			}
			bits[i / 8] ^= m;
		}
		vmfs_bc_dirty(vol, b);
		vmfs_bc_put(vol, b);
		if (err)
			return err;
		p += n;
		len -= n;
	}
	if (val)
		rs->hdr.free_mblocks -= total;
	else
		rs->hdr.free_mblocks += total;
	if (vol->free_known)
		vol->free_total = val ? vol->free_total - total : vol->free_total + total;
	return rg_hdr_write(vol, rs);
}

/* First use of a group: write its lock, header and first bitmap block. */
int vmfs_rg_initialise(struct vmfs_vol *vol, struct vmfs_rg_state *rs)
{
	struct vmfs_buf *b;
	uint8_t *bits, *zero;
	uint64_t bit, rg = rs->hdr.index;
	int err;

	zero = calloc(1, VMFS_MBLOCK_SIZE);
	if (!zero)
		return -ENOMEM;
	err = vmfs_dev_write(vol->dev, zero, VMFS_MBLOCK_SIZE,
			     vmfs_rg_lock_blk(&vol->vh, rg) << VMFS_MBLOCK_SHIFT);
	free(zero);
	if (err)
		return err;
	memset(rs->hdr.bitmap_init, 0, sizeof(rs->hdr.bitmap_init));
	rs->init = true;
	rs->hdr.flags |= VMFS_RG_F_INIT;
	/* bm_set below takes the bitmap blocks out again, also from free_total. */
	if (vol->free_known)
		vol->free_total += rs->hdr.mblocks - rs->hdr.free_mblocks;
	rs->hdr.free_mblocks = rs->hdr.mblocks;
	err = bm_set(vol, rs, 0, rs->hdr.bitmap_blocks, true);
	if (err)
		return err;
	err = rgmap_buf(vol, rg, &b, &bits, &bit);
	if (err)
		return err;
	bits[bit / 8] |= (uint8_t)(1u << (bit % 8));
	vmfs_bc_dirty(vol, b);
	vmfs_bc_put(vol, b);
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

/* First aligned free run of @len in [from, to) of the group; -ENOSPC if none. */
static int find_run(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t from, uint64_t to,
		    uint64_t len, uint64_t align, uint64_t *found)
{
	uint64_t p = align_up(from, align), used, first;
	int err;

	while (p + len <= to) {
		err = bm_scan(vol, rs, p, len, &used, &first);
		if (err)
			return err;
		if (!used) {
			*found = p;
			return 0;
		}
		p = align_up(first + 1, align);
	}
	return -ENOSPC;
}

/* Small allocations: inside the current mixed file block, else another one. */
static int alloc_mixed(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t len,
		       uint64_t align, uint64_t *found)
{
	uint64_t fbm = vol->geom.file_block_mblocks, nfb = rs->hdr.mblocks / fbm;
	uint64_t i, c, used, first;
	int err;

	for (i = 0; i <= nfb; i++) {
		c = (rs->mixed_cursor + i) % nfb;
		err = bm_scan(vol, rs, c * fbm, fbm, &used, &first);
		if (err)
			return err;
		/* The first pass over a full group looks for mixed blocks only. */
		if (used == fbm || (used == 0 && i < nfb))
			continue;
		err = find_run(vol, rs, c * fbm, (c + 1) * fbm, len, align, found);
		if (err == -ENOSPC)
			continue;
		if (err)
			return err;
		rs->mixed_cursor = c;
		return 0;
	}
	/* No mixed block has room: start a new one in a wholly free file block. */
	err = find_run(vol, rs, 0, nfb * fbm, fbm, fbm, found);
	if (err)
		return err;
	rs->mixed_cursor = *found / fbm;
	return 0;
}

/* Whole file blocks: at @goal if free, else from the cursor; extend contiguously. */
static int alloc_data(struct vmfs_vol *vol, struct vmfs_rg_state *rs, uint64_t want,
		      uint64_t goal_rel, uint64_t *found, uint64_t *got)
{
	uint64_t fbm = vol->geom.file_block_mblocks, end = rs->hdr.mblocks / fbm * fbm;
	uint64_t used, first, p = UINT64_MAX, n;
	int err;

	if (goal_rel != UINT64_MAX && goal_rel % fbm == 0 && goal_rel + fbm <= end) {
		err = bm_scan(vol, rs, goal_rel, fbm, &used, &first);
		if (err)
			return err;
		if (!used)
			p = goal_rel;
	}
	if (p == UINT64_MAX) {
		err = find_run(vol, rs, rs->data_cursor, end, fbm, fbm, &p);
		if (err == -ENOSPC && rs->data_cursor)
			err = find_run(vol, rs, 0, end, fbm, fbm, &p);
		if (err)
			return err;
	}
	for (n = fbm; n < want && p + n + fbm <= end; n += fbm) {
		err = bm_scan(vol, rs, p + n, fbm, &used, &first);
		if (err)
			return err;
		if (used)
			break;
	}
	*found = p;
	*got = n;
	rs->data_cursor = p + n;
	return 0;
}

static uint64_t kind_need(struct vmfs_vol *vol, enum vmfs_alloc_kind kind, uint64_t want)
{
	return kind == VMFS_AK_DATA ? vol->geom.file_block_mblocks : kind == VMFS_AK_DESC ? 2 :
	       kind == VMFS_AK_SMALL ? want : 1;
}

static int alloc_in_rg(struct vmfs_vol *vol, uint64_t rg, enum vmfs_alloc_kind kind,
		       uint64_t want, uint64_t goal, bool wait, uint64_t *pstart, uint64_t *got)
{
	struct vmfs_rg_state *rs = &vol->rgs[rg];
	uint64_t rel = 0, n = want;
	int err;

	err = vmfs_rg_own(vol, rg, wait);
	if (err)
		return err;
	if (rs->hdr.free_mblocks < kind_need(vol, kind, want))
		return -ENOSPC;
	if (!rs->init) {
		err = vmfs_rg_initialise(vol, rs);
		if (err)
			return err;
	}
	switch (kind) {
	case VMFS_AK_DATA:
		err = alloc_data(vol, rs, want,
				 goal >= rs->hdr.start && goal < rs->hdr.start + rs->hdr.mblocks ?
				 goal - rs->hdr.start : UINT64_MAX, &rel, &n);
		break;
	case VMFS_AK_SMALL:
		err = alloc_mixed(vol, rs, want, vol->geom.small_block_mblocks, &rel);
		break;
	case VMFS_AK_DESC:
		err = alloc_mixed(vol, rs, 2, 2, &rel);
		n = 2;
		break;
	default:
		err = alloc_mixed(vol, rs, 1, 1, &rel);
		n = 1;
		break;
	}
	if (err)
		return err;
	err = bm_set(vol, rs, rel, n, true);
	if (err)
		return err;
	*pstart = rs->hdr.start + rel;
	*got = n;
	return 0;
}

/*
 * vmfs_alloc - allocate space of @kind near @goal (an mblock, 0 = none).
 * DATA: @want mblocks (a multiple of the file block), returns at least one
 * aligned file block and up to @want contiguous. SMALL: one small block.
 * META: one mblock. DESC: two mblocks aligned to two.
 * Returns 0 with *pstart, *got, or -ENOSPC, or an I/O / corruption error.
 */
/*
 * Pass 0 tries the groups this host holds, pass 1 takes another that looks
 * as if it has room, pass 2 any other (the holder of the volume lock waits
 * for a host to give one back). -EAGAIN: only under the volume lock.
 */
static int alloc_passes(struct vmfs_vol *vol, uint64_t rg0, enum vmfs_alloc_kind kind,
			uint64_t want, uint64_t goal, uint64_t *pstart, uint64_t *got)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t i, rg, need = kind_need(vol, kind, want);
	bool again = false, skipped = false;
	unsigned pass;
	int err;

	for (pass = cl ? 0 : 1; pass < 3; pass++) {
		if (pass == 2 && !skipped)
			break;
		for (i = 0; i < vol->vh.rg_count; i++) {
			struct vmfs_rg_state *rs;

			/* Near the goal among our own; new ones from our home (affinity by slot). */
			rg = ((cl && pass ? vol->rg_home : rg0) + i) % vol->vh.rg_count;
			rs = &vol->rgs[rg];
			if (cl && rs->held != (pass == 0))
				continue;
			if (cl && pass == 1 && rs->loaded && rs->hdr.free_mblocks < need) {
				skipped = true;	/* as last seen: perhaps freed since */
				continue;
			}
			err = alloc_in_rg(vol, rg, kind, want, goal, pass == 2, pstart, got);
			if (err == -EBUSY || err == -EAGAIN) {
				skipped = true;
				again |= err == -EAGAIN;
				continue;
			}
			if (err != -ENOSPC) {
				if (!err)
					vol->rg_hint = rg;
				return err;
			}
		}
	}
	return again ? -EAGAIN : -ENOSPC;
}

int vmfs_alloc(struct vmfs_vol *vol, enum vmfs_alloc_kind kind, uint64_t want, uint64_t goal,
	       uint64_t *pstart, uint64_t *got)
{
	uint64_t rg0;

	if (vol->rdonly)
		return -EROFS;
	if (kind == VMFS_AK_SMALL)
		want = vol->geom.small_block_mblocks;
	if (kind != VMFS_AK_META) {
		uint64_t fbm = vol->geom.file_block_mblocks, freeb = vmfs_free_mblocks(vol);
		uint64_t need = kind_need(vol, kind, want);

		if (freeb < need + VMFS_META_RESERVE)
			return -ENOSPC;
		/* A run of file blocks never reaches into the reserve either. */
		if (kind == VMFS_AK_DATA && want > freeb - VMFS_META_RESERVE)
			want = (freeb - VMFS_META_RESERVE) / fbm * fbm;
	}
	rg0 = goal >= vol->vh.data_start && rg_of(vol, goal) < vol->vh.rg_count ?
	      rg_of(vol, goal) : vol->rg_hint;
	return alloc_passes(vol, rg0, kind, want, goal, pstart, got);
}

static int for_each_rg_piece(struct vmfs_vol *vol, uint64_t pstart, uint64_t len, bool set)
{
	int err;

	while (len) {
		uint64_t rg = rg_of(vol, pstart), rel, n;
		struct vmfs_rg_state *rs;

		if (pstart < vol->vh.data_start || rg >= vol->vh.rg_count)
			return -EFSCORRUPTED;
		err = vmfs_rg_own(vol, rg, true);
		if (err)
			return err;
		rs = &vol->rgs[rg];
		rel = pstart - rs->hdr.start;
		if (rel >= rs->hdr.mblocks)
			return -EFSCORRUPTED;
		n = rs->hdr.mblocks - rel < len ? rs->hdr.mblocks - rel : len;
		if (!rs->init) {
			if (!set)
				return -EFSCORRUPTED;
			err = vmfs_rg_initialise(vol, rs);
			if (err)
				return err;
		}
		err = bm_set(vol, rs, rel, n, set);
		if (err)
			return err;
		pstart += n;
		len -= n;
	}
	return 0;
}

/*
 * Return [pstart, pstart+len) to the free pool. -EFSCORRUPTED if any was
 * free. Metadata blocks must be dropped from the cache first (vmfs_bc_forget).
 */
int vmfs_free(struct vmfs_vol *vol, uint64_t pstart, uint64_t len)
{
	return for_each_rg_piece(vol, pstart, len, false);
}

/* Mark a specific range used (mkfs, fsck). -EFSCORRUPTED if any was used. */
int vmfs_alloc_mark_used(struct vmfs_vol *vol, uint64_t pstart, uint64_t len)
{
	return for_each_rg_piece(vol, pstart, len, true);
}

int vmfs_alloc_is_used(struct vmfs_vol *vol, uint64_t pstart, uint64_t len, bool *all_used,
		       bool *any_used)
{
	uint64_t used_total = 0, used, first, total = len;
	int err;

	while (len) {
		uint64_t rg = rg_of(vol, pstart), rel, n;
		struct vmfs_rg_state *rs;

		if (pstart < vol->vh.data_start || rg >= vol->vh.rg_count)
			return -ERANGE;
		err = vmfs_rg_load(vol, rg);
		if (err)
			return err;
		rs = &vol->rgs[rg];
		rel = pstart - rs->hdr.start;
		if (rel >= rs->hdr.mblocks)
			return -ERANGE;	/* the unused tail after the last group */
		n = rs->hdr.mblocks - rel < len ? rs->hdr.mblocks - rel : len;
		err = bm_scan(vol, rs, rel, n, &used, &first);
		if (err)
			return err;
		used_total += used;
		pstart += n;
		len -= n;
	}
	*all_used = used_total == total;
	*any_used = used_total != 0;
	return 0;
}

/* Free mblocks of the volume: summed over the groups once, then kept up to date. */
uint64_t vmfs_free_mblocks(struct vmfs_vol *vol)
{
	uint64_t i, total = 0;

	if (vol->free_known)
		return vol->free_total;
	for (i = 0; i < vol->vh.rg_count; i++) {
		if (vmfs_rg_load(vol, i) != 0)
			return total;	/* unreadable group: count what is known, retry later */
		total += vol->rgs[i].hdr.free_mblocks;
	}
	vol->free_total = total;
	vol->free_known = true;
	return total;
}

/*
 * vmfs_alloc_next_used - the first run of used mblocks at or after @from
 * (absolute), within one group. Returns 0 with *start and *len, -ENOENT
 * past the last group, or an error. fsck walks the bitmaps with it.
 */
int vmfs_alloc_next_used(struct vmfs_vol *vol, uint64_t from, uint64_t *start, uint64_t *len)
{
	uint64_t rg, rel, used, first, end, n, f;
	struct vmfs_rg_state *rs;
	int err;

	if (from < vol->vh.data_start)
		from = vol->vh.data_start;
	for (rg = rg_of(vol, from); rg < vol->vh.rg_count; rg++) {
		err = vmfs_rg_load(vol, rg);
		if (err)
			return err;
		rs = &vol->rgs[rg];
		rel = from > rs->hdr.start ? from - rs->hdr.start : 0;
		if (rel >= rs->hdr.mblocks)
			continue;
		err = bm_scan(vol, rs, rel, rs->hdr.mblocks - rel, &used, &first);
		if (err)
			return err;
		if (!used)
			continue;
		/* Extend the run: whole words while they are full, then bit by bit. */
		end = first + 1;
		while (end < rs->hdr.mblocks) {
			n = 64 - (end & 63);
			if (n > rs->hdr.mblocks - end)
				n = rs->hdr.mblocks - end;
			err = bm_scan(vol, rs, end, n, &used, &f);
			if (err)
				return err;
			if (used == n) {
				end += n;
				continue;
			}
			for (;;) {
				err = bm_scan(vol, rs, end, 1, &used, &f);
				if (err)
					return err;
				if (!used)
					break;
				end++;
			}
			break;
		}
		*start = rs->hdr.start + first;
		*len = end - first;
		return 0;
	}
	return -ENOENT;
}

uint64_t vmfs_count_descriptors(struct vmfs_vol *vol)
{
	uint64_t i, total = 0;

	for (i = 0; i < vol->vh.rg_count; i++) {
		if (vmfs_rg_load(vol, i) == 0)
			total += vol->rgs[i].hdr.ndesc;
	}
	return total;
}

/* Count a descriptor created (+1) or freed (-1) at @blk in its group's header. */
int vmfs_rg_ndesc_add(struct vmfs_vol *vol, uint64_t blk, int delta)
{
	uint64_t rg = rg_of(vol, blk);
	int err;

	if (blk < vol->vh.data_start || rg >= vol->vh.rg_count)
		return -EFSCORRUPTED;
	err = vmfs_rg_own(vol, rg, true);
	if (err)
		return err;
	vol->rgs[rg].hdr.ndesc += (uint64_t)(int64_t)delta;
	return rg_hdr_write(vol, &vol->rgs[rg]);
}

/*
 * vmfs_rg_recount - make group @rg's free count what its bitmap says.
 * Returns 1 when it was wrong (*was_free: what the header said), 0 when it
 * was right or the group was never used, or an error (a bitmap block that
 * does not verify: -EFSBADCRC / -EFSCORRUPTED).
 */
int vmfs_rg_recount(struct vmfs_vol *vol, uint64_t rg, uint64_t *was_free)
{
	struct vmfs_rg_state *rs = &vol->rgs[rg];
	uint64_t used, first;
	int err = vmfs_rg_load(vol, rg);

	if (err || !rs->init)
		return err;
	err = bm_scan(vol, rs, 0, rs->hdr.mblocks, &used, &first);
	if (err || rs->hdr.free_mblocks == rs->hdr.mblocks - used)
		return err;
	*was_free = rs->hdr.free_mblocks;
	err = vmfs_rg_set_free(vol, rg, rs->hdr.mblocks - used);
	return err ? err : 1;
}

/* Set group @rg's free count (recovery: what its bitmap says). */
int vmfs_rg_set_free(struct vmfs_vol *vol, uint64_t rg, uint64_t free_mblocks)
{
	vol->rgs[rg].hdr.free_mblocks = free_mblocks;
	vol->free_known = false;
	return rg_hdr_write(vol, &vol->rgs[rg]);
}

int vmfs_alloc_init(struct vmfs_vol *vol)
{
	vol->rgs = calloc(vol->vh.rg_count, sizeof(*vol->rgs));
	if (!vol->rgs)
		return -ENOMEM;
	vol->rg_hint = 0;
	return 0;
}

void vmfs_alloc_destroy(struct vmfs_vol *vol)
{
	free(vol->rgs);
	vol->rgs = NULL;
}
