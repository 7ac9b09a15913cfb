// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Disk heartbeats (docs/LOCKING.md "Heartbeats"; the slot format is
 * docs/FORMAT.md "Heartbeat slot"). A host joins by claiming a free slot,
 * its own old slot, or a dead host's slot, each with one compare-and-write,
 * then renews it by bumping seq. Another host is dead when its seq has not
 * moved for the lease, measured on the observer's monotonic clock. A host
 * stops writing before its own lease can run out (lm_hb_may_write), and
 * once its slot has been taken it never writes again (fenced).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lockmgr/lm.h"

#define SLOT_BYTES VMFS_MBLOCK_SIZE
#define SCAN_CHUNK 256			/* slots read per I/O while scanning */

static uint64_t real_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void real_sleep_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t (*clock_fn)(void) = real_now_ms;
static void (*sleep_fn)(uint64_t) = real_sleep_ms;

uint64_t lm_now_ms(void)
{
	return clock_fn();
}

void lm_sleep_ms(uint64_t ms)
{
	sleep_fn(ms);
}

void lm_set_clock(uint64_t (*now)(void), void (*sleep)(uint64_t ms))
{
	clock_fn = now ? now : real_now_ms;
	sleep_fn = sleep ? sleep : real_sleep_ms;
}

void lm_cond_init_monotonic(pthread_cond_t *cv)
{
	pthread_condattr_t ca;

	/* Timed waits must not follow wall-clock steps. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cv, &ca);
	pthread_condattr_destroy(&ca);
}

void lm_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cv, mu, &ts);
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t slot_off(const struct lm_hb *hb, unsigned slot)
{
	return hb->region_off + (uint64_t)slot * SLOT_BYTES;
}

static uint64_t slot_blk(const struct lm_hb *hb, unsigned slot)
{
	return slot_off(hb, slot) >> VMFS_MBLOCK_SHIFT;
}

int lm_hb_init(struct lm_hb *hb, const struct lm_disk *disk, const uint8_t uuid[16],
	       uint64_t region_off, unsigned slots, uint32_t lease_ms)
{
	memset(hb, 0, sizeof(*hb));
	if (disk->sector < VMFS_LOCK_BYTES || disk->sector > SLOT_BYTES || !slots || !lease_ms)
		return -EINVAL;
	hb->disk = disk;
	memcpy(hb->uuid, uuid, 16);
	hb->region_off = region_off;
	hb->slots = slots;
	hb->lease_ms = lease_ms;
	hb->slot = -1;
	hb->peers = calloc(slots, sizeof(*hb->peers));
	hb->mine_raw = calloc(1, disk->sector);
	if (!hb->peers || !hb->mine_raw) {
		free(hb->peers);
		free(hb->mine_raw);
		return -ENOMEM;
	}
	pthread_mutex_init(&hb->mu, NULL);
	lm_cond_init_monotonic(&hb->cv);
	return 0;
}

static void stop_renewer(struct lm_hb *hb)
{
	if (!hb->renewer_running)
		return;
	pthread_mutex_lock(&hb->mu);
	hb->stop = true;
	pthread_cond_signal(&hb->cv);
	pthread_mutex_unlock(&hb->mu);
	pthread_join(hb->renewer, NULL);
	hb->renewer_running = false;
}

void lm_hb_destroy(struct lm_hb *hb)
{
	stop_renewer(hb);
	free(hb->peers);
	free(hb->mine_raw);
	pthread_mutex_destroy(&hb->mu);
	pthread_cond_destroy(&hb->cv);
}

/* Note what slot @i shows now; its counter moving restarts its lease. */
static void observe(struct lm_hb *hb, unsigned i, const struct vmfs_heartbeat *rec)
{
	struct lm_peer *p = &hb->peers[i];

	if (!p->seen || p->seq != rec->seq || p->generation != rec->generation) {
		p->seq = rec->seq;
		p->generation = rec->generation;
		p->changed_ms = lm_now_ms();
		p->seen = true;
	}
}

/*
 * A host is dead once its counter stood still for a lease: the longer of
 * ours and the one it promised in its slot, so a host with a long lease is
 * never judged by a shorter one while it may still write.
 */
static enum lm_slot_state judge(struct lm_hb *hb, unsigned i, const struct vmfs_heartbeat *rec)
{
	uint64_t lease = rec->lease_ms > hb->lease_ms ? rec->lease_ms : hb->lease_ms;

	if (rec->state == VMFS_HB_FREE)
		return LM_SLOT_FREE;
	if (hb->slot == (int)i && !hb->fenced)
		return LM_SLOT_LIVE;
	return lm_now_ms() - hb->peers[i].changed_ms >= lease ? LM_SLOT_DEAD : LM_SLOT_LIVE;
}

/* Read slots [first, first+n) (n <= SCAN_CHUNK) into @buf and decode them. */
static int read_slots(struct lm_hb *hb, unsigned first, unsigned n, uint8_t *buf,
		      struct vmfs_heartbeat *recs, int *errs)
{
	unsigned i;
	int err;

	err = hb->disk->read(hb->disk->ctx, buf, (size_t)n * SLOT_BYTES, slot_off(hb, first));
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		errs[i] = vmfs_hb_decode(buf + (size_t)i * SLOT_BYTES, slot_blk(hb, first + i),
					 hb->uuid, &recs[i]);
		if (!errs[i])
			observe(hb, first + i, &recs[i]);
	}
	return 0;
}

