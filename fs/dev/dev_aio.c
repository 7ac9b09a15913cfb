/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libaio backend (docs/FORMAT.md "Devices"), for kernels where io_uring is
 * missing or forbidden: a batch borrows an aio context from the device's
 * pool, submits every I/O (up to the context depth at a time) and reaps
 * them all, resubmitting short transfers and -EAGAIN/-EINTR. Kernel AIO is
 * only asynchronous with O_DIRECT; on a buffered device io_submit simply
 * does the I/O before returning, which is slower but still correct.
 */
#include <errno.h>
#include <libaio.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "fs/dev/dev_priv.h"

struct aio_ctx {
	struct vmfs_pool_item item;	/* first: the pool hands these out */
	io_context_t ctx;
	struct iocb cb[VMFS_DEV_QDEPTH];
	struct iocb *free_cb[VMFS_DEV_QDEPTH];	/* control blocks not in flight */
	unsigned nfree;
};

struct aio_dev {
	struct vmfs_fdev f;		/* first: see vmfs_fdev() */
	struct vmfs_pool pool;
};

static int actx_create(struct vmfs_pool_item **out)
{
	struct aio_ctx *c;
	unsigned i;
	int err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = io_setup(VMFS_DEV_QDEPTH, &c->ctx);	/* libaio returns -errno */
	if (err) {
		free(c);
		return err;
	}
	for (i = 0; i < VMFS_DEV_QDEPTH; i++)
		c->free_cb[i] = &c->cb[i];
	c->nfree = VMFS_DEV_QDEPTH;
	*out = &c->item;
	return 0;
}

static void actx_destroy(struct vmfs_pool_item *item)
{
	struct aio_ctx *c = (struct aio_ctx *)item;

	io_destroy(c->ctx);
	free(c);
}

/* Prepare up to the free control blocks from the todo stack into @list. */
static unsigned actx_fill(struct aio_ctx *c, int fd, struct vmfs_batch *b, struct iocb **list)
{
	unsigned k = 0;

	while (b->ntodo && c->nfree) {
		unsigned i = b->todo[--b->ntodo];
		struct vmfs_dev_io *io = &b->ios[i];
		struct iocb *cb = c->free_cb[--c->nfree];
		char *p = (char *)io->buf + b->done[i];
		size_t left = io->len - b->done[i];
		size_t len = left > VMFS_DEV_MAX_PIECE ? VMFS_DEV_MAX_PIECE : left;
		long long off = (long long)(io->off + b->done[i]);

		if (io->op == VMFS_IO_READ)
			io_prep_pread(cb, fd, p, len, off);
		else
			io_prep_pwrite(cb, fd, p, len, off);
		cb->data = (void *)(uintptr_t)i;
		list[k++] = cb;
	}
	return k;
}

/* Put I/Os that io_submit did not take back on the todo stack. */
static void actx_unfill(struct aio_ctx *c, struct vmfs_batch *b, struct iocb **list, unsigned k)
{
	while (k--) {
		b->todo[b->ntodo++] = (unsigned)(uintptr_t)list[k]->data;
		c->free_cb[c->nfree++] = list[k];
	}
}

/* Account every completion that is ready, waiting for at least one. */
static int actx_reap(struct aio_ctx *c, struct vmfs_batch *b)
{
	struct io_event ev[VMFS_DEV_QDEPTH];
	int r, j;

	r = io_getevents(c->ctx, 1, VMFS_DEV_QDEPTH, ev, NULL);
	if (r < 0)
		return r == -EINTR ? 0 : r;
	for (j = 0; j < r; j++) {
		struct iocb *cb = ev[j].obj;

		c->free_cb[c->nfree++] = cb;
		vmfs_batch_complete(b, (unsigned)(uintptr_t)cb->data, (long)ev[j].res);
	}
	return 0;
}

/*
 * actx_run - run the whole batch on @c. Returns 0 when every I/O has its
 * result, or a context error after draining what was in flight.
 */
static int actx_run(struct aio_ctx *c, int fd, struct vmfs_batch *b)
{
	struct iocb *list[VMFS_DEV_QDEPTH];
	unsigned k;
	int err = 0;
	int r;

	while (b->ntodo || b->inflight) {
		k = actx_fill(c, fd, b, list);
		if (k) {
			r = io_submit(c->ctx, (long)k, list);
			if (r < 0) {
				actx_unfill(c, b, list, k);
				if (r != -EAGAIN && r != -EINTR) {
					err = r;
					break;
				}
			} else {
				b->inflight += (unsigned)r;
				actx_unfill(c, b, list + r, k - (unsigned)r);
			}
		}
		if (!b->inflight) {
			sched_yield();	/* the kernel is short of resources: retry */
			continue;
		}
		err = actx_reap(c, b);
		if (err)
			break;
	}
	while (err && b->inflight) {	/* no buffer may stay in use after return */
		if (actx_reap(c, b))
			break;
	}
	return err;
}

/* Returns the first error; every ->result is set. */
static int aio_raw_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	struct aio_dev *a = dev->priv;
	struct vmfs_pool_item *item;
	struct vmfs_batch b;
	unsigned i;
	int err;

	err = vmfs_batch_init(&b, ios, n);
	if (err)
		goto out_fail;
	err = vmfs_pool_get(&a->pool, &item);
	if (err)
		goto out_batch;
	err = actx_run((struct aio_ctx *)item, dev->fd, &b);
	if (err) {
		vmfs_pool_drop(&a->pool, item);
		goto out_batch;
	}
	vmfs_pool_put(&a->pool, item);
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

static void aio_close(struct vmfs_dev *dev)
{
	struct aio_dev *a = dev->priv;

	vmfs_pool_fini(&a->pool);
	vmfs_fdev_destroy(&a->f);
	free(a);
	close(dev->fd);
	free(dev);
}

static const struct vmfs_dev_ops aio_ops = {
	.name = "aio",
	.read = vmfs_fdev_read,
	.write = vmfs_fdev_write,
	.submit = vmfs_fdev_submit,
	.flush = vmfs_fdev_flush,
	.discard = vmfs_fdev_discard,
	.caw = vmfs_fdev_caw,
	.close = aio_close,
};

/*
 * vmfs_aio_attach - make @dev a libaio device. Sets up the first context
 * now so a missing kernel AIO is reported here: returns 0 or -errno,
 * leaving @dev untouched on failure.
 */
int vmfs_aio_attach(struct vmfs_dev *dev)
{
	struct vmfs_pool_item *item;
	struct aio_dev *a;
	int err;

	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	err = vmfs_fdev_init(&a->f, aio_raw_submit);
	if (err)
		goto out_free;
	err = vmfs_pool_init(&a->pool, actx_create, actx_destroy);
	if (err)
		goto out_fdev;
	err = vmfs_pool_get(&a->pool, &item);
	if (err)
		goto out_pool;
	vmfs_pool_put(&a->pool, item);
	dev->priv = a;
	dev->ops = &aio_ops;
	return 0;

out_pool:
	vmfs_pool_fini(&a->pool);
out_fdev:
	vmfs_fdev_destroy(&a->f);
out_free:
	free(a);
	return err;
}
