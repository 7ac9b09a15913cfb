// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Metadata block cache: 4 KiB metadata blocks by address, verified on read
 * (magic, CRC32C, address, volume UUID), written back sealed with a fresh
 * CRC on flush (docs/FORMAT.md "Metadata block header"). Clean unreferenced
 * blocks are evicted least recently used first. Called only under the
 * volume's metadata lock.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/core/vol.h"

/* Lock and heartbeat records are checksummed over their first sector only. */
static size_t vmfs_blk_seal_len(uint32_t magic)
{
	return magic == VMFS_MAGIC_LOCK || magic == VMFS_MAGIC_HB ? VMFS_LOCK_BYTES
								  : VMFS_MBLOCK_SIZE;
}

static size_t bc_bucket(const struct vmfs_bcache *bc, uint64_t blkno)
{
	return (size_t)((blkno * 0x9e3779b97f4a7c15ull) >> 20) & (bc->nbuckets - 1);
}

static void lru_unlink(struct vmfs_buf *b)
{
	b->lru_prev->lru_next = b->lru_next;
	b->lru_next->lru_prev = b->lru_prev;
}

static void lru_push(struct vmfs_bcache *bc, struct vmfs_buf *b)
{
	b->lru_next = bc->lru.lru_next;
	b->lru_prev = &bc->lru;
	bc->lru.lru_next->lru_prev = b;
	bc->lru.lru_next = b;
}

int vmfs_bc_init(struct vmfs_vol *vol, size_t max_bufs)
{
	struct vmfs_bcache *bc = &vol->bc;

	bc->nbuckets = 1;
	while (bc->nbuckets < max_bufs)
		bc->nbuckets <<= 1;
	bc->hash = calloc(bc->nbuckets, sizeof(*bc->hash));
	if (!bc->hash)
		return -ENOMEM;
	bc->max = max_bufs;
	bc->count = bc->ndirty = 0;
	bc->lru.lru_next = bc->lru.lru_prev = &bc->lru;
	return 0;
}

static void buf_free(struct vmfs_buf *b)
{
	free(b->data);
	free(b);
}

/* A buffer for block @blkno, its data aligned for O_DIRECT, not cached yet; NULL: no memory. */
static struct vmfs_buf *buf_new(uint64_t blkno)
{
	struct vmfs_buf *b = calloc(1, sizeof(*b));

	if (b && posix_memalign((void **)&b->data, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE)) {
		free(b);
		b = NULL;
	}
	if (b)
		b->blkno = blkno;
	return b;
}

static void hash_remove(struct vmfs_bcache *bc, struct vmfs_buf *b)
{
	struct vmfs_buf **pp = &bc->hash[bc_bucket(bc, b->blkno)];

	while (*pp && *pp != b)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = b->hnext;
}

void vmfs_bc_destroy(struct vmfs_vol *vol)
{
	struct vmfs_bcache *bc = &vol->bc;
	struct vmfs_buf *b, *n;

	if (!bc->hash)
		return;
	for (b = bc->lru.lru_next; b != &bc->lru; b = n) {
		n = b->lru_next;
		buf_free(b);
	}
	free(bc->hash);
	bc->hash = NULL;
}

static struct vmfs_buf *bc_find(struct vmfs_bcache *bc, uint64_t blkno)
{
	struct vmfs_buf *b;

	for (b = bc->hash[bc_bucket(bc, blkno)]; b; b = b->hnext)
		if (b->blkno == blkno)
			return b;
	return NULL;
}

/* Drop clean, unreferenced buffers from the cold end until at most @keep remain. */
static void bc_shrink(struct vmfs_bcache *bc, size_t keep)
{
	struct vmfs_buf *b, *p;

	for (b = bc->lru.lru_prev; b != &bc->lru && bc->count > keep; b = p) {
		p = b->lru_prev;
		if (b->ref || b->dirty)
			continue;
		lru_unlink(b);
		hash_remove(bc, b);
		buf_free(b);
		bc->count--;
	}
}

static void bc_evict(struct vmfs_bcache *bc)
{
	bc_shrink(bc, bc->max);
}

/* Forget every clean block: another host may have rewritten any of them. */
void vmfs_bc_drop_clean(struct vmfs_vol *vol)
{
	bc_shrink(&vol->bc, 0);
}

bool vmfs_bc_is_dirty(struct vmfs_vol *vol, uint64_t blkno)
{
	struct vmfs_buf *b = bc_find(&vol->bc, blkno);

	return b && b->dirty;
}

/* A new buffer (referenced or not) into the hash and the LRU; evict if full. */
static void bc_insert(struct vmfs_bcache *bc, struct vmfs_buf *b)
{
	b->hnext = bc->hash[bc_bucket(bc, b->blkno)];
	bc->hash[bc_bucket(bc, b->blkno)] = b;
	lru_push(bc, b);
	bc->count++;
	if (bc->count > bc->max)
		bc_evict(bc);
}

/*
 * vmfs_bc_get - reference block @blkno. Read and verified against @magic
 * unless cached or VMFS_BC_NEW (then zero-filled, not read). The caller
 * drops the reference with vmfs_bc_put. Returns 0, an I/O error,
 * -EFSBADCRC or -EFSCORRUPTED.
 */
