// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Extended attributes in a per-file hashed B-tree rooted in the
 * descriptor's xattr root (docs/FORMAT.md "Extended attributes"). Keys are
 * built like directory keys; records hold the full name and the value, or
 * for a value over VMFS_XATTR_INLINE_MAX the address of a value block.
 * Called under the metadata lock.
 */
#include <string.h>
#include <sys/xattr.h>

#include "fs/core/vol.h"

#define XVAL_MAX (4 + VMFS_XATTR_NAME_MAX + VMFS_XATTR_INLINE_MAX)
#define XF_REMOTE 0x1

struct xrec {
	uint64_t key;
	size_t namelen, vlen;
	const uint8_t *name, *value;	/* value NULL when remote */
	uint64_t remote;		/* value block, 0 if the value is in the record */
};

static int xdecode(const uint8_t *val, size_t len, uint64_t key, struct xrec *x)
{
	if (len < 4)
		return -EFSCORRUPTED;
	x->key = key;
	x->namelen = val[0];
	x->vlen = vmfs_get_le16(val + 2);
	x->name = val + 4;
	x->value = NULL;
	x->remote = 0;
	if (x->namelen == 0 || (val[1] & ~XF_REMOTE))
		return -EFSCORRUPTED;
	if (val[1] & XF_REMOTE) {
		if (4 + x->namelen + 8 != len || x->vlen <= VMFS_XATTR_INLINE_MAX ||
		    x->vlen > VMFS_XATTR_VALUE_MAX)
			return -EFSCORRUPTED;
		x->remote = vmfs_get_le64(val + 4 + x->namelen);
		return 0;
	}
	if (4 + x->namelen + x->vlen != len || x->vlen > VMFS_XATTR_INLINE_MAX)
		return -EFSCORRUPTED;
	x->value = val + 4 + x->namelen;
	return 0;
}

/* Copy a remote value of @x into @out. */
static int xread_remote(struct vmfs_vol *vol, struct vmfs_inode *ip, const struct xrec *x,
			void *out)
{
	struct vmfs_buf *b;
	int err;

	err = vmfs_bc_get(vol, x->remote, VMFS_MAGIC_XVAL, 0, &b);
	if (err)
		return err;
	err = vmfs_xval_check(b->data, ip->ino, (uint32_t)x->vlen);
	if (!err)
		memcpy(out, b->data + VMFS_XVAL_HDR, x->vlen);
	vmfs_bc_put(vol, b);
	return err;
}

static int xfree_remote(struct vmfs_vol *vol, const struct xrec *x)
{
	if (!x->remote)
		return 0;
	vmfs_bc_forget(vol, x->remote);
	return vmfs_free(vol, x->remote, 1);
}

/* A value block for @val, near the descriptor. */
static int xwrite_remote(struct vmfs_vol *vol, struct vmfs_inode *ip, const void *val,
			 size_t vlen, uint64_t *blk)
{
	struct vmfs_buf *b;
	uint64_t got;
	int err;

	err = vmfs_alloc(vol, VMFS_AK_XVAL, 1, ip->ino, blk, &got);
	if (err)
		return err;
	err = vmfs_bc_get(vol, *blk, VMFS_MAGIC_XVAL, VMFS_BC_NEW, &b);
	if (err) {
		vmfs_free(vol, *blk, 1);
		return err;
	}
	vmfs_xval_init(b->data, *blk, vol->vh.hdr.uuid, ip->ino, (uint32_t)vlen);
	memcpy(b->data + VMFS_XVAL_HDR, val, vlen);
	vmfs_bc_dirty(vol, b);
	vmfs_bc_put(vol, b);
	return 0;
}

/* Find @name: 0 with *key and the record in @val, or -ENOENT with a free *key. */
static int xfind(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name, uint8_t *val,
		 struct xrec *x, uint64_t *key)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);
	size_t len = strlen(name), vlen;
	uint64_t base = vmfs_name_key_base(vol->vh.hash_seed, name, len), k, fk;
	int err;

	*key = UINT64_MAX;
	if (ip->d.xattr_fmt != VMFS_FMT_BTREE)
		return (*key = base), -ENOENT;
	for (k = base; k <= (base | 0xff); k = fk + 1) {
		vlen = XVAL_MAX;
		err = vmfs_bt_lookup_ge(vol, &bt, k, &fk, val, &vlen);
		if (err == -ENOENT || (!err && fk > (base | 0xff)))
			break;
		if (err)
			return err;
		if (fk > k && *key == UINT64_MAX)
			*key = k;
		err = xdecode(val, vlen, fk, x);
		if (err)
			return err;
		if (x->namelen == len && memcmp(x->name, name, len) == 0) {
			*key = fk;
			return 0;
		}
	}
	if (*key == UINT64_MAX && k <= (base | 0xff))
		*key = k;
	return -ENOENT;
}

