// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of file data and the extent tree (fs/core/fileio.c,
 * extent.c, btree.c; docs/FORMAT.md "B-trees", "Extent tree"). Random
 * sequences of writes at any byte offset, fallocate (preallocate, keep
 * size, punch hole, zero range) and truncates run against a byte model of
 * the file and a model of which mblocks are written where. After every
 * operation: reads equal the model, SEEK_DATA/SEEK_HOLE agree with it,
 * the extent tree is sorted, non-overlapping, merged, allocated in the
 * bitmap and accounted in alloc_mblocks, written blocks never move, and
 * the volume's free count accounts for every block; the volume is reopened
 * midway and at the end. A second part drives the generic B-tree directly
 * with 100,000 random keys.
 */
#include <CUnit/Basic.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/fileio.h"
#include "testvol.h"

#define MB VMFS_MBLOCK_SIZE
#define HOLE UINT64_MAX		/* state: no extent */
#define UNWR (UINT64_MAX - 1)	/* state: unwritten extent */

struct fx {
	struct tvol t;
	uint64_t ino;
	struct vmfs_inode *ip;
	uint64_t maxblk, maxbytes;
	uint8_t *mdl;		/* expected contents; zero past msize */
	uint64_t msize;
	uint64_t *st;		/* per mblock: HOLE, UNWR, or physical mblock (written) */
	uint64_t *st_new;
	uint8_t *rbuf;
	uint64_t free0;		/* free mblocks before the file was created */
	uint64_t seed, seed0;
	unsigned op;
	const char *what;
	bool failed;
};

#define FX_CHECK(f, cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "\n  seed %llu op %u (%s): ",		\
			(unsigned long long)(f)->seed0, (f)->op, (f)->what);	\
		TCHECK(cond, __VA_ARGS__);				\
		(f)->failed = true;					\
	}								\
} while (0)

/* Walk the extent tree into @st (HOLE/UNWR/pstart per mblock) and check its shape. */
static void walk_extents(struct fx *f, uint64_t *st)
{
	struct vmfs_vol *vol = f->t.vol;
	struct vmfs_inode *ip = f->ip;
	struct vmfs_extent e, prev = { 0 };
	uint64_t pos = 0, sum = 0, i, n = 0;
	bool have_prev = false;
	int err;

	for (i = 0; i < f->maxblk; i++)
		st[i] = HOLE;
	if (ip->d.data_fmt != VMFS_FMT_BTREE)
		return;
	for (;;) {
		bool all = false, any = false;

		err = vmfs_ext_find(vol, ip, pos, &e);
		if (err == -ENOENT)
			break;
		FX_CHECK(f, err == 0, "vmfs_ext_find(%llu): %d", (unsigned long long)pos, err);
		if (err)
			return;
		FX_CHECK(f, e.lstart >= pos, "extent at %llu found for %llu after the previous end",
			 (unsigned long long)e.lstart, (unsigned long long)pos);
		FX_CHECK(f, e.len > 0 && e.lstart + e.len <= f->maxblk,
			 "extent [%llu, +%u) beyond the file's range",
			 (unsigned long long)e.lstart, e.len);
		if (f->failed)
			return;
		if (have_prev)
			FX_CHECK(f, !(prev.lstart + prev.len == e.lstart &&
				      prev.pstart + prev.len == e.pstart && prev.flags == e.flags &&
				      prev.birth == e.birth),
				 "adjacent mergeable extents not merged: [%llu,+%u)->%llu and "
				 "[%llu,+%u)->%llu flags %u", (unsigned long long)prev.lstart,
				 prev.len, (unsigned long long)prev.pstart,
				 (unsigned long long)e.lstart, e.len,
				 (unsigned long long)e.pstart, e.flags);
		CU_ASSERT_EQUAL(vmfs_alloc_is_used(vol, e.pstart, e.len, &all, &any), 0);
		FX_CHECK(f, all, "extent [%llu,+%u) -> %llu not marked used in the bitmap",
			 (unsigned long long)e.lstart, e.len, (unsigned long long)e.pstart);
		for (i = 0; i < e.len; i++)
			st[e.lstart + i] = (e.flags & VMFS_EXT_UNWRITTEN) ? UNWR : e.pstart + i;
		sum += e.len;
		n++;
		prev = e;
		have_prev = true;
		pos = e.lstart + e.len;
	}
	FX_CHECK(f, sum == ip->d.alloc_mblocks, "alloc_mblocks %llu, extents hold %llu",
		 (unsigned long long)ip->d.alloc_mblocks, (unsigned long long)sum);
}

