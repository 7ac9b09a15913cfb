// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers that remove or move names: unlink, rmdir and rename
 * (including RENAME_NOREPLACE and RENAME_EXCHANGE). Link counts follow
 * POSIX: a directory has 2 plus one per subdirectory. A descriptor whose
 * last name goes away is freed once the kernel forgets it and no handle is
 * open (vmfs_inode_maybe_drop).
 */
#include <linux/fs.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fuse/fs.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif
#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int get_child(struct vmfs_vol *vol, struct vmfs_inode *dp, const char *name,
		     struct vmfs_inode **out)
{
	uint64_t ino;
	int err;

	if (strlen(name) > VMFS_NAME_MAX)
		return -ENAMETOOLONG;
	err = vmfs_dir_lookup(vol, dp, name, strlen(name), &ino, NULL, NULL);
	if (!err)
		err = vmfs_inode_get(vol, ino, out);
	return err;
}

static void touch_dir(struct vmfs_vol *vol, struct vmfs_inode *dp)
{
	vmfs_inode_touch(dp, false, true, true);
	vmfs_inode_dirty(vol, dp);
}

/* @ip lost a name (or, for a directory, its only one). */
static int drop_link(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	if (S_ISDIR(ip->d.mode))
		ip->d.nlink = 0;
	else if (ip->d.nlink)
		ip->d.nlink--;
	if (ip->d.nlink == 0 && !(ip->d.flags & VMFS_DESC_F_ORPHAN)) {
		ip->d.flags |= VMFS_DESC_F_ORPHAN;	/* still open or looked up */
		vmfs_orphan_add(vol, ip->ino);	/* deleted after a crash, if not before */
	}
	vmfs_inode_touch(ip, false, false, true);
	vmfs_inode_dirty(vol, ip);
	return vmfs_inode_maybe_drop(vol, ip);
}

static int do_remove(struct vmfs_fs *fs, fuse_ino_t parent, const char *name, bool dir)
{
	struct vmfs_vol *vol = fs->vol;
	struct vmfs_inode *dp, *ip;
	int err;

	err = vmfs_vol_gate(vol);
	if (!err)
		err = vmfs_inode_get(vol, fuse_to_ino(fs, parent), &dp);
	if (!err)
		err = get_child(vol, dp, name, &ip);
	if (err)
		return err;
	if (dir && !S_ISDIR(ip->d.mode))
		return -ENOTDIR;
	if (!dir && S_ISDIR(ip->d.mode))
		return -EISDIR;
	if (dir && ip->d.nentries)
		return -ENOTEMPTY;
	err = vmfs_cluster_may_change(vol, ip);	/* open on another host: EBUSY */
	if (!err)
		err = vmfs_dir_remove(vol, dp, name, strlen(name));
	if (err)
		return err;
	if (dir)
		dp->d.nlink--;
	touch_dir(vol, dp);
	return drop_link(vol, ip);
}

void vmfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vmfs_fs *fs = req_fs(req);
	int err;

	if (!vmfs_lock_or_reply(req))
		return;
	err = do_remove(fs, parent, name, false);
	vmfs_vol_unlock(fs->vol);
	fuse_reply_err(req, -err);
}

void vmfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vmfs_fs *fs = req_fs(req);
	int err;

	if (!vmfs_lock_or_reply(req))
		return;
	err = do_remove(fs, parent, name, true);
	vmfs_vol_unlock(fs->vol);
	fuse_reply_err(req, -err);
}

/* A directory moved from @from to @to: fix parent pointer and link counts. */
static void moved_dir(struct vmfs_vol *vol, struct vmfs_inode *ip, struct vmfs_inode *from,
		      struct vmfs_inode *to)
{
	if (!S_ISDIR(ip->d.mode) || from == to)
		return;
	ip->d.parent = to->ino;
	from->d.nlink--;
	to->d.nlink++;
	vmfs_inode_dirty(vol, ip);
}

static int do_exchange(struct vmfs_vol *vol, struct vmfs_inode *od, const char *name,
		       struct vmfs_inode *nd, const char *newname)
{
	struct vmfs_inode *a, *b;
	int err;

