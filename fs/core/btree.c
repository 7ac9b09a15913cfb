// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One B+tree format for extent maps, directories and xattrs
 * (docs/FORMAT.md "B-trees"): a root inside the descriptor, mblock nodes
 * below it, unique 64-bit keys, variable-length leaf values. Nodes split in
 * half by bytes; empty nodes are freed; a root with one child absorbs it
 * when it fits. Every operation descends from the root afresh, so no
 * cursor outlives a change. Called under the metadata lock.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/core/vol.h"

#define MAX_RECS 512
#define INT_REC 16

struct node {
	struct vmfs_buf *buf;		/* NULL for the root */
	uint8_t *hdrp;
	uint8_t *recs;
	size_t cap;
	struct vmfs_bt_hdr h;
};

struct path {
	struct node n[VMFS_BT_MAX_LEVEL + 1];
	unsigned idx[VMFS_BT_MAX_LEVEL + 1];	/* chosen child / leaf position */
	unsigned depth;				/* level of the root */
};

void vmfs_bt_root_init(uint8_t *area, uint16_t tree_type)
{
	struct vmfs_bt_hdr h = { .tree_type = tree_type };

	vmfs_bt_hdr_encode(area, &h);
}

static void node_root(struct vmfs_bt *bt, struct node *n)
{
	n->buf = NULL;
	n->hdrp = bt->area;
	n->recs = bt->area + VMFS_BT_ROOT_HDR;
	n->cap = bt->area_len - VMFS_BT_ROOT_HDR;
	vmfs_bt_hdr_decode(n->hdrp, &n->h);
}

/*
 * Is the whole tree its root, a leaf with @bytes to spare? Then inserting
 * and deleting records worth @bytes neither allocates nor frees a node.
 */
bool vmfs_bt_root_leaf_room(struct vmfs_bt *bt, size_t bytes)
{
	struct node n;

	node_root(bt, &n);
	return n.h.level == 0 && n.h.used <= n.cap && n.cap - n.h.used >= bytes;
}

static int node_check(const struct node *n, unsigned level)
{
	if (n->h.level != level || n->h.used > n->cap)
		return -EFSCORRUPTED;
	if (level && n->h.used != n->h.nrecs * INT_REC)
		return -EFSCORRUPTED;
	return 0;
}

static int node_load(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t blkno, unsigned level,
		     struct node *n)
{
	int err;

	err = vmfs_bc_get(vol, blkno, VMFS_MAGIC_BTNODE, 0, &n->buf);
	if (err)
		return err;
	/* The cache verified magic, CRC, address and UUID when it read the block. */
	err = vmfs_get_le64(n->buf->data + 0x30) == bt->owner ? 0 : -EFSCORRUPTED;
	n->hdrp = n->buf->data + 0x38;
	n->recs = n->buf->data + VMFS_BT_NODE_HDR;
	n->cap = VMFS_MBLOCK_SIZE - VMFS_BT_NODE_HDR;
	vmfs_bt_hdr_decode(n->hdrp, &n->h);
	if (!err)
		err = node_check(n, level);
	if (!err && n->h.tree_type != bt->tree_type)
		err = -EFSCORRUPTED;
	if (err) {
		vmfs_bc_put(vol, n->buf);
		n->buf = NULL;
	}
	return err;
}

static void node_save(struct vmfs_vol *vol, struct vmfs_bt *bt, struct node *n)
{
	vmfs_bt_hdr_encode(n->hdrp, &n->h);
	if (n->buf)
		vmfs_bc_dirty(vol, n->buf);
	else if (bt->ip)
		vmfs_inode_dirty(vol, bt->ip);
}

