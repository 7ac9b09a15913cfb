// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers for attributes and node creation: lookup, forget, getattr,
 * setattr, mknod, mkdir, symlink, link, readlink, statfs. POSIX ownership
 * rules that the kernel leaves to the filesystem (set-group-ID directories,
 * clearing set-ID bits on chown) live here; permission checks are the
 * kernel's (default_permissions).
 */
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "fs/core/fileio.h"
#include "fs/fuse/fs.h"

void vmfs_fill_stat(const struct vmfs_vol *vol, const struct vmfs_inode *ip, struct stat *st)
{
	uint32_t fb = (uint32_t)vol->geom.file_block_mblocks << VMFS_MBLOCK_SHIFT;

	memset(st, 0, sizeof(*st));
	st->st_ino = ip->ino == vol->vh.root_ino ? FUSE_ROOT_ID : ip->ino;
	st->st_mode = ip->d.mode;
	st->st_nlink = ip->d.nlink;
	st->st_uid = ip->d.uid;
	st->st_gid = ip->d.gid;
	st->st_rdev = ip->d.rdev;
	st->st_size = (off_t)ip->d.size;
	st->st_blocks = (blkcnt_t)(ip->d.alloc_mblocks * (VMFS_MBLOCK_SIZE / 512));
	st->st_blksize = fb < (1u << 20) ? fb : (1u << 20);
	st->st_atim.tv_sec = ip->d.atime_sec;
	st->st_atim.tv_nsec = ip->d.atime_nsec;
	st->st_mtim.tv_sec = ip->d.mtime_sec;
	st->st_mtim.tv_nsec = ip->d.mtime_nsec;
	st->st_ctim.tv_sec = ip->d.ctime_sec;
	st->st_ctim.tv_nsec = ip->d.ctime_nsec;
}

void vmfs_fill_entry(struct vmfs_fs *fs, struct vmfs_inode *ip, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino_to_fuse(fs, ip->ino);
	e->generation = ip->d.generation;
	e->attr_timeout = fs_timeout(fs, ip);
	e->entry_timeout = fs_timeout(fs, ip);
	vmfs_fill_stat(fs->vol, ip, &e->attr);
	ip->nlookup++;
}

struct vmfs_inode *vmfs_get_or_reply(fuse_req_t req, fuse_ino_t i)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	int err = fs_fenced(fs) ? -EIO : vmfs_inode_get(fs->vol, fuse_to_ino(fs, i), &ip);

	if (err) {
		fuse_reply_err(req, err == -EFSBADCRC || err == -EFSCORRUPTED ? EIO : -err);
		return NULL;
	}
	return ip;
}

bool vmfs_lock_or_reply(fuse_req_t req)
{
	struct vmfs_fs *fs = req_fs(req);
	int err = fs_fenced(fs) ? -EIO : vmfs_vol_lock(fs->vol);

	if (err)
		fuse_reply_err(req, -err);
	return !err;
}

int vmfs_lock_to_read(struct vmfs_fs *fs, fuse_ino_t i)
{
	if (fs_fenced(fs))
		return -EIO;
	vmfs_vol_lock_local(fs->vol);
	if (vmfs_cluster_owns(fs->vol, fuse_to_ino(fs, i)))
		return 0;
	vmfs_vol_unlock(fs->vol);
	return vmfs_vol_lock(fs->vol);
}

static int name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len > VMFS_NAME_MAX)
		return -ENAMETOOLONG;
	return len ? 0 : -EINVAL;
}

void vmfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct vmfs_fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct vmfs_inode *dp, *ip;
	bool rechecked = false;
	uint64_t ino;
	int err;

	err = name_ok(name);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (!vmfs_lock_or_reply(req))
		return;
