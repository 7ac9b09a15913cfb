// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The consistency check (see check.h), in passes:
 *  1. volume header and its backup, resource group headers and bitmaps,
 *     the volume's and groups' lock records, heartbeat slots and journals;
 *  2. from the root, every descriptor reachable through directories, with
 *     its lock record and its extent, directory and xattr trees: every
 *     block they use becomes a claim (owner, range);
 *  3. link counts and directory counts against the names found;
 *  4. claims sorted: a block claimed twice, a claimed block free in the
 *     bitmap, a used block nobody claims, group counters.
 * Memory grows with the number of files and extents, not the volume size.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsck/check.h"

struct claim {
	uint64_t p, len, ino;
	const char *what;
	uint64_t lstart;		/* file data: the extent's logical start */
};

struct ient {
	uint64_t ino;
	uint64_t parent_field;
	uint32_t nlink_disk, refs, subdirs, dir_names;
	bool used, visited, is_dir, bad, orphan;
	bool listed;			/* in a host's orphan table: no name, link count 0 */
	bool lock_checked;		/* its lock record was read (read_descs) */
};

struct checker {
	struct vmfs_vol *vol;
	struct vmfs_check_report *rep;
	struct claim *claims;
	size_t nclaims, cap;
	struct ient *itab;
	size_t ibuckets, icount;
	uint64_t *queue;
	size_t qhead, qtail, qcap;
	uint64_t *ndesc;		/* descriptors found per group */
	bool *bad_rg;			/* header or bitmap unreadable: not compared */
	/* The silent first sweep (find_orphans): nothing reported, leaks kept. */
	bool silent;
	struct claim *leaks;
	size_t nleaks, capleaks;
	struct vmfs_dirent *batch;	/* PREFETCH entries of one directory (check_tree) */
	uint8_t *runbuf;		/* RUN_IOS reads of RUN_MAX mblocks (read_descs) */
};

static void vreport(struct checker *c, enum vmfs_problem pr, const char *fmt, va_list ap)
{
	struct vmfs_check_report *rep = c->rep;

	if (c->silent)
		return;
	rep->found[pr]++;
	if (!rep->out)
		return;
	if (rep->max_lines && rep->found[pr] > rep->max_lines) {
		if (rep->found[pr] == rep->max_lines + 1)
			fprintf(rep->out, "%s: further problems of this kind not listed\n",
				vmfs_problems[pr].code);
		return;
	}
	fprintf(rep->out, "%s: %s: ", vmfs_problems[pr].code, vmfs_problems[pr].what);
	vfprintf(rep->out, fmt, ap);
	fputc('\n', rep->out);
}

static void report(struct checker *c, enum vmfs_problem pr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(struct checker *c, enum vmfs_problem pr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, pr, fmt, ap);
	va_end(ap);
}

/* Keep the repair @f for repair.c (when the caller asked for repairs). */
static void keep_fix(struct checker *c, struct vmfs_fix f, const char *name)
{
	struct vmfs_check_report *rep = c->rep;
	struct vmfs_fix *n;

	if (!rep->want_fixes || c->silent)
		return;
	n = vmfs_grow(rep->fixes, rep->nfixes, &rep->capfixes, sizeof(*n), 64);
	f.name = name ? strdup(name) : NULL;
	if (!n || (name && !f.name)) {
		free(f.name);
		rep->fixes_lost = true;
		return;
	}
	rep->fixes = n;
	rep->fixes[rep->nfixes++] = f;
}

/* A problem with a repair: @a and @b as struct vmfs_fix says. */
static void report_fix(struct checker *c, enum vmfs_problem pr, uint64_t a, uint64_t b,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void report_fix(struct checker *c, enum vmfs_problem pr, uint64_t a, uint64_t b,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, pr, fmt, ap);
	va_end(ap);
	keep_fix(c, (struct vmfs_fix){ pr, a, b, 0, NULL, 0 }, NULL);
}

