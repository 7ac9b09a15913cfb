/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RAM device (docs/FORMAT.md "Devices"): a zero-filled buffer behind the
 * device ops, so the lock manager and the metadata code can be tested in
 * microseconds and wrapped by the crash device. Thread safe: a rwlock lets
 * reads run together while writes, discards and caw (which must be atomic)
 * run alone. Flush has nothing to do; discard zeroes the range.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dev/dev_priv.h"

struct ram_dev {
	pthread_rwlock_t lock;	/* readers share the bytes, writers own them */
	unsigned char *bytes;
};

static int ram_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct ram_dev *r = dev->priv;

	pthread_rwlock_rdlock(&r->lock);
	memcpy(buf, r->bytes + off, len);
	pthread_rwlock_unlock(&r->lock);
	return 0;
}

static int ram_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	struct ram_dev *r = dev->priv;

	pthread_rwlock_wrlock(&r->lock);
	memcpy(r->bytes + off, buf, len);
	pthread_rwlock_unlock(&r->lock);
	return 0;
}

static int ram_flush(struct vmfs_dev *dev)
{
	(void)dev;
	return 0;
}

static int ram_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len)
{
	struct ram_dev *r = dev->priv;

	pthread_rwlock_wrlock(&r->lock);
	memset(r->bytes + off, 0, (size_t)len);
	pthread_rwlock_unlock(&r->lock);
	return 0;
}

/* Returns 0 or -VMFS_EMISCOMPARE (with @current filled if not NULL). */
static int ram_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		   const void *newdata, void *current)
{
	struct ram_dev *r = dev->priv;
	int err = 0;

	pthread_rwlock_wrlock(&r->lock);
	if (memcmp(r->bytes + off, expect, len)) {
		if (current)
			memcpy(current, r->bytes + off, len);
		err = -VMFS_EMISCOMPARE;
	} else {
		memcpy(r->bytes + off, newdata, len);
	}
	pthread_rwlock_unlock(&r->lock);
	return err;
}

static void ram_close(struct vmfs_dev *dev)
{
	struct ram_dev *r = dev->priv;

	pthread_rwlock_destroy(&r->lock);
	free(r->bytes);
	free(r);
	free(dev);
}

static const struct vmfs_dev_ops ram_ops = {
	.name = "ram",
	.read = ram_read,
	.write = ram_write,
	.submit = NULL,		/* the generic loop: memcpy gains nothing from batching */
	.flush = ram_flush,
	.discard = ram_discard,
	.caw = ram_caw,
	.close = ram_close,
};

int vmfs_dev_ram_open(uint64_t size, uint32_t sector_size, struct vmfs_dev **out)
{
	struct vmfs_dev *dev;
	struct ram_dev *r;
	int err = -ENOMEM;

	if ((sector_size != 512 && sector_size != 4096) || !size || size > SIZE_MAX)
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	r = calloc(1, sizeof(*r));
	if (!dev || !r)
		goto out_free;
	r->bytes = calloc(1, (size_t)size);
	if (!r->bytes)
		goto out_free;
	err = -pthread_rwlock_init(&r->lock, NULL);
	if (err)
		goto out_free;
	dev->ops = &ram_ops;
	dev->size = size;
	dev->sector_size = sector_size;
	dev->fd = -1;
	strcpy(dev->path, "ram");
	dev->priv = r;
	*out = dev;
	return 0;

out_free:
	if (r)
		free(r->bytes);
	free(r);
	free(dev);
	return err;
}
