// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of directories and extended attributes (fs/core/dir.c,
 * xattr.c; docs/FORMAT.md "Directories", "Extended attributes"): 100,000
 * entries in one directory (fixed-pattern and random names up to 255
 * bytes), lookups, vmfs_dir_next iteration in key order, removal of a
 * random half, readdir cursors that stay valid while other names come and
 * go, name length and duplicate errors, hash collisions (forged in the
 * tree, since a real 55-bit collision is out of brute-force reach), and
 * everything again after a reopen. Xattrs: set/get/list/remove,
 * XATTR_CREATE / XATTR_REPLACE, value sizes up to VMFS_XATTR_VALUE_MAX
 * inline and in value blocks, 500 attributes on one file, persistence, and
 * that value blocks are returned to the allocator.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "testvol.h"

#define NENT 100000

struct ent {
	char name[256];
	uint8_t len;
	bool present;
	unsigned seen;
};

static struct ent *ents;

static void make_names(uint64_t seed)
{
	unsigned i, j;

	ents = calloc(NENT, sizeof(*ents));
	CU_ASSERT_FATAL(ents != NULL);
	for (i = 0; i < NENT; i++) {
		struct ent *e = &ents[i];

		if (i % 10 < 7) {
			e->len = (uint8_t)snprintf(e->name, sizeof(e->name), "f%06u", i);
		} else {
			/* Unique prefix, then random bytes other than '/' and NUL, up to 255. */
			unsigned len = 8 + (unsigned)trand_below(&seed, 248);

			snprintf(e->name, sizeof(e->name), "r%06u-", i);
			for (j = 8; j < len; j++) {
				uint8_t c = (uint8_t)(1 + trand_below(&seed, 255));

				e->name[j] = (char)(c == '/' ? 'x' : c);
			}
			e->len = (uint8_t)len;
		}
	}
}

/* Fake inode numbers: the directory code does not look at them. */
static uint64_t ino_of(unsigned i)
{
	return 2ull * i + 1000001;
}

static uint8_t type_of(unsigned i)
{
	return i % 3 ? VMFS_DT_REG : VMFS_DT_DIR;
}

static unsigned idx_of(uint64_t ino)
{
	return (unsigned)((ino - 1000001) / 2);
}

/* Iterate from key 0: increasing keys, each present name exactly once. */
static bool iterate_all(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *when)
{
	struct vmfs_dirent de;
	uint64_t k = 0, last = 0, count = 0, present = 0;
	unsigned i;
	bool ok = true;
	int err;

	for (i = 0; i < NENT; i++) {
		ents[i].seen = 0;
		present += ents[i].present;
	}
	while ((err = vmfs_dir_next(vol, dp, k, &de)) == 0) {
		i = idx_of(de.ino);
		if (de.key < VMFS_DIR_KEY_MIN || (count && de.key <= last) || de.key >> 63 ||
		    i >= NENT || !ents[i].present || ents[i].seen || de.namelen != ents[i].len ||
		    memcmp(de.name, ents[i].name, de.namelen) || de.type != type_of(i)) {
			TCHECK(0, "%s: entry %llu (key 0x%llx, ino %llu) unexpected", when,
			       (unsigned long long)count, (unsigned long long)de.key,
			       (unsigned long long)de.ino);
			return false;
		}
		ents[i].seen++;
		last = de.key;
		k = de.key + 1;
		count++;
	}
	TCHECK(err == -ENOENT, "%s: dir_next: %d", when, err);
	TCHECK(count == present, "%s: iterated %llu entries, %llu present", when,
	       (unsigned long long)count, (unsigned long long)present);
	TCHECK(dp->d.nentries == present, "%s: nentries %llu, %llu present", when,
	       (unsigned long long)dp->d.nentries, (unsigned long long)present);
	return ok && err == -ENOENT && count == present;
}

