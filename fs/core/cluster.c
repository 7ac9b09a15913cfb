// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Several hosts on one volume (docs/LOCKING.md "Coherence").
 *
 * The volume lock (mblock 1) is the right to read and change shared
 * metadata: directories, descriptors of files not locked by this host,
 * bitmaps and group headers. A host takes it at its first operation and
 * keeps it; when another host waits for it (want_slot in the record), the
 * keeper thread, once this host has not used it for IDLE_HANDOVER_MS or
 * has had it for HOLD_QUANTUM_MS, writes back every dirty block, flushes
 * the device and releases it. Whoever takes it next and finds that another
 * host had it in between drops every clean cached block, every group
 * header and every descriptor it does not hold locked, and reads them
 * again.
 *
 * File locks: an open takes the descriptor's lock (exclusive for writing,
 * read-only shared otherwise). While this host holds the volume lock no
 * other host can look at a file lock, so an open only checks the record
 * and the compare-and-write is done later by the keeper, and always before
 * the volume lock is released; a file opened and closed in between never
 * costs a lock write. Releases are written at close when this host does not
 * hold the volume lock (another host may be waiting to open the file).
 * Data and attributes of a file locked by this host change under vol->lock
 * alone (vmfs_vol_lock_local): no other host can touch them.
 *
 * Read-only mounts take no lock at all: they forget their caches now and
 * then (ro_revalidate) and read what the writers have written back.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>

#include "fs/core/cluster.h"

#define KEEPER_TICK_MS 1		/* how often a holder looks for a waiter... */
#define KEEPER_IDLE_TICK_MS 5		/* ... and when no other host was seen for a while */
#define IDLE_HANDOVER_MS 5		/* unused this long: hand over at once */
#define HOLD_QUANTUM_MS 50		/* in use: keep it this long after taking it */
#define SYNC_EVERY_MS 100		/* file locks written about this often */
#define WAITER_NAP_MS 2			/* the named waiter's polling, at most */
#define OTHER_NAP_MS 32			/* other waiters', at most */
#define VMFS_RO_RECHECK_MS 1000	/* read-only mounts: the attribute timeout */
#define GROUP_POLL_MS 10		/* groups we hold: does another host wait for one? */
#define GROUP_IDLE_POLL_MS 100		/* ... when no other host was seen for a while */

void vmfs_cluster_log(int prio, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	syslog(prio, "%s", msg);
	fprintf(stderr, "mount.vmfs: %s\n", msg);
}

static uint32_t need_mode(const struct vmfs_inode *ip)
{
	if (vmfs_is_multiwriter(ip))
		return ip->nopen ? VMFS_LOCK_M_MW : VMFS_LOCK_M_FREE;
	if (ip->nopen_w)
		return VMFS_LOCK_M_EXCL;
	return ip->nopen ? VMFS_LOCK_M_RO : VMFS_LOCK_M_FREE;
}

static int pend_add(struct vmfs_cluster *cl, struct vmfs_inode *ip)
{
	struct vmfs_inode **p;

	if (ip->lk_queued)
		return 0;
	p = vmfs_grow(cl->pend, cl->npend, &cl->cap, sizeof(*p), 64);
	if (!p)
		return -ENOMEM;
	cl->pend = p;
	cl->pend[cl->npend++] = ip;
	ip->lk_queued = true;
	ip->lk_queued_ms = lm_now_ms();
	return 0;
}

static void pend_remove(struct vmfs_cluster *cl, struct vmfs_inode *ip)
{
	size_t i;

	for (i = 0; ip->lk_queued && i < cl->npend; i++) {
		if (cl->pend[i] == ip) {
			cl->pend[i] = cl->pend[--cl->npend];
			ip->lk_queued = false;
		}
	}
}

/*
 * We broke the lock of @ip held by the dead host @dead: recover that host,
 * then check what it may have been changing, the file's extent map, before
 * anything uses it. A map that does not hold together fails with -EIO
 * (the file needs fsck.vmfs), whatever else works on.
 */
