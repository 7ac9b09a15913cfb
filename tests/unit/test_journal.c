// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-host journal under power loss (fs/core/journal.c), on the crash
 * device: a workload of metadata operations (mkdir, create, allocating
 * write, truncate, xattr, extend, unlink, punch hole, rename, rmdir), each
 * made durable with a sync, is cut after its 1st, 2nd, ... Nth device
 * write; what was not flushed is dropped (and the last write torn), or a
 * random part of it survives in any order. After every cut the journal is
 * replayed, first with a second power cut during the replay, then whole,
 * and the consistency check must find nothing wrong, with every operation
 * synced before the cut there. The same sweep over one operation that
 * changes more blocks than the journal holds.
 */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/fileio.h"
#include "fsck/check.h"
#include "testvol.h"

#define VOL_BYTES (96ull << 20)
#define JNL_MBLOCKS 512
#define NSTEPS 12

static uint64_t jnl_start, jnl_len = JNL_MBLOCKS, vol_bytes = VOL_BYTES;

/* A fresh volume with a journal area recorded in heartbeat slot 0, as mount.vmfs does. */
static struct vmfs_dev *fresh_device(void)
{
	struct vmfs_heartbeat hb;
	struct tvol t;
	uint64_t got;
	void *blk = NULL;

	CU_ASSERT_FATAL(tvol_make(&t, vol_bytes, NULL) == 0);
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_alloc(t.vol, VMFS_AK_DATA, jnl_len, 0, &jnl_start, &got) == 0);
	CU_ASSERT_FATAL(got >= jnl_len);	/* whole file blocks: the rest goes back */
	CU_ASSERT_FATAL(got == jnl_len || vmfs_free(t.vol, jnl_start + jnl_len, got - jnl_len) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	CU_ASSERT_FATAL(posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE) == 0);
	memset(blk, 0, VMFS_MBLOCK_SIZE);
	memset(&hb, 0, sizeof(hb));
	hb.hdr.blkno = t.vol->vh.hb_start;
	memcpy(hb.hdr.uuid, t.vol->vh.hdr.uuid, 16);
	hb.generation = 1;
	hb.journal_start = jnl_start;
	hb.journal_mblocks = jnl_len;
	vmfs_hb_encode(blk, &hb);
	CU_ASSERT_FATAL(vmfs_dev_write(t.dev, blk, VMFS_MBLOCK_SIZE,
				       t.vol->vh.hb_start << VMFS_MBLOCK_SHIFT) == 0);
	free(blk);
	CU_ASSERT_FATAL(vmfs_vol_close(t.vol) == 0);
	return t.dev;
}

static int create(struct vmfs_vol *vol, uint64_t dir, const char *name, uint32_t mode,
		  uint64_t *ino)
{
	struct vmfs_inode *dp, *ip;
	int err;

	pthread_mutex_lock(&vol->lock);
	err = vmfs_inode_get(vol, dir, &dp);
	if (!err)
		err = vmfs_inode_alloc(vol, dir, mode, 0, 0, dir, &ip);
	if (!err)
		err = vmfs_dir_add(vol, dp, name, strlen(name), ip->ino, vmfs_mode_to_dt(mode));
	if (!err && S_ISDIR(mode)) {
		dp->d.nlink++;
		vmfs_inode_dirty(vol, dp);
	}
	if (!err)
		*ino = ip->ino;
	pthread_mutex_unlock(&vol->lock);
	return err;
}

/* unlink or rmdir: the name goes, then the descriptor with all it holds. */
static int remove_name(struct vmfs_vol *vol, uint64_t dir, const char *name, uint64_t ino)
{
	struct vmfs_inode *dp, *ip;
	int err;

	pthread_mutex_lock(&vol->lock);
	err = vmfs_inode_get(vol, dir, &dp);
	if (!err)
		err = vmfs_inode_get(vol, ino, &ip);
	if (!err)
		err = vmfs_dir_remove(vol, dp, name, strlen(name));
	if (!err && S_ISDIR(ip->d.mode)) {
		dp->d.nlink--;
		vmfs_inode_dirty(vol, dp);
	}
	if (!err) {
		ip->d.nlink = 0;
		err = vmfs_inode_delete(vol, ip);
	}
	pthread_mutex_unlock(&vol->lock);
	return err;
}