static bool lookup_all(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *when)
{
	unsigned i, bad = 0;

	for (i = 0; i < NENT; i++) {
		uint64_t ino = 0, key = 0;
		uint8_t type = 0;
		int err = vmfs_dir_lookup(vol, dp, ents[i].name, ents[i].len, &ino, &type, &key);

		if (ents[i].present ? (err || ino != ino_of(i) || type != type_of(i) ||
				       key < VMFS_DIR_KEY_MIN) : err != -ENOENT) {
			if (bad++ < 3)
				TCHECK(0, "%s: lookup of name %u (%s): err %d ino %llu", when, i,
				       ents[i].present ? "present" : "removed", err,
				       (unsigned long long)ino);
		}
	}
	TCHECK(bad == 0, "%s: %u lookups wrong", when, bad);
	return bad == 0;
}

static void test_dir_100k(void)
{
	struct tvol t;
	struct vmfs_vol *vol;
	struct vmfs_inode *dp;
	uint64_t seed = 4242, dino, free0, free1;
	struct vmfs_dirent de;
	unsigned i, bad = 0;
	char big[300];
	int err;

	make_names(77);
	CU_ASSERT_FATAL(tvol_make(&t, 512ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	free0 = vmfs_free_mblocks(vol);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFDIR | 0755, 0, 0, vol->vh.root_ino,
					 &dp) == 0);
	dino = dp->ino;
	CU_ASSERT_EQUAL(vmfs_dir_next(vol, dp, 0, &de), -ENOENT);
	for (i = 0; i < NENT; i++) {
		err = vmfs_dir_add(vol, dp, ents[i].name, ents[i].len, ino_of(i), type_of(i));
		if (err && bad++ < 3)
			TCHECK(err == 0, "add %u: %d", i, err);
		ents[i].present = !err;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* Errors: duplicates, bad lengths. */
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, ents[5].name, ents[5].len, 1, VMFS_DT_REG), -EEXIST);
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, ents[NENT - 1].name, ents[NENT - 1].len, 1,
				     VMFS_DT_REG), -EEXIST);
	memset(big, 'n', sizeof(big));
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, big, 256, 1, VMFS_DT_REG), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, big, 256, &dino, NULL, NULL), -ENAMETOOLONG);
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, big, 0, 1, VMFS_DT_REG), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, big, 255, 1, VMFS_DT_REG), 0);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, big, 255, &dino, NULL, NULL), 0);
	CU_ASSERT_EQUAL(dino, 1);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, big, 254, &dino, NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(vmfs_dir_remove(vol, dp, big, 255), 0);
	CU_ASSERT_EQUAL(vmfs_dir_remove(vol, dp, big, 255), -ENOENT);
	dino = dp->ino;
	/* Not a directory. */
	{
		struct vmfs_inode *fp;

		CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFREG | 0644, 0, 0, dino, &fp) == 0);
		CU_ASSERT_EQUAL(vmfs_dir_add(vol, fp, "x", 1, 5, VMFS_DT_REG), -ENOTDIR);
		CU_ASSERT_EQUAL(vmfs_inode_delete(vol, fp), 0);
	}
	lookup_all(vol, dp, "after 100,000 adds");
	iterate_all(vol, dp, "after 100,000 adds");
	pthread_mutex_unlock(&vol->lock);

	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, dino, &dp) == 0);
	iterate_all(vol, dp, "after reopen");

	/* Remove a random half. */
	for (i = 0, bad = 0; i < NENT; i++) {
		if (trand_below(&seed, 2))
			continue;
		err = vmfs_dir_remove(vol, dp, ents[i].name, ents[i].len);
		if (err && bad++ < 3)
			TCHECK(err == 0, "remove %u: %d", i, err);
		ents[i].present = false;
	}
	CU_ASSERT_EQUAL(bad, 0);
	lookup_all(vol, dp, "after removing half");
	iterate_all(vol, dp, "after removing half");
	/* dir_set repoints an entry, keeping its key. */
	for (i = 0; !ents[i].present; i++)
		;
	{
		uint64_t k1, k2, ino;

		CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, ents[i].name, ents[i].len, &ino, NULL, &k1), 0);
		CU_ASSERT_EQUAL(vmfs_dir_set(vol, dp, ents[i].name, ents[i].len, 77, VMFS_DT_LNK), 0);
		CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, ents[i].name, ents[i].len, &ino, NULL, &k2), 0);
		CU_ASSERT(ino == 77 && k1 == k2);
		CU_ASSERT_EQUAL(vmfs_dir_set(vol, dp, ents[i].name, ents[i].len, ino_of(i), type_of(i)), 0);
		CU_ASSERT_EQUAL(vmfs_dir_set(vol, dp, "no such name", 12, 1, VMFS_DT_REG), -ENOENT);
	}

	/*
	 * Readdir cursor stability: iterate by key + 1 while removing and
	 * adding other names. Names present throughout come exactly once.
	 */
	{
		bool *stable = calloc(NENT, sizeof(bool));
		uint64_t k = 0, n = 0;

		for (i = 0; i < NENT; i++) {
			stable[i] = ents[i].present && trand_below(&seed, 4) != 0;
			ents[i].seen = 0;
		}
		while ((err = vmfs_dir_next(vol, dp, k, &de)) == 0) {
			unsigned j = idx_of(de.ino);

			CU_ASSERT_FATAL(j < NENT);
			if (ents[j].seen++ && bad++ < 3)
				TCHECK(0, "cursor: name %u returned twice", j);
			TCHECK(ents[j].present, "cursor: removed name %u returned", j);
			k = de.key + 1;
			/* Churn: flip a few non-stable names. */
			if (++n % 3 == 0) {
				unsigned r;
				int c;

				for (c = 0; c < 4; c++) {
					r = (unsigned)trand_below(&seed, NENT);
					if (stable[r])
						continue;
					if (ents[r].present) {
						CU_ASSERT_EQUAL(vmfs_dir_remove(vol, dp, ents[r].name,
										ents[r].len), 0);
						ents[r].present = false;
					} else {
						CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, ents[r].name,
									     ents[r].len, ino_of(r),
									     type_of(r)), 0);
						ents[r].present = true;
					}
				}
			}
		}
		CU_ASSERT_EQUAL(err, -ENOENT);
		for (i = 0, bad = 0; i < NENT; i++)
			if (stable[i] && ents[i].seen != 1 && bad++ < 3)
				TCHECK(0, "cursor: stable name %u returned %u times", i, ents[i].seen);
		CU_ASSERT_EQUAL(bad, 0);
		free(stable);
	}
	iterate_all(vol, dp, "after churn");
	lookup_all(vol, dp, "after churn");
	pthread_mutex_unlock(&vol->lock);

	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, dino, &dp) == 0);
	iterate_all(vol, dp, "after the second reopen");
	lookup_all(vol, dp, "after the second reopen");
	/* Remove everything: the tree shrinks back to an empty root. */
	for (i = 0; i < NENT; i++)
		if (ents[i].present && vmfs_dir_remove(vol, dp, ents[i].name, ents[i].len) == 0)
			ents[i].present = false;
	iterate_all(vol, dp, "after removing everything");
	free1 = vmfs_free_mblocks(vol);
	TCHECK(free1 == free0 - 2, "empty directory still holds %lld blocks beyond its descriptor",
	       (long long)(free0 - 2 - free1));
	CU_ASSERT_EQUAL(vmfs_inode_delete(vol, dp), 0);
	CU_ASSERT_EQUAL(vmfs_free_mblocks(vol), free0);
	pthread_mutex_unlock(&vol->lock);
	tvol_destroy(&t);
	free(ents);
}