	err = get_child(vol, od, name, &a);
	if (!err)
		err = get_child(vol, nd, newname, &b);
	if (!err)
		err = vmfs_cluster_may_change(vol, a);
	if (!err)
		err = vmfs_cluster_may_change(vol, b);
	if (err)
		return err;
	err = vmfs_dir_set(vol, od, name, strlen(name), b->ino, vmfs_mode_to_dt(b->d.mode));
	if (!err)
		err = vmfs_dir_set(vol, nd, newname, strlen(newname), a->ino,
				   vmfs_mode_to_dt(a->d.mode));
	if (err)
		return err;
	moved_dir(vol, a, od, nd);
	moved_dir(vol, b, nd, od);
	vmfs_inode_touch(a, false, false, true);
	vmfs_inode_touch(b, false, false, true);
	vmfs_inode_dirty(vol, a);
	vmfs_inode_dirty(vol, b);
	touch_dir(vol, od);
	if (nd != od)
		touch_dir(vol, nd);
	return 0;
}

static int do_rename(struct vmfs_fs *fs, fuse_ino_t parent, const char *name,
		     fuse_ino_t newparent, const char *newname, unsigned flags)
{
	struct vmfs_vol *vol = fs->vol;
	struct vmfs_inode *od, *nd, *ip, *victim = NULL;
	int err;

	err = vmfs_vol_gate(vol);
	if (err)
		return err;
	if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (strlen(newname) > VMFS_NAME_MAX)
		return -ENAMETOOLONG;
	err = vmfs_inode_get(vol, fuse_to_ino(fs, parent), &od);
	if (!err)
		err = vmfs_inode_get(vol, fuse_to_ino(fs, newparent), &nd);
	if (err)
		return err;
	if (flags & RENAME_EXCHANGE)
		return do_exchange(vol, od, name, nd, newname);
	err = get_child(vol, od, name, &ip);
	if (err)
		return err;
	err = vmfs_cluster_may_change(vol, ip);
	if (err)
		return err;
	err = get_child(vol, nd, newname, &victim);
	if (!err && victim != ip)
		err = vmfs_cluster_may_change(vol, victim);
	if (err && err != -ENOENT)
		return err;
	if (!err) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (victim == ip)
			return 0;	/* two names of one file: nothing to do */
		if (S_ISDIR(ip->d.mode) && !S_ISDIR(victim->d.mode))
			return -ENOTDIR;
		if (!S_ISDIR(ip->d.mode) && S_ISDIR(victim->d.mode))
			return -EISDIR;
		if (S_ISDIR(victim->d.mode) && victim->d.nentries)
			return -ENOTEMPTY;
		err = vmfs_dir_set(vol, nd, newname, strlen(newname), ip->ino,
				   vmfs_mode_to_dt(ip->d.mode));
	} else {
		victim = NULL;
		err = vmfs_dir_add(vol, nd, newname, strlen(newname), ip->ino,
				   vmfs_mode_to_dt(ip->d.mode));
	}
	if (!err)
		err = vmfs_dir_remove(vol, od, name, strlen(name));
	if (err)
		return err;
	moved_dir(vol, ip, od, nd);
	vmfs_inode_touch(ip, false, false, true);
	vmfs_inode_dirty(vol, ip);
	touch_dir(vol, od);
	if (nd != od)
		touch_dir(vol, nd);
	if (victim) {
		if (S_ISDIR(victim->d.mode))
			nd->d.nlink--;
		err = drop_link(vol, victim);
	}
	return err;
}

void vmfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		    const char *newname, unsigned int flags)
{
	struct vmfs_fs *fs = req_fs(req);
	int err;

	if (!vmfs_lock_or_reply(req))
		return;
	err = do_rename(fs, parent, name, newparent, newname, flags);
	vmfs_vol_unlock(fs->vol);
	fuse_reply_err(req, err == -EFSCORRUPTED || err == -EFSBADCRC ? EIO : -err);
}
