// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockmgr on the RAM device with a fake monotonic clock: joining, name
 * conflicts, taking back a crashed host's slot, fencing, the retried-write
 * miscompare case, lock modes, breaking a dead holder's lock, and racing
 * hosts that must never both hold an exclusive lock.
 */
#include <CUnit/Basic.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs/dev/dev.h"
#include "lockmgr/lm.h"

#define SLOTS 8
#define LEASE 8000
#define REGION (16ull << 12)
#define LOCK_BLK 100

static uint64_t fake_ms = 1000000;
static struct lm_hb *alive_host;	/* renewed whenever fake time passes */

static uint64_t fake_now(void)
{
	return __atomic_load_n(&fake_ms, __ATOMIC_SEQ_CST);
}

static void fake_sleep(uint64_t ms)
{
	__atomic_add_fetch(&fake_ms, ms, __ATOMIC_SEQ_CST);
	if (alive_host)
		lm_hb_renew(alive_host);
}

static struct vmfs_dev *dev;
static struct lm_disk disk;
static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static int d_read(void *ctx, void *buf, size_t len, uint64_t off)
{
	return vmfs_dev_read(ctx, buf, len, off);
}

static int land_then_fail;	/* next caw lands, then reports an I/O error */
static int fail_no_land;	/* next caw reports an I/O error without writing */

static int d_caw(void *ctx, uint64_t off, size_t len, const void *e, const void *n, void *cur)
{
	int err;

	if (fail_no_land) {
		fail_no_land = 0;
		return -EIO;
	}
	err = vmfs_dev_caw(ctx, off, len, e, n, cur);

	if (land_then_fail && !err) {
		land_then_fail = 0;
		return -EIO;
	}
	return err;
}

static void fresh_disk(unsigned sector)
{
	if (dev)
		vmfs_dev_close(dev);
	CU_ASSERT_FATAL(vmfs_dev_ram_open(1 << 20, sector, &dev) == 0);
	disk = (struct lm_disk){ .ctx = dev, .sector = sector, .read = d_read, .caw = d_caw };
	alive_host = NULL;
}

static void host(struct lm_hb *hb, const char *name, unsigned slots)
{
	uint8_t hu[16] = { 0 };
	char why[200] = "";

	memcpy(hu, name, strlen(name) < 16 ? strlen(name) : 16);
	CU_ASSERT_FATAL(lm_hb_init(hb, &disk, uuid, REGION, slots, LEASE) == 0);
	CU_ASSERT_EQUAL_FATAL(lm_hb_join(hb, name, hu, why, sizeof(why)), 0);
}