/*
 * Collisions. A real one needs two names with equal 55-bit key bases, out
 * of brute-force reach (about 2^27 candidates for even odds), so the
 * colliding entries are forged into the tree with the name hash of
 * another name: the directory must probe past them.
 */
static void forge(struct vmfs_vol *vol, struct vmfs_inode *dp, uint64_t key, const char *name,
		  uint64_t ino)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	uint8_t val[10 + 255];
	size_t len = strlen(name);

	vmfs_put_le64(val, ino);
	val[8] = VMFS_DT_REG;
	val[9] = (uint8_t)len;
	memcpy(val + 10, name, len);
	CU_ASSERT_EQUAL(vmfs_bt_insert(vol, &bt, key, val, 10 + len), 0);
	dp->d.nentries++;
}

static void test_collisions(void)
{
	struct tvol t;
	struct vmfs_vol *vol;
	struct vmfs_inode *dp;
	struct vmfs_dirent de;
	uint64_t base, ino, key, k;
	char name[32];
	int i, err;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFDIR | 0755, 0, 0, vol->vh.root_ino, &dp) == 0);
	base = vmfs_name_key_base(vol->vh.hash_seed, "target", 6);
	CU_ASSERT_EQUAL(base & 0xff, 0);
	/* Two impostors at base|0 and base|2: "target" goes to the gap at base|1. */
	forge(vol, dp, base, "impostor-a", 11);
	forge(vol, dp, base | 2, "impostor-b", 12);
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, "target", 6, 13, VMFS_DT_REG), 0);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, "target", 6, &ino, NULL, &key), 0);
	TCHECK(ino == 13 && key == (base | 1), "target at key 0x%llx, want base|1",
	       (unsigned long long)key);
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, "target", 6, 14, VMFS_DT_REG), -EEXIST);
	/* Removing the first of the range does not hide the others. */
	CU_ASSERT_EQUAL(vmfs_dir_remove(vol, dp, "impostor-a", 10), -ENOENT);	/* other hash */
	{
		struct vmfs_bt bt = vmfs_inode_data_bt(dp);

		CU_ASSERT_EQUAL(vmfs_bt_delete(vol, &bt, base), 0);
		dp->d.nentries--;
	}
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, "target", 6, &ino, NULL, &key), 0);
	CU_ASSERT_EQUAL(key, base | 1);
	CU_ASSERT_EQUAL(vmfs_dir_remove(vol, dp, "target", 6), 0);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, "target", 6, &ino, NULL, &key), -ENOENT);
	/* Fill all 256 slots of the range: the name has nowhere to go. */
	{
		struct vmfs_bt bt = vmfs_inode_data_bt(dp);

		CU_ASSERT_EQUAL(vmfs_bt_delete(vol, &bt, base | 2), 0);
		dp->d.nentries--;
	}
	for (i = 0; i < 256; i++) {
		snprintf(name, sizeof(name), "forged-%d", i);
		forge(vol, dp, base | (uint64_t)i, name, 100 + (uint64_t)i);
	}
	err = vmfs_dir_add(vol, dp, "target", 6, 13, VMFS_DT_REG);
	TCHECK(err == -ENOSPC, "257th name with one key base: %d", err);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, "target", 6, &ino, NULL, &key), -ENOENT);
	/* Free a slot in the middle: the name takes exactly it. */
	{
		struct vmfs_bt bt = vmfs_inode_data_bt(dp);

		CU_ASSERT_EQUAL(vmfs_bt_delete(vol, &bt, base | 0x80), 0);
		dp->d.nentries--;
	}
	CU_ASSERT_EQUAL(vmfs_dir_add(vol, dp, "target", 6, 13, VMFS_DT_REG), 0);
	CU_ASSERT_EQUAL(vmfs_dir_lookup(vol, dp, "target", 6, &ino, NULL, &key), 0);
	CU_ASSERT_EQUAL(key, base | 0x80);
	/* All 256 of the range iterate in order. */
	k = base;
	for (i = 0; i < 256; i++) {
		CU_ASSERT_EQUAL_FATAL(vmfs_dir_next(vol, dp, k, &de), 0);
		CU_ASSERT_EQUAL(de.key, base | (uint64_t)i);
		k = de.key + 1;
	}
	pthread_mutex_unlock(&vol->lock);
	tvol_destroy(&t);
}