static int count_node(void *arg, uint64_t blkno, unsigned level)
{
	(void)blkno;
	(void)level;
	(*(uint64_t *)arg)++;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every check that needs the metadata lock. */
static void check_tree(struct fx *f)
{
	struct vmfs_vol *vol = f->t.vol;
	struct vmfs_bt bt;
	uint64_t nodes = 0, i, k = 0, nz = 0, *phys;

	pthread_mutex_lock(&vol->lock);
	walk_extents(f, f->st_new);
	if (f->ip->d.data_fmt == VMFS_FMT_BTREE) {
		bt = vmfs_inode_data_bt(f->ip);
		CU_ASSERT_EQUAL(vmfs_bt_walk_nodes(vol, &bt, count_node, &nodes), 0);
	}
	/* Every block is accounted for: descriptor, tree nodes, extents. */
	FX_CHECK(f, f->free0 - vmfs_free_mblocks(vol) == 2 + nodes + f->ip->d.alloc_mblocks,
		 "free count dropped by %llu, but descriptor 2 + nodes %llu + data %llu",
		 (unsigned long long)(f->free0 - vmfs_free_mblocks(vol)),
		 (unsigned long long)nodes, (unsigned long long)f->ip->d.alloc_mblocks);
	pthread_mutex_unlock(&vol->lock);
	/* No physical block mapped twice. */
	phys = malloc(f->maxblk * sizeof(*phys));
	for (i = 0; i < f->maxblk; i++)
		if (f->st_new[i] < UNWR)
			phys[k++] = f->st_new[i];
	qsort(phys, k, sizeof(*phys), cmp_u64);
	for (i = 1; i < k; i++)
		FX_CHECK(f, phys[i] != phys[i - 1], "physical mblock %llu mapped twice",
			 (unsigned long long)phys[i]);
	free(phys);
	/* Non-zero data lies in written mblocks, and st_blocks covers it. */
	if (f->ip->d.data_fmt == VMFS_FMT_BTREE) {
		static const uint8_t zeros[MB];

		for (i = 0; i < f->maxblk && !f->failed; i++) {
			uint64_t from = i * MB, to = (i + 1) * MB < f->msize ? (i + 1) * MB : f->msize;
			bool data = from < to && memcmp(f->mdl + from, zeros, to - from) != 0;

			nz += data;
			if (data)
				FX_CHECK(f, f->st_new[i] < UNWR, "mblock %llu holds data but is %s",
					 (unsigned long long)i,
					 f->st_new[i] == HOLE ? "a hole" : "unwritten");
		}
		FX_CHECK(f, f->ip->d.alloc_mblocks >= nz, "alloc_mblocks %llu < %llu data mblocks",
			 (unsigned long long)f->ip->d.alloc_mblocks, (unsigned long long)nz);
	}
}

static void check_contents(struct fx *f, uint64_t from, uint64_t to)
{
	ssize_t n;
	uint64_t i;

	FX_CHECK(f, f->ip->d.size == f->msize, "size %llu, model %llu",
		 (unsigned long long)f->ip->d.size, (unsigned long long)f->msize);
	if (to > f->msize)
		to = f->msize;
	if (from >= to)
		return;
	memset(f->rbuf, 0xcd, to - from);
	n = vmfs_file_read(f->t.vol, f->ip, f->rbuf, to - from, from);
	FX_CHECK(f, n == (ssize_t)(to - from), "read [%llu, %llu): %zd",
		 (unsigned long long)from, (unsigned long long)to, n);
	if (n == (ssize_t)(to - from) && memcmp(f->rbuf, f->mdl + from, to - from)) {
		for (i = 0; f->rbuf[i] == f->mdl[from + i]; i++)
			;
		FX_CHECK(f, 0, "byte %llu reads 0x%02x, model 0x%02x (mblock state %llx)",
			 (unsigned long long)(from + i), f->rbuf[i], f->mdl[from + i],
			 (unsigned long long)f->st_new[(from + i) / MB]);
	}
	/* Reading past EOF returns nothing. */
	CU_ASSERT_EQUAL(vmfs_file_read(f->t.vol, f->ip, f->rbuf, 10, f->msize), 0);
}

static bool mdl_zero(const struct fx *f, uint64_t a, uint64_t b)
{
	static const uint8_t zeros[MB];

	while (a < b) {
		uint64_t n = b - a < MB ? b - a : MB;

		if (memcmp(f->mdl + a, zeros, n))
			return false;
		a += n;
	}
	return true;
}

static void check_seek(struct fx *f)
{
	unsigned k;

	for (k = 0; k < 8 && f->msize && !f->failed; k++) {
		uint64_t off = trand_below(&f->seed, f->msize);
		int64_t d = vmfs_file_seek_data(f->t.vol, f->ip, off, true);
		int64_t h = vmfs_file_seek_data(f->t.vol, f->ip, off, false);

		if (d == -ENXIO) {
			FX_CHECK(f, mdl_zero(f, off, f->msize),
				 "SEEK_DATA(%llu) = ENXIO but data follows", (unsigned long long)off);
		} else {
			FX_CHECK(f, d >= (int64_t)off && d < (int64_t)f->msize,
				 "SEEK_DATA(%llu) = %lld outside [off, size %llu)",
				 (unsigned long long)off, (long long)d, (unsigned long long)f->msize);
			if (f->failed)
				return;
			FX_CHECK(f, mdl_zero(f, off, (uint64_t)d),
				 "SEEK_DATA(%llu) = %lld skips data", (unsigned long long)off,
				 (long long)d);
			if (f->ip->d.data_fmt == VMFS_FMT_BTREE)
				FX_CHECK(f, f->st_new[d / MB] < UNWR,
					 "SEEK_DATA(%llu) = %lld lands in a non-written mblock",
					 (unsigned long long)off, (long long)d);
		}
		FX_CHECK(f, h >= (int64_t)off && h <= (int64_t)f->msize,
			 "SEEK_HOLE(%llu) = %lld outside [off, size %llu]", (unsigned long long)off,
			 (long long)h, (unsigned long long)f->msize);
		if (f->failed)
			return;
		if (h < (int64_t)f->msize && f->ip->d.data_fmt == VMFS_FMT_BTREE) {
			FX_CHECK(f, f->st_new[h / MB] >= UNWR,
				 "SEEK_HOLE(%llu) = %lld lands in a written mblock",
				 (unsigned long long)off, (long long)h);
			FX_CHECK(f, mdl_zero(f, (uint64_t)h, ((uint64_t)h / MB + 1) * MB < f->msize ?
					     ((uint64_t)h / MB + 1) * MB : f->msize),
				 "SEEK_HOLE(%llu) = %lld but the hole holds data",
				 (unsigned long long)off, (long long)h);
		}
	}
	/* A non-zero byte is data: SEEK_DATA from it returns it. */
	for (k = 0; k < 64 && f->msize && !f->failed; k++) {
		uint64_t p = trand_below(&f->seed, f->msize);

		if (!f->mdl[p])
			continue;
		FX_CHECK(f, vmfs_file_seek_data(f->t.vol, f->ip, p, true) == (int64_t)p,
			 "SEEK_DATA(%llu) on a non-zero byte = %lld", (unsigned long long)p,
			 (long long)vmfs_file_seek_data(f->t.vol, f->ip, p, true));
		FX_CHECK(f, vmfs_file_seek_data(f->t.vol, f->ip, p, false) > (int64_t)p,
			 "SEEK_HOLE(%llu) on a non-zero byte = %lld", (unsigned long long)p,
			 (long long)vmfs_file_seek_data(f->t.vol, f->ip, p, false));
	}
	CU_ASSERT_EQUAL(vmfs_file_seek_data(f->t.vol, f->ip, f->msize, true), -ENXIO);
	CU_ASSERT_EQUAL(vmfs_file_seek_data(f->t.vol, f->ip, f->msize, false), -ENXIO);
}

/*
 * State transitions the operation allows: outside what it may change,
 * every written mblock keeps its physical address.
 */
enum keep { KEEP_ALL, KEEP_OUTSIDE };

static void check_states(struct fx *f, uint64_t ka, uint64_t kb, enum keep how)
{
	uint64_t i;

	if (f->ip->d.data_fmt != VMFS_FMT_BTREE)
		return;
	for (i = 0; i < f->maxblk && !f->failed; i++) {
		if (how == KEEP_OUTSIDE && i >= ka && i < kb)
			continue;
		if (f->st[i] < UNWR)
			FX_CHECK(f, f->st_new[i] == f->st[i],
				 "written mblock %llu moved or vanished: %llx -> %llx",
				 (unsigned long long)i, (unsigned long long)f->st[i],
				 (unsigned long long)f->st_new[i]);
	}
}

static void fill_random(uint8_t *p, size_t n, uint64_t *seed)
{
	size_t i;
	int mode = (int)trand_below(seed, 4);

	for (i = 0; i < n; i++) {
		uint64_t r = trand(seed);

		/* Some writes carry runs of zeros: zero data is still data. */
		p[i] = mode == 0 ? 0 : mode == 1 ? (uint8_t)(r % 3 ? r >> 8 : 0) : (uint8_t)(r | 1);
	}
}

static uint64_t rand_len(struct fx *f)
{
	switch (trand_below(&f->seed, 6)) {
	case 0:
		return 1 + trand_below(&f->seed, 100);
	case 1:
		return 1 + trand_below(&f->seed, 3 * MB);
	case 2:
		return MB * (1 + trand_below(&f->seed, 8));
	case 3:
		return 1 + trand_below(&f->seed, 40 * MB);
	case 4:
		return 1 + trand_below(&f->seed, 300 * MB);
	default:
		return 1 + trand_below(&f->seed, 2048);
	}
}

static uint64_t rand_off(struct fx *f)
{
	switch (trand_below(&f->seed, 4)) {
	case 0:
		return trand_below(&f->seed, 4096);
	case 1:
		return f->msize ? trand_below(&f->seed, f->msize) : 0;
	case 2:
		return trand_below(&f->seed, f->maxblk) * MB;
	default:
		return trand_below(&f->seed, f->maxbytes);
	}
}

static void one_op(struct fx *f)
{
	uint64_t off = rand_off(f), len = rand_len(f), end, a, b, ca = 0, cb = 0, i;
	unsigned r = (unsigned)trand_below(&f->seed, 16);
	int err = 0, mode;

	if (off >= f->maxbytes)
		off = f->maxbytes - 1;
	if (len > f->maxbytes - off)
		len = f->maxbytes - off;
	end = off + len;
	a = off / MB;
	b = (end + MB - 1) / MB;
	memcpy(f->st, f->st_new, f->maxblk * sizeof(*f->st));
	if (r < 7) {
		uint8_t *buf = malloc(len);
		ssize_t n;

		f->what = "write";
		fill_random(buf, len, &f->seed);
		n = vmfs_file_write(f->t.vol, f->ip, buf, len, off, false);
		FX_CHECK(f, n == (ssize_t)len, "write [%llu, +%llu): %zd", (unsigned long long)off,
			 (unsigned long long)len, n);
		memcpy(f->mdl + off, buf, len);
		if (end > f->msize)
			f->msize = end;
		free(buf);
		check_tree(f);
		check_states(f, 0, 0, KEEP_ALL);
		for (i = a; i < b && f->ip->d.data_fmt == VMFS_FMT_BTREE && !f->failed; i++)
			FX_CHECK(f, f->st_new[i] < UNWR, "written range: mblock %llu not written",
				 (unsigned long long)i);
		ca = off;
		cb = end;
	} else if (r < 9) {
		mode = r == 7 ? 0 : FALLOC_FL_KEEP_SIZE;
		f->what = mode ? "fallocate keep-size" : "fallocate";
		err = vmfs_file_fallocate(f->t.vol, f->ip, mode, off, len);
		FX_CHECK(f, err == 0, "fallocate(%d, %llu, %llu): %d", mode, (unsigned long long)off,
			 (unsigned long long)len, err);
		if (!mode && end > f->msize)
			f->msize = end;
		check_tree(f);
		check_states(f, 0, 0, KEEP_ALL);
		for (i = a; i < b && f->ip->d.data_fmt == VMFS_FMT_BTREE && !f->failed; i++)
			FX_CHECK(f, f->st_new[i] != HOLE, "preallocated mblock %llu is a hole",
				 (unsigned long long)i);
		ca = off > MB ? off - MB : 0;
		cb = end + MB;
	} else if (r < 11) {
		f->what = "punch hole";
		err = vmfs_file_fallocate(f->t.vol, f->ip, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					  off, len);
		FX_CHECK(f, err == 0, "punch(%llu, %llu): %d", (unsigned long long)off,
			 (unsigned long long)len, err);
		memset(f->mdl + off, 0, len);
		check_tree(f);
		check_states(f, a, b, KEEP_OUTSIDE);
		for (i = (off + MB - 1) / MB; i < end / MB && f->ip->d.data_fmt == VMFS_FMT_BTREE &&
		     !f->failed; i++)
			FX_CHECK(f, f->st_new[i] == HOLE, "punched mblock %llu is not a hole",
				 (unsigned long long)i);
		ca = off > MB ? off - MB : 0;
		cb = end + MB;
	} else if (r < 13) {
		mode = FALLOC_FL_ZERO_RANGE | (r == 11 ? FALLOC_FL_KEEP_SIZE : 0);
		f->what = "zero range";
		err = vmfs_file_fallocate(f->t.vol, f->ip, mode, off, len);
		FX_CHECK(f, err == 0, "zero range(%llu, %llu): %d", (unsigned long long)off,
			 (unsigned long long)len, err);
		memset(f->mdl + off, 0, len);
		if (!(mode & FALLOC_FL_KEEP_SIZE) && end > f->msize)
			f->msize = end;
		check_tree(f);
		check_states(f, a, b, KEEP_OUTSIDE);
		for (i = a; i < b && f->ip->d.data_fmt == VMFS_FMT_BTREE && !f->failed; i++) {
			FX_CHECK(f, f->st_new[i] != HOLE, "zeroed mblock %llu is a hole",
				 (unsigned long long)i);
			if (i * MB >= off && (i + 1) * MB <= end)
				FX_CHECK(f, f->st_new[i] == UNWR, "zeroed mblock %llu still written",
					 (unsigned long long)i);
		}
		ca = off > MB ? off - MB : 0;
		cb = end + MB;
	} else {
		uint64_t s = trand_below(&f->seed, 3) ? trand_below(&f->seed, f->maxbytes) :
			     (f->msize ? trand_below(&f->seed, f->msize) : 0);

		bool down = s < f->msize;

		f->what = down ? "truncate down" : "truncate up";
		err = vmfs_file_truncate(f->t.vol, f->ip, s);
		FX_CHECK(f, err == 0, "truncate(%llu): %d", (unsigned long long)s, err);
		if (s < f->msize)
			memset(f->mdl + s, 0, f->msize - s);
		f->msize = s;
		check_tree(f);
		a = down ? (s + MB - 1) / MB : f->maxblk;
		check_states(f, a, f->maxblk, KEEP_OUTSIDE);
		for (i = a; i < f->maxblk && f->ip->d.data_fmt == VMFS_FMT_BTREE && !f->failed; i++)
			FX_CHECK(f, f->st_new[i] == HOLE, "mblock %llu past EOF %llu still mapped",
				 (unsigned long long)i, (unsigned long long)s);
		ca = s > 2 * MB ? s - 2 * MB : 0;
		cb = s + 2 * MB;
	}
	check_contents(f, ca, cb);
	check_seek(f);
}

static void fx_reopen(struct fx *f)
{
	f->what = "reopen";
	CU_ASSERT_FATAL(tvol_reopen(&f->t) == 0);
	pthread_mutex_lock(&f->t.vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(f->t.vol, f->ino, &f->ip) == 0);
	pthread_mutex_unlock(&f->t.vol->lock);
	memcpy(f->st, f->st_new, f->maxblk * sizeof(*f->st));
	check_tree(f);
	check_states(f, 0, 0, KEEP_ALL);
	check_contents(f, 0, f->msize);
	check_seek(f);
}

static void run(uint64_t seed, unsigned ops, uint32_t fbs, uint32_t sbs, uint64_t maxblk)
{
	struct vmfs_format_params p = { .label = "extent", .file_block_shift = fbs,
					.small_block_shift = sbs };
	struct fx f = { .seed = seed, .seed0 = seed, .maxblk = maxblk, .maxbytes = maxblk * MB };
	unsigned i;

	CU_ASSERT_FATAL(tvol_make(&f.t, 256ull << 20, &p) == 0);
	f.mdl = calloc(f.maxbytes, 1);
	f.rbuf = malloc(f.maxbytes);
	f.st = malloc(maxblk * sizeof(*f.st));
	f.st_new = malloc(maxblk * sizeof(*f.st_new));
	CU_ASSERT_FATAL(f.mdl && f.rbuf && f.st && f.st_new);
	pthread_mutex_lock(&f.t.vol->lock);
	f.free0 = vmfs_free_mblocks(f.t.vol);
	CU_ASSERT_FATAL(vmfs_inode_alloc(f.t.vol, 0, S_IFREG | 0644, 0, 0, f.t.vol->vh.root_ino,
					 &f.ip) == 0);
	f.ino = f.ip->ino;
	pthread_mutex_unlock(&f.t.vol->lock);
	check_tree(&f);
	for (i = 0; i < ops && !f.failed; i++) {
		f.op = i;
		one_op(&f);
		if (i % 64 == 63 && !f.failed) {
			f.what = "full compare";
			check_contents(&f, 0, f.msize);
		}
		if (i == ops / 2 && !f.failed)
			fx_reopen(&f);
	}
	if (!f.failed)
		fx_reopen(&f);
	/* Deleting the file returns every block. */
	pthread_mutex_lock(&f.t.vol->lock);
	CU_ASSERT_EQUAL(vmfs_inode_delete(f.t.vol, f.ip), 0);
	TCHECK(vmfs_free_mblocks(f.t.vol) == f.free0, "seed %llu: after delete %llu free, before %llu",
	       (unsigned long long)seed, (unsigned long long)vmfs_free_mblocks(f.t.vol),
	       (unsigned long long)f.free0);
	pthread_mutex_unlock(&f.t.vol->lock);
	tvol_destroy(&f.t);
	free(f.mdl);
	free(f.rbuf);
	free(f.st);
	free(f.st_new);
}

static void test_random_default(void)
{
	run(1, 1500, 0, 0, 4096);
	run(2, 1500, 0, 0, 4096);
}

static void test_random_small_blocks(void)
{
	/* 64 KiB file blocks and 8 KiB small blocks: many more chunk boundaries. */
	run(3, 1500, 16, 13, 4096);
	run(4, 1500, 16, 13, 1024);
}

/* Direct extent API: insert merges neighbours, punch splits, marks flip. */
static void test_ext_api(void)
{
	struct tvol t;
	struct vmfs_inode *ip;
	struct vmfs_extent e, g;
	uint64_t p, got, free0;
	struct vmfs_vol *vol;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFREG | 0644, 0, 0, vol->vh.root_ino, &ip) == 0);
	ip->d.data_fmt = VMFS_FMT_BTREE;
	vmfs_bt_root_init(ip->d.data_root, VMFS_BT_EXTENT);
	free0 = vmfs_free_mblocks(vol);
	CU_ASSERT_FATAL(vmfs_alloc(vol, VMFS_AK_DATA, 256, 0, &p, &got) == 0);
	ip->d.alloc_mblocks = got;
	/* Three pieces of one physical run, inserted out of order: one extent. */
	e = (struct vmfs_extent){ .lstart = 100, .pstart = p + 100, .len = 50 };
	CU_ASSERT_EQUAL(vmfs_ext_insert(vol, ip, &e), 0);
	e = (struct vmfs_extent){ .lstart = 0, .pstart = p, .len = 100 };
	CU_ASSERT_EQUAL(vmfs_ext_insert(vol, ip, &e), 0);
	e = (struct vmfs_extent){ .lstart = 150, .pstart = p + 150, .len = 106 };
	CU_ASSERT_EQUAL(vmfs_ext_insert(vol, ip, &e), 0);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 200, &g), 0);
	TCHECK(g.lstart == 0 && g.len == 256 && g.pstart == p, "merged extent [%llu,+%u)->%llu",
	       (unsigned long long)g.lstart, g.len, (unsigned long long)g.pstart);
	/* Unwritten middle, then written again: back to one extent. */
	CU_ASSERT_EQUAL(vmfs_ext_mark_unwritten(vol, ip, 10, 20), 0);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 15, &g), 0);
	CU_ASSERT(g.lstart == 10 && g.len == 20 && g.flags == VMFS_EXT_UNWRITTEN);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 30, &g), 0);
	CU_ASSERT(g.lstart == 30 && g.len == 226 && g.flags == 0 && g.pstart == p + 30);
	CU_ASSERT_EQUAL(vmfs_ext_mark_written(vol, ip, 0, 256), 0);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 0, &g), 0);
	TCHECK(g.lstart == 0 && g.len == 256 && g.flags == 0, "after mark_written: [%llu,+%u) %u",
	       (unsigned long long)g.lstart, g.len, g.flags);
	/* Freeing only what is unwritten keeps written data (allocate-ahead's trim). */
	{
		struct vmfs_bt bt = vmfs_inode_data_bt(ip);

		CU_ASSERT(vmfs_bt_root_leaf_room(&bt, 4 * (VMFS_BT_LEAF_HDR + 24)));
		CU_ASSERT(!vmfs_bt_root_leaf_room(&bt, VMFS_DATA_ROOT_BYTES));
	}
	CU_ASSERT_EQUAL(vmfs_ext_mark_unwritten(vol, ip, 200, 56), 0);
	CU_ASSERT_EQUAL(vmfs_ext_punch_unwritten(vol, ip, 190, 66), 0);
	CU_ASSERT_EQUAL(ip->d.alloc_mblocks, 200);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), free0 - 200);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 199, &g), 0);
	CU_ASSERT(g.lstart == 0 && g.len == 200 && g.flags == 0);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 200, &g), -ENOENT);
	e = (struct vmfs_extent){ .lstart = 200, .pstart = p + 200, .len = 56 };
	CU_ASSERT_FATAL(vmfs_alloc_mark_used(vol, p + 200, 56) == 0);
	CU_ASSERT_EQUAL(vmfs_ext_insert(vol, ip, &e), 0);
	ip->d.alloc_mblocks += 56;
	/* Punch the middle: two extents, blocks freed. */
	CU_ASSERT_EQUAL(vmfs_ext_punch(vol, ip, 64, 64), 0);
	CU_ASSERT_EQUAL(ip->d.alloc_mblocks, 192);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), free0 - 192);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 64, &g), 0);
	CU_ASSERT(g.lstart == 128 && g.pstart == p + 128 && g.len == 128);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 10, &g), 0);
	CU_ASSERT(g.lstart == 0 && g.len == 64);
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 256, &g), -ENOENT);
	/* Re-inserting the punched range with other blocks does not merge. */
	CU_ASSERT_FATAL(vmfs_alloc(vol, VMFS_AK_META, 1, 0, &p, &got) == 0);
	e = (struct vmfs_extent){ .lstart = 64, .pstart = p, .len = 1 };
	CU_ASSERT_EQUAL(vmfs_ext_insert(vol, ip, &e), 0);
	ip->d.alloc_mblocks++;
	CU_ASSERT_EQUAL(vmfs_ext_find(vol, ip, 64, &g), 0);
	CU_ASSERT(g.lstart == 64 && g.len == 1 && g.pstart == p);
	CU_ASSERT_EQUAL(vmfs_inode_delete(vol, ip), 0);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), free0 + 2);	/* the descriptor too */
	pthread_mutex_unlock(&vol->lock);
	tvol_destroy(&t);
}