/* rename(2) of a file between directories, as the FUSE rename does it. */
static int move(struct vmfs_vol *vol, uint64_t from, const char *name, uint64_t to,
		const char *newname, uint64_t ino)
{
	struct vmfs_inode *fp, *tp;
	int err;

	pthread_mutex_lock(&vol->lock);
	err = vmfs_inode_get(vol, from, &fp);
	if (!err)
		err = vmfs_inode_get(vol, to, &tp);
	if (!err)
		err = vmfs_dir_add(vol, tp, newname, strlen(newname), ino, VMFS_DT_REG);
	if (!err)
		err = vmfs_dir_remove(vol, fp, name, strlen(name));
	pthread_mutex_unlock(&vol->lock);
	return err;
}

static uint8_t pattern[3 << 20];

static int get_locked(struct vmfs_vol *vol, uint64_t ino, struct vmfs_inode **ip)
{
	int err;

	pthread_mutex_lock(&vol->lock);
	err = vmfs_inode_get(vol, ino, ip);
	pthread_mutex_unlock(&vol->lock);
	return err;
}

/*
 * Step @k of the workload; each one ends with a sync. Returns 0 or the
 * first error (the device crashed).
 */
static int step(struct vmfs_vol *vol, int k, uint64_t *inos)
{
	uint64_t root = vol->vh.root_ino;
	struct vmfs_inode *ip;
	int err = 0;

	switch (k) {
	case 0:
		err = create(vol, root, "dir", S_IFDIR | 0755, &inos[0]);
		break;
	case 1:
		err = create(vol, inos[0], "disk", S_IFREG | 0644, &inos[1]);
		break;
	case 2:	/* allocating writes: data, extents, bitmaps */
		err = get_locked(vol, inos[1], &ip);
		if (!err && vmfs_file_write(vol, ip, pattern, sizeof(pattern), 1 << 20, false) < 0)
			err = -EIO;
		break;
	case 3:
		err = get_locked(vol, inos[1], &ip);
		if (!err)
			err = vmfs_file_truncate(vol, ip, 2 << 20);
		break;
	case 4:
		err = create(vol, root, "small", S_IFREG | 0600, &inos[2]);
		break;
	case 5:
		err = get_locked(vol, inos[2], &ip);
		if (!err) {
			pthread_mutex_lock(&vol->lock);
			err = vmfs_xattr_set(vol, ip, "user.vm", "running", 7, 0);
			pthread_mutex_unlock(&vol->lock);
		}
		break;
	case 6:
		err = get_locked(vol, inos[1], &ip);
		if (!err)
			err = vmfs_file_fallocate(vol, ip, 0, 0, 8 << 20);
		break;
	case 7:
		err = remove_name(vol, root, "small", inos[2]);
		break;
	case 8:	/* punch a hole: extents split, blocks freed */
		err = get_locked(vol, inos[1], &ip);
		if (!err)
			err = vmfs_file_fallocate(vol, ip, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
						  4 << 20, 2 << 20);
		break;
	case 9:
		err = move(vol, inos[0], "disk", root, "moved", inos[1]);
		break;
	case 10:
		err = create(vol, root, "empty", S_IFDIR | 0700, &inos[3]);
		break;
	case 11:
		err = remove_name(vol, root, "empty", inos[3]);
		break;
	}
	return err ? err : vmfs_vol_sync(vol);
}

/*
 * Does @vol show the state after step @k (-1: none)? The names present and
 * gone, the disk's size and its synced data. *why says what differs.
 */