again:
	dp = vmfs_get_or_reply(req, parent);
	if (!dp)
		goto out;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		err = vmfs_inode_get(fs->vol, !strcmp(name, ".") || dp->ino == fs->vol->vh.root_ino ?
				     dp->ino : dp->d.parent, &ip);
	else
		err = vmfs_dir_lookup(fs->vol, dp, name, strlen(name), &ino, NULL, NULL);
	if (!err && strcmp(name, ".") && strcmp(name, ".."))
		err = vmfs_inode_get(fs->vol, ino, &ip);
	if (err == -ENOENT && fs->vol->ro_watch && !rechecked) {
		/* A read-only mount: perhaps a writer made it since we cached the directory. */
		vmfs_cluster_ro_recheck(fs->vol);
		rechecked = true;
		goto again;
	}
	if (err == -ENOENT) {
		/* A negative entry, cached for the entry timeout. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = fs_timeout(fs, NULL);
		fuse_reply_entry(req, &e);
	} else if (err) {
		fuse_reply_err(req, err == -EFSBADCRC || err == -EFSCORRUPTED ? EIO : -err);
	} else {
		vmfs_fill_entry(fs, ip, &e);
		fuse_reply_entry(req, &e);
	}
out:
	vmfs_vol_unlock(fs->vol);
}

/*
 * Lower the lookup count of @i under vol->lock alone. Returns true when the
 * descriptor must now be deleted (no names, no users left): that changes
 * shared metadata and waits for the volume lock.
 */
static bool forget_one(struct vmfs_fs *fs, fuse_ino_t i, uint64_t n)
{
	struct vmfs_inode *ip;

	if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, i), &ip))
		return false;
	ip->nlookup = ip->nlookup > n ? ip->nlookup - n : 0;
	if (ip->ino == fs->vol->vh.root_ino && ip->nlookup == 0)
		ip->nlookup = 1;
	if (ip->d.nlink == 0 && !ip->nlookup && !ip->nopen)
		return true;
	vmfs_inode_maybe_drop(fs->vol, ip);
	return false;
}

static void delete_forgotten(struct vmfs_fs *fs, fuse_ino_t i)
{
	struct vmfs_inode *ip;

	if (vmfs_vol_lock(fs->vol))
		return;		/* fenced or cut off: fsck finds the orphan */
	if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, i), &ip) == 0)
		vmfs_inode_maybe_drop(fs->vol, ip);
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct vmfs_fs *fs = req_fs(req);
	bool del;

	vmfs_vol_lock_local(fs->vol);
	del = forget_one(fs, ino, nlookup);
	vmfs_vol_unlock(fs->vol);
	if (del)
		delete_forgotten(fs, ino);
	fuse_reply_none(req);
}

void vmfs_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct vmfs_fs *fs = req_fs(req);
	size_t i, ndel = 0;

	vmfs_vol_lock_local(fs->vol);
	for (i = 0; i < count; i++)
		if (forget_one(fs, forgets[i].ino, forgets[i].nlookup))
			forgets[ndel++].ino = forgets[i].ino;	/* reuse the array */
	vmfs_vol_unlock(fs->vol);
	for (i = 0; i < ndel; i++)
		delete_forgotten(fs, forgets[i].ino);
	fuse_reply_none(req);
}

void vmfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	struct stat st;
	int err;

	(void)fi;
	err = vmfs_lock_to_read(fs, ino);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	ip = vmfs_get_or_reply(req, ino);
	if (ip) {
		vmfs_fill_stat(fs->vol, ip, &st);
		fuse_reply_attr(req, &st, fs_timeout(fs, ip));
	}
	vmfs_vol_unlock(fs->vol);
}

static void set_time(int64_t *sec, uint32_t *nsec, const struct timespec *ts, bool now)
{
	uint64_t n = vmfs_now_ns();

	*sec = now ? (int64_t)(n / 1000000000ull) : ts->tv_sec;
	*nsec = now ? (uint32_t)(n % 1000000000ull) : (uint32_t)ts->tv_nsec;
}

void vmfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		     struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct vmfs_inode *ip;
	struct stat st;
	int err = 0;

	(void)fi;
	err = vmfs_vol_gate(fs->vol);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (!vmfs_lock_or_reply(req))
		return;
	ip = vmfs_get_or_reply(req, ino);
	if (!ip) {
		vmfs_vol_unlock(fs->vol);
		return;
	}
	err = vmfs_cluster_may_change(fs->vol, ip);
	if (!err && (to_set & FUSE_SET_ATTR_SIZE)) {
		/* Truncation takes the file's io_lock: drop the metadata lock meanwhile. */
		if (S_ISDIR(ip->d.mode)) {
			err = -EISDIR;
		} else {
			ip->nopen++;	/* pin it in memory */
			vmfs_vol_unlock(fs->vol);
			err = vmfs_file_truncate(fs->vol, ip, (uint64_t)attr->st_size);
			vmfs_vol_lock_local(fs->vol);
			ip->nopen--;
			if (!err) {	/* the mode change below is shared metadata again */
				vmfs_vol_unlock(fs->vol);
				err = vmfs_vol_lock(fs->vol);
				if (err) {
					fuse_reply_err(req, -err);
					return;
				}
				/* Another host may have had the volume meanwhile. */
				err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
				if (!err)
					err = vmfs_cluster_may_change(fs->vol, ip);
			}
			if (!err && ctx->uid != 0 && S_ISREG(ip->d.mode) &&
			    (ip->d.mode & (S_ISUID | S_ISGID)))
				ip->d.mode &= ~(uint32_t)(S_ISUID | S_ISGID);
		}
	}
	if (!err && (to_set & FUSE_SET_ATTR_MODE))
		ip->d.mode = (ip->d.mode & S_IFMT) | (attr->st_mode & 07777);
	if (!err && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		if (to_set & FUSE_SET_ATTR_UID)
			ip->d.uid = attr->st_uid;
		if (to_set & FUSE_SET_ATTR_GID)
			ip->d.gid = attr->st_gid;
		/* chown clears set-user-ID, and set-group-ID when group-executable. */
		if (!S_ISDIR(ip->d.mode) && !(to_set & FUSE_SET_ATTR_MODE)) {
			ip->d.mode &= ~(uint32_t)S_ISUID;
			if (ip->d.mode & S_IXGRP)
				ip->d.mode &= ~(uint32_t)S_ISGID;
		}
	}
	if (!err && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW)))
		set_time(&ip->d.atime_sec, &ip->d.atime_nsec, &attr->st_atim,
			 to_set & FUSE_SET_ATTR_ATIME_NOW);
	if (!err && (to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW)))
		set_time(&ip->d.mtime_sec, &ip->d.mtime_nsec, &attr->st_mtim,
			 to_set & FUSE_SET_ATTR_MTIME_NOW);
	if (!err) {
		if (to_set & FUSE_SET_ATTR_CTIME)
			set_time(&ip->d.ctime_sec, &ip->d.ctime_nsec, &attr->st_ctim, false);
		else
			vmfs_inode_touch(ip, false, false, true);
		vmfs_inode_dirty(fs->vol, ip);
		vmfs_fill_stat(fs->vol, ip, &st);
		fuse_reply_attr(req, &st, fs_timeout(fs, ip));
	} else {
		fuse_reply_err(req, -err);
	}
	vmfs_vol_unlock(fs->vol);
}

/*
 * Create a node named @name in @parent, owned by the caller. Called and
 * returns with vol->lock held. The new inode's lookup count is not raised.
 */
int vmfs_make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev,
		   struct vmfs_inode **out)
{
	struct vmfs_fs *fs = req_fs(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct vmfs_inode *dp, *ip;
	uint64_t ino;
	uint32_t gid = ctx->gid;
	int err;

	err = vmfs_vol_gate(fs->vol);
	if (!err)
		err = name_ok(name);
	if (err)
		return err;
	err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, parent), &dp);
	if (err)
		return err;
	if (!S_ISDIR(dp->d.mode))
		return -ENOTDIR;
	if (dp->d.nlink == 0)
		return -ENOENT;
	err = vmfs_dir_lookup(fs->vol, dp, name, strlen(name), &ino, NULL, NULL);
	if (err == 0)
		return -EEXIST;
	if (err != -ENOENT)
		return err;
	if (dp->d.mode & S_ISGID) {
		gid = dp->d.gid;
		if (S_ISDIR(mode))
			mode |= S_ISGID;
	} else if ((mode & S_ISGID) && ctx->uid != 0 && ctx->gid != dp->d.gid) {
		mode &= ~(mode_t)S_ISGID;
	}
	err = vmfs_inode_alloc(fs->vol, dp->ino, mode, ctx->uid, gid, dp->ino, &ip);
	if (err)
		return err;
	ip->d.rdev = S_ISCHR(mode) || S_ISBLK(mode) ? rdev : 0;
	err = vmfs_dir_add(fs->vol, dp, name, strlen(name), ip->ino, vmfs_mode_to_dt(mode));
	if (err) {
		ip->d.nlink = 0;
		vmfs_inode_delete(fs->vol, ip);
		return err;
	}
	if (S_ISDIR(mode))
		dp->d.nlink++;
	vmfs_inode_touch(dp, false, true, true);
	vmfs_inode_dirty(fs->vol, dp);
	vmfs_inode_dirty(fs->vol, ip);
	*out = ip;
	return 0;
}

/* Take back a node made by vmfs_make_node whose contents could not be written. */
static void undo_node(struct vmfs_fs *fs, fuse_ino_t parent, const char *name,
		      struct vmfs_inode *ip)
{
	struct vmfs_inode *dp;

	if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, parent), &dp) == 0)
		vmfs_dir_remove(fs->vol, dp, name, strlen(name));
	ip->d.nlink = 0;
	vmfs_inode_delete(fs->vol, ip);
}

