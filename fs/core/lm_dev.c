// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockmgr's disk interface over fs/dev: reads and compare-and-write of one
 * sector (OFD lock for image files, SCSI COMPARE AND WRITE for iSCSI), and
 * the heartbeat region as the volume header places it (docs/LOCKING.md).
 */
#include "fs/core/lm_dev.h"

static int dev_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return vmfs_dev_read(ctx, buf, len, off);
}

static int dev_caw(void *ctx, uint64_t off, size_t len, const void *expect, const void *newdata,
		   void *current)
{
	return vmfs_dev_caw(ctx, off, len, expect, newdata, current);
}

void vmfs_lm_disk(struct vmfs_dev *dev, struct lm_disk *disk)
{
	disk->ctx = dev;
	disk->sector = dev->sector_size < VMFS_LOCK_BYTES ? VMFS_LOCK_BYTES : dev->sector_size;
	disk->read = dev_read;
	disk->caw = dev_caw;
}

/* Heartbeats of the volume @vh, with @lease_ms (0: the volume's default). */
int vmfs_lm_hb_init(struct lm_hb *hb, const struct lm_disk *disk, const struct vmfs_volhdr *vh,
		    uint32_t lease_ms)
{
	return lm_hb_init(hb, disk, vh->hdr.uuid, vh->hb_start << VMFS_MBLOCK_SHIFT, vh->host_slots,
			  lease_ms ? lease_ms : vh->lease_ms);
}