static void test_join_renew_scan(void)
{
	struct lm_hb a, b;
	struct lm_slot_info si[SLOTS];
	unsigned n;
	uint64_t seq;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	CU_ASSERT_EQUAL(a.slot, 0);
	CU_ASSERT_EQUAL(b.slot, 1);
	seq = a.mine.seq;
	CU_ASSERT_EQUAL(lm_hb_renew(&a), 0);
	CU_ASSERT_EQUAL(a.mine.seq, seq + 1);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	CU_ASSERT_EQUAL(lm_hb_scan(&b, si, SLOTS, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	CU_ASSERT_STRING_EQUAL(si[0].hb.host_name, "alpha");
	CU_ASSERT_EQUAL(si[0].state, LM_SLOT_LIVE);
	CU_ASSERT_EQUAL(si[0].hb.seq, seq + 1);
	/* A clean leave frees the slot for the next host. */
	CU_ASSERT_EQUAL(lm_hb_leave(&a), 0);
	CU_ASSERT_EQUAL(lm_hb_scan(&b, si, SLOTS, &n), 0);
	CU_ASSERT_EQUAL(n, 1);
	lm_hb_destroy(&a);
	host(&a, "gamma", SLOTS);
	CU_ASSERT_EQUAL(a.slot, 0);
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
}

static void test_name_conflict_and_restart(void)
{
	struct lm_hb a, c;
	uint8_t hu[16] = { 9 };
	char why[200] = "";
	uint64_t gen;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	gen = a.mine.generation;
	/* A second mount under a live name is refused. */
	alive_host = &a;
	CU_ASSERT_FATAL(lm_hb_init(&c, &disk, uuid, REGION, SLOTS, LEASE) == 0);
	CU_ASSERT_EQUAL(lm_hb_join(&c, "alpha", hu, why, sizeof(why)), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "alpha"));
	/* alpha crashes (stops renewing): its restart gets slot 0 back, next generation. */
	alive_host = NULL;
	CU_ASSERT_EQUAL(lm_hb_join(&c, "alpha", hu, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(c.slot, 0);
	CU_ASSERT_EQUAL(c.mine.generation, gen + 1);
	CU_ASSERT_EQUAL(c.prev_state, VMFS_HB_LIVE);	/* it crashed: recover what it held */
	CU_ASSERT_EQUAL(c.prev_gen, gen);
	/* The old incarnation is fenced: its next renewal fails, it may not write. */
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -ESTALE);
	CU_ASSERT_FALSE(lm_hb_may_write(&a));
	CU_ASSERT_EQUAL(lm_hb_leave(&a), -ESTALE);
	lm_hb_destroy(&a);
	lm_hb_destroy(&c);
}

static void test_self_fence_on_late_renewal(void)
{
	struct lm_hb a;

	fresh_disk(4096);
	host(&a, "alpha", SLOTS);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	fake_sleep(LEASE / 2);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	fake_sleep(LEASE / 4);	/* three quarters of a lease without a renewal */
	CU_ASSERT_FALSE(lm_hb_may_write(&a));
	CU_ASSERT_EQUAL(lm_hb_renew(&a), 0);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	lm_hb_destroy(&a);
}

static void test_retried_write_landed(void)
{
	struct lm_hb a, b;
	struct lm_slot_info si[SLOTS];
	struct vmfs_heartbeat other;
	uint8_t raw[512] = { 0 };
	unsigned n;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	/* The write lands but the caller sees an error (timeout); the retry must not fence. */
	land_then_fail = 1;
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -EIO);
	CU_ASSERT_EQUAL(lm_hb_renew(&a), 0);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	CU_ASSERT_EQUAL(lm_hb_renew(&a), 0);
	CU_ASSERT_EQUAL(lm_hb_scan(&b, si, SLOTS, &n), 0);
	CU_ASSERT_EQUAL(si[0].hb.seq, a.mine.seq);
	/* One landed, the next did not: the slot holds the first; still ours. */
	land_then_fail = 1;
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -EIO);
	fail_no_land = 1;
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -EIO);
	CU_ASSERT_EQUAL(lm_hb_renew(&a), 0);
	CU_ASSERT_TRUE(lm_hb_may_write(&a));
	/* A slot rewritten by someone else is a real loss: fenced. */
	other = a.mine;
	other.generation += 5;
	vmfs_hb_encode(raw, &other);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, raw, sizeof(raw), REGION), 0);
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -ESTALE);
	CU_ASSERT_FALSE(lm_hb_may_write(&a));
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
}

static void test_full_region_takes_dead_slot(void)
{
	struct lm_hb a, b, c;

	fresh_disk(512);
	host(&a, "alpha", 2);
	host(&b, "beta", 2);
	alive_host = &b;	/* beta keeps renewing, alpha is dead */
	host(&c, "gamma", 2);
	CU_ASSERT_EQUAL(c.slot, 0);
	CU_ASSERT_EQUAL(lm_hb_renew(&a), -ESTALE);
	alive_host = NULL;
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
	lm_hb_destroy(&c);
}

static void test_exclusive_and_break(void)
{
	struct lm_lock_owner broken;
	struct lm_hb a, b;
	struct vmfs_lock lk;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lk.nholders, 1);
	CU_ASSERT_EQUAL(lk.holders[0].slot, 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_RO, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_release(&a, LOCK_BLK, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk,
					&broken), 0);
	CU_ASSERT_EQUAL(broken.slot, LM_NOBODY);
	/* beta dies holding it: alpha waits a lease on its own clock, then breaks it. */
	alive_host = &a;
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	fake_sleep(LEASE - 1);
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	fake_sleep(1);
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_DESC, 555, VMFS_LOCK_M_EXCL, &lk,
					&broken), 0);
	CU_ASSERT_EQUAL(broken.slot, 1);	/* broken: recover what beta held */
	CU_ASSERT_EQUAL(broken.hb_gen, (uint32_t)b.mine.generation);
	CU_ASSERT_EQUAL(lk.holders[0].slot, 0);
	alive_host = NULL;
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
}

/*
 * Recovery: one host claims a dead host's slot (RECOVERING); to it the
 * dead host's locks are breakable at once, to a third host it looks alive
 * for a lease (hands off); freeing the slot then releases every lock of
 * the dead host for everyone, without another lease. A restart of the
 * dead host learns its last incarnation was not recovered.
 */
