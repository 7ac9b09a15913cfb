// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File data (docs/FORMAT.md "Extent tree", "Allocation"). Small files live
 * inline in the descriptor; larger ones map logical mblocks to extents.
 * Writing into a hole allocates whole file blocks (small blocks for a small
 * file) as unwritten extents, writes the data without the metadata lock,
 * then marks just the written part written, so a crash or a concurrent
 * reader never sees stale blocks. Overwrites of written blocks take the
 * io_lock shared and touch no metadata but times and size.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/cluster.h"
#include "fs/core/fileio.h"

#define MB VMFS_MBLOCK_SIZE
#define MSHIFT VMFS_MBLOCK_SHIFT

struct seg {
	uint64_t dev_off;	/* byte offset on the device */
	size_t len;
	size_t buf_off;		/* offset in the caller's buffer */
};

struct segs {
	struct seg *v;
	size_t n, cap;
};

static int segs_add(struct segs *s, uint64_t dev_off, size_t len, size_t buf_off)
{
	struct seg *v;

	if (s->n && s->v[s->n - 1].dev_off + s->v[s->n - 1].len == dev_off &&
	    s->v[s->n - 1].buf_off + s->v[s->n - 1].len == buf_off) {
		s->v[s->n - 1].len += len;
		return 0;
	}
	v = vmfs_grow(s->v, s->n, &s->cap, sizeof(*v), 16);
	if (!v)
		return -ENOMEM;
	s->v = v;
	s->v[s->n++] = (struct seg){ dev_off, len, buf_off };
	return 0;
}

static int segs_run(struct vmfs_vol *vol, struct segs *s, enum vmfs_io_op op, uint8_t *buf)
{
	struct vmfs_dev_io *ios;
	size_t i;
	int err;

	if (!s->n)
		return 0;
	ios = calloc(s->n, sizeof(*ios));
	if (!ios)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		ios[i] = (struct vmfs_dev_io){ .op = op, .buf = buf + s->v[i].buf_off,
					       .len = s->v[i].len, .off = s->v[i].dev_off };
	err = vmfs_dev_submit(vol->dev, ios, (unsigned)s->n);
	free(ios);
	return err;
}

static bool relatime_due(const struct vmfs_inode *ip, uint64_t now_s)
{
	return ip->d.atime_sec < ip->d.mtime_sec || ip->d.atime_sec < ip->d.ctime_sec ||
	       (uint64_t)ip->d.atime_sec + 86400 < now_s;
}

/*
 * Map [off, off+len) of a BTREE file: written extents become segments,
 * everything else is zeroed in @buf. With @need_all_written, returns 1 as
 * soon as a hole or unwritten extent is met (the write fast path).
 */
static int map_range(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off, size_t len,
		     uint8_t *buf, struct segs *s, bool need_all_written)
{
	uint64_t pos = off, end = off + len;
	struct vmfs_extent e;
	int err;

	while (pos < end) {
		uint64_t lblk = pos >> MSHIFT, ext_end, piece_end;

		err = vmfs_ext_find(vol, ip, lblk, &e);
		if (err && err != -ENOENT)
			return err;
		if (err == -ENOENT || e.lstart > lblk) {
			/* Hole up to the next extent. */
			piece_end = err == -ENOENT ? end : e.lstart << MSHIFT;
			if (piece_end > end)
				piece_end = end;
			if (need_all_written)
				return 1;
			if (buf)
				memset(buf + (pos - off), 0, piece_end - pos);
			pos = piece_end;
			continue;
		}
		ext_end = (e.lstart + e.len) << MSHIFT;
		piece_end = ext_end < end ? ext_end : end;
		if (e.flags & VMFS_EXT_UNWRITTEN) {
			if (need_all_written)
				return 1;
			if (buf)
				memset(buf + (pos - off), 0, piece_end - pos);
		} else {
			err = segs_add(s, ((e.pstart + (lblk - e.lstart)) << MSHIFT) + (pos & (MB - 1)),
				       piece_end - pos, pos - off);
			if (err)
				return err;
		}
		pos = piece_end;
	}
	return 0;
}

