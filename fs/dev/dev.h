/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Device layer: one ops table in front of every place the volume can live
 * (docs/FORMAT.md "Devices"). Backends: file (pread/pwrite, optionally
 * O_DIRECT), io_uring, libaio, RAM (tests) and a crash device that wraps
 * another device to simulate power loss. Offsets and lengths are bytes.
 * Every function returns 0 or a negative errno.
 */
#ifndef VMFS_DEV_H
#define VMFS_DEV_H

#include <stddef.h>
#include <stdint.h>

/* A compare-and-write whose compare failed; the device was not written. */
#define VMFS_EMISCOMPARE EILSEQ

enum vmfs_dev_backend {
	VMFS_DEV_AUTO = 0,	/* io_uring if the kernel allows it, else libaio, else file */
	VMFS_DEV_FILE,
	VMFS_DEV_URING,
	VMFS_DEV_AIO,
};

#define VMFS_DEV_F_DIRECT	0x1	/* O_DIRECT: no host page cache */
#define VMFS_DEV_F_RDONLY	0x2
#define VMFS_DEV_F_CREATE	0x4	/* create the image file if missing */

struct vmfs_dev_opts {
	enum vmfs_dev_backend backend;
	unsigned flags;		/* VMFS_DEV_F_* */
	uint64_t create_size;	/* with VMFS_DEV_F_CREATE: sparse size in bytes */
};

enum vmfs_io_op { VMFS_IO_READ, VMFS_IO_WRITE };

/* One element of a batch: the backend may run all of them concurrently. */
struct vmfs_dev_io {
	enum vmfs_io_op op;
	void *buf;
	size_t len;
	uint64_t off;
	int result;		/* out: 0 or negative errno */
};

struct vmfs_dev;

struct vmfs_dev_ops {
	const char *name;	/* "file", "uring", "aio", "ram", "crash" */
	int (*read)(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off);
	int (*write)(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off);
	/* Run @n I/Os, possibly in parallel; returns the first error or 0. */
	int (*submit)(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n);
	/* Make every completed write durable (fdatasync / FLUSH CACHE). */
	int (*flush)(struct vmfs_dev *dev);
	/* Hint that the range is unused; contents afterwards are unspecified. */
	int (*discard)(struct vmfs_dev *dev, uint64_t off, uint64_t len);
	/*
	 * Atomically: if the @len bytes at @off equal @expect, write @newdata.
	 * @len is a multiple of sector_size. On a miscompare returns
	 * -VMFS_EMISCOMPARE and, when @current is not NULL, fills it with
	 * what the device holds. Atomic against every other process using
	 * caw on the same device (OFD lock for files, SCSI COMPARE AND WRITE
	 * for iSCSI).
	 */
	int (*caw)(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		   const void *newdata, void *current);
	void (*close)(struct vmfs_dev *dev);
};

struct vmfs_dev {
	const struct vmfs_dev_ops *ops;
	uint64_t size;		/* bytes */
	uint32_t sector_size;	/* logical block: alignment for O_DIRECT and unit of caw */
	unsigned flags;		/* VMFS_DEV_F_* in effect */
	int fd;			/* backing descriptor, -1 if none */
	char path[256];
	void *priv;		/* backend state */
};

/*
 * vmfs_dev_open - open @path (image file or block device) with @opts.
 * Any buffer alignment and any offset/length are accepted by every backend
 * (an O_DIRECT backend bounces and read-modify-writes internally).
 */
int vmfs_dev_open(const char *path, const struct vmfs_dev_opts *opts, struct vmfs_dev **out);
/* RAM device of @size bytes, zero filled; @sector_size 512 or 4096. */
int vmfs_dev_ram_open(uint64_t size, uint32_t sector_size, struct vmfs_dev **out);

/* Crash device (tests): wraps @inner, which it owns from then on. */
struct vmfs_crash_params {
	uint64_t crash_after_writes;	/* crash when this many writes were issued; 0 never */
	uint64_t fail_io_n;		/* the Nth I/O (1-based) returns -EIO; 0 never */
	unsigned seed;			/* randomness for which unflushed writes survive */
	unsigned flags;			/* VMFS_CRASH_* */
};
#define VMFS_CRASH_DROP_UNFLUSHED	0x1	/* lose all writes since the last flush */
#define VMFS_CRASH_REORDER		0x2	/* keep a random subset of them */
#define VMFS_CRASH_TEAR_LAST		0x4	/* last write lands only partly, by sector */
int vmfs_dev_crash_open(struct vmfs_dev *inner, const struct vmfs_crash_params *p,
			struct vmfs_dev **out);
/* True once the crash point was reached: every I/O now fails with -EIO. */
int vmfs_dev_crash_crashed(struct vmfs_dev *dev);
/*
 * Apply the power-loss outcome to the inner device (per the flags) and
 * detach it: returns the inner device, and closes the crash device.
 */
struct vmfs_dev *vmfs_dev_crash_settle(struct vmfs_dev *dev);

/* Convenience wrappers over dev->ops. */
int vmfs_dev_read(struct vmfs_dev *dev, void *buf, size_t len, uint64_t off);
int vmfs_dev_write(struct vmfs_dev *dev, const void *buf, size_t len, uint64_t off);
int vmfs_dev_submit(struct vmfs_dev *dev, struct vmfs_dev_io *ios, unsigned n);
int vmfs_dev_flush(struct vmfs_dev *dev);
int vmfs_dev_discard(struct vmfs_dev *dev, uint64_t off, uint64_t len);
int vmfs_dev_caw(struct vmfs_dev *dev, uint64_t off, size_t len, const void *expect,
		 const void *newdata, void *current);
void vmfs_dev_close(struct vmfs_dev *dev);
const char *vmfs_dev_backend_name(const struct vmfs_dev *dev);
/* Parse "auto", "file", "uring", "aio"; returns -EINVAL otherwise. */
int vmfs_dev_backend_parse(const char *s, enum vmfs_dev_backend *out);

#endif
