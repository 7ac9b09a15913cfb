// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resource group locks (docs/LOCKING.md "Allocation across hosts"). On a
 * volume shared by several hosts, a group's header and bitmap blocks change
 * only on the host that holds the group's lock, exclusive. A host takes a
 * group when it first allocates or frees there and keeps it, so a host
 * writing new data allocates from its own groups under vol->lock alone,
 * without the volume lock, and hosts writing at once never meet in a
 * bitmap. The keeper gives a group back when another host waits for it,
 * when it is full, or when it has not been used for a while; always after
 * writing everything back, so the next holder reads a bitmap that is on
 * disk and that every tree we wrote agrees with.
 *
 * Waiting: only the holder of the volume lock waits for a group (a free
 * into a group another host holds, or no group left with room). Another
 * host never waits for the volume lock while holding vol->lock, and gives
 * groups back under its own vol->lock alone, so the wait always ends. A
 * host without the volume lock gets -EAGAIN and retries under it.
 *
 * Groups never initialised are set up under the volume lock only: the RG
 * map block that records it is shared by many groups.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "fs/core/cluster.h"

#define GROUP_WAIT_NAP_MS 1

static uint64_t rg_lock_blk(struct vmfs_vol *vol, uint64_t rg)
{
	return vmfs_rg_lock_blk(&vol->vh, rg);
}

/* Our cached header and bitmap blocks of @rs may be stale: read them again. */
static void forget_group(struct vmfs_vol *vol, struct vmfs_rg_state *rs)
{
	uint64_t k;

	vmfs_bc_forget(vol, vmfs_rg_hdr_blk(&vol->vh, rs->hdr.index));
	for (k = 0; k < rs->hdr.bitmap_blocks; k++)
		vmfs_bc_forget(vol, rs->hdr.start + k);
	rs->loaded = false;
	vol->free_known = false;
}

/* Room in the list of groups we hold for one more. */
static int held_reserve(struct vmfs_cluster *cl)
{
	uint64_t *p = vmfs_grow(cl->held_rgs, cl->nheld_rgs, &cl->cap_rgs, sizeof(*p), 8);

	if (!p)
		return -ENOMEM;
	cl->held_rgs = p;
	return 0;
}

static void held_remove(struct vmfs_cluster *cl, uint64_t rg)
{
	size_t i;

	for (i = 0; i < cl->nheld_rgs; i++) {
		if (cl->held_rgs[i] == rg) {
			cl->held_rgs[i] = cl->held_rgs[--cl->nheld_rgs];
			return;
		}
	}
}

/*
 * Take group @rg's lock; with @wait (volume lock holders only), wait for a
 * live holder to give it back, the way take_volume_lock waits.
 */
static int acquire_group(struct vmfs_vol *vol, uint64_t rg, bool wait, struct vmfs_lock *held,
			 struct lm_lock_owner *broken)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t start = lm_now_ms(), seen = UINT64_MAX;
	bool wanting = false;
	int err;

	for (;;) {
		err = lm_lock_acquire(cl->hb, rg_lock_blk(vol, rg), VMFS_LOCK_T_RG,
				      vmfs_rg_hdr_blk(&vol->vh, rg), VMFS_LOCK_M_EXCL, held, broken);
		if (err != -EBUSY || !wait)
			break;
		if (!wanting)
			wanting = lm_lock_want(cl->hb, rg_lock_blk(vol, rg), true) == 0;
		if (held->version != seen) {
			seen = held->version;
			start = lm_now_ms();
		}
		if (lm_now_ms() - start > cl->wait_ms) {
			vmfs_cluster_log(LOG_ERR, "gave up waiting %u ms for resource group %" PRIu64,
					 cl->wait_ms, rg);
			break;
		}
		lm_sleep_ms(GROUP_WAIT_NAP_MS);
	}
	if (err && wanting)
		lm_lock_want(cl->hb, rg_lock_blk(vol, rg), false);
	return err;
}

/*
 * Under the group's lock, after its holder died: the bitmap is what it
 * wrote back; make the header's free count agree with it.
 */
int vmfs_rg_recount_logged(struct vmfs_vol *vol, uint64_t rg, bool *fixed)
{
	uint64_t was = 0;
	int err = vmfs_rg_recount(vol, rg, &was);

	*fixed = err == 1;
	if (*fixed)
		vmfs_cluster_log(LOG_WARNING, "resource group %" PRIu64 ": header said %" PRIu64
				 " free mblocks, the bitmap %" PRIu64 "; fixed", rg, was,
				 vol->rgs[rg].hdr.free_mblocks);
	return err < 0 ? err : 0;
}