/*
 * vmfs_xattr_get - copy the value of @name into @val (if @size > 0).
 * Returns 0 with *vlen, -ENODATA, -ERANGE if @size is too small.
 */
int vmfs_xattr_get(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name, void *val,
		   size_t size, size_t *vlen)
{
	uint8_t buf[XVAL_MAX];
	struct xrec x;
	uint64_t key;
	int err;

	err = xfind(vol, ip, name, buf, &x, &key);
	if (err)
		return err == -ENOENT ? -ENODATA : err;
	*vlen = x.vlen;
	if (size == 0)
		return 0;
	if (size < x.vlen)
		return -ERANGE;
	if (x.remote)
		return xread_remote(vol, ip, &x, val);
	memcpy(val, x.value, x.vlen);
	return 0;
}

/*
 * vmfs_xattr_set - create or replace @name. The new value is stored before
 * the old one goes, and on any failure the old record is put back, so a
 * failed replace leaves the attribute as it was.
 */
int vmfs_xattr_set(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name,
		   const void *val, size_t vlen, int flags)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);
	uint8_t old[XVAL_MAX], rec[XVAL_MAX];
	size_t len = strlen(name), oldlen = 0, reclen;
	struct xrec x;
	uint64_t key, remote = 0;
	bool replacing;
	int err;

	if (len == 0 || len > VMFS_XATTR_NAME_MAX)
		return -ERANGE;
	if (vlen > VMFS_XATTR_VALUE_MAX)
		return -E2BIG;
	err = xfind(vol, ip, name, old, &x, &key);
	if (err && err != -ENOENT)
		return err;
	replacing = !err;
	if (replacing && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!replacing && (flags & XATTR_REPLACE))
		return -ENODATA;
	if (key == UINT64_MAX)
		return -ENOSPC;
	if (replacing)
		oldlen = 4 + x.namelen + (x.remote ? 8 : x.vlen);
	rec[0] = (uint8_t)len;
	rec[1] = vlen > VMFS_XATTR_INLINE_MAX ? XF_REMOTE : 0;
	vmfs_put_le16(rec + 2, (uint16_t)vlen);
	memcpy(rec + 4, name, len);
	if (vlen > VMFS_XATTR_INLINE_MAX) {
		err = xwrite_remote(vol, ip, val, vlen, &remote);
		if (err)
			return err;
		vmfs_put_le64(rec + 4 + len, remote);
		reclen = 4 + len + 8;
	} else {
		memcpy(rec + 4 + len, val, vlen);
		reclen = 4 + len + vlen;
	}
	if (ip->d.xattr_fmt != VMFS_FMT_BTREE) {
		ip->d.xattr_fmt = VMFS_FMT_BTREE;
		vmfs_bt_root_init(ip->d.xattr_root, VMFS_BT_XATTR);
	}
	err = replacing ? vmfs_bt_delete(vol, &bt, key) : 0;
	if (!err) {
		err = vmfs_bt_insert(vol, &bt, key, rec, reclen);
		if (err && replacing)
			vmfs_bt_insert(vol, &bt, key, old, oldlen);	/* put the old one back */
	}
	if (err) {
		if (remote)
			xfree_remote(vol, &(struct xrec){ .remote = remote });
	} else if (replacing) {
		err = xfree_remote(vol, &x);	/* x points into old[]: still valid */
	} else {
		ip->d.xattr_count++;
	}
	vmfs_inode_dirty(vol, ip);
	return err == -E2BIG ? -ENOSPC : err;
}