static int recover_file(struct vmfs_vol *vol, struct vmfs_inode *ip, struct lm_lock_owner dead)
{
	int err;

	vmfs_cluster_log(LOG_WARNING, "broke the lock of descriptor %" PRIu64 " held by the dead "
			 "host of heartbeat slot %u", ip->ino, dead.slot);
	err = vmfs_cluster_recover(vol, dead);
	if (!err)	/* its journal may have brought a newer copy of the descriptor */
		err = vmfs_inode_reload(vol, ip);
	if (!err && S_ISREG(ip->d.mode) && ip->d.data_fmt == VMFS_FMT_BTREE) {
		err = vmfs_ext_verify(vol, ip);
		if (err) {
			vmfs_cluster_log(LOG_ERR, "descriptor %" PRIu64 ", left by a dead host, has a "
					 "broken extent map (%s): run fsck.vmfs", ip->ino,
					 strerror(-err));
			err = -EIO;
		}
	}
	return err;
}

/*
 * Make @ip's lock on disk what its opens need. Taking or changing a place
 * needs the volume lock (other hosts look at file locks only while they
 * hold it); giving one up does not, once the file's changes are written.
 */
static int sync_one(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_cluster *cl = vol->cl;
	uint32_t need = need_mode(ip);
	uint64_t blk = ip->ino - 1;
	struct lm_lock_owner broken;
	struct vmfs_lock held;
	int err;

	if (need == ip->lk_disk)
		return 0;
	if (need == VMFS_LOCK_M_FREE) {
		/*
		 * Whoever opens it next reads what we wrote: now, unless we hold
		 * the volume lock, which the opener must take first (the
		 * handover writes everything back).
		 */
		err = cl->held ? 0 : vmfs_cluster_write_back(vol);
		if (!err)
			err = lm_lock_release(cl->hb, blk, NULL);
		if (!err)
			ip->lk_disk = VMFS_LOCK_M_FREE;
		return err;
	}
	if (!cl->held)
		return -EAGAIN;
	/* A descriptor created here has its free record still in our cache. */
	err = vmfs_bc_flush_one(vol, blk);
	if (err)
		return err;
	vmfs_bc_forget(vol, blk);	/* the record is lockmgr's from now on */
	err = lm_lock_acquire(cl->hb, blk, VMFS_LOCK_T_DESC, ip->ino, need, &held, &broken);
	if (err)
		return err;
	ip->lk_disk = need;
	if (broken.slot != LM_NOBODY)
		err = recover_file(vol, ip, broken);
	return err;
}

/*
 * Write the pending file locks that can be written now; the first error.
 * Unless @all, a lock is taken only for a file open for SYNC_EVERY_MS
 * already: most opens are shorter, and cost no lock write at all.
 */
static int sync_pending(struct vmfs_vol *vol, bool all)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t now = lm_now_ms();
	bool taken = false;
	int err = 0, e;
	size_t i = 0;

	while (i < cl->npend) {
		struct vmfs_inode *ip = cl->pend[i];
		uint32_t before = ip->lk_disk;

		if (!all && need_mode(ip) != VMFS_LOCK_M_FREE &&
		    now - ip->lk_queued_ms < SYNC_EVERY_MS) {
			i++;
			continue;
		}
		e = sync_one(vol, ip);
		taken |= !e && before == VMFS_LOCK_M_FREE && ip->lk_disk != VMFS_LOCK_M_FREE;
		if (e == -EAGAIN) {
			i++;
			continue;
		}
		if (e && e != -ESTALE)
			vmfs_cluster_log(LOG_ERR, "cannot write the lock of descriptor %" PRIu64 ": %s",
			       ip->ino, strerror(-e));
		err = err ? err : e;
		cl->pend[i] = cl->pend[--cl->npend];
		ip->lk_queued = false;
		if (!e && ip->d.nlink)	/* never a delete here: that needs the volume lock */
			vmfs_inode_maybe_drop(vol, ip);
	}
	/* So that a lock seen on disk (vmfsctl locks) comes with the file's name. */
	if (taken && cl->held) {
		e = vmfs_bc_flush(vol);
		err = err ? err : e;
	}
	return err;
}

/* Another host had the volume lock: nothing we cached of its metadata is known good. */
static void drop_shared_caches(struct vmfs_vol *vol)
{
	vmfs_bc_drop_clean(vol);
	vmfs_cluster_forget_decoded(vol);
}

