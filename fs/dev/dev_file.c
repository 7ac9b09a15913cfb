/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File backend (docs/FORMAT.md "Devices"): synchronous pread/pwrite on an
 * image file or block device, one I/O after another. Also home of the
 * flush and discard that every descriptor-backed backend shares: flush is
 * fdatasync, discard punches a hole in a file or issues BLKDISCARD on a
 * block device, and a device that cannot discard reports success (discard
 * is only a hint).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/dev/dev_priv.h"

struct file_dev {
	struct vmfs_fdev f;	/* first: see vmfs_fdev() */
};

/*
 * vmfs_pio_full - move all of @io with pread/pwrite, retrying short
 * transfers and EINTR. A read that meets end of file fills the rest with
 * zeros (the tail sector of an image whose size is not sector aligned).
 * Returns 0 or -errno; also stores it in io->result.
 */
int vmfs_pio_full(int fd, struct vmfs_dev_io *io)
{
	char *p = io->buf;
	size_t done = 0;
	ssize_t r;

	io->result = 0;
	while (done < io->len) {
		if (io->op == VMFS_IO_READ)
			r = pread(fd, p + done, io->len - done, (off_t)(io->off + done));
		else
			r = pwrite(fd, p + done, io->len - done, (off_t)(io->off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			io->result = -errno;
			break;
		}
		if (r == 0) {
			if (io->op == VMFS_IO_READ)
				memset(p + done, 0, io->len - done);
			else
				io->result = -EIO;
			break;
		}
		done += (size_t)r;
	}
	return io->result;
}

static int file_raw_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	int first = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		if (vmfs_pio_full(dev->fd, &ios[i]) && !first)
			first = ios[i].result;
	return first;
}

int vmfs_fdev_flush(struct vmfs_dev *dev)
{
	return fdatasync(dev->fd) < 0 ? -errno : 0;
}

static int discard_blockdev(struct vmfs_dev *dev, uint64_t off, uint64_t len)
{
	uint32_t ss = dev->sector_size;
	uint64_t start = (off + ss - 1) / ss * ss;
	uint64_t end = (off + len) / ss * ss;
	uint64_t range[2];

	/* Only whole sectors can be discarded; the partial ends stay as they are. */
	if (end <= start)
		return 0;
	range[0] = start;
	range[1] = end - start;
	if (ioctl(dev->fd, BLKDISCARD, range) < 0)
		return errno == EOPNOTSUPP ? 0 : -errno;
	return 0;
}

/* Returns 0 (also when the device cannot discard) or -errno. */
int vmfs_fdev_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len)
{
	struct stat st;

	if (fstat(dev->fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode))
		return discard_blockdev(dev, off, len);
	if (fallocate(dev->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
		      (off_t)len) < 0)
		return errno == EOPNOTSUPP ? 0 : -errno;
	return 0;
}

static void file_close(struct vmfs_dev *dev)
{
	struct file_dev *fd = dev->priv;

	vmfs_fdev_destroy(&fd->f);
	free(fd);
	close(dev->fd);
	free(dev);
}

static const struct vmfs_dev_ops file_ops = {
	.name = "file",
	.read = vmfs_fdev_read,
	.write = vmfs_fdev_write,
	.submit = vmfs_fdev_submit,
	.flush = vmfs_fdev_flush,
	.discard = vmfs_fdev_discard,
	.caw = vmfs_fdev_caw,
	.close = file_close,
};

/* Make @dev (fd, size, sector_size set) a file-backend device. */
int vmfs_file_attach(struct vmfs_dev *dev)
{
	struct file_dev *fd;
	int err;

	fd = calloc(1, sizeof(*fd));
	if (!fd)
		return -ENOMEM;
	err = vmfs_fdev_init(&fd->f, file_raw_submit);
	if (err) {
		free(fd);
		return err;
	}
	dev->priv = fd;
	dev->ops = &file_ops;
	return 0;
}