ssize_t vmfs_file_read(struct vmfs_vol *vol, struct vmfs_inode *ip, void *buf, size_t size,
		       uint64_t off)
{
	struct segs s = { 0 };
	uint64_t now_s;
	int err = 0;

	pthread_rwlock_rdlock(&ip->io_lock);
	vmfs_vol_lock_local(vol);
	if (off >= ip->d.size) {
		size = 0;
		goto unlock;
	}
	if (size > ip->d.size - off)
		size = ip->d.size - off;
	if (ip->d.data_fmt == VMFS_FMT_INLINE)
		memcpy(buf, ip->d.data_root + off, size);
	else if (ip->d.data_fmt == VMFS_FMT_BTREE)
		err = map_range(vol, ip, off, size, buf, &s, false);
	else
		memset(buf, 0, size);
	now_s = vmfs_now_ns() / 1000000000ull;
	/* Shared readers on several hosts would overwrite each other's copy. */
	if (!err && !vol->rdonly && (!vol->cl || ip->nopen_w) && !vmfs_is_multiwriter(ip) &&
	    relatime_due(ip, now_s)) {
		vmfs_inode_touch(ip, true, false, false);
		vmfs_inode_dirty(vol, ip);
	}
unlock:
	vmfs_vol_unlock(vol);
	if (!err)
		err = segs_run(vol, &s, VMFS_IO_READ, buf);
	pthread_rwlock_unlock(&ip->io_lock);
	free(s.v);
	return err ? err : (ssize_t)size;
}

/* Extent records a write may add or rewrite in a root leaf, with room to spare. */
#define LOCAL_ROOM (4 * (VMFS_BT_LEAF_HDR + 24))	/* 24: an extent value (FORMAT.md) */

/* Allocation policy: small blocks while the whole file fits in one file block. */
static bool file_is_small(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t end)
{
	uint64_t fb = (uint64_t)vol->geom.file_block_mblocks << MSHIFT;

	return end <= fb && ip->d.size <= fb;
}

/* Physical end of the extent before @lblk: where the next blocks should go. */
static uint64_t alloc_goal(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk)
{
	struct vmfs_extent e;

	if (lblk && vmfs_ext_find(vol, ip, lblk - 1, &e) == 0 && e.lstart <= lblk - 1)
		return e.pstart + (lblk - e.lstart);
	return ip->ino;
}

/* Allocate [lblk, lblk+len) of a hole as unwritten extents in chunks of @chunk. */
static int fill_hole(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk, uint64_t len,
		     bool small)
{
	uint64_t chunk = small ? vol->geom.small_block_mblocks : vol->geom.file_block_mblocks;
	uint64_t end = lblk + len, p, got, cstart, want;
	enum vmfs_alloc_kind kind;
	struct vmfs_extent e;
	int err;

	while (lblk < end) {
		struct vmfs_bt bt = vmfs_inode_data_bt(ip);

		/* Without the volume lock, an insert must not split the tree (it allocates). */
		if (vol->cl && !vol->cl->held && !vmfs_bt_root_leaf_room(&bt, LOCAL_ROOM))
			return -EAGAIN;
		cstart = lblk / chunk * chunk;
		if (cstart == lblk && lblk + chunk <= end) {
			/* Whole chunks: as many as the hole holds, contiguous if possible. */
			want = (end - lblk) / chunk * chunk;
			kind = small ? VMFS_AK_SMALL : VMFS_AK_DATA;
		} else {
			want = 1;	/* a partly mapped chunk: fill mblock by mblock */
			kind = VMFS_AK_DATA1;
		}
		err = vmfs_alloc(vol, kind, want, alloc_goal(vol, ip, lblk), &p, &got);
		if (err)
			return err;
		if (got > end - lblk)
			got = end - lblk;	/* cannot happen for whole chunks */
		e = (struct vmfs_extent){ .lstart = lblk, .pstart = p, .len = (uint32_t)got,
					  .flags = VMFS_EXT_UNWRITTEN, .birth = ip->d.data_gen };
		err = vmfs_ext_insert(vol, ip, &e);
		if (err) {
			vmfs_free(vol, p, got);
			return err;
		}
		ip->d.alloc_mblocks += got;
		lblk += got;
		err = vmfs_txn_point(vol, ip);	/* one extent mapped: all agree */
		if (err)
			return err;
	}
	return 0;
}

