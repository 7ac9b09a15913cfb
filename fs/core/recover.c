// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Journals and the recovery of hosts that did not leave cleanly
 * (docs/LOCKING.md "Recovery", docs/FORMAT.md "Journal"): setting up this
 * host's journal at its first mount, replaying its own journal when it
 * takes back its slot after a crash, and recovering a dead host whose lock
 * another host broke: claim its slot, replay its journal, check the
 * resource groups it held, free its slot.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs/core/cluster.h"

#define JNL_MIN_MBLOCKS 1024		/* 4 MiB */
#define JNL_MAX_MBLOCKS 16384		/* 64 MiB */
#define RECOVER_TRIES 3

static void forget_block(void *arg, uint64_t blk)
{
	vmfs_bc_forget(arg, blk);
}

/* Under vol->lock: replay a host's journal; what it wrote home is read again. */
static int replay(struct vmfs_vol *vol, const struct vmfs_heartbeat *rec, unsigned slot)
{
	uint64_t n = 0;
	int err;

	err = vmfs_vol_gate(vol);
	if (!err)
		err = vmfs_jnl_replay(vol->dev, &vol->vh, rec->journal_start,
				      vmfs_jnl_txn_mblocks(rec->journal_mblocks), forget_block, vol,
				      &n);
	if (err) {
		vmfs_cluster_log(LOG_ERR, "replaying the journal of heartbeat slot %u failed: %s",
				 slot, strerror(-err));
		return err;
	}
	if (n) {
		vmfs_cluster_log(LOG_NOTICE, "replayed %" PRIu64 " metadata blocks from the journal "
				 "of heartbeat slot %u", n, slot);
		vmfs_cluster_forget_decoded(vol);	/* the blocks themselves were forgotten */
	}
	return 0;
}

/*
 * lm_hb_join's recover_hook: our slot (or a dead host's we take) was left
 * by an incarnation that did not unmount; before we claim it, replay the
 * journal it left. Called with @arg the volume, before any lock is taken.
 */
int vmfs_recover_slot_hook(void *arg, const struct vmfs_heartbeat *old)
{
	struct vmfs_vol *vol = arg;
	int err;

	pthread_mutex_lock(&vol->lock);
	err = replay(vol, old, (unsigned)(old->hdr.blkno - vol->vh.hb_start));
	pthread_mutex_unlock(&vol->lock);
	return err;
}

/* Claim the dead incarnation's slot; 1 when another host did the recovery. */
static int claim_for_recovery(struct vmfs_cluster *cl, struct lm_lock_owner dead)
{
	unsigned tries;
	int err = 0;

	for (tries = 0; tries < RECOVER_TRIES; tries++) {
		err = lm_hb_recover_begin(cl->hb, dead.slot, dead.hb_gen);
		if (err == -EALREADY)
			return 1;	/* recovered, or it restarted (and replayed first) */
		if (err != -EBUSY)
			return err;
		/* Another host recovers it: nothing it guarded is ours before that ends. */
		err = lm_hb_wait_recovered(cl->hb, dead.slot, dead.hb_gen, cl->wait_ms);
		if (err == 0)
			return 1;
		if (err != -EAGAIN)
			return err;
	}
	return -EBUSY;
}

/*
 * Recovery of a dead host, after its lock was broken (docs/LOCKING.md
 * "Recovery"): claim its slot (RECOVERING), replay its journal, take every
 * resource group it held and make each header agree with its bitmap, then
 * free its slot, which releases every lock it still holds for all hosts
 * at once. An incarnation of our own slot (a restart after a crash) had
 * its journal replayed when we joined; its groups are checked here.
 */
int vmfs_cluster_recover(struct vmfs_vol *vol, struct lm_lock_owner dead)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t rg, checked = 0, fixed_n = 0;
	struct vmfs_heartbeat rec;
	struct vmfs_lock lk;
	bool mine = dead.slot == cl->hb->slot, fixed;
	uint8_t *raw;
	unsigned i;
	int err = 0;

	if (cl->recovering || (mine && cl->self_recovered))
		return 0;	/* a group taken below was that host's, too; or done at start */
	if (!mine) {
		err = claim_for_recovery(cl, dead);
		if (err == 1)
			return 0;
		if (!err)
			err = lm_hb_read_slot(cl->hb, dead.slot, &rec);
		if (!err)
			err = replay(vol, &rec, dead.slot);
		if (err) {
			vmfs_cluster_log(LOG_ERR, "cannot recover the dead host of heartbeat slot %u: "
					 "%s", dead.slot, strerror(-err));
			return err;
		}
	}
	raw = calloc(1, cl->hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	cl->recovering = true;
	for (rg = 0; rg < vol->vh.rg_count && !err; rg++) {
		if (lm_lock_read(cl->hb->disk, cl->hb->uuid, vmfs_rg_lock_blk(&vol->vh, rg), &lk,
				 raw))
			continue;	/* unreadable: nobody can hold it; fsck will say */
		for (i = 0; i < lk.nholders; i++) {
			if (lk.holders[i].slot == dead.slot && lk.holders[i].hb_gen == dead.hb_gen)
				break;
		}
		if (i == lk.nholders)
			continue;
		err = vmfs_rg_own(vol, rg, false);
		if (err == -EBUSY || err == -EAGAIN) {
			err = 0;	/* another host broke it first, and checks it */
			continue;
		}
		if (!err)
			err = vmfs_rg_recount_logged(vol, rg, &fixed);
		if (!err) {
			vol->rgs[rg].give_back = true;
			checked++;
			fixed_n += fixed;
		}
	}
	cl->recovering = false;
	free(raw);
	if (!err && !mine)
		err = lm_hb_recover_end(cl->hb, dead.slot);
	if (err && err != -EALREADY)
		vmfs_cluster_log(LOG_ERR, "recovery of heartbeat slot %u failed: %s; run fsck.vmfs",
				 dead.slot, strerror(-err));
	else
		vmfs_cluster_log(LOG_NOTICE, "recovered the host of heartbeat slot %u: %" PRIu64
				 " resource groups checked, %" PRIu64 " fixed; its locks are "
				 "released", dead.slot, checked, fixed_n);
	return err == -EALREADY ? 0 : err;
}