/* ---- Generic B-tree, 100,000 keys ----------------------------------------------- */

struct btfx {
	struct tvol t;
	struct vmfs_inode *ip;
	uint64_t ino;
	uint64_t *keys;		/* sorted model of present keys */
	size_t n;
};

/* A file whose data root is an empty extent tree: the tree under test. */
static void btfx_file(struct btfx *b)
{
	struct vmfs_vol *vol = b->t.vol;

	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFREG | 0644, 0, 0, vol->vh.root_ino,
					 &b->ip) == 0);
	b->ino = b->ip->ino;
	b->ip->d.data_fmt = VMFS_FMT_BTREE;
	vmfs_bt_root_init(b->ip->d.data_root, VMFS_BT_EXTENT);
	vmfs_inode_dirty(vol, b->ip);
}

static struct vmfs_bt bt_of(struct btfx *b)
{
	return vmfs_inode_data_bt(b->ip);
}

static size_t vlen_of(uint64_t key)
{
	return (size_t)(key % 17);	/* 0..16 bytes */
}

static void val_of(uint64_t key, uint8_t *v)
{
	size_t i;

	for (i = 0; i < vlen_of(key); i++)
		v[i] = (uint8_t)(key >> (i % 8 * 8)) ^ (uint8_t)i;
}

