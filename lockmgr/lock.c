// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * On-disk locks (docs/LOCKING.md "Locks"; the record is docs/FORMAT.md
 * "Lock record"). Every change of a lock record is one compare-and-write
 * of its sector against the bytes read just before, so two hosts can never
 * both believe they hold an exclusive lock. Modes: exclusive (one holder),
 * read-only shared and multi-writer (up to 32 holders each). A holder
 * whose heartbeat shows it dead is dropped by the next host that wants
 * the lock; the caller must then recover what that host held.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockmgr/lm.h"

#define LOCK_TRIES 16

int lm_lock_read(const struct lm_disk *disk, const uint8_t uuid[16], uint64_t blk,
		 struct vmfs_lock *lk, uint8_t *raw)
{
	int err = disk->read(disk->ctx, raw, disk->sector, blk << VMFS_MBLOCK_SHIFT);

	if (!err)
		err = vmfs_lock_decode(raw, blk, uuid, lk);
	return err;
}

static bool is_me(const struct lm_hb *hb, const struct vmfs_lock_holder *h)
{
	return h->slot == hb->slot && h->hb_gen == (uint32_t)hb->mine.generation;
}

static void drop_holder(struct vmfs_lock *lk, unsigned i)
{
	memmove(&lk->holders[i], &lk->holders[i + 1],
		(lk->nholders - i - 1) * sizeof(lk->holders[0]));
	lk->nholders--;
	if (!lk->nholders)
		lk->mode = VMFS_LOCK_M_FREE;
}

/*
 * Drop holders that are dead. Returns 1 if any holder is (or may still be)
 * alive and not us, 0 if none, or a negative errno.
 */
static int prune(struct lm_hb *hb, struct vmfs_lock *lk, struct lm_lock_owner *broke)
{
	enum lm_slot_state st;
	unsigned i = 0;
	int err, others = 0;

	while (i < lk->nholders) {
		if (is_me(hb, &lk->holders[i])) {
			i++;
			continue;
		}
		err = lm_hb_slot_state(hb, lk->holders[i].slot, lk->holders[i].hb_gen, &st);
		if (err)
			return err;
		if (st == LM_SLOT_DEAD) {
			if (broke->slot == LM_NOBODY) {
				broke->slot = lk->holders[i].slot;
				broke->hb_gen = lk->holders[i].hb_gen;
			}
			drop_holder(lk, i);
			continue;
		}
		others = 1;
		i++;
	}
	return others;
}

enum { WAITER_NONE, WAITER_ME, WAITER_OTHER, WAITER_DEAD };

