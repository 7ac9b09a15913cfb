/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Any buffer, offset and length on an O_DIRECT device (docs/FORMAT.md
 * "Devices"): I/Os that are not sector aligned go through an aligned
 * bounce buffer, and writes that cover part of a sector read-modify-write
 * it under a stripe lock keyed by sector number, so two threads writing
 * disjoint bytes of one sector cannot lose each other's update. Aligned
 * I/O, and every I/O on a buffered device, goes straight to the backend's
 * raw_submit and takes no lock. The stripes only order writers inside this
 * process; other processes writing the same sector unaligned are not
 * excluded (the filesystem's on-disk locks do that).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dev/dev_priv.h"

static uint64_t round_down(uint64_t x, uint32_t a)
{
	return x - x % a;
}

static uint64_t round_up(uint64_t x, uint32_t a)
{
	return round_down(x + a - 1, a);
}

static int io_aligned(const struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	uint32_t a = dev->sector_size;

	if (!(dev->flags & VMFS_DEV_F_DIRECT))
		return 1;
	return (uintptr_t)buf % a == 0 && len % a == 0 && off % a == 0;
}

static int range_aligned(const struct vmfs_dev *dev, size_t len, uint64_t off)
{
	return len % dev->sector_size == 0 && off % dev->sector_size == 0;
}

static void *bounce_alloc(const struct vmfs_dev *dev, size_t len)
{
	void *p;

	if (posix_memalign(&p, dev->sector_size, len))
		return NULL;
	return p;
}

/* Stripe locks for the partial sectors of [off, off + len), in index order. */
static void stripes_lock(struct vmfs_dev *dev, size_t len, uint64_t off, unsigned idx[2],
			 unsigned *nidx)
{
	struct vmfs_fdev *f = vmfs_fdev(dev);
	uint32_t ss = dev->sector_size;
	uint64_t end = off + len;
	unsigned i;

	*nidx = 0;
	if (off % ss)
		idx[(*nidx)++] = (unsigned)((off / ss) % VMFS_DEV_STRIPES);
	if (end % ss) {
		unsigned t = (unsigned)((end / ss) % VMFS_DEV_STRIPES);

		if (!*nidx || idx[0] != t)
			idx[(*nidx)++] = t;
	}
	if (*nidx == 2 && idx[0] > idx[1]) {
		unsigned t = idx[0];

		idx[0] = idx[1];
		idx[1] = t;
	}
	for (i = 0; i < *nidx; i++)
		pthread_mutex_lock(&f->stripe[idx[i]]);
}

static void stripes_unlock(struct vmfs_dev *dev, const unsigned idx[2], unsigned nidx)
{
	while (nidx--)
		pthread_mutex_unlock(&vmfs_fdev(dev)->stripe[idx[nidx]]);
}

/*
 * rmw_write - write @len bytes at an unaligned @off on an O_DIRECT device:
 * read the partial head and tail sectors, merge, write the whole aligned
 * span. Returns 0 or -errno; holds the stripe locks only inside.
 */
static int rmw_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	struct vmfs_fdev *f = vmfs_fdev(dev);
	uint32_t ss = dev->sector_size;
	uint64_t start = round_down(off, ss);
	uint64_t end = round_up(off + len, ss);
	size_t span = (size_t)(end - start);
	struct vmfs_dev_io io[2];
	unsigned idx[2], nidx, nio = 0;
	char *bounce;
	int err;

	bounce = bounce_alloc(dev, span);
	if (!bounce)
		return -ENOMEM;
	stripes_lock(dev, len, off, idx, &nidx);
	if (off % ss)
		io[nio++] = (struct vmfs_dev_io){ VMFS_IO_READ, bounce, ss, start, 0 };
	if ((off + len) % ss && (nio == 0 || end - ss != start))
		io[nio++] = (struct vmfs_dev_io){ VMFS_IO_READ, bounce + span - ss, ss, end - ss, 0 };
	err = f->raw_submit(dev, io, nio);
	if (err)
		goto out;
	memcpy(bounce + (off - start), buf, len);
	io[0] = (struct vmfs_dev_io){ VMFS_IO_WRITE, bounce, span, start, 0 };
	err = f->raw_submit(dev, io, 1);
out:
	stripes_unlock(dev, idx, nidx);
	free(bounce);
	return err;
}

