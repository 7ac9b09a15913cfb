// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File descriptors (FORMAT.md "File descriptor"): the body mblock that
 * follows a descriptor's lock. Holds attributes, a 2 KiB data root (inline
 * data or the root of the extent / directory B-tree) and a 1 KiB xattr root.
 */
#include <endian.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_desc_encode(void *blk, const struct vmfs_desc *x)
{
	struct vmfs_ddesc *d = blk;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &x->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_DESC);
	d->generation = htole64(x->generation);
	d->version = htole64(x->version);
	d->mode = htole32(x->mode);
	d->nlink = htole32(x->nlink);
	d->uid = htole32(x->uid);
	d->gid = htole32(x->gid);
	d->size = htole64(x->size);
	d->alloc_mblocks = htole64(x->alloc_mblocks);
	d->atime_sec = htole64((uint64_t)x->atime_sec);
	d->mtime_sec = htole64((uint64_t)x->mtime_sec);
	d->ctime_sec = htole64((uint64_t)x->ctime_sec);
	d->btime_sec = htole64((uint64_t)x->btime_sec);
	d->atime_nsec = htole32(x->atime_nsec);
	d->mtime_nsec = htole32(x->mtime_nsec);
	d->ctime_nsec = htole32(x->ctime_nsec);
	d->btime_nsec = htole32(x->btime_nsec);
	d->rdev = htole64(x->rdev);
	d->flags = htole32(x->flags);
	d->data_fmt = htole16(x->data_fmt);
	d->xattr_fmt = htole16(x->xattr_fmt);
	d->parent = htole64(x->parent);
	d->nentries = htole64(x->nentries);
	d->data_gen = htole64(x->data_gen);
	d->snap_root = htole64(x->snap_root);
	d->xattr_count = htole64(x->xattr_count);
	memcpy(d->data_root, x->data_root, sizeof(d->data_root));
	memcpy(d->xattr_root, x->xattr_root, sizeof(d->xattr_root));
	vmfs_blk_seal(d, sizeof(*d));
}

/*
 * vmfs_desc_decode - decode and verify the descriptor body at @blkno.
 * Returns 0, -EFSBADCRC or -EFSCORRUPTED.
 */
int vmfs_desc_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], struct vmfs_desc *x)
{
	const struct vmfs_ddesc *d = blk;
	int err;

	err = vmfs_blk_verify(blk, sizeof(*d), VMFS_MAGIC_DESC, blkno, uuid);
	if (err)
		return err;
	vmfs_blk_hdr_decode(&d->hdr, &x->hdr);
	x->generation = le64toh(d->generation);
	x->version = le64toh(d->version);
	x->mode = le32toh(d->mode);
	x->nlink = le32toh(d->nlink);
	x->uid = le32toh(d->uid);
	x->gid = le32toh(d->gid);
	x->size = le64toh(d->size);
	x->alloc_mblocks = le64toh(d->alloc_mblocks);
	x->atime_sec = (int64_t)le64toh(d->atime_sec);
	x->mtime_sec = (int64_t)le64toh(d->mtime_sec);
	x->ctime_sec = (int64_t)le64toh(d->ctime_sec);
	x->btime_sec = (int64_t)le64toh(d->btime_sec);
	x->atime_nsec = le32toh(d->atime_nsec);
	x->mtime_nsec = le32toh(d->mtime_nsec);
	x->ctime_nsec = le32toh(d->ctime_nsec);
	x->btime_nsec = le32toh(d->btime_nsec);
	x->rdev = le64toh(d->rdev);
	x->flags = le32toh(d->flags);
	x->data_fmt = le16toh(d->data_fmt);
	x->xattr_fmt = le16toh(d->xattr_fmt);
	x->parent = le64toh(d->parent);
	x->nentries = le64toh(d->nentries);
	x->data_gen = le64toh(d->data_gen);
	x->snap_root = le64toh(d->snap_root);
	x->xattr_count = le64toh(d->xattr_count);
	memcpy(x->data_root, d->data_root, sizeof(d->data_root));
	memcpy(x->xattr_root, d->xattr_root, sizeof(d->xattr_root));
	if (x->data_fmt > VMFS_FMT_BTREE || x->xattr_fmt > VMFS_FMT_BTREE ||
	    x->xattr_fmt == VMFS_FMT_INLINE || x->size > VMFS_MAX_FILE_BYTES)
		return -EFSCORRUPTED;
	if (x->data_fmt == VMFS_FMT_INLINE && x->size > VMFS_DATA_ROOT_BYTES)
		return -EFSCORRUPTED;
	switch (x->mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR:
	case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -EFSCORRUPTED;
	}
	return 0;
}
