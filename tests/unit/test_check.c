// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The consistency check (fsck/check.c): a volume built through the core
 * library checks clean; then one kind of damage at a time, made through
 * the same library, is found as exactly the problem named for it.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/fileio.h"
#include "fs/core/format_volume.h"
#include "fsck/check.h"
#include "testvol.h"

static struct tvol t;
static uint64_t file_ino, dir_ino;

/* A root with a directory, a file with data and a hard link to it. */
static void build(void)
{
	struct vmfs_vol *vol;
	struct vmfs_inode *root, *d, *f;
	static char buf[3 << 20];
	ssize_t n;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, vol->vh.root_ino, &root) == 0);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, root->ino, S_IFDIR | 0755, 0, 0, root->ino, &d) == 0);
	CU_ASSERT_FATAL(vmfs_dir_add(vol, root, "d", 1, d->ino, VMFS_DT_DIR) == 0);
	root->d.nlink++;
	vmfs_inode_dirty(vol, root);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, d->ino, S_IFREG | 0644, 0, 0, d->ino, &f) == 0);
	CU_ASSERT_FATAL(vmfs_dir_add(vol, d, "f", 1, f->ino, VMFS_DT_REG) == 0);
	CU_ASSERT_FATAL(vmfs_dir_add(vol, root, "link", 4, f->ino, VMFS_DT_REG) == 0);
	f->d.nlink = 2;
	vmfs_inode_dirty(vol, f);
	file_ino = f->ino;
	dir_ino = d->ino;
	pthread_mutex_unlock(&vol->lock);
	memset(buf, 0x5a, sizeof(buf));
	n = vmfs_file_write(vol, f, buf, sizeof(buf), 1 << 20, false);
	CU_ASSERT_EQUAL_FATAL(n, (ssize_t)sizeof(buf));
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
}

/*
 * Check: only @want may be found. Then repair (fsck/repair.c) and check
 * again: clean when the table has a repair for @want, still @want if not.
 */
static void expect_only(enum vmfs_problem want, const char *what)
{
	struct vmfs_check_report rep = { .out = stderr, .max_lines = 5, .want_fixes = true };
	struct vmfs_check_report again = { .out = stderr, .max_lines = 5 };
	long applied;
	int i;

	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	CU_ASSERT_EQUAL_FATAL(vmfs_check(t.vol, &rep), 0);
	for (i = 0; i < PR_COUNT; i++) {
		if ((int)want == i)
			TCHECK(rep.found[i] > 0, "%s: %s not found", what, vmfs_problems[i].code);
		else
			TCHECK(rep.found[i] == 0, "%s: unexpected %s (%llu)", what,
			       vmfs_problems[i].code, (unsigned long long)rep.found[i]);
	}
	applied = vmfs_repair(t.vol, &rep);
	TCHECK(applied >= 0, "%s: repair failed: %ld", what, applied);
	TCHECK((applied > 0) == (vmfs_problems[want].repair != NULL), "%s: %ld repairs", what,
	       applied);
	vmfs_check_report_release(&rep);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	CU_ASSERT_EQUAL_FATAL(vmfs_check(t.vol, &again), 0);
	if (vmfs_problems[want].repair)
		TCHECK(vmfs_check_total(&again) == 0, "%s: not clean after the repair", what);
	else
		TCHECK(again.found[want] > 0, "%s: %s gone without a repair", what,
		       vmfs_problems[want].code);
}

static struct vmfs_inode *get(uint64_t ino)
{
	struct vmfs_inode *ip = NULL;

	CU_ASSERT_FATAL(vmfs_inode_get(t.vol, ino, &ip) == 0);
	return ip;
}

static void test_clean(void)
{
	struct vmfs_check_report rep = { 0 };

	build();
	CU_ASSERT_EQUAL(vmfs_check(t.vol, &rep), 0);
	CU_ASSERT_EQUAL(vmfs_check_total(&rep), 0);
	CU_ASSERT_EQUAL(rep.files, 1);
	CU_ASSERT_EQUAL(rep.dirs, 2);
	tvol_destroy(&t);
}

static void test_nlink(void)
{
	struct vmfs_inode *f;

	build();
	pthread_mutex_lock(&t.vol->lock);
	f = get(file_ino);
	f->d.nlink = 1;
	vmfs_inode_dirty(t.vol, f);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_NLINK, "file nlink 1 with two names");
	tvol_destroy(&t);
}

