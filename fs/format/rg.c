// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resource group headers, free-space bitmap blocks and the RG init map
 * (FORMAT.md "Resource groups"). Bitmap and map blocks are edited in place
 * as bit arrays behind their header; only the header is encoded here.
 */
#include <endian.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_rg_encode(void *blk, const struct vmfs_rg *rg)
{
	struct vmfs_drg *d = blk;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &rg->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_RG);
	d->index = htole64(rg->index);
	d->start = htole64(rg->start);
	d->mblocks = htole64(rg->mblocks);
	d->free_mblocks = htole64(rg->free_mblocks);
	d->ndesc = htole64(rg->ndesc);
	d->bitmap_blocks = htole32(rg->bitmap_blocks);
	d->flags = htole32(rg->flags);
	d->version = htole64(rg->version);
	d->refcount_root = htole64(rg->refcount_root);
	memcpy(d->bitmap_init, rg->bitmap_init, sizeof(d->bitmap_init));
	vmfs_blk_seal(d, sizeof(*d));
}

int vmfs_rg_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], struct vmfs_rg *rg)
{
	const struct vmfs_drg *d = blk;
	int err;

	err = vmfs_blk_verify(blk, sizeof(*d), VMFS_MAGIC_RG, blkno, uuid);
	if (err)
		return err;
	memset(rg, 0, sizeof(*rg));
	vmfs_blk_hdr_decode(&d->hdr, &rg->hdr);
	rg->index = le64toh(d->index);
	rg->start = le64toh(d->start);
	rg->mblocks = le64toh(d->mblocks);
	rg->free_mblocks = le64toh(d->free_mblocks);
	rg->ndesc = le64toh(d->ndesc);
	rg->bitmap_blocks = le32toh(d->bitmap_blocks);
	rg->flags = le32toh(d->flags);
	rg->version = le64toh(d->version);
	rg->refcount_root = le64toh(d->refcount_root);
	memcpy(rg->bitmap_init, d->bitmap_init, sizeof(d->bitmap_init));
	if (rg->free_mblocks > rg->mblocks || rg->bitmap_blocks > VMFS_RG_MAX_BITMAP_BLOCKS ||
	    rg->bitmap_blocks != vmfs_rg_bitmap_blocks(rg->mblocks))
		return -EFSCORRUPTED;
	return 0;
}

void vmfs_bitmap_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t rg,
		      uint64_t first_bit)
{
	struct vmfs_dbitmap *d = blk;
	struct vmfs_blk_hdr h = { .magic = VMFS_MAGIC_BITMAP, .blkno = blkno };

	memset(d, 0, sizeof(*d));
	memcpy(h.uuid, uuid, 16);
	vmfs_blk_hdr_encode(&d->hdr, &h);
	d->rg = htole64(rg);
	d->first_bit = htole64(first_bit);
}

int vmfs_bitmap_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16])
{
	return vmfs_blk_verify(blk, VMFS_MBLOCK_SIZE, VMFS_MAGIC_BITMAP, blkno, uuid);
}

uint8_t *vmfs_bitmap_bits(void *blk)
{
	return ((struct vmfs_dbitmap *)blk)->bits;
}

void vmfs_rgmap_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t first_rg)
{
	struct vmfs_drgmap *d = blk;
	struct vmfs_blk_hdr h = { .magic = VMFS_MAGIC_RGMAP, .blkno = blkno };

	memset(d, 0, sizeof(*d));
	memcpy(h.uuid, uuid, 16);
	vmfs_blk_hdr_encode(&d->hdr, &h);
	d->first_rg = htole64(first_rg);
}

int vmfs_rgmap_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16])
{
	return vmfs_blk_verify(blk, VMFS_MBLOCK_SIZE, VMFS_MAGIC_RGMAP, blkno, uuid);
}

uint8_t *vmfs_rgmap_bits(void *blk)
{
	return ((struct vmfs_drgmap *)blk)->bits;
}