/*
 * Another host changed metadata (under vol->lock): what we decoded of it,
 * the headers of groups we do not hold, the free count and descriptors we
 * do not hold locked, is read again when next used.
 */
void vmfs_cluster_forget_decoded(struct vmfs_vol *vol)
{
	uint64_t i;

	for (i = 0; i < vol->vh.rg_count; i++)
		vol->rgs[i].loaded &= vol->rgs[i].held;	/* ours: nobody else changed them */
	vol->free_known = false;
	vol->epoch++;
}

/*
 * Everything this host changed durable at home and, with a journal, the
 * journal checkpointed: after this, no replay of ours can write over what
 * another host changes under a lock we give up.
 */
int vmfs_cluster_write_back(struct vmfs_vol *vol)
{
	int err = vmfs_bc_flush(vol);

	if (!err)
		err = vol->jnl ? vmfs_jnl_checkpoint(vol) : vmfs_dev_flush(vol->dev);
	return err;
}

/* Under vol->lock: write everything back and give the volume lock up. */
static int hand_over(struct vmfs_vol *vol)
{
	struct vmfs_cluster *cl = vol->cl;
	struct vmfs_lock after;
	int err;

	if (!cl->held)
		return 0;
	err = vmfs_bc_flush(vol);
	if (!err)
		sync_pending(vol, true);	/* failures are logged; they must not wedge the volume */
	if (!err)
		err = vmfs_cluster_write_back(vol);
	if (err) {
		/* Keep it: releasing now would show others half of our changes. */
		vmfs_cluster_log(LOG_ERR, "cannot write metadata back before handing the volume lock over: "
		       "%s", strerror(-err));
		return err;
	}
	err = lm_lock_release(cl->hb, VMFS_VOLLOCK_BLK, &after);
	if (err)
		return err;
	__atomic_store_n(&cl->held, false, __ATOMIC_RELAXED);	/* the keeper peeks */
	__atomic_store_n(&cl->shared_ms, lm_now_ms(), __ATOMIC_RELAXED);
	cl->left_version = after.version;
	cl->left_valid = true;
	return 0;
}

/*
 * Take the volume lock on disk, waiting for its holder to hand it over.
 * Among many hosts one waits its turn for a while (one waiter is named at
 * a time); it gives up only when the lock stops changing hands for
 * wait_ms (a holder that neither works nor dies nor lets go).
 */
static int take_volume_lock(struct vmfs_vol *vol, struct vmfs_lock *held,
			    struct lm_lock_owner *broken)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t start = lm_now_ms(), nap = 1, seen = UINT64_MAX;
	bool wanting = false;
	int err;

	for (;;) {
		err = lm_lock_acquire(cl->hb, VMFS_VOLLOCK_BLK, VMFS_LOCK_T_VOLUME, 0,
				      VMFS_LOCK_M_EXCL, held, broken);
		if (err != -EBUSY)
			break;
		if (!wanting && lm_lock_want(cl->hb, VMFS_VOLLOCK_BLK, true) == 0) {
			wanting = true;
			nap = 1;
		}
		if (held->version != seen) {	/* it moves: our turn will come */
			seen = held->version;
			start = lm_now_ms();
		}
		if (lm_now_ms() - start > cl->wait_ms) {
			vmfs_cluster_log(LOG_ERR, "gave up waiting %u ms for the volume lock", cl->wait_ms);
			break;
		}
		lm_sleep_ms(nap);
		/*
		 * The named waiter is served next: it looks often. The others
		 * (with many hosts, most of them) only need to see it free and
		 * name themselves: polling fast would load the holder's disk.
		 */
		if (nap < (wanting ? WAITER_NAP_MS : OTHER_NAP_MS))
			nap *= 2;
		if (wanting && nap > WAITER_NAP_MS)
			nap = WAITER_NAP_MS;
	}
	if (err && wanting)
		lm_lock_want(cl->hb, VMFS_VOLLOCK_BLK, false);
	return err;
}

/*
 * Under vol->lock, on a read-only mount: at most once a second (and at
 * every open), forget every cached block and descriptor. Writers keep the
 * volume lock while they write back, so no version on disk tells a reader
 * that anything changed; it reads again what writers have written back
 * (at fsync, every 5 s, at every handover). Reads race with a writer's
 * write-back, which a read-only mount cannot stop (docs/LOCKING.md).
 */