/*
 * Bounce plan for one element of a batch: what goes to raw_submit in its
 * place (@raw), and whether it is a partial-sector write done afterwards.
 */
struct plan {
	struct vmfs_dev_io raw;
	void *bounce;
	int rmw;
};

static int plan_io(struct vmfs_dev *dev, const struct vmfs_dev_io *io, struct plan *p)
{
	uint32_t ss = dev->sector_size;
	uint64_t start;

	p->raw = *io;
	p->bounce = NULL;
	p->rmw = 0;
	if (io_aligned(dev, io->buf, io->len, io->off))
		return 0;
	if (io->op == VMFS_IO_WRITE && !range_aligned(dev, io->len, io->off)) {
		p->rmw = 1;
		return 0;
	}
	start = round_down(io->off, ss);
	p->raw.off = start;
	p->raw.len = (size_t)(round_up(io->off + io->len, ss) - start);
	p->bounce = bounce_alloc(dev, p->raw.len);
	if (!p->bounce)
		return -ENOMEM;
	p->raw.buf = p->bounce;
	if (io->op == VMFS_IO_WRITE)
		memcpy(p->bounce, io->buf, io->len);
	return 0;
}

/*
 * run_planned - the general path: build the bounce plan, run everything
 * that needs no RMW as one raw batch, then the partial-sector writes one by
 * one. Returns the first error in element order; sets every ->result.
 */
static int run_planned(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	struct vmfs_fdev *f = vmfs_fdev(dev);
	struct vmfs_dev_io *raw = NULL;
	struct plan *plan;
	unsigned *map = NULL;
	unsigned i, m = 0;
	int ran = 0;
	int err = 0;

	plan = calloc(n, sizeof(*plan));
	raw = calloc(n, sizeof(*raw));
	map = calloc(n, sizeof(*map));
	if (!plan || !raw || !map) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && !err; i++)
		err = plan_io(dev, &ios[i], &plan[i]);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		if (plan[i].rmw)
			continue;
		map[m] = i;
		raw[m++] = plan[i].raw;
	}
	ran = 1;
	if (m)
		f->raw_submit(dev, raw, m);
	for (i = 0; i < m; i++) {
		struct vmfs_dev_io *io = &ios[map[i]];
		struct plan *p = &plan[map[i]];

		io->result = raw[i].result;
		if (!io->result && p->bounce && io->op == VMFS_IO_READ)
			memcpy(io->buf, (char *)p->bounce + (io->off - p->raw.off), io->len);
	}
	for (i = 0; i < n; i++)
		if (plan[i].rmw)
			ios[i].result = rmw_write(dev, ios[i].buf, ios[i].len, ios[i].off);
	for (i = 0; i < n && !err; i++)
		err = ios[i].result;
out:
	for (i = 0; !ran && i < n; i++)	/* nothing ran: say so in every result */
		ios[i].result = err;
	for (i = 0; plan && i < n; i++)
		free(plan[i].bounce);
	free(map);
	free(raw);
	free(plan);
	return err;
}

int vmfs_fdev_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (!io_aligned(dev, ios[i].buf, ios[i].len, ios[i].off))
			return run_planned(dev, ios, n);
	return vmfs_fdev(dev)->raw_submit(dev, ios, n);
}

int vmfs_fdev_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	struct vmfs_dev_io io = { VMFS_IO_READ, buf, len, off, 0 };

	vmfs_fdev_submit(dev, &io, 1);
	return io.result;
}

int vmfs_fdev_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	struct vmfs_dev_io io = { VMFS_IO_WRITE, (void *)buf, len, off, 0 };

	vmfs_fdev_submit(dev, &io, 1);
	return io.result;
}