/*
 * vmfs_rg_own - may this host change group @rg's header and bitmap now?
 * Takes the group's lock if need be (and initialises a group never used,
 * under the volume lock). @wait: a volume lock holder waits for another
 * host to give the group back, when this host holds the volume lock.
 * Returns 0 (the header is loaded and current), -EBUSY (another live host
 * holds it, and !@wait), -EAGAIN (only a holder of the volume lock may do
 * this: wait, or initialise the group), or an error.
 */
int vmfs_rg_own(struct vmfs_vol *vol, uint64_t rg, bool wait)
{
	struct vmfs_cluster *cl = vol->cl;
	struct vmfs_rg_state *rs = &vol->rgs[rg];
	struct lm_lock_owner broken;
	struct vmfs_lock held;
	bool fixed;
	int err;

	if (!cl)
		return vmfs_rg_load(vol, rg);
	if (rs->held) {
		rs->used_ms = lm_now_ms();
		return vmfs_rg_load(vol, rg);
	}
	err = vmfs_rg_load(vol, rg);
	if (err)
		return err;
	if (!rs->init) {
		/* Our RG map is current only under the volume lock. */
		if (!cl->held)
			return -EAGAIN;
		err = vmfs_rg_initialise(vol, rs);	/* zeroes its lock record, too */
		if (err)
			return err;
		rs->lk_known = true;
		rs->lk_version = 0;
	}
	err = held_reserve(cl);		/* room first: nothing to undo after the lock */
	if (err)
		return err;
	err = acquire_group(vol, rg, wait && cl->held, &held, &broken);
	if (err == -EBUSY && wait && !cl->held)
		return -EAGAIN;		/* not ours to wait for */
	if (err)
		return err == -ESTALE ? -EIO : err;
	cl->held_rgs[cl->nheld_rgs++] = rg;
	rs->held = true;
	rs->used_ms = lm_now_ms();
	rs->taken_ms = rs->used_ms;
	/* A dead host had it: replay its journal before reading the group. */
	if (broken.slot != LM_NOBODY)
		vmfs_cluster_recover(vol, broken);	/* logs its own failure */
	/* Another host had it since we last did: what we cached of it is stale. */
	if (!rs->lk_known || held.version != rs->lk_version + 1)
		forget_group(vol, rs);
	rs->lk_known = false;
	err = vmfs_rg_load(vol, rg);
	if (!err && broken.slot != LM_NOBODY)
		err = vmfs_rg_recount_logged(vol, rg, &fixed);
	return err;
}

/* Under vol->lock: write everything back and give group @rg back. */
static int give_back(struct vmfs_vol *vol, uint64_t rg)
{
	struct vmfs_cluster *cl = vol->cl;
	struct vmfs_rg_state *rs = &vol->rgs[rg];
	struct vmfs_lock after;
	int err;

	/* The next holder must read our bitmap, and trees that agree with it. */
	err = vmfs_cluster_write_back(vol);
	if (!err)
		err = lm_lock_release(cl->hb, rg_lock_blk(vol, rg), &after);
	if (err) {
		vmfs_cluster_log(LOG_ERR, "cannot give resource group %" PRIu64 " back: %s", rg,
				 strerror(-err));
		return err;
	}
	rs->held = false;
	rs->give_back = false;
	rs->lk_known = true;
	rs->lk_version = after.version;
	held_remove(cl, rg);
	return 0;
}

/*
 * Under vol->lock (the keeper): give back the groups another host waits
 * for (@look_wanted: read their records), those taken for a free only,
 * the full ones and those unused for GROUP_IDLE_MS; @all: every one.
 */
void vmfs_rg_give_back_some(struct vmfs_vol *vol, bool look_wanted, bool all)
{
	struct vmfs_cluster *cl = vol->cl;
	uint64_t now = lm_now_ms(), need = vol->geom.file_block_mblocks + VMFS_META_RESERVE;
	size_t i = 0;

	while (i < cl->nheld_rgs) {
		uint64_t rg = cl->held_rgs[i];
		struct vmfs_rg_state *rs = &vol->rgs[rg];
		uint64_t idle = now - rs->used_ms;
		bool give = all || idle >= VMFS_GROUP_IDLE_MS ||
			    (rs->give_back && idle >= VMFS_GROUP_BRIEF_MS) ||
			    (rs->loaded && rs->hdr.free_mblocks < need && idle >= VMFS_GROUP_BRIEF_MS);

		if (!give && look_wanted && now - rs->taken_ms >= VMFS_GROUP_BRIEF_MS)
			give = lm_lock_wanted(cl->hb, rg_lock_blk(vol, rg)) == 1;
		if (give && give_back(vol, rg) == 0)
			continue;	/* the list shrank: the same index holds the next one */
		i++;
	}
}