static void test_recovery(void)
{
	struct lm_lock_owner broken;
	struct lm_hb a, b, c;
	struct vmfs_lock lk;
	uint32_t gen;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	host(&c, "gamma", SLOTS);
	CU_ASSERT_EQUAL(b.prev_state, VMFS_HB_FREE);
	gen = (uint32_t)b.mine.generation;
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK, VMFS_LOCK_T_RG, 1, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK + 1, VMFS_LOCK_T_DESC, 2, VMFS_LOCK_M_EXCL, &lk,
					NULL), 0);
	CU_ASSERT_EQUAL(lm_hb_recover_begin(&a, 1, gen), -EBUSY);	/* beta is alive */
	/* beta dies; alpha and gamma both watch it for a lease. */
	lm_hb_slot_state(&c, 1, gen, &(enum lm_slot_state){ 0 });
	alive_host = &a;
	lm_hb_slot_state(&a, 1, gen, &(enum lm_slot_state){ 0 });
	fake_sleep(LEASE);
	lm_hb_renew(&c);
	CU_ASSERT_EQUAL(lm_hb_recover_begin(&a, 1, gen), 0);
	CU_ASSERT_EQUAL(lm_hb_recover_begin(&a, 1, gen), 0);	/* again: still ours */
	CU_ASSERT_EQUAL(lm_hb_recover_begin(&c, 1, gen), -EBUSY);	/* alpha recovers it */
	CU_ASSERT_EQUAL(lm_lock_acquire(&c, LOCK_BLK + 1, VMFS_LOCK_T_DESC, 2, VMFS_LOCK_M_EXCL, &lk,
					&broken), -EBUSY);	/* hands off meanwhile */
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_RG, 1, VMFS_LOCK_M_EXCL, &lk,
					&broken), 0);
	CU_ASSERT_EQUAL(broken.slot, 1);
	CU_ASSERT_EQUAL(lm_hb_recover_end(&a, 1), 0);
	CU_ASSERT_EQUAL(lm_hb_recover_end(&a, 1), -EALREADY);
	CU_ASSERT_EQUAL(lm_hb_recover_begin(&c, 1, gen), -EALREADY);	/* done */
	/* Freed: gamma takes beta's other lock at once, no second lease. */
	CU_ASSERT_EQUAL(lm_lock_acquire(&c, LOCK_BLK + 1, VMFS_LOCK_T_DESC, 2, VMFS_LOCK_M_EXCL, &lk,
					&broken), 0);
	CU_ASSERT_EQUAL(broken.slot, 1);
	CU_ASSERT_EQUAL(broken.hb_gen, gen);
	alive_host = NULL;
	lm_hb_destroy(&b);
	/* beta restarts: its slot was freed by the recovery, nothing left to do. */
	host(&b, "beta", SLOTS);
	CU_ASSERT_EQUAL(b.slot, 1);
	CU_ASSERT_EQUAL(b.prev_state, VMFS_HB_FREE);
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
	lm_hb_destroy(&c);
}

/* The waiter protocol: a waiting host is served before a third host, a
 * holder sees it waits, and a dead waiter's claim is dropped. */
static void test_waiter(void)
{
	struct lm_hb a, b, c;
	struct vmfs_lock lk;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	host(&c, "gamma", SLOTS);
	CU_ASSERT_EQUAL(lm_lock_want(&b, LOCK_BLK, true), 0);	/* on a never-used record */
	CU_ASSERT_EQUAL(lm_lock_want(&b, LOCK_BLK, false), 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_wanted(&a, LOCK_BLK), 0);
	CU_ASSERT_EQUAL(lm_lock_want(&b, LOCK_BLK, true), 0);
	CU_ASSERT_EQUAL(lm_lock_want(&b, LOCK_BLK, true), 0);	/* idempotent */
	CU_ASSERT_EQUAL(lm_lock_want(&c, LOCK_BLK, true), -EBUSY);	/* one waiter at a time */
	CU_ASSERT_EQUAL(lm_lock_wanted(&a, LOCK_BLK), 1);
	CU_ASSERT_EQUAL(lm_lock_wanted(&b, LOCK_BLK), 0);	/* not "another host" for beta */
	CU_ASSERT_EQUAL(lm_lock_release(&a, LOCK_BLK, NULL), 0);
	/* Free, but beta waits: alpha and gamma leave it to beta. */
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_acquire(&c, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_acquire(&b, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lk.want_slot, 0);	/* served: the claim is gone */
	CU_ASSERT_EQUAL(lm_lock_release(&b, LOCK_BLK, NULL), 0);
	/* gamma waits, then dies: after a lease alpha takes the lock anyway. */
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_want(&c, LOCK_BLK, true), 0);
	CU_ASSERT_EQUAL(lm_lock_release(&a, LOCK_BLK, NULL), 0);
	alive_host = &a;
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	fake_sleep(LEASE);
	lm_hb_renew(&b);
	CU_ASSERT_EQUAL(lm_lock_acquire(&a, LOCK_BLK, VMFS_LOCK_T_VOLUME, 0, VMFS_LOCK_M_EXCL, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lk.want_slot, 0);
	alive_host = NULL;
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
	lm_hb_destroy(&c);
}

static void test_shared_modes(void)
{
	struct lm_hb h[34];
	struct vmfs_lock lk;
	char name[16];
	unsigned i;

	fresh_disk(512);
	for (i = 0; i < 34; i++) {
		snprintf(name, sizeof(name), "h%u", i);
		host(&h[i], name, 40);
	}
	for (i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(lm_lock_acquire(&h[i], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_RO,
						&lk, NULL), 0);
	CU_ASSERT_EQUAL(lk.nholders, 32);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[32], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_RO, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[33], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_EXCL, &lk, NULL),
			-EBUSY);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[33], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_MW, &lk, NULL),
			-EBUSY);
	for (i = 0; i < 32; i++)
		CU_ASSERT_EQUAL(lm_lock_release(&h[i], LOCK_BLK, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[32], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_MW, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[33], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_MW, &lk, NULL), 0);
	CU_ASSERT_EQUAL(lk.nholders, 2);
	CU_ASSERT_EQUAL(lm_lock_acquire(&h[0], LOCK_BLK, VMFS_LOCK_T_DESC, 1, VMFS_LOCK_M_RO, &lk, NULL),
			-EBUSY);
	for (i = 0; i < 34; i++)
		lm_hb_destroy(&h[i]);
}

