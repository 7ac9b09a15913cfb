// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the allocator (fs/core/alloc.c; docs/FORMAT.md "Resource
 * groups", "Lazy initialisation", "Allocation rules"). A model bitmap of
 * the data area follows every allocation and free: DATA, SMALL, META and
 * DESC allocations in random mixes must be aligned, never overlap, agree
 * with vmfs_alloc_is_used, and move vmfs_free_mblocks by exactly what they
 * got; filling the volume ends in -ENOSPC only when the model has no room
 * left for that kind; freeing everything restores the initial count;
 * double frees are -EFSCORRUPTED and change nothing; everything survives a
 * close and reopen. Runs on one group (256 MiB, defaults) and on eight
 * (512 MiB with 64 MiB groups).
 */
#include <CUnit/Basic.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testvol.h"

struct model {
	struct tvol t;
	uint64_t ds, de;	/* data area [ds, de) */
	uint8_t *used;		/* one byte per mblock of the data area */
	bool *bitmap_blk;	/* mblock is a group's bitmap block */
	uint64_t fbm, sbm;
};

struct piece {
	uint64_t p, n;
};

static uint64_t model_free(const struct model *m)
{
	uint64_t i, f = 0;

	for (i = m->ds; i < m->de; i++)
		f += !m->used[i - m->ds];
	return f;
}

static void model_init(struct model *m, uint64_t bytes, uint64_t rg_mblocks)
{
	struct vmfs_format_params p = { .label = "alloc", .rg_mblocks = rg_mblocks };
	struct vmfs_vol *vol;
	uint64_t rg, i, last;

	memset(m, 0, sizeof(*m));
	CU_ASSERT_FATAL(tvol_make(&m->t, bytes, &p) == 0);
	vol = m->t.vol;
	last = vol->vh.rg_count - 1;
	m->ds = vol->vh.data_start;
	m->de = vmfs_rg_start(&vol->vh, last) + vmfs_rg_len(&vol->vh, last);
	m->fbm = vol->geom.file_block_mblocks;
	m->sbm = vol->geom.small_block_mblocks;
	m->used = calloc(m->de - m->ds, 1);
	m->bitmap_blk = calloc(m->de - m->ds, sizeof(bool));
	CU_ASSERT_FATAL(m->used && m->bitmap_blk);
	pthread_mutex_lock(&vol->lock);
	/* Every group's bitmap blocks are in use (FORMAT.md section 5), ... */
	for (rg = 0; rg < vol->vh.rg_count; rg++) {
		uint64_t s = vmfs_rg_start(&vol->vh, rg);

		for (i = 0; i < vmfs_rg_bitmap_blocks(vmfs_rg_len(&vol->vh, rg)); i++) {
			m->used[s + i - m->ds] = 1;
			m->bitmap_blk[s + i - m->ds] = true;
		}
	}
	/* ... and so is whatever mkfs allocated (the root descriptor). */
	for (i = m->ds; i < m->de; i++) {
		bool all, any;

		if (m->bitmap_blk[i - m->ds])
			continue;
		CU_ASSERT_FATAL(vmfs_alloc_is_used(vol, i, 1, &all, &any) == 0);
		m->used[i - m->ds] = any;
	}
	TCHECK(vmfs_free_mblocks(vol) == model_free(m),
	       "initial free count %llu, model (bitmap blocks + root) %llu",
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)model_free(m));
	pthread_mutex_unlock(&vol->lock);
}

static void model_destroy(struct model *m)
{
	tvol_destroy(&m->t);
	free(m->used);
	free(m->bitmap_blk);
}

