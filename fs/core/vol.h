/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core filesystem library shared by the FUSE daemon, mkfs, fsck and the
 * tools: an open volume, its metadata block cache, the allocator, the
 * generic B-tree and the extent, directory and xattr trees built on it,
 * descriptors in memory, and POSIX-level operations (fs/core/vfs.h).
 *
 * Locking: vol->lock (the "metadata lock") guards every structure here:
 * the block cache, the allocator, descriptors in memory and all trees.
 * Data I/O to file blocks runs without it, under the per-descriptor
 * io_lock: shared for reads and for writes of whole mblocks (which may
 * allocate and convert extents, under vol->lock), exclusive for writes
 * that zero-pad a partial unwritten mblock, truncate, punch and fallocate.
 * Order: io_lock, then vol->lock.
 */
#ifndef VMFS_CORE_VOL_H
#define VMFS_CORE_VOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "fs/dev/dev.h"
#include "fs/format/format.h"

struct vmfs_buf {
	uint64_t blkno;
	uint8_t *data;			/* VMFS_MBLOCK_SIZE, sector aligned */
	bool dirty;
	int ref;
	struct vmfs_buf *hnext;		/* hash chain */
	struct vmfs_buf *lru_prev, *lru_next;
};

struct vmfs_bcache {
	struct vmfs_buf **hash;
	size_t nbuckets;
	size_t count, ndirty, max;
	struct vmfs_buf lru;		/* list head: most recent at lru.lru_next */
};

struct vmfs_rg_state {
	bool loaded;			/* hdr valid (read or initialised) */
	bool init;			/* group initialised on disk (RG map bit) */
	struct vmfs_rg hdr;
	uint64_t mixed_cursor;		/* group-relative file block used for small allocs */
	uint64_t data_cursor;		/* group-relative next file block to try */
	/* Several hosts (rglock.c): the group's lock. */
	bool held;			/* this host holds it: the group is ours to change */
	bool give_back;			/* taken for recovery or a free: give it back soon */
	bool lk_known;			/* what we cached was current at lock version lk_version */
	uint64_t lk_version;		/* the record's version when we gave it back */
	uint64_t taken_ms, used_ms;	/* when we took it; last allocated or freed in it */
};

struct vmfs_inode {
	uint64_t ino;
	struct vmfs_desc d;
	uint64_t nlookup;		/* FUSE lookup count */
	unsigned nopen;
	unsigned nopen_w;		/* opens for writing, among nopen */
	uint32_t lk_disk;		/* mode of this host's place in the lock on disk */
	bool lk_queued;			/* on the cluster's list of locks to sync */
	uint64_t lk_queued_ms;		/* since when */
	uint64_t epoch;			/* d is valid for vol->epoch (cluster.c) */
	uint64_t lk_free_take;		/* its lock was seen free in this holding of the volume lock */
	uint64_t ahead_end;		/* mblocks past EOF allocated ahead of writes, up to here */
	pthread_rwlock_t io_lock;
	struct vmfs_inode *hnext;
};

struct vmfs_vol {
	struct vmfs_dev *dev;
	struct vmfs_volhdr vh;
	struct vmfs_geom geom;
	pthread_mutex_t lock;		/* the metadata lock, see above */
	struct vmfs_bcache bc;
	struct vmfs_rg_state *rgs;
	uint64_t rg_hint;		/* group to try first */
	uint64_t rg_home;		/* several hosts: where this host takes groups from first */
	uint64_t free_total;		/* free mblocks in all groups, once free_known */
	bool free_known;
	struct vmfs_inode **itab;
	size_t itab_buckets, icount;
	uint64_t next_generation;
	bool rdonly;
	int err;			/* sticky error after a failed metadata write */
	/* Several hosts (cluster.c): NULL when this mount is alone by construction. */
	struct vmfs_cluster *cl;
	uint64_t epoch;			/* bumped whenever another host may have changed metadata */
	/* Read-only mounts (no heartbeat) re-read what writers wrote back (cluster.c). */
	bool ro_watch;
	uint64_t ro_checked_ms;
	struct vmfs_journal *jnl;	/* this host's journal (journal.c), or NULL */
	uint64_t orphan_blk;		/* this host's orphan table (orphan.c), or 0 */
	/* Multi-host fencing: 0 while this host may write, else -EIO (docs/LOCKING.md). */
	int (*write_gate)(void *arg);
	void *gate_arg;
};

/* May this host write to the volume now? 0, -EROFS or -EIO (fenced). */
static inline int vmfs_vol_gate(struct vmfs_vol *vol)
{
	if (vol->rdonly)
		return -EROFS;
	return vol->write_gate ? vol->write_gate(vol->gate_arg) : 0;
}