/*
 * Make sure every mblock of [off, off+len) is allocated. Holes are widened
 * to whole chunks (file or small blocks) where the chunk is wholly a hole.
 */
static int allocate_range(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off,
			  uint64_t len)
{
	bool small = file_is_small(vol, ip, off + len);
	uint64_t chunk = small ? vol->geom.small_block_mblocks : vol->geom.file_block_mblocks;
	uint64_t lblk = off >> MSHIFT, lend = (off + len + MB - 1) >> MSHIFT, hs, he, cs, ce;
	struct vmfs_extent e;
	int err;

	while (lblk < lend) {
		err = vmfs_ext_find(vol, ip, lblk, &e);
		if (err && err != -ENOENT)
			return err;
		if (!err && e.lstart <= lblk) {
			lblk = e.lstart + e.len;
			continue;
		}
		hs = lblk;
		he = err == -ENOENT || e.lstart > lend ? lend : e.lstart;
		if (he > lend)
			he = lend;
		/* Widen to whole chunks where the neighbouring space is also a hole. */
		cs = hs / chunk * chunk;
		ce = vmfs_div_up(he, chunk) * chunk;
		if (cs < hs) {
			struct vmfs_extent pe;

			if (vmfs_ext_find(vol, ip, cs, &pe) == 0 && pe.lstart < hs)
				cs = hs;
		}
		if (ce > he && !(err == -ENOENT || e.lstart >= ce))
			ce = he;
		err = fill_hole(vol, ip, cs, ce - cs, small);
		if (err)
			return err;
		lblk = ce;
	}
	return 0;
}

/* Convert inline data to an extent tree, writing the old bytes to a block. */
static int uninline(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	uint8_t *old = NULL;
	uint64_t size = ip->d.size;
	int err = 0;

	if (ip->d.data_fmt != VMFS_FMT_INLINE)
		return 0;
	if (size) {
		old = aligned_alloc(MB, MB);
		if (!old)
			return -ENOMEM;
		memset(old, 0, MB);
		memcpy(old, ip->d.data_root, size);
	}
	memset(ip->d.data_root, 0, sizeof(ip->d.data_root));
	vmfs_bt_root_init(ip->d.data_root, VMFS_BT_EXTENT);
	ip->d.data_fmt = VMFS_FMT_BTREE;
	if (size) {
		err = allocate_range(vol, ip, 0, MB);
		/* The block is still unwritten: write it through its extent. */
		if (!err) {
			struct vmfs_extent e;

			err = vmfs_ext_find(vol, ip, 0, &e);
			if (!err)
				err = vmfs_dev_write(vol->dev, old, MB, e.pstart << MSHIFT);
			if (!err)
				err = vmfs_ext_mark_written(vol, ip, 0, 1);
		}
	}
	vmfs_inode_dirty(vol, ip);
	free(old);
	return err;
}

