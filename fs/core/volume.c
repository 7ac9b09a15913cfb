// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Opening and closing a volume: read and check the volume header (falling
 * back to the backup copy in the last mblock), refuse foreign or damaged
 * devices with a one-line reason, mark the device in use, and set up
 * the block cache, allocator and descriptor table (docs/FORMAT.md
 * "Volume header", "Layout").
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/core/probe.h"
#include "fs/core/vol.h"

static int read_hdr_at(struct vmfs_dev *dev, uint64_t blk, struct vmfs_volhdr *vh)
{
	void *buf;
	int err;

	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	err = vmfs_dev_read(dev, buf, VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT);
	if (!err)
		err = vmfs_volhdr_decode(buf, blk, vh);
	free(buf);
	return err;
}

/*
 * vmfs_read_volhdr - find and check the volume header of @dev.
 * Uses the backup when the primary is damaged. Returns 0, or a negative
 * errno with a one-line reason in @why.
 */
int vmfs_read_volhdr(struct vmfs_dev *dev, struct vmfs_volhdr *vh, char *why, size_t whylen)
{
	uint64_t last = (dev->size >> VMFS_MBLOCK_SHIFT) - 1;
	char foreign[128];
	int err, err2;

	if (dev->size < 2 * VMFS_MBLOCK_SIZE) {
		snprintf(why, whylen, "device is too small (%llu bytes) to hold a volume",
			 (unsigned long long)dev->size);
		return -EINVAL;
	}
	err = read_hdr_at(dev, VMFS_VOLHDR_BLK, vh);
	if (err == 0)
		return vmfs_volhdr_check(vh, dev->size, why, whylen);
	if (err != -EFSBADCRC && err != -EFSCORRUPTED) {
		snprintf(why, whylen, "cannot read the volume header: %s", strerror(-err));
		return err;
	}
	/* The primary is damaged or absent: a backup at the end of the device? */
	err2 = read_hdr_at(dev, last, vh);
	if (err2 == 0 && vmfs_volhdr_check(vh, dev->size, why, whylen) == 0) {
		fprintf(stderr, "vmfs: primary volume header is %s; using the backup copy\n",
			err == -EFSBADCRC ? "damaged (checksum mismatch)" : "invalid");
		return 0;
	}
	if (err == -EFSBADCRC) {
		snprintf(why, whylen, "volume header checksum mismatch and no valid backup copy");
		return -EFSBADCRC;
	}
	if (vmfs_probe_foreign(dev, foreign, sizeof(foreign)) == 0)
		snprintf(why, whylen, "not a vmfs volume: found %s", foreign);
	else
		snprintf(why, whylen, "not a vmfs volume (no volume header found)");
	return -EINVAL;
}

/*
 * Mark the device in use by this process: a shared OFD lock on the
 * single-host block. Any number of mounts hold it together (each host
 * coordinates through heartbeats and on-disk locks); mkfs.vmfs, which asks
 * for it exclusively, learns that the device is mounted on this machine.
 */
int vmfs_vol_mark_in_use(struct vmfs_vol *vol, char *why, size_t whylen)
{
	struct flock fl = {
		.l_type = F_RDLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)(vol->vh.single_host_lock << VMFS_MBLOCK_SHIFT),
		.l_len = VMFS_MBLOCK_SIZE,
	};

	if (vol->dev->fd < 0 || fcntl(vol->dev->fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	snprintf(why, whylen, "cannot mark the volume in use: %s", strerror(errno));
	return -errno;
}

int vmfs_vol_open(struct vmfs_dev *dev, const struct vmfs_mount_opts *o, struct vmfs_vol **out,
		  char *why, size_t whylen)
{
	struct vmfs_vol *vol;
	struct vmfs_inode *root;
	int err;

	vol = calloc(1, sizeof(*vol));
	if (!vol)
		return -ENOMEM;
	vol->dev = dev;
	vol->rdonly = o->rdonly;
	pthread_mutex_init(&vol->lock, NULL);
	err = vmfs_read_volhdr(dev, &vol->vh, why, whylen);
	if (err)
		goto fail;
	vmfs_geom_from_volhdr(&vol->vh, &vol->geom);
	err = o->no_host_lock ? 0 : vmfs_vol_mark_in_use(vol, why, whylen);
	if (err)
		goto fail;
	vol->next_generation = vmfs_now_ns();
	err = vmfs_bc_init(vol, o->cache_bufs ? o->cache_bufs : 65536);
	if (!err)
		err = vmfs_alloc_init(vol);
	if (err) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	err = vmfs_inode_get(vol, vol->vh.root_ino, &root);
	if (err) {
		snprintf(why, whylen, "root directory descriptor %llu is unreadable: %s",
			 (unsigned long long)vol->vh.root_ino, strerror(-err));
		goto fail;
	}
	root->nlookup = 1;	/* FUSE never forgets the root */
	*out = vol;
	return 0;
fail:
	vmfs_itab_destroy(vol);
	vmfs_alloc_destroy(vol);
	vmfs_bc_destroy(vol);
	pthread_mutex_destroy(&vol->lock);
	free(vol);
	return err;
}

/*
 * vmfs_vol_init_new - an in-memory volume for @vh that is being created
 * (mkfs): nothing is read from the device; the caller writes everything.
 */
int vmfs_vol_init_new(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, struct vmfs_vol **out)
{
	struct vmfs_vol *vol;
	int err;

	vol = calloc(1, sizeof(*vol));
	if (!vol)
		return -ENOMEM;
	vol->dev = dev;
	vol->vh = *vh;
	vmfs_geom_from_volhdr(&vol->vh, &vol->geom);
	pthread_mutex_init(&vol->lock, NULL);
	vol->next_generation = vmfs_now_ns();
	err = vmfs_bc_init(vol, 4096);
	if (!err)
		err = vmfs_alloc_init(vol);
	if (err) {
		vmfs_alloc_destroy(vol);
		vmfs_bc_destroy(vol);
		free(vol);
		return err;
	}
	*out = vol;
	return 0;
}

/*
 * vmfs_vol_sync - make everything changed so far durable. Called WITHOUT
 * vol->lock. The write-back runs under the lock: a copy written outside it
 * could land on a block that was freed and reused meanwhile (docs/FORMAT.md
 * has no journal yet to order that). Returns 0 or the write/flush error.
 */
int vmfs_vol_sync(struct vmfs_vol *vol)
{
	int err;

	if (vol->rdonly)
		return 0;
	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	pthread_mutex_lock(&vol->lock);
	err = vmfs_bc_flush(vol);
	pthread_mutex_unlock(&vol->lock);
	if (!err)
		err = vmfs_dev_flush(vol->dev);
	if (err)
		vol->err = err;
	return err;
}

/* Sync and free everything; the device stays open (the caller owns it). */
int vmfs_vol_close(struct vmfs_vol *vol)
{
	int err;

	err = vmfs_vol_sync(vol);
	if (vol->jnl) {
		if (!err)	/* a clean unmount leaves nothing to replay */
			err = vmfs_jnl_checkpoint(vol);
		vmfs_jnl_detach(vol);
	}
	vmfs_itab_destroy(vol);
	vmfs_alloc_destroy(vol);
	vmfs_bc_destroy(vol);
	pthread_mutex_destroy(&vol->lock);
	free(vol);
	return err;
}