/* ---- xattrs ------------------------------------------------------------------ */

static size_t xsize(unsigned i)
{
	static const size_t sizes[] = { 0, 1, 17, 255, 1023, 1024, 1025, 2000, 4031, 4032 };

	return i % 4 == 0 ? sizes[i / 4 % 10] : (i * 37) % 300;
}

static void xval(unsigned i, uint8_t *v, size_t n)
{
	size_t j;

	for (j = 0; j < n; j++)
		v[j] = (uint8_t)(i * 31 + j * 7 + 1);
}

static void xname(unsigned i, char *name)
{
	if (i % 7 == 0) {		/* a long name */
		int n = sprintf(name, "user.long-%u-", i);

		memset(name + n, 'L', 255 - (size_t)n);
		name[255] = 0;
	} else {
		sprintf(name, "%s.attr%u", i % 2 ? "user" : "trusted", i);
	}
}

static void check_xattrs(struct vmfs_vol *vol, struct vmfs_inode *ip, const bool *present,
			 unsigned n, const char *when)
{
	static uint8_t v[VMFS_XATTR_VALUE_MAX], w[VMFS_XATTR_VALUE_MAX];
	static char list[600 * 257];
	char name[256];
	size_t len = 0, vlen, off, want = 0;
	unsigned i, bad = 0, count = 0;
	bool *seen = calloc(n, sizeof(bool));

	for (i = 0; i < n; i++) {
		int err;

		xname(i, name);
		vlen = 0;
		err = vmfs_xattr_get(vol, ip, name, v, sizeof(v), &vlen);
		if (present[i]) {
			xval(i, w, xsize(i));
			want += strlen(name) + 1;
			count++;
			if ((err || vlen != xsize(i) || memcmp(v, w, vlen)) && bad++ < 3)
				TCHECK(0, "%s: get %s: err %d len %zu, want %zu", when, name, err, vlen,
				       xsize(i));
		} else if (err != -ENODATA && bad++ < 3) {
			TCHECK(0, "%s: get removed %s: %d", when, name, err);
		}
	}
	CU_ASSERT_EQUAL(vmfs_xattr_list(vol, ip, NULL, 0, &len), 0);
	TCHECK(len == want, "%s: list length %zu, want %zu", when, len, want);
	CU_ASSERT_EQUAL(vmfs_xattr_list(vol, ip, list, sizeof(list), &len), 0);
	for (off = 0; off < len; off += strlen(list + off) + 1) {
		for (i = 0; i < n; i++) {
			xname(i, name);
			if (strcmp(name, list + off) == 0)
				break;
		}
		if ((i == n || !present[i] || seen[i]) && bad++ < 3)
			TCHECK(0, "%s: list has unexpected or repeated \"%.40s\"", when, list + off);
		if (i < n)
			seen[i] = true;
	}
	TCHECK(ip->d.xattr_count == count, "%s: xattr_count %llu, want %u", when,
	       (unsigned long long)ip->d.xattr_count, count);
	TCHECK(bad == 0, "%s: %u xattr mismatches", when, bad);
	if (len > 1)
		CU_ASSERT_EQUAL(vmfs_xattr_list(vol, ip, list, len - 1, &len), -ERANGE);
	free(seen);
}

