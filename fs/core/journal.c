// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-host metadata journal (docs/FORMAT.md "Journal", docs/LOCKING.md
 * "Recovery"). Every write-back of the block cache is one transaction: the
 * dirty blocks then form a consistent state, because write-back only runs
 * between operations (under vol->lock, with no operation half done). A
 * transaction is written whole to the host's journal area (header blocks
 * naming each block's home, then the images, the first header carrying a
 * CRC of all images), the device is flushed, and only then are the blocks
 * written home. After a crash the transaction is either whole in the
 * journal, and replay writes it home again, or torn, and replay drops it
 * while nothing of it reached home. One transaction lives in the journal at
 * a time: the next one is written only after a flush made the previous one
 * durable at home. Before this host gives up any lock, the journal is
 * checkpointed (marked done), so a replay never writes an old image over
 * what another host changed since.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fs/core/vol.h"

struct vmfs_journal {
	uint64_t start, mblocks;
	uint64_t seq;			/* of the last transaction written */
	bool live;			/* written, not checkpointed yet */
};

/* Blocks one transaction may carry: header blocks plus images fit the area. */
size_t vmfs_jnl_capacity(const struct vmfs_vol *vol)
{
	uint64_t m = vol->jnl ? vol->jnl->mblocks : 0;

	if (m < 2)
		return 0;
	/* n images need ceil(n / TARGETS) headers: n + n / TARGETS + 1 <= m. */
	return (size_t)((m - 1) * VMFS_JNL_TARGETS / (VMFS_JNL_TARGETS + 1));
}

static void *zalloc_blocks(size_t n)
{
	void *p = NULL;

	if (posix_memalign(&p, VMFS_MBLOCK_SIZE, n * VMFS_MBLOCK_SIZE))
		return NULL;
	memset(p, 0, n * VMFS_MBLOCK_SIZE);
	return p;
}

/* Encode header block @i of a transaction of @n images (homes from @homes). */
static void build_header(const struct vmfs_vol *vol, uint8_t *blk, uint32_t i, uint32_t nhdr,
			 const uint64_t *homes, uint32_t n, uint32_t crc, uint32_t state)
{
	struct vmfs_jhdr j;
	uint32_t k;

	memset(&j, 0, sizeof(j));
	j.hdr.blkno = vol->jnl->start + i;
	memcpy(j.hdr.uuid, vol->vh.hdr.uuid, 16);
	j.seq = vol->jnl->seq;
	j.state = state;
	j.index = i;
	j.nhdr = nhdr;
	j.nblocks = n;
	j.data_crc = crc;
	for (k = 0; k < VMFS_JNL_TARGETS && i * VMFS_JNL_TARGETS + k < n; k++)
		j.targets[k] = homes[i * VMFS_JNL_TARGETS + k];
	j.ntargets = k;
	vmfs_jhdr_encode(blk, &j);
}

/* Write @nblk blocks from @bufs[] at mblock @at onward, in batches. */
static int write_run(struct vmfs_dev *dev, uint8_t *const *bufs, size_t nblk, uint64_t at)
{
	struct vmfs_dev_io ios[64];
	size_t i, j;
	int err = 0;

	for (i = 0; i < nblk && !err; i += 64) {
		size_t cnt = nblk - i < 64 ? nblk - i : 64;

		for (j = 0; j < cnt; j++)
			ios[j] = (struct vmfs_dev_io){ .op = VMFS_IO_WRITE, .buf = bufs[i + j],
				.len = VMFS_MBLOCK_SIZE, .off = (at + i + j) << VMFS_MBLOCK_SHIFT };
		err = vmfs_dev_submit(dev, ios, (unsigned)cnt);
	}
	return err;
}

/*
 * vmfs_jnl_write - journal @n sealed blocks @bufs (homes @homes) as one
 * transaction, durable when this returns 0; the caller then writes them
 * home. @n must not exceed vmfs_jnl_capacity().
 */
int vmfs_jnl_write(struct vmfs_vol *vol, uint8_t *const *bufs, const uint64_t *homes, size_t n)
{
	struct vmfs_journal *jl = vol->jnl;
	uint32_t nhdr = (uint32_t)(n + VMFS_JNL_TARGETS - 1) / VMFS_JNL_TARGETS, crc = 0, i;
	uint8_t *hdrs, **ptrs = NULL;
	size_t k;
	int err;

	if (!n || n > vmfs_jnl_capacity(vol))
		return n ? -E2BIG : 0;
	/* The previous transaction must be durable at home before it is overwritten. */
	if (jl->live) {
		err = vmfs_dev_flush(vol->dev);
		if (err)
			return err;
	}
	hdrs = zalloc_blocks(nhdr);
	ptrs = calloc(nhdr + n, sizeof(*ptrs));
	if (!hdrs || !ptrs) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < n; k++)
		crc = vmfs_crc32c(crc, bufs[k], VMFS_MBLOCK_SIZE);
	jl->seq++;
	for (i = 0; i < nhdr; i++) {
		build_header(vol, hdrs + (size_t)i * VMFS_MBLOCK_SIZE, i, nhdr, homes, (uint32_t)n,
			     crc, VMFS_JNL_LIVE);
		ptrs[i] = hdrs + (size_t)i * VMFS_MBLOCK_SIZE;
	}
	memcpy(ptrs + nhdr, bufs, n * sizeof(*ptrs));
	jl->live = true;	/* from here on the area may hold it */
	err = write_run(vol->dev, ptrs, nhdr + n, jl->start);
	if (!err)
		err = vmfs_dev_flush(vol->dev);