static void ro_revalidate(struct vmfs_vol *vol)
{
	uint64_t now = lm_now_ms();

	if (vol->ro_checked_ms && now - vol->ro_checked_ms < VMFS_RO_RECHECK_MS)
		return;
	vol->ro_checked_ms = now;
	drop_shared_caches(vol);
}

void vmfs_cluster_ro_recheck(struct vmfs_vol *vol)
{
	if (vol->ro_watch) {
		vol->ro_checked_ms = 0;
		ro_revalidate(vol);
	}
}

int vmfs_vol_lock(struct vmfs_vol *vol)
{
	struct vmfs_cluster *cl = vol->cl;
	struct lm_lock_owner broken;
	struct vmfs_lock held;
	int err;

	for (;;) {
		pthread_mutex_lock(&vol->lock);
		if (!cl && vol->ro_watch)
			ro_revalidate(vol);
		if (!cl)
			return 0;
		if (cl->held) {
			__atomic_store_n(&cl->used_ms, lm_now_ms(), __ATOMIC_RELAXED);
			return 0;
		}
		pthread_mutex_unlock(&vol->lock);

		pthread_mutex_lock(&cl->mu);
		if (cl->acquiring) {
			while (cl->acquiring)
				pthread_cond_wait(&cl->cv, &cl->mu);
			pthread_mutex_unlock(&cl->mu);
			continue;
		}
		cl->acquiring = true;
		pthread_mutex_unlock(&cl->mu);

		err = vmfs_vol_gate(vol);
		if (!err)
			err = take_volume_lock(vol, &held, &broken);
		if (!err) {
			pthread_mutex_lock(&vol->lock);
			if (!cl->left_valid || held.version != cl->left_version + 1) {
				drop_shared_caches(vol);
				if (cl->left_valid)	/* not our first take: someone else had it */
					__atomic_store_n(&cl->shared_ms, lm_now_ms(),
							 __ATOMIC_RELAXED);
			}
			__atomic_store_n(&cl->held, true, __ATOMIC_RELAXED);
			cl->takes++;
			cl->taken_ms = lm_now_ms();
			if (broken.slot != LM_NOBODY) {
				vmfs_cluster_log(LOG_WARNING, "took the volume lock from the dead host "
						 "of heartbeat slot %u", broken.slot);
				vmfs_cluster_recover(vol, broken);	/* logs its own failure */
			}
			pthread_mutex_unlock(&vol->lock);
		}
		pthread_mutex_lock(&cl->mu);
		cl->acquiring = false;
		pthread_cond_broadcast(&cl->cv);
		pthread_mutex_unlock(&cl->mu);
		if (err)
			return err == -ESTALE ? -EIO : err;
	}
}

/*
 * Under the volume lock: could this host take @ip's lock in @mode? Another
 * host takes a file lock only while it holds the volume lock, so a lock
 * seen free (or made here) since we took the volume lock is still free.
 */
static int lock_free_now(struct vmfs_vol *vol, struct vmfs_inode *ip, uint32_t mode)
{
	struct vmfs_cluster *cl = vol->cl;
	struct lm_lock_owner dead = { .slot = LM_NOBODY };
	int err;

	if (ip->lk_free_take == cl->takes)
		return 0;
	/* A descriptor created here and not written yet: nobody else knows it. */
	err = vmfs_bc_is_dirty(vol, ip->ino - 1) ? 0 :
	      lm_lock_check(cl->hb, ip->ino - 1, mode, &dead);
	if (!err && dead.slot != LM_NOBODY) {
		/* A dead host's lock: break it and recover before anyone uses the file. */
		struct vmfs_lock held;

		err = lm_lock_acquire(cl->hb, ip->ino - 1, VMFS_LOCK_T_DESC, ip->ino,
				      VMFS_LOCK_M_EXCL, &held, &dead);
		if (!err && dead.slot != LM_NOBODY)
			err = recover_file(vol, ip, dead);
		if (!err)
			err = lm_lock_release(cl->hb, ip->ino - 1, NULL);
		if (err == -ESTALE)
			err = -EIO;
	}
	if (!err && mode == VMFS_LOCK_M_EXCL)
		ip->lk_free_take = cl->takes;
	return err;
}