static void test_block_free(void)
{
	struct vmfs_extent e;

	build();
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_ext_find(t.vol, get(file_ino), 256, &e) == 0);
	CU_ASSERT_FATAL(vmfs_free(t.vol, e.pstart + 3, 1) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_BLOCK_FREE, "a data block freed under a file");
	tvol_destroy(&t);
}

static void test_block_leaked(void)
{
	uint64_t p, got;

	build();
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_alloc(t.vol, VMFS_AK_META, 1, 0, &p, &got) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_BLOCK_LEAKED, "an mblock allocated and never used");
	tvol_destroy(&t);
}

static void test_block_twice(void)
{
	struct vmfs_inode *f;
	struct vmfs_extent e, dup;

	build();
	pthread_mutex_lock(&t.vol->lock);
	f = get(file_ino);
	CU_ASSERT_FATAL(vmfs_ext_find(t.vol, f, 256, &e) == 0);
	dup = (struct vmfs_extent){ .lstart = 100000, .pstart = e.pstart, .len = 4,
				    .flags = VMFS_EXT_UNWRITTEN };	/* past EOF: preallocated */
	CU_ASSERT_FATAL(vmfs_ext_insert(t.vol, f, &dup) == 0);
	f->d.alloc_mblocks += 4;
	vmfs_inode_dirty(t.vol, f);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_BLOCK_TWICE, "an extent mapping blocks another extent maps");
	tvol_destroy(&t);
}

static void test_alloc_count(void)
{
	struct vmfs_inode *f;

	build();
	pthread_mutex_lock(&t.vol->lock);
	f = get(file_ino);
	f->d.alloc_mblocks += 7;
	vmfs_inode_dirty(t.vol, f);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_ALLOC_COUNT, "alloc_mblocks off by 7");
	tvol_destroy(&t);
}

static void test_dir_count_and_type(void)
{
	struct vmfs_inode *d;

	build();
	pthread_mutex_lock(&t.vol->lock);
	d = get(dir_ino);
	d->d.nentries = 5;
	vmfs_inode_dirty(t.vol, d);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_DIR_COUNT, "nentries 5 for one entry");
	pthread_mutex_lock(&t.vol->lock);
	d = get(dir_ino);
	d->d.nentries = 1;
	vmfs_inode_dirty(t.vol, d);
	CU_ASSERT_FATAL(vmfs_dir_set(t.vol, d, "f", 1, file_ino, VMFS_DT_FIFO) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_DIRENT_TYPE, "entry typed FIFO for a regular file");
	tvol_destroy(&t);
}

static void test_dir_parent(void)
{
	struct vmfs_inode *d;

	build();
	pthread_mutex_lock(&t.vol->lock);
	d = get(dir_ino);
	d->d.parent = file_ino;
	vmfs_inode_dirty(t.vol, d);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_DIR_PARENT, "directory parent pointing elsewhere");
	tvol_destroy(&t);
}

static void test_rg_counts(void)
{
	build();
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_rg_ndesc_add(t.vol, file_ino, 3) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_RG_NDESC, "group descriptor count off by 3");
	tvol_destroy(&t);
}

static void test_dangling_entry(void)
{
	struct vmfs_inode *root;

	build();
	pthread_mutex_lock(&t.vol->lock);
	root = get(t.vol->vh.root_ino);
	CU_ASSERT_FATAL(vmfs_dir_add(t.vol, root, "ghost", 5, t.vol->vh.data_start + 301,
				     VMFS_DT_REG) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_DESC_UNREADABLE, "an entry pointing at no descriptor");
	tvol_destroy(&t);
}

static void test_extent_outside(void)
{
	struct vmfs_inode *f;
	struct vmfs_extent e;

	build();
	pthread_mutex_lock(&t.vol->lock);
	f = get(file_ino);
	e = (struct vmfs_extent){ .lstart = 200000, .pstart = t.vol->vh.total_mblocks + 10,
				  .len = 4 };
	CU_ASSERT_FATAL(vmfs_ext_insert(t.vol, f, &e) == 0);
	f->d.alloc_mblocks += 4;
	vmfs_inode_dirty(t.vol, f);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_EXTENT_OUTSIDE, "an extent past the end of the volume");
	tvol_destroy(&t);
}