static void test_xattr_basic(void)
{
	static uint8_t v[VMFS_XATTR_VALUE_MAX + 2], w[VMFS_XATTR_VALUE_MAX + 2];
	struct tvol t;
	struct vmfs_vol *vol;
	struct vmfs_inode *ip;
	char name[300];
	size_t vlen, len;
	uint64_t free0, ino;
	size_t sizes[] = { 0, 1, 1024, 1025, 4031, VMFS_XATTR_VALUE_MAX };
	unsigned i;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFREG | 0644, 0, 0, vol->vh.root_ino, &ip) == 0);
	ino = ip->ino;
	free0 = vmfs_free_mblocks(vol);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.none", v, sizeof(v), &vlen), -ENODATA);
	CU_ASSERT_EQUAL(vmfs_xattr_remove(vol, ip, "user.none"), -ENODATA);
	CU_ASSERT_EQUAL(vmfs_xattr_list(vol, ip, NULL, 0, &len), 0);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.a", "1", 1, XATTR_REPLACE), -ENODATA);
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.a", "1", 1, XATTR_CREATE), 0);
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.a", "2", 1, XATTR_CREATE), -EEXIST);
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.a", "33", 2, XATTR_REPLACE), 0);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.a", v, sizeof(v), &vlen), 0);
	CU_ASSERT(vlen == 2 && memcmp(v, "33", 2) == 0);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.a", v, 0, &vlen), 0);
	CU_ASSERT_EQUAL(vlen, 2);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.a", v, 1, &vlen), -ERANGE);
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.a", "444", 3, 0), 0);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.a", v, sizeof(v), &vlen), 0);
	CU_ASSERT(vlen == 3 && memcmp(v, "444", 3) == 0);
	CU_ASSERT_EQUAL(ip->d.xattr_count, 1);
	/* Name limits. */
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "", "x", 1, 0), -ERANGE);
	memset(name, 'n', 256);
	memcpy(name, "user.", 5);
	name[256] = 0;
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, name, "x", 1, 0), -ERANGE);
	name[255] = 0;
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, name, "x", 1, 0), 0);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, name, v, sizeof(v), &vlen), 0);
	CU_ASSERT_EQUAL(vmfs_xattr_remove(vol, ip, name), 0);
	/* Value sizes: inline, value block, the maximum, one more. */
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int err;

		sprintf(name, "user.size%zu", sizes[i]);
		xval(i, w, sizes[i]);
		err = vmfs_xattr_set(vol, ip, name, w, sizes[i], 0);
		TCHECK(err == 0, "set %zu bytes: %d", sizes[i], err);
		memset(v, 0, sizeof(v));
		err = vmfs_xattr_get(vol, ip, name, v, sizeof(v), &vlen);
		TCHECK(err == 0 && vlen == sizes[i] && memcmp(v, w, vlen) == 0,
		       "get %zu bytes: err %d len %zu", sizes[i], err, vlen);
		if (sizes[i] > 1)	/* size 0 asks for the length only */
			CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, name, v, sizes[i] - 1, &vlen), -ERANGE);
	}
	CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.toobig", w, VMFS_XATTR_VALUE_MAX + 1, 0),
			-E2BIG);
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.toobig", v, sizeof(v), &vlen), -ENODATA);
	/* Value blocks: big -> small -> big -> removed returns every block. */
	{
		uint64_t f1 = vmfs_free_mblocks(vol);

		xval(9, w, 3000);
		CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.flip", w, 3000, 0), 0);
		CU_ASSERT(vmfs_free_mblocks(vol) < f1);
		CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.flip", w, 10, 0), 0);
		CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.flip", w, 4000, 0), 0);
		CU_ASSERT_EQUAL(vmfs_xattr_set(vol, ip, "user.flip", w, 2000, 0), 0);
		CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.flip", v, sizeof(v), &vlen), 0);
		CU_ASSERT(vlen == 2000 && memcmp(v, w, 2000) == 0);
		CU_ASSERT_EQUAL(vmfs_xattr_remove(vol, ip, "user.flip"), 0);
		TCHECK(vmfs_free_mblocks(vol) == f1, "value blocks leaked: %lld",
		       (long long)(f1 - vmfs_free_mblocks(vol)));
	}
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, ino, &ip) == 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		sprintf(name, "user.size%zu", sizes[i]);
		xval(i, w, sizes[i]);
		CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, name, v, sizeof(v), &vlen), 0);
		CU_ASSERT(vlen == sizes[i] && memcmp(v, w, vlen) == 0);
	}
	CU_ASSERT_EQUAL(vmfs_xattr_get(vol, ip, "user.a", v, sizeof(v), &vlen), 0);
	CU_ASSERT_EQUAL(ip->d.xattr_count, 1 + sizeof(sizes) / sizeof(sizes[0]));
	/* Deleting the file frees the tree and every value block. */
	CU_ASSERT_EQUAL(vmfs_inode_delete(vol, ip), 0);
	TCHECK(vmfs_free_mblocks(vol) == free0 + 2, "after delete: %llu free, want %llu",
	       (unsigned long long)vmfs_free_mblocks(vol), (unsigned long long)(free0 + 2));
	pthread_mutex_unlock(&vol->lock);
	tvol_destroy(&t);
}