int vmfs_xattr_remove(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);
	uint8_t buf[XVAL_MAX];
	struct xrec x;
	uint64_t key;
	int err;

	err = xfind(vol, ip, name, buf, &x, &key);
	if (err)
		return err == -ENOENT ? -ENODATA : err;
	err = xfree_remote(vol, &x);
	if (!err)
		err = vmfs_bt_delete(vol, &bt, key);
	if (err)
		return err;
	ip->d.xattr_count--;
	vmfs_inode_dirty(vol, ip);
	return 0;
}

/* Call @fn for every record in key order; stops at the first error. */
static int xforeach(struct vmfs_vol *vol, struct vmfs_inode *ip,
		    int (*fn)(struct vmfs_vol *vol, const struct xrec *x, void *arg), void *arg)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);
	uint8_t val[XVAL_MAX];
	uint64_t k = 0, fk;
	struct xrec x;
	size_t vlen;
	int err;

	while (ip->d.xattr_fmt == VMFS_FMT_BTREE) {
		vlen = sizeof(val);
		err = vmfs_bt_lookup_ge(vol, &bt, k, &fk, val, &vlen);
		if (err == -ENOENT)
			break;
		if (!err)
			err = xdecode(val, vlen, fk, &x);
		if (!err)
			err = fn(vol, &x, arg);
		if (err)
			return err;
		if (fk == UINT64_MAX)
			break;
		k = fk + 1;
	}
	return 0;
}

struct xlist {
	char *buf;
	size_t size, total;
};

static int list_one(struct vmfs_vol *vol, const struct xrec *x, void *arg)
{
	struct xlist *l = arg;

	(void)vol;
	if (l->size) {
		if (l->total + x->namelen + 1 > l->size)
			return -ERANGE;
		memcpy(l->buf + l->total, x->name, x->namelen);
		l->buf[l->total + x->namelen] = 0;
	}
	l->total += x->namelen + 1;
	return 0;
}

/* NUL-separated names into @buf (size 0: just the length). -ERANGE if short. */
int vmfs_xattr_list(struct vmfs_vol *vol, struct vmfs_inode *ip, char *buf, size_t size,
		    size_t *len)
{
	struct xlist l = { .buf = buf, .size = size };
	int err = xforeach(vol, ip, list_one, &l);

	*len = l.total;
	return err;
}

static int free_one(struct vmfs_vol *vol, const struct xrec *x, void *arg)
{
	(void)arg;
	return xfree_remote(vol, x);
}

int vmfs_xattr_destroy(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);
	int err;

	/* Value blocks first: they are not tree nodes. */
	err = xforeach(vol, ip, free_one, NULL);
	if (err)
		return err;
	ip->d.xattr_count = 0;
	ip->d.xattr_fmt = VMFS_FMT_EMPTY;
	return vmfs_bt_destroy(vol, &bt);
}

struct xblocks {
	int (*cb)(void *arg, uint64_t blk);
	void *arg;
};

static int value_block_one(struct vmfs_vol *vol, const struct xrec *x, void *arg)
{
	struct xblocks *xb = arg;

	(void)vol;
	return x->remote ? xb->cb(xb->arg, x->remote) : 0;
}

/* Call @cb for every xattr value block of @ip (fsck). */
int vmfs_xattr_value_blocks(struct vmfs_vol *vol, struct vmfs_inode *ip,
			    int (*cb)(void *arg, uint64_t blk), void *arg)
{
	struct xblocks xb = { cb, arg };

	return xforeach(vol, ip, value_block_one, &xb);
}

static bool xrec_decodes(uint64_t key, const void *val, size_t vlen)
{
	struct xrec x;

	return xdecode(val, vlen, key, &x) == 0;
}

/* vmfs_xattr_decode_remote - (fsck) the value block of one record, or 0; -EFSCORRUPTED. */
int vmfs_xattr_decode_remote(const void *val, size_t vlen, uint64_t *remote)
{
	struct xrec x;
	int err = xdecode(val, vlen, 0, &x);

	*remote = err ? 0 : x.remote;
	return err;
}

/* vmfs_xattr_rebuild - (fsck) @ip's xattr tree anew from what can be read; as vmfs_bt_rebuild. */
long vmfs_xattr_rebuild(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_bt bt = vmfs_inode_xattr_bt(ip);

	return ip->d.xattr_fmt == VMFS_FMT_BTREE ? vmfs_bt_rebuild(vol, &bt, xrec_decodes) : 0;
}
