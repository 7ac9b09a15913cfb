/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lockmgr: disk heartbeats and on-disk locks for hosts that share a volume
 * and coordinate only through it (docs/LOCKING.md). It knows the disk only
 * through struct lm_disk below, so it runs unchanged on an image file
 * (compare-and-write = OFD lock around read/compare/write), an iSCSI LUN
 * (SCSI COMPARE AND WRITE) or the RAM device of the unit tests. Records are
 * encoded by fs/format (heartbeat slot, lock record); nothing here knows
 * FUSE or the filesystem above.
 *
 * Time: liveness is judged only on the observer's CLOCK_MONOTONIC, by
 * watching another host's heartbeat counter stop moving; wall clocks of
 * different hosts are never compared.
 */
#ifndef VMFS_LOCKMGR_LM_H
#define VMFS_LOCKMGR_LM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/format/format.h"

/* What lockmgr needs of the disk. Offsets and lengths in bytes. */
struct lm_disk {
	void *ctx;
	uint32_t sector;	/* unit of compare-and-write: 512 or 4096 */
	int (*read)(void *ctx, void *buf, size_t len, uint64_t off);
	/* Atomic: write @newdata if the device holds @expect; else -EILSEQ + @current. */
	int (*caw)(void *ctx, uint64_t off, size_t len, const void *expect, const void *newdata,
		   void *current);
};

/* Monotonic milliseconds and sleeping; tests replace both (lm_set_clock). */
uint64_t lm_now_ms(void);
void lm_sleep_ms(uint64_t ms);
void lm_set_clock(uint64_t (*now)(void), void (*sleep)(uint64_t ms));

/* A condition variable timed on CLOCK_MONOTONIC, and a wait of @ms on it (real time). */
void lm_cond_init_monotonic(pthread_cond_t *cv);
void lm_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t ms);

/* One host's view of the heartbeat region. */
struct lm_peer {
	uint64_t generation, seq;
	uint64_t changed_ms;	/* our clock when seq was last seen to move */
	bool seen;
};

struct lm_hb {
	const struct lm_disk *disk;
	uint8_t uuid[16];		/* volume */
	uint64_t region_off;		/* byte offset of slot 0 */
	unsigned slots;
	uint32_t lease_ms;
	/* Our slot, valid after lm_hb_join. */
	int slot;
	struct vmfs_heartbeat mine;	/* the image last written to our slot */
	uint8_t *mine_raw;		/* its encoded sector */
	struct vmfs_heartbeat tried;	/* highest renewal that failed with an I/O */
	bool tried_valid;		/* error and may have landed anyway */
	uint64_t renewed_ms;		/* when the last renewal was known to land */
	bool fenced;			/* our slot was taken: never write again */
	/* lm_hb_set_journal: the journal fields renewals write from now on. */
	uint64_t journal_start, journal_mblocks;
	uint64_t journal_ver, journal_landed;	/* set, and carried by a renewal that landed */
	/*
	 * Join: a slot whose incarnation did not leave is marked RECOVERING and
	 * handed to this hook (its journal replayed) before it is claimed.
	 */
	int (*recover_hook)(void *arg, const struct vmfs_heartbeat *old);
	void *recover_arg;
	uint32_t prev_state;		/* what our slot showed when we claimed it (VMFS_HB_*) */
	uint64_t prev_gen;		/* and its generation: LIVE = not recovered yet */
	struct lm_peer *peers;		/* per slot, for liveness */
	pthread_mutex_t mu;
	pthread_t renewer;
	bool renewer_running, stop;
	pthread_cond_t cv;
};

enum lm_slot_state { LM_SLOT_FREE, LM_SLOT_LIVE, LM_SLOT_DEAD, LM_SLOT_UNKNOWN };

struct lm_slot_info {
	unsigned slot;
	enum lm_slot_state state;
	struct vmfs_heartbeat hb;
	uint64_t age_ms;		/* since its counter last moved, on our clock */
};

/* heartbeat.c */
int lm_hb_init(struct lm_hb *hb, const struct lm_disk *disk, const uint8_t uuid[16],
	       uint64_t region_off, unsigned slots, uint32_t lease_ms);
void lm_hb_destroy(struct lm_hb *hb);
int lm_hb_join(struct lm_hb *hb, const char *name, const uint8_t host_uuid[16], char *why,
	       size_t whylen);
int lm_hb_renew(struct lm_hb *hb);
int lm_hb_start_renewer(struct lm_hb *hb);
int lm_hb_leave(struct lm_hb *hb);
bool lm_hb_may_write(struct lm_hb *hb);
int lm_hb_scan(struct lm_hb *hb, struct lm_slot_info *out, unsigned max, unsigned *n);
int lm_hb_slot_state(struct lm_hb *hb, unsigned slot, uint64_t generation,
		     enum lm_slot_state *state);
int lm_hb_recover_begin(struct lm_hb *hb, unsigned slot, uint32_t generation);
int lm_hb_recover_end(struct lm_hb *hb, unsigned slot);
int lm_hb_set_journal(struct lm_hb *hb, uint64_t start, uint64_t mblocks);
int lm_hb_read_slot(struct lm_hb *hb, unsigned slot, struct vmfs_heartbeat *rec);
int lm_hb_wait_recovered(struct lm_hb *hb, unsigned slot, uint32_t generation, uint64_t max_ms);

/* lock.c */
struct lm_lock_owner {
	uint16_t slot;		/* LM_NOBODY: none */
	uint32_t hb_gen;
};
#define LM_NOBODY 0xffffu
int lm_lock_read(const struct lm_disk *disk, const uint8_t uuid[16], uint64_t blk,
		 struct vmfs_lock *lk, uint8_t *raw);
int lm_lock_acquire(struct lm_hb *hb, uint64_t blk, uint32_t type, uint64_t guarded,
		    uint32_t mode, struct vmfs_lock *held, struct lm_lock_owner *broken);
int lm_lock_release(struct lm_hb *hb, uint64_t blk, struct vmfs_lock *after);
int lm_lock_check(struct lm_hb *hb, uint64_t blk, uint32_t mode, struct lm_lock_owner *dead);
int lm_lock_want(struct lm_hb *hb, uint64_t blk, bool want);
int lm_lock_wanted(struct lm_hb *hb, uint64_t blk);

#endif