/* The same with a third value and a name. */
static void report_fix_named(struct checker *c, enum vmfs_problem pr, uint64_t a, uint64_t b,
			     uint64_t cval, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void report_fix_named(struct checker *c, enum vmfs_problem pr, uint64_t a, uint64_t b,
			     uint64_t cval, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(c, pr, fmt, ap);
	va_end(ap);
	keep_fix(c, (struct vmfs_fix){ pr, a, b, cval, NULL, 0 }, name);
}

void vmfs_check_report_release(struct vmfs_check_report *rep)
{
	size_t i;

	for (i = 0; i < rep->nfixes; i++)
		free(rep->fixes[i].name);
	free(rep->fixes);
	rep->fixes = NULL;
	rep->nfixes = rep->capfixes = 0;
	free(rep->orphan_tables);
	rep->orphan_tables = NULL;
	rep->norphan_tables = rep->cap_orphan_tables = 0;
}

static int claim(struct checker *c, uint64_t p, uint64_t len, uint64_t ino, const char *what)
{
	struct claim *n = vmfs_grow(c->claims, c->nclaims, &c->cap, sizeof(*n), 4096);

	if (!n)
		return -ENOMEM;
	c->claims = n;
	c->claims[c->nclaims++] = (struct claim){ p, len, ino, what, 0 };
	return 0;
}

/* The entry for @ino, created on first use; NULL when out of memory. */
static struct ient *ient_get(struct checker *c, uint64_t ino)
{
	size_t i;

	if ((c->icount + 1) * 2 > c->ibuckets) {
		size_t nb = c->ibuckets ? c->ibuckets * 2 : 1 << 16, j;
		struct ient *n = calloc(nb, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < c->ibuckets; j++) {
			if (!c->itab[j].used)
				continue;
			for (i = (c->itab[j].ino * 0x9e3779b97f4a7c15ull) & (nb - 1); n[i].used;
			     i = (i + 1) & (nb - 1))
				;
			n[i] = c->itab[j];
		}
		free(c->itab);
		c->itab = n;
		c->ibuckets = nb;
	}
	for (i = (ino * 0x9e3779b97f4a7c15ull) & (c->ibuckets - 1); c->itab[i].used;
	     i = (i + 1) & (c->ibuckets - 1))
		if (c->itab[i].ino == ino)
			return &c->itab[i];
	c->itab[i].used = true;
	c->itab[i].ino = ino;
	c->icount++;
	return &c->itab[i];
}

static int enqueue(struct checker *c, uint64_t ino)
{
	uint64_t *n = vmfs_grow(c->queue, c->qtail, &c->qcap, sizeof(*n), 1024);

	if (!n)
		return -ENOMEM;
	c->queue = n;
	c->queue[c->qtail++] = ino;
	return 0;
}

/* A table that lists something, for fsck's reaping (vmfs_check_report.orphan_tables). */
static int keep_orphan_table(struct vmfs_check_report *rep, uint64_t blk)
{
	uint64_t *n = vmfs_grow(rep->orphan_tables, rep->norphan_tables, &rep->cap_orphan_tables,
				sizeof(*n), 8);

	if (!n)
		return -ENOMEM;
	rep->orphan_tables = n;
	rep->orphan_tables[rep->norphan_tables++] = blk;
	return 0;
}

/*
 * The descriptors a host's orphan table (the last mblock of its journal
 * area) lists: unlinked, not deleted yet. Each one that is such a
 * descriptor is walked like a named file, its link count 0. A table that
 * does not verify lists nothing (the host makes it anew when it mounts).
 */
static int walk_orphan_table(struct checker *c, uint64_t blk, uint8_t *buf)
{
	struct vmfs_vol *vol = c->vol;
	uint64_t inos[VMFS_ORPHAN_MAX];
	struct vmfs_desc d;
	struct ient *e;
	uint32_t n, i;
	int err;

	if (blk <= vol->vh.data_start || blk >= vol->vh.total_mblocks)
		return 0;	/* a slot naming no area in the volume lists nothing */
	err = vmfs_dev_read(vol->dev, buf, VMFS_MBLOCK_SIZE, blk << VMFS_MBLOCK_SHIFT);
	if (err || vmfs_orphan_decode(buf, blk, vol->vh.hdr.uuid, &n, inos) != 0 || !n)
		return err;
	err = keep_orphan_table(c->rep, blk);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		if (inos[i] <= vol->vh.data_start || inos[i] >= vol->vh.total_mblocks ||
		    vmfs_dev_read(vol->dev, buf, VMFS_MBLOCK_SIZE, inos[i] << VMFS_MBLOCK_SHIFT) ||
		    vmfs_desc_decode(buf, inos[i], vol->vh.hdr.uuid, &d) != 0 || d.nlink != 0 ||
		    !(d.flags & VMFS_DESC_F_ORPHAN))
			continue;	/* a stale entry: the next mount drops it */
		e = ient_get(c, inos[i]);
		if (!e)
			return -ENOMEM;
		if (e->visited)
			continue;
		e->visited = e->listed = true;
		err = enqueue(c, inos[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The journal areas that heartbeat slots record (docs/FORMAT.md "Journal"). */
static int claim_journals(struct checker *c)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_heartbeat hb;
	uint8_t *buf, *tbl;
	uint64_t slot, chunk = 256, i, n;
	int err = 0;

	if (posix_memalign((void **)&buf, VMFS_MBLOCK_SIZE, (chunk + 1) * VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	tbl = buf + chunk * VMFS_MBLOCK_SIZE;
	for (slot = 0; slot < vol->vh.host_slots && !err; slot += chunk) {
		n = vol->vh.host_slots - slot < chunk ? vol->vh.host_slots - slot : chunk;
		err = vmfs_dev_read(vol->dev, buf, n * VMFS_MBLOCK_SIZE,
				    (vol->vh.hb_start + slot) << VMFS_MBLOCK_SHIFT);
		for (i = 0; !err && i < n; i++) {
			uint64_t blk = vol->vh.hb_start + slot + i;

			if (vmfs_hb_decode(buf + i * VMFS_MBLOCK_SIZE, blk, vol->vh.hdr.uuid,
					   &hb) != 0) {	/* a damaged slot claims nothing */
				report_fix(c, PR_HB_UNREADABLE, blk, 0, "slot %llu (mblock %llu)",
					   (unsigned long long)(slot + i), (unsigned long long)blk);
				continue;
			}
			if (!hb.journal_start)
				continue;
			err = claim(c, hb.journal_start, hb.journal_mblocks, 0, "host journal");
			if (!err)
				err = walk_orphan_table(c, vmfs_orphan_blk(hb.journal_start,
									   hb.journal_mblocks), tbl);
		}
	}
	free(buf);
	return err;
}

#define LOCK_BATCH 64

/*
 * The lock records at mblocks @blks[0..n): each must decode (docs/FORMAT.md
 * "Lock record"; all zero is a free lock). Read in parallel batches.
 */
static int check_locks(struct checker *c, const uint64_t *blks, size_t n)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_dev_io ios[LOCK_BATCH];
	struct vmfs_lock lk;
	uint8_t *buf;
	size_t i, k, cnt;
	int err = 0;

	if (posix_memalign((void **)&buf, VMFS_MBLOCK_SIZE, LOCK_BATCH * VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	for (i = 0; i < n && !err; i += cnt) {
		cnt = n - i < LOCK_BATCH ? n - i : LOCK_BATCH;
		for (k = 0; k < cnt; k++)
			ios[k] = (struct vmfs_dev_io){ .op = VMFS_IO_READ,
				.buf = buf + k * VMFS_MBLOCK_SIZE, .len = VMFS_MBLOCK_SIZE,
				.off = blks[i + k] << VMFS_MBLOCK_SHIFT };
		err = vmfs_dev_submit(vol->dev, ios, (unsigned)cnt);
		for (k = 0; !err && k < cnt; k++) {
			err = ios[k].result;
			if (!err && vmfs_lock_decode(buf + k * VMFS_MBLOCK_SIZE, blks[i + k],
						     vol->vh.hdr.uuid, &lk) != 0)
				report_fix(c, PR_LOCK_UNREADABLE, blks[i + k], 0, "mblock %llu",
					   (unsigned long long)blks[i + k]);
		}
	}
	free(buf);
	return err;
}

/* The volume lock and the lock of every group in use. */
static int check_group_locks(struct checker *c)
{
	struct vmfs_vol *vol = c->vol;
	uint64_t *blks = malloc((vol->vh.rg_count + 1) * sizeof(*blks)), rg;
	size_t n = 0;
	int err;

	if (!blks)
		return -ENOMEM;
	blks[n++] = vol->vh.volume_lock;
	for (rg = 0; rg < vol->vh.rg_count; rg++)
		if (!vol->rgs[rg].loaded || vol->rgs[rg].init)	/* a group never used: not read */
			blks[n++] = vmfs_rg_lock_blk(&vol->vh, rg);
	err = check_locks(c, blks, n);
	free(blks);
	return err;
}

/* Read group @rg's bitmap blocks ahead, in parallel batches (a speed-up only). */
static void prefetch_bitmaps(struct vmfs_vol *vol, uint64_t rg)
{
	struct vmfs_rg *h = &vol->rgs[rg].hdr;
	uint64_t blks[VMFS_RG_MAX_BITMAP_BLOCKS];
	uint32_t k, n = 0;

	for (k = 0; k < h->bitmap_blocks && k < VMFS_RG_MAX_BITMAP_BLOCKS; k++)
		if (h->bitmap_init[k / 8] & (1u << (k % 8)))
			blks[n++] = h->start + k;
	vmfs_bc_prefetch(vol, blks, n, VMFS_MAGIC_BITMAP);
}

/* Pass 1: the backup header, every group's header and bitmap, the host journals. */
static int pass_groups(struct checker *c)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_volhdr bvh;
	uint64_t last = vol->vh.total_mblocks - 1, rg;
	void *buf;
	int err;

	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE))
		return -ENOMEM;
	err = vmfs_dev_read(vol->dev, buf, VMFS_MBLOCK_SIZE, last << VMFS_MBLOCK_SHIFT);
	if (!err && (vmfs_volhdr_decode(buf, last, &bvh) != 0 ||
		     memcmp(bvh.hdr.uuid, vol->vh.hdr.uuid, 16) || bvh.rg_count != vol->vh.rg_count ||
		     bvh.data_start != vol->vh.data_start || bvh.root_ino != vol->vh.root_ino))
		report_fix(c, PR_HDR_BACKUP, 0, 0, "mblock %llu", (unsigned long long)last);
	free(buf);
	if (err)
		return err;
	for (rg = 0; rg < vol->vh.rg_count; rg++) {
		bool all, any;

		err = vmfs_rg_load(vol, rg);
		if (!err)
			prefetch_bitmaps(vol, rg);
		if (!err)	/* reads every bitmap block of the group */
			err = vmfs_alloc_is_used(vol, vol->rgs[rg].hdr.start, vol->rgs[rg].hdr.mblocks,
						 &all, &any);
		if (err) {
			report(c, PR_RG_UNREADABLE, "group %llu: %s", (unsigned long long)rg,
			       strerror(-err));
			c->bad_rg[rg] = true;
			continue;
		}
		err = claim(c, vol->rgs[rg].hdr.start, vol->rgs[rg].hdr.bitmap_blocks, 0,
			    "group bitmap");
		if (err)
			return err;
	}
	err = check_group_locks(c);
	return err ? err : claim_journals(c);
}

#define PREFETCH 256		/* descriptors read ahead at once */
#define RUN_MAX 64		/* mblocks per read of descriptors and their locks */
#define RUN_GAP 8		/* mblocks between two pairs read through, not skipped */
#define RUN_IOS 64		/* reads sent at once */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One read of read_descs: mblocks from @first, holding want[i0..i1). */
struct desc_run {
	uint64_t first;
	size_t i0, i1;
};

/* The lock record and the descriptor of each want[r->i0..r->i1), read into @buf. */
static void desc_run_done(struct checker *c, const struct desc_run *r, const uint64_t *want,
			  const uint8_t *buf)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_lock lk;
	size_t i;

	for (i = r->i0; i < r->i1; i++) {
		const uint8_t *pair = buf + ((want[i] - 1 - r->first) << VMFS_MBLOCK_SHIFT);

		if (vmfs_bc_adopt(vol, want[i], pair + VMFS_MBLOCK_SIZE, VMFS_MAGIC_DESC) != 0)
			continue;	/* no descriptor there: no lock of one either */
		if (vmfs_lock_decode(pair, want[i] - 1, vol->vh.hdr.uuid, &lk) != 0)
			report_fix(c, PR_LOCK_UNREADABLE, want[i] - 1, 0, "mblock %llu (of %llu)",
				   (unsigned long long)(want[i] - 1), (unsigned long long)want[i]);
	}
}

/*
 * Read the descriptors @inos[0..n) (n <= PREFETCH) with their lock records,
 * each once: a pair is two adjacent mblocks (ino - 1, ino), and files made
 * one after another lie side by side, so the pairs are sorted and read in
 * runs of up to RUN_MAX mblocks, RUN_IOS reads at once. Each lock record
 * of a descriptor that verifies is checked here, and the descriptor goes
 * into the cache for check_inode (one that does not verify is read again
 * there, and reported). A read that fails is left to check_inode too.
 */
static int read_descs(struct checker *c, const uint64_t *inos, size_t n)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_dev_io ios[RUN_IOS];
	struct desc_run runs[RUN_IOS];
	uint64_t want[PREFETCH];
	size_t nw = 0, i, k, nio;

	for (i = 0; i < n && nw < PREFETCH; i++) {
		struct ient *e;

		if (inos[i] <= vol->vh.data_start || inos[i] >= vol->vh.total_mblocks)
			continue;	/* no descriptor: the entry is reported */
		e = ient_get(c, inos[i]);
		if (!e)
			return -ENOMEM;
		if (e->lock_checked)
			continue;
		e->lock_checked = true;
		want[nw++] = inos[i];
	}
	qsort(want, nw, sizeof(*want), cmp_u64);
	for (i = 0; i < nw;) {
		for (nio = 0; nio < RUN_IOS && i < nw; nio++) {
			struct desc_run *r = &runs[nio];

			r->first = want[i] - 1;
			r->i0 = i;
			for (i++; i < nw && want[i] - 1 <= want[i - 1] + 1 + RUN_GAP &&
				  want[i] + 1 - r->first <= RUN_MAX; i++)
				;
			r->i1 = i;
			ios[nio] = (struct vmfs_dev_io){ .op = VMFS_IO_READ,
				.buf = c->runbuf + ((size_t)nio * RUN_MAX << VMFS_MBLOCK_SHIFT),
				.len = (want[i - 1] + 1 - r->first) << VMFS_MBLOCK_SHIFT,
				.off = r->first << VMFS_MBLOCK_SHIFT };
		}
		vmfs_dev_submit(vol->dev, ios, (unsigned)nio);
		for (k = 0; k < nio; k++)
			if (ios[k].result == 0)
				desc_run_done(c, &runs[k], want, ios[k].buf);
	}
	return 0;
}

/*
 * One tree of a descriptor (its extent map, directory entries or xattrs),
 * walked with vmfs_bt_salvage so that a damaged node costs only what
 * hangs below it: the rest is checked and claimed, and the repair
 * rebuilds the tree from the same records.
 */
enum tree_kind { TREE_EXTENTS, TREE_ENTRIES, TREE_XATTRS };

struct tree_walk {
	struct checker *c;
	struct vmfs_inode *ip;
	enum tree_kind kind;
	uint64_t total;			/* extents: mblocks mapped; entries: entries */
	uint64_t written_end;		/* extents: past the last written mblock */
	uint64_t lost;			/* subtrees and records that do not read */
	struct vmfs_dirent *batch;	/* entries waiting for their descriptors */
	size_t nbatch;
};

static enum vmfs_problem tree_problem(const struct tree_walk *w)
{
	return w->kind == TREE_ENTRIES ? PR_DIR_UNREADABLE : PR_TREE_UNREADABLE;
}

static const char *tree_name(const struct tree_walk *w)
{
	return w->kind == TREE_EXTENTS ? "extent map" :
	       w->kind == TREE_ENTRIES ? "entries" : "xattrs";
}

static int walk_node(void *arg, uint64_t blk, unsigned level)
{
	struct tree_walk *w = arg;

	(void)level;
	return claim(w->c, blk, 1, w->ip->ino,
		     w->kind == TREE_XATTRS ? "xattr node" : "tree node");
}

static int walk_lost(void *arg, uint64_t blk, uint64_t key)
{
	struct tree_walk *w = arg;

	w->lost++;
	if (blk)
		report(w->c, tree_problem(w), "%s of descriptor %llu: node at mblock %llu "
		       "(keys from %llu) unreadable or out of order", tree_name(w),
		       (unsigned long long)w->ip->ino, (unsigned long long)blk,
		       (unsigned long long)key);
	else
		report(w->c, tree_problem(w), "%s of descriptor %llu: root unreadable",
		       tree_name(w), (unsigned long long)w->ip->ino);
	return 0;
}

static void record_lost(struct tree_walk *w, uint64_t key)
{
	w->lost++;
	report(w->c, tree_problem(w), "%s of descriptor %llu: record %llu does not decode",
	       tree_name(w), (unsigned long long)w->ip->ino, (unsigned long long)key);
}

/* One extent of a file: its bounds, then its claim. */
static int check_extent(struct tree_walk *w, const struct vmfs_extent *e)
{
	struct checker *c = w->c;
	int err;

	w->total += e->len;
	if (!vmfs_ext_in_volume(c->vol, e)) {
		report_fix_named(c, PR_EXTENT_OUTSIDE, w->ip->ino, e->lstart, e->len, NULL,
				 "file %llu logical %llu -> %llu+%u", (unsigned long long)w->ip->ino,
				 (unsigned long long)e->lstart, (unsigned long long)e->pstart, e->len);
		return 0;
	}
	if (!(e->flags & VMFS_EXT_UNWRITTEN) && e->lstart + e->len > w->written_end)
		w->written_end = e->lstart + e->len;
	err = claim(c, e->pstart, e->len, w->ip->ino, "data");
	if (!err)
		c->claims[c->nclaims - 1].lstart = e->lstart;
	return err;
}

/*
 * One directory entry: references, types, parents; subdirectories queued.
 * Entries of the table move when it grows: look them up again after ient_get.
 */
static int check_entry(struct checker *c, struct vmfs_inode *dp, const struct vmfs_dirent *ent)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_inode *cp;
	struct ient *ce;
	int err;

	err = vmfs_inode_get(vol, ent->ino, &cp);
	if (err) {
		report_fix_named(c, PR_DESC_UNREADABLE, dp->ino, 0, 0, ent->name,
				 "'%s' in directory %llu -> %llu: %s", ent->name,
				 (unsigned long long)dp->ino, (unsigned long long)ent->ino,
				 strerror(-err));
		return 0;
	}
	ce = ient_get(c, ent->ino);
	if (!ce) {
		err = -ENOMEM;
		goto out;
	}
	ce->refs++;
	if (ent->type != vmfs_mode_to_dt(cp->d.mode))
		report_fix_named(c, PR_DIRENT_TYPE, dp->ino, ent->ino, vmfs_mode_to_dt(cp->d.mode),
				 ent->name, "'%s' in directory %llu", ent->name,
				 (unsigned long long)dp->ino);
	if (S_ISDIR(cp->d.mode) && ++ce->dir_names > 1) {
		/* A second name: removed by the repair, so not a subdirectory here. */
		report_fix_named(c, PR_DIR_LINKED_TWICE, dp->ino, ent->ino, 0, ent->name,
				 "directory %llu, again as '%s' in %llu",
				 (unsigned long long)ent->ino, ent->name, (unsigned long long)dp->ino);
	} else if (S_ISDIR(cp->d.mode)) {
		struct ient *de = ient_get(c, dp->ino);

		if (!de) {
			err = -ENOMEM;
			goto out;
		}
		de->subdirs++;
		ce = ient_get(c, ent->ino);	/* the table may have moved */
		if (cp->d.parent != dp->ino)
			report_fix(c, PR_DIR_PARENT, ent->ino, dp->ino,
				   "directory %llu ('%s') says %llu, is in %llu",
				   (unsigned long long)ent->ino, ent->name,
				   (unsigned long long)cp->d.parent, (unsigned long long)dp->ino);
	}
	if (!ce->visited) {
		ce->visited = true;
		err = enqueue(c, ent->ino);
	}
out:
	if (cp != dp)
		vmfs_inode_forget(vol, cp);
	return err;
}