static void kill_priv(struct vmfs_inode *ip)
{
	if (ip->d.mode & S_ISUID)
		ip->d.mode &= ~(uint32_t)S_ISUID;
	if ((ip->d.mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		ip->d.mode &= ~(uint32_t)S_ISGID;
}

static void after_write(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t end, bool kp)
{
	if (vmfs_is_multiwriter(ip))
		return;		/* other hosts write too: the descriptor stays as it is */
	if (end > ip->d.size)
		ip->d.size = end;
	if (kp)
		kill_priv(ip);
	vmfs_inode_touch(ip, false, true, true);
	vmfs_inode_dirty(vol, ip);
}

/*
 * Build the device writes for [off, off+size) after allocation. Written
 * extents and whole mblocks of unwritten ones take the caller's bytes
 * directly; a partial first or last mblock in an unwritten extent is
 * written whole from @stage (two mblocks: first, last) with zeros around
 * the caller's bytes, so its unwritten remainder reads as zeros afterwards.
 */
static int plan_write(struct vmfs_vol *vol, struct vmfs_inode *ip, const uint8_t *buf,
		      size_t size, uint64_t off, struct segs *direct, struct segs *staged,
		      uint8_t *stage)
{
	uint64_t a = off & ~(uint64_t)(MB - 1), b = (off + size + MB - 1) & ~(uint64_t)(MB - 1);
	uint64_t end = off + size, pos = a;
	bool one = b - a == MB;
	struct vmfs_extent e;
	int err = 0;

	memset(stage, 0, 2 * MB);
	memcpy(stage + (off - a), buf, one ? size : (size_t)(a + MB - off));
	if (!one)
		memcpy(stage + MB, buf + (b - MB - off), (size_t)(end - (b - MB)));
	while (pos < b && !err) {
		uint64_t lblk = pos >> MSHIFT, pend, phys;

		err = vmfs_ext_find(vol, ip, lblk, &e);
		if (err || e.lstart > lblk)
			return err ? err : -EFSCORRUPTED;	/* allocate_range left a hole */
		pend = (e.lstart + e.len) << MSHIFT;
		if (pend > b)
			pend = b;
		phys = (e.pstart + (lblk - e.lstart)) << MSHIFT;
		if (!(e.flags & VMFS_EXT_UNWRITTEN)) {
			uint64_t s0 = pos > off ? pos : off, s1 = pend < end ? pend : end;

			err = segs_add(direct, phys + (s0 - pos), s1 - s0, s0 - off);
			pos = pend;
			continue;
		}
		/* Unwritten: partial edge mblocks from the stage, the rest direct. */
		if (pos == a && (off > a || (one && end < b))) {
			err = segs_add(staged, phys, MB, 0);
			pos += MB;
			phys += MB;
		}
		if (!err && pos < pend) {
			uint64_t mid_end = pend == b && end < b ? b - MB : pend;

			if (mid_end > pos) {
				err = segs_add(direct, phys, mid_end - pos, pos - off);
				phys += mid_end - pos;
				pos = mid_end;
			}
			if (!err && pos < pend) {	/* the partial last mblock */
				err = segs_add(staged, phys, MB, MB);
				pos += MB;
			}
		}
	}
	return err;
}

/*
 * Several hosts (fs/core/cluster.h): a host appending to a file it holds
 * allocates AHEAD_MBLOCKS past the write while it has the volume lock, as
 * unwritten extents, so the writes that follow land in blocks already
 * allocated and need only vol->lock (the file is this host's). What is
 * left past EOF when the last writer closes is freed again
 * (vmfs_file_trim_ahead), as XFS does with its speculative preallocation.
 */
#define AHEAD_MBLOCKS (64ull << (20 - MSHIFT))	/* 64 MiB */

/* Is [off, off+size) wholly mapped (written or unwritten extents)? */
static bool range_mapped(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off, size_t size)
{
	uint64_t lblk = off >> MSHIFT, lend = (off + size + MB - 1) >> MSHIFT;
	struct vmfs_extent e;

	while (lblk < lend) {
		if (vmfs_ext_find(vol, ip, lblk, &e) || e.lstart > lblk)
			return false;
		lblk = e.lstart + e.len;
	}
	return true;
}

/*
 * May this write to @ip run under vol->lock alone? Only on a multi-host
 * mount, for a file this host has open for writing (so holds), whose
 * extent tree is one root leaf with room: converting extents then neither
 * allocates nor frees, and new blocks come from the resource groups this
 * host holds (rglock.c), or the write falls back to the volume lock.
 */
static bool write_local_ok(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(ip);

	return vol->cl && ip->nopen_w && ip->d.data_fmt == VMFS_FMT_BTREE &&
	       vmfs_bt_root_leaf_room(&bt, LOCAL_ROOM);
}

/* Takes vol->lock; true (and holding it) when the conversion may run under it alone. */
static bool write_local_ok_now(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	vmfs_vol_lock_local(vol);
	if (write_local_ok(vol, ip))
		return true;
	vmfs_vol_unlock(vol);
	return false;
}

/* Under the volume lock: unwritten extents for AHEAD_MBLOCKS past @end (best effort). */
static void allocate_ahead(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t end)
{
	uint64_t from = vmfs_div_up(end, MB), upto = from + AHEAD_MBLOCKS;

	if (ip->ahead_end >= from + AHEAD_MBLOCKS / 2)
		return;		/* still well ahead */
	if (upto << MSHIFT > VMFS_MAX_FILE_BYTES ||
	    vmfs_free_mblocks(vol) < AHEAD_MBLOCKS * 4 + VMFS_META_RESERVE)
		return;		/* never at the cost of space someone needs */
	/* Even a partial failure leaves extents to give back at close. */
	allocate_range(vol, ip, from << MSHIFT, AHEAD_MBLOCKS << MSHIFT);
	ip->ahead_end = upto;
	vmfs_inode_dirty(vol, ip);
}

/*
 * The last writer of @ip closed: free what was allocated ahead past EOF and
 * not written. Takes the io_lock and the volume lock.
 */
int vmfs_file_trim_ahead(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	uint64_t from;
	int err;

	pthread_rwlock_wrlock(&ip->io_lock);
	err = vmfs_vol_lock(vol);
	if (!err) {
		from = vmfs_div_up(ip->d.size, MB);
		if (ip->ahead_end > from)
			err = vmfs_ext_punch_unwritten(vol, ip, from, ip->ahead_end - from);
		if (!err)
			ip->ahead_end = 0;
		vmfs_vol_unlock(vol);
	}
	pthread_rwlock_unlock(&ip->io_lock);
	return err;
}

/* Under vol->lock: write @size bytes at 0 into an inline file; -EFBIG if they do not fit. */
int vmfs_file_write_inline(struct vmfs_vol *vol, struct vmfs_inode *ip, const void *buf,
			   size_t size)
{
	if (ip->d.data_fmt != VMFS_FMT_INLINE || size > VMFS_DATA_ROOT_BYTES)
		return -EFBIG;
	memcpy(ip->d.data_root, buf, size);
	after_write(vol, ip, size, false);
	return 0;
}

/*
 * A write that allocates or converts. With the io_lock held shared
 * (@shared), it gives up with -EAGAIN before writing anything when a
 * partial mblock of an unwritten extent needs zero padding: two writers
 * padding the same mblock would undo each other, so that case runs with
 * the io_lock exclusive. Whole-mblock writes, the usual case for VM disks
 * and sequential streams, allocate and write side by side.
 */
static ssize_t write_slow(struct vmfs_vol *vol, struct vmfs_inode *ip, const uint8_t *buf,
			  size_t size, uint64_t off, bool kp, bool shared)
{
	struct segs direct = { 0 }, staged = { 0 };
	uint64_t stage_off = off & ~(uint64_t)(MB - 1);
	uint8_t *stage;
	bool local;
	int err = 0;

	stage = aligned_alloc(MB, 2 * MB);
	if (!stage)
		return -ENOMEM;

	vmfs_vol_lock_local(vol);
	local = write_local_ok(vol, ip);
	if (local && !range_mapped(vol, ip, off, size)) {
		/* From our own groups; -EAGAIN: the rest under the volume lock. */
		err = allocate_range(vol, ip, off, size);
		if (err && err != -EAGAIN)
			goto out;
		local = !err;
	}
	if (!local) {
		vmfs_vol_unlock(vol);
		err = vmfs_vol_lock(vol);
		if (err) {
			free(stage);
			return err;
		}
	}
	if (ip->d.data_fmt == VMFS_FMT_INLINE && off + size <= VMFS_DATA_ROOT_BYTES) {
		memcpy(ip->d.data_root + off, buf, size);
		after_write(vol, ip, off + size, kp);
		vmfs_vol_unlock(vol);
		free(stage);
		return (ssize_t)size;
	}
	err = local ? 0 : uninline(vol, ip);
	if (!err && ip->d.data_fmt == VMFS_FMT_EMPTY)
		err = -EFSCORRUPTED;
	if (!err && !local)
		err = allocate_range(vol, ip, off, size);
	if (!err && !local && vmfs_cluster_shared(vol) && off + size >= ip->d.size &&
	    !file_is_small(vol, ip, off + size))
		allocate_ahead(vol, ip, off + size);
	if (!err)
		err = plan_write(vol, ip, buf, size, off, &direct, &staged, stage);
	if (!err && shared && staged.n)
		err = -EAGAIN;
	if (err)
		goto out;
	vmfs_inode_dirty(vol, ip);	/* a handover meanwhile writes what was allocated */
	vmfs_vol_unlock(vol);
	err = segs_run(vol, &direct, VMFS_IO_WRITE, (uint8_t *)buf);
	if (!err)
		err = segs_run(vol, &staged, VMFS_IO_WRITE, stage);
	if (!err && write_local_ok_now(vol, ip))
		goto convert;
	if (!err)
		err = vmfs_vol_lock(vol);	/* converting may split the tree: it allocates */
	if (err) {
		vmfs_vol_lock_local(vol);	/* the file is ours: record it under ours alone */
		goto out;
	}
convert:
	err = vmfs_ext_mark_written(vol, ip, stage_off >> MSHIFT,
				    vmfs_div_up(off + size - stage_off, MB));
	if (!err)
		after_write(vol, ip, off + size, kp);
out:
	if (err)
		vmfs_inode_dirty(vol, ip);	/* what was allocated stays recorded */
	vmfs_vol_unlock(vol);
	free(direct.v);
	free(staged.v);
	free(stage);
	return err ? err : (ssize_t)size;
}

ssize_t vmfs_file_write(struct vmfs_vol *vol, struct vmfs_inode *ip, const void *buf,
			size_t size, uint64_t off, bool kp)
{
	struct segs s = { 0 };
	ssize_t ret;
	int rc;

	if (size == 0)
		return 0;
	if (off + size > VMFS_MAX_FILE_BYTES || off + size < off)
		return -EFBIG;
	rc = vmfs_vol_gate(vol);
	if (rc)
		return rc;
	/* Fast path: every byte lands in a written extent. */
	pthread_rwlock_rdlock(&ip->io_lock);
	vmfs_vol_lock_local(vol);
	if (vmfs_is_multiwriter(ip) && off + size > ip->d.size)
		rc = -EPERM;	/* its size is fixed */
	else if (ip->d.data_fmt == VMFS_FMT_BTREE)
		rc = map_range(vol, ip, off, size, NULL, &s, true);
	else
		rc = 1;
	if (rc == 0)
		after_write(vol, ip, off + size, kp);
	vmfs_vol_unlock(vol);
	if (rc == 0) {
		rc = segs_run(vol, &s, VMFS_IO_WRITE, (uint8_t *)buf);
		pthread_rwlock_unlock(&ip->io_lock);
		free(s.v);
		return rc ? rc : (ssize_t)size;
	}
	free(s.v);
	if (rc == 1 && vmfs_is_multiwriter(ip))
		rc = -EPERM;	/* a block to allocate or convert: the map is fixed */
	if (rc < 0) {
		pthread_rwlock_unlock(&ip->io_lock);
		return rc;
	}
	ret = write_slow(vol, ip, buf, size, off, kp, true);
	pthread_rwlock_unlock(&ip->io_lock);
	if (ret != -EAGAIN)
		return ret;
	pthread_rwlock_wrlock(&ip->io_lock);
	ret = write_slow(vol, ip, buf, size, off, kp, false);
	pthread_rwlock_unlock(&ip->io_lock);
	return ret;
}

/* Zero bytes [off, off+len) that lie in written extents (len within one mblock). */
static int zero_partial(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off, size_t len)
{
	static const uint8_t zeros[MB];
	struct vmfs_extent e;
	int err;

	if (!len)
		return 0;
	err = vmfs_ext_find(vol, ip, off >> MSHIFT, &e);
	if (err == -ENOENT || (!err && (e.lstart > off >> MSHIFT || (e.flags & VMFS_EXT_UNWRITTEN))))
		return 0;
	if (err)
		return err;
	return vmfs_dev_write(vol->dev, zeros, len,
			      ((e.pstart + ((off >> MSHIFT) - e.lstart)) << MSHIFT) + (off & (MB - 1)));
}

/* Zero [off, off+len) of a file: partial mblocks on disk, whole ones by @whole. */
static int zero_span(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off, uint64_t len,
		     int (*whole)(struct vmfs_vol *, struct vmfs_inode *, uint64_t, uint64_t))
{
	uint64_t end = off + len, a = (off + MB - 1) & ~(uint64_t)(MB - 1);
	uint64_t b = end & ~(uint64_t)(MB - 1);
	int err;

	if (a > b) /* inside one mblock */
		return zero_partial(vol, ip, off, len);
	err = zero_partial(vol, ip, off, a - off);
	if (!err)
		err = zero_partial(vol, ip, b, end - b);
	if (!err && b > a)
		err = whole(vol, ip, a >> MSHIFT, (b - a) >> MSHIFT);
	return err;
}

static int trunc_locked(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t size)
{
	int err = 0;

	if (ip->d.data_fmt == VMFS_FMT_INLINE) {
		if (size <= VMFS_DATA_ROOT_BYTES) {
			if (size < ip->d.size)
				memset(ip->d.data_root + size, 0, ip->d.size - size);
		} else {
			err = uninline(vol, ip);
		}
	} else if (ip->d.data_fmt == VMFS_FMT_BTREE && size < ip->d.size) {
		uint64_t from = vmfs_div_up(size, MB);

		err = zero_partial(vol, ip, size, (size_t)(from * MB - size));
		if (!err)
			err = vmfs_ext_punch(vol, ip, from, (UINT64_MAX >> MSHIFT) - from);
	}
	if (err)
		return err;
	ip->d.size = size;
	vmfs_inode_touch(ip, false, true, true);
	vmfs_inode_dirty(vol, ip);
	return 0;
}

int vmfs_file_truncate(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t size)
{
	int err;

	if (size > VMFS_MAX_FILE_BYTES)
		return -EFBIG;
	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	pthread_rwlock_wrlock(&ip->io_lock);
	err = vmfs_vol_lock(vol);
	if (!err) {
		err = vmfs_is_multiwriter(ip) ? (size == ip->d.size ? 0 : -EPERM) :
		      trunc_locked(vol, ip, size);
		vmfs_vol_unlock(vol);
	}
	pthread_rwlock_unlock(&ip->io_lock);
	return err;
}

static int zero_whole(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk, uint64_t len)
{
	int err = vmfs_ext_mark_unwritten(vol, ip, lblk, len);

	if (!err)
		err = allocate_range(vol, ip, lblk << MSHIFT, len << MSHIFT);
	return err;
}

static int fallocate_locked(struct vmfs_vol *vol, struct vmfs_inode *ip, int mode, uint64_t off,
			    uint64_t len)
{
	uint64_t end = off + len;
	bool keep = mode & FALLOC_FL_KEEP_SIZE;
	int err = 0;

	if (ip->d.data_fmt == VMFS_FMT_INLINE && (end > VMFS_DATA_ROOT_BYTES ||
						  !(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))))
		err = end > VMFS_DATA_ROOT_BYTES ? uninline(vol, ip) : 0;
	if (err)
		return err;
	if (ip->d.data_fmt == VMFS_FMT_INLINE) {
		if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
			uint64_t zend = end < ip->d.size ? end : ip->d.size;

			if (off < zend)
				memset(ip->d.data_root + off, 0, zend - off);
		}
	} else if (mode & FALLOC_FL_PUNCH_HOLE) {
		err = zero_span(vol, ip, off, len, vmfs_ext_punch);
	} else if (mode & FALLOC_FL_ZERO_RANGE) {
		err = zero_span(vol, ip, off, len, zero_whole);
		if (!err)
			err = allocate_range(vol, ip, off, len);
	} else {
		err = allocate_range(vol, ip, off, len);
	}
	if (err)
		return err;
	if (!keep && !(mode & FALLOC_FL_PUNCH_HOLE) && end > ip->d.size)
		ip->d.size = end;
	vmfs_inode_touch(ip, false, !!(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)), true);
	vmfs_inode_dirty(vol, ip);
	return 0;
}

