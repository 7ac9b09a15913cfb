// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * FUSE handlers for file data: create, open (O_DIRECT opens bypass the
 * page cache; every open drops cached pages so what another writer left is
 * read afresh), read, write, fsync (metadata written back and the device
 * flushed before the reply), fallocate, SEEK_DATA/SEEK_HOLE and
 * copy_file_range (holes stay holes).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/core/fileio.h"
#include "fs/fuse/fs.h"

#define OPEN_BUSY_TRIES 50		/* with OPEN_BUSY_NAP_US: half a second */
#define OPEN_BUSY_NAP_US 10000

static int errno_of(int err)
{
	return err == -EFSCORRUPTED || err == -EFSBADCRC ? EIO : -err;
}

static void set_open_flags(struct fuse_file_info *fi)
{
	fi->direct_io = (fi->flags & O_DIRECT) ? 1 : 0;
	fi->keep_cache = 0;
}

static bool open_for_write(const struct fuse_file_info *fi)
{
	return (fi->flags & O_ACCMODE) != O_RDONLY;
}

void vmfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		    struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct fuse_entry_param e;
	struct vmfs_inode *ip;
	int err;

	if (!vmfs_lock_or_reply(req))
		return;
	err = vmfs_make_node(req, parent, name, S_IFREG | (mode & 07777), 0, &ip);
	if (!err)
		err = vmfs_cluster_open(fs->vol, ip, open_for_write(fi));
	if (err) {
		fuse_reply_err(req, errno_of(err));
	} else {
		vmfs_fill_entry(fs, ip, &e);
		set_open_flags(fi);
		fi->fh = ip->ino;
		if (fuse_reply_create(req, &e, fi) != 0) {
			/* The opener went away: no release and no forget will come. */
			vmfs_cluster_close(fs->vol, ip, open_for_write(fi));
			ip->nlookup--;
		}
	}
	vmfs_vol_unlock(fs->vol);
}

/*
 * Open: take the file's lock in the mode the open needs. A lock that
 * another host holds may be on its way out (that host is closing the file,
 * as in a vMotion handover): look again for a moment before EBUSY.
 * Returns 0 with vmfs_vol_lock held, or an error without it.
 */
static int open_locked(struct vmfs_fs *fs, struct vmfs_inode **ipp, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	unsigned tries;
	int err;

	for (tries = 0;; tries++) {
		err = fs_fenced(fs) ? -EIO : vmfs_vol_lock(fs->vol);
		if (err)
			return err;
		vmfs_cluster_ro_recheck(fs->vol);	/* close-to-open for read-only mounts */
		err = vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), ipp);
		if (!err && S_ISDIR((*ipp)->d.mode))
			err = -EISDIR;
		if (!err)
			err = vmfs_cluster_open(fs->vol, *ipp, open_for_write(fi));
		if (!err)
			return 0;
		vmfs_vol_unlock(fs->vol);
		if (err != -EBUSY || tries == OPEN_BUSY_TRIES)
			return err;
		usleep(OPEN_BUSY_NAP_US);
	}
}

void vmfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip = NULL;
	int err;

	if (fs->rdonly && open_for_write(fi)) {
		fuse_reply_err(req, EROFS);
		return;
	}
	err = open_locked(fs, &ip, ino, fi);
	if (err) {
		fuse_reply_err(req, errno_of(err));
		return;
	}
	/* With atomic O_TRUNC (libfuse's default) the truncation is ours. */
	if ((fi->flags & O_TRUNC) && S_ISREG(ip->d.mode) && ip->d.size) {
		vmfs_vol_unlock(fs->vol);
		err = vmfs_file_truncate(fs->vol, ip, 0);
		vmfs_vol_lock_local(fs->vol);
		if (!err && fuse_req_ctx(req)->uid != 0 && (ip->d.mode & (S_ISUID | S_ISGID))) {
			ip->d.mode &= ~(uint32_t)(S_ISUID | S_ISGID);
			vmfs_inode_dirty(fs->vol, ip);
		}
	}
	set_open_flags(fi);
	/* Several hosts write it at once: no host may serve reads from its page cache. */
	if (vmfs_is_multiwriter(ip))
		fi->direct_io = 1;
	fi->fh = ip->ino;
	if (err) {
		vmfs_cluster_close(fs->vol, ip, open_for_write(fi));
		fuse_reply_err(req, errno_of(err));
	} else if (fuse_reply_open(req, fi) != 0) {
		vmfs_cluster_close(fs->vol, ip, open_for_write(fi));
	}
	vmfs_vol_unlock(fs->vol);
}

void vmfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip;
	bool del = false;

	vmfs_vol_lock_local(fs->vol);
	if (open_for_write(fi) && vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip) == 0 &&
	    ip->nopen_w == 1 && ip->ahead_end) {
		/* The last writer: free what was allocated past EOF (still pinned by this open). */
		vmfs_vol_unlock(fs->vol);
		vmfs_file_trim_ahead(fs->vol, ip);
		vmfs_vol_lock_local(fs->vol);
	}
	if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip) == 0) {
		vmfs_cluster_close(fs->vol, ip, open_for_write(fi));
		del = ip->d.nlink == 0 && !ip->nopen && !ip->nlookup;
		if (!del)
			vmfs_inode_maybe_drop(fs->vol, ip);
	}
	vmfs_vol_unlock(fs->vol);
	if (del && vmfs_vol_lock(fs->vol) == 0) {	/* freeing is shared metadata */
		if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip) == 0)
			vmfs_inode_maybe_drop(fs->vol, ip);
		vmfs_vol_unlock(fs->vol);
	}
	fuse_reply_err(req, 0);
}