/* Who waits for @lk: nobody, us, another live host, or a host that is gone. */
static int waiter_state(struct lm_hb *hb, const struct vmfs_lock *lk)
{
	enum lm_slot_state st;
	int err;

	if (!lk->want_slot)
		return WAITER_NONE;
	if (lk->want_slot - 1 == hb->slot && lk->want_gen == (uint32_t)hb->mine.generation)
		return WAITER_ME;
	err = lm_hb_slot_state(hb, lk->want_slot - 1u, lk->want_gen, &st);
	if (err)
		return err;
	return st == LM_SLOT_DEAD ? WAITER_DEAD : WAITER_OTHER;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The one way a lock record changes: read it, let @change edit the copy,
 * compare-and-write it against the bytes read, and start over when another
 * host changed it in between. @change returns 0 to write (the version is
 * bumped here), LK_KEEP to stop without writing, or a negative errno. A
 * fenced host writes nothing; @live_only also stops one that may not write
 * now (a release may still go out while the lease lasts). *out is the
 * record as written, or as last read when nothing was written.
 */
#define LK_KEEP 1
typedef int (*lock_change_fn)(struct lm_hb *hb, struct vmfs_lock *lk, void *arg);

static int lock_update(struct lm_hb *hb, uint64_t blk, bool live_only, lock_change_fn change,
		       void *arg, struct vmfs_lock *out)
{
	const struct lm_disk *disk = hb->disk;
	struct vmfs_lock lk;
	uint8_t *raw, *nraw;
	unsigned try;
	int err = -EILSEQ;

	raw = calloc(2, disk->sector);
	if (!raw)
		return -ENOMEM;
	nraw = raw + disk->sector;
	for (try = 0; try < LOCK_TRIES && err == -EILSEQ; try++) {
		if (hb->fenced || (live_only && !lm_hb_may_write(hb))) {
			err = -ESTALE;
			break;
		}
		err = lm_lock_read(disk, hb->uuid, blk, &lk, raw);
		if (err)
			break;
		err = change(hb, &lk, arg);
		if (out)
			*out = lk;
		if (err)
			break;
		lk.hdr.magic = VMFS_MAGIC_LOCK;	/* a never-used record decodes zeroed */
		lk.hdr.blkno = blk;
		memcpy(lk.hdr.uuid, hb->uuid, 16);
		lk.hdr.lsn = 0;
		lk.version++;
		memset(nraw, 0, disk->sector);
		vmfs_lock_encode(nraw, &lk);
		err = disk->caw(disk->ctx, blk << VMFS_MBLOCK_SHIFT, disk->sector, raw, nraw, NULL);
		if (!err && out)
			*out = lk;
	}
	free(raw);
	return err == LK_KEEP ? 0 : err;
}

struct acquire_args {
	uint32_t type, mode;
	uint64_t guarded;
	struct lm_lock_owner broke;	/* the first dead holder dropped */
};

static int acquire_change(struct lm_hb *hb, struct vmfs_lock *lk, void *arg)
{
	struct acquire_args *a = arg;
	bool mine = false;
	unsigned i;
	int others, ws;

	a->broke.slot = LM_NOBODY;	/* this attempt's record only */
	others = prune(hb, lk, &a->broke);
	if (others < 0)
		return others;
	for (i = 0; i < lk->nholders; i++)
		mine |= is_me(hb, &lk->holders[i]);
	if (others && (lk->mode != a->mode || a->mode == VMFS_LOCK_M_EXCL))
		return -EBUSY;
	ws = waiter_state(hb, lk);
	if (ws < 0)
		return ws;
	if (ws == WAITER_OTHER && !mine)
		return -EBUSY;	/* leave it to the host that waits for it */
	if (!mine && lk->nholders >= VMFS_LOCK_MAX_HOLDERS)
		return -EBUSY;
	if (mine && lk->mode == a->mode)
		return LK_KEEP;	/* already ours in this mode */
	if (ws != WAITER_NONE) {	/* ours (served now), or a dead host's */
		lk->want_slot = 0;
		lk->want_gen = 0;
	}
	if (mine)		/* changing our own mode: only when alone */
		lk->nholders = 0;
	lk->guarded = a->guarded;
	lk->type = a->type;
	lk->mode = a->mode;
	lk->acquired_ns = wall_ns();
	lk->holders[lk->nholders].slot = (uint16_t)hb->slot;
	lk->holders[lk->nholders].flags = 0;
	lk->holders[lk->nholders].hb_gen = (uint32_t)hb->mine.generation;
	lk->nholders++;
	return 0;
}

/*
 * lm_lock_acquire - take the lock record at mblock @blk in @mode.
 * Returns 0 (held; *held is the record written), -EBUSY when a live host
 * holds it in a conflicting mode (or all 32 shared places are live; *held
 * is then the record as read, so a waiter can see it change hands),
 * -ESTALE when this host may no longer write, or an I/O / corruption error.
 * A dead holder's place is taken over: *broken (if not NULL) names it (slot
 * LM_NOBODY when none was), so the caller recovers what that host held
 * before it uses what the lock guards.
 */
int lm_lock_acquire(struct lm_hb *hb, uint64_t blk, uint32_t type, uint64_t guarded,
		    uint32_t mode, struct vmfs_lock *held, struct lm_lock_owner *broken)
{
	struct acquire_args a = { .type = type, .mode = mode, .guarded = guarded,
				  .broke = { .slot = LM_NOBODY } };
	int err;

	if (mode < VMFS_LOCK_M_EXCL || mode > VMFS_LOCK_M_MW)
		return -EINVAL;
	err = lock_update(hb, blk, true, acquire_change, &a, held);
	if (broken)
		*broken = err ? (struct lm_lock_owner){ .slot = LM_NOBODY } : a.broke;
	return err;
}

static int release_change(struct lm_hb *hb, struct vmfs_lock *lk, void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < lk->nholders && !is_me(hb, &lk->holders[i]); i++)
		;
	if (i == lk->nholders)
		return LK_KEEP;	/* not ours (any more) */
	drop_holder(lk, i);
	return 0;
}

