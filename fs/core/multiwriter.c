// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Multi-writer files (docs/LOCKING.md "Multi-writer files"): the flag that
 * lets up to 32 hosts have a file open for writing at once, as clustered
 * applications (a shared quorum disk, a cluster filesystem inside VMs) need.
 * Only a file whose every block is allocated and written may carry it, and
 * while it does its extent map, size and attributes do not change: hosts
 * write data into blocks that are already there and touch no metadata, so
 * no host's copy of the descriptor goes stale. Set and cleared through the
 * xattr VMFS_XATTR_MULTIWRITER ("1" / "0").
 */
#include <stdint.h>
#include <sys/stat.h>

#include "fs/core/cluster.h"

struct coverage {
	uint64_t next;		/* first logical mblock not yet seen written */
};

static int covered(void *arg, const struct vmfs_extent *e)
{
	struct coverage *c = arg;

	if (e->lstart != c->next || (e->flags & VMFS_EXT_UNWRITTEN))
		return -EINVAL;	/* a hole or an unwritten extent */
	c->next = e->lstart + e->len;
	return 0;
}

/* Is every mblock of @ip up to its size in a written extent? 0 or -EINVAL. */
static int fully_written(struct vmfs_vol *vol, struct vmfs_inode *ip)
{
	struct coverage c = { 0 };
	int err;

	if (!S_ISREG(ip->d.mode) || ip->d.data_fmt != VMFS_FMT_BTREE || ip->d.size == 0)
		return -EINVAL;
	err = vmfs_ext_walk(vol, ip, covered, &c, NULL);
	if (!err && c.next < vmfs_div_up(ip->d.size, VMFS_MBLOCK_SIZE))
		err = -EINVAL;
	return err;
}

/*
 * Under vmfs_vol_lock: set (@on) or clear the multi-writer flag of @ip.
 * The file must not be open on any host (-EBUSY); setting needs every
 * block allocated and written (-EINVAL: write or zero it first, as VMware
 * wants an eager-zeroed disk).
 */
int vmfs_multiwriter_set(struct vmfs_vol *vol, struct vmfs_inode *ip, bool on)
{
	int err;

	if (!S_ISREG(ip->d.mode))
		return -EINVAL;
	if (on == vmfs_is_multiwriter(ip))
		return 0;
	if (ip->nopen)
		return -EBUSY;
	err = vmfs_cluster_may_change(vol, ip);
	if (!err && on)
		err = fully_written(vol, ip);
	if (err)
		return err;
	if (on)
		ip->d.flags |= VMFS_DESC_F_MULTIWRITER;
	else
		ip->d.flags &= ~(uint32_t)VMFS_DESC_F_MULTIWRITER;
	vmfs_inode_touch(ip, false, false, true);
	vmfs_inode_dirty(vol, ip);
	return 0;
}