/* Index of the first model key >= k. */
static size_t lower_bound(const struct btfx *b, uint64_t k)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b->keys[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool probe(struct btfx *b, uint64_t k)
{
	struct vmfs_bt bt = bt_of(b);
	uint8_t v[64], w[64];
	size_t vlen = sizeof(v), i = lower_bound(b, k);
	uint64_t fk = 0;
	int err;

	err = vmfs_bt_lookup_ge(b->t.vol, &bt, k, &fk, v, &vlen);
	if (i == b->n) {
		if (err != -ENOENT) {
			TCHECK(err == -ENOENT, "lookup_ge(%llu): %d, want ENOENT",
			       (unsigned long long)k, err);
			return false;
		}
	} else {
		val_of(b->keys[i], w);
		if (err || fk != b->keys[i] || vlen != vlen_of(fk) || memcmp(v, w, vlen)) {
			TCHECK(0, "lookup_ge(%llu): err %d key %llu, want %llu",
			       (unsigned long long)k, err, (unsigned long long)fk,
			       (unsigned long long)b->keys[i]);
			return false;
		}
	}
	/* lookup_le: the last key <= k. */
	if (i < b->n && b->keys[i] == k)
		i++;
	vlen = sizeof(v);
	err = vmfs_bt_lookup_le(b->t.vol, &bt, k, &fk, v, &vlen);
	if (i == 0) {
		if (err != -ENOENT) {
			TCHECK(err == -ENOENT, "lookup_le(%llu): %d, want ENOENT",
			       (unsigned long long)k, err);
			return false;
		}
	} else {
		val_of(b->keys[i - 1], w);
		if (err || fk != b->keys[i - 1] || vlen != vlen_of(fk) || memcmp(v, w, vlen)) {
			TCHECK(0, "lookup_le(%llu): err %d key %llu, want %llu",
			       (unsigned long long)k, err, (unsigned long long)fk,
			       (unsigned long long)b->keys[i - 1]);
			return false;
		}
	}
	return true;
}

static bool probes(struct btfx *b, uint64_t *seed, unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++) {
		uint64_t k;

		switch (trand_below(seed, 3)) {
		case 0:
			k = b->n ? b->keys[trand_below(seed, b->n)] : 0;
			break;
		case 1:
			k = b->n ? b->keys[trand_below(seed, b->n)] + 1 : 1;
			break;
		default:
			k = trand(seed) >> (trand_below(seed, 4) ? 16 : 0);
			break;
		}
		if (!probe(b, k))
			return false;
	}
	return probe(b, 0) && probe(b, UINT64_MAX);
}