/* The size of a new journal: 1/256 of the volume, 4 to 64 MiB, whole file blocks. */
static uint64_t journal_size(const struct vmfs_vol *vol)
{
	uint64_t m = vol->vh.total_mblocks / 256, fbm = vol->geom.file_block_mblocks;

	m = m < JNL_MIN_MBLOCKS ? JNL_MIN_MBLOCKS : m > JNL_MAX_MBLOCKS ? JNL_MAX_MBLOCKS : m;
	return (m + fbm - 1) / fbm * fbm;
}

/* Allocate a journal area, zero its first block, and make the allocation durable. */
static int journal_create(struct vmfs_vol *vol, uint64_t *start, uint64_t *mblocks)
{
	uint64_t want = journal_size(vol), got = 0;
	void *zero = NULL;
	int err;

	err = vmfs_vol_lock(vol);
	if (err)
		return err;
	err = vmfs_alloc(vol, VMFS_AK_DATA, want, 0, start, &got);
	if (!err && got < JNL_MIN_MBLOCKS) {
		vmfs_free(vol, *start, got);
		err = -ENOSPC;	/* no contiguous run big enough */
	}
	if (!err && posix_memalign(&zero, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		err = -ENOMEM;
	if (!err) {
		memset(zero, 0, VMFS_MBLOCK_SIZE);
		err = vmfs_dev_write(vol->dev, zero, VMFS_MBLOCK_SIZE, *start << VMFS_MBLOCK_SHIFT);
	}
	/* Used in the bitmap on disk before any slot points at it. */
	if (!err)
		err = vmfs_cluster_write_back(vol);
	vmfs_vol_unlock(vol);
	free(zero);
	*mblocks = got;
	return err;
}

/* What an earlier incarnation of our slot unlinked and did not delete: deleted now. */
static void reap_orphans(struct vmfs_vol *vol)
{
	int n;

	if (vmfs_vol_lock(vol))
		return;
	n = vmfs_orphan_reap(vol);
	vmfs_vol_unlock(vol);
	if (n > 0)
		vmfs_cluster_log(LOG_NOTICE, "deleted %d file%s that an earlier incarnation of this "
				 "host unlinked while open", n, n == 1 ? "" : "s");
	else if (n < 0)
		vmfs_cluster_log(LOG_ERR, "deleting the files an earlier incarnation unlinked "
				 "failed: %s (fsck.vmfs frees them)", strerror(-n));
}

/*
 * vmfs_cluster_journal_start - after vmfs_cluster_start: journal every
 * write-back from now on, in the area our slot records; at our first mount
 * (none recorded yet), allocate one and record it; its last mblock is our
 * orphan table, whose files a crashed incarnation left are deleted now.
 * Returns 0 or an error (the mount then runs without a journal, and says
 * so).
 */
int vmfs_cluster_journal_start(struct vmfs_vol *vol)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t start = cl->hb->mine.journal_start, mblocks = cl->hb->mine.journal_mblocks;
	int err = 0;

	if (!start) {
		err = journal_create(vol, &start, &mblocks);
		if (!err)
			err = lm_hb_set_journal(cl->hb, start, mblocks);
	}
	if (!err) {
		struct vmfs_heartbeat own = cl->hb->mine;

		pthread_mutex_lock(&vol->lock);
		/* Left live by an unmount that could not checkpoint: replay it first. */
		own.journal_start = start;
		own.journal_mblocks = mblocks;
		err = replay(vol, &own, (unsigned)cl->hb->slot);
		if (!err)
			err = vmfs_jnl_attach(vol, start, vmfs_jnl_txn_mblocks(mblocks));
		if (!err)
			err = vmfs_orphan_attach(vol, vmfs_orphan_blk(start, mblocks));
		pthread_mutex_unlock(&vol->lock);
	}
	if (!err)
		reap_orphans(vol);
	if (err)
		vmfs_cluster_log(LOG_ERR, "no metadata journal (%s): a crash may leave the volume "
				 "needing fsck.vmfs", strerror(-err));
	return err;
}