static int node_new(struct vmfs_vol *vol, struct vmfs_bt *bt, unsigned level, struct node *n)
{
	uint64_t blk, got;
	int err;

	err = vmfs_alloc(vol, VMFS_AK_META, 1, bt->owner, &blk, &got);
	if (err)
		return err;
	err = vmfs_bc_get(vol, blk, VMFS_MAGIC_BTNODE, VMFS_BC_NEW, &n->buf);
	if (err) {
		vmfs_free(vol, blk, 1);
		return err;
	}
	vmfs_bc_dirty(vol, n->buf);
	vmfs_bt_node_init(n->buf->data, blk, vol->vh.hdr.uuid, bt->owner);
	n->hdrp = n->buf->data + 0x38;
	n->recs = n->buf->data + VMFS_BT_NODE_HDR;
	n->cap = VMFS_MBLOCK_SIZE - VMFS_BT_NODE_HDR;
	n->h = (struct vmfs_bt_hdr){ .level = (uint16_t)level, .tree_type = bt->tree_type };
	return 0;
}

static void path_release(struct vmfs_vol *vol, struct path *p)
{
	unsigned l;

	for (l = 0; l <= p->depth; l++) {
		if (p->n[l].buf)
			vmfs_bc_put(vol, p->n[l].buf);
		p->n[l].buf = NULL;
	}
}

static uint64_t int_key(const struct node *n, unsigned i)
{
	return vmfs_get_le64(n->recs + INT_REC * i);
}

static uint64_t int_child(const struct node *n, unsigned i)
{
	return vmfs_get_le64(n->recs + INT_REC * i + 8);
}

/* Byte offsets of every leaf record; *count = nrecs. -EFSCORRUPTED if they overrun. */
static int leaf_offsets(const struct node *n, uint16_t *off)
{
	size_t o = 0;
	unsigned i;

	if (n->h.nrecs > MAX_RECS)
		return -EFSCORRUPTED;
	for (i = 0; i < n->h.nrecs; i++) {
		if (o + VMFS_BT_LEAF_HDR > n->h.used)
			return -EFSCORRUPTED;
		off[i] = (uint16_t)o;
		o += VMFS_BT_LEAF_HDR + vmfs_get_le16(n->recs + o + 8);
		if (o > n->h.used)
			return -EFSCORRUPTED;
		if (i && vmfs_get_le64(n->recs + off[i]) <= vmfs_get_le64(n->recs + off[i - 1]))
			return -EFSCORRUPTED;
	}
	off[i] = (uint16_t)o;
	return o == n->h.used ? 0 : -EFSCORRUPTED;
}

