// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers for extended attributes. user., trusted. and security.
 * names are stored (the kernel checks who may touch which namespace);
 * system. names (POSIX ACLs) are refused with EOPNOTSUPP because ACLs are
 * not enforced.
 */
#include <stdlib.h>
#include <string.h>

#include "fs/fuse/fs.h"

static int ns_ok(const char *name)
{
	if (!strncmp(name, "system.", 7))
		return -EOPNOTSUPP;
	if (strncmp(name, "user.", 5) && strncmp(name, "trusted.", 8) &&
	    strncmp(name, "security.", 9))
		return -EOPNOTSUPP;
	return 0;
}

static int errno_of(int err)
{
	return err == -EFSCORRUPTED || err == -EFSBADCRC ? EIO : -err;
}

void vmfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		      size_t size, int flags)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	int err = vmfs_vol_gate(fs->vol);

	if (!err)
		err = ns_ok(name);

	if (err) {
		fuse_reply_err(req, -err);
		return;
	}
	pthread_mutex_lock(&fs->vol->lock);
	err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
	if (!err)
		err = vmfs_xattr_set(fs->vol, ip, name, value, size, flags);
	if (!err) {
		vmfs_inode_touch(ip, false, false, true);
		vmfs_inode_dirty(fs->vol, ip);
	}
	pthread_mutex_unlock(&fs->vol->lock);
	fuse_reply_err(req, errno_of(err));
}

void vmfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	char *buf = NULL;
	size_t vlen = 0;
	int err = ns_ok(name);

	if (err == -EOPNOTSUPP && !strncmp(name, "system.", 7))
		err = -ENODATA;
	if (!err && size) {
		buf = malloc(size);
		if (!buf)
			err = -ENOMEM;
	}
	if (!err) {
		pthread_mutex_lock(&fs->vol->lock);
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err)
			err = vmfs_xattr_get(fs->vol, ip, name, buf, size, &vlen);
		pthread_mutex_unlock(&fs->vol->lock);
	}
	if (err)
		fuse_reply_err(req, errno_of(err));
	else if (size)
		fuse_reply_buf(req, buf, vlen);
	else
		fuse_reply_xattr(req, vlen);
	free(buf);
}

void vmfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	char *buf = NULL;
	size_t len = 0;
	int err = 0;

	if (size) {
		buf = malloc(size);
		if (!buf)
			err = -ENOMEM;
	}
	if (!err) {
		pthread_mutex_lock(&fs->vol->lock);
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err)
			err = vmfs_xattr_list(fs->vol, ip, buf, size, &len);
		pthread_mutex_unlock(&fs->vol->lock);
	}
	if (err)
		fuse_reply_err(req, errno_of(err));
	else if (size)
		fuse_reply_buf(req, buf, len);
	else
		fuse_reply_xattr(req, len);
	free(buf);
}

void vmfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	int err = vmfs_vol_gate(fs->vol);

	if (!err) {
		pthread_mutex_lock(&fs->vol->lock);
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err)
			err = vmfs_xattr_remove(fs->vol, ip, name);
		if (!err) {
			vmfs_inode_touch(ip, false, false, true);
			vmfs_inode_dirty(fs->vol, ip);
		}
		pthread_mutex_unlock(&fs->vol->lock);
	}
	fuse_reply_err(req, errno_of(err));
}