/*
 * vmfs_file_fallocate - mode 0 / KEEP_SIZE preallocate (unwritten),
 * PUNCH_HOLE (with KEEP_SIZE) deallocate, ZERO_RANGE zero. Returns 0,
 * -EOPNOTSUPP for other modes, -ENOSPC, -EFBIG or an error.
 */
int vmfs_file_fallocate(struct vmfs_vol *vol, struct vmfs_inode *ip, int mode, uint64_t off,
			uint64_t len)
{
	int err;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (!(mode & FALLOC_FL_KEEP_SIZE) ||
					      (mode & FALLOC_FL_ZERO_RANGE)))
		return -EOPNOTSUPP;
	if (len == 0)
		return -EINVAL;
	if (off + len > VMFS_MAX_FILE_BYTES || off + len < off)
		return -EFBIG;
	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	pthread_rwlock_wrlock(&ip->io_lock);
	err = vmfs_vol_lock(vol);
	if (!err) {
		err = vmfs_is_multiwriter(ip) ? -EPERM : fallocate_locked(vol, ip, mode, off, len);
		vmfs_vol_unlock(vol);
	}
	pthread_rwlock_unlock(&ip->io_lock);
	return err;
}

/*
 * vmfs_file_seek_data - SEEK_DATA (@want_data) or SEEK_HOLE from @off.
 * Unwritten extents count as holes. Returns the offset or -ENXIO.
 */