/* The open file's descriptor: pinned in memory by the open (nopen > 0). */
static struct vmfs_inode *open_inode(struct vmfs_fs *fs, fuse_ino_t ino)
{
	struct vmfs_inode *ip = NULL;

	if (fs_fenced(fs))
		return NULL;	/* callers answer EIO */
	vmfs_vol_lock_local(fs->vol);
	if (vmfs_inode_get(fs->vol, fuse_to_ino(fs, ino), &ip))
		ip = NULL;
	vmfs_vol_unlock(fs->vol);
	return ip;
}

void vmfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip = open_inode(fs, ino);
	void *buf = NULL;
	ssize_t n;

	(void)fi;
	if (!ip) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, size ? size : 1)) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	n = vmfs_file_read(fs->vol, ip, buf, size, (uint64_t)off);
	if (n < 0)
		fuse_reply_err(req, errno_of((int)n));
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

void vmfs_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip = open_inode(fs, ino);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	ssize_t n;

	(void)fi;
	if (!ip) {
		fuse_reply_err(req, EIO);
		return;
	}
	n = vmfs_file_write(fs->vol, ip, buf, size, (uint64_t)off, ctx->uid != 0);
	if (n < 0)
		fuse_reply_err(req, errno_of((int)n));
	else
		fuse_reply_write(req, (size_t)n);
}

void vmfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	int err;

	(void)ino;
	(void)datasync;
	(void)fi;
	err = vmfs_vol_sync(fs->vol);
	fuse_reply_err(req, errno_of(err));
}

void vmfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		       struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip = open_inode(fs, ino);
	int err;

	(void)fi;
	if (!ip) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (offset < 0 || length <= 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	err = vmfs_file_fallocate(fs->vol, ip, mode, (uint64_t)offset, (uint64_t)length);
	fuse_reply_err(req, errno_of(err));
}

void vmfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		   struct fuse_file_info *fi)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *ip = open_inode(fs, ino);
	int64_t r;

	(void)fi;
	if (!ip) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (whence != SEEK_DATA && whence != SEEK_HOLE) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (off < 0) {
		fuse_reply_err(req, ENXIO);
		return;
	}
	r = vmfs_file_seek_data(fs->vol, ip, (uint64_t)off, whence == SEEK_DATA);
	if (r < 0)
		fuse_reply_err(req, errno_of((int)r));
	else
		fuse_reply_lseek(req, (off_t)r);
}

/* Copy [off_in, off_in+len) in chunks, skipping source holes past the destination's end. */
static ssize_t copy_range(struct vmfs_vol *vol, struct vmfs_inode *in, uint64_t off_in,
			  struct vmfs_inode *out, uint64_t off_out, size_t len)
{
	const size_t chunk = 1 << 20;
	uint64_t done = 0, in_size, data;
	ssize_t n, w;
	void *buf;
	int err = 0;

	if (posix_memalign(&buf, VMFS_MBLOCK_SIZE, chunk))
		return -ENOMEM;
	vmfs_vol_lock_local(vol);
	in_size = in->d.size;
	vmfs_vol_unlock(vol);
	if (off_in >= in_size)
		len = 0;
	else if (len > in_size - off_in)
		len = (size_t)(in_size - off_in);
	while (done < len) {
		size_t want = len - done < chunk ? (size_t)(len - done) : chunk;
		int64_t d = vmfs_file_seek_data(vol, in, off_in + done, true);

		if (d < 0 && d != -ENXIO) {
			err = (int)d;
			break;
		}
		data = d < 0 ? off_in + len : (uint64_t)d;
		if (data > off_in + done) {
			uint64_t skip = data - (off_in + done);
			uint64_t out_size;

			if (skip > len - done)
				skip = len - done;
			vmfs_vol_lock_local(vol);
			out_size = out->d.size;
			vmfs_vol_unlock(vol);
			if (off_out + done >= out_size) {
				done += skip;
				continue;	/* a hole that stays a hole */
			}
			if (want > skip)
				want = (size_t)skip;
		}
		n = vmfs_file_read(vol, in, buf, want, off_in + done);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		w = vmfs_file_write(vol, out, buf, (size_t)n, off_out + done, false);
		if (w < 0) {
			err = (int)w;
			break;
		}
		done += (uint64_t)w;
	}
	vmfs_vol_lock_local(vol);
	if (!err && done && off_out + done > out->d.size) {
		vmfs_vol_unlock(vol);
		err = vmfs_file_truncate(vol, out, off_out + done);
	} else {
		vmfs_vol_unlock(vol);
	}
	free(buf);
	return err && !done ? err : (ssize_t)done;
}

void vmfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			     struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			     struct fuse_file_info *fi_out, size_t len, int flags)
{
	struct vmfs_fs *fs = req_fs(req);
	struct vmfs_inode *in = open_inode(fs, ino_in), *out = open_inode(fs, ino_out);
	ssize_t n;

	(void)fi_in;
	(void)fi_out;
	if (flags) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (!in || !out) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (vmfs_vol_gate(fs->vol)) {
		fuse_reply_err(req, -vmfs_vol_gate(fs->vol));
		return;
	}
	n = copy_range(fs->vol, in, (uint64_t)off_in, out, (uint64_t)off_out, len);
	if (n < 0)
		fuse_reply_err(req, errno_of((int)n));
	else
		fuse_reply_write(req, (size_t)n);
}