/* bcache.c */
int vmfs_bc_init(struct vmfs_vol *vol, size_t max_bufs);
void vmfs_bc_destroy(struct vmfs_vol *vol);
#define VMFS_BC_NEW 0x1		/* do not read: return a zeroed buffer */
int vmfs_bc_get(struct vmfs_vol *vol, uint64_t blkno, uint32_t magic, unsigned flags,
		struct vmfs_buf **out);
void vmfs_bc_put(struct vmfs_vol *vol, struct vmfs_buf *b);
void vmfs_bc_dirty(struct vmfs_vol *vol, struct vmfs_buf *b);
void vmfs_bc_forget(struct vmfs_vol *vol, uint64_t blkno);
int vmfs_bc_flush(struct vmfs_vol *vol);
int vmfs_bc_flush_one(struct vmfs_vol *vol, uint64_t blkno);
bool vmfs_bc_is_dirty(struct vmfs_vol *vol, uint64_t blkno);
void vmfs_bc_drop_clean(struct vmfs_vol *vol);
int vmfs_bc_prefetch(struct vmfs_vol *vol, const uint64_t *blknos, size_t n, uint32_t magic);
int vmfs_bc_adopt(struct vmfs_vol *vol, uint64_t blkno, const void *data, uint32_t magic);

/* journal.c: the per-host metadata journal. */
struct vmfs_journal;
int vmfs_jnl_attach(struct vmfs_vol *vol, uint64_t start, uint64_t mblocks);
void vmfs_jnl_detach(struct vmfs_vol *vol);
size_t vmfs_jnl_capacity(const struct vmfs_vol *vol);
int vmfs_txn_point(struct vmfs_vol *vol, struct vmfs_inode *ip);
/* orphan.c: descriptors this host unlinked and has not deleted yet. */
int vmfs_orphan_attach(struct vmfs_vol *vol, uint64_t blk);
void vmfs_orphan_add(struct vmfs_vol *vol, uint64_t ino);
void vmfs_orphan_remove(struct vmfs_vol *vol, uint64_t ino);
int vmfs_orphan_reap(struct vmfs_vol *vol);
int vmfs_jnl_write(struct vmfs_vol *vol, uint8_t *const *bufs, const uint64_t *homes, size_t n);
int vmfs_jnl_checkpoint(struct vmfs_vol *vol);
int vmfs_jnl_replay(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		    uint64_t mblocks, void (*forget)(void *arg, uint64_t blk), void *arg,
		    uint64_t *replayed);
int vmfs_jnl_live(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, uint64_t start,
		  uint64_t mblocks);

/* alloc.c */
/*
 * Free mblocks only B-tree nodes and xattr value blocks may take: a tree
 * insert never fails half-way (after a split, before the parent update)
 * for lack of space, because file data and descriptors hit ENOSPC first.
 */
#define VMFS_META_RESERVE 256
enum vmfs_alloc_kind {
	VMFS_AK_DATA,		/* whole file blocks */
	VMFS_AK_SMALL,		/* one small block */
	VMFS_AK_META,		/* one mblock for a B-tree node: may use the reserve */
	VMFS_AK_DESC,		/* two mblocks for a descriptor */
	VMFS_AK_XVAL,		/* one mblock for an xattr value */
	VMFS_AK_DATA1,		/* one mblock of file data (filling a partly mapped block) */
};
int vmfs_alloc_init(struct vmfs_vol *vol);
void vmfs_alloc_destroy(struct vmfs_vol *vol);
int vmfs_alloc(struct vmfs_vol *vol, enum vmfs_alloc_kind kind, uint64_t want, uint64_t goal,
	       uint64_t *pstart, uint64_t *got);
int vmfs_free(struct vmfs_vol *vol, uint64_t pstart, uint64_t len);
int vmfs_alloc_mark_used(struct vmfs_vol *vol, uint64_t pstart, uint64_t len);
int vmfs_alloc_is_used(struct vmfs_vol *vol, uint64_t pstart, uint64_t len, bool *all_used,
		       bool *any_used);
uint64_t vmfs_free_mblocks(struct vmfs_vol *vol);
uint64_t vmfs_count_descriptors(struct vmfs_vol *vol);
int vmfs_alloc_next_used(struct vmfs_vol *vol, uint64_t from, uint64_t *start, uint64_t *len);
int vmfs_rg_ndesc_add(struct vmfs_vol *vol, uint64_t blk, int delta);
int vmfs_rg_load(struct vmfs_vol *vol, uint64_t rg);
int vmfs_rg_initialise(struct vmfs_vol *vol, struct vmfs_rg_state *rs);
int vmfs_rg_recount(struct vmfs_vol *vol, uint64_t rg, uint64_t *was_free);
int vmfs_rg_set_free(struct vmfs_vol *vol, uint64_t rg, uint64_t free_mblocks);