/* The entries gathered so far: their descriptors read ahead together, then checked. */
static int flush_entries(struct tree_walk *w)
{
	uint64_t inos[PREFETCH];
	size_t i;
	int err = 0;

	for (i = 0; i < w->nbatch; i++)
		inos[i] = w->batch[i].ino;
	err = read_descs(w->c, inos, w->nbatch);
	for (i = 0; i < w->nbatch && !err; i++)
		err = check_entry(w->c, w->ip, &w->batch[i]);
	w->nbatch = 0;
	return err;
}

static int walk_rec(void *arg, uint64_t key, const void *val, size_t vlen)
{
	struct tree_walk *w = arg;
	struct vmfs_extent e;
	uint64_t remote;

	switch (w->kind) {
	case TREE_EXTENTS:
		if (vmfs_extent_val_decode(val, vlen, key, &e) != 0)
			break;
		return check_extent(w, &e);
	case TREE_ENTRIES:
		if (vmfs_dirent_decode(val, vlen, key, &w->batch[w->nbatch]) != 0)
			break;
		w->total++;
		return ++w->nbatch == PREFETCH ? flush_entries(w) : 0;
	case TREE_XATTRS:
		if (vmfs_xattr_decode_remote(val, vlen, &remote) != 0)
			break;
		return remote ? claim(w->c, remote, 1, w->ip->ino, "xattr value") : 0;
	}
	record_lost(w, key);
	return 0;
}

