// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Creating a volume (docs/FORMAT.md "Layout", "Lazy initialisation"):
 * writes the fixed region, the RG init map and group 0 with the root
 * directory; other groups are initialised on first use, so formatting a
 * petabyte takes about as long as a gigabyte. The old headers are
 * invalidated first and the new primary header is written last, so an
 * interrupted format never leaves something that mounts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "fs/core/format_volume.h"

static int zero_range(struct vmfs_dev *dev, uint64_t blk, uint64_t count)
{
	const uint64_t chunk = 256;
	void *z;
	int err = 0;

	if (posix_memalign(&z, VMFS_MBLOCK_SIZE, chunk * VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	memset(z, 0, chunk * VMFS_MBLOCK_SIZE);
	while (count && !err) {
		uint64_t n = count < chunk ? count : chunk;

		err = vmfs_dev_write(dev, z, n * VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT);
		blk += n;
		count -= n;
	}
	free(z);
	return err;
}

static int write_header(struct vmfs_dev *dev, struct vmfs_volhdr *vh, uint64_t blk)
{
	void *buf;
	int err;

	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	vh->hdr.blkno = blk;
	vmfs_volhdr_encode(buf, vh);
	err = vmfs_dev_write(dev, buf, VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT);
	free(buf);
	return err;
}

/* Everything but the headers: fixed region, RG map, group 0, root directory. */
static int build(struct vmfs_dev *dev, struct vmfs_volhdr *vh)
{
	struct vmfs_vol *vol;
	struct vmfs_inode *root;
	struct vmfs_buf *b;
	uint64_t i;
	int err;

	err = zero_range(dev, VMFS_VOLLOCK_BLK, vh->rgmap_start - VMFS_VOLLOCK_BLK);
	if (err)
		return err;
	err = vmfs_vol_init_new(dev, vh, &vol);
	if (err)
		return err;
	for (i = 0; i < vh->rgmap_blocks && !err; i++) {
		err = vmfs_bc_get(vol, vh->rgmap_start + i, VMFS_MAGIC_RGMAP, VMFS_BC_NEW, &b);
		if (err)
			break;
		vmfs_rgmap_init(b->data, b->blkno, vh->hdr.uuid, i * VMFS_RGMAP_BITS);
		vmfs_bc_dirty(vol, b);
		vmfs_bc_put(vol, b);
	}
	if (!err)
		err = vmfs_inode_alloc(vol, vh->data_start, S_IFDIR | 0755, 0, 0, 0, &root);
	if (!err) {
		root->d.parent = root->ino;
		vmfs_inode_dirty(vol, root);
		vh->root_ino = root->ino;
		vol->vh.root_ino = root->ino;
		err = vmfs_vol_sync(vol);
	}
	vmfs_vol_close(vol);
	return err;
}


int vmfs_format(struct vmfs_dev *dev, const struct vmfs_format_params *p, struct vmfs_volhdr *out,
		char *why, size_t whylen)
{
	struct vmfs_volhdr vh;
	uint64_t last = (dev->size >> VMFS_MBLOCK_SHIFT) - 1;
	int err;

	memset(&vh, 0, sizeof(vh));
	vh.hdr.magic = VMFS_MAGIC_VOLHDR;
	if (p->uuid_set)
		memcpy(vh.hdr.uuid, p->uuid, 16);
	else
		uuid_generate(vh.hdr.uuid);
	uuid_generate_random(vh.hash_seed);
	vh.major = VMFS_MAJOR;
	vh.minor = VMFS_MINOR;
	snprintf(vh.label, sizeof(vh.label), "%s", p->label ? p->label : "");
	vh.mblock_shift = VMFS_MBLOCK_SHIFT;
	vh.file_block_shift = p->file_block_shift ? p->file_block_shift
						  : VMFS_DEFAULT_FILE_BLOCK_SHIFT;
	vh.small_block_shift = p->small_block_shift ? p->small_block_shift
						    : VMFS_DEFAULT_SMALL_BLOCK_SHIFT;
	vh.host_slots = p->host_slots ? p->host_slots : VMFS_DEFAULT_HOST_SLOTS;
	vh.rg_mblocks = p->rg_mblocks ? p->rg_mblocks : 1ull << VMFS_DEFAULT_RG_SHIFT;
	vh.lease_ms = VMFS_DEFAULT_LEASE_MS;
	vh.mkfs_time_ns = vmfs_now_ns();
	err = vmfs_layout_compute(&vh, dev->size, why, whylen);
	if (err)
		return err;
	/* Invalidate whatever headers were there, then build, then seal with the headers. */
	err = zero_range(dev, VMFS_VOLHDR_BLK, 1);
	if (!err)
		err = zero_range(dev, last, 1);
	if (!err)
		err = vmfs_dev_flush(dev);
	if (!err)
		err = build(dev, &vh);
	if (!err)
		err = write_header(dev, &vh, last);
	if (!err)
		err = vmfs_dev_flush(dev);
	if (!err)
		err = write_header(dev, &vh, VMFS_VOLHDR_BLK);
	if (!err)
		err = vmfs_dev_flush(dev);
	if (err) {
		snprintf(why, whylen, "writing the volume failed: %s", strerror(-err));
		return err;
	}
	vh.hdr.blkno = VMFS_VOLHDR_BLK;
	if (out)
		*out = vh;
	return 0;
}