static void test_xattr_500(void)
{
	static uint8_t w[VMFS_XATTR_VALUE_MAX];
	const unsigned n = 500;
	struct tvol t;
	struct vmfs_vol *vol;
	struct vmfs_inode *ip;
	bool present[500] = { 0 };
	uint64_t seed = 5, ino, free0;
	char name[256];
	unsigned i;
	int err;

	CU_ASSERT_FATAL(tvol_make(&t, 256ull << 20, NULL) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_alloc(vol, 0, S_IFREG | 0644, 0, 0, vol->vh.root_ino, &ip) == 0);
	ino = ip->ino;
	free0 = vmfs_free_mblocks(vol);
	for (i = 0; i < n; i++) {
		xname(i, name);
		xval(i, w, xsize(i));
		err = vmfs_xattr_set(vol, ip, name, w, xsize(i), XATTR_CREATE);
		TCHECK(err == 0, "set %u (%zu bytes): %d", i, xsize(i), err);
		present[i] = !err;
	}
	check_xattrs(vol, ip, present, n, "500 set");
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, ino, &ip) == 0);
	check_xattrs(vol, ip, present, n, "500 after reopen");
	for (i = 0; i < n; i++) {
		if (trand_below(&seed, 2))
			continue;
		xname(i, name);
		CU_ASSERT_EQUAL(vmfs_xattr_remove(vol, ip, name), 0);
		present[i] = false;
	}
	check_xattrs(vol, ip, present, n, "half removed");
	pthread_mutex_unlock(&vol->lock);
	CU_ASSERT_FATAL(tvol_reopen(&t) == 0);
	vol = t.vol;
	pthread_mutex_lock(&vol->lock);
	CU_ASSERT_FATAL(vmfs_inode_get(vol, ino, &ip) == 0);
	check_xattrs(vol, ip, present, n, "half removed, reopened");
	for (i = 0; i < n; i++) {
		if (!present[i])
			continue;
		xname(i, name);
		CU_ASSERT_EQUAL(vmfs_xattr_remove(vol, ip, name), 0);
		present[i] = false;
	}
	check_xattrs(vol, ip, present, n, "all removed");
	TCHECK(vmfs_free_mblocks(vol) == free0, "all xattrs removed: %lld blocks still held",
	       (long long)(free0 - vmfs_free_mblocks(vol)));
	pthread_mutex_unlock(&vol->lock);
	tvol_destroy(&t);
}

static int add_tests(void)
{
	CU_pSuite s = CU_add_suite("dir", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "100,000 entries", test_dir_100k) ||
	    !CU_add_test(s, "collisions", test_collisions) ||
	    !CU_add_test(s, "xattr basics and limits", test_xattr_basic) ||
	    !CU_add_test(s, "500 xattrs", test_xattr_500))
		return -1;
	return 0;
}

int main(void)
{
	return trun(add_tests);
}