/*
 * lm_hb_scan - read every slot and report the non-free ones (up to @max).
 * A slot first seen now counts as live until it has been watched for a lease.
 */
int lm_hb_scan(struct lm_hb *hb, struct lm_slot_info *out, unsigned max, unsigned *n)
{
	struct vmfs_heartbeat recs[SCAN_CHUNK];
	int errs[SCAN_CHUNK];
	uint8_t *buf;
	unsigned first, i, cnt = 0;
	int err = 0;

	buf = aligned_alloc(SLOT_BYTES, (size_t)SCAN_CHUNK * SLOT_BYTES);
	if (!buf)
		return -ENOMEM;
	for (first = 0; first < hb->slots && !err; first += SCAN_CHUNK) {
		unsigned k = hb->slots - first < SCAN_CHUNK ? hb->slots - first : SCAN_CHUNK;

		err = read_slots(hb, first, k, buf, recs, errs);
		for (i = 0; !err && i < k; i++) {
			struct lm_slot_info si = { .slot = first + i, .hb = recs[i] };

			if (!errs[i] && recs[i].state == VMFS_HB_FREE)
				continue;
			si.state = errs[i] ? LM_SLOT_UNKNOWN : judge(hb, first + i, &recs[i]);
			si.age_ms = errs[i] ? 0 : lm_now_ms() - hb->peers[first + i].changed_ms;
			if (out && cnt < max)
				out[cnt] = si;
			cnt++;
		}
	}
	free(buf);
	if (n)
		*n = cnt;
	return err;
}

/* The record we write: @state, our identity, the next seq. */
static void build(struct lm_hb *hb, struct vmfs_heartbeat *rec, unsigned slot, uint32_t state)
{
	rec->hdr.magic = VMFS_MAGIC_HB;
	rec->hdr.blkno = slot_blk(hb, slot);
	memcpy(rec->hdr.uuid, hb->uuid, 16);
	rec->state = state;
	rec->lease_ms = hb->lease_ms;
	rec->stamp_ns = wall_ns();
}

/* Compare-and-write our slot from @expect to @rec; a retried write that landed counts. */
static int caw_slot(struct lm_hb *hb, unsigned slot, const uint8_t *expect,
		    const struct vmfs_heartbeat *rec, uint8_t *raw_out)
{
	uint8_t *cur;
	int err;

	cur = calloc(1, hb->disk->sector);
	if (!cur)
		return -ENOMEM;
	memset(raw_out, 0, hb->disk->sector);
	vmfs_hb_encode(raw_out, rec);
	err = hb->disk->caw(hb->disk->ctx, slot_off(hb, slot), hb->disk->sector, expect, raw_out,
			    cur);
	if (err == -EILSEQ && memcmp(cur, raw_out, hb->disk->sector) == 0)
		err = 0;	/* our own earlier attempt landed (the VMware ATS miscompare case) */
	free(cur);
	return err;
}

