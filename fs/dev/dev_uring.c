/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io_uring backend (docs/FORMAT.md "Devices"): a batch borrows a ring from
 * the device's pool, queues every I/O (up to the ring depth at a time, the
 * rest as slots free up), and waits for all of them, so a request spanning
 * several extents reads them in parallel. Short transfers are resubmitted
 * for the remainder, -EAGAIN/-EINTR completions are retried. A ring whose
 * submission failed in an unexpected way is drained and destroyed rather
 * than returned to the pool. Alignment, flush, discard and caw are shared
 * with the other descriptor backends.
 */
#include <errno.h>
#include <liburing.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs/dev/dev_priv.h"

struct uring_ctx {
	struct vmfs_pool_item item;	/* first: the pool hands these out */
	struct io_uring ring;
};

struct uring_dev {
	struct vmfs_fdev f;		/* first: see vmfs_fdev() */
	struct vmfs_pool pool;
};

static int ring_create(struct vmfs_pool_item **out)
{
	struct uring_ctx *c;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = io_uring_queue_init(VMFS_DEV_QDEPTH, &c->ring, 0);
	if (err) {
		free(c);
		return err;
	}
	*out = &c->item;
	return 0;
}

static void ring_destroy(struct vmfs_pool_item *item)
{
	struct uring_ctx *c = (struct uring_ctx *)item;

	io_uring_queue_exit(&c->ring);
	free(c);
}

/* Queue I/Os from the todo stack while the ring has room. */
static void ring_fill(struct io_uring *ring, int fd, struct vmfs_batch *b, unsigned *queued)
{
	while (b->ntodo && *queued + b->inflight < VMFS_DEV_QDEPTH) {
		unsigned i = b->todo[--b->ntodo];
		struct vmfs_dev_io *io = &b->ios[i];
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
		char *p = (char *)io->buf + b->done[i];
		size_t left = io->len - b->done[i];
		/* SQE lengths are 32 bits: larger I/Os go in pieces. */
		unsigned len = left > VMFS_DEV_MAX_PIECE ? VMFS_DEV_MAX_PIECE : (unsigned)left;

		/* The ring holds VMFS_DEV_QDEPTH entries and at most that many
		 * are queued or in flight, so get_sqe cannot fail here. */
		if (io->op == VMFS_IO_READ)
			io_uring_prep_read(sqe, fd, p, len, io->off + b->done[i]);
		else
			io_uring_prep_write(sqe, fd, p, len, io->off + b->done[i]);
		io_uring_sqe_set_data64(sqe, i);
		(*queued)++;
	}
}

/* Account every completion that is ready, waiting for at least one. */
static int ring_reap(struct io_uring *ring, struct vmfs_batch *b)
{
	struct io_uring_cqe *cqe;
	int err;

	err = io_uring_wait_cqe(ring, &cqe);
	if (err)
		return err == -EINTR ? 0 : err;
	do {
		unsigned i = (unsigned)io_uring_cqe_get_data64(cqe);
		long res = cqe->res;

		io_uring_cqe_seen(ring, cqe);
		vmfs_batch_complete(b, i, res);
	} while (io_uring_peek_cqe(ring, &cqe) == 0);
	return 0;
}

/*
 * ring_run - run the whole batch on @ring. Returns 0 when every I/O has
 * its result, or a ring error after draining what was in flight (the ring
 * must then be destroyed: queued entries may still sit in it).
 */
static int ring_run(struct io_uring *ring, int fd, struct vmfs_batch *b)
{
	unsigned queued = 0;
	int err = 0;
	int r;

	while (b->ntodo || queued || b->inflight) {
		ring_fill(ring, fd, b, &queued);
		if (queued) {
			r = io_uring_submit(ring);
			if (r >= 0) {
				queued -= (unsigned)r;
				b->inflight += (unsigned)r;
			} else if (r != -EINTR && r != -EAGAIN && r != -EBUSY) {
				err = r;
				break;
			}
		}
		if (!b->inflight) {
			sched_yield();	/* the kernel is short of resources: retry */
			continue;
		}
		err = ring_reap(ring, b);
		if (err)
			break;
	}
	while (err && b->inflight) {	/* no buffer may stay in use after return */
		if (ring_reap(ring, b))
			break;
	}
	return err;
}

/* Returns the first error; every ->result is set. */
static int uring_raw_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	struct uring_dev *u = dev->priv;
	struct vmfs_pool_item *item;
	struct vmfs_batch b;
	unsigned i;
	int err;

	err = vmfs_batch_init(&b, ios, n);
	if (err)
		goto out_fail;
	err = vmfs_pool_get(&u->pool, &item);
	if (err)
		goto out_batch;
	err = ring_run(&((struct uring_ctx *)item)->ring, dev->fd, &b);
	if (err) {
		vmfs_pool_drop(&u->pool, item);
		goto out_batch;
	}
	vmfs_pool_put(&u->pool, item);
	err = vmfs_batch_first_error(&b);
	vmfs_batch_fini(&b);
	return err;

out_batch:
	vmfs_batch_fini(&b);
out_fail:
	for (i = 0; i < n; i++)
		if (!ios[i].result)
			ios[i].result = err;
	return err;
}

static void uring_close(struct vmfs_dev *dev)
{
	struct uring_dev *u = dev->priv;

	vmfs_pool_fini(&u->pool);
	vmfs_fdev_destroy(&u->f);
	free(u);
	close(dev->fd);
	free(dev);
}

static const struct vmfs_dev_ops uring_ops = {
	.name = "uring",
	.read = vmfs_fdev_read,
	.write = vmfs_fdev_write,
	.submit = vmfs_fdev_submit,
	.flush = vmfs_fdev_flush,
	.discard = vmfs_fdev_discard,
	.caw = vmfs_fdev_caw,
	.close = uring_close,
};

/*
 * vmfs_uring_attach - make @dev an io_uring device. Creates the first ring
 * now, so a kernel without io_uring (or one that forbids it) is reported
 * here: returns 0 or -errno, leaving @dev untouched on failure.
 */
int vmfs_uring_attach(struct vmfs_dev *dev)
{
	struct vmfs_pool_item *item;
	struct uring_dev *u;
	int err;

	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	err = vmfs_fdev_init(&u->f, uring_raw_submit);
	if (err)
		goto out_free;
	err = vmfs_pool_init(&u->pool, ring_create, ring_destroy);
	if (err)
		goto out_fdev;
	err = vmfs_pool_get(&u->pool, &item);
	if (err)
		goto out_pool;
	vmfs_pool_put(&u->pool, item);
	dev->priv = u;
	dev->ops = &uring_ops;
	return 0;

out_pool:
	vmfs_pool_fini(&u->pool);
out_fdev:
	vmfs_fdev_destroy(&u->f);
out_free:
	free(u);
	return err;
}
