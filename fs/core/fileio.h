/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File data: read, write, truncate, fallocate and SEEK_DATA/SEEK_HOLE over
 * inline data or the extent map (docs/FORMAT.md "Extent tree",
 * "Allocation"). Entry points take vol->lock themselves; see vol.h for the
 * io_lock rules. Reads and writes that change no shared metadata take
 * vol->lock alone (the file is locked by this host); anything that
 * allocates or frees takes the volume lock too (fs/core/cluster.h).
 */
#ifndef VMFS_CORE_FILEIO_H
#define VMFS_CORE_FILEIO_H

#include <sys/types.h>

#include "fs/core/vol.h"

ssize_t vmfs_file_read(struct vmfs_vol *vol, struct vmfs_inode *ip, void *buf, size_t size,
		       uint64_t off);
ssize_t vmfs_file_write(struct vmfs_vol *vol, struct vmfs_inode *ip, const void *buf,
			size_t size, uint64_t off, bool kill_priv);
int vmfs_file_write_inline(struct vmfs_vol *vol, struct vmfs_inode *ip, const void *buf,
			   size_t size);
int vmfs_file_trim_ahead(struct vmfs_vol *vol, struct vmfs_inode *ip);
int vmfs_file_truncate(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t size);
int vmfs_file_fallocate(struct vmfs_vol *vol, struct vmfs_inode *ip, int mode, uint64_t off,
			uint64_t len);
int64_t vmfs_file_seek_data(struct vmfs_vol *vol, struct vmfs_inode *ip, uint64_t off,
			    bool want_data);

#endif