int vmfs_bc_get(struct vmfs_vol *vol, uint64_t blkno, uint32_t magic, unsigned flags,
		struct vmfs_buf **out)
{
	struct vmfs_bcache *bc = &vol->bc;
	struct vmfs_buf *b;
	int err;

	if (blkno == 0 || blkno >= vol->vh.total_mblocks)
		return -EFSCORRUPTED;
	b = bc_find(bc, blkno);
	if (b) {
		if (flags & VMFS_BC_NEW)
			memset(b->data, 0, VMFS_MBLOCK_SIZE);
		lru_unlink(b);
		lru_push(bc, b);
		b->ref++;
		*out = b;
		return 0;
	}
	/* Mid-operation: only without a journal (a transaction must be whole). */
	if (!vol->jnl && bc->count >= bc->max && bc->ndirty > bc->max / 2) {
		err = vmfs_bc_flush(vol);
		if (err)
			return err;
	}
	b = buf_new(blkno);
	if (!b)
		return -ENOMEM;
	if (flags & VMFS_BC_NEW) {
		memset(b->data, 0, VMFS_MBLOCK_SIZE);
	} else {
		err = vmfs_dev_read(vol->dev, b->data, VMFS_MBLOCK_SIZE,
				    blkno << VMFS_MBLOCK_SHIFT);
		if (!err)
			err = vmfs_blk_verify(b->data, vmfs_blk_seal_len(magic), magic, blkno,
					      vol->vh.hdr.uuid);
		if (err) {
			buf_free(b);
			return err;
		}
	}
	b->ref = 1;
	bc_insert(bc, b);
	*out = b;
	return 0;
}

/*
 * vmfs_bc_adopt - keep a copy of block @blkno that the caller read itself
 * (@data, one mblock), unless it is cached already, if it verifies against
 * @magic. For walks that read many blocks in large runs (fsck). Returns 0
 * (cached or kept), -ENOMEM, or the verification error.
 */
int vmfs_bc_adopt(struct vmfs_vol *vol, uint64_t blkno, const void *data, uint32_t magic)
{
	struct vmfs_buf *b;
	int err;

	if (bc_find(&vol->bc, blkno))
		return 0;
	err = vmfs_blk_verify(data, vmfs_blk_seal_len(magic), magic, blkno, vol->vh.hdr.uuid);
	if (err)
		return err;
	b = buf_new(blkno);
	if (!b)
		return -ENOMEM;
	memcpy(b->data, data, VMFS_MBLOCK_SIZE);
	bc_insert(&vol->bc, b);
	return 0;
}

/*
 * vmfs_bc_prefetch - read the blocks @blknos[0..n) that are not cached, in
 * batches the device runs in parallel, and keep those that verify against
 * @magic (a later vmfs_bc_get finds them; one that does not verify is read
 * again there and reports its error). For walks that know what they will
 * read next (fsck). Returns 0 or an I/O error.
 */
int vmfs_bc_prefetch(struct vmfs_vol *vol, const uint64_t *blknos, size_t n, uint32_t magic)
{
	struct vmfs_bcache *bc = &vol->bc;
	struct vmfs_dev_io ios[64];
	struct vmfs_buf *bufs[64];
	size_t i = 0, k, cnt;
	int err = 0;

	while (i < n && !err) {
		for (cnt = 0; i < n && cnt < 64; i++) {
			struct vmfs_buf *b;

			if (blknos[i] == 0 || blknos[i] >= vol->vh.total_mblocks ||
			    bc_find(bc, blknos[i]))
				continue;
			for (k = 0; k < cnt && bufs[k]->blkno != blknos[i]; k++)
				;
			if (k < cnt)
				continue;	/* twice in this batch */
			b = buf_new(blknos[i]);
			if (!b) {
				err = -ENOMEM;
				break;
			}
			bufs[cnt] = b;
			ios[cnt] = (struct vmfs_dev_io){ .op = VMFS_IO_READ, .buf = b->data,
				.len = VMFS_MBLOCK_SIZE, .off = b->blkno << VMFS_MBLOCK_SHIFT };
			cnt++;
		}
		if (!err && cnt)
			err = vmfs_dev_submit(vol->dev, ios, (unsigned)cnt);
		for (k = 0; k < cnt; k++) {
			if (!err && ios[k].result == 0 &&
			    vmfs_blk_verify(bufs[k]->data, vmfs_blk_seal_len(magic), magic,
					    bufs[k]->blkno, vol->vh.hdr.uuid) == 0 &&
			    !bc_find(bc, bufs[k]->blkno))
				bc_insert(bc, bufs[k]);
			else
				buf_free(bufs[k]);
		}
	}
	return err;
}

void vmfs_bc_put(struct vmfs_vol *vol, struct vmfs_buf *b)
{
	(void)vol;
	if (b)
		b->ref--;
}

void vmfs_bc_dirty(struct vmfs_vol *vol, struct vmfs_buf *b)
{
	if (!b->dirty) {
		b->dirty = true;
		vol->bc.ndirty++;
	}
}

