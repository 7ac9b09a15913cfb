// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers for reading directories. Offsets: 1 after ".", 2 after
 * "..", key + 1 after an entry (docs/FORMAT.md "Directories"), so a
 * listing resumed after inserts and removals neither repeats nor skips an
 * entry that stayed.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/fuse/fs.h"

void vmfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;

	if (!vmfs_lock_or_reply(req))
		return;
	vmfs_cluster_ro_recheck(fs->vol);	/* a read-only mount lists what writers wrote back */
	ip = vmfs_get_or_reply(req, ino);
	if (ip && !S_ISDIR(ip->d.mode)) {
		fuse_reply_err(req, ENOTDIR);
	} else if (ip) {
		ip->nopen++;
		fi->cache_readdir = 0;
		fuse_reply_open(req, fi);
	}
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;

	(void)fi;
	/* The last user of a removed directory frees it: shared metadata. */
	if (vmfs_vol_lock(fs->vol) == 0) {
		if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip) == 0) {
			if (ip->nopen)
				ip->nopen--;
			vmfs_inode_maybe_drop(fs->vol, ip);
		}
		vmfs_vol_unlock(fs->vol);
	}
	fuse_reply_err(req, 0);
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, bool plus)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_vol *vol = fs->vol;
	struct vmfs_inode *dp, *ip;
	struct vmfs_dirent de;
	struct fuse_entry_param e;
	struct stat st;
	size_t used = 0, n;
	uint64_t key;
	char *buf;
	int err = 0;

	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (!vmfs_lock_or_reply(req)) {
		free(buf);
		return;
	}
	dp = vmfs_get_or_reply(req, ino);
	if (!dp)
		goto out;
	while (off < 2) {
		memset(&e, 0, sizeof(e));
		e.attr.st_mode = S_IFDIR;
		e.attr.st_ino = off == 0 ? ino : ino_to_fuse(fs, dp->ino == vol->vh.root_ino ?
							     dp->ino : dp->d.parent);
		/* "." and ".." carry no lookup reference in readdirplus (ino 0 entry). */
		n = plus ? fuse_add_direntry_plus(req, buf + used, size - used, off ? ".." : ".",
						  &e, off + 1)
			 : fuse_add_direntry(req, buf + used, size - used, off ? ".." : ".",
					     &e.attr, off + 1);
		if (n > size - used)
			goto reply;
		used += n;
		off++;
	}
	key = (uint64_t)off <= VMFS_DIR_KEY_MIN ? VMFS_DIR_KEY_MIN : (uint64_t)off;
	for (;;) {
		err = vmfs_dir_next(vol, dp, key, &de);
		if (err == -ENOENT) {
			err = 0;
			break;
		}
		if (err)
			break;
		if (plus) {
			err = vmfs_inode_get(vol, de.ino, &ip);
			if (err)
				break;
			vmfs_fill_entry(fs, ip, &e);
			n = fuse_add_direntry_plus(req, buf + used, size - used, de.name, &e,
						   (off_t)(de.key + 1));
			if (n > size - used) {
				ip->nlookup--;	/* not sent: take the reference back */
				break;
			}
		} else {
			memset(&st, 0, sizeof(st));
			st.st_ino = ino_to_fuse(fs, de.ino);
			st.st_mode = (mode_t)de.type << 12;
			n = fuse_add_direntry(req, buf + used, size - used, de.name, &st,
					      (off_t)(de.key + 1));
			if (n > size - used)
				break;
		}
		used += n;
		key = de.key + 1;
	}
reply:
	if (err && !used)
		fuse_reply_err(req, err == -EFSCORRUPTED || err == -EFSBADCRC ? EIO : -err);
	else
		fuse_reply_buf(req, buf, used);
out:
	vmfs_vol_unlock(vol);
	free(buf);
}

void vmfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, false);
}

void vmfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			 struct fuse_file_info *fi)
{
	(void)fi;
	do_readdir(req, ino, size, off, true);
}

void vmfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	vmfs_op_fsync(req, ino, datasync, fi);
}