int vmfs_cluster_open(struct vmfs_vol *vol, struct vmfs_inode *ip, bool write)
{
	struct vmfs_cluster *cl = vol->cl;
	uint32_t need;
	int err;

	ip->nopen++;
	ip->nopen_w += write;
	if (!cl)
		return 0;
	need = need_mode(ip);
	if (need == ip->lk_disk || (ip->lk_disk == VMFS_LOCK_M_EXCL))
		return 0;
	err = lock_free_now(vol, ip, need);
	if (!err)
		err = pend_add(cl, ip);
	if (err) {
		ip->nopen--;
		ip->nopen_w -= write;
	}
	return err;
}

int vmfs_cluster_close(struct vmfs_vol *vol, struct vmfs_inode *ip, bool write)
{
	struct vmfs_cluster *cl = vol->cl;
	int err;

	if (ip->nopen)
		ip->nopen--;
	if (write && ip->nopen_w)
		ip->nopen_w--;
	if (!cl || need_mode(ip) == ip->lk_disk)
		return 0;
	if (ip->lk_disk != VMFS_LOCK_M_FREE && need_mode(ip) == VMFS_LOCK_M_FREE && !cl->held) {
		/* Another host may be waiting to open it: release now. */
		pend_remove(cl, ip);
		err = sync_one(vol, ip);
		if (err != -ESTALE)
			return err;
	}
	return pend_add(cl, ip);
}

int vmfs_cluster_may_change(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_cluster *cl = vol->cl;

	/* Directories are never locked by an open. */
	if (!cl || S_ISDIR(ip->d.mode) || ip->lk_disk == VMFS_LOCK_M_EXCL)
		return 0;
	return lock_free_now(vol, ip, VMFS_LOCK_M_EXCL);
}

bool vmfs_cluster_owns(struct vmfs_vol *vol, uint64_t ino)
{
	struct vmfs_inode *ip;

	if (!vol->cl)
		return !vol->ro_watch;	/* a read-only mount revalidates in vmfs_vol_lock */
	if (vol->cl->held)
		return true;
	ip = vmfs_inode_peek(vol, ino);
	return ip && ip->lk_disk != VMFS_LOCK_M_FREE;
}

int vmfs_cluster_forget(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_cluster *cl = vol->cl;
	int err = 0;

	if (!cl)
		return 0;
	pend_remove(cl, ip);
	if (ip->lk_disk != VMFS_LOCK_M_FREE)
		err = lm_lock_release(cl->hb, ip->ino - 1, NULL);
	ip->lk_disk = VMFS_LOCK_M_FREE;
	return err == -ESTALE ? 0 : err;
}

/* Should the holder give the volume lock up now? Reads the record when it might. */
static bool waiter_served(struct vmfs_cluster *cl, uint64_t now)
{
	uint64_t used = __atomic_load_n(&cl->used_ms, __ATOMIC_RELAXED);

	/*
	 * A waiter gets the lock as soon as we stop using it, or after a
	 * quantum: a handover costs a write-back and two compare-and-writes,
	 * so hosts that both keep working take turns of HOLD_QUANTUM_MS
	 * rather than one operation each.
	 */
	if (now - used < IDLE_HANDOVER_MS && now - cl->taken_ms < HOLD_QUANTUM_MS)
		return false;
	return lm_lock_wanted(cl->hb, VMFS_VOLLOCK_BLK) == 1;
}