/* vmfs_alloc_is_used agrees with the model on every mblock but bitmap blocks. */
static void model_sweep(struct model *m, const char *when)
{
	struct vmfs_vol *vol = m->t.vol;
	uint64_t i, bad = 0;

	pthread_mutex_lock(&vol->lock);
	for (i = m->ds; i < m->de; i++) {
		bool all = false, any = false;
		int err;

		if (m->bitmap_blk[i - m->ds])
			continue;
		err = vmfs_alloc_is_used(vol, i, 1, &all, &any);
		if ((err || any != m->used[i - m->ds]) && bad++ < 3)
			TCHECK(0, "%s: mblock %llu: is_used %d (err %d), model %d", when,
			       (unsigned long long)i, any, err, m->used[i - m->ds]);
	}
	TCHECK(bad == 0, "%s: %llu mblocks disagree with the model", when,
	       (unsigned long long)bad);
	TCHECK(vmfs_free_mblocks(vol) == model_free(m), "%s: free %llu, model %llu", when,
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)model_free(m));
	pthread_mutex_unlock(&vol->lock);
}

static const char *kind_name[] = { "DATA", "SMALL", "META", "DESC", "XVAL", "DATA1" };

/*
 * One allocation of @kind under the lock, checked against the model.
 * Returns 0 (recorded in @out), -ENOSPC, or another error (a failure).
 */
static int do_alloc(struct model *m, enum vmfs_alloc_kind kind, uint64_t want, uint64_t goal,
		    struct piece *out)
{
	struct vmfs_vol *vol = m->t.vol;
	uint64_t before = vmfs_free_mblocks(vol), p = 0, got = 0, i;
	bool all = false, any = true, ok = true;
	int err;

	err = vmfs_alloc(vol, kind, want, goal, &p, &got);
	if (err) {
		TCHECK(vmfs_free_mblocks(vol) == before, "%s: failed alloc (%d) changed free count",
		       kind_name[kind], err);
		return err;
	}
	switch (kind) {
	case VMFS_AK_DATA:
		ok = p % m->fbm == 0 && got % m->fbm == 0 && got >= m->fbm &&
		     got <= (want + m->fbm - 1) / m->fbm * m->fbm;
		break;
	case VMFS_AK_SMALL:
		ok = p % m->sbm == 0 && got == m->sbm;
		break;
	case VMFS_AK_META:
	case VMFS_AK_XVAL:
	case VMFS_AK_DATA1:
		ok = got == 1;
		break;
	case VMFS_AK_DESC:
		ok = p % 2 == 0 && got == 2;
		break;
	}
	TCHECK(ok, "%s want %llu: got %llu at %llu: misaligned or wrong size", kind_name[kind],
	       (unsigned long long)want, (unsigned long long)got, (unsigned long long)p);
	TCHECK(p >= m->ds && p + got <= m->de, "%s: [%llu, +%llu) outside the data area",
	       kind_name[kind], (unsigned long long)p, (unsigned long long)got);
	if (p < m->ds || p + got > m->de)
		return -EFAULT;
	for (i = p; i < p + got; i++) {
		if (m->used[i - m->ds]) {
			TCHECK(0, "%s: mblock %llu handed out twice", kind_name[kind],
			       (unsigned long long)i);
			return -EFAULT;
		}
		m->used[i - m->ds] = 1;
	}
	/* One group only: no allocation crosses a group boundary. */
	CU_ASSERT_EQUAL((p - m->ds) / vol->vh.rg_mblocks, (p + got - 1 - m->ds) / vol->vh.rg_mblocks);
	CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, p, got, &all, &any), 0);
	TCHECK(all && any, "%s: [%llu, +%llu) not marked used", kind_name[kind],
	       (unsigned long long)p, (unsigned long long)got);
	TCHECK(vmfs_free_mblocks(vol) == before - got, "%s: free %llu -> %llu after %llu",
	       kind_name[kind], (unsigned long long)before,
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)got);
	out->p = p;
	out->n = got;
	return 0;
}

static int do_free(struct model *m, struct piece pc)
{
	struct vmfs_vol *vol = m->t.vol;
	uint64_t before = vmfs_free_mblocks(vol), i;
	bool all = true, any = true;
	int err;

	err = vmfs_free(vol, pc.p, pc.n);
	TCHECK(err == 0, "free [%llu, +%llu): %d", (unsigned long long)pc.p,
	       (unsigned long long)pc.n, err);
	if (err)
		return err;
	for (i = pc.p; i < pc.p + pc.n; i++)
		m->used[i - m->ds] = 0;
	CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, pc.p, pc.n, &all, &any), 0);
	TCHECK(!any, "freed [%llu, +%llu) still marked used", (unsigned long long)pc.p,
	       (unsigned long long)pc.n);
	TCHECK(vmfs_free_mblocks(vol) == before + pc.n, "free count %llu -> %llu after freeing %llu",
	       (unsigned long long)before, (unsigned long long)vmfs_free_mblocks(vol),
	       (unsigned long long)pc.n);
	return 0;
}