/* rglock.c: resource group locks on a volume shared by several hosts. */
#define VMFS_GROUP_IDLE_MS 10000	/* a group unused this long is given back */
#define VMFS_GROUP_BRIEF_MS 5		/* ... a full or waited-for one after this */
int vmfs_rg_own(struct vmfs_vol *vol, uint64_t rg, bool wait);
int vmfs_rg_recount_logged(struct vmfs_vol *vol, uint64_t rg, bool *fixed);
void vmfs_rg_give_back_some(struct vmfs_vol *vol, bool look_wanted, bool all);

/* btree.c */
struct vmfs_bt {
	uint8_t *area;			/* root: header + records, inside a descriptor */
	size_t area_len;
	uint64_t owner;
	uint16_t tree_type;
	struct vmfs_inode *ip;		/* marked dirty when the root changes */
};
#define VMFS_BT_LEAF_HDR 10		/* key + vlen */
void vmfs_bt_root_init(uint8_t *area, uint16_t tree_type);
int vmfs_bt_lookup_le(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, uint64_t *fkey,
		      void *val, size_t *vlen);
int vmfs_bt_lookup_ge(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, uint64_t *fkey,
		      void *val, size_t *vlen);
int vmfs_bt_insert(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key, const void *val,
		   size_t vlen);
int vmfs_bt_delete(struct vmfs_vol *vol, struct vmfs_bt *bt, uint64_t key);
int vmfs_bt_destroy(struct vmfs_vol *vol, struct vmfs_bt *bt);
bool vmfs_bt_root_leaf_room(struct vmfs_bt *bt, size_t bytes);
/* Visit every node block of the tree (fsck, statistics). */
int vmfs_bt_walk_nodes(struct vmfs_vol *vol, struct vmfs_bt *bt,
		       int (*cb)(void *arg, uint64_t blkno, unsigned level), void *arg);
/* What can be read of a damaged tree (fsck): see vmfs_bt_salvage. */
struct vmfs_bt_visit {
	int (*node)(void *arg, uint64_t blkno, unsigned level);	/* a node that loads; or NULL */
	int (*rec)(void *arg, uint64_t key, const void *val, size_t vlen);
	/*
	 * A node that does not load, or a leaf whose keys go back (0: the
	 * root), lost with its subtree from @key.
	 */
	int (*lost)(void *arg, uint64_t blkno, uint64_t key);
	void *arg;
};
int vmfs_bt_salvage(struct vmfs_vol *vol, struct vmfs_bt *bt, const struct vmfs_bt_visit *v);
long vmfs_bt_rebuild(struct vmfs_vol *vol, struct vmfs_bt *bt,
		     bool (*keep)(uint64_t key, const void *val, size_t vlen));

/* inode.c */
int vmfs_inode_get(struct vmfs_vol *vol, uint64_t ino, struct vmfs_inode **out);
struct vmfs_inode *vmfs_inode_peek(struct vmfs_vol *vol, uint64_t ino);
int vmfs_inode_reload(struct vmfs_vol *vol, struct vmfs_inode *ip);
void vmfs_inode_dirty(struct vmfs_vol *vol, struct vmfs_inode *ip);
int vmfs_inode_alloc(struct vmfs_vol *vol, uint64_t goal, uint32_t mode, uint32_t uid,
		     uint32_t gid, uint64_t parent, struct vmfs_inode **out);
int vmfs_inode_maybe_drop(struct vmfs_vol *vol, struct vmfs_inode *ip);
int vmfs_inode_delete(struct vmfs_vol *vol, struct vmfs_inode *ip);
void vmfs_inode_forget(struct vmfs_vol *vol, struct vmfs_inode *ip);
void vmfs_inode_touch(struct vmfs_inode *ip, bool a, bool m, bool c);
struct vmfs_bt vmfs_inode_data_bt(struct vmfs_inode *ip);
struct vmfs_bt vmfs_inode_xattr_bt(struct vmfs_inode *ip);
void vmfs_itab_destroy(struct vmfs_vol *vol);

/* multiwriter.c: files several hosts write at once (docs/LOCKING.md). */
#define VMFS_XATTR_MULTIWRITER "user.vmfs.multiwriter"
static inline bool vmfs_is_multiwriter(const struct vmfs_inode *ip)
{
	return ip->d.flags & VMFS_DESC_F_MULTIWRITER;
}
int vmfs_multiwriter_set(struct vmfs_vol *vol, struct vmfs_inode *ip, bool on);