out:
	free(ptrs);
	free(hdrs);
	return err;
}

/* Mark the transaction in the area as done: nothing there to replay. */
static int mark_done(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		     const struct vmfs_jhdr *j0)
{
	struct vmfs_jhdr j = *j0;
	uint8_t *blk = zalloc_blocks(1);
	int err;

	if (!blk)
		return -ENOMEM;
	j.state = VMFS_JNL_DONE;
	j.hdr.blkno = start;
	memcpy(j.hdr.uuid, vh->hdr.uuid, 16);
	vmfs_jhdr_encode(blk, &j);
	err = vmfs_dev_write(dev, blk, VMFS_MBLOCK_SIZE, start << VMFS_MBLOCK_SHIFT);
	if (!err)
		err = vmfs_dev_flush(dev);
	free(blk);
	return err;
}

/*
 * vmfs_jnl_checkpoint - before this host gives up a lock: make what the
 * journal holds durable at home and mark it done. 0 or an I/O error.
 */
int vmfs_jnl_checkpoint(struct vmfs_vol *vol)
{
	struct vmfs_journal *jl = vol->jnl;
	struct vmfs_jhdr j;
	int err;

	if (!jl || !jl->live)
		return 0;
	err = vmfs_vol_gate(vol);	/* a fenced host writes nothing, not even this */
	if (!err)
		err = vmfs_dev_flush(vol->dev);
	if (err)
		return err;
	memset(&j, 0, sizeof(j));
	j.seq = jl->seq;
	j.nhdr = 1;
	err = mark_done(vol->dev, &vol->vh, jl->start, &j);
	if (!err)
		jl->live = false;
	return err;
}

/* Read header block @i of the transaction at @start. */
static int read_header(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		       uint32_t i, uint8_t *blk, struct vmfs_jhdr *j)
{
	int err = vmfs_dev_read(dev, blk, VMFS_MBLOCK_SIZE, (start + i) << VMFS_MBLOCK_SHIFT);

	return err ? err : vmfs_jhdr_decode(blk, start + i, vh->hdr.uuid, j);
}

/*
 * Collect the homes of the transaction whose first header is @j0: every
 * header block must decode with the same sequence. -ENODATA when it does
 * not hold together (torn: it never reached home).
 */
static int read_homes(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		      uint64_t mblocks, const struct vmfs_jhdr *j0, uint8_t *blk, uint64_t *homes)
{
	struct vmfs_jhdr j;
	uint32_t i, k, at = 0;
	int err;

	if ((uint64_t)j0->nhdr + j0->nblocks > mblocks)
		return -ENODATA;
	for (i = 0; i < j0->nhdr; i++) {
		if (i == 0)
			j = *j0;
		else if ((err = read_header(dev, vh, start, i, blk, &j)) != 0)
			return err == -EFSBADCRC || err == -EFSCORRUPTED ? -ENODATA : err;
		if (j.seq != j0->seq || j.index != i || j.nblocks != j0->nblocks)
			return -ENODATA;
		for (k = 0; k < j.ntargets && at < j0->nblocks; k++) {
			if (j.targets[k] == 0 || j.targets[k] >= vh->total_mblocks)
				return -ENODATA;
			homes[at++] = j.targets[k];
		}
	}
	return at == j0->nblocks ? 0 : -ENODATA;
}

/*
 * vmfs_jnl_replay - replay the journal area [@start, @start + @mblocks) of
 * a host onto @dev: a whole live transaction is written home, flushed and
 * marked done; a torn one is dropped. @forget (may be NULL) is told every
 * home written, so a caller drops its cached copy. Idempotent: a crash
 * during replay leaves the transaction live, to be replayed again.
 * *replayed is the number of blocks written home. Returns 0 or an error.
 */