/*
 * A regular file's size against its data: written extents end in the
 * mblock holding the last byte or before it (preallocated ones, unwritten,
 * may lie past it), and no size passes the largest a file may have.
 * @written_end: past the last written mblock.
 */
static void check_size(struct checker *c, struct vmfs_inode *ip, uint64_t written_end)
{
	uint64_t want = written_end << VMFS_MBLOCK_SHIFT;

	if (ip->d.size <= VMFS_MAX_FILE_BYTES &&
	    vmfs_div_up(ip->d.size, VMFS_MBLOCK_SIZE) >= written_end)
		return;
	report_fix(c, PR_SIZE, ip->ino, want, "file %llu says %llu bytes, written data to %llu",
		   (unsigned long long)ip->ino, (unsigned long long)ip->d.size,
		   (unsigned long long)want);
}

/* Walk one tree of @ip: claims, checks, and the counts it must agree with. */
static int check_tree(struct checker *c, struct vmfs_inode *ip, enum tree_kind kind)
{
	struct tree_walk w = { .c = c, .ip = ip, .kind = kind, .batch = c->batch };
	struct vmfs_bt_visit v = { walk_node, walk_rec, walk_lost, &w };
	struct vmfs_bt bt = kind == TREE_XATTRS ? vmfs_inode_xattr_bt(ip) : vmfs_inode_data_bt(ip);
	int err;

	err = vmfs_bt_salvage(c->vol, &bt, &v);
	if (!err && w.nbatch)
		err = flush_entries(&w);
	if (err)
		return err;
	if (w.lost)	/* one rebuild of the whole tree */
		keep_fix(c, (struct vmfs_fix){ tree_problem(&w), ip->ino, kind == TREE_XATTRS, 0,
					       NULL, 0 }, NULL);
	if (kind == TREE_EXTENTS && w.total != ip->d.alloc_mblocks)
		report_fix(c, PR_ALLOC_COUNT, ip->ino, w.total, "file %llu has %llu, extents hold %llu",
			   (unsigned long long)ip->ino, (unsigned long long)ip->d.alloc_mblocks,
			   (unsigned long long)w.total);
	if (kind == TREE_EXTENTS && S_ISREG(ip->d.mode))
		check_size(c, ip, w.written_end);
	if (kind == TREE_ENTRIES && w.total != ip->d.nentries)
		report_fix(c, PR_DIR_COUNT, ip->ino, w.total, "directory %llu says %llu, holds %llu",
			   (unsigned long long)ip->ino, (unsigned long long)ip->d.nentries,
			   (unsigned long long)w.total);
	return 0;
}