static void *keeper_main(void *arg)
{
	struct vmfs_vol *vol = arg;
	struct vmfs_cluster *cl = vol->cl;
	uint64_t synced_ms = 0, groups_ms = 0, now;

	pthread_mutex_lock(&cl->mu);
	while (!cl->stop) {
		/* Poll fast only while other hosts are about (200 reads a second alone). */
		lm_cond_wait_ms(&cl->stop_cv, &cl->mu, vmfs_cluster_shared(vol) ? KEEPER_TICK_MS :
				KEEPER_IDLE_TICK_MS);
		if (cl->stop)
			break;
		pthread_mutex_unlock(&cl->mu);
		now = lm_now_ms();
		if (__atomic_load_n(&cl->held, __ATOMIC_RELAXED) && !cl->hb->fenced &&
		    lm_hb_may_write(cl->hb)) {
			bool hand = waiter_served(cl, now);

			if (hand || now - synced_ms >= SYNC_EVERY_MS) {
				pthread_mutex_lock(&vol->lock);
				if (hand)
					hand_over(vol);
				else if (cl->held)
					sync_pending(vol, false);
				pthread_mutex_unlock(&vol->lock);
				synced_ms = now;
			}
		}
		/* Groups: a host that waits for one holds the volume lock, so answer soon. */
		if (now - groups_ms >= (vmfs_cluster_shared(vol) ? GROUP_POLL_MS : GROUP_IDLE_POLL_MS) &&
		    __atomic_load_n(&cl->nheld_rgs, __ATOMIC_RELAXED) &&	/* a peek */
		    !cl->hb->fenced && lm_hb_may_write(cl->hb)) {
			pthread_mutex_lock(&vol->lock);
			vmfs_rg_give_back_some(vol, true, false);
			pthread_mutex_unlock(&vol->lock);
			groups_ms = now;
		}
		pthread_mutex_lock(&cl->mu);
	}
	pthread_mutex_unlock(&cl->mu);
	return NULL;
}

int vmfs_cluster_start(struct vmfs_vol *vol, struct lm_hb *hb)
{
	struct vmfs_cluster *cl;

	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->hb = hb;
	/* A dead holder is broken after a lease; a live one hands over in milliseconds. */
	cl->wait_ms = 2 * hb->lease_ms + 5000;
	pthread_mutex_init(&cl->mu, NULL);
	pthread_cond_init(&cl->cv, NULL);
	lm_cond_init_monotonic(&cl->stop_cv);
	pthread_mutex_lock(&vol->lock);
	vol->cl = cl;
	/* Hosts start allocating in different groups (affinity by slot). */
	vol->rg_home = ((uint64_t)hb->slot * 2654435761u) % vol->vh.rg_count;
	vol->rg_hint = vol->rg_home;
	/* Our slot's last incarnation crashed: recover what it held first. */
	if (hb->prev_state != VMFS_HB_FREE && hb->prev_gen)
		vmfs_cluster_recover(vol, (struct lm_lock_owner){ .slot = (uint16_t)hb->slot,
				     .hb_gen = (uint32_t)hb->prev_gen });
	cl->self_recovered = true;	/* a lock of it we break later needs nothing more */
	if (pthread_create(&cl->keeper, NULL, keeper_main, vol) == 0) {
		cl->keeper_running = true;
	} else {
		/* Without a keeper the volume lock would never be handed over. */
		vol->cl = NULL;
		pthread_cond_destroy(&cl->stop_cv);
		pthread_cond_destroy(&cl->cv);
		pthread_mutex_destroy(&cl->mu);
		free(cl);
	}
	pthread_mutex_unlock(&vol->lock);
	return vol->cl ? 0 : -EAGAIN;
}

/* Stop the keeper, write everything back, give every lock up. */
int vmfs_cluster_stop(struct vmfs_vol *vol)
{
	struct vmfs_cluster *cl = vol->cl;
	int err = 0;

	if (!cl)
		return 0;
	pthread_mutex_lock(&cl->mu);
	cl->stop = true;
	pthread_cond_signal(&cl->stop_cv);
	pthread_mutex_unlock(&cl->mu);
	if (cl->keeper_running)
		pthread_join(cl->keeper, NULL);
	pthread_mutex_lock(&vol->lock);
	if (!cl->hb->fenced) {
		err = hand_over(vol);
		if (!err)
			err = sync_pending(vol, true);
		if (!err)
			vmfs_rg_give_back_some(vol, false, true);
		if (!err && cl->nheld_rgs)
			err = -EIO;	/* logged: the groups stay locked until a host recovers us */
	}
	vol->cl = NULL;
	pthread_mutex_unlock(&vol->lock);
	free(cl->held_rgs);
	free(cl->pend);
	pthread_cond_destroy(&cl->stop_cv);
	pthread_cond_destroy(&cl->cv);
	pthread_mutex_destroy(&cl->mu);
	free(cl);
	return err;
}