static bool state_is(struct vmfs_vol *vol, int k, const char **why)
{
	uint64_t ino = 0, other, key, want;
	struct vmfs_inode *rp, *dp, *ip;
	bool ok = true, small;
	uint8_t type, *buf;

	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, vol->vh.root_ino, &rp) == 0);
	if ((vmfs_dir_lookup(vol, rp, "dir", 3, &ino, &type, &key) == 0) != (k >= 0)) {
		*why = "dir";
		ok = false;
	}
	if (ok && k >= 0 && vmfs_inode_get(vol, ino, &dp) == 0 &&
	    (vmfs_dir_lookup(vol, dp, "disk", 4, &ino, &type, &key) == 0) != (k >= 1 && k < 9)) {
		*why = "dir/disk";
		ok = false;
	}
	if (ok && (vmfs_dir_lookup(vol, rp, "moved", 5, &other, &type, &key) == 0) != (k >= 9)) {
		*why = "moved";
		ok = false;
	}
	if (ok && k >= 9)
		ino = other;
	small = vmfs_dir_lookup(vol, rp, "small", 5, &other, &type, &key) == 0;
	if (ok && small != (k >= 4 && k < 7)) {
		*why = "small";
		ok = false;
	}
	if (ok && (vmfs_dir_lookup(vol, rp, "empty", 5, &other, &type, &key) == 0) != (k == 10)) {
		*why = "empty";
		ok = false;
	}
	pthread_mutex_unlock(&vol->lock);
	if (!ok || k < 2)
		return ok;
	if (get_locked(vol, ino, &ip) != 0) {
		*why = "disk unreadable";
		return false;
	}
	want = k >= 6 ? 8 << 20 : k >= 3 ? 2 << 20 : 4 << 20;
	if (ip->d.size != want) {
		*why = "disk size";
		return false;
	}
	buf = malloc(1 << 20);
	CU_ASSERT_FATAL(buf != NULL);
	if (vmfs_file_read(vol, ip, buf, 1 << 20, 1 << 20) != 1 << 20 ||
	    memcmp(buf, pattern, 1 << 20) != 0) {
		*why = "disk data";
		ok = false;
	}
	free(buf);
	return ok;
}

/* Every step synced before the cut is there; the one under way wholly or not at all. */
static void verify(struct vmfs_vol *vol, int done, const char *what)
{
	const char *why = "", *why2 = "";

	TCHECK(state_is(vol, done, &why) || (done + 1 < NSTEPS && state_is(vol, done + 1, &why2)),
	       "%s: neither step %d (%s) nor the next (%s)", what, done, why, why2);
}

/*
 * Replay the journal of slot 0 onto @dev: first a replay cut short after
 * @replay_cut writes (a crash during replay), then a whole one; then check,
 * and @check_state the state against @done. Returns @dev (the settled device).
 */
static struct vmfs_dev *replay_and_check(struct vmfs_dev *dev, int done, uint64_t replay_cut,
					 void (*check_state)(struct vmfs_vol *, int, const char *),
					 const char *what)
{
	struct vmfs_crash_params p = { .crash_after_writes = replay_cut,
				       .flags = VMFS_CRASH_DROP_UNFLUSHED | VMFS_CRASH_TEAR_LAST };
	struct vmfs_check_report rep = { .out = stderr, .max_lines = 3 };
	struct tvol t = { .dev = dev };
	struct vmfs_dev *cdev;
	struct vmfs_volhdr vh;
	uint64_t replayed;

	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	vh = t.vol->vh;
	CU_ASSERT_FATAL(vmfs_vol_close(t.vol) == 0);
	CU_ASSERT_FATAL(vmfs_dev_crash_open(dev, &p, &cdev) == 0);
	vmfs_jnl_replay(cdev, &vh, jnl_start, jnl_len, NULL, NULL, &replayed);
	dev = vmfs_dev_crash_settle(cdev);
	CU_ASSERT_EQUAL(vmfs_jnl_replay(dev, &vh, jnl_start, jnl_len, NULL, NULL, &replayed),
			0);
	t.dev = dev;
	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	CU_ASSERT_EQUAL_FATAL(vmfs_check(t.vol, &rep), 0);
	TCHECK(vmfs_check_total(&rep) == 0, "%s: the check found problems", what);
	check_state(t.vol, done, what);
	vmfs_vol_close(t.vol);
	return dev;
}

/*
 * Run the workload on a crash device that cuts after @cut writes; returns
 * the last step synced before the cut (-1: none), or NSTEPS when it ran
 * to the end (*ended).
 */