/* The whole tree in order, by lookup_ge from 0. */
static bool scan_all(struct btfx *b)
{
	struct vmfs_bt bt = bt_of(b);
	uint64_t k = 0, fk;
	size_t i;
	int err;

	for (i = 0; i < b->n; i++) {
		err = vmfs_bt_lookup_ge(b->t.vol, &bt, k, &fk, NULL, NULL);
		if (err || fk != b->keys[i]) {
			TCHECK(0, "scan: record %zu: err %d key %llu, want %llu", i, err,
			       (unsigned long long)fk, (unsigned long long)b->keys[i]);
			return false;
		}
		k = fk + 1;
	}
	err = vmfs_bt_lookup_ge(b->t.vol, &bt, k, &fk, NULL, NULL);
	TCHECK(err == -ENOENT, "scan: extra key %llu after the last", (unsigned long long)fk);
	return err == -ENOENT;
}

static void test_btree_100k(void)
{
	const size_t N = 100000;
	struct btfx b = { 0 };
	struct vmfs_vol *vol;
	struct vmfs_bt bt;
	uint64_t seed = 12345, *order, free0, nodes = 0;
	uint8_t v[64];
	struct vmfs_bt_hdr h;
	size_t i, j;
	int err = 0;

	CU_ASSERT_FATAL(tvol_make(&b.t, 256ull << 20, NULL) == 0);
	vol = b.t.vol;
	order = malloc(N * sizeof(*order));
	b.keys = malloc(N * sizeof(*b.keys));
	CU_ASSERT_FATAL(order && b.keys);
	/* Unique keys: random, some clustered, none equal. */
	for (i = 0; i < N; i++) {
		order[i] = i % 3 ? trand(&seed) >> (i % 2 ? 1 : 20) : 1000000 + i * 7;
		b.keys[i] = order[i];
	}
	qsort(b.keys, N, sizeof(*b.keys), cmp_u64);
	for (i = j = 0; i < N; i++)
		if (!i || b.keys[i] != b.keys[i - 1])
			b.keys[j++] = b.keys[i];
	CU_ASSERT_FATAL(j == N);	/* astronomically unlikely to fail for this seed */

	pthread_mutex_lock(&vol->lock);
	btfx_file(&b);
	free0 = vmfs_free_mblocks(vol);
	bt = bt_of(&b);
	/* Insert in random order; the model grows by insertion into the sorted array. */
	b.n = 0;
	{
		uint64_t *sorted = b.keys;

		b.keys = malloc(N * sizeof(*b.keys));
		for (i = 0; i < N && !err; i++) {
			val_of(order[i], v);
			err = vmfs_bt_insert(vol, &bt, order[i], v, vlen_of(order[i]));
			TCHECK(err == 0, "insert %zu (key %llu): %d", i, (unsigned long long)order[i],
			       err);
			/* The model of present keys is rebuilt every 20,000 inserts. */
			if (i % 20000 == 19999) {
				memcpy(b.keys, order, (i + 1) * sizeof(*b.keys));
				qsort(b.keys, i + 1, sizeof(*b.keys), cmp_u64);
				b.n = i + 1;
				if (!probes(&b, &seed, 3000))
					err = -1;
			}
			if (!err && i % 1000 == 0) {
				val_of(order[i], v);
				CU_ASSERT_EQUAL(vmfs_bt_insert(vol, &bt, order[i], v, 1), -EEXIST);
			}
		}
		free(b.keys);
		b.keys = sorted;
		b.n = N;
	}
	CU_ASSERT_EQUAL(vmfs_bt_walk_nodes(vol, &bt, count_node, &nodes), 0);
	TCHECK(free0 - vmfs_free_mblocks(vol) == nodes, "%llu node blocks, free count down %llu",
	       (unsigned long long)nodes, (unsigned long long)(free0 - vmfs_free_mblocks(vol)));
	vmfs_bt_hdr_decode(b.ip->d.data_root, &h);
	TCHECK(h.level >= 2, "100,000 keys in a tree of level %u", h.level);
	pthread_mutex_unlock(&vol->lock);
	/* Everything survives a reopen. */
	CU_ASSERT_FATAL(tvol_reopen(&b.t) == 0);
	vol = b.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, b.ino, &b.ip) == 0);
	bt = bt_of(&b);
	if (!err && scan_all(&b))
		probes(&b, &seed, 20000);
	/* Delete in random order, checking as we go. */
	for (i = N; i-- > 0 && !err;) {
		size_t at;

		j = (size_t)trand_below(&seed, i + 1);
		{
			uint64_t tmp = order[i];

			order[i] = order[j];
			order[j] = tmp;
		}
		err = vmfs_bt_delete(vol, &bt, order[i]);
		TCHECK(err == 0, "delete key %llu: %d", (unsigned long long)order[i], err);
		at = lower_bound(&b, order[i]);
		memmove(b.keys + at, b.keys + at + 1, (b.n - at - 1) * sizeof(*b.keys));
		b.n--;
		if (!err && i % 500 == 0)
			CU_ASSERT_EQUAL(vmfs_bt_delete(vol, &bt, order[i]), -ENOENT);
		if (!err && i % 10000 == 0 && !probes(&b, &seed, 2000))
			err = -1;
	}
	vmfs_bt_hdr_decode(b.ip->d.data_root, &h);
	TCHECK(h.level == 0 && h.nrecs == 0 && h.used == 0, "empty tree: level %u nrecs %u used %u",
	       h.level, h.nrecs, h.used);
	TCHECK(vmfs_free_mblocks(vol) == free0, "after deleting everything: %llu free, before %llu",
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)free0);
	CU_ASSERT_EQUAL(vmfs_bt_lookup_ge(vol, &bt, 0, &free0, NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(vmfs_bt_lookup_le(vol, &bt, UINT64_MAX, &free0, NULL, NULL), -ENOENT);
	pthread_mutex_unlock(&vol->lock);
	free(order);
	free(b.keys);
	tvol_destroy(&b.t);
}

/* Records too large for any node are refused; half a node fits even in an xattr root. */
static void test_btree_big_values(void)
{
	struct tvol t;
	struct vmfs_inode *ip;
	struct vmfs_bt bt;
	static uint8_t v[4096], w[4096];
	uint64_t k, fk, free0, nodes = 0;
	size_t vlen, max = (VMFS_MBLOCK_SIZE - VMFS_BT_NODE_HDR) / 2 - VMFS_BT_LEAF_HDR;
	int i;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_alloc(t.vol, 0, S_IFREG | 0644, 0, 0, t.vol->vh.root_ino,
					 &ip) == 0);
	free0 = vmfs_free_mblocks(t.vol);
	bt = vmfs_inode_xattr_bt(ip);
	ip->d.xattr_fmt = VMFS_FMT_BTREE;
	vmfs_bt_root_init(ip->d.xattr_root, VMFS_BT_XATTR);
	CU_ASSERT_EQUAL(vmfs_bt_insert(t.vol, &bt, 5, v, max + 1), -E2BIG);
	for (i = 0; i < 200; i++) {
		memset(v, i + 1, max);
		CU_ASSERT_EQUAL_FATAL(vmfs_bt_insert(t.vol, &bt, (uint64_t)i * 1000 + 7, v,
						     max - (size_t)(i % 3)), 0);
	}
	for (i = 0; i < 200; i++) {
		k = (uint64_t)i * 1000 + 7;
		vlen = sizeof(w);
		CU_ASSERT_EQUAL(vmfs_bt_lookup_le(t.vol, &bt, k + 500, &fk, w, &vlen), 0);
		CU_ASSERT_EQUAL(fk, k);
		CU_ASSERT_EQUAL(vlen, max - (size_t)(i % 3));
		CU_ASSERT(w[0] == (uint8_t)(i + 1) && w[vlen - 1] == (uint8_t)(i + 1));
		vlen = 10;
		CU_ASSERT_EQUAL(vmfs_bt_lookup_ge(t.vol, &bt, k, &fk, w, &vlen), -EOVERFLOW);
	}
	CU_ASSERT_EQUAL(vmfs_bt_walk_nodes(t.vol, &bt, count_node, &nodes), 0);
	CU_ASSERT_EQUAL(free0 - vmfs_free_mblocks(t.vol), nodes);
	CU_ASSERT_EQUAL(vmfs_bt_destroy(t.vol, &bt), 0);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(t.vol), free0);
	pthread_mutex_unlock(&t.vol->lock);
	tvol_destroy(&t);
}