/* Pass 2 for one descriptor taken from the queue. */
static int check_inode(struct checker *c, uint64_t ino)
{
	struct vmfs_vol *vol = c->vol;
	struct vmfs_inode *ip;
	struct ient *e;
	uint64_t rg;
	int err;

	err = vmfs_inode_get(vol, ino, &ip);
	if (err)
		return 0;	/* reported by the entry that led here */
	e = ient_get(c, ino);
	if (!e) {
		vmfs_inode_forget(vol, ip);
		return -ENOMEM;
	}
	e->is_dir = S_ISDIR(ip->d.mode);
	e->nlink_disk = ip->d.nlink;
	e->parent_field = ip->d.parent;
	if (e->is_dir)
		c->rep->dirs++;
	else if (S_ISREG(ip->d.mode))
		c->rep->files++;
	else
		c->rep->others++;
	rg = (ino - vol->vh.data_start) / vol->vh.rg_mblocks;
	if (rg < vol->vh.rg_count)
		c->ndesc[rg]++;
	err = claim(c, ino - 1, 2, ino, "descriptor");
	if (!err && ip->d.data_fmt == VMFS_FMT_BTREE)
		err = check_tree(c, ip, e->is_dir ? TREE_ENTRIES : TREE_EXTENTS);
	if (!err && ip->d.data_fmt == VMFS_FMT_INLINE && ip->d.size > VMFS_DATA_ROOT_BYTES)
		report_fix(c, PR_SIZE, ino, VMFS_DATA_ROOT_BYTES,
			   "file %llu says %llu bytes, holds %u inline", (unsigned long long)ino,
			   (unsigned long long)ip->d.size, VMFS_DATA_ROOT_BYTES);
	if (!err && ip->d.xattr_fmt == VMFS_FMT_BTREE)
		err = check_tree(c, ip, TREE_XATTRS);
	vmfs_inode_forget(vol, ip);
	return err;
}