static int run_cut(uint64_t cut, unsigned flags, unsigned seed, bool *ended)
{
	struct vmfs_crash_params p = { .crash_after_writes = cut, .flags = flags, .seed = seed };
	struct vmfs_dev *inner = fresh_device(), *dev;
	struct tvol t;
	uint64_t inos[4] = { 0 };
	char what[96];
	int k, done = -1;

	CU_ASSERT_FATAL(vmfs_dev_crash_open(inner, &p, &dev) == 0);
	t.dev = dev;
	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	CU_ASSERT_FATAL(vmfs_jnl_attach(t.vol, jnl_start, jnl_len) == 0);
	for (k = 0; k < NSTEPS && step(t.vol, k, inos) == 0; k++)
		done = k;
	*ended = !vmfs_dev_crash_crashed(dev);
	vmfs_jnl_detach(t.vol);
	vmfs_vol_close(t.vol);	/* fails after the cut: nothing more reaches the device */
	inner = vmfs_dev_crash_settle(dev);
	snprintf(what, sizeof(what), "cut after write %llu (flags %u, seed %u, step %d synced, "
		 "replay cut after %u)", (unsigned long long)cut, flags, seed, done, seed % 5 + 1);
	inner = replay_and_check(inner, done, seed % 5 + 1, verify, what);
	vmfs_dev_close(inner);
	return done;
}

static void sweep(unsigned flags)
{
	unsigned failures = CU_get_number_of_failures();
	uint64_t cut;
	bool ended = false;
	int last = -1;

	for (cut = 1; !ended && cut < 100000; cut++) {
		last = run_cut(cut, flags, (unsigned)cut, &ended);
		if (CU_get_number_of_failures() != failures)
			return;	/* the first cut that fails says enough */
	}
	TCHECK(ended && last == NSTEPS - 1, "the workload never ran to the end");
	fprintf(stderr, " [%llu cuts] ", (unsigned long long)cut - 1);
}

static void test_drop_unflushed_tear_last(void)
{
	sweep(VMFS_CRASH_DROP_UNFLUSHED | VMFS_CRASH_TEAR_LAST);
}

static void test_reorder(void)
{
	sweep(VMFS_CRASH_REORDER | VMFS_CRASH_TEAR_LAST);
}

/* A torn transaction (its images differ from the header's CRC) is dropped whole. */
static void test_torn_dropped(void)
{
	struct vmfs_dev *dev = fresh_device();
	struct tvol t = { .dev = dev };
	uint64_t inos[4] = { 0 }, replayed = 1;
	uint8_t *blk = NULL;

	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	CU_ASSERT_FATAL(vmfs_jnl_attach(t.vol, jnl_start, jnl_len) == 0);
	CU_ASSERT_FATAL(step(t.vol, 0, inos) == 0);
	/* The transaction is live in the area (not checkpointed): spoil one image. */
	CU_ASSERT_FATAL(posix_memalign((void **)&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE) == 0);
	CU_ASSERT_FATAL(vmfs_dev_read(dev, blk, VMFS_MBLOCK_SIZE,
				      (jnl_start + 1) << VMFS_MBLOCK_SHIFT) == 0);
	blk[100] ^= 0xff;
	CU_ASSERT_FATAL(vmfs_dev_write(dev, blk, VMFS_MBLOCK_SIZE,
				       (jnl_start + 1) << VMFS_MBLOCK_SHIFT) == 0);
	CU_ASSERT_EQUAL(vmfs_jnl_replay(dev, &t.vol->vh, jnl_start, jnl_len, NULL, NULL,
					&replayed), 0);
	CU_ASSERT_EQUAL(replayed, 0);
	/* Checkpointed: nothing to replay either. */
	CU_ASSERT_FATAL(step(t.vol, 1, inos) == 0);
	CU_ASSERT_EQUAL(vmfs_jnl_checkpoint(t.vol), 0);
	CU_ASSERT_EQUAL(vmfs_jnl_replay(dev, &t.vol->vh, jnl_start, jnl_len, NULL, NULL,
					&replayed), 0);
	CU_ASSERT_EQUAL(replayed, 0);
	free(blk);
	vmfs_jnl_detach(t.vol);
	vmfs_vol_close(t.vol);
	vmfs_dev_close(dev);
}