struct plist {
	struct piece *v;
	size_t n, cap;
};

static void plist_add(struct plist *l, struct piece pc)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 1024;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		CU_ASSERT_FATAL(l->v != NULL);
	}
	l->v[l->n++] = pc;
}

/* Free a random piece, or a random part of it (the rest stays allocated). */
static int free_random(struct model *m, struct plist *l, uint64_t *seed)
{
	size_t k = (size_t)trand_below(seed, l->n);
	struct piece pc = l->v[k], part;

	if (pc.n > 1 && trand_below(seed, 3) == 0) {
		uint64_t off = trand_below(seed, pc.n), len = 1 + trand_below(seed, pc.n - off);

		part = (struct piece){ pc.p + off, len };
		l->v[k] = l->v[--l->n];
		if (off)
			plist_add(l, (struct piece){ pc.p, off });
		if (off + len < pc.n)
			plist_add(l, (struct piece){ pc.p + off + len, pc.n - off - len });
		return do_free(m, part);
	}
	l->v[k] = l->v[--l->n];
	return do_free(m, pc);
}

static enum vmfs_alloc_kind random_kind(uint64_t *seed, uint64_t *want, uint64_t fbm)
{
	switch (trand_below(seed, 5)) {
	case 0:
		*want = fbm * (1 + trand_below(seed, 6));
		return VMFS_AK_DATA;
	case 1:
		*want = 0;
		return VMFS_AK_SMALL;
	case 2:
		*want = 1;
		return VMFS_AK_META;
	case 3:
		*want = 2;
		return VMFS_AK_DESC;
	default:
		*want = 1;
		return VMFS_AK_XVAL;
	}
}

/* Is there a free aligned run of @len in the model? */
static bool model_has_run(const struct model *m, uint64_t len, uint64_t align)
{
	uint64_t p, i;

	for (p = (m->ds + align - 1) / align * align; p + len <= m->de; p += align) {
		for (i = 0; i < len && !m->used[p + i - m->ds]; i++)
			;
		if (i == len)
			return true;
	}
	return false;
}

/*
 * Allocate @kind until -ENOSPC. That is right only when the model has no
 * free aligned run for it, or (for everything but B-tree nodes) when taking
 * one would dip into the VMFS_META_RESERVE (FORMAT.md section 13).
 */
static void fill(struct model *m, enum vmfs_alloc_kind kind, uint64_t want, uint64_t align,
		 struct plist *l)
{
	struct vmfs_vol *vol = m->t.vol;
	uint64_t need = kind == VMFS_AK_DATA ? m->fbm : want;
	struct piece pc;
	int err;

	while ((err = do_alloc(m, kind, want, 0, &pc)) == 0)
		plist_add(l, pc);
	TCHECK(err == -ENOSPC, "filling with %s: %d", kind_name[kind], err);
	if (kind != VMFS_AK_META && model_free(m) >= need + VMFS_META_RESERVE)
		TCHECK(!model_has_run(m, need, align),
		       "%s: -ENOSPC but the model has a free aligned run (free %llu)",
		       kind_name[kind], (unsigned long long)vmfs_free_mblocks(vol));
	if (kind != VMFS_AK_META)
		TCHECK(model_free(m) >= VMFS_META_RESERVE,
		       "%s allocations ate into the metadata reserve: %llu free",
		       kind_name[kind], (unsigned long long)model_free(m));
}

