/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Compare-and-write for descriptor-backed devices (docs/FORMAT.md
 * "Devices", the emulation of SCSI COMPARE AND WRITE): an OFD write lock
 * on exactly [off, off + len) excludes other processes on this machine,
 * and a per-device mutex excludes other threads sharing our open file
 * description, which the OFD lock does not. Inside both, read, compare and
 * write. Processes on other machines are not excluded: a volume shared
 * between hosts needs a device with a real COMPARE AND WRITE.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/dev/dev_priv.h"

static int ofd_lock(int fd, short type, uint64_t off, size_t len)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = (off_t)off;
	fl.l_len = (off_t)len;
	fl.l_pid = 0;		/* required for OFD locks */
	while (fcntl(fd, type == F_UNLCK ? F_OFD_SETLK : F_OFD_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/*
 * compare_and_write - the body, run with both locks held.
 * Returns 0, -VMFS_EMISCOMPARE (with @current filled if not NULL) or -errno.
 */
static int compare_and_write(struct vmfs_dev *dev, uint64_t off, size_t len,
			     const void *expect, const void *newdata, void *current)
{
	void *now;
	int err;

	now = malloc(len);
	if (!now)
		return -ENOMEM;
	err = vmfs_fdev_read(dev, now, len, off);
	if (err)
		goto out;
	if (memcmp(now, expect, len)) {
		if (current)
			memcpy(current, now, len);
		err = -VMFS_EMISCOMPARE;
		goto out;
	}
	err = vmfs_fdev_write(dev, newdata, len, off);
	/*
	 * A buffered write is visible to every process here through the page
	 * cache at once; an O_DIRECT one may sit in a volatile device cache,
	 * so make it durable before anyone can act on it.
	 */
	if (!err && (dev->flags & VMFS_DEV_F_DIRECT))
		err = vmfs_fdev_flush(dev);
out:
	free(now);
	return err;
}

/*
 * vmfs_fdev_caw - see struct vmfs_dev_ops.caw. Returns 0, -VMFS_EMISCOMPARE
 * or -errno; leaves nothing locked.
 */
int vmfs_fdev_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		  const void *newdata, void *current)
{
	struct vmfs_fdev *f = vmfs_fdev(dev);
	int err, uerr;

	pthread_mutex_lock(&f->caw_lock);
	err = ofd_lock(dev->fd, F_WRLCK, off, len);
	if (err)
		goto out_mutex;
	err = compare_and_write(dev, off, len, expect, newdata, current);
	uerr = ofd_lock(dev->fd, F_UNLCK, off, len);
	if (!err)
		err = uerr;
out_mutex:
	pthread_mutex_unlock(&f->caw_lock);
	return err;
}
