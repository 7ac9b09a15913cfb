/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lifetime of the state shared by the descriptor-backed devices (file,
 * io_uring, libaio; docs/FORMAT.md "Devices"): the raw I/O entry point the
 * backend provides, the caw mutex and the partial-sector RMW stripe locks.
 */
#include <errno.h>
#include <pthread.h>

#include "fs/dev/dev_priv.h"

/* Returns 0 or -errno; on failure nothing is left initialised. */
int vmfs_fdev_init(struct vmfs_fdev *f, vmfs_raw_submit_fn raw_submit)
{
	unsigned i;
	int err;

	f->raw_submit = raw_submit;
	err = pthread_mutex_init(&f->caw_lock, NULL);
	if (err)
		return -err;
	for (i = 0; i < VMFS_DEV_STRIPES; i++) {
		err = pthread_mutex_init(&f->stripe[i], NULL);
		if (err)
			goto out_unwind;
	}
	return 0;

out_unwind:
	while (i--)
		pthread_mutex_destroy(&f->stripe[i]);
	pthread_mutex_destroy(&f->caw_lock);
	return -err;
}

void vmfs_fdev_destroy(struct vmfs_fdev *f)
{
	unsigned i;

	for (i = 0; i < VMFS_DEV_STRIPES; i++)
		pthread_mutex_destroy(&f->stripe[i]);
	pthread_mutex_destroy(&f->caw_lock);
}
