// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File descriptors in memory (docs/FORMAT.md "File descriptor"): loading
 * by inode number (the body's mblock), the in-memory table, allocation of a
 * new descriptor (lock record + body), and deletion with every block the
 * file holds. Called under the metadata lock.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fs/core/cluster.h"
#include "fs/core/vol.h"

uint64_t vmfs_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t ibucket(const struct vmfs_vol *vol, uint64_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 17) & (vol->itab_buckets - 1);
}

static struct vmfs_inode *itab_find(struct vmfs_vol *vol, uint64_t ino)
{
	struct vmfs_inode *ip;

	if (!vol->itab)
		return NULL;
	for (ip = vol->itab[ibucket(vol, ino)]; ip; ip = ip->hnext)
		if (ip->ino == ino)
			return ip;
	return NULL;
}

/* The in-memory descriptor @ino if loaded, without reading anything. */
struct vmfs_inode *vmfs_inode_peek(struct vmfs_vol *vol, uint64_t ino)
{
	return itab_find(vol, ino);
}

static int itab_add(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	if (!vol->itab) {
		vol->itab_buckets = 1 << 16;
		vol->itab = calloc(vol->itab_buckets, sizeof(*vol->itab));
		if (!vol->itab)
			return -ENOMEM;
	}
	ip->hnext = vol->itab[ibucket(vol, ip->ino)];
	vol->itab[ibucket(vol, ip->ino)] = ip;
	vol->icount++;
	return 0;
}

static void itab_remove(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_inode **pp = &vol->itab[ibucket(vol, ip->ino)];

	while (*pp && *pp != ip)
		pp = &(*pp)->hnext;
	if (*pp) {
		*pp = ip->hnext;
		vol->icount--;
	}
}

static void inode_free_mem(struct vmfs_inode *ip)
{
	pthread_rwlock_destroy(&ip->io_lock);
	free(ip);
}

void vmfs_itab_destroy(struct vmfs_vol *vol)
{
	size_t i;
	struct vmfs_inode *ip, *n;

	if (!vol->itab)
		return;
	for (i = 0; i < vol->itab_buckets; i++)
		for (ip = vol->itab[i]; ip; ip = n) {
			n = ip->hnext;
			inode_free_mem(ip);
		}
	free(vol->itab);
	vol->itab = NULL;
}

static bool ino_valid(const struct vmfs_vol *vol, uint64_t ino)
{
	return (ino & 1) && ino > vol->vh.data_start && ino < vol->vh.total_mblocks;
}

/*
 * vmfs_inode_get - the in-memory descriptor @ino, loaded and verified on
 * first use. Returns 0, -ESTALE for an address that cannot be a
 * descriptor, -EFSBADCRC, -EFSCORRUPTED or an I/O error.
 */
/*
 * Another host may have changed this descriptor since we decoded it (the
 * volume lock changed hands): read it again, unless this host holds its
 * lock, which no other host can have changed under it. -ESTALE when the
 * descriptor was deleted meanwhile.
 */
/*
 * vmfs_inode_reload - decode @ip's descriptor again from the device (the
 * block cache), whatever lock this host holds: after a dead host's journal
 * was replayed over it. Returns 0, -ESTALE when it is no descriptor any
 * more, or an error.
 */
int vmfs_inode_reload(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_desc d;
	struct vmfs_buf *b;
	int err;

	err = vmfs_bc_get(vol, ip->ino, VMFS_MAGIC_DESC, 0, &b);
	if (err)
		return err == -EFSCORRUPTED || err == -EFSBADCRC ? -ESTALE : err;
	err = vmfs_desc_decode(b->data, ip->ino, vol->vh.hdr.uuid, &d);
	vmfs_bc_put(vol, b);
	if (err)
		return -ESTALE;
	ip->d = d;
	ip->epoch = vol->epoch;
	return 0;
}

static int inode_refresh(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_desc d;
	struct vmfs_buf *b;
	int err;

	if (ip->lk_disk == VMFS_LOCK_M_FREE && ip->d.nlink) {	/* no name: nobody else sees it */
		err = vmfs_bc_get(vol, ip->ino, VMFS_MAGIC_DESC, 0, &b);
		if (err)
			return err == -EFSCORRUPTED || err == -EFSBADCRC ? -ESTALE : err;
		err = vmfs_desc_decode(b->data, ip->ino, vol->vh.hdr.uuid, &d);
		vmfs_bc_put(vol, b);
		if (err || (d.nlink == 0 && !(d.flags & VMFS_DESC_F_ORPHAN)))
			return -ESTALE;
		/* Perhaps another file now (new generation): the kernel's node is its address. */
		ip->d = d;
	}
	ip->epoch = vol->epoch;
	return 0;
}

