/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the device backends (docs/FORMAT.md "Devices"): the
 * state every descriptor-backed device (file, io_uring, libaio) carries in
 * front of its own, the O_DIRECT bounce and read-modify-write layer, the
 * file compare-and-write, the pool of per-caller async contexts and the
 * batch bookkeeping the async backends share. Nothing here is public API.
 */
#ifndef VMFS_DEV_PRIV_H
#define VMFS_DEV_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/dev/dev.h"

#define VMFS_DEV_STRIPES	64	/* partial-sector RMW locks per device */
#define VMFS_DEV_QDEPTH		64	/* I/Os in flight per ring / aio context */
#define VMFS_DEV_MAX_PIECE	(1u << 30)	/* longest single async transfer */

/* Runs @n I/Os that are already aligned when the device is O_DIRECT. */
typedef int (*vmfs_raw_submit_fn)(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n);

/*
 * First member of the private state of every descriptor-backed device, so
 * dev->priv can be read as a struct vmfs_fdev by the shared code.
 */
struct vmfs_fdev {
	vmfs_raw_submit_fn raw_submit;
	/* Serialises caw between threads (the OFD lock only excludes other
	 * open file descriptions, i.e. other processes). */
	pthread_mutex_t caw_lock;
	/* stripe[sector % VMFS_DEV_STRIPES] is held across the read-modify-
	 * write of a partially written sector on an O_DIRECT device. */
	pthread_mutex_t stripe[VMFS_DEV_STRIPES];
};

static inline struct vmfs_fdev *vmfs_fdev(const struct vmfs_dev *dev)
{
	return dev->priv;
}

/* dev.c */
int vmfs_dev_submit_loop(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n);

/* dev_fdev.c: lifetime of the shared state. */
int vmfs_fdev_init(struct vmfs_fdev *f, vmfs_raw_submit_fn raw_submit);
void vmfs_fdev_destroy(struct vmfs_fdev *f);

/* dev_align.c: any buffer, offset and length over a raw_submit. */
int vmfs_fdev_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off);
int vmfs_fdev_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off);
int vmfs_fdev_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n);

/* dev_file.c */
int vmfs_pio_full(int fd, struct vmfs_dev_io *io);
int vmfs_fdev_flush(struct vmfs_dev *dev);
int vmfs_fdev_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len);
int vmfs_file_attach(struct vmfs_dev *dev);

/* dev_caw.c */
int vmfs_fdev_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		  const void *newdata, void *current);

/* dev_uring.c, dev_aio.c: 0, or -errno when the kernel refuses. */
int vmfs_uring_attach(struct vmfs_dev *dev);
int vmfs_aio_attach(struct vmfs_dev *dev);

/*
 * dev_pool.c: idle async contexts (rings, aio contexts). A caller takes
 * one for the length of a batch, so each context has one user at a time
 * and the pool grows to the peak number of concurrent callers.
 */
struct vmfs_pool_item {
	struct vmfs_pool_item *next;
};
struct vmfs_pool {
	pthread_mutex_t lock;		/* protects idle and live */
	pthread_cond_t returned;	/* signalled when an item goes back to idle */
	struct vmfs_pool_item *idle;
	unsigned live;			/* created and not yet destroyed */
	int (*create)(struct vmfs_pool_item **out);
	void (*destroy)(struct vmfs_pool_item *item);
};
int vmfs_pool_init(struct vmfs_pool *p, int (*create)(struct vmfs_pool_item **out),
		   void (*destroy)(struct vmfs_pool_item *item));
int vmfs_pool_get(struct vmfs_pool *p, struct vmfs_pool_item **out);
void vmfs_pool_put(struct vmfs_pool *p, struct vmfs_pool_item *item);
void vmfs_pool_drop(struct vmfs_pool *p, struct vmfs_pool_item *item);
void vmfs_pool_fini(struct vmfs_pool *p);

/*
 * dev_batch.c: progress of a batch on an async backend. Every I/O is
 * either on the todo stack, in flight, or finished with ->result set;
 * short transfers go back on the stack for the remainder.
 */
#define VMFS_BATCH_INLINE 8
struct vmfs_batch {
	struct vmfs_dev_io *ios;
	unsigned n;
	size_t *done;		/* bytes moved so far, per I/O */
	unsigned *todo;		/* indices waiting to be (re)issued */
	unsigned ntodo;
	unsigned inflight;
	size_t done_inline[VMFS_BATCH_INLINE];
	unsigned todo_inline[VMFS_BATCH_INLINE];
};
int vmfs_batch_init(struct vmfs_batch *b, struct vmfs_dev_io *ios, unsigned n);
void vmfs_batch_fini(struct vmfs_batch *b);
void vmfs_batch_complete(struct vmfs_batch *b, unsigned i, long res);
int vmfs_batch_first_error(const struct vmfs_batch *b);

#endif