/* ---- One operation larger than the journal -------------------------------------- */

#define BIG_JNL 24		/* a journal of 24 mblocks: transactions of up to 22 */
#define NFRAG 2000		/* one-mblock extents, every other logical mblock */
#define BIG_VOL_BYTES (32ull << 20)	/* room for them and the holes filled */

static uint8_t *frag_image;	/* the volume with the fragmented file, before the cut */
static uint64_t frag_ino;

/* The volume with "frag": NFRAG extents made in small synced batches (each fits). */
static void make_frag_image(void)
{
	struct vmfs_dev *dev = fresh_device();
	struct tvol t = { .dev = dev };
	struct vmfs_inode *ip;
	struct vmfs_extent e;
	uint64_t p, got, i;

	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	CU_ASSERT_FATAL(vmfs_jnl_attach(t.vol, jnl_start, jnl_len) == 0);
	CU_ASSERT_FATAL(create(t.vol, t.vol->vh.root_ino, "frag", S_IFREG | 0644, &frag_ino) == 0);
	for (i = 0; i < NFRAG; i++) {
		pthread_mutex_lock(&t.vol->lock);
		CU_ASSERT_FATAL(vmfs_inode_get(t.vol, frag_ino, &ip) == 0);
		if (ip->d.data_fmt != VMFS_FMT_BTREE) {
			ip->d.data_fmt = VMFS_FMT_BTREE;
			vmfs_bt_root_init(ip->d.data_root, VMFS_BT_EXTENT);
		}
		CU_ASSERT_FATAL(vmfs_alloc(t.vol, VMFS_AK_DATA1, 1, 0, &p, &got) == 0);
		e = (struct vmfs_extent){ .lstart = 2 * i, .pstart = p, .len = 1 };
		CU_ASSERT_FATAL(vmfs_ext_insert(t.vol, ip, &e) == 0);
		ip->d.alloc_mblocks++;
		ip->d.size = (2 * i + 1) << VMFS_MBLOCK_SHIFT;
		vmfs_inode_dirty(t.vol, ip);
		pthread_mutex_unlock(&t.vol->lock);
		if (i % 4 == 3)
			CU_ASSERT_FATAL(vmfs_vol_sync(t.vol) == 0);
	}
	CU_ASSERT_FATAL(vmfs_vol_sync(t.vol) == 0);
	vmfs_jnl_detach(t.vol);
	CU_ASSERT_FATAL(vmfs_vol_close(t.vol) == 0);
	CU_ASSERT_FATAL(posix_memalign((void **)&frag_image, VMFS_MBLOCK_SIZE, vol_bytes) == 0);
	CU_ASSERT_FATAL(vmfs_dev_read(dev, frag_image, vol_bytes, 0) == 0);
	vmfs_dev_close(dev);
}

struct frag_walk {
	uint64_t even, odd, unwritten;
};

static int frag_one(void *arg, const struct vmfs_extent *e)
{
	struct frag_walk *w = arg;
	uint64_t l;

	for (l = e->lstart; l < e->lstart + e->len && l < 2 * NFRAG; l++) {
		(l % 2 ? &w->odd : &w->even)[0]++;	/* preallocation may go past */
		w->unwritten += !!(e->flags & VMFS_EXT_UNWRITTEN);
	}
	return 0;
}

/*
 * After a cut while "frag" is zeroed whole (@done 0: it was synced): every
 * block it had is still mapped, written or unwritten; the holes between
 * are filled or not; once synced, all of it is mapped and unwritten.
 */
