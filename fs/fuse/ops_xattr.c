// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers for extended attributes. user., trusted. and security.
 * names are stored (the kernel checks who may touch which namespace);
 * system. names (POSIX ACLs) are refused with EOPNOTSUPP because ACLs are
 * not enforced. VMFS_XATTR_MULTIWRITER is not stored: it shows and sets the
 * file's multi-writer flag (fs/core/multiwriter.c).
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

static bool is_mw_name(const char *name)
{
	return !strcmp(name, VMFS_XATTR_MULTIWRITER);
}

/* Under vmfs_vol_lock: setxattr or removexattr (@value NULL) of @name on @ip. */
static int set_locked(struct vmfs_vol *vol, struct vmfs_inode *ip, const char *name,
		      const char *value, size_t size, int flags)
{
	int err;

	if (is_mw_name(name)) {
		if (!value)
			return vmfs_is_multiwriter(ip) ? vmfs_multiwriter_set(vol, ip, false)
						       : -ENODATA;
		if (size != 1 || (value[0] != '0' && value[0] != '1'))
			return -EINVAL;
		return vmfs_multiwriter_set(vol, ip, value[0] == '1');
	}
	err = vmfs_cluster_may_change(vol, ip);
	if (!err)
		err = value ? vmfs_xattr_set(vol, ip, name, value, size, flags) :
		      vmfs_xattr_remove(vol, ip, name);
	if (!err) {
		vmfs_inode_touch(ip, false, false, true);
		vmfs_inode_dirty(vol, ip);
	}
	return err;
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
	if (!vmfs_lock_or_reply(req))
		return;
	err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
	if (!err)
		err = set_locked(fs->vol, ip, name, value, size, flags);
	vmfs_vol_unlock(fs->vol);
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
	if (!err)
		err = vmfs_lock_to_read(fs, ino);
	if (!err) {
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err && is_mw_name(name)) {
			vlen = 1;
			err = vmfs_is_multiwriter(ip) ? 0 : -ENODATA;
			if (!err && size)
				buf[0] = '1';
		} else if (!err) {
			err = vmfs_xattr_get(fs->vol, ip, name, buf, size, &vlen);
		}
		vmfs_vol_unlock(fs->vol);
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
	if (!err)
		err = vmfs_lock_to_read(fs, ino);
	if (!err) {
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err)
			err = vmfs_xattr_list(fs->vol, ip, buf, size, &len);
		if (!err && vmfs_is_multiwriter(ip)) {
			size_t n = sizeof(VMFS_XATTR_MULTIWRITER);	/* with its NUL */

			if (size && len + n > size)
				err = -ERANGE;
			else if (size)
				memcpy(buf + len, VMFS_XATTR_MULTIWRITER, n);
			len += n;
		}
		vmfs_vol_unlock(fs->vol);
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

	if (!err)
		err = fs_fenced(fs) ? -EIO : vmfs_vol_lock(fs->vol);
	if (!err) {
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip);
		if (!err)
			err = set_locked(fs->vol, ip, name, NULL, 0, 0);
		vmfs_vol_unlock(fs->vol);
	}
	fuse_reply_err(req, errno_of(err));
}
