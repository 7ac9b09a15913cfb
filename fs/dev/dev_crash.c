/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Crash device for power-loss tests (docs/FORMAT.md "Devices"), after
 * littlefs's emulated block device: wraps an inner device and keeps every
 * write since the last flush in a log instead of passing it on. Reads see
 * the inner device overlaid with the log, so the code under test sees its
 * own writes; flush applies the log in order and flushes the inner device.
 * The device can crash after the Nth write (that write and every later I/O
 * fail with -EIO) or fail one chosen I/O. vmfs_dev_crash_settle() then
 * decides what the power cut left on the inner device: nothing of the log
 * (DROP_UNFLUSHED), a random subset in random order (REORDER), the last
 * write cut at a sector boundary (TEAR_LAST), or, with no flag, everything.
 *
 * Counting: every read, write, flush, discard and caw is one I/O, and each
 * element of a batch is one I/O; writes and caws also count as writes.
 * Discard is accepted and ignored, which the "contents unspecified"
 * contract allows.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dev/dev_priv.h"

struct crash_write {
	uint64_t off;
	size_t len;
	unsigned char *data;
};

struct crash_dev {
	struct vmfs_dev *inner;
	struct vmfs_crash_params p;
	pthread_mutex_t lock;		/* protects everything below and orders I/O */
	struct crash_write *log;	/* unflushed writes, oldest first */
	size_t nlog, caplog;
	uint64_t nio, nwrites;
	int crashed;
};

static const struct vmfs_dev_ops crash_ops;

/* Count one I/O; returns -EIO if it must fail. Called with the lock held. */
static int crash_count(struct crash_dev *c, int is_write)
{
	if (c->crashed)
		return -EIO;
	c->nio++;
	if (is_write && ++c->nwrites == c->p.crash_after_writes) {
		c->crashed = 1;
		return -EIO;
	}
	if (c->nio == c->p.fail_io_n)
		return -EIO;
	return 0;
}

/* Inner contents of [off, off + len) with the log laid over, latest last. */
static int overlay_read(struct crash_dev *c, void *buf, size_t len, uint64_t off)
{
	size_t i;
	int err;

	err = vmfs_dev_read(c->inner, buf, len, off);
	for (i = 0; !err && i < c->nlog; i++) {
		const struct crash_write *w = &c->log[i];
		uint64_t lo = w->off > off ? w->off : off;
		uint64_t hi = w->off + w->len < off + len ? w->off + w->len : off + len;

		if (lo < hi)
			memcpy((char *)buf + (lo - off), w->data + (lo - w->off), (size_t)(hi - lo));
	}
	return err;
}

static int log_append(struct crash_dev *c, const void *buf, size_t len, uint64_t off)
{
	struct crash_write *w;

	if (c->nlog == c->caplog) {
		size_t cap = c->caplog ? 2 * c->caplog : 16;

		w = realloc(c->log, cap * sizeof(*w));
		if (!w)
			return -ENOMEM;
		c->log = w;
		c->caplog = cap;
	}
	w = &c->log[c->nlog];
	w->data = malloc(len ? len : 1);
	if (!w->data)
		return -ENOMEM;
	memcpy(w->data, buf, len);
	w->off = off;
	w->len = len;
	c->nlog++;
	return 0;
}

static void log_clear(struct crash_dev *c)
{
	size_t i;

	for (i = 0; i < c->nlog; i++)
		free(c->log[i].data);
	c->nlog = 0;
}

static int crash_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct crash_dev *c = dev->priv;
	int err;

	pthread_mutex_lock(&c->lock);
	err = crash_count(c, 0);
	if (!err)
		err = overlay_read(c, buf, len, off);
	pthread_mutex_unlock(&c->lock);
	return err;
}

static int crash_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	struct crash_dev *c = dev->priv;
	int err;

	pthread_mutex_lock(&c->lock);
	err = crash_count(c, 1);
	if (!err)
		err = log_append(c, buf, len, off);
	pthread_mutex_unlock(&c->lock);
	return err;
}

/* Apply the log in order, flush the inner device, forget the log. */
static int crash_flush(struct vmfs_dev *dev)
{
	struct crash_dev *c = dev->priv;
	size_t i;
	int err;

	pthread_mutex_lock(&c->lock);
	err = crash_count(c, 0);
	for (i = 0; !err && i < c->nlog; i++)
		err = vmfs_dev_write(c->inner, c->log[i].data, c->log[i].len, c->log[i].off);
	if (!err)
		err = vmfs_dev_flush(c->inner);
	if (!err)	/* on failure keep it all: re-applying in order is harmless */
		log_clear(c);
	pthread_mutex_unlock(&c->lock);
	return err;
}

static int crash_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len)
{
	struct crash_dev *c = dev->priv;
	int err;

	(void)off;
	(void)len;
	pthread_mutex_lock(&c->lock);
	err = crash_count(c, 0);
	pthread_mutex_unlock(&c->lock);
	return err;
}