struct racer {
	struct lm_hb *hb;
	unsigned wins;
	pthread_barrier_t *bar;
	int *holders;
};

#define ROUNDS 2000

static void *race(void *arg)
{
	struct racer *r = arg;
	struct vmfs_lock lk;
	unsigned i;

	for (i = 0; i < ROUNDS; i++) {
		pthread_barrier_wait(r->bar);
		if (lm_lock_acquire(r->hb, LOCK_BLK, VMFS_LOCK_T_DESC, 7, VMFS_LOCK_M_EXCL, &lk, NULL) == 0) {
			if (__atomic_add_fetch(r->holders, 1, __ATOMIC_SEQ_CST) != 1)
				CU_FAIL("two hosts hold one exclusive lock");
			r->wins++;
			__atomic_sub_fetch(r->holders, 1, __ATOMIC_SEQ_CST);
			pthread_barrier_wait(r->bar);
			lm_lock_release(r->hb, LOCK_BLK, NULL);
		} else {
			pthread_barrier_wait(r->bar);
		}
		pthread_barrier_wait(r->bar);
	}
	return NULL;
}

static void test_race(void)
{
	struct lm_hb a, b;
	struct racer ra, rb;
	pthread_barrier_t bar;
	pthread_t ta, tb;
	int holders = 0;

	fresh_disk(512);
	host(&a, "alpha", SLOTS);
	host(&b, "beta", SLOTS);
	pthread_barrier_init(&bar, NULL, 2);
	ra = (struct racer){ .hb = &a, .bar = &bar, .holders = &holders };
	rb = (struct racer){ .hb = &b, .bar = &bar, .holders = &holders };
	pthread_create(&ta, NULL, race, &ra);
	pthread_create(&tb, NULL, race, &rb);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	/* Every round exactly one of them won (the lock was free at each start). */
	CU_ASSERT_EQUAL(ra.wins + rb.wins, ROUNDS);
	pthread_barrier_destroy(&bar);
	lm_hb_destroy(&a);
	lm_hb_destroy(&b);
}

int main(void)
{
	CU_pSuite s;
	int failed;

	lm_set_clock(fake_now, fake_sleep);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("lockmgr", NULL, NULL);
	CU_add_test(s, "join, renew, scan, leave", test_join_renew_scan);
	CU_add_test(s, "name conflict; restart takes its slot back", test_name_conflict_and_restart);
	CU_add_test(s, "self-fence on late renewal", test_self_fence_on_late_renewal);
	CU_add_test(s, "renewal that landed despite an error", test_retried_write_landed);
	CU_add_test(s, "full region: a dead slot is taken", test_full_region_takes_dead_slot);
	CU_add_test(s, "exclusive lock, break a dead holder", test_exclusive_and_break);
	CU_add_test(s, "read-only and multi-writer sharing", test_shared_modes);
	CU_add_test(s, "a waiting host is served first", test_waiter);
	CU_add_test(s, "recovery of a dead host through its slot", test_recovery);
	CU_add_test(s, "two hosts race for one lock", test_race);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = (int)CU_get_number_of_failures();
	CU_cleanup_registry();
	if (dev)
		vmfs_dev_close(dev);
	return failed ? 1 : 0;
}