int vmfs_jnl_replay(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		    uint64_t mblocks, void (*forget)(void *arg, uint64_t blk), void *arg,
		    uint64_t *replayed)
{
	struct vmfs_jhdr j0;
	uint64_t *homes = NULL;
	uint8_t *blk, *img = NULL;
	uint32_t crc = 0, k;
	int err;

	*replayed = 0;
	if (!start || mblocks < 2 || start + mblocks > vh->total_mblocks)
		return start ? -EFSCORRUPTED : 0;
	blk = zalloc_blocks(1);
	if (!blk)
		return -ENOMEM;
	err = read_header(dev, vh, start, 0, blk, &j0);
	if (err == -EFSBADCRC || err == -EFSCORRUPTED || (!err && j0.state != VMFS_JNL_LIVE)) {
		err = 0;	/* empty, done, or torn before it was complete */
		goto out;
	}
	if (err)
		goto out;
	homes = calloc(j0.nblocks ? j0.nblocks : 1, sizeof(*homes));
	img = zalloc_blocks(j0.nblocks ? j0.nblocks : 1);
	if (!homes || !img) {
		err = -ENOMEM;
		goto out;
	}
	err = read_homes(dev, vh, start, mblocks, &j0, blk, homes);
	for (k = 0; !err && k < j0.nblocks; k++) {
		err = vmfs_dev_read(dev, img + (size_t)k * VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE,
				    (start + j0.nhdr + k) << VMFS_MBLOCK_SHIFT);
		if (!err)
			crc = vmfs_crc32c(crc, img + (size_t)k * VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE);
	}
	if (!err && crc != j0.data_crc)
		err = -ENODATA;
	if (err == -ENODATA) {
		err = 0;	/* torn: none of it was written home */
		goto out;
	}
	for (k = 0; !err && k < j0.nblocks; k++) {
		err = vmfs_dev_write(dev, img + (size_t)k * VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE,
				     homes[k] << VMFS_MBLOCK_SHIFT);
		if (!err && forget)
			forget(arg, homes[k]);
	}
	if (!err)
		err = vmfs_dev_flush(dev);
	if (!err)
		err = mark_done(dev, vh, start, &j0);
	if (!err)
		*replayed = j0.nblocks;
out:
	free(img);
	free(homes);
	free(blk);
	return err;
}

/*
 * vmfs_jnl_live - does the journal area [@start, @start + @mblocks) hold a
 * transaction not yet known to be written home (a replay would write it)?
 * 1, 0, or an I/O error.
 */
int vmfs_jnl_live(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		  uint64_t mblocks)
{
	struct vmfs_jhdr j;
	uint8_t *blk;
	int err;

	if (!start || mblocks < 2 || start + mblocks > vh->total_mblocks)
		return 0;
	blk = zalloc_blocks(1);
	if (!blk)
		return -ENOMEM;
	err = read_header(dev, vh, start, 0, blk, &j);
	free(blk);
	if (err == -EFSBADCRC || err == -EFSCORRUPTED)
		return 0;
	return err ? err : j.state == VMFS_JNL_LIVE;
}

/*
 * vmfs_jnl_attach - from now on write-backs of @vol go through the journal
 * area [@start, @start + @mblocks). Replay it first (vmfs_jnl_replay). The
 * sequence goes on from what the area holds.
 */
int vmfs_jnl_attach(struct vmfs_vol *vol, uint64_t start, uint64_t mblocks)
{
	struct vmfs_journal *jl;
	struct vmfs_jhdr j;
	uint8_t *blk;

	if (mblocks < 2 || start < vol->vh.data_start || start + mblocks > vol->vh.total_mblocks)
		return -EINVAL;
	jl = calloc(1, sizeof(*jl));
	blk = zalloc_blocks(1);
	if (!jl || !blk) {
		free(jl);
		free(blk);
		return -ENOMEM;
	}
	jl->start = start;
	jl->mblocks = mblocks;
	if (read_header(vol->dev, &vol->vh, start, 0, blk, &j) == 0)
		jl->seq = j.seq;
	free(blk);
	vol->jnl = jl;
	return 0;
}

void vmfs_jnl_detach(struct vmfs_vol *vol)
{
	free(vol->jnl);
	vol->jnl = NULL;
}

/*
 * vmfs_txn_point - inside one long operation (a truncate, a punch, a large
 * fallocate), at a point where what it changed so far holds together on
 * its own: once the dirty blocks fill half the journal, write them back as
 * one transaction, @ip's descriptor (which the operation changes as it
 * goes) encoded first. So no transaction outgrows the journal, and each
 * leaves the volume consistent. Without a journal, nothing. vol->lock
 * held. Returns 0 or the write-back's error.
 */
int vmfs_txn_point(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	if (!vol->jnl || vol->bc.ndirty < vmfs_jnl_capacity(vol) / 2)
		return 0;
	if (ip)
		vmfs_inode_dirty(vol, ip);
	return vmfs_bc_flush(vol);
}