static void verify_frag(struct vmfs_vol *vol, int done, const char *what)
{
	struct frag_walk w = { 0 };
	struct vmfs_inode *ip;

	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, frag_ino, &ip) == 0);
	CU_ASSERT_EQUAL(vmfs_ext_walk(vol, ip, frag_one, &w, NULL), 0);
	TCHECK(w.even == NFRAG, "%s: %llu of the %u blocks left", what,
	       (unsigned long long)w.even, NFRAG);
	TCHECK(done < 0 || (w.odd == NFRAG && w.unwritten == 2 * NFRAG),
	       "%s: synced, yet %llu holes filled and %llu blocks unwritten", what,
	       (unsigned long long)w.odd, (unsigned long long)w.unwritten);
	TCHECK(ip->d.size == (2 * NFRAG - 1) << VMFS_MBLOCK_SHIFT, "%s: size %llu", what,
	       (unsigned long long)ip->d.size);
	pthread_mutex_unlock(&vol->lock);
}

/* Zero "frag" whole on a device cut after @cut writes; returns whether it ran to the end. */
static bool big_cut(uint64_t cut)
{
	struct vmfs_crash_params p = { .crash_after_writes = cut,
				       .flags = VMFS_CRASH_DROP_UNFLUSHED | VMFS_CRASH_TEAR_LAST };
	struct vmfs_dev *inner, *dev;
	struct vmfs_inode *ip;
	struct tvol t;
	char what[64];
	int done = -1;
	bool ended;

	CU_ASSERT_FATAL(vmfs_dev_ram_open(vol_bytes, 512, &inner) == 0);
	CU_ASSERT_FATAL(vmfs_dev_write(inner, frag_image, vol_bytes, 0) == 0);
	CU_ASSERT_FATAL(vmfs_dev_crash_open(inner, &p, &dev) == 0);
	t.dev = dev;
	CU_ASSERT_FATAL(tvol_open(&t) == 0);
	CU_ASSERT_FATAL(vmfs_jnl_attach(t.vol, jnl_start, jnl_len) == 0);
	if (get_locked(t.vol, frag_ino, &ip) == 0 &&
	    vmfs_file_fallocate(t.vol, ip, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0,
				2 * NFRAG << VMFS_MBLOCK_SHIFT) == 0 && vmfs_vol_sync(t.vol) == 0)
		done = 0;
	ended = !vmfs_dev_crash_crashed(dev);
	vmfs_jnl_detach(t.vol);
	vmfs_vol_close(t.vol);
	inner = vmfs_dev_crash_settle(dev);
	snprintf(what, sizeof(what), "zeroing cut after write %llu", (unsigned long long)cut);
	inner = replay_and_check(inner, done, cut % 5 + 1, verify_frag, what);
	vmfs_dev_close(inner);
	return ended;
}

/*
 * One operation that changes more blocks than the journal holds (zeroing a
 * fragmented file whole: every extent becomes unwritten, every hole
 * between is filled): it is written back in several transactions, each at
 * a point where the map, the counts and the bitmaps agree, so a cut
 * anywhere leaves a consistent volume.
 */
static void test_bigger_than_journal(void)
{
	unsigned failures = CU_get_number_of_failures();
	uint64_t cut;
	bool ended = false;

	jnl_len = BIG_JNL;
	vol_bytes = BIG_VOL_BYTES;
	make_frag_image();
	for (cut = 1; !ended && cut < 10000; cut++) {
		ended = big_cut(cut);
		if (CU_get_number_of_failures() != failures)
			break;
	}
	TCHECK(ended, "the zeroing never ran to the end");
	fprintf(stderr, " [%llu cuts] ", (unsigned long long)cut - 1);
	free(frag_image);
	jnl_len = JNL_MBLOCKS;
	vol_bytes = VOL_BYTES;
}

static int add(void)
{
	CU_pSuite s = CU_add_suite("journal", NULL, NULL);
	size_t i;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + i / 4096);
	if (!s)
		return -1;
	CU_add_test(s, "a torn or checkpointed transaction is not replayed", test_torn_dropped);
	CU_add_test(s, "power cut after every write: unflushed lost, last torn",
		    test_drop_unflushed_tear_last);
	CU_add_test(s, "power cut after every write: unflushed kept in any order",
		    test_reorder);
	CU_add_test(s, "power cut during an operation larger than the journal",
		    test_bigger_than_journal);
	return 0;
}

int main(void)
{
	return trun(add);
}