/* Compare against what a reader would see; a match is logged as a write. */
static int crash_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		     const void *newdata, void *current)
{
	struct crash_dev *c = dev->priv;
	void *now;
	int err;

	now = malloc(len);
	if (!now)
		return -ENOMEM;
	pthread_mutex_lock(&c->lock);
	err = crash_count(c, 1);
	if (!err)
		err = overlay_read(c, now, len, off);
	if (err)
		goto out;
	if (memcmp(now, expect, len)) {
		if (current)
			memcpy(current, now, len);
		err = -VMFS_EMISCOMPARE;
		goto out;
	}
	err = log_append(c, newdata, len, off);
out:
	pthread_mutex_unlock(&c->lock);
	free(now);
	return err;
}

static void crash_free(struct vmfs_dev *dev)
{
	struct crash_dev *c = dev->priv;

	log_clear(c);
	free(c->log);
	pthread_mutex_destroy(&c->lock);
	free(c);
	free(dev);
}

static void crash_close(struct vmfs_dev *dev)
{
	struct vmfs_dev *inner = ((struct crash_dev *)dev->priv)->inner;

	crash_free(dev);
	vmfs_dev_close(inner);
}

static const struct vmfs_dev_ops crash_ops = {
	.name = "crash",
	.read = crash_read,
	.write = crash_write,
	.submit = NULL,		/* the generic loop counts each element as one I/O */
	.flush = crash_flush,
	.discard = crash_discard,
	.caw = crash_caw,
	.close = crash_close,
};

int vmfs_dev_crash_open(struct vmfs_dev *inner, const struct vmfs_crash_params *p,
			struct vmfs_dev **out)
{
	struct vmfs_dev *dev;
	struct crash_dev *c;
	int err = -ENOMEM;

	dev = calloc(1, sizeof(*dev));
	c = calloc(1, sizeof(*c));
	if (!dev || !c)
		goto out_free;
	err = -pthread_mutex_init(&c->lock, NULL);
	if (err)
		goto out_free;
	c->inner = inner;
	if (p)
		c->p = *p;
	dev->ops = &crash_ops;
	dev->size = inner->size;
	dev->sector_size = inner->sector_size;
	dev->flags = inner->flags;
	dev->fd = -1;
	strcpy(dev->path, "crash");
	dev->priv = c;
	*out = dev;
	return 0;

out_free:
	free(c);
	free(dev);
	return err;
}

static void apply_write(struct crash_dev *c, const struct crash_write *w, size_t len)
{
	/* A failing inner device shows up as wrong contents in the test. */
	(void)vmfs_dev_write(c->inner, w->data, len, w->off);
}

/* Each of the first @n logged writes lands with probability 1/2, in random order. */
static void apply_subset(struct crash_dev *c, size_t n, unsigned *seed)
{
	size_t *order;
	size_t i, j, t;

	order = malloc((n ? n : 1) * sizeof(*order));
	if (!order)
		return;		/* out of memory: nothing lands, also a valid outcome */
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n; i > 1; i--) {
		j = (size_t)rand_r(seed) % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++)
		if (rand_r(seed) % 2)
			apply_write(c, &c->log[order[i]], c->log[order[i]].len);
	free(order);
}

/* @w lands up to a random sector boundary: none, some or all of its sectors. */
static void apply_torn(struct crash_dev *c, const struct crash_write *w, unsigned *seed)
{
	uint32_t ss = c->inner->sector_size;
	uint64_t first = w->off - w->off % ss;
	uint64_t end = w->off + w->len;
	uint64_t nsect = (end - first + ss - 1) / ss;
	uint64_t cut = first + ((uint64_t)rand_r(seed) % (nsect + 1)) * ss;

	if (cut < w->off)
		cut = w->off;
	if (cut > end)
		cut = end;
	apply_write(c, w, (size_t)(cut - w->off));
}

/*
 * vmfs_dev_crash_settle - what the power cut leaves on the inner device:
 * with DROP_UNFLUSHED none of the logged writes, else with REORDER a random
 * subset in random order, else all of them in order; with TEAR_LAST the
 * last logged write is taken out of that choice and lands torn, after the
 * others. Flushes the inner device, frees @dev and returns the inner one
 * (or @dev itself if it is not a crash device).
 */
struct vmfs_dev *vmfs_dev_crash_settle(struct vmfs_dev *dev)
{
	struct vmfs_dev *inner;
	struct crash_dev *c;
	unsigned seed;
	size_t body, i;

	if (!dev || dev->ops != &crash_ops)
		return dev;
	c = dev->priv;
	inner = c->inner;
	seed = c->p.seed;
	body = (c->p.flags & VMFS_CRASH_TEAR_LAST) && c->nlog ? c->nlog - 1 : c->nlog;
	if (!(c->p.flags & VMFS_CRASH_DROP_UNFLUSHED)) {
		if (c->p.flags & VMFS_CRASH_REORDER)
			apply_subset(c, body, &seed);
		else
			for (i = 0; i < body; i++)
				apply_write(c, &c->log[i], c->log[i].len);
	}
	if (body < c->nlog)
		apply_torn(c, &c->log[body], &seed);
	(void)vmfs_dev_flush(inner);
	crash_free(dev);
	return inner;
}

int vmfs_dev_crash_crashed(struct vmfs_dev *dev)
{
	struct crash_dev *c;
	int crashed;

	if (!dev || dev->ops != &crash_ops)
		return 0;
	c = dev->priv;
	pthread_mutex_lock(&c->lock);
	crashed = c->crashed;
	pthread_mutex_unlock(&c->lock);
	return crashed;
}