static void make_and_reply(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
			   dev_t rdev)
{
	struct vmfs_fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct vmfs_inode *ip;
	int err;

	if (!vmfs_lock_or_reply(req))
		return;
	err = vmfs_make_node(req, parent, name, mode, rdev, &ip);
	if (err) {
		fuse_reply_err(req, -err);
	} else {
		vmfs_fill_entry(fs, ip, &e);
		fuse_reply_entry(req, &e);
	}
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		make_and_reply(req, parent, name, mode, rdev);
		break;
	default:
		fuse_reply_err(req, EINVAL);
	}
}

void vmfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	make_and_reply(req, parent, name, S_IFDIR | (mode & 07777), 0);
}

void vmfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct vmfs_fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct vmfs_inode *ip;
	size_t len = strlen(link);
	ssize_t n;
	int err;

	if (len == 0 || len >= 4096) {
		fuse_reply_err(req, len ? ENAMETOOLONG : ENOENT);
		return;
	}
	if (!vmfs_lock_or_reply(req))
		return;
	err = vmfs_make_node(req, parent, name, S_IFLNK | 0777, 0, &ip);
	if (!err) {
		/* Usually inline in the descriptor, written under this lock. */
		err = vmfs_file_write_inline(fs->vol, ip, link, len);
		if (err == -EFBIG) {
			ip->nopen++;
			vmfs_vol_unlock(fs->vol);
			n = vmfs_file_write(fs->vol, ip, link, len, 0, false);
			err = vmfs_vol_lock(fs->vol);
			if (err) {
				fuse_reply_err(req, -err);
				return;
			}
			ip->nopen--;
			err = n < 0 ? (int)n : 0;
		}
		if (err)
			undo_node(fs, parent, name, ip);
	}
	if (err) {
		fuse_reply_err(req, -err);
	} else {
		vmfs_fill_entry(fs, ip, &e);
		fuse_reply_entry(req, &e);
	}
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	char buf[4096];
	ssize_t n;

	if (!vmfs_lock_or_reply(req))
		return;
	ip = vmfs_get_or_reply(req, ino);
	if (ip && !S_ISLNK(ip->d.mode)) {
		fuse_reply_err(req, EINVAL);
		ip = NULL;
	}
	if (ip)
		ip->nopen++;
	vmfs_vol_unlock(fs->vol);
	if (!ip)
		return;
	n = vmfs_file_read(fs->vol, ip, buf, sizeof(buf) - 1, 0);
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
	} else {
		buf[n] = 0;
		fuse_reply_readlink(req, buf);
	}
	vmfs_vol_lock_local(fs->vol);
	ip->nopen--;
	vmfs_inode_maybe_drop(fs->vol, ip);	/* it has a name: never deleted here */
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct vmfs_fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct vmfs_inode *ip, *dp;
	int err;

	err = vmfs_vol_gate(fs->vol);
	if (!err)
		err = name_ok(newname);
	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	if (!vmfs_lock_or_reply(req))
		return;
	err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
	if (!err)
		err = vmfs_cluster_may_change(fs->vol, ip);
	if (!err)
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, newparent), &dp);
	if (!err && S_ISDIR(ip->d.mode))
		err = -EPERM;
	if (!err && ip->d.nlink >= 65000)
		err = -EMLINK;
	if (!err)
		err = vmfs_dir_add(fs->vol, dp, newname, strlen(newname), ip->ino,
				   vmfs_mode_to_dt(ip->d.mode));
	if (err) {
		fuse_reply_err(req, -err);
	} else {
		ip->d.nlink++;
		vmfs_inode_touch(ip, false, false, true);
		vmfs_inode_dirty(fs->vol, ip);
		vmfs_inode_touch(dp, false, true, true);
		vmfs_inode_dirty(fs->vol, dp);
		vmfs_fill_entry(fs, ip, &e);
		fuse_reply_entry(req, &e);
	}
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_vol *vol = fs->vol;
	struct statvfs sv;
	uint64_t total = 0, i;

	(void)ino;
	memset(&sv, 0, sizeof(sv));
	if (!vmfs_lock_or_reply(req))
		return;
	for (i = 0; i < vol->vh.rg_count; i++)
		total += vmfs_rg_len(&vol->vh, i);
	sv.f_bsize = VMFS_MBLOCK_SIZE;
	sv.f_frsize = VMFS_MBLOCK_SIZE;
	sv.f_blocks = total;
	sv.f_bfree = vmfs_free_mblocks(vol);
	sv.f_bavail = sv.f_bfree > VMFS_META_RESERVE ? sv.f_bfree - VMFS_META_RESERVE : 0;
	sv.f_files = total / 2;
	sv.f_ffree = sv.f_bavail / 2;
	sv.f_favail = sv.f_ffree;
	sv.f_namemax = VMFS_NAME_MAX;
	vmfs_vol_unlock(vol);
	fuse_reply_statfs(req, &sv);
}