/* ---- A damaged B-tree: salvage and rebuild (fsck) ------------------------------------ */

struct salv {
	uint64_t *keys;			/* records seen, in the order seen */
	size_t n;
	uint64_t lost[8];		/* nodes that did not load */
	size_t nlost;
	bool bad_value;
};

static int salv_rec(void *arg, uint64_t key, const void *val, size_t vlen)
{
	struct salv *s = arg;
	uint8_t w[64];

	val_of(key, w);
	if (vlen != vlen_of(key) || memcmp(val, w, vlen))
		s->bad_value = true;
	s->keys[s->n++] = key;
	return 0;
}

static int salv_lost(void *arg, uint64_t blk, uint64_t key)
{
	struct salv *s = arg;

	(void)key;
	if (s->nlost < 8)
		s->lost[s->nlost++] = blk;
	return 0;
}

struct pick {
	uint64_t leaves[4096], inner[256];
	size_t nleaves, ninner;
};

static int pick_node(void *arg, uint64_t blk, unsigned level)
{
	struct pick *p = arg;

	if (level == 0 && p->nleaves < 4096)
		p->leaves[p->nleaves++] = blk;
	else if (level == 1 && p->ninner < 256)
		p->inner[p->ninner++] = blk;
	return 0;
}

/* Flip a byte of @blk on the device and drop it from the cache: its checksum fails. */
static void damage_block(struct vmfs_vol *vol, uint64_t blk)
{
	uint8_t *buf = NULL;

	CU_ASSERT_FATAL(posix_memalign((void **)&buf, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE) == 0);
	CU_ASSERT_FATAL(vmfs_dev_read(vol->dev, buf, VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT) == 0);
	buf[200] ^= 0x40;
	CU_ASSERT_FATAL(vmfs_dev_write(vol->dev, buf, VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT) == 0);
	vmfs_bc_forget(vol, blk);
	free(buf);
}

