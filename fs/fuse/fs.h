/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * State of the FUSE daemon (mount.vmfs) shared by its request handlers:
 * the open volume and the mount options. The handlers in ops_*.c are thin:
 * they take vol->lock, call fs/core, and turn negative errnos into replies.
 */
#ifndef VMFS_FUSE_FS_H
#define VMFS_FUSE_FS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <sys/stat.h>

#include "fs/core/cluster.h"
#include "fs/core/lm_dev.h"
#include "fs/core/vol.h"

struct vmfs_fs {
	struct vmfs_vol *vol;
	struct vmfs_dev *dev;
	double attr_timeout;
	bool rdonly;
	struct lm_disk disk;		/* heartbeat I/O (read-write mounts) */
	struct lm_hb hb;
	bool hb_joined;
	bool fence_logged;
	pthread_t flusher;
	bool flusher_started;
	volatile bool stopping;
	pthread_mutex_t stop_mu;
	pthread_cond_t stop_cv;
};

static inline struct vmfs_fs *req_fs(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* FUSE calls the root 1; everything else is the descriptor's mblock address. */
static inline uint64_t fuse_to_ino(struct vmfs_fs *fs, fuse_ino_t i)
{
	return i == FUSE_ROOT_ID ? fs->vol->vh.root_ino : (uint64_t)i;
}

static inline fuse_ino_t ino_to_fuse(struct vmfs_fs *fs, uint64_t ino)
{
	return ino == fs->vol->vh.root_ino ? FUSE_ROOT_ID : (fuse_ino_t)ino;
}

/* A fenced host answers everything with EIO (docs/LOCKING.md "Heartbeats"). */
static inline bool fs_fenced(struct vmfs_fs *fs)
{
	return fs->hb_joined && fs->hb.fenced;
}

/*
 * How long the kernel may trust a name and the attributes of @ip (NULL: a
 * negative entry): the mount's timeout (1 s) while this host is alone on
 * the volume. While other hosts use it, none for files and negative
 * entries: every open looks the name up again, so the kernel never goes
 * on with a size cached before another host wrote the file (an O_APPEND
 * write would land at the old end). Directories keep theirs: path walks
 * stay cheap, and a name another host changes is seen within it.
 */
static inline double fs_timeout(struct vmfs_fs *fs, const struct vmfs_inode *ip)
{
	if (vmfs_cluster_shared(fs->vol) && (!ip || !S_ISDIR(ip->d.mode)))
		return 0.0;
	return fs->attr_timeout;
}

/* vmfs_vol_lock for a request: on failure replies with the error and returns false. */
bool vmfs_lock_or_reply(fuse_req_t req);
/*
 * Lock for an operation that only reads @i: vol->lock alone when this host
 * holds @i's file lock (or the volume lock), else the volume lock too.
 * Returns 0 with vol->lock held, or an error without it.
 */
int vmfs_lock_to_read(struct vmfs_fs *fs, fuse_ino_t i);

/* Look up @i under vol->lock; replies with the error and returns NULL on failure. */
struct vmfs_inode *vmfs_get_or_reply(fuse_req_t req, fuse_ino_t i);

void vmfs_fill_stat(const struct vmfs_vol *vol, const struct vmfs_inode *ip, struct stat *st);
void vmfs_fill_entry(struct vmfs_fs *fs, struct vmfs_inode *ip, struct fuse_entry_param *e);

/* ops_meta.c */
void vmfs_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void vmfs_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void vmfs_op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void vmfs_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vmfs_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		     struct fuse_file_info *fi);
void vmfs_op_readlink(fuse_req_t req, fuse_ino_t ino);
void vmfs_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void vmfs_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void vmfs_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void vmfs_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void vmfs_op_statfs(fuse_req_t req, fuse_ino_t ino);
int vmfs_make_node(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev,
		   struct vmfs_inode **out);

/* ops_namespace.c */
void vmfs_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void vmfs_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void vmfs_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		    const char *newname, unsigned int flags);

/* ops_xattr.c */
void vmfs_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		      size_t size, int flags);
void vmfs_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size);
void vmfs_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void vmfs_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/* ops_dir.c */
void vmfs_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vmfs_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi);
void vmfs_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			 struct fuse_file_info *fi);
void vmfs_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vmfs_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);

/* ops_file.c */
void vmfs_op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		    struct fuse_file_info *fi);
void vmfs_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vmfs_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		  struct fuse_file_info *fi);
void vmfs_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi);
void vmfs_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void vmfs_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi);
void vmfs_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		       struct fuse_file_info *fi);
void vmfs_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		   struct fuse_file_info *fi);
void vmfs_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			     struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
			     struct fuse_file_info *fi_out, size_t len, int flags);

#endif