/* Forget a block that was freed: its contents must never be written back. */
void vmfs_bc_forget(struct vmfs_vol *vol, uint64_t blkno)
{
	struct vmfs_bcache *bc = &vol->bc;
	struct vmfs_buf *b = bc_find(bc, blkno);

	if (!b)
		return;
	if (b->ref) {
		/* Still referenced by the caller: just make it clean. */
		if (b->dirty)
			bc->ndirty--;
		b->dirty = false;
		return;
	}
	if (b->dirty)
		bc->ndirty--;
	lru_unlink(b);
	hash_remove(bc, b);
	buf_free(b);
	bc->count--;
}

static int cmp_buf(const void *a, const void *b)
{
	const struct vmfs_buf *x = *(struct vmfs_buf *const *)a, *y = *(struct vmfs_buf *const *)b;

	return x->blkno < y->blkno ? -1 : x->blkno > y->blkno;
}

/* Write @n sealed dirty blocks home, in batches the device may run in parallel. */
static int write_home(struct vmfs_vol *vol, struct vmfs_buf **list, size_t n,
		      struct vmfs_dev_io *ios)
{
	size_t i, j;
	int err;

	for (i = 0; i < n; i += 64) {
		size_t cnt = n - i < 64 ? n - i : 64;

		for (j = 0; j < cnt; j++)
			ios[j] = (struct vmfs_dev_io){ .op = VMFS_IO_WRITE, .buf = list[i + j]->data,
				.len = VMFS_MBLOCK_SIZE,
				.off = list[i + j]->blkno << VMFS_MBLOCK_SHIFT };
		err = vmfs_dev_submit(vol->dev, ios, (unsigned)cnt);
		if (err)
			return err;
		for (j = 0; j < cnt; j++) {
			list[i + j]->dirty = false;
			vol->bc.ndirty--;
		}
	}
	return 0;
}

/* Journal @n sealed dirty blocks as one transaction (fs/core/journal.c). */
static int journal_chunk(struct vmfs_vol *vol, struct vmfs_buf **list, size_t n)
{
	uint8_t **bufs = calloc(n, sizeof(*bufs));
	uint64_t *homes = calloc(n, sizeof(*homes));
	size_t i;
	int err = -ENOMEM;

	if (bufs && homes) {
		for (i = 0; i < n; i++) {
			bufs[i] = list[i]->data;
			homes[i] = list[i]->blkno;
		}
		err = vmfs_jnl_write(vol, bufs, homes, n);
	}
	free(homes);
	free(bufs);
	return err;
}

/*
 * vmfs_bc_flush - seal and write every dirty block, in address order, in
 * batches the device may run in parallel; with a journal, as a transaction
 * journalled first (durable in the journal when this returns). Call it
 * between operations only. Does not flush the device after the blocks are
 * written home.
 */
int vmfs_bc_flush(struct vmfs_vol *vol)
{
	struct vmfs_bcache *bc = &vol->bc;
	struct vmfs_buf **list, *b;
	struct vmfs_dev_io *ios;
	size_t n = 0, i, chunk = 0;
	int err = 0;

	if (!bc->ndirty)
		return 0;
	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	list = malloc(bc->ndirty * sizeof(*list));
	ios = calloc(64, sizeof(*ios));
	if (!list || !ios) {
		err = -ENOMEM;
		goto out;
	}
	for (b = bc->lru.lru_next; b != &bc->lru && n < bc->ndirty; b = b->lru_next)
		if (b->dirty)
			list[n++] = b;
	qsort(list, n, sizeof(*list), cmp_buf);
	for (i = 0; i < n; i++)
		vmfs_blk_seal(list[i]->data, vmfs_blk_seal_len(vmfs_get_le32(list[i]->data)));
	/* Through the journal, one transaction per journal's worth (one, normally). */
	for (i = 0; i < n; i += chunk) {
		chunk = vol->jnl ? vmfs_jnl_capacity(vol) : n;
		if (chunk > n - i)
			chunk = n - i;
		err = vol->jnl ? journal_chunk(vol, list + i, chunk) : 0;
		if (!err)
			err = write_home(vol, list + i, chunk, ios);
		if (err) {
			vol->err = err;
			goto out;
		}
	}
	bc_evict(bc);
out:
	free(ios);
	free(list);
	return err;
}

/* Write block @blkno now if it is dirty (no device flush). */
int vmfs_bc_flush_one(struct vmfs_vol *vol, uint64_t blkno)
{
	struct vmfs_buf *b = bc_find(&vol->bc, blkno);
	int err;

	if (!b || !b->dirty)
		return 0;
	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	vmfs_blk_seal(b->data, vmfs_blk_seal_len(vmfs_get_le32(b->data)));
	err = vmfs_dev_write(vol->dev, b->data, VMFS_MBLOCK_SIZE, b->blkno << VMFS_MBLOCK_SHIFT);
	if (err) {
		vol->err = err;
		return err;
	}
	b->dirty = false;
	vol->bc.ndirty--;
	return 0;
}