/* Pass 3: link counts against the names found. */
static void pass_links(struct checker *c)
{
	size_t i;

	for (i = 0; i < c->ibuckets; i++) {
		struct ient *e = &c->itab[i];
		uint32_t want;

		if (!e->used || !e->visited)
			continue;
		if (e->listed && !e->refs)
			continue;	/* unlinked, to be deleted: link count 0, as it says */
		if (e->orphan) {	/* named once, in /lost+found */
			want = e->is_dir ? 2 + e->subdirs : 1;
			report_fix(c, PR_ORPHAN, e->ino, want, "descriptor %llu (%s, %u links)",
				   (unsigned long long)e->ino, e->is_dir ? "directory" : "file",
				   e->nlink_disk);
			continue;
		}
		want = e->is_dir ? 2 + e->subdirs : e->refs;
		if (e->nlink_disk != want)
			report_fix(c, PR_NLINK, e->ino, want, "descriptor %llu says %u, %u found",
			       (unsigned long long)e->ino, e->nlink_disk, want);
	}
}

static int cmp_claim(const void *a, const void *b)
{
	const struct claim *x = a, *y = b;

	return x->p < y->p ? -1 : x->p > y->p;
}

/* The silent sweep's leaked run [p, p+len). */
static int keep_leak(struct checker *c, uint64_t p, uint64_t len)
{
	struct claim *n = vmfs_grow(c->leaks, c->nleaks, &c->capleaks, sizeof(*n), 64);

	if (!n)
		return -ENOMEM;
	c->leaks = n;
	c->leaks[c->nleaks++] = (struct claim){ p, len, 0, "leak", 0 };
	return 0;
}

static bool is_node(const struct claim *cl)
{
	return !strcmp(cl->what, "tree node") || !strcmp(cl->what, "xattr node");
}