static void test_orphan(void)
{
	struct vmfs_inode *root, *o, *lf;
	uint64_t ino, key;
	uint8_t type;
	char name[32];

	build();
	pthread_mutex_lock(&t.vol->lock);
	root = get(t.vol->vh.root_ino);
	CU_ASSERT_FATAL(vmfs_inode_alloc(t.vol, root->ino, S_IFREG | 0600, 0, 0, root->ino, &o) == 0);
	o->d.nlink = 1;		/* in use, but no directory names it */
	vmfs_inode_dirty(t.vol, o);
	snprintf(name, sizeof(name), "#%llu", (unsigned long long)o->ino);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_ORPHAN, "a linked descriptor no directory names");
	pthread_mutex_lock(&t.vol->lock);
	root = get(t.vol->vh.root_ino);
	TCHECK(vmfs_dir_lookup(t.vol, root, "lost+found", 10, &ino, &type, &key) == 0 &&
	       type == VMFS_DT_DIR, "no /lost+found");
	lf = get(ino);
	TCHECK(vmfs_dir_lookup(t.vol, lf, name, strlen(name), &ino, &type, &key) == 0,
	       "no %s in /lost+found", name);
	pthread_mutex_unlock(&t.vol->lock);
	tvol_destroy(&t);
}

static void test_bitmap_damaged(void)
{
	struct vmfs_extent e;
	void *blk = NULL;
	uint64_t bm;

	build();
	pthread_mutex_lock(&t.vol->lock);
	CU_ASSERT_FATAL(vmfs_ext_find(t.vol, get(file_ino), 256, &e) == 0);
	bm = vmfs_rg_start(&t.vol->vh, (e.pstart - t.vol->vh.data_start) / t.vol->vh.rg_mblocks);
	pthread_mutex_unlock(&t.vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);	/* all written back */
	CU_ASSERT_FATAL(posix_memalign(&blk, VMFS_MBLOCK_SIZE, VMFS_MBLOCK_SIZE) == 0);
	CU_ASSERT_FATAL(vmfs_dev_read(t.dev, blk, VMFS_MBLOCK_SIZE, bm << VMFS_MBLOCK_SHIFT) == 0);
	((uint8_t *)blk)[200] ^= 0x10;	/* a checksum that no longer matches */
	CU_ASSERT_FATAL(vmfs_dev_write(t.dev, blk, VMFS_MBLOCK_SIZE, bm << VMFS_MBLOCK_SHIFT) == 0);
	free(blk);
	expect_only(PR_RG_UNREADABLE, "a bitmap block with a bad checksum");
	tvol_destroy(&t);
}

static void test_dir_linked_twice(void)
{
	struct vmfs_inode *root;

	build();
	pthread_mutex_lock(&t.vol->lock);
	root = get(t.vol->vh.root_ino);
	CU_ASSERT_FATAL(vmfs_dir_add(t.vol, root, "again", 5, dir_ino, VMFS_DT_DIR) == 0);
	pthread_mutex_unlock(&t.vol->lock);
	expect_only(PR_DIR_LINKED_TWICE, "a directory with a second name");
	tvol_destroy(&t);
}

static int add(void)
{
	CU_pSuite s = CU_add_suite("check", NULL, NULL);

	return !s || !CU_add_test(s, "a built volume is clean", test_clean) ||
	       !CU_add_test(s, "NLINK", test_nlink) ||
	       !CU_add_test(s, "BLOCK_FREE", test_block_free) ||
	       !CU_add_test(s, "BLOCK_LEAKED", test_block_leaked) ||
	       !CU_add_test(s, "BLOCK_TWICE", test_block_twice) ||
	       !CU_add_test(s, "ALLOC_COUNT", test_alloc_count) ||
	       !CU_add_test(s, "DIR_COUNT, DIRENT_TYPE", test_dir_count_and_type) ||
	       !CU_add_test(s, "DIR_PARENT", test_dir_parent) ||
	       !CU_add_test(s, "RG_NDESC", test_rg_counts) ||
	       !CU_add_test(s, "DESC_UNREADABLE", test_dangling_entry) ||
	       !CU_add_test(s, "EXTENT_OUTSIDE", test_extent_outside) ||
	       !CU_add_test(s, "ORPHAN", test_orphan) ||
	       !CU_add_test(s, "RG_UNREADABLE", test_bitmap_damaged) ||
	       !CU_add_test(s, "DIR_LINKED_TWICE", test_dir_linked_twice);
}

int main(void)
{
	return trun(add);
}