/*
 * A tree of 80,000 keys, one leaf and one inner node damaged: salvage
 * visits every other record, in key order, and names both lost nodes; the
 * rebuild makes a sound tree of exactly those records.
 */
static void test_btree_salvage(void)
{
	const size_t N = 80000;
	struct btfx b = { 0 };
	struct salv sv = { 0 };
	struct vmfs_bt_visit v = { NULL, salv_rec, salv_lost, &sv };
	static struct pick pk;
	struct vmfs_vol *vol;
	struct vmfs_bt bt;
	uint64_t seed = 777;
	uint8_t val[64];
	size_t i;
	long dropped;

	CU_ASSERT_FATAL(tvol_make(&b.t, 256ull << 20, NULL) == 0);
	vol = b.t.vol;
	b.keys = malloc(N * sizeof(*b.keys));
	sv.keys = malloc(N * sizeof(*sv.keys));
	CU_ASSERT_FATAL(b.keys && sv.keys);
	pthread_mutex_lock(&vol->lock);
	btfx_file(&b);
	bt = bt_of(&b);
	for (i = 0; i < N; i++) {
		uint64_t k = trand(&seed) >> 8;

		val_of(k, val);
		if (vmfs_bt_insert(vol, &bt, k, val, vlen_of(k)) == 0)
			b.keys[b.n++] = k;
	}
	qsort(b.keys, b.n, sizeof(*b.keys), cmp_u64);
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&b.t) == 0);	/* every node on the device */
	vol = b.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, b.ino, &b.ip) == 0);
	bt = bt_of(&b);

	/* Sound: salvage sees everything and loses nothing. */
	CU_ASSERT_EQUAL(vmfs_bt_salvage(vol, &bt, &v), 0);
	TCHECK(sv.n == b.n && sv.nlost == 0 && !sv.bad_value, "sound tree: %zu of %zu, %zu lost",
	       sv.n, b.n, sv.nlost);
	CU_ASSERT_EQUAL(vmfs_bt_walk_nodes(vol, &bt, pick_node, &pk), 0);
	CU_ASSERT_FATAL(pk.nleaves > 8 && pk.ninner >= 2);
	/* One leaf of the first inner node's subtree, and the last inner node whole. */
	damage_block(vol, pk.leaves[1]);
	damage_block(vol, pk.inner[pk.ninner - 1]);
	sv.n = 0;
	CU_ASSERT_EQUAL(vmfs_bt_salvage(vol, &bt, &v), 0);
	TCHECK(sv.nlost == 2, "%zu nodes lost, want 2", sv.nlost);
	CU_ASSERT(!sv.bad_value);
	TCHECK(sv.n > b.n / 4 && sv.n < b.n, "%zu of %zu records salvaged", sv.n, b.n);
	for (i = 1; i < sv.n; i++)
		if (sv.keys[i] <= sv.keys[i - 1])
			break;
	TCHECK(i >= sv.n, "salvaged records out of order at %zu", i);
	/* The rebuild: the two lost subtrees counted, the rest a sound tree. */
	dropped = vmfs_bt_rebuild(vol, &bt, NULL);
	TCHECK(dropped == 2, "rebuild dropped %ld, want 2", dropped);
	memcpy(b.keys, sv.keys, sv.n * sizeof(*b.keys));
	b.n = sv.n;
	if (scan_all(&b))
		probes(&b, &seed, 5000);
	sv.n = sv.nlost = 0;
	CU_ASSERT_EQUAL(vmfs_bt_salvage(vol, &bt, &v), 0);
	TCHECK(sv.n == b.n && sv.nlost == 0, "rebuilt tree: %zu of %zu, %zu lost", sv.n, b.n,
	       sv.nlost);
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&b.t) == 0);	/* and it is on the device */
	vol = b.t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, b.ino, &b.ip) == 0);
	scan_all(&b);
	pthread_mutex_unlock(&vol->lock);
	free(sv.keys);
	free(b.keys);
	tvol_destroy(&b.t);
}

static int add_tests(void)
{
	CU_pSuite s = CU_add_suite("extent", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "extent api", test_ext_api) ||
	    !CU_add_test(s, "random file ops, default blocks", test_random_default) ||
	    !CU_add_test(s, "random file ops, small blocks", test_random_small_blocks) ||
	    !CU_add_test(s, "b-tree 100,000 keys", test_btree_100k) ||
	    !CU_add_test(s, "b-tree big values", test_btree_big_values) ||
	    !CU_add_test(s, "b-tree salvage and rebuild", test_btree_salvage))
		return -1;
	return 0;
}

int main(void)
{
	return trun(add_tests);
}