/* Pass 4: claims against each other, then against the bitmaps. */
static int pass_bitmaps(struct checker *c)
{
	struct vmfs_vol *vol = c->vol;
	uint64_t ustart, ulen, pos = 0, cend, rg, *used_in;
	struct claim far = { 0 };
	size_t i = 0, n = 0;
	int err;

	qsort(c->claims, c->nclaims, sizeof(*c->claims), cmp_claim);
	/*
	 * Overlaps, then merge into disjoint runs in place. @far is the claim,
	 * as it was, that reaches furthest so far: the other owner of a block
	 * claimed again.
	 */
	for (i = 0; i < c->nclaims; i++) {
		struct claim *cl = &c->claims[i], cur = *cl;

		if (!c->silent)
			c->rep->claimed_mblocks += cl->len;
		if (n && cl->p < far.p + far.len) {
			uint64_t end = cl->p + cl->len < far.p + far.len ? cl->p + cl->len :
				       far.p + far.len;
			const struct claim *data = !strcmp(cl->what, "data") ? cl :
						   !strcmp(far.what, "data") ? &far : NULL, *node;

			report(c, PR_BLOCK_TWICE, "mblock %llu: %s of %llu and %s of %llu",
			       (unsigned long long)cl->p, far.what, (unsigned long long)far.ino,
			       cl->what, (unsigned long long)cl->ino);
			/*
			 * An owner that is file data gets copies of its own; else a
			 * tree whose node it is, rebuilt, lets go of it (repair.c).
			 */
			if (data)
				keep_fix(c, (struct vmfs_fix){ PR_BLOCK_TWICE, data->ino, cl->p,
					 end - cl->p, NULL, data->lstart + (cl->p - data->p) },
					 NULL);
			else if ((node = is_node(cl) ? cl : is_node(&far) ? &far : NULL))
				keep_fix(c, (struct vmfs_fix){ PR_BLOCK_TWICE, node->ino,
					 !strcmp(node->what, "xattr node"), 0, NULL, 0 }, NULL);
		}
		if (!n || cur.p + cur.len > far.p + far.len)
			far = cur;
		if (n && cl->p <= c->claims[n - 1].p + c->claims[n - 1].len) {
			if (cl->p + cl->len > c->claims[n - 1].p + c->claims[n - 1].len)
				c->claims[n - 1].len = cl->p + cl->len - c->claims[n - 1].p;
		} else {
			c->claims[n++] = cur;
		}
	}
	used_in = calloc(vol->vh.rg_count, sizeof(*used_in));
	if (!used_in)
		return -ENOMEM;
	/* Per group, sweep the used runs against the claimed runs. */
	i = 0;
	for (rg = 0; rg < vol->vh.rg_count; rg++) {
		uint64_t gstart = vmfs_rg_start(&vol->vh, rg), gend = gstart + vmfs_rg_len(&vol->vh, rg);

		if (c->bad_rg[rg]) {
			/* Rebuilt by repair.c from what the files claim in it. */
			keep_fix(c, (struct vmfs_fix){ PR_RG_UNREADABLE, rg, c->ndesc[rg], 0, NULL, 0 },
				 NULL);
			while (i < n && c->claims[i].p < gend) {
				uint64_t cs = c->claims[i].p > gstart ? c->claims[i].p : gstart;
				uint64_t ce = c->claims[i].p + c->claims[i].len;

				if (cs < gend)
					keep_fix(c, (struct vmfs_fix){ PR_RG_UNREADABLE, rg, cs,
						 (ce < gend ? ce : gend) - cs, NULL, 0 }, NULL);
				if (ce > gend) {	/* the rest belongs to the next group */
					c->claims[i].len = ce - gend;
					c->claims[i].p = gend;
					break;
				}
				i++;
			}
			continue;
		}
		for (pos = gstart;;) {
			err = vmfs_alloc_next_used(vol, pos, &ustart, &ulen);
			if (err == -ENOENT || (!err && ustart >= gend)) {
				err = 0;
				break;
			}
			if (err)
				goto out;
			if (!c->silent)
				c->rep->used_mblocks += ulen;
			used_in[rg] += ulen;
			for (; i < n && c->claims[i].p + c->claims[i].len <= ustart; i++)
				report_fix(c, PR_BLOCK_FREE, c->claims[i].p, c->claims[i].len,
					   "mblocks %llu+%llu", (unsigned long long)c->claims[i].p,
					   (unsigned long long)c->claims[i].len);
			if (i < n && c->claims[i].p < ustart) {
				/* A claim reaching into this run from a free gap before it. */
				report_fix(c, PR_BLOCK_FREE, c->claims[i].p, ustart - c->claims[i].p,
					   "mblocks %llu+%llu", (unsigned long long)c->claims[i].p,
					   (unsigned long long)(ustart - c->claims[i].p));
				c->claims[i].len -= ustart - c->claims[i].p;
				c->claims[i].p = ustart;
			}
			pos = ustart;
			while (pos < ustart + ulen) {
				if (i < n && c->claims[i].p <= pos) {
					cend = c->claims[i].p + c->claims[i].len;
					if (cend > ustart + ulen) {
						/* The rest of the claim is checked with the next run. */
						c->claims[i].len = cend - (ustart + ulen);
						c->claims[i].p = ustart + ulen;
						pos = ustart + ulen;
					} else {
						pos = cend;
						i++;
					}
				} else {
					uint64_t to = i < n && c->claims[i].p < ustart + ulen ?
						      c->claims[i].p : ustart + ulen;

					if (c->silent)
						err = keep_leak(c, pos, to - pos);
					else
						report_fix(c, PR_BLOCK_LEAKED, pos, to - pos,
							   "mblocks %llu+%llu",
							   (unsigned long long)pos,
							   (unsigned long long)(to - pos));
					if (err)
						goto out;
					pos = to;
				}
			}
		}
		for (; i < n && c->claims[i].p < gend; i++)
			report_fix(c, PR_BLOCK_FREE, c->claims[i].p, c->claims[i].len,
				   "mblocks %llu+%llu", (unsigned long long)c->claims[i].p,
				   (unsigned long long)c->claims[i].len);
	}
	for (; i < n; i++)	/* past the last group: nothing to mark */
		report(c, PR_BLOCK_FREE, "mblocks %llu+%llu", (unsigned long long)c->claims[i].p,
		       (unsigned long long)c->claims[i].len);
	for (rg = 0; rg < vol->vh.rg_count; rg++) {
		struct vmfs_rg *h = &vol->rgs[rg].hdr;

		if (!vol->rgs[rg].loaded || c->bad_rg[rg])
			continue;
		if (h->mblocks - h->free_mblocks != used_in[rg])
			report_fix(c, PR_RG_FREE_COUNT, rg, h->mblocks - used_in[rg],
				   "group %llu says %llu free, bitmap %llu",
			       (unsigned long long)rg, (unsigned long long)h->free_mblocks,
			       (unsigned long long)(h->mblocks - used_in[rg]));
		if (h->ndesc != c->ndesc[rg])
			report_fix(c, PR_RG_NDESC, rg, c->ndesc[rg], "group %llu says %llu, %llu found",
			       (unsigned long long)rg, (unsigned long long)h->ndesc,
			       (unsigned long long)c->ndesc[rg]);
	}
out:
	free(used_in);
	return err;
}

