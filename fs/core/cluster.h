/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Several hosts on one volume (docs/LOCKING.md "Coherence"): the volume
 * lock as the right to read and change shared metadata, kept between
 * operations and handed over when another host waits for it; file locks
 * taken for open files; and dropping what this host cached whenever
 * another host may have changed it.
 */
#ifndef VMFS_CORE_CLUSTER_H
#define VMFS_CORE_CLUSTER_H

#include "fs/core/vol.h"
#include "lockmgr/lm.h"

struct vmfs_cluster {
	struct lm_hb *hb;
	bool held;			/* we hold the volume lock on disk */
	uint64_t left_version;		/* record version we left at our last release */
	bool left_valid;
	uint32_t wait_ms;		/* give up waiting for the volume lock after this */
	/* Serialises acquiring the volume lock without holding vol->lock. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool acquiring;
	/* Descriptors whose lock on disk differs from what their opens need. */
	struct vmfs_inode **pend;
	size_t npend, cap;
	/* The keeper thread: hands the volume lock over, syncs file locks. */
	pthread_t keeper;
	bool keeper_running, stop;
	pthread_cond_t stop_cv;
	uint64_t takes;			/* times we took the volume lock: lk_free_take counts in these */
	uint64_t shared_ms;		/* when another host last used the volume lock */
	uint64_t taken_ms, used_ms;	/* when we took the volume lock; last used it */
	/* Resource groups whose lock we hold (rglock.c). */
	uint64_t *held_rgs;
	size_t nheld_rgs, cap_rgs;
	bool recovering;		/* vmfs_cluster_recover runs */
	bool self_recovered;		/* our slot's last incarnation is recovered */
};

void vmfs_cluster_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Under vol->lock: another host changed metadata; decode what is shared again. */
void vmfs_cluster_forget_decoded(struct vmfs_vol *vol);
/* Under vol->lock, before this host gives up a lock: all its changes durable at home. */
int vmfs_cluster_write_back(struct vmfs_vol *vol);
/* recover.c */
int vmfs_cluster_journal_start(struct vmfs_vol *vol);
int vmfs_recover_slot_hook(void *arg, const struct vmfs_heartbeat *old);
/* Under vol->lock, after breaking a lock of @dead: recover what it held (recover.c). */
int vmfs_cluster_recover(struct vmfs_vol *vol, struct lm_lock_owner dead);

int vmfs_cluster_start(struct vmfs_vol *vol, struct lm_hb *hb);
int vmfs_cluster_stop(struct vmfs_vol *vol);

/*
 * vmfs_vol_lock - take vol->lock with the right to read and change shared
 * metadata: on a multi-host volume, the volume lock is held on disk when
 * this returns 0. On error vol->lock is not held.
 * vmfs_vol_lock_local - vol->lock only: for what this host alone owns
 * (data and attributes of files it holds locked).
 */
int vmfs_vol_lock(struct vmfs_vol *vol);
static inline void vmfs_vol_lock_local(struct vmfs_vol *vol)
{
	pthread_mutex_lock(&vol->lock);
}
static inline void vmfs_vol_unlock(struct vmfs_vol *vol)
{
	/* Between operations: write back before a transaction outgrows the journal. */
	if (vol->jnl && vol->bc.ndirty >= vmfs_jnl_capacity(vol) / 2)
		vmfs_bc_flush(vol);	/* a failure is kept in vol->err */
	pthread_mutex_unlock(&vol->lock);
}

/* Under vol->lock, read-only mounts: look at what writers changed now (an open). */
void vmfs_cluster_ro_recheck(struct vmfs_vol *vol);

/* Has another host used the volume lock in the last SHARED_WINDOW_MS (or may it: read-only)? */
#define VMFS_SHARED_WINDOW_MS 10000
static inline bool vmfs_cluster_shared(const struct vmfs_vol *vol)
{
	const struct vmfs_cluster *cl = vol->cl;

	if (vol->ro_watch)
		return true;	/* a read-only mount always shares with unknown writers */
	return cl && cl->shared_ms &&
	       lm_now_ms() - __atomic_load_n(&cl->shared_ms, __ATOMIC_RELAXED) <
	       VMFS_SHARED_WINDOW_MS;
}

/* Under vmfs_vol_lock: an open for reading or writing (-EBUSY: locked by another host). */
int vmfs_cluster_open(struct vmfs_vol *vol, struct vmfs_inode *ip, bool write);
/* Under vol->lock: the matching close. */
int vmfs_cluster_close(struct vmfs_vol *vol, struct vmfs_inode *ip, bool write);
/* Under vol->lock: may @ino be read without the volume lock (we hold its file lock)? */
bool vmfs_cluster_owns(struct vmfs_vol *vol, uint64_t ino);
/* Under vol->lock, before @ip's descriptor is freed: give up its lock. */
int vmfs_cluster_forget(struct vmfs_vol *vol, struct vmfs_inode *ip);
/* Under vmfs_vol_lock: may this host change @ip's descriptor? 0 or -EBUSY. */
int vmfs_cluster_may_change(struct vmfs_vol *vol, struct vmfs_inode *ip);

#endif
