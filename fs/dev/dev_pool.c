/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Pool of async I/O contexts (io_uring rings, libaio contexts) for one
 * device (docs/FORMAT.md "Devices"). The FUSE daemon calls in from many
 * threads; each call borrows an idle context for the length of one batch,
 * so a context never has two users and needs no lock while in use. The
 * pool grows to the peak number of concurrent callers; when the kernel
 * refuses another context, callers wait for one to come back instead.
 */
#include <errno.h>
#include <pthread.h>

#include "fs/dev/dev_priv.h"

int vmfs_pool_init(struct vmfs_pool *p, int (*create)(struct vmfs_pool_item **out),
		   void (*destroy)(struct vmfs_pool_item *item))
{
	int err;

	p->idle = NULL;
	p->live = 0;
	p->create = create;
	p->destroy = destroy;
	err = pthread_mutex_init(&p->lock, NULL);
	if (err)
		return -err;
	err = pthread_cond_init(&p->returned, NULL);
	if (err) {
		pthread_mutex_destroy(&p->lock);
		return -err;
	}
	return 0;
}

/*
 * vmfs_pool_get - borrow a context: an idle one, else a new one, else wait
 * for one to be returned. Returns 0 with *@out set, or the create error
 * when no context exists at all.
 */
int vmfs_pool_get(struct vmfs_pool *p, struct vmfs_pool_item **out)
{
	struct vmfs_pool_item *item = NULL;
	int err = 0;

	pthread_mutex_lock(&p->lock);
	if (!p->idle) {
		p->live++;		/* reserve the slot before creating unlocked */
		pthread_mutex_unlock(&p->lock);
		err = p->create(&item);
		pthread_mutex_lock(&p->lock);
		if (!err)
			goto out;
		p->live--;
	}
	while (!p->idle && p->live)
		pthread_cond_wait(&p->returned, &p->lock);
	if (p->idle) {
		item = p->idle;
		p->idle = item->next;
		err = 0;
	}
out:
	pthread_mutex_unlock(&p->lock);
	*out = item;
	return err;
}

void vmfs_pool_put(struct vmfs_pool *p, struct vmfs_pool_item *item)
{
	pthread_mutex_lock(&p->lock);
	item->next = p->idle;
	p->idle = item;
	pthread_cond_signal(&p->returned);
	pthread_mutex_unlock(&p->lock);
}

/* Destroy a borrowed context that can no longer be trusted. */
void vmfs_pool_drop(struct vmfs_pool *p, struct vmfs_pool_item *item)
{
	p->destroy(item);
	pthread_mutex_lock(&p->lock);
	p->live--;
	pthread_cond_broadcast(&p->returned);	/* waiters may now create or fail */
	pthread_mutex_unlock(&p->lock);
}

/* Destroy every context; none may be borrowed. */
void vmfs_pool_fini(struct vmfs_pool *p)
{
	struct vmfs_pool_item *item;

	while ((item = p->idle)) {
		p->idle = item->next;
		p->destroy(item);
	}
	pthread_cond_destroy(&p->returned);
	pthread_mutex_destroy(&p->lock);
}
