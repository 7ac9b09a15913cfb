// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where everything is, computed from the volume header (FORMAT.md
 * "Layout"): fixed blocks, heartbeat region, RG init map, RG table, and the
 * resource groups that tile the data area.
 */
#include <stdio.h>

#include "fs/format/format.h"

static uint64_t div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

uint32_t vmfs_rg_bitmap_blocks(uint64_t rg_len)
{
	return (uint32_t)div_up(rg_len, VMFS_BITMAP_BITS);
}

void vmfs_geom_from_volhdr(const struct vmfs_volhdr *vh, struct vmfs_geom *g)
{
	g->file_block_mblocks = 1u << (vh->file_block_shift - VMFS_MBLOCK_SHIFT);
	g->small_block_mblocks = 1u << (vh->small_block_shift - VMFS_MBLOCK_SHIFT);
	g->rg_mblocks = vh->rg_mblocks;
	g->rg_count = vh->rg_count;
	g->bitmap_blocks_per_rg = vmfs_rg_bitmap_blocks(vh->rg_mblocks);
}

uint64_t vmfs_rg_lock_blk(const struct vmfs_volhdr *vh, uint64_t rg)
{
	return vh->rgtab_start + 2 * rg;
}

uint64_t vmfs_rg_hdr_blk(const struct vmfs_volhdr *vh, uint64_t rg)
{
	return vh->rgtab_start + 2 * rg + 1;
}

uint64_t vmfs_rg_start(const struct vmfs_volhdr *vh, uint64_t rg)
{
	return vh->data_start + rg * vh->rg_mblocks;
}

/* Data end: the last mblock is the backup header; groups cover whole file blocks. */
static uint64_t data_end(const struct vmfs_volhdr *vh, uint64_t data_start, uint64_t dev_mblocks)
{
	uint64_t fbm = 1ull << (vh->file_block_shift - VMFS_MBLOCK_SHIFT);

	if (dev_mblocks < data_start + 1)
		return data_start;
	return data_start + (dev_mblocks - 1 - data_start) / fbm * fbm;
}

uint64_t vmfs_rg_len(const struct vmfs_volhdr *vh, uint64_t rg)
{
	uint64_t start = vmfs_rg_start(vh, rg);
	uint64_t end = data_end(vh, vh->data_start, vh->total_mblocks);

	if (rg >= vh->rg_count || start >= end)
		return 0;
	return end - start < vh->rg_mblocks ? end - start : vh->rg_mblocks;
}

uint64_t vmfs_hb_blk(const struct vmfs_volhdr *vh, unsigned slot)
{
	return vh->hb_start + slot;
}

int vmfs_layout_compute(struct vmfs_volhdr *vh, uint64_t device_bytes, char *why, size_t whylen)
{
	uint64_t dev_mblocks = device_bytes >> VMFS_MBLOCK_SHIFT;
	uint64_t fbm, est_rgs, end, last_len, min_last;

	if (vh->file_block_shift < VMFS_MIN_FILE_BLOCK_SHIFT ||
	    vh->file_block_shift > VMFS_MAX_FILE_BLOCK_SHIFT) {
		snprintf(why, whylen, "file block size 2^%u is outside 64 KiB .. 64 MiB",
			 vh->file_block_shift);
		return -EINVAL;
	}
	if (vh->small_block_shift < VMFS_MIN_SMALL_BLOCK_SHIFT ||
	    vh->small_block_shift > vh->file_block_shift) {
		snprintf(why, whylen, "small block size 2^%u is outside 8 KiB .. file block size",
			 vh->small_block_shift);
		return -EINVAL;
	}
	if (vh->mblock_shift != VMFS_MBLOCK_SHIFT) {
		snprintf(why, whylen, "metadata block size 2^%u is not 4 KiB", vh->mblock_shift);
		return -EINVAL;
	}
	if (vh->host_slots < 1 || vh->host_slots > VMFS_MAX_HOST_SLOTS) {
		snprintf(why, whylen, "host slots %u outside 1 .. %u", vh->host_slots,
			 VMFS_MAX_HOST_SLOTS);
		return -EINVAL;
	}
	fbm = 1ull << (vh->file_block_shift - VMFS_MBLOCK_SHIFT);
	if (vh->rg_mblocks == 0 || (vh->rg_mblocks & (vh->rg_mblocks - 1)) ||
	    vh->rg_mblocks < 4 * fbm ||
	    vmfs_rg_bitmap_blocks(vh->rg_mblocks) > VMFS_RG_MAX_BITMAP_BLOCKS) {
		snprintf(why, whylen, "resource group size %llu mblocks is invalid",
			 (unsigned long long)vh->rg_mblocks);
		return -EINVAL;
	}
	vh->mblock_shift = VMFS_MBLOCK_SHIFT;
	vh->device_bytes = device_bytes;
	vh->total_mblocks = dev_mblocks;
	vh->volume_lock = VMFS_VOLLOCK_BLK;
	vh->single_host_lock = VMFS_SINGLE_HOST_BLK;
	vh->hb_start = VMFS_HB_START_BLK;
	vh->rgmap_start = vh->hb_start + vh->host_slots;
	est_rgs = div_up(dev_mblocks, vh->rg_mblocks);
	if (est_rgs == 0)
		est_rgs = 1;
	vh->rgmap_blocks = div_up(est_rgs, VMFS_RGMAP_BITS);
	vh->rgtab_start = vh->rgmap_start + vh->rgmap_blocks;
	vh->data_start = div_up(vh->rgtab_start + 2 * est_rgs, fbm) * fbm;
	end = data_end(vh, vh->data_start, dev_mblocks);
	vh->rg_count = div_up(end - vh->data_start, vh->rg_mblocks);
	/* A last group too short to hold its bitmap and a file block is dropped. */
	if (vh->rg_count) {
		last_len = end - vmfs_rg_start(vh, vh->rg_count - 1);
		min_last = div_up(vmfs_rg_bitmap_blocks(last_len), fbm) * fbm + fbm;
		if (last_len < min_last)
			vh->rg_count--;
	}
	if (vh->rg_count == 0 || end - vh->data_start < 8 * fbm) {
		snprintf(why, whylen,
			 "device of %llu bytes is too small: need at least %llu bytes for this layout",
			 (unsigned long long)device_bytes,
			 (unsigned long long)((vh->data_start + 8 * fbm + 1) << VMFS_MBLOCK_SHIFT));
		return -ENOSPC;
	}
	return 0;
}