static void run_random(uint64_t bytes, uint64_t rg_mblocks, uint64_t seed, unsigned ops)
{
	struct plist l = { 0 };
	struct model m;
	struct vmfs_vol *vol;
	uint64_t initial, want;
	unsigned i;

	model_init(&m, bytes, rg_mblocks);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	initial = vmfs_free_mblocks(vol);
	for (i = 0; i < ops; i++) {
		enum vmfs_alloc_kind kind;
		struct piece pc;
		int err;

		if (l.n && trand_below(&seed, 3) == 0) {
			if (free_random(&m, &l, &seed))
				break;
			continue;
		}
		kind = random_kind(&seed, &want, m.fbm);
		err = do_alloc(&m, kind, want, 0, &pc);
		if (err == -ENOSPC)
			continue;
		TCHECK(err == 0, "op %u: alloc: %d", i, err);
		if (err)
			break;
		plist_add(&l, pc);
	}
	pthread_mutex_unlock(&vol->lock);
	model_sweep(&m, "after the random mix");

	/* Persistence: the same counts and bits after a reopen. */
	CU_ASSERT_EQUAL(vmfs_vol_sync(vol), 0);
	CU_ASSERT_FATAL(tvol_reopen(&m.t) == 0);
	vol = m.t.vol;
	model_sweep(&m, "after reopen");

	/* Fill up, kind by kind, down to single mblocks. */
	pthread_mutex_lock(&vol->lock);
	fill(&m, VMFS_AK_DATA, 4 * m.fbm, m.fbm, &l);
	fill(&m, VMFS_AK_SMALL, m.sbm, m.sbm, &l);
	fill(&m, VMFS_AK_DESC, 2, 2, &l);
	fill(&m, VMFS_AK_XVAL, 1, 1, &l);
	TCHECK(vmfs_free_mblocks(vol) == VMFS_META_RESERVE,
	       "only the metadata reserve should be left, %llu free",
	       (unsigned long long)vmfs_free_mblocks(vol));
	fill(&m, VMFS_AK_META, 1, 1, &l);
	TCHECK(vmfs_free_mblocks(vol) == 0, "volume full but %llu mblocks free",
	       (unsigned long long)vmfs_free_mblocks(vol));
	CU_ASSERT_EQUAL(model_free(&m), 0);
	pthread_mutex_unlock(&vol->lock);
	model_sweep(&m, "full");

	/* Free everything in random order. */
	pthread_mutex_lock(&vol->lock);
	while (l.n)
		if (free_random(&m, &l, &seed))
			break;
	TCHECK(vmfs_free_mblocks(vol) == initial, "after freeing everything: %llu, initially %llu",
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)initial);
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&m.t) == 0);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), initial);
	pthread_mutex_unlock(&vol->lock);
	model_sweep(&m, "all freed, reopened");
	free(l.v);
	model_destroy(&m);
}

static void test_random_one_group(void)
{
	run_random(256ull << 20, 0, 1, 4000);
	run_random(256ull << 20, 0, 99, 4000);
}

static void test_random_eight_groups(void)
{
	run_random(512ull << 20, 1ull << 14, 7, 6000);
}

/* Double frees are -EFSCORRUPTED and change neither the bitmap nor the count. */
static void test_double_free(void)
{
	struct model m;
	struct vmfs_vol *vol;
	struct piece a;
	uint64_t before;
	bool all, any;

	model_init(&m, 256ull << 20, 0);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_META, 1, 0, &a) == 0);
	CU_ASSERT_FATAL(do_free(&m, a) == 0);
	before = vmfs_free_mblocks(vol);
	CU_ASSERT_EQUAL(vmfs_free(vol, a.p, 1), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), before);
	/* Never allocated, outside the data area, past the end. */
	CU_ASSERT_EQUAL(vmfs_free(vol, m.de - m.fbm, m.fbm), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_free(vol, 5, 1), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_free(vol, vol->vh.total_mblocks - 1, 1), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), before);
	CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, 5, 1, &all, &any), -ERANGE);
	/* Allocating an already used block by address is refused too. */
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_META, 1, 0, &a) == 0);
	CU_ASSERT_EQUAL(vmfs_alloc_mark_used(vol, a.p, 1), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), before - 1);
	pthread_mutex_unlock(&vol->lock);
	model_sweep(&m, "after refused double frees");
	model_destroy(&m);
}