/*
 * lm_lock_release - drop our place in the lock at @blk. Returns 0 or an
 * error; *after (if not NULL) is the record as we left it.
 */
int lm_lock_release(struct lm_hb *hb, uint64_t blk, struct vmfs_lock *after)
{
	return lock_update(hb, blk, false, release_change, NULL, after);
}

static int want_change(struct lm_hb *hb, struct vmfs_lock *lk, void *arg)
{
	bool want = *(bool *)arg;
	int ws = waiter_state(hb, lk);

	if (ws < 0)
		return ws;
	if (want ? ws == WAITER_ME : ws != WAITER_ME)
		return LK_KEEP;	/* already as asked */
	if (want && ws == WAITER_OTHER)
		return -EBUSY;
	lk->want_slot = want ? (uint16_t)(hb->slot + 1) : 0;
	lk->want_gen = want ? (uint32_t)hb->mine.generation : 0;
	return 0;
}

/*
 * Set (@want) or clear our place as the waiter of the lock at @blk. Setting
 * succeeds only while no other live host waits; returns 0, -EBUSY when
 * another host already waits, -ESTALE when we may not write, or an error.
 */
int lm_lock_want(struct lm_hb *hb, uint64_t blk, bool want)
{
	return lock_update(hb, blk, true, want_change, &want, NULL);
}

/* Read the record at @blk without keeping its bytes. */
static int read_record(struct lm_hb *hb, uint64_t blk, struct vmfs_lock *lk)
{
	uint8_t *raw = calloc(1, hb->disk->sector);
	int err;

	if (!raw)
		return -ENOMEM;
	err = lm_lock_read(hb->disk, hb->uuid, blk, lk, raw);
	free(raw);
	return err;
}

/* Does a host other than us wait for the lock at @blk? 1, 0 or an error. */
int lm_lock_wanted(struct lm_hb *hb, uint64_t blk)
{
	struct vmfs_lock lk;
	int err = read_record(hb, blk, &lk);

	if (err)
		return err;
	return lk.want_slot && !(lk.want_slot - 1 == hb->slot &&
				 lk.want_gen == (uint32_t)hb->mine.generation);
}

/*
 * lm_lock_check - could we take the lock at @blk in @mode now? Reads the
 * record only and answers as lm_lock_acquire would: 0 when it is free,
 * ours, or held compatibly or by dead hosts only; -EBUSY when a live host
 * holds it in a conflicting mode (or all shared places are live, or
 * another host waits for it); or an error. *dead (if not NULL) names a
 * dead holder that acquiring would break (slot LM_NOBODY if none).
 */
int lm_lock_check(struct lm_hb *hb, uint64_t blk, uint32_t mode, struct lm_lock_owner *dead)
{
	struct acquire_args a = { .mode = mode, .broke = { .slot = LM_NOBODY } };
	struct vmfs_lock lk;
	int err = read_record(hb, blk, &lk);

	if (!err)
		err = acquire_change(hb, &lk, &a);
	if (err == LK_KEEP)
		err = 0;
	if (dead)
		*dead = err ? (struct lm_lock_owner){ .slot = LM_NOBODY } : a.broke;
	return err;
}