/* Take slot @i (currently holding @raw / @old) for us. -EILSEQ if it changed meanwhile. */
/*
 * Slot @i (holding @raw / @old) belongs to an incarnation that did not
 * leave: mark it RECOVERING (counter bumped, so other hosts leave its locks
 * alone for a lease) and let the caller's recover_hook replay what it left.
 * @raw and @old then describe the slot as written. 0 or an error.
 */
static int recover_before_claim(struct lm_hb *hb, unsigned i, uint8_t *raw,
				struct vmfs_heartbeat *old)
{
	struct vmfs_heartbeat rec = *old;
	uint8_t *nraw;
	int err;

	nraw = calloc(1, hb->disk->sector);
	if (!nraw)
		return -ENOMEM;
	rec.state = VMFS_HB_RECOVERING;
	rec.recovered_by = (uint16_t)i;
	rec.seq++;
	rec.stamp_ns = wall_ns();
	err = caw_slot(hb, i, raw, &rec, nraw);
	if (!err) {
		memcpy(raw, nraw, hb->disk->sector);
		err = hb->recover_hook(hb->recover_arg, old);
		*old = rec;
	}
	free(nraw);
	return err;
}

static int claim(struct lm_hb *hb, unsigned i, const uint8_t *raw0,
		 const struct vmfs_heartbeat *old0, const char *name, const uint8_t host_uuid[16])
{
	struct vmfs_heartbeat rec, old = *old0;
	uint64_t t0;
	uint8_t *raw;
	int err = 0;

	raw = calloc(1, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	memcpy(raw, raw0, hb->disk->sector);
	if (old.state != VMFS_HB_FREE && hb->recover_hook)
		err = recover_before_claim(hb, i, raw, &old);
	if (err) {
		free(raw);
		return err;
	}
	t0 = lm_now_ms();
	memset(&rec, 0, sizeof(rec));
	build(hb, &rec, i, VMFS_HB_LIVE);
	rec.generation = old.generation + 1;
	rec.seq = 1;
	memcpy(rec.host_uuid, host_uuid, 16);
	snprintf(rec.host_name, sizeof(rec.host_name), "%s", name);
	rec.journal_start = old.journal_start;	/* the slot's journal stays with the slot */
	rec.journal_mblocks = old.journal_mblocks;
	err = caw_slot(hb, i, raw, &rec, hb->mine_raw);
	free(raw);
	if (err)
		return err;
	/* An incarnation that did not leave cleanly: its locks are to be recovered. */
	hb->prev_state = old0->state;
	hb->prev_gen = old.generation;
	hb->slot = (int)i;
	hb->mine = rec;
	hb->renewed_ms = t0;
	hb->fenced = false;
	return 0;
}

static int read_one(struct lm_hb *hb, unsigned i, uint8_t *raw, struct vmfs_heartbeat *rec)
{
	int err = hb->disk->read(hb->disk->ctx, raw, hb->disk->sector, slot_off(hb, i));

	if (!err)
		err = vmfs_hb_decode(raw, slot_blk(hb, i), hb->uuid, rec);
	if (!err)
		observe(hb, i, rec);
	return err;
}

/*
 * Watch slot @i for up to a lease: 1 if its counter moved (a live host),
 * 0 if it stayed still for the whole lease (dead), or a negative errno.
 */
static int watch(struct lm_hb *hb, unsigned i, uint8_t *raw, struct vmfs_heartbeat *rec)
{
	uint64_t start = lm_now_ms(), seq0 = rec->seq, gen0 = rec->generation;
	uint64_t lease = rec->lease_ms > hb->lease_ms ? rec->lease_ms : hb->lease_ms;
	uint64_t step = hb->lease_ms / 8 ? hb->lease_ms / 8 : 1;
	int err;

	while (lm_now_ms() - start < lease) {
		lm_sleep_ms(step);
		err = read_one(hb, i, raw, rec);
		if (err)
			return err;
		if (rec->state == VMFS_HB_FREE)
			return 0;
		if (rec->state == VMFS_HB_RECOVERING) {
			/* Another host recovers it: wait for the slot to be freed. */
			seq0 = rec->seq;
			gen0 = rec->generation;
			continue;
		}
		if (rec->seq != seq0 || rec->generation != gen0)
			return 1;
	}
	return 0;
}

/*
 * Read every slot, a chunk at a time: @mine is a live slot carrying @name,
 * @free_slot a free one (one that carried @name first: its journal is ours).
 */
static int find_slots(struct lm_hb *hb, const char *name, int *mine, int *free_slot,
		      bool *named_free)
{
	struct vmfs_heartbeat recs[SCAN_CHUNK];
	int errs[SCAN_CHUNK];
	unsigned first, i;
	uint8_t *buf;
	int err = 0;

	buf = aligned_alloc(SLOT_BYTES, (size_t)SCAN_CHUNK * SLOT_BYTES);
	if (!buf)
		return -ENOMEM;
	for (first = 0; first < hb->slots && !err && *mine < 0; first += SCAN_CHUNK) {
		unsigned k = hb->slots - first < SCAN_CHUNK ? hb->slots - first : SCAN_CHUNK;

		err = read_slots(hb, first, k, buf, recs, errs);
		for (i = 0; !err && i < k; i++) {
			bool named = !strncmp(recs[i].host_name, name, VMFS_HOSTNAME_MAX);

			if (errs[i])
				continue;	/* a damaged slot is nobody's to take */
			if (recs[i].state != VMFS_HB_FREE && named) {
				*mine = (int)(first + i);
				break;
			}
			if (recs[i].state == VMFS_HB_FREE &&
			    (*free_slot < 0 || (named && !*named_free))) {
				*free_slot = (int)(first + i);
				*named_free = named;
			}
		}
	}
	free(buf);
	return err;
}

/*
 * lm_hb_join - claim a slot for host @name. Its own old slot (same name)
 * is taken back once it has been still for a lease; while that slot's
 * counter moves, another live mount has the name and the join fails with
 * -EBUSY. Otherwise the first free slot, else a dead one. Returns 0, -EBUSY,
 * -ENOSPC (every slot live) or an I/O error, with a reason in @why.
 */
int lm_hb_join(struct lm_hb *hb, const char *name, const uint8_t host_uuid[16], char *why,
	       size_t whylen)
{
	struct vmfs_heartbeat rec;
	uint8_t *raw;
	unsigned i, attempt;
	int err = 0, mine = -1, free_slot = -1, moved;
	bool named_free = false;

	raw = calloc(1, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	for (attempt = 0; attempt < 8; attempt++) {
		mine = free_slot = -1;
		named_free = false;
		err = find_slots(hb, name, &mine, &free_slot, &named_free);
		if (err)
			goto out;
		if (mine >= 0) {
			read_one(hb, (unsigned)mine, raw, &rec);
			moved = watch(hb, (unsigned)mine, raw, &rec);
			if (moved < 0) {
				err = moved;
				goto out;
			}
			if (moved) {
				snprintf(why, whylen, "host '%s' is already mounted: heartbeat slot %d is live",
					 name, mine);
				err = -EBUSY;
				goto out;
			}
			err = claim(hb, (unsigned)mine, raw, &rec, name, host_uuid);
		} else if (free_slot >= 0) {
			read_one(hb, (unsigned)free_slot, raw, &rec);
			err = rec.state == VMFS_HB_FREE ?
			      claim(hb, (unsigned)free_slot, raw, &rec, name, host_uuid) : -EILSEQ;
		} else {
			err = -ENOSPC;
			/* Every slot is taken: look for one that stays still for a lease. */
			for (i = 0; i < hb->slots && err == -ENOSPC; i++) {
				if (read_one(hb, i, raw, &rec) || judge(hb, i, &rec) != LM_SLOT_DEAD)
					continue;
				err = claim(hb, i, raw, &rec, name, host_uuid);
			}
			if (err == -ENOSPC && attempt == 0) {
				lm_sleep_ms(hb->lease_ms);
				continue;
			}
			if (err == -ENOSPC)
				snprintf(why, whylen, "all %u heartbeat slots belong to live hosts",
					 hb->slots);
		}
		if (err != -EILSEQ)
			break;	/* -EILSEQ: another host took the slot first, look again */
	}
	if (err == -EILSEQ)
		snprintf(why, whylen, "heartbeat slots keep changing under us; try again");
	else if (err && err != -EBUSY && err != -ENOSPC)
		snprintf(why, whylen, "heartbeat I/O failed: %s", strerror(-err));
out:
	free(raw);
	return err;
}

/*
 * Is the slot image @cur one of our own renewals that failed with an I/O
 * error yet landed? Same incarnation (generation, host UUID, name) and a
 * counter between our last known renewal and the last one we tried.
 */
static bool ours_landed(struct lm_hb *hb, const uint8_t *cur)
{
	struct vmfs_heartbeat rec;

	if (!hb->tried_valid ||
	    vmfs_hb_decode(cur, slot_blk(hb, (unsigned)hb->slot), hb->uuid, &rec) != 0)
		return false;
	return rec.state == VMFS_HB_LIVE && rec.generation == hb->mine.generation &&
	       !memcmp(rec.host_uuid, hb->mine.host_uuid, 16) &&
	       !strncmp(rec.host_name, hb->mine.host_name, VMFS_HOSTNAME_MAX) &&
	       rec.seq > hb->mine.seq && rec.seq <= hb->tried.seq;
}

/*
 * lm_hb_renew - bump our counter. Renewals that failed with an I/O error
 * may still have landed: if the slot holds one of them (same incarnation,
 * a counter we tried), it is ours and we renew from it, so a storage retry
 * never fences a healthy host. Any other content means another host took
 * the slot: we are fenced for good and get -ESTALE. I/O errors leave the
 * lease running down (lm_hb_may_write turns false in time).
 */
int lm_hb_renew(struct lm_hb *hb)
{
	struct vmfs_heartbeat rec;
	uint8_t *raw, *cur;
	uint64_t t0 = lm_now_ms(), ver;
	int err;

	if (hb->slot < 0)
		return -EINVAL;
	if (hb->fenced)
		return -ESTALE;
	raw = calloc(2, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	cur = raw + hb->disk->sector;
	pthread_mutex_lock(&hb->mu);	/* lm_hb_set_journal may change it */
	rec = hb->mine;
	if (hb->journal_ver) {
		rec.journal_start = hb->journal_start;
		rec.journal_mblocks = hb->journal_mblocks;
	}
	ver = hb->journal_ver;
	pthread_mutex_unlock(&hb->mu);
	rec.seq = (hb->tried_valid ? hb->tried.seq : rec.seq) + 1;
	rec.stamp_ns = wall_ns();
	err = caw_slot(hb, (unsigned)hb->slot, hb->mine_raw, &rec, raw);
	if (err == -EILSEQ) {
		err = hb->disk->read(hb->disk->ctx, cur, hb->disk->sector, slot_off(hb, hb->slot));
		if (!err)
			err = ours_landed(hb, cur) ? caw_slot(hb, (unsigned)hb->slot, cur, &rec, raw)
						    : -EILSEQ;
	}
	pthread_mutex_lock(&hb->mu);
	if (!err) {
		hb->mine = rec;
		memcpy(hb->mine_raw, raw, hb->disk->sector);
		hb->renewed_ms = t0;
		hb->journal_landed = ver;
		hb->tried_valid = false;
	} else if (err == -EILSEQ) {
		hb->fenced = true;
		err = -ESTALE;
	} else {
		hb->tried = rec;	/* may have landed: remember the highest counter tried */
		hb->tried_valid = true;
	}
	pthread_mutex_unlock(&hb->mu);
	free(raw);
	return err;
}

/*
 * May this host still write to the volume? Only while its slot is its own
 * and its last renewal landed less than three quarters of a lease ago:
 * others wait a whole lease on their own clocks before breaking our locks.
 */
bool lm_hb_may_write(struct lm_hb *hb)
{
	bool ok;

	pthread_mutex_lock(&hb->mu);
	ok = hb->slot >= 0 && !hb->fenced &&
	     lm_now_ms() - hb->renewed_ms < hb->lease_ms - hb->lease_ms / 4;
	pthread_mutex_unlock(&hb->mu);
	return ok;
}

static void *renewer_main(void *arg)
{
	struct lm_hb *hb = arg;
	uint64_t step = hb->lease_ms / 8 ? hb->lease_ms / 8 : 1;
	int err;

	pthread_mutex_lock(&hb->mu);
	while (!hb->stop) {
		lm_cond_wait_ms(&hb->cv, &hb->mu, step);
		if (hb->stop)
			break;
		pthread_mutex_unlock(&hb->mu);
		err = lm_hb_renew(hb);
		if (err == -ESTALE)
			fprintf(stderr, "vmfs: heartbeat slot %d was taken by another host: "
				"this host is fenced and will not write again\n", hb->slot);
		pthread_mutex_lock(&hb->mu);
		if (err == -ESTALE)
			break;
	}
	pthread_mutex_unlock(&hb->mu);
	return NULL;
}

/* Renew every eighth of the lease from a thread of our own. */
int lm_hb_start_renewer(struct lm_hb *hb)
{
	if (hb->renewer_running)
		return 0;
	hb->stop = false;
	if (pthread_create(&hb->renewer, NULL, renewer_main, hb) != 0)
		return -EAGAIN;
	hb->renewer_running = true;
	return 0;
}

/* Clean unmount: stop renewing and free the slot (its journal stays recorded). */
int lm_hb_leave(struct lm_hb *hb)
{
	struct vmfs_heartbeat rec;
	uint8_t *raw;
	int err;

	stop_renewer(hb);
	if (hb->slot < 0 || hb->fenced)
		return hb->fenced ? -ESTALE : 0;
	raw = calloc(1, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	rec = hb->mine;
	rec.seq++;
	build(hb, &rec, (unsigned)hb->slot, VMFS_HB_FREE);
	err = caw_slot(hb, (unsigned)hb->slot, hb->mine_raw, &rec, raw);
	if (!err)
		hb->slot = -1;
	free(raw);
	return err == -EILSEQ ? -ESTALE : err;
}

/*
 * lm_hb_slot_state - is the holder (@slot, @generation) of a lock alive?
 * DEAD when the slot now shows another incarnation, or its counter has not
 * moved for a lease on our clock; LIVE until then (first sight starts the
 * watch).
 */
int lm_hb_slot_state(struct lm_hb *hb, unsigned slot, uint64_t generation,
		     enum lm_slot_state *state)
{
	struct vmfs_heartbeat rec;
	uint8_t *raw;
	int err;

	if (slot >= hb->slots)
		return -EFSCORRUPTED;
	raw = calloc(1, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	err = read_one(hb, slot, raw, &rec);
	free(raw);
	if (err)
		return err;
	if ((rec.generation & 0xffffffffu) != (generation & 0xffffffffu) ||
	    rec.state == VMFS_HB_FREE)
		*state = LM_SLOT_DEAD;	/* that incarnation left or was replaced */
	else if (rec.state == VMFS_HB_RECOVERING && rec.recovered_by == hb->slot &&
		 hb->slot != (int)slot)
		*state = LM_SLOT_DEAD;	/* we recover it: its locks are ours to break */
	else
		*state = judge(hb, slot, &rec);
	return 0;
}

/*
 * lm_hb_recover_begin - claim the slot of a dead host (@slot, incarnation
 * @generation) to recover what it held: one compare-and-write that sets
 * state RECOVERING, recovered_by = our slot, and bumps its counter, so
 * other hosts see it live again (and leave its locks alone) for a lease,
 * while to us its locks are breakable. Returns 0, -EALREADY when that
 * incarnation is gone (left, replaced, or recovered), -EBUSY when it is
 * alive or another live host recovers it, or an error.
 */
int lm_hb_recover_begin(struct lm_hb *hb, unsigned slot, uint32_t generation)
{
	struct vmfs_heartbeat rec;
	enum lm_slot_state st;
	uint8_t *raw, *nraw;
	int err;

	if (slot >= hb->slots || (int)slot == hb->slot || hb->slot < 0)
		return -EINVAL;
	if (!lm_hb_may_write(hb))
		return -ESTALE;
	raw = calloc(2, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	nraw = raw + hb->disk->sector;
	err = read_one(hb, slot, raw, &rec);
	if (err)
		goto out;
	if ((rec.generation & 0xffffffffu) != generation || rec.state == VMFS_HB_FREE) {
		err = -EALREADY;
		goto out;
	}
	if (rec.state == VMFS_HB_RECOVERING && rec.recovered_by == hb->slot)
		goto out;	/* ours already (an earlier attempt that did not finish) */
	st = judge(hb, slot, &rec);
	if (st != LM_SLOT_DEAD) {
		err = -EBUSY;
		goto out;
	}
	rec.state = VMFS_HB_RECOVERING;
	rec.recovered_by = (uint16_t)hb->slot;
	rec.seq++;
	rec.stamp_ns = wall_ns();
	err = caw_slot(hb, slot, raw, &rec, nraw);
	if (err == -EILSEQ)
		err = -EBUSY;	/* it moved: alive after all, or another recoverer */
	if (!err)
		observe(hb, slot, &rec);
out:
	free(raw);
	return err;
}

/*
 * lm_hb_set_journal - record our journal area in our slot; returns once a
 * renewal carrying it has landed (the renewer's, woken at once, so that two
 * renewals never race), 0, or -ETIMEDOUT / -ESTALE.
 */
int lm_hb_set_journal(struct lm_hb *hb, uint64_t start, uint64_t mblocks)
{
	uint64_t ver, waited = 0;
	bool landed;

	pthread_mutex_lock(&hb->mu);
	hb->journal_start = start;
	hb->journal_mblocks = mblocks;
	ver = ++hb->journal_ver;
	pthread_cond_signal(&hb->cv);	/* the renewer: renew now, not at the next tick */
	pthread_mutex_unlock(&hb->mu);
	if (!hb->renewer_running)
		return lm_hb_renew(hb);
	for (;;) {
		pthread_mutex_lock(&hb->mu);
		landed = hb->journal_landed >= ver;
		pthread_mutex_unlock(&hb->mu);
		if (landed)
			return 0;
		if (hb->fenced)
			return -ESTALE;
		if (waited > 2 * (uint64_t)hb->lease_ms)
			return -ETIMEDOUT;
		lm_sleep_ms(1);
		waited++;
	}
}

/* lm_hb_read_slot - the record in @slot now (its journal, its state). */
int lm_hb_read_slot(struct lm_hb *hb, unsigned slot, struct vmfs_heartbeat *rec)
{
	uint8_t *raw;
	int err;

	if (slot >= hb->slots)
		return -EINVAL;
	raw = calloc(1, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	err = read_one(hb, slot, raw, rec);
	free(raw);
	return err;
}

/*
 * lm_hb_wait_recovered - another host recovers the incarnation (@slot,
 * @generation): wait until it is done (the slot freed or taken again).
 * Returns 0, -EAGAIN when the recovering host died too (recover it
 * yourself), -ETIMEDOUT after @max_ms, or an error.
 */
int lm_hb_wait_recovered(struct lm_hb *hb, unsigned slot, uint32_t generation, uint64_t max_ms)
{
	struct vmfs_heartbeat rec;
	uint64_t t0 = lm_now_ms();
	int err;

	for (;;) {
		err = lm_hb_read_slot(hb, slot, &rec);
		if (err)
			return err;
		if (rec.state == VMFS_HB_FREE || (uint32_t)rec.generation != generation)
			return 0;
		if (rec.state != VMFS_HB_RECOVERING || judge(hb, slot, &rec) == LM_SLOT_DEAD)
			return -EAGAIN;
		if (lm_now_ms() - t0 > max_ms)
			return -ETIMEDOUT;
		lm_sleep_ms(5);
	}
}

/*
 * lm_hb_recover_end - what the dead host held is recovered: free its slot
 * (keeping its name and journal), which releases every lock it still
 * holds at once, for every host. Returns 0, -EALREADY if the slot is no
 * longer ours to recover, or an error.
 */
int lm_hb_recover_end(struct lm_hb *hb, unsigned slot)
{
	struct vmfs_heartbeat rec;
	uint8_t *raw, *nraw;
	int err;

	if (slot >= hb->slots || hb->slot < 0)
		return -EINVAL;
	raw = calloc(2, hb->disk->sector);
	if (!raw)
		return -ENOMEM;
	nraw = raw + hb->disk->sector;
	err = read_one(hb, slot, raw, &rec);
	if (!err && (rec.state != VMFS_HB_RECOVERING || rec.recovered_by != hb->slot))
		err = -EALREADY;
	if (!err) {
		rec.state = VMFS_HB_FREE;
		rec.recovered_by = 0;
		rec.seq++;
		rec.stamp_ns = wall_ns();
		err = caw_slot(hb, slot, raw, &rec, nraw);
		if (err == -EILSEQ)
			err = -EALREADY;
	}
	free(raw);
	return err;
}
