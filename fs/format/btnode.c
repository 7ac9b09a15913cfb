// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * B-tree node headers, extent leaf values and xattr value blocks
 * (FORMAT.md "B-trees", "Extent tree", "Extended attributes"). Record
 * areas are packed little-endian records edited by fs/core/btree.c through
 * the vmfs_get_le / vmfs_put_le helpers.
 */
#include <endian.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_bt_hdr_encode(void *p, const struct vmfs_bt_hdr *h)
{
	struct vmfs_dbt_root *d = p;

	d->level = htole16(h->level);
	d->nrecs = htole16(h->nrecs);
	d->used = htole16(h->used);
	d->tree_type = htole16(h->tree_type);
}

void vmfs_bt_hdr_decode(const void *p, struct vmfs_bt_hdr *h)
{
	const struct vmfs_dbt_root *d = p;

	h->level = le16toh(d->level);
	h->nrecs = le16toh(d->nrecs);
	h->used = le16toh(d->used);
	h->tree_type = le16toh(d->tree_type);
}

void vmfs_bt_node_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner)
{
	struct vmfs_dbt_node *d = blk;
	struct vmfs_blk_hdr h = { .magic = VMFS_MAGIC_BTNODE, .blkno = blkno };

	memset(d, 0, sizeof(*d));
	memcpy(h.uuid, uuid, 16);
	vmfs_blk_hdr_encode(&d->hdr, &h);
	d->owner = htole64(owner);
}

/* Verify a node read from @blkno belongs to the tree of descriptor @owner. */
int vmfs_bt_node_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner)
{
	const struct vmfs_dbt_node *d = blk;
	struct vmfs_bt_hdr h;
	int err;

	err = vmfs_blk_verify(blk, VMFS_MBLOCK_SIZE, VMFS_MAGIC_BTNODE, blkno, uuid);
	if (err)
		return err;
	if (le64toh(d->owner) != owner)
		return -EFSCORRUPTED;
	vmfs_bt_hdr_decode(&d->root, &h);
	if (h.level > VMFS_BT_MAX_LEVEL || h.used > sizeof(d->recs))
		return -EFSCORRUPTED;
	return 0;
}

void vmfs_extent_val_encode(void *val, const struct vmfs_extent *e)
{
	struct vmfs_dextent d = {
		.pstart = htole64(e->pstart),
		.len = htole32(e->len),
		.flags = htole32(e->flags),
		.birth = htole64(e->birth),
	};

	memcpy(val, &d, sizeof(d));
}

int vmfs_extent_val_decode(const void *val, size_t len, uint64_t key, struct vmfs_extent *e)
{
	struct vmfs_dextent d;

	if (len != sizeof(d))
		return -EFSCORRUPTED;
	memcpy(&d, val, sizeof(d));
	e->lstart = key;
	e->pstart = le64toh(d.pstart);
	e->len = le32toh(d.len);
	e->flags = le32toh(d.flags);
	e->birth = le64toh(d.birth);
	if (e->len == 0 || (e->flags & ~VMFS_EXT_KNOWN_FLAGS))
		return -EFSCORRUPTED;
	return 0;
}

void vmfs_xval_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner,
		    uint32_t len)
{
	struct vmfs_dxval *d = blk;
	struct vmfs_blk_hdr h = { .magic = VMFS_MAGIC_XVAL, .blkno = blkno };

	memset(d, 0, sizeof(*d));
	memcpy(h.uuid, uuid, 16);
	vmfs_blk_hdr_encode(&d->hdr, &h);
	d->owner = htole64(owner);
	d->len = htole32(len);
}

/* A value block (header already verified) belongs to @owner and holds @len bytes. */
int vmfs_xval_check(const void *blk, uint64_t owner, uint32_t len)
{
	const struct vmfs_dxval *d = blk;

	if (le64toh(d->owner) != owner || le32toh(d->len) != len || len > sizeof(d->value))
		return -EFSCORRUPTED;
	return 0;
}
