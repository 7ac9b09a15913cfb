// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * This host's orphan table (docs/FORMAT.md "Orphan table"): the last
 * mblock of its journal area lists the descriptors it unlinked (link count
 * 0) and has not deleted yet: files still open, and deletes under way. The
 * table is metadata like any other block, so an entry appears in the same
 * transaction as the last name goes and leaves in the one that frees the
 * descriptor; a delete that spans several transactions stays listed until
 * its end. When this host's slot is taken again after a crash, the next
 * incarnation deletes what its table lists (vmfs_orphan_reap). Called
 * under vol->lock; with no journal (read-only mounts, tools) there is no
 * table and nothing is listed.
 */
#include <inttypes.h>
#include <string.h>
#include <syslog.h>

#include "fs/core/cluster.h"

/* This host's table, referenced; -ENOENT when there is none. */
static int table_get(struct vmfs_vol *vol, struct vmfs_buf **b)
{
	if (!vol->orphan_blk)
		return -ENOENT;
	return vmfs_bc_get(vol, vol->orphan_blk, VMFS_MAGIC_ORPHAN, 0, b);
}

static uint32_t table_count(const struct vmfs_buf *b)
{
	return vmfs_get_le32(b->data + VMFS_ORPHAN_COUNT_OFF);
}

static uint8_t *table_ino(struct vmfs_buf *b, uint32_t i)
{
	return b->data + VMFS_ORPHAN_INOS_OFF + (size_t)i * 8;
}

/*
 * vmfs_orphan_add - list @ino, whose last name just went. A full table (or
 * none) lists nothing: a crash then leaves the file for fsck.vmfs to free.
 */
void vmfs_orphan_add(struct vmfs_vol *vol, uint64_t ino)
{
	struct vmfs_buf *b;
	uint32_t n;

	if (table_get(vol, &b))
		return;
	n = table_count(b);
	if (n < VMFS_ORPHAN_MAX) {
		vmfs_put_le64(table_ino(b, n), ino);
		vmfs_put_le32(b->data + VMFS_ORPHAN_COUNT_OFF, n + 1);
		vmfs_bc_dirty(vol, b);
	} else {
		vmfs_cluster_log(LOG_WARNING, "orphan table full: descriptor %" PRIu64 " is not "
				 "listed (a crash leaves it to fsck.vmfs)", ino);
	}
	vmfs_bc_put(vol, b);
}

/* vmfs_orphan_remove - @ino is deleted: its entry goes, if it has one. */
void vmfs_orphan_remove(struct vmfs_vol *vol, uint64_t ino)
{
	struct vmfs_buf *b;
	uint32_t n, i;

	if (table_get(vol, &b))
		return;
	n = table_count(b);
	for (i = 0; i < n && i < VMFS_ORPHAN_MAX; i++) {
		if (vmfs_get_le64(table_ino(b, i)) != ino)
			continue;
		memcpy(table_ino(b, i), table_ino(b, n - 1), 8);	/* the last one fills in */
		memset(table_ino(b, n - 1), 0, 8);
		vmfs_put_le32(b->data + VMFS_ORPHAN_COUNT_OFF, n - 1);
		vmfs_bc_dirty(vol, b);
		break;
	}
	vmfs_bc_put(vol, b);
}

/*
 * vmfs_orphan_attach - use the table at @blk (the last mblock of this
 * host's journal area). One that does not verify (a new journal area, or
 * one from before the table existed) is made empty. Returns 0 or an error.
 */
int vmfs_orphan_attach(struct vmfs_vol *vol, uint64_t blk)
{
	struct vmfs_buf *b;
	int err;

	err = vmfs_bc_get(vol, blk, VMFS_MAGIC_ORPHAN, 0, &b);
	if (err == -EFSBADCRC || err == -EFSCORRUPTED) {
		err = vmfs_bc_get(vol, blk, VMFS_MAGIC_ORPHAN, VMFS_BC_NEW, &b);
		if (!err) {
			vmfs_orphan_init(b->data, blk, vol->vh.hdr.uuid);
			vmfs_bc_dirty(vol, b);
		}
	}
	if (err)
		return err;
	if (table_count(b) > VMFS_ORPHAN_MAX) {	/* sealed, yet nonsense: start again */
		vmfs_orphan_init(b->data, blk, vol->vh.hdr.uuid);
		vmfs_bc_dirty(vol, b);
	}
	vmfs_bc_put(vol, b);
	vol->orphan_blk = blk;
	return 0;
}

/*
 * vmfs_orphan_reap - delete what this host's table lists (left by an
 * incarnation that crashed: nobody can have those files open, nor name
 * them). An entry whose descriptor has a link again, or is no orphan, is
 * dropped. Under vmfs_vol_lock. Returns the number deleted, or an error.
 */
int vmfs_orphan_reap(struct vmfs_vol *vol)
{
	struct vmfs_inode *ip;
	struct vmfs_buf *b;
	uint64_t ino;
	int err, done = 0;

	for (;;) {
		err = table_get(vol, &b);
		if (err)
			return err == -ENOENT ? 0 : err;
		ino = table_count(b) ? vmfs_get_le64(table_ino(b, 0)) : 0;
		vmfs_bc_put(vol, b);
		if (!ino)
			return done;
		err = vmfs_inode_get(vol, ino, &ip);
		if (!err && ip->d.nlink == 0 && (ip->d.flags & VMFS_DESC_F_ORPHAN) &&
		    !ip->nopen && !ip->nlookup) {
			err = vmfs_inode_delete(vol, ip);	/* which drops its entry */
			if (err)
				return err;
			done++;
			continue;
		}
		vmfs_orphan_remove(vol, ino);	/* nothing there to delete */
	}
}