int64_t vmfs_file_seek_data(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off,
			    bool want_data)
{
	uint64_t size, pos;
	struct vmfs_extent e;
	int64_t ret;
	int err;

	vmfs_vol_lock_local(vol);
	size = ip->d.size;
	if (off >= size) {
		ret = -ENXIO;
		goto out;
	}
	if (ip->d.data_fmt != VMFS_FMT_BTREE) {
		ret = want_data ? (ip->d.data_fmt == VMFS_FMT_INLINE ? (int64_t)off : -ENXIO)
				: (int64_t)size;
		goto out;
	}
	pos = off >> MSHIFT;
	for (;;) {
		err = vmfs_ext_find(vol, ip, pos, &e);
		if (err == -ENOENT) {
			ret = want_data ? -ENXIO : (int64_t)((pos << MSHIFT) > off ? pos << MSHIFT : off);
			break;
		}
		if (err) {
			ret = err;
			break;
		}
		bool data = e.lstart <= pos && !(e.flags & VMFS_EXT_UNWRITTEN);

		if (data == want_data) {
			uint64_t r = pos << MSHIFT;

			ret = (int64_t)(r > off ? r : off);
			break;
		}
		pos = e.lstart <= pos ? e.lstart + e.len : e.lstart;
	}
	if (ret >= 0 && (uint64_t)ret >= size)
		ret = want_data ? -ENXIO : (int64_t)size;
out:
	vmfs_vol_unlock(vol);
	return ret;
}