int vmfs_inode_get(struct vmfs_vol *vol, uint64_t ino, struct vmfs_inode **out)
{
	struct vmfs_inode *ip = itab_find(vol, ino);
	struct vmfs_buf *b;
	int err;

	if (ip) {
		err = ip->epoch == vol->epoch ? 0 : inode_refresh(vol, ip);
		if (!err)
			*out = ip;
		return err;
	}
	if (!ino_valid(vol, ino))
		return -ESTALE;
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return -ENOMEM;
	err = vmfs_bc_get(vol, ino, VMFS_MAGIC_DESC, 0, &b);
	if (err)
		goto fail;
	err = vmfs_desc_decode(b->data, ino, vol->vh.hdr.uuid, &ip->d);
	vmfs_bc_put(vol, b);
	if (err)
		goto fail;
	if (ip->d.nlink == 0 && !(ip->d.flags & VMFS_DESC_F_ORPHAN)) {
		err = -ESTALE;
		goto fail;
	}
	ip->ino = ino;
	ip->epoch = vol->epoch;
	pthread_rwlock_init(&ip->io_lock, NULL);
	err = itab_add(vol, ip);
	if (err) {
		inode_free_mem(ip);
		return err;
	}
	*out = ip;
	return 0;
fail:
	free(ip);
	return err;
}

/* Record a change: bump the version and encode into the cached body block. */
void vmfs_inode_dirty(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_buf *b;

	ip->d.version++;
	if (vmfs_bc_get(vol, ip->ino, VMFS_MAGIC_DESC, VMFS_BC_NEW, &b)) {
		vol->err = -EIO;
		return;
	}
	vmfs_desc_encode(b->data, &ip->d);
	vmfs_bc_dirty(vol, b);
	vmfs_bc_put(vol, b);
}

void vmfs_inode_touch(struct vmfs_inode *ip, bool a, bool m, bool c)
{
	uint64_t now = vmfs_now_ns();
	int64_t s = (int64_t)(now / 1000000000ull);
	uint32_t ns = (uint32_t)(now % 1000000000ull);

	if (a) {
		ip->d.atime_sec = s;
		ip->d.atime_nsec = ns;
	}
	if (m) {
		ip->d.mtime_sec = s;
		ip->d.mtime_nsec = ns;
	}
	if (c) {
		ip->d.ctime_sec = s;
		ip->d.ctime_nsec = ns;
	}
}

struct vmfs_bt vmfs_inode_data_bt(struct vmfs_inode *ip)
{
	uint16_t type = S_ISDIR(ip->d.mode) ? VMFS_BT_DIR : VMFS_BT_EXTENT;

	return (struct vmfs_bt){ .area = ip->d.data_root, .area_len = VMFS_DATA_ROOT_BYTES,
				 .owner = ip->ino, .tree_type = type, .ip = ip };
}

struct vmfs_bt vmfs_inode_xattr_bt(struct vmfs_inode *ip)
{
	return (struct vmfs_bt){ .area = ip->d.xattr_root, .area_len = VMFS_XATTR_ROOT_BYTES,
				 .owner = ip->ino, .tree_type = VMFS_BT_XATTR, .ip = ip };
}

/*
 * vmfs_inode_alloc - a new descriptor near @goal with nlink 1 (2 for a
 * directory), owned by @uid:@gid, in memory with nlookup 0.
 */
