/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Opening a device and the calls every user goes through (docs/FORMAT.md
 * "Devices"): vmfs_dev_open() opens the image file or block device, learns
 * its size and logical sector size, and hands it to the backend chosen by
 * the options (AUTO: io_uring, else libaio, else plain file I/O). The
 * vmfs_dev_* wrappers check ranges and read-only mode once, here, so the
 * backends only see valid requests.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/dev/dev.h"
#include "fs/dev/dev_priv.h"

#define VMFS_DIRECT_FALLBACK_SECTOR 4096	/* when the kernel cannot tell */

/*
 * open_image - open @path per @opts; sets *@created when this call made
 * the file (so a failed open can remove it again).
 * Returns the descriptor or -errno.
 */
static int open_image(const char *path, const struct vmfs_dev_opts *opts, int *created)
{
	int oflags = O_CLOEXEC;
	int fd, err;

	*created = 0;
	oflags |= (opts->flags & VMFS_DEV_F_RDONLY) ? O_RDONLY : O_RDWR;
	if (opts->flags & VMFS_DEV_F_DIRECT)
		oflags |= O_DIRECT;
	fd = open(path, oflags);
	if (fd >= 0 || errno != ENOENT || !(opts->flags & VMFS_DEV_F_CREATE))
		return fd >= 0 ? fd : -errno;
	if (!opts->create_size)
		return -EINVAL;
	fd = open(path, oflags | O_CREAT | O_EXCL, 0666);
	if (fd < 0 && errno == EEXIST)		/* lost a race with another creator */
		fd = open(path, oflags);
	else if (fd >= 0)
		*created = 1;
	if (fd < 0)
		return -errno;
	if (*created && ftruncate(fd, (off_t)opts->create_size) < 0)
		goto out_unlink;
	return fd;

out_unlink:
	err = -errno;
	close(fd);
	unlink(path);
	*created = 0;
	return err;
}

/* O_DIRECT alignment of a regular file, from statx when the kernel has it. */
static uint32_t file_direct_align(int fd)
{
#ifdef STATX_DIOALIGN
	struct statx stx;
	uint32_t a;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
		a = stx.stx_dio_offset_align;
		if (stx.stx_dio_mem_align > a)
			a = stx.stx_dio_mem_align;
		if (a >= 512 && a <= 65536 && !(a & (a - 1)))
			return a;
	}
#else
	(void)fd;
#endif
	return VMFS_DIRECT_FALLBACK_SECTOR;
}

/*
 * probe_geometry - fill dev->size and dev->sector_size from dev->fd.
 * Returns 0, -EINVAL for something that is neither a file nor a block
 * device, or the ioctl's error.
 */
static int probe_geometry(struct vmfs_dev *dev)
{
	struct stat st;
	uint64_t size;
	int ssz;

	if (fstat(dev->fd, &st) < 0)
		return -errno;
	if (S_ISBLK(st.st_mode)) {
		if (ioctl(dev->fd, BLKGETSIZE64, &size) < 0 ||
		    ioctl(dev->fd, BLKSSZGET, &ssz) < 0)
			return -errno;
		dev->size = size;
		dev->sector_size = (uint32_t)ssz;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	dev->sector_size = (dev->flags & VMFS_DEV_F_DIRECT) ? file_direct_align(dev->fd) : 512;
	dev->size = (uint64_t)st.st_size;
	/* O_DIRECT moves whole sectors: a partial last one would be written
	 * whole by read-modify-write and grow the file, so leave it out. */
	if (dev->flags & VMFS_DEV_F_DIRECT)
		dev->size -= dev->size % dev->sector_size;
	return 0;
}

static int attach_backend(struct vmfs_dev *dev, enum vmfs_dev_backend backend)
{
	int err;

	switch (backend) {
	case VMFS_DEV_FILE:
		return vmfs_file_attach(dev);
	case VMFS_DEV_URING:
		return vmfs_uring_attach(dev);
	case VMFS_DEV_AIO:
		return vmfs_aio_attach(dev);
	case VMFS_DEV_AUTO:
		err = vmfs_uring_attach(dev);
		if (err)
			err = vmfs_aio_attach(dev);
		if (err)
			err = vmfs_file_attach(dev);
		return err;
	}
	return -EINVAL;
}

int vmfs_dev_open(const char *path, const struct vmfs_dev_opts *opts, struct vmfs_dev **out)
{
	struct vmfs_dev_opts none = { 0 };
	struct vmfs_dev *dev;
	int created = 0;
	int err;

	if (!opts)
		opts = &none;
	if ((opts->flags & VMFS_DEV_F_RDONLY) && (opts->flags & VMFS_DEV_F_CREATE))
		return -EINVAL;
	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	/* dev->path only labels messages: a truncated copy is harmless. */
	strncpy(dev->path, path, sizeof(dev->path) - 1);
	dev->flags = opts->flags & (VMFS_DEV_F_DIRECT | VMFS_DEV_F_RDONLY);
	dev->fd = open_image(path, opts, &created);
	if (dev->fd < 0) {
		err = dev->fd;
		goto out_free;
	}
	err = probe_geometry(dev);
	if (err)
		goto out_close;
	err = attach_backend(dev, opts->backend);
	if (err)
		goto out_close;
	*out = dev;
	return 0;

out_close:
	close(dev->fd);
	if (created)
		unlink(path);
out_free:
	free(dev);
	return err;
}

/* 0 when [off, off + len) lies inside the device. */
static int check_range(const struct vmfs_dev *dev, size_t len, uint64_t off)
{
	if (off > dev->size || len > dev->size - off)
		return -EINVAL;
	return 0;
}

int vmfs_dev_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off)
{
	int err = check_range(dev, len, off);

	if (err || !len)
		return err;
	return dev->ops->read(dev, buf, len, off);
}