/*
 * Pass 3a: descriptors in use that no directory names (orphans). A silent
 * sweep over a copy of the claims finds the used blocks nobody claims;
 * every odd one that decodes as a live descriptor (linked, not an unlinked
 * file left open) is walked like a named file, from the queue, so that its
 * blocks are claimed, and reported in pass_links.
 */
static int find_orphans(struct checker *c)
{
	struct vmfs_vol *vol = c->vol;
	struct claim *saved = c->claims;
	size_t nsaved = c->nclaims, i;
	struct vmfs_desc d;
	uint64_t p;
	void *blk;
	int err;

	c->claims = malloc((nsaved ? nsaved : 1) * sizeof(*c->claims));
	if (!c->claims || posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE)) {
		free(c->claims);
		c->claims = saved;
		return -ENOMEM;
	}
	memcpy(c->claims, saved, nsaved * sizeof(*c->claims));
	c->silent = true;
	err = pass_bitmaps(c);
	c->silent = false;
	free(c->claims);
	c->claims = saved;
	c->nclaims = nsaved;
	for (i = 0; !err && i < c->nleaks; i++) {
		for (p = c->leaks[i].p | 1; !err && p < c->leaks[i].p + c->leaks[i].len; p += 2) {
			struct ient *e;

			if (vmfs_dev_read(vol->dev, blk, VMFS_MBLOCK_SIZE, p << VMFS_MBLOCK_SHIFT) ||
			    vmfs_desc_decode(blk, p, vol->vh.hdr.uuid, &d) != 0 || d.nlink == 0 ||
			    (d.flags & VMFS_DESC_F_ORPHAN) || p == vol->vh.root_ino)
				continue;
			e = ient_get(c, p);
			if (!e) {
				err = -ENOMEM;
				break;
			}
			if (e->visited)
				continue;
			e->visited = true;
			e->orphan = true;
			err = enqueue(c, p);
		}
	}
	free(blk);
	free(c->leaks);
	c->leaks = NULL;
	c->nleaks = c->capleaks = 0;
	return err;
}

uint64_t vmfs_check_total(const struct vmfs_check_report *rep)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < PR_COUNT; i++)
		t += rep->found[i];
	return t;
}

/*
 * vmfs_check - run every pass over @vol. The caller holds no lock; the
 * volume must not change meanwhile (unmounted, or this host's own view).
 */
/* Pass 2: every descriptor in the queue, and what it leads to. */
static int walk_queue(struct checker *c, uint64_t total)
{
	size_t until = 0;
	int err = 0;

	while (!err && c->qhead < c->qtail) {
		if (c->qhead >= until) {	/* read the next ones ahead, in parallel */
			until = c->qtail - c->qhead < PREFETCH ? c->qtail : c->qhead + PREFETCH;
			err = read_descs(c, c->queue + c->qhead, until - c->qhead);
			if (err)
				break;
		}
		c->qhead++;
		err = check_inode(c, c->queue[c->qhead - 1]);
		if (c->rep->progress && (c->qhead & 1023) == 0)
			c->rep->progress(c->rep->progress_arg, c->qhead, total);
	}
	return err;
}

int vmfs_check(struct vmfs_vol *vol, struct vmfs_check_report *rep)
{
	struct checker c = { .vol = vol, .rep = rep };
	struct ient *root;
	uint64_t total;
	int err;

	c.ndesc = calloc(vol->vh.rg_count, sizeof(*c.ndesc));
	c.bad_rg = calloc(vol->vh.rg_count, sizeof(*c.bad_rg));
	c.batch = malloc(PREFETCH * sizeof(*c.batch));
	if (posix_memalign((void **)&c.runbuf, VMFS_MBLOCK_SIZE,
			   (size_t)RUN_IOS * RUN_MAX << VMFS_MBLOCK_SHIFT))
		c.runbuf = NULL;
	if (!c.ndesc || !c.bad_rg || !c.batch || !c.runbuf) {
		free(c.runbuf);
		free(c.ndesc);
		free(c.bad_rg);
		free(c.batch);
		return -ENOMEM;
	}
	pthread_mutex_lock(&vol->lock);
	err = pass_groups(&c);
	root = err ? NULL : ient_get(&c, vol->vh.root_ino);
	if (!err && !root)
		err = -ENOMEM;
	if (!err) {
		root->visited = true;
		root->refs = 0;
		err = enqueue(&c, vol->vh.root_ino);
	}
	total = vmfs_count_descriptors(vol);
	err = err ? err : walk_queue(&c, total);
	if (!err)
		err = find_orphans(&c);
	if (!err)
		err = walk_queue(&c, total);	/* the orphans and what they hold */
	if (rep->progress)
		rep->progress(rep->progress_arg, c.qhead, total);
	if (!err) {
		pass_links(&c);
		err = pass_bitmaps(&c);
	}
	pthread_mutex_unlock(&vol->lock);
	free(c.claims);
	free(c.itab);
	free(c.queue);
	free(c.ndesc);
	free(c.bad_rg);
	free(c.batch);
	free(c.runbuf);
	return err;
}