/*
 * A range whose first half is allocated and second half free (or the
 * reverse for mark_used): the call must fail and change nothing, or the
 * bitmap and free_mblocks disagree from then on and the half that was
 * silently flipped is handed out twice (or leaks).
 */
static void partial(bool do_mark)
{
	struct model m;
	struct vmfs_vol *vol;
	struct piece b;
	uint64_t before, h;
	bool all = false, any = true;

	model_init(&m, 256ull << 20, 0);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_SMALL, 0, 0, &b) == 0);
	h = b.n / 2;
	if (do_mark) {
		CU_ASSERT_FATAL(do_free(&m, (struct piece){ b.p, h }) == 0);
	} else {
		CU_ASSERT_FATAL(do_free(&m, (struct piece){ b.p + h, b.n - h }) == 0);
	}
	before = vmfs_free_mblocks(vol);
	if (do_mark) {
		CU_ASSERT_EQUAL(vmfs_alloc_mark_used(vol, b.p, b.n), -EFSCORRUPTED);
		CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, b.p, h, &all, &any), 0);
		TCHECK(!any, "failed mark_used of [%llu, +%llu) marked the free half used; "
		       "free count %llu -> %llu", (unsigned long long)b.p,
		       (unsigned long long)b.n, (unsigned long long)before,
		       (unsigned long long)vmfs_free_mblocks(vol));
	} else {
		CU_ASSERT_EQUAL(vmfs_free(vol, b.p, b.n), -EFSCORRUPTED);
		CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, b.p, h, &all, &any), 0);
		TCHECK(all, "failed double free of [%llu, +%llu) cleared the allocated half "
		       "[%llu, +%llu); free count %llu -> %llu", (unsigned long long)b.p,
		       (unsigned long long)b.n, (unsigned long long)b.p, (unsigned long long)h,
		       (unsigned long long)before, (unsigned long long)vmfs_free_mblocks(vol));
	}
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), before);
	pthread_mutex_unlock(&vol->lock);
	model_sweep(&m, do_mark ? "after a refused mark_used" : "after a refused free");
	model_destroy(&m);
}

static void test_partial_double_free(void)
{
	partial(false);
}

static void test_partial_mark_used(void)
{
	partial(true);
}

/* A DATA goal that is a free aligned file block is honoured; contiguous runs extend. */
static void test_goal(void)
{
	struct model m;
	struct vmfs_vol *vol;
	struct piece a, b;

	model_init(&m, 256ull << 20, 0);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_DATA, 8 * m.fbm, m.ds + 100 * m.fbm, &a) == 0);
	CU_ASSERT_EQUAL(a.p, m.ds + 100 * m.fbm);
	CU_ASSERT_EQUAL(a.n, 8 * m.fbm);
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_DATA, m.fbm, a.p + a.n, &b) == 0);
	CU_ASSERT_EQUAL(b.p, a.p + a.n);
	/* Non-multiple wants still get whole file blocks. */
	CU_ASSERT_FATAL(do_alloc(&m, VMFS_AK_DATA, 3, 0, &b) == 0);
	CU_ASSERT_EQUAL(b.n, m.fbm);
	pthread_mutex_unlock(&vol->lock);
	model_destroy(&m);
}

/*
 * FORMAT.md section 5: in a never-initialised group the bitmap blocks
 * are in use. vmfs_alloc_is_used must say so, like the free count does.
 */
static void test_uninit_group(void)
{
	struct model m;
	struct vmfs_vol *vol;
	uint64_t s, nb;
	bool all = false, any = false;

	model_init(&m, 512ull << 20, 1ull << 14);
	vol = m.t.vol;
	pthread_mutex_lock(&vol->lock);
	s = vmfs_rg_start(&vol->vh, 3);
	nb = vmfs_rg_bitmap_blocks(vmfs_rg_len(&vol->vh, 3));
	CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, s, nb, &all, &any), 0);
	TCHECK(all, "group 3 (never initialised): bitmap blocks [%llu, +%llu) reported free",
	       (unsigned long long)s, (unsigned long long)nb);
	CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, s + nb, 100, &all, &any), 0);
	CU_ASSERT(!any);
	pthread_mutex_unlock(&vol->lock);
	model_destroy(&m);
}