static unsigned int_pick(const struct node *n, uint64_t key)
{
	unsigned lo = 0, hi = n->h.nrecs;	/* find last i with key_i <= key */

	while (hi - lo > 1) {
		unsigned mid = (lo + hi) / 2;

		if (int_key(n, mid) <= key)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Descend to the leaf for @key; idx[0] = first record with key >= @key. */
static int descend(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, struct path *p)
{
	uint16_t off[MAX_RECS + 1];
	unsigned l, i;
	int err;

	memset(p, 0, sizeof(*p));
	node_root(bt, &p->n[0]);
	if (p->n[0].h.level > VMFS_BT_MAX_LEVEL || p->n[0].h.used > p->n[0].cap)
		return -EFSCORRUPTED;
	p->depth = p->n[0].h.level;
	if (p->depth) {
		p->n[p->depth] = p->n[0];
		p->n[0].buf = NULL;
	}
	for (l = p->depth; l > 0; l--) {
		if (node_check(&p->n[l], l) || p->n[l].h.nrecs == 0) {
			err = -EFSCORRUPTED;
			goto fail;
		}
		p->idx[l] = int_pick(&p->n[l], key);
		err = node_load(vol, bt, int_child(&p->n[l], p->idx[l]), l - 1, &p->n[l - 1]);
		if (err)
			goto fail;
	}
	err = leaf_offsets(&p->n[0], off);
	if (err)
		goto fail;
	for (i = 0; i < p->n[0].h.nrecs; i++)
		if (vmfs_get_le64(p->n[0].recs + off[i]) >= key)
			break;
	p->idx[0] = i;
	return 0;
fail:
	path_release(vol, p);
	return err;
}

/* Step the path to the neighbouring leaf; -ENOENT at the edge of the tree. */
static int step_leaf(struct vmfs_vol *vol, struct vmfs_bt *bt, struct path *p, bool forward)
{
	unsigned l;

	for (l = 1; l <= p->depth; l++) {
		if (forward ? p->idx[l] + 1 < p->n[l].h.nrecs : p->idx[l] > 0)
			break;
	}
	if (l > p->depth)
		return -ENOENT;
	p->idx[l] = forward ? p->idx[l] + 1 : p->idx[l] - 1;
	/* Reload the subtree below l at the new index, leftmost or rightmost. */
	for (; l > 0; l--) {
		if (p->n[l - 1].buf)
			vmfs_bc_put(vol, p->n[l - 1].buf);
		p->n[l - 1].buf = NULL;
		if (node_load(vol, bt, int_child(&p->n[l], p->idx[l]), l - 1, &p->n[l - 1]))
			return -EFSCORRUPTED;
		if (l - 1 > 0)
			p->idx[l - 1] = forward ? 0 : p->n[l - 1].h.nrecs - 1;
	}
	p->idx[0] = forward ? 0 : p->n[0].h.nrecs;
	return 0;
}

static int leaf_get(struct node *n, unsigned i, uint64_t *key, void *val, size_t *vlen)
{
	uint16_t off[MAX_RECS + 1];
	size_t len;
	int err;

	err = leaf_offsets(n, off);
	if (err)
		return err;
	len = vmfs_get_le16(n->recs + off[i] + 8);
	*key = vmfs_get_le64(n->recs + off[i]);
	if (val) {
		if (vlen && *vlen < len)
			return -EOVERFLOW;
		memcpy(val, n->recs + off[i] + VMFS_BT_LEAF_HDR, len);
	}
	if (vlen)
		*vlen = len;
	return 0;
}

/*
 * vmfs_bt_lookup_le - record with the greatest key <= @key.
 * @val receives up to *@vlen bytes (NULL to skip). Returns 0, -ENOENT,
 * -EOVERFLOW if *@vlen is too small, or a read/corruption error.
 */
int vmfs_bt_lookup_le(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, uint64_t *fkey,
		      void *val, size_t *vlen)
{
	struct path p;
	uint16_t off[MAX_RECS + 1];
	int err;

	err = descend(vol, bt, key, &p);
	if (err)
		return err;
	err = leaf_offsets(&p.n[0], off);
	if (!err && p.idx[0] < p.n[0].h.nrecs &&
	    vmfs_get_le64(p.n[0].recs + off[p.idx[0]]) == key) {
		err = leaf_get(&p.n[0], p.idx[0], fkey, val, vlen);
		goto out;
	}
	while (!err && p.idx[0] == 0)
		err = step_leaf(vol, bt, &p, false);
	if (!err)
		err = leaf_get(&p.n[0], p.idx[0] - 1, fkey, val, vlen);
out:
	path_release(vol, &p);
	return err;
}

/* vmfs_bt_lookup_ge - record with the smallest key >= @key; as lookup_le. */
int vmfs_bt_lookup_ge(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, uint64_t *fkey,
		      void *val, size_t *vlen)
{
	struct path p;
	int err;

	err = descend(vol, bt, key, &p);
	if (err)
		return err;
	while (!err && p.idx[0] >= p.n[0].h.nrecs)
		err = step_leaf(vol, bt, &p, true);
	if (!err)
		err = leaf_get(&p.n[0], p.idx[0], fkey, val, vlen);
	path_release(vol, &p);
	return err;
}

/* Byte offset of record @pos in node @n. */
static size_t rec_off(struct node *n, unsigned pos)
{
	uint16_t off[MAX_RECS + 1];

	if (n->h.level)
		return (size_t)pos * INT_REC;
	if (leaf_offsets(n, off))
		return n->h.used;
	return off[pos];
}

static uint64_t first_key(const struct node *n)
{
	return n->h.nrecs ? vmfs_get_le64(n->recs) : 0;
}

/* The root is full: move its records to a new node below it. */
static int grow_root(struct vmfs_vol *vol, struct vmfs_bt *bt, struct path *p)
{
	struct node *root = &p->n[p->depth], child;
	unsigned l = p->depth;
	int err;

	if (p->depth >= VMFS_BT_MAX_LEVEL)
		return -EFBIG;
	err = node_new(vol, bt, root->h.level, &child);
	if (err)
		return err;
	memcpy(child.recs, root->recs, root->h.used);
	child.h.nrecs = root->h.nrecs;
	child.h.used = root->h.used;
	node_save(vol, bt, &child);
	root->h.level++;
	root->h.nrecs = 1;
	root->h.used = INT_REC;
	vmfs_put_le64(root->recs, first_key(&child));
	vmfs_put_le64(root->recs + 8, child.buf->blkno);
	node_save(vol, bt, root);
	p->n[l + 1] = *root;
	p->idx[l + 1] = 0;
	p->n[l] = child;
	p->depth++;
	return 0;
}

static int insert_at(struct vmfs_vol *vol, struct vmfs_bt *bt, struct path *p, unsigned l,
		     unsigned pos, const uint8_t *rec, size_t reclen)
{
	struct node *n = &p->n[l], right;
	uint8_t *tmp;
	size_t at, total, half, acc, s_off = 0;
	uint16_t off[MAX_RECS + 2];
	unsigned i, cnt, s = 0;
	uint8_t prec[INT_REC];
	int err;

	if (n->h.used + reclen <= n->cap && n->h.nrecs < MAX_RECS) {
		at = rec_off(n, pos);
		memmove(n->recs + at + reclen, n->recs + at, n->h.used - at);
		memcpy(n->recs + at, rec, reclen);
		n->h.nrecs++;
		n->h.used = (uint16_t)(n->h.used + reclen);
		node_save(vol, bt, n);
		return 0;
	}
	if (l == p->depth) {
		err = grow_root(vol, bt, p);
		if (err)
			return err;
		return insert_at(vol, bt, p, l, pos, rec, reclen);
	}
	/* Split: lay out all records plus the new one, cut near half by bytes. */
	total = n->h.used + reclen;
	tmp = malloc(total);
	if (!tmp)
		return -ENOMEM;
	at = rec_off(n, pos);
	memcpy(tmp, n->recs, at);
	memcpy(tmp + at, rec, reclen);
	memcpy(tmp + at + reclen, n->recs + at, n->h.used - at);
	cnt = n->h.nrecs + 1u;
	for (i = 0, acc = 0; i < cnt; i++) {
		off[i] = (uint16_t)acc;
		acc += n->h.level ? INT_REC : VMFS_BT_LEAF_HDR + vmfs_get_le16(tmp + acc + 8);
	}
	off[cnt] = (uint16_t)acc;
	half = total / 2;
	for (i = 1; i < cnt; i++) {
		if (off[i] <= n->cap && total - off[i] <= n->cap) {
			if (!s || (off[i] > half ? off[i] - half : half - off[i]) <
				  (s_off > half ? s_off - half : half - s_off)) {
				s = i;
				s_off = off[i];
			}
		}
	}
	if (!s) {
		free(tmp);
		return -EFSCORRUPTED;
	}
	err = node_new(vol, bt, n->h.level, &right);
	if (err) {
		free(tmp);
		return err;
	}
	memcpy(n->recs, tmp, s_off);
	memset(n->recs + s_off, 0, n->cap - s_off);
	n->h.nrecs = (uint16_t)s;
	n->h.used = (uint16_t)s_off;
	memcpy(right.recs, tmp + s_off, total - s_off);
	right.h.nrecs = (uint16_t)(cnt - s);
	right.h.used = (uint16_t)(total - s_off);
	free(tmp);
	node_save(vol, bt, n);
	node_save(vol, bt, &right);
	vmfs_put_le64(prec, first_key(&right));
	vmfs_put_le64(prec + 8, right.buf->blkno);
	vmfs_bc_put(vol, right.buf);
	return insert_at(vol, bt, p, l + 1, p->idx[l + 1] + 1, prec, INT_REC);
}

/*
 * vmfs_bt_insert - add a record with a new @key.
 * Returns 0, -EEXIST, -E2BIG for a value that can never fit, -ENOSPC, or
 * an I/O / corruption error.
 */
int vmfs_bt_insert(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, const void *val,
		   size_t vlen)
{
	uint8_t rec[VMFS_MBLOCK_SIZE];
	uint16_t off[MAX_RECS + 1];
	struct path p;
	int err;

	if (vlen + VMFS_BT_LEAF_HDR > (VMFS_MBLOCK_SIZE - VMFS_BT_NODE_HDR) / 2)
		return -E2BIG;
	err = descend(vol, bt, key, &p);
	if (err)
		return err;
	err = leaf_offsets(&p.n[0], off);
	if (err)
		goto out;
	if (p.idx[0] < p.n[0].h.nrecs && vmfs_get_le64(p.n[0].recs + off[p.idx[0]]) == key) {
		err = -EEXIST;
		goto out;
	}
	vmfs_put_le64(rec, key);
	vmfs_put_le16(rec + 8, (uint16_t)vlen);
	memcpy(rec + VMFS_BT_LEAF_HDR, val, vlen);
	err = insert_at(vol, bt, &p, 0, p.idx[0], rec, VMFS_BT_LEAF_HDR + vlen);
out:
	path_release(vol, &p);
	return err;
}

static int free_node(struct vmfs_vol *vol, struct node *n)
{
	uint64_t blk = n->buf->blkno;

	vmfs_bc_put(vol, n->buf);
	n->buf = NULL;
	vmfs_bc_forget(vol, blk);
	return vmfs_free(vol, blk, 1);
}

/* Remove record @pos of the node at level @l, freeing nodes that empty. */
static int remove_at(struct vmfs_vol *vol, struct vmfs_bt *bt, struct path *p, unsigned l,
		     unsigned pos)
{
	struct node *n = &p->n[l];
	size_t at = rec_off(n, pos), len;
	int err;

	len = (n->h.level ? INT_REC : VMFS_BT_LEAF_HDR + vmfs_get_le16(n->recs + at + 8));
	memmove(n->recs + at, n->recs + at + len, n->h.used - at - len);
	n->h.used = (uint16_t)(n->h.used - len);
	memset(n->recs + n->h.used, 0, len);
	n->h.nrecs--;
	if (n->h.nrecs == 0 && l < p->depth) {
		err = free_node(vol, n);
		if (err)
			return err;
		return remove_at(vol, bt, p, l + 1, p->idx[l + 1]);
	}
	if (n->h.nrecs == 0 && l == p->depth)
		n->h.level = 0;		/* empty root becomes an empty leaf */
	node_save(vol, bt, n);
	return 0;
}

/* While the root has one child whose records fit in the root, pull them up. */
static int collapse_root(struct vmfs_vol *vol, struct vmfs_bt *bt)
{
	struct node root, child;
	int err;

	for (;;) {
		node_root(bt, &root);
		if (root.h.level == 0 || root.h.nrecs != 1)
			return 0;
		err = node_load(vol, bt, int_child(&root, 0), root.h.level - 1, &child);
		if (err)
			return err;
		if (child.h.used > root.cap) {
			vmfs_bc_put(vol, child.buf);
			return 0;
		}
		memcpy(root.recs, child.recs, child.h.used);
		memset(root.recs + child.h.used, 0, root.cap - child.h.used);
		root.h.level = child.h.level;
		root.h.nrecs = child.h.nrecs;
		root.h.used = child.h.used;
		node_save(vol, bt, &root);
		err = free_node(vol, &child);
		if (err)
			return err;
	}
}

/* vmfs_bt_delete - remove the record with @key. Returns 0, -ENOENT or an error. */
int vmfs_bt_delete(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key)
{
	uint16_t off[MAX_RECS + 1];
	struct path p;
	int err;

	err = descend(vol, bt, key, &p);
	if (err)
		return err;
	err = leaf_offsets(&p.n[0], off);
	if (err)
		goto out;
	if (p.idx[0] >= p.n[0].h.nrecs || vmfs_get_le64(p.n[0].recs + off[p.idx[0]]) != key) {
		err = -ENOENT;
		goto out;
	}
	err = remove_at(vol, bt, &p, 0, p.idx[0]);
out:
	path_release(vol, &p);
	if (!err)
		err = collapse_root(vol, bt);
	return err;
}

static int walk(struct vmfs_vol *vol, struct vmfs_bt *bt, struct node *n, bool free_them,
		int (*cb)(void *arg, uint64_t blkno, unsigned level), void *arg)
{
	struct node child;
	unsigned i;
	int err = 0;

	for (i = 0; n->h.level && i < n->h.nrecs && !err; i++) {
		uint64_t blk = int_child(n, i);

		err = node_load(vol, bt, blk, n->h.level - 1u, &child);
		if (err)
			break;
		err = walk(vol, bt, &child, free_them, cb, arg);
		if (!err && cb)
			err = cb(arg, blk, child.h.level);
		if (!err && free_them)
			err = free_node(vol, &child);
		else
			vmfs_bc_put(vol, child.buf);
	}
	return err;
}

int vmfs_bt_walk_nodes(struct vmfs_vol *vol, struct vmfs_bt *bt,
		       int (*cb)(void *arg, uint64_t blkno, unsigned level), void *arg)
{
	struct node root;

	node_root(bt, &root);
	return walk(vol, bt, &root, false, cb, arg);
}

/* Free every node below the root and leave an empty root. */
int vmfs_bt_destroy(struct vmfs_vol *vol, struct vmfs_bt *bt)
{
	struct node root;
	int err;

	node_root(bt, &root);
	err = walk(vol, bt, &root, true, NULL, NULL);
	memset(bt->area, 0, bt->area_len);
	vmfs_bt_root_init(bt->area, bt->tree_type);
	if (bt->ip)
		vmfs_inode_dirty(vol, bt->ip);
	return err;
}

/*
 * What can be read of a damaged tree (fsck): every node below the root
 * that loads, and the records of every leaf whose layout holds and whose
 * keys come after those already seen; a node that does not load, or a leaf
 * whose records overrun or go back (a node linked twice), is "lost" with
 * everything below it, and the walk goes on beside it.
 */
struct salvage_walk {
	struct vmfs_vol *vol;
	struct vmfs_bt *bt;
	const struct vmfs_bt_visit *v;
	uint64_t last;			/* the last key visited */
	bool any;			/* ... if any */
};

static int salvage(struct salvage_walk *s, struct node *n, uint64_t blk)
{
	const struct vmfs_bt_visit *v = s->v;
	uint16_t off[MAX_RECS + 1];
	struct node child;
	unsigned i;
	int err = 0;

	if (n->h.level == 0) {
		if (leaf_offsets(n, off) ||
		    (n->h.nrecs && s->any && vmfs_get_le64(n->recs) <= s->last))
			return v->lost(v->arg, blk, n->h.nrecs ? vmfs_get_le64(n->recs) : 0);
		for (i = 0; i < n->h.nrecs && !err; i++)
			err = v->rec(v->arg, vmfs_get_le64(n->recs + off[i]),
				     n->recs + off[i] + VMFS_BT_LEAF_HDR,
				     vmfs_get_le16(n->recs + off[i] + 8));
		if (n->h.nrecs) {
			s->last = vmfs_get_le64(n->recs + off[n->h.nrecs - 1]);
			s->any = true;
		}
		return err;
	}
	if (n->h.nrecs <= MAX_RECS) {	/* read the children ahead, in parallel */
		uint64_t kids[MAX_RECS];

		for (i = 0; i < n->h.nrecs; i++)
			kids[i] = int_child(n, i);
		vmfs_bc_prefetch(s->vol, kids, n->h.nrecs, VMFS_MAGIC_BTNODE);
	}
	for (i = 0; i < n->h.nrecs && !err; i++) {
		uint64_t cblk = int_child(n, i);

		if (node_load(s->vol, s->bt, cblk, n->h.level - 1u, &child)) {
			err = v->lost(v->arg, cblk, int_key(n, i));
			continue;
		}
		err = v->node ? v->node(v->arg, cblk, child.h.level) : 0;
		if (!err)
			err = salvage(s, &child, cblk);
		vmfs_bc_put(s->vol, child.buf);
	}
	return err;
}

/*
 * vmfs_bt_salvage - visit what can be read of @bt, in key order (@v says
 * how); a root that does not hold together is lost whole (block 0).
 * Returns 0 or the first non-zero return of a callback.
 */
int vmfs_bt_salvage(struct vmfs_vol *vol, struct vmfs_bt *bt, const struct vmfs_bt_visit *v)
{
	struct salvage_walk s = { .vol = vol, .bt = bt, .v = v };
	struct node root;

	node_root(bt, &root);
	if (root.h.level > VMFS_BT_MAX_LEVEL || node_check(&root, root.h.level))
		return v->lost(v->arg, 0, 0);
	return salvage(&s, &root, 0);
}

struct rebuild {
	bool (*keep)(uint64_t key, const void *val, size_t vlen);
	uint8_t *recs;			/* key, vlen, value; one after another */
	size_t used, cap;
	uint64_t dropped;
};

static int rebuild_rec(void *arg, uint64_t key, const void *val, size_t vlen)
{
	struct rebuild *r = arg;
	uint8_t *n;

	if (r->keep && !r->keep(key, val, vlen)) {
		r->dropped++;
		return 0;
	}
	n = vmfs_grow(r->recs, r->used + VMFS_BT_LEAF_HDR + vlen, &r->cap, 1, 65536);
	if (!n)
		return -ENOMEM;
	r->recs = n;
	vmfs_put_le64(n + r->used, key);
	vmfs_put_le16(n + r->used + 8, (uint16_t)vlen);
	memcpy(n + r->used + VMFS_BT_LEAF_HDR, val, vlen);
	r->used += VMFS_BT_LEAF_HDR + vlen;
	return 0;
}

static int rebuild_lost(void *arg, uint64_t blk, uint64_t key)
{
	struct rebuild *r = arg;

	(void)blk;
	(void)key;
	r->dropped++;
	return 0;
}

/*
 * vmfs_bt_rebuild - make @bt anew from what can be read of it: the
 * records vmfs_bt_salvage finds (and @keep accepts, when not NULL) go into
 * an empty root, which grows new nodes as it fills. The old nodes are not
 * freed (nothing says they are only this tree's): they are left for fsck
 * to find unowned. Returns the number of records and subtrees dropped, or
 * a negative errno.
 */
long vmfs_bt_rebuild(struct vmfs_vol *vol, struct vmfs_bt *bt,
		     bool (*keep)(uint64_t key, const void *val, size_t vlen))
{
	struct rebuild r = { .keep = keep };
	struct vmfs_bt_visit v = { .rec = rebuild_rec, .lost = rebuild_lost, .arg = &r };
	size_t at;
	int err;

	err = vmfs_bt_salvage(vol, bt, &v);
	if (err)
		goto out;
	memset(bt->area, 0, bt->area_len);
	vmfs_bt_root_init(bt->area, bt->tree_type);
	if (bt->ip)
		vmfs_inode_dirty(vol, bt->ip);
	for (at = 0; at < r.used && !err; at += VMFS_BT_LEAF_HDR + vmfs_get_le16(r.recs + at + 8)) {
		err = vmfs_bt_insert(vol, bt, vmfs_get_le64(r.recs + at), r.recs + at +
				     VMFS_BT_LEAF_HDR, vmfs_get_le16(r.recs + at + 8));
		if (err == -EEXIST || err == -E2BIG) {	/* a key seen twice, a record too big */
			r.dropped++;
			err = 0;
		}
	}
out:
	free(r.recs);
	return err ? err : (long)r.dropped;
}
