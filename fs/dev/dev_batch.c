/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bookkeeping of one batch on an async backend (docs/FORMAT.md "Devices"):
 * which I/Os still have to be issued, how far each got, and what a
 * completion means. Shared by io_uring and libaio so both treat short
 * transfers, EAGAIN/EINTR and end of file the same way.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dev/dev_priv.h"

/* Returns 0 with every non-empty I/O on the todo stack, or -ENOMEM. */
int vmfs_batch_init(struct vmfs_batch *b, struct vmfs_dev_io *ios, unsigned n)
{
	unsigned i;

	b->ios = ios;
	b->n = n;
	b->inflight = 0;
	b->done = b->done_inline;
	b->todo = b->todo_inline;
	if (n > VMFS_BATCH_INLINE) {
		b->done = calloc(n, sizeof(*b->done));
		b->todo = calloc(n, sizeof(*b->todo));
		if (!b->done || !b->todo) {
			vmfs_batch_fini(b);
			return -ENOMEM;
		}
	}
	/* Stack: push in reverse so the I/Os are issued in batch order. */
	b->ntodo = 0;
	for (i = n; i-- > 0;) {
		b->done[i] = 0;
		ios[i].result = 0;
		if (ios[i].len)		/* nothing to move: already complete */
			b->todo[b->ntodo++] = i;
	}
	return 0;
}

void vmfs_batch_fini(struct vmfs_batch *b)
{
	if (b->done != b->done_inline)
		free(b->done);
	if (b->todo != b->todo_inline)
		free(b->todo);
	b->done = NULL;
	b->todo = NULL;
}

/*
 * vmfs_batch_complete - account the completion of I/O @i, which moved @res
 * bytes or failed with -errno. Requeues the rest after a short transfer or
 * a transient error; a read that meets end of file is zero filled.
 */
void vmfs_batch_complete(struct vmfs_batch *b, unsigned i, long res)
{
	struct vmfs_dev_io *io = &b->ios[i];

	b->inflight--;
	if (res == -EAGAIN || res == -EINTR) {
		b->todo[b->ntodo++] = i;
		return;
	}
	if (res < 0) {
		io->result = (int)res;
		return;
	}
	if (res == 0) {
		if (io->op == VMFS_IO_READ)
			memset((char *)io->buf + b->done[i], 0, io->len - b->done[i]);
		else
			io->result = -EIO;
		return;
	}
	b->done[i] += (size_t)res;
	if (b->done[i] < io->len)
		b->todo[b->ntodo++] = i;
}

int vmfs_batch_first_error(const struct vmfs_batch *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		if (b->ios[i].result)
			return b->ios[i].result;
	return 0;
}