/* extent.c */
int vmfs_ext_find(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
		  struct vmfs_extent *e);
int vmfs_ext_insert(struct vmfs_vol *vol, struct vmfs_inode *ip, const struct vmfs_extent *e);
int vmfs_ext_punch(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk, uint64_t len);
int vmfs_ext_punch_unwritten(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			     uint64_t len);
int vmfs_ext_mark_written(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			  uint64_t len);
int vmfs_ext_mark_unwritten(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t lblk,
			    uint64_t len);
int vmfs_ext_walk(struct vmfs_vol *vol, struct vmfs_inode *ip,
		  int (*cb)(void *arg, const struct vmfs_extent *e), void *arg, uint64_t *at);
int vmfs_ext_verify(struct vmfs_vol *vol, struct vmfs_inode *ip);
long vmfs_ext_rebuild(struct vmfs_vol *vol, struct vmfs_inode *ip);
static inline bool vmfs_ext_in_volume(const struct vmfs_vol *vol, const struct vmfs_extent *e)
{
	return e->pstart >= vol->vh.data_start && e->pstart + e->len <= vol->vh.total_mblocks &&
	       e->pstart + e->len >= e->pstart;
}

/* dir.c */
int vmfs_dir_lookup(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name,
		    size_t len, uint64_t *ino, uint8_t *type, uint64_t *key);
int vmfs_dir_add(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len,
		 uint64_t ino, uint8_t type);
int vmfs_dir_remove(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len);
int vmfs_dir_set(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name, size_t len,
		 uint64_t ino, uint8_t type);
struct vmfs_dirent {
	uint64_t key;			/* readdir offset of the next entry is key + 1 */
	uint64_t ino;
	uint8_t type;
	uint8_t namelen;
	char name[VMFS_NAME_MAX + 1];
};
int vmfs_dir_next(struct vmfs_vol *vol, struct vmfs_inode *dp, uint64_t from_key,
		  struct vmfs_dirent *de);
uint8_t vmfs_mode_to_dt(uint32_t mode);
int vmfs_dirent_decode(const void *val, size_t vlen, uint64_t key, struct vmfs_dirent *de);
long vmfs_dir_rebuild(struct vmfs_vol *vol, struct vmfs_inode *dp);

/* xattr.c */
int vmfs_xattr_get(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name, void *val,
		   size_t size, size_t *vlen);
int vmfs_xattr_set(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name,
		   const void *val, size_t vlen, int flags);
int vmfs_xattr_remove(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name);
int vmfs_xattr_list(struct vmfs_vol *vol, struct vmfs_inode *ip, char *buf, size_t size,
		    size_t *len);
int vmfs_xattr_destroy(struct vmfs_vol *vol, struct vmfs_inode *ip);
int vmfs_xattr_value_blocks(struct vmfs_vol *vol, struct vmfs_inode *ip,
			    int (*cb)(void *arg, uint64_t blk), void *arg);
int vmfs_xattr_decode_remote(const void *val, size_t vlen, uint64_t *remote);
long vmfs_xattr_rebuild(struct vmfs_vol *vol, struct vmfs_inode *ip);

/* volume.c */
struct vmfs_mount_opts {
	bool rdonly;
	bool no_host_lock;		/* inspection tools: do not mark the device in use */
	size_t cache_bufs;		/* metadata cache size in mblocks; 0 = default */
};
int vmfs_vol_open(struct vmfs_dev *dev, const struct vmfs_mount_opts *o, struct vmfs_vol **out,
		  char *why, size_t whylen);
int vmfs_vol_init_new(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, struct vmfs_vol **out);
int vmfs_vol_sync(struct vmfs_vol *vol);
int vmfs_vol_close(struct vmfs_vol *vol);
int vmfs_read_volhdr(struct vmfs_dev *dev, struct vmfs_volhdr *vh, char *why, size_t whylen);
int vmfs_vol_mark_in_use(struct vmfs_vol *vol, char *why, size_t whylen);
uint64_t vmfs_now_ns(void);

/*
 * A growing array: room for element @n (of @elem bytes) in @arr, whose room
 * is *@cap (doubled, or @first to start). Returns the array, moved perhaps,
 * or NULL when out of memory (then @arr is unchanged).
 */
static inline void *vmfs_grow(void *arr, size_t n, size_t *cap, size_t elem, size_t first)
{
	size_t c;

	if (n < *cap)
		return arr;
	c = *cap ? *cap * 2 : first;
	arr = realloc(arr, c * elem);
	if (arr)
		*cap = c;
	return arr;
}

static inline uint64_t vmfs_div_up(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

#endif