/*
 * Addresses in the unused tail past the last group (FORMAT.md section 2)
 * are not in any group: vmfs_alloc_is_used must return an error, not spin.
 * The call runs in a child process so that a hang fails the test.
 */
static void test_is_used_tail(void)
{
	static const uint64_t sizes[][2] = { { 256ull << 20, 0 }, { 512ull << 20, 1ull << 14 } };
	unsigned k;

	for (k = 0; k < 2; k++) {
		struct tvol t;
		uint64_t last, end;
		pid_t pid;
		int status = 0, i;
		struct vmfs_format_params p = { .label = "tail", .rg_mblocks = sizes[k][1] };

		CU_ASSERT_FATAL(tvol_make(&t, sizes[k][0], &p) == 0);
		last = t.vol->vh.rg_count - 1;
		end = vmfs_rg_start(&t.vol->vh, last) + vmfs_rg_len(&t.vol->vh, last);
		CU_ASSERT_FATAL(end < t.vol->vh.total_mblocks - 1);
		fflush(NULL);
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			bool all = false, any = false;
			int err;

			alarm(10);
			pthread_mutex_lock(&t.vol->lock);
			err = vmfs_alloc_is_used(t.vol, end, 1, &all, &any);
			_exit(err < 0 ? 0 : 1);
		}
		for (i = 0; i < 40 && waitpid(pid, &status, WNOHANG) == 0; i++)
			usleep(50000);
		if (i == 40) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		TCHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "%llu MiB volume: vmfs_alloc_is_used(%llu, 1) on the tail past the last "
		       "group %s", (unsigned long long)(sizes[k][0] >> 20),
		       (unsigned long long)end,
		       WIFSIGNALED(status) ? "hung (killed after 2 s)" : "returned success");
		tvol_destroy(&t);
	}
}

/* Descriptors: counted per group, and the count survives a reopen. */
static void test_desc_count(void)
{
	struct tvol t;
	struct vmfs_inode *ip[10];
	uint64_t before, base;
	int i;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	pthread_mutex_lock(&t.vol->lock);
	base = vmfs_count_descriptors(t.vol);
	CU_ASSERT_EQUAL(base, 1);		/* the root */
	before = vmfs_free_mblocks(t.vol);
	for (i = 0; i < 10; i++)
		CU_ASSERT_FATAL(vmfs_inode_alloc(t.vol, 0, 0100644, 0, 0, t.vol->vh.root_ino,
						 &ip[i]) == 0);
	CU_ASSERT_EQUAL(vmfs_count_descriptors(t.vol), 11);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(t.vol), before - 20);
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(vmfs_inode_delete(t.vol, ip[i]), 0);
	pthread_mutex_unlock(&t.vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_EQUAL(vmfs_count_descriptors(t.vol), 6);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(t.vol), before - 10);
	pthread_mutex_unlock(&t.vol->lock);
	tvol_destroy(&t);
}

static int add_tests(void)
{
	CU_pSuite s = CU_add_suite("alloc", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "random mix, one group", test_random_one_group) ||
	    !CU_add_test(s, "random mix, eight groups", test_random_eight_groups) ||
	    !CU_add_test(s, "double free", test_double_free) ||
	    !CU_add_test(s, "partly double free", test_partial_double_free) ||
	    !CU_add_test(s, "partly used mark_used", test_partial_mark_used) ||
	    !CU_add_test(s, "goal", test_goal) ||
	    !CU_add_test(s, "never-initialised group", test_uninit_group) ||
	    !CU_add_test(s, "is_used on the tail", test_is_used_tail) ||
	    !CU_add_test(s, "descriptor count", test_desc_count))
		return -1;
	return 0;
}

int main(void)
{
	return trun(add_tests);
}