int vmfs_inode_alloc(struct vmfs_vol *vol, uint64_t goal, uint32_t mode, uint32_t uid,
		     uint32_t gid, uint64_t parent, struct vmfs_inode **out)
{
	struct vmfs_lock lk = { 0 };
	struct vmfs_inode *ip;
	struct vmfs_buf *b;
	uint64_t blk, got;
	int err;

	err = vmfs_alloc(vol, VMFS_AK_DESC, 2, goal, &blk, &got);
	if (err)
		return err;
	ip = calloc(1, sizeof(*ip));
	if (!ip) {
		err = -ENOMEM;
		goto fail_free;
	}
	/* The lock record: free, guarding this descriptor. */
	err = vmfs_bc_get(vol, blk, VMFS_MAGIC_LOCK, VMFS_BC_NEW, &b);
	if (err)
		goto fail_mem;
	lk.hdr.magic = VMFS_MAGIC_LOCK;
	lk.hdr.blkno = blk;
	memcpy(lk.hdr.uuid, vol->vh.hdr.uuid, 16);
	lk.guarded = blk + 1;
	lk.type = VMFS_LOCK_T_DESC;
	vmfs_lock_encode(b->data, &lk);
	vmfs_bc_dirty(vol, b);
	vmfs_bc_put(vol, b);

	ip->ino = blk + 1;
	ip->epoch = vol->epoch;
	if (vol->cl)	/* nobody else can lock what they cannot see yet */
		ip->lk_free_take = vol->cl->takes;
	ip->d.hdr.magic = VMFS_MAGIC_DESC;
	ip->d.hdr.blkno = ip->ino;
	memcpy(ip->d.hdr.uuid, vol->vh.hdr.uuid, 16);
	ip->d.generation = ++vol->next_generation;
	ip->d.mode = mode;
	ip->d.nlink = S_ISDIR(mode) ? 2 : 1;
	ip->d.uid = uid;
	ip->d.gid = gid;
	ip->d.parent = parent;
	vmfs_inode_touch(ip, true, true, true);
	ip->d.btime_sec = ip->d.mtime_sec;
	ip->d.btime_nsec = ip->d.mtime_nsec;
	if (S_ISDIR(mode)) {
		ip->d.data_fmt = VMFS_FMT_BTREE;
		vmfs_bt_root_init(ip->d.data_root, VMFS_BT_DIR);
	} else if (S_ISREG(mode) || S_ISLNK(mode)) {
		ip->d.data_fmt = VMFS_FMT_INLINE;
	}
	pthread_rwlock_init(&ip->io_lock, NULL);
	err = itab_add(vol, ip);
	if (err) {
		pthread_rwlock_destroy(&ip->io_lock);
		goto fail_lock;
	}
	vmfs_inode_dirty(vol, ip);
	vmfs_rg_ndesc_add(vol, blk, 1);
	*out = ip;
	return 0;
fail_lock:
	vmfs_bc_forget(vol, blk);
fail_mem:
	free(ip);
fail_free:
	vmfs_free(vol, blk, 2);
	return err;
}

/* Free the file's data, xattrs and descriptor, and forget it in memory. */
int vmfs_inode_delete(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct vmfs_bt bt;
	int err = 0, e2;

	if (ip->d.data_fmt == VMFS_FMT_BTREE && !S_ISDIR(ip->d.mode))
		err = vmfs_ext_punch(vol, ip, 0, UINT64_MAX >> VMFS_MBLOCK_SHIFT);
	if (ip->d.data_fmt == VMFS_FMT_BTREE) {
		bt = vmfs_inode_data_bt(ip);
		e2 = vmfs_bt_destroy(vol, &bt);
		err = err ? err : e2;
	}
	if (ip->d.xattr_fmt == VMFS_FMT_BTREE) {
		e2 = vmfs_xattr_destroy(vol, ip);
		err = err ? err : e2;
	}
	e2 = vmfs_cluster_forget(vol, ip);	/* our place in its lock, before the space goes */
	err = err ? err : e2;
	vmfs_bc_forget(vol, ip->ino - 1);
	vmfs_bc_forget(vol, ip->ino);
	e2 = vmfs_free(vol, ip->ino - 1, 2);
	err = err ? err : e2;
	e2 = vmfs_rg_ndesc_add(vol, ip->ino, -1);
	err = err ? err : e2;
	if (ip->d.flags & VMFS_DESC_F_ORPHAN)
		vmfs_orphan_remove(vol, ip->ino);	/* in the transaction that frees it */
	itab_remove(vol, ip);
	inode_free_mem(ip);
	return err;
}

/*
 * Called when the kernel forgets a descriptor or a file is closed: drop it
 * from memory when nothing refers to it, deleting it if it has no links.
 */
int vmfs_inode_maybe_drop(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	if (ip->nlookup || ip->nopen)
		return 0;
	if (ip->d.nlink == 0)
		return vmfs_inode_delete(vol, ip);
	if (ip->lk_queued || ip->lk_disk != VMFS_LOCK_M_FREE)
		return 0;	/* cluster.c still has to release its lock */
	if (vol->icount < 4096)
		return 0;	/* keep a working set of descriptors decoded */
	itab_remove(vol, ip);
	inode_free_mem(ip);
	return 0;
}

/* Drop an unreferenced descriptor from memory, never deleting it (fsck, tools). */
void vmfs_inode_forget(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	if (ip->nlookup || ip->nopen || ip->ino == vol->vh.root_ino || ip->lk_queued ||
	    ip->lk_disk != VMFS_LOCK_M_FREE)
		return;
	itab_remove(vol, ip);
	inode_free_mem(ip);
}