int vmfs_dev_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off)
{
	int err = check_range(dev, len, off);

	if (!err && (dev->flags & VMFS_DEV_F_RDONLY))
		err = -EROFS;
	if (err || !len)
		return err;
	return dev->ops->write(dev, buf, len, off);
}

/*
 * vmfs_dev_submit_loop - run a batch one I/O at a time through ->read and
 * ->write, for backends without a ->submit of their own. Every I/O runs;
 * returns the first error.
 */
int vmfs_dev_submit_loop(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	int first = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct vmfs_dev_io *io = &ios[i];

		if (io->op == VMFS_IO_READ)
			io->result = dev->ops->read(dev, io->buf, io->len, io->off);
		else
			io->result = dev->ops->write(dev, io->buf, io->len, io->off);
		if (io->result && !first)
			first = io->result;
	}
	return first;
}

/*
 * vmfs_dev_submit - run @n I/Os. A batch with an invalid element (out of
 * range, unknown op, write on a read-only device) runs nothing: the bad
 * elements get their error, the others -ECANCELED. Otherwise returns the
 * first error and every ->result is set.
 */
int vmfs_dev_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n)
{
	int first = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		struct vmfs_dev_io *io = &ios[i];

		io->result = check_range(dev, io->len, io->off);
		if (io->op != VMFS_IO_READ && io->op != VMFS_IO_WRITE)
			io->result = -EINVAL;
		else if (io->op == VMFS_IO_WRITE && (dev->flags & VMFS_DEV_F_RDONLY))
			io->result = -EROFS;
		if (io->result && !first)
			first = io->result;
	}
	if (first) {
		for (i = 0; i < n; i++)
			if (!ios[i].result)
				ios[i].result = -ECANCELED;
		return first;
	}
	if (!n)
		return 0;
	if (dev->ops->submit)
		return dev->ops->submit(dev, ios, n);
	return vmfs_dev_submit_loop(dev, ios, n);
}

int vmfs_dev_flush(struct vmfs_dev *dev)
{
	if (dev->flags & VMFS_DEV_F_RDONLY)
		return 0;
	return dev->ops->flush(dev);
}

int vmfs_dev_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len)
{
	int err = check_range(dev, len, off);

	if (!err && (dev->flags & VMFS_DEV_F_RDONLY))
		err = -EROFS;
	if (err || !len || !dev->ops->discard)
		return err;
	return dev->ops->discard(dev, off, len);
}

int vmfs_dev_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		 const void *newdata, void *current)
{
	int err = check_range(dev, len, off);

	if (!err && !len)
		err = -EINVAL;
	if (!err && (dev->flags & VMFS_DEV_F_RDONLY))
		err = -EROFS;
	if (!err && !dev->ops->caw)
		err = -EOPNOTSUPP;
	if (err)
		return err;
	return dev->ops->caw(dev, off, len, expect, newdata, current);
}

void vmfs_dev_close(struct vmfs_dev *dev)
{
	if (dev)
		dev->ops->close(dev);
}

const char *vmfs_dev_backend_name(const struct vmfs_dev *dev)
{
	return dev->ops->name;
}

int vmfs_dev_backend_parse(const char *s, enum vmfs_dev_backend *out)
{
	static const struct {
		const char *name;
		enum vmfs_dev_backend backend;
	} names[] = {
		{ "auto", VMFS_DEV_AUTO },
		{ "file", VMFS_DEV_FILE },
		{ "uring", VMFS_DEV_URING },
		{ "aio", VMFS_DEV_AIO },
	};
	size_t i;

	for (i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*out = names[i].backend;
			return 0;
		}
	}
	return -EINVAL;
}
