// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directories as hashed B-trees (docs/FORMAT.md "Directories"): the key is
 * the keyed name hash with its low 8 bits replaced by a collision index,
 * so lookups touch one leaf and readdir offsets (key + 1) stay stable while
 * entries come and go. Called under the metadata lock.
 */
#include <string.h>
#include <sys/stat.h>

#include "fs/core/vol.h"

#define DIRENT_VAL_MAX (8 + 1 + 1 + VMFS_NAME_MAX)

uint8_t vmfs_mode_to_dt(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return VMFS_DT_REG;
	case S_IFDIR: return VMFS_DT_DIR;
	case S_IFLNK: return VMFS_DT_LNK;
	case S_IFCHR: return VMFS_DT_CHR;
	case S_IFBLK: return VMFS_DT_BLK;
	case S_IFIFO: return VMFS_DT_FIFO;
	case S_IFSOCK: return VMFS_DT_SOCK;
	default: return VMFS_DT_UNKNOWN;
	}
}


int vmfs_dirent_decode(const void *v, size_t vlen, uint64_t key, struct vmfs_dirent *de)
{
	const uint8_t *val = v;

	if (vlen < 10 || val[9] == 0 || (size_t)val[9] + 10 != vlen)
		return -EFSCORRUPTED;
	de->key = key;
	de->ino = vmfs_get_le64(val);
	de->type = val[8];
	de->namelen = val[9];
	memcpy(de->name, val + 10, de->namelen);
	de->name[de->namelen] = 0;
	return 0;
}

/*
 * Scan the collision range of @name. Returns 0 with *key and @de of the
 * entry, or -ENOENT with *key = a free key in the range (UINT64_MAX if
 * all 256 are taken).
 */
static int find_name(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len,
		     uint64_t *key, struct vmfs_dirent *de)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	uint64_t base = vmfs_name_key_base(vol->vh.hash_seed, name, len), k = base, fk;
	uint8_t val[DIRENT_VAL_MAX];
	size_t vlen;
	int err;

	*key = UINT64_MAX;
	while (k <= (base | 0xff)) {
		vlen = sizeof(val);
		err = vmfs_bt_lookup_ge(vol, &bt, k, &fk, val, &vlen);
		if (err == -ENOENT || (!err && fk > (base | 0xff)))
			break;
		if (err)
			return err;
		if (fk > k && *key == UINT64_MAX)
			*key = k;
		err = vmfs_dirent_decode(val, vlen, fk, de);
		if (err)
			return err;
		if (de->namelen == len && memcmp(de->name, name, len) == 0) {
			*key = fk;
			return 0;
		}
		k = fk + 1;
	}
	if (*key == UINT64_MAX && k <= (base | 0xff))
		*key = k;
	return -ENOENT;
}

static int check_dir(struct vmfs_inode *dp)
{
	if (!S_ISDIR(dp->d.mode))
		return -ENOTDIR;
	return dp->d.data_fmt == VMFS_FMT_BTREE ? 0 : -EFSCORRUPTED;
}

int vmfs_dir_lookup(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name,
		    size_t len, uint64_t *ino, uint8_t *type, uint64_t *key)
{
	struct vmfs_dirent de;
	uint64_t k;
	int err;

	err = check_dir(dp);
	if (err)
		return err;
	if (len > VMFS_NAME_MAX)
		return -ENAMETOOLONG;
	err = find_name(vol, dp, name, len, &k, &de);
	if (err)
		return err;
	*ino = de.ino;
	if (type)
		*type = de.type;
	if (key)
		*key = k;
	return 0;
}

static int put_entry(struct vmfs_vol *vol, struct vmfs_inode *dp, uint64_t key, const char *name,
		     size_t len, uint64_t ino, uint8_t type)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	uint8_t val[DIRENT_VAL_MAX];

	vmfs_put_le64(val, ino);
	val[8] = type;
	val[9] = (uint8_t)len;
	memcpy(val + 10, name, len);
	return vmfs_bt_insert(vol, &bt, key, val, 10 + len);
}

/* Add @name -> @ino. Returns 0, -EEXIST, -ENAMETOOLONG, -ENOSPC or an error. */
int vmfs_dir_add(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len,
		 uint64_t ino, uint8_t type)
{
	struct vmfs_dirent de;
	uint64_t key;
	int err;

	err = check_dir(dp);
	if (err)
		return err;
	if (len == 0 || len > VMFS_NAME_MAX)
		return len ? -ENAMETOOLONG : -EINVAL;
	err = find_name(vol, dp, name, len, &key, &de);
	if (err == 0)
		return -EEXIST;
	if (err != -ENOENT)
		return err;
	if (key == UINT64_MAX)
		return -ENOSPC;	/* 256 names share one hash: practically impossible */
	err = put_entry(vol, dp, key, name, len, ino, type);
	if (err)
		return err;
	dp->d.nentries++;
	vmfs_inode_dirty(vol, dp);
	return 0;
}

/* Point an existing entry @name at @ino (rename over an existing name). */
int vmfs_dir_set(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len,
		 uint64_t ino, uint8_t type)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	struct vmfs_dirent de;
	uint64_t key;
	int err;

	err = find_name(vol, dp, name, len, &key, &de);
	if (err)
		return err;
	err = vmfs_bt_delete(vol, &bt, key);
	if (err)
		return err;
	return put_entry(vol, dp, key, name, len, ino, type);
}

int vmfs_dir_remove(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	struct vmfs_dirent de;
	uint64_t key;
	int err;

	err = check_dir(dp);
	if (err)
		return err;
	err = find_name(vol, dp, name, len, &key, &de);
	if (err)
		return err;
	err = vmfs_bt_delete(vol, &bt, key);
	if (err)
		return err;
	dp->d.nentries--;
	vmfs_inode_dirty(vol, dp);
	return 0;
}

/* The first entry with key >= @from_key. Returns 0, -ENOENT at the end, or an error. */
int vmfs_dir_next(struct vmfs_vol *vol, struct vmfs_inode *dp, uint64_t from_key,
		  struct vmfs_dirent *de)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	uint8_t val[DIRENT_VAL_MAX];
	size_t vlen = sizeof(val);
	uint64_t k;
	int err;

	err = check_dir(dp);
	if (err)
		return err;
	err = vmfs_bt_lookup_ge(vol, &bt, from_key, &k, val, &vlen);
	if (err)
		return err;
	return vmfs_dirent_decode(val, vlen, k, de);
}

static bool entry_decodes(uint64_t key, const void *val, size_t vlen)
{
	struct vmfs_dirent de;

	return vmfs_dirent_decode(val, vlen, key, &de) == 0;
}

/*
 * vmfs_dir_rebuild - (fsck) make @dp's entry tree anew from the entries
 * that can be read of it. Returns the number of entries and subtrees
 * lost, or a negative errno. The entry count is the caller's.
 */
long vmfs_dir_rebuild(struct vmfs_vol *vol, struct vmfs_inode *dp)
{
	struct vmfs_bt bt = vmfs_inode_data_bt(dp);
	int err = check_dir(dp);

	return err ? err : vmfs_bt_rebuild(vol, &bt, entry_decodes);
}
