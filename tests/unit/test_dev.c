/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the device layer (fs/dev/dev.h, docs/FORMAT.md "Devices"):
 * the same cases run against every backend (file, io_uring and libaio,
 * each buffered and O_DIRECT, and the RAM device): round trips at any
 * alignment, batches, size detection, sparse creation, discard, caw and its
 * atomicity between threads and between processes, and concurrent
 * unaligned writes into one sector. A separate suite covers the crash
 * device. Image files live in a mkdtemp directory under $VMFS_TEST_TMPDIR
 * (or $TMPDIR, or /tmp) that is removed at the end; backends the kernel
 * does not offer are reported as skipped.
 */
#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libaio.h>
#include <liburing.h>
#include <limits.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs/dev/dev.h"

#define MIB (1024u * 1024u)

struct backend_cfg {
	const char *suite;
	const char *expect_name;	/* what vmfs_dev_backend_name must say */
	enum vmfs_dev_backend backend;
	unsigned flags;
	int ram;
};

static const struct backend_cfg cfgs[] = {
	{ "file", "file", VMFS_DEV_FILE, 0, 0 },
	{ "file-direct", "file", VMFS_DEV_FILE, VMFS_DEV_F_DIRECT, 0 },
	{ "uring", "uring", VMFS_DEV_URING, 0, 0 },
	{ "uring-direct", "uring", VMFS_DEV_URING, VMFS_DEV_F_DIRECT, 0 },
	{ "aio", "aio", VMFS_DEV_AIO, 0, 0 },
	{ "aio-direct", "aio", VMFS_DEV_AIO, VMFS_DEV_F_DIRECT, 0 },
	{ "ram", "ram", VMFS_DEV_AUTO, 0, 1 },
};
#define NCFGS (sizeof(cfgs) / sizeof(cfgs[0]))

static char tmpdir[1024];
static const struct backend_cfg *cur;	/* set by each backend suite's init */
static unsigned img_seq;
static int have_punch;			/* the temp filesystem can punch holes */

/* ---- helpers ---------------------------------------------------------- */

static void fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (unsigned char)((i * 131 + seed * 7919 + (i >> 8)) ^ (seed >> 3));
}

static int all_byte(const void *buf, size_t len, unsigned char v)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != v)
			return 0;
	return 1;
}

static void *xalloc_aligned(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 4096, len ? len : 1))
		return NULL;
	memset(p, 0, len);
	return p;
}

static void new_path(char *path, size_t sz)
{
	snprintf(path, sz, "%s/img-%u", tmpdir, img_seq++);
}

/* Open a fresh device of the current backend; @path gets the image name. */
static struct vmfs_dev *open_cur(uint64_t size, char *path, size_t pathsz)
{
	struct vmfs_dev_opts o = { cur->backend, cur->flags | VMFS_DEV_F_CREATE, size };
	struct vmfs_dev *dev = NULL;
	int err;

	path[0] = 0;
	if (cur->ram)
		err = vmfs_dev_ram_open(size, 512, &dev);
	else {
		new_path(path, pathsz);
		err = vmfs_dev_open(path, &o, &dev);
	}
	CU_ASSERT_EQUAL_FATAL(err, 0);
	CU_ASSERT_STRING_EQUAL(vmfs_dev_backend_name(dev), cur->expect_name);
	CU_ASSERT_EQUAL(dev->size, size);
	return dev;
}

static void close_cur(struct vmfs_dev *dev, const char *path)
{
	vmfs_dev_close(dev);
	if (path[0])
		unlink(path);
}

static void remove_tmpdir(void)
{
	char p[sizeof(tmpdir) + 300];
	struct dirent *de;
	DIR *d;

	d = opendir(tmpdir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", tmpdir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

/* ---- backend tests ---------------------------------------------------- */

static void t_roundtrip_aligned(void)
{
	static const size_t lens[] = { 512, 4096, 8192, 65536 };
	const uint64_t size = MIB;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	unsigned char *w = xalloc_aligned(65536), *r = xalloc_aligned(65536);
	size_t li;

	CU_ASSERT_FATAL(w && r);
	for (li = 0; li < 4; li++) {
		uint64_t offs[] = { 0, 4096, 3 * 4096, size - lens[li] };
		size_t oi;

		for (oi = 0; oi < 4; oi++) {
			fill(w, lens[li], (unsigned)(li * 10 + oi));
			memset(r, 0xee, lens[li]);
			CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, lens[li], offs[oi]), 0);
			CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, lens[li], offs[oi]), 0);
			CU_ASSERT(memcmp(w, r, lens[li]) == 0);
		}
	}
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	free(w);
	free(r);
	close_cur(dev, path);
}

/* Random unaligned writes and reads against an in-memory model. */
static void t_roundtrip_unaligned(void)
{
	const uint64_t size = MIB;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	unsigned char *model = calloc(1, size), *buf = malloc(40000 + 16);
	unsigned char *all = malloc(size + 3);
	unsigned seed = 12345;
	int i, bad = 0;

	CU_ASSERT_FATAL(model && buf && all);
	for (i = 0; i < 300; i++) {
		uint64_t off = (uint64_t)rand_r(&seed) % (size - 1);
		size_t maxlen = size - off < 20000 ? (size_t)(size - off) : 20000;
		size_t len = 1 + (size_t)rand_r(&seed) % maxlen;
		unsigned char *p = buf + rand_r(&seed) % 16;

		fill(p, len, (unsigned)i);
		if (vmfs_dev_write(dev, p, len, off))
			bad++;
		memcpy(model + off, p, len);

		off = (uint64_t)rand_r(&seed) % (size - 1);
		maxlen = size - off < 40000 ? (size_t)(size - off) : 40000;
		len = 1 + (size_t)rand_r(&seed) % maxlen;
		p = buf + rand_r(&seed) % 16;
		if (vmfs_dev_read(dev, p, len, off) || memcmp(p, model + off, len))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, all + 3, size, 0), 0);
	CU_ASSERT(memcmp(all + 3, model, size) == 0);
	free(all);
	free(buf);
	free(model);
	close_cur(dev, path);
}

/* 200 I/Os in one batch (more than a ring holds), mixed alignment. */
static void t_submit_batch(void)
{
	enum { N = 200, REGION = 4096, STRIDE = REGION + 16 };
	const uint64_t size = N * REGION;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	struct vmfs_dev_io ios[N + 1];
	unsigned char *wbuf = xalloc_aligned(N * STRIDE), *rbuf = xalloc_aligned(N * STRIDE);
	unsigned char *model = calloc(1, size), *all = xalloc_aligned(size);
	int i, bad = 0;

	CU_ASSERT_FATAL(wbuf && rbuf && model && all);
	for (i = 0; i < N; i++) {
		size_t head = (size_t)(i % 7) * 13, tail = (size_t)(i % 5) * 7;

		ios[i].op = VMFS_IO_WRITE;
		ios[i].off = (uint64_t)i * REGION + head;
		ios[i].len = REGION - head - tail;
		ios[i].buf = wbuf + ((size_t)i * STRIDE) + (size_t)(i % 3);
		ios[i].result = 1;
		fill(ios[i].buf, ios[i].len, (unsigned)i + 1);
		memcpy(model + ios[i].off, ios[i].buf, ios[i].len);
	}
	ios[N] = (struct vmfs_dev_io){ VMFS_IO_WRITE, wbuf, 0, 0, 1 };	/* empty I/O */
	CU_ASSERT_EQUAL(vmfs_dev_submit(dev, ios, N + 1), 0);
	for (i = 0; i <= N; i++)
		if (ios[i].result)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);

	for (i = 0; i < N; i++) {
		ios[i].op = VMFS_IO_READ;
		ios[i].buf = rbuf + ((size_t)i * STRIDE) + (size_t)((i + 1) % 3);
		ios[i].result = 1;
	}
	CU_ASSERT_EQUAL(vmfs_dev_submit(dev, ios, N), 0);
	for (i = 0; i < N; i++)
		if (ios[i].result || memcmp(ios[i].buf, model + ios[i].off, ios[i].len))
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, all, size, 0), 0);
	CU_ASSERT(memcmp(all, model, size) == 0);
	free(all);
	free(model);
	free(rbuf);
	free(wbuf);
	close_cur(dev, path);
}

static void t_size_detect(void)
{
	struct vmfs_dev_opts o = { cur->backend, cur->flags, 0 };
	struct vmfs_dev *dev = NULL;
	char path[PATH_MAX];
	int fd;

	if (cur->ram) {
		CU_ASSERT_EQUAL_FATAL(vmfs_dev_ram_open(3 * MIB, 4096, &dev), 0);
		CU_ASSERT_EQUAL(dev->size, 3 * MIB);
		CU_ASSERT_EQUAL(dev->sector_size, 4096);
		vmfs_dev_close(dev);
		CU_ASSERT_EQUAL(vmfs_dev_ram_open(MIB, 1000, &dev), -EINVAL);
		return;
	}
	new_path(path, sizeof(path));
	CU_ASSERT_EQUAL(vmfs_dev_open(path, &o, &dev), -ENOENT);	/* no CREATE */
	fd = open(path, O_CREAT | O_RDWR, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(ftruncate(fd, 3 * MIB), 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &dev), 0);
	CU_ASSERT_EQUAL(dev->size, 3 * MIB);
	if (cur->flags & VMFS_DEV_F_DIRECT) {
		CU_ASSERT(dev->sector_size >= 512 && dev->sector_size <= 65536);
		CU_ASSERT_EQUAL(dev->sector_size & (dev->sector_size - 1), 0);
		CU_ASSERT(dev->flags & VMFS_DEV_F_DIRECT);
	} else {
		CU_ASSERT_EQUAL(dev->sector_size, 512);
	}
	vmfs_dev_close(dev);

	/* A size that is not a whole number of sectors. */
	fd = open(path, O_RDWR);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(ftruncate(fd, 3 * MIB + 100), 0);
	CU_ASSERT_EQUAL(pwrite(fd, "tail", 4, 3 * MIB + 96), 4);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &dev), 0);
	if (cur->flags & VMFS_DEV_F_DIRECT) {
		CU_ASSERT_EQUAL(dev->size, 3 * MIB);	/* whole sectors only */
	} else {
		char tail[8] = { 0 };

		CU_ASSERT_EQUAL(dev->size, 3 * MIB + 100);
		CU_ASSERT_EQUAL(vmfs_dev_read(dev, tail, 4, 3 * MIB + 96), 0);
		CU_ASSERT(memcmp(tail, "tail", 4) == 0);
		CU_ASSERT_EQUAL(vmfs_dev_write(dev, "TAIL", 4, 3 * MIB + 96), 0);
		CU_ASSERT_EQUAL(vmfs_dev_read(dev, tail, 8, 3 * MIB + 92), 0);
		CU_ASSERT(memcmp(tail, "\0\0\0\0TAIL", 8) == 0);
	}
	vmfs_dev_close(dev);
	unlink(path);
}

static void t_create_sparse(void)
{
	const uint64_t size = 64 * MIB;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	unsigned char *buf = xalloc_aligned(65536);
	struct stat st;

	CU_ASSERT_FATAL(buf != NULL);
	memset(buf, 0x5a, 65536);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 65536, 32 * MIB), 0);
	CU_ASSERT(all_byte(buf, 65536, 0));
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 1000, size - 1000), 0);
	CU_ASSERT(all_byte(buf, 1000, 0));
	if (!cur->ram) {
		CU_ASSERT_EQUAL_FATAL(stat(path, &st), 0);
		CU_ASSERT_EQUAL(st.st_size, (off_t)size);
		CU_ASSERT(st.st_blocks * 512 < MIB);	/* sparse */
	}
	free(buf);
	close_cur(dev, path);
}

static void t_discard(void)
{
	const uint64_t size = 256 * 1024;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	unsigned char *w = malloc(size), *r = malloc(size);
	int must_zero = cur->ram || have_punch;

	CU_ASSERT_FATAL(w && r);
	fill(w, size, 77);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, size, 0), 0);
	CU_ASSERT_EQUAL(vmfs_dev_discard(dev, 65536, 65536), 0);
	CU_ASSERT_EQUAL(vmfs_dev_discard(dev, 200001, 5000), 0);	/* unaligned */
	CU_ASSERT_EQUAL(vmfs_dev_discard(dev, size - 512, 1024), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, size, 0), 0);
	CU_ASSERT(memcmp(r, w, 65536) == 0);
	CU_ASSERT(memcmp(r + 131072, w + 131072, 200001 - 131072) == 0);
	CU_ASSERT(memcmp(r + 205001, w + 205001, size - 205001) == 0);
	if (must_zero) {
		CU_ASSERT(all_byte(r + 65536, 65536, 0));
		CU_ASSERT(all_byte(r + 200001, 5000, 0));
	} else {	/* contents unspecified: old data or zeros */
		CU_ASSERT(all_byte(r + 65536, 65536, 0) || !memcmp(r + 65536, w + 65536, 65536));
	}
	free(w);
	free(r);
	close_cur(dev, path);
}

static void t_bounds(void)
{
	const uint64_t size = 64 * 1024;
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(size, path, sizeof(path));
	unsigned char buf[4096] = { 0 };
	struct vmfs_dev_io ios[2] = {
		{ VMFS_IO_READ, buf, 512, 0, 1 },
		{ VMFS_IO_WRITE, buf, 1024, size - 512, 1 },
	};

	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 20, size - 10), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, buf, 20, size - 10), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 1, UINT64_MAX), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 10, size - 10), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf, 0, size), 0);
	CU_ASSERT_EQUAL(vmfs_dev_submit(dev, ios, 2), -EINVAL);
	CU_ASSERT_EQUAL(ios[0].result, -ECANCELED);
	CU_ASSERT_EQUAL(ios[1].result, -EINVAL);
	close_cur(dev, path);
}

static void t_rdonly(void)
{
	struct vmfs_dev_opts o = { cur->backend, cur->flags | VMFS_DEV_F_RDONLY, 0 };
	unsigned char *buf = xalloc_aligned(4096), *buf2 = xalloc_aligned(4096);
	struct vmfs_dev *dev;
	char path[PATH_MAX];

	CU_ASSERT_FATAL(buf && buf2);
	dev = open_cur(MIB, path, sizeof(path));
	fill(buf, 4096, 3);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, buf, 4096, 8192), 0);
	vmfs_dev_close(dev);
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, buf2, 4096, 8192), 0);
	CU_ASSERT(memcmp(buf, buf2, 4096) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, buf, 4096, 0), -EROFS);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, 8192, 4096, buf, buf2, NULL), -EROFS);
	CU_ASSERT_EQUAL(vmfs_dev_discard(dev, 0, 4096), -EROFS);
	vmfs_dev_close(dev);
	o.flags |= VMFS_DEV_F_CREATE;
	CU_ASSERT_EQUAL(vmfs_dev_open(path, &o, &dev), -EINVAL);
	unlink(path);
	free(buf);
	free(buf2);
}

static void t_caw(void)
{
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(MIB, path, sizeof(path));
	size_t ss = dev->sector_size;
	uint64_t off = 5 * ss;
	unsigned char *a = malloc(ss + 1), *b = malloc(ss + 1), *c = malloc(ss + 1);
	unsigned char *cur_ = malloc(ss), *r = malloc(ss);

	CU_ASSERT_FATAL(a && b && c && cur_ && r);
	fill(a, ss, 1);
	fill(b, ss, 2);
	fill(c, ss, 3);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, a, ss, off), 0);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, off, ss, a, b, NULL), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, ss, off), 0);
	CU_ASSERT(memcmp(r, b, ss) == 0);

	memset(cur_, 0, ss);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, off, ss, a, c, cur_), -VMFS_EMISCOMPARE);
	CU_ASSERT(memcmp(cur_, b, ss) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, ss, off), 0);
	CU_ASSERT(memcmp(r, b, ss) == 0);		/* unchanged */
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, off, ss, a, c, NULL), -VMFS_EMISCOMPARE);

	/* Unaligned buffers work too. */
	memmove(b + 1, b, ss);
	memmove(c + 1, c, ss);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, off, ss, b + 1, c + 1, NULL), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, ss, off), 0);
	CU_ASSERT(memcmp(r, c + 1, ss) == 0);
	/* Neighbours untouched. */
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, ss, off - ss), 0);
	CU_ASSERT(all_byte(r, ss, 0));

	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, off, 0, a, b, NULL), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, MIB - ss / 2, ss, a, b, NULL), -EINVAL);
	free(a);
	free(b);
	free(c);
	free(cur_);
	free(r);
	close_cur(dev, path);
}

/*
 * Increment the 64-bit counter at the start of sector @off with caw, @n
 * times. Returns 0, or -1 on an unexpected error.
 */
static int caw_increment(struct vmfs_dev *dev, uint64_t off, int n)
{
	size_t ss = dev->sector_size;
	unsigned char *expect = calloc(1, ss), *next = calloc(1, ss), *now = calloc(1, ss);
	int i, err = 0;

	if (!expect || !next || !now) {
		err = -1;
		goto out;
	}
	if (vmfs_dev_read(dev, expect, ss, off)) {
		err = -1;
		goto out;
	}
	for (i = 0; i < n && !err;) {
		uint64_t v;
		int r;

		memcpy(&v, expect, 8);
		v++;
		memcpy(next, expect, ss);
		memcpy(next, &v, 8);
		r = vmfs_dev_caw(dev, off, ss, expect, next, now);
		if (r == 0) {
			memcpy(expect, next, ss);
			i++;
		} else if (r == -VMFS_EMISCOMPARE) {
			memcpy(expect, now, ss);
		} else {
			err = -1;
		}
	}
out:
	free(expect);
	free(next);
	free(now);
	return err;
}

struct caw_thread_arg {
	struct vmfs_dev *dev;
	int n;
	int err;
};

static void *caw_thread(void *p)
{
	struct caw_thread_arg *a = p;

	a->err = caw_increment(a->dev, 3 * (uint64_t)a->dev->sector_size, a->n);
	return NULL;
}

static void t_caw_threads(void)
{
	enum { T = 4, N = 150 };
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(MIB, path, sizeof(path));
	struct caw_thread_arg args[T];
	pthread_t th[T];
	uint64_t v = 0;
	int i;

	for (i = 0; i < T; i++) {
		args[i] = (struct caw_thread_arg){ dev, N, 0 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, caw_thread, &args[i]), 0);
	}
	for (i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(args[i].err, 0);
	}
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, &v, 8, 3 * (uint64_t)dev->sector_size), 0);
	CU_ASSERT_EQUAL(v, (uint64_t)T * N);
	close_cur(dev, path);
}

/* Two processes, each with its own open of the image, increment one counter. */
static void t_caw_processes(void)
{
	enum { P = 2, N = 200 };
	struct vmfs_dev_opts o = { cur->backend, cur->flags, 0 };
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(MIB, path, sizeof(path));
	uint64_t off = 7 * (uint64_t)dev->sector_size;
	pid_t pid[P];
	uint64_t v = 0;
	int i, status;

	fflush(NULL);
	for (i = 0; i < P; i++) {
		pid[i] = fork();
		CU_ASSERT_FATAL(pid[i] >= 0);
		if (pid[i] == 0) {
			struct vmfs_dev *mine;
			int err = vmfs_dev_open(path, &o, &mine);

			if (!err)
				err = caw_increment(mine, off, N);
			if (!err)
				vmfs_dev_close(mine);
			_exit(err ? 1 : 0);
		}
	}
	for (i = 0; i < P; i++) {
		CU_ASSERT_EQUAL(waitpid(pid[i], &status, 0), pid[i]);
		CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, &v, 8, off), 0);
	CU_ASSERT_EQUAL(v, (uint64_t)P * N);
	close_cur(dev, path);
}

/*
 * Threads write disjoint bytes of the same few sectors; thread 0 straddles
 * each sector boundary. On O_DIRECT every write is a read-modify-write of a
 * whole sector, so a missing lock shows up as lost bytes.
 */
enum { UW_THREADS = 8, UW_SECTORS = 4, UW_ITERS = 300 };

struct uw_arg {
	struct vmfs_dev *dev;
	int t;
	int err;
};

static void uw_span(const struct vmfs_dev *dev, int t, int s, uint64_t *off, size_t *len)
{
	uint64_t ss = dev->sector_size;

	if (t == 0) {		/* 2 bytes at the end of sector s, 2 at the start of s+1 */
		*off = (uint64_t)(s + 1) * ss - 2;
		*len = 4;
	} else {
		*off = (uint64_t)s * ss + 16 + (uint64_t)t * 3;
		*len = 3;
	}
}

static unsigned char uw_value(int t, int j)
{
	return (unsigned char)(1 + ((t * 37 + j * 11) % 250));
}

static void *uw_thread(void *p)
{
	struct uw_arg *a = p;
	unsigned char v[4];
	int j;

	for (j = 0; j < UW_ITERS && !a->err; j++) {
		uint64_t off;
		size_t len;

		uw_span(a->dev, a->t, j % UW_SECTORS, &off, &len);
		memset(v, uw_value(a->t, j), sizeof(v));
		a->err = vmfs_dev_write(a->dev, v, len, off);
	}
	return NULL;
}

static void t_concurrent_unaligned(void)
{
	char path[PATH_MAX];
	struct vmfs_dev *dev = open_cur(MIB, path, sizeof(path));
	size_t span = (UW_SECTORS + 1) * (size_t)dev->sector_size;
	struct uw_arg args[UW_THREADS];
	pthread_t th[UW_THREADS];
	unsigned char *r = malloc(span);
	int t, s, bad = 0;

	CU_ASSERT_FATAL(r != NULL);
	for (t = 0; t < UW_THREADS; t++) {
		args[t] = (struct uw_arg){ dev, t, 0 };
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[t], NULL, uw_thread, &args[t]), 0);
	}
	for (t = 0; t < UW_THREADS; t++) {
		pthread_join(th[t], NULL);
		CU_ASSERT_EQUAL(args[t].err, 0);
	}
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_read(dev, r, span, 0), 0);
	for (t = 0; t < UW_THREADS; t++) {
		for (s = 0; s < UW_SECTORS; s++) {
			int last = UW_ITERS - 1 - ((UW_ITERS - 1 - s) % UW_SECTORS);
			uint64_t off;
			size_t len;

			uw_span(dev, t, s, &off, &len);
			if (!all_byte(r + off, len, uw_value(t, last)))
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	free(r);
	close_cur(dev, path);
}

/* ---- backend-independent ---------------------------------------------- */

static void t_backend_parse(void)
{
	enum vmfs_dev_backend b = VMFS_DEV_FILE;

	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("auto", &b), 0);
	CU_ASSERT_EQUAL(b, VMFS_DEV_AUTO);
	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("uring", &b), 0);
	CU_ASSERT_EQUAL(b, VMFS_DEV_URING);
	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("aio", &b), 0);
	CU_ASSERT_EQUAL(b, VMFS_DEV_AIO);
	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("file", &b), 0);
	CU_ASSERT_EQUAL(b, VMFS_DEV_FILE);
	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("nvme", &b), -EINVAL);
	CU_ASSERT_EQUAL(vmfs_dev_backend_parse("", &b), -EINVAL);
}

static int have_uring;
static int have_aio;
static int have_direct;

static void t_auto(void)
{
	struct vmfs_dev_opts o = { VMFS_DEV_AUTO, VMFS_DEV_F_CREATE, MIB };
	struct vmfs_dev *dev;
	char path[PATH_MAX];
	const char *want = have_uring ? "uring" : have_aio ? "aio" : "file";

	new_path(path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &dev), 0);
	CU_ASSERT_STRING_EQUAL(vmfs_dev_backend_name(dev), want);
	vmfs_dev_close(dev);
	unlink(path);
	o.create_size = 0;
	CU_ASSERT_EQUAL(vmfs_dev_open(path, &o, &dev), -EINVAL);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);	/* nothing left behind */
}

/* ---- crash device ----------------------------------------------------- */

static struct vmfs_dev *crash_on_ram(const struct vmfs_crash_params *p, struct vmfs_dev **inner)
{
	struct vmfs_dev *dev;

	CU_ASSERT_EQUAL_FATAL(vmfs_dev_ram_open(MIB, 512, inner), 0);
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_crash_open(*inner, p, &dev), 0);
	CU_ASSERT_STRING_EQUAL(vmfs_dev_backend_name(dev), "crash");
	return dev;
}

static void c_overlay(void)
{
	struct vmfs_crash_params p = { 0 };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char a[3000], b[100], r[8192], want[8192];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	memset(want, 0, sizeof(want));
	memcpy(want + 1000, a, sizeof(a));
	memcpy(want + 2000, b, sizeof(b));
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, a, sizeof(a), 1000), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, b, sizeof(b), 2000), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, sizeof(r), 0), 0);
	CU_ASSERT(memcmp(r, want, sizeof(r)) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, sizeof(r), 0), 0);
	CU_ASSERT(all_byte(r, sizeof(r), 0));		/* nothing reached the inner device */
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, sizeof(r), 0), 0);
	CU_ASSERT(memcmp(r, want, sizeof(r)) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(inner), 0);	/* not a crash device */
	vmfs_dev_close(dev);
}

static void c_crash_after(void)
{
	struct vmfs_crash_params p = { .crash_after_writes = 3,
				       .flags = VMFS_CRASH_DROP_UNFLUSHED };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char w[512], r[1024];

	fill(w, sizeof(w), 9);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, 512, 0), 0);	/* write 1 */
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 0), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, 512, 512), 0);	/* write 2 */
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, 512, 1024), -EIO);	/* write 3: crash */
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(dev), 1);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 0), -EIO);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, 512, 2048), -EIO);
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), -EIO);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, 0, 512, w, w, NULL), -EIO);
	inner = vmfs_dev_crash_settle(dev);
	CU_ASSERT_FATAL(inner != NULL);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, 512, 0), 0);
	CU_ASSERT(memcmp(r, w, 512) == 0);			/* flushed write survived */
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, 1024, 512), 0);
	CU_ASSERT(all_byte(r, 1024, 0));	/* unflushed and crashing writes are gone */
	vmfs_dev_close(inner);
}

static void c_drop_unflushed(void)
{
	struct vmfs_crash_params p = { .flags = VMFS_CRASH_DROP_UNFLUSHED };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char a[4096], b[2048], c[512], r[16384];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	fill(c, sizeof(c), 3);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, a, sizeof(a), 0), 0);
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, b, sizeof(b), 0), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, c, sizeof(c), 8192), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 2048, 0), 0);
	CU_ASSERT(memcmp(r, b, 2048) == 0);
	inner = vmfs_dev_crash_settle(dev);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, sizeof(r), 0), 0);
	CU_ASSERT(memcmp(r, a, sizeof(a)) == 0);
	CU_ASSERT(all_byte(r + 4096, sizeof(r) - 4096, 0));
	vmfs_dev_close(inner);
}

static void c_settle_all(void)
{
	struct vmfs_crash_params p = { 0 };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char a[1000], b[1000], r[2000];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, a, sizeof(a), 0), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, b, sizeof(b), 500), 0);
	inner = vmfs_dev_crash_settle(dev);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, sizeof(r), 0), 0);
	CU_ASSERT(memcmp(r, a, 500) == 0);
	CU_ASSERT(memcmp(r + 500, b, 1000) == 0);
	CU_ASSERT(all_byte(r + 1500, 500, 0));
	vmfs_dev_close(inner);
}

/* TEAR_LAST: earlier writes land, the last one up to a sector boundary. */
static void c_tear_last(void)
{
	const uint64_t off = 4096 + 100;
	const size_t len = 8 * 512;		/* touches 9 sectors */
	unsigned char w1[512], w2[8 * 512], r[8 * 512];
	int seed, partial = 0, none = 0, bad = 0;

	memset(w1, 0x11, sizeof(w1));
	memset(w2, 0x22, sizeof(w2));
	for (seed = 1; seed <= 64; seed++) {
		struct vmfs_crash_params p = { .seed = (unsigned)seed, .flags = VMFS_CRASH_TEAR_LAST };
		struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
		size_t cut;

		CU_ASSERT_EQUAL(vmfs_dev_write(dev, w1, sizeof(w1), 0), 0);
		CU_ASSERT_EQUAL(vmfs_dev_write(dev, w2, len, off), 0);
		inner = vmfs_dev_crash_settle(dev);
		CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, 512, 0), 0);
		if (!all_byte(r, 512, 0x11))
			bad++;
		CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, len, off), 0);
		for (cut = 0; cut < len && r[cut] == 0x22; cut++)
			;
		if (!all_byte(r + cut, len - cut, 0))		/* prefix landed, rest did not */
			bad++;
		if (cut != 0 && cut != len && (off + cut) % 512 != 0)	/* cut on a sector boundary */
			bad++;
		partial += cut > 0 && cut < len;
		none += cut == 0;
		vmfs_dev_close(inner);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(partial > 0);
	CU_ASSERT(none < 64);
}

/* REORDER: every logged write lands or not; which ones depends on the seed. */
static void c_reorder(void)
{
	enum { W = 10 };
	int seed, proper = 0, bad = 0, saw_a_last = 0, saw_b_last = 0;
	unsigned char s[512];

	for (seed = 1; seed <= 64; seed++) {
		struct vmfs_crash_params p = { .seed = (unsigned)seed, .flags = VMFS_CRASH_REORDER };
		struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
		int i, landed = 0;

		for (i = 0; i < W; i++) {
			memset(s, i + 1, sizeof(s));
			CU_ASSERT_EQUAL(vmfs_dev_write(dev, s, sizeof(s), (uint64_t)i * 512), 0);
		}
		memset(s, 0xa, sizeof(s));
		CU_ASSERT_EQUAL(vmfs_dev_write(dev, s, sizeof(s), 20 * 512), 0);
		memset(s, 0xb, sizeof(s));
		CU_ASSERT_EQUAL(vmfs_dev_write(dev, s, sizeof(s), 20 * 512), 0);
		inner = vmfs_dev_crash_settle(dev);
		for (i = 0; i < W; i++) {
			CU_ASSERT_EQUAL(vmfs_dev_read(inner, s, sizeof(s), (uint64_t)i * 512), 0);
			if (all_byte(s, sizeof(s), (unsigned char)(i + 1)))
				landed++;
			else if (!all_byte(s, sizeof(s), 0))
				bad++;
		}
		CU_ASSERT_EQUAL(vmfs_dev_read(inner, s, sizeof(s), 20 * 512), 0);
		if (!all_byte(s, 512, 0) && !all_byte(s, 512, 0xa) && !all_byte(s, 512, 0xb))
			bad++;
		saw_a_last += all_byte(s, 512, 0xa);
		saw_b_last += all_byte(s, 512, 0xb);
		proper += landed > 0 && landed < W;
		vmfs_dev_close(inner);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT(proper > 0);
	CU_ASSERT(saw_a_last > 0 && saw_b_last > 0);
}

static void c_fail_io_n(void)
{
	struct vmfs_crash_params p = { .fail_io_n = 3 };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char w[512], r[512], x[512];
	struct vmfs_dev_io ios[3];
	int i;

	fill(w, sizeof(w), 5);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 0), 0);		/* 1 */
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, w, 512, 0), 0);		/* 2 */
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 0), -EIO);		/* 3 */
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 0), 0);		/* 4 */
	CU_ASSERT(memcmp(r, w, 512) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(dev), 0);
	vmfs_dev_close(dev);

	/* In a batch each element is one I/O. */
	p.fail_io_n = 2;
	dev = crash_on_ram(&p, &inner);
	for (i = 0; i < 3; i++)
		ios[i] = (struct vmfs_dev_io){ VMFS_IO_WRITE, w, 512, (uint64_t)i * 512, 1 };
	CU_ASSERT_EQUAL(vmfs_dev_submit(dev, ios, 3), -EIO);
	CU_ASSERT_EQUAL(ios[0].result, 0);
	CU_ASSERT_EQUAL(ios[1].result, -EIO);
	CU_ASSERT_EQUAL(ios[2].result, 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, x, 512, 512), 0);
	CU_ASSERT(all_byte(x, 512, 0));			/* the failed write did nothing */
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, x, 512, 1024), 0);
	CU_ASSERT(memcmp(x, w, 512) == 0);
	vmfs_dev_close(dev);
}

static void c_submit_crash(void)
{
	struct vmfs_crash_params p = { .crash_after_writes = 3 };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char w[512];
	struct vmfs_dev_io ios[5];
	int i;

	memset(w, 1, sizeof(w));
	for (i = 0; i < 5; i++)
		ios[i] = (struct vmfs_dev_io){ VMFS_IO_WRITE, w, 512, (uint64_t)i * 512, 1 };
	CU_ASSERT_EQUAL(vmfs_dev_submit(dev, ios, 5), -EIO);
	CU_ASSERT_EQUAL(ios[0].result, 0);
	CU_ASSERT_EQUAL(ios[1].result, 0);
	for (i = 2; i < 5; i++)
		CU_ASSERT_EQUAL(ios[i].result, -EIO);
	CU_ASSERT_EQUAL(vmfs_dev_crash_crashed(dev), 1);
	vmfs_dev_close(dev);
}

static void c_caw(void)
{
	struct vmfs_crash_params p = { .flags = VMFS_CRASH_DROP_UNFLUSHED };
	struct vmfs_dev *inner, *dev = crash_on_ram(&p, &inner);
	unsigned char x[512], y[512], z[512], now[512], r[512];

	memset(x, 1, 512);
	memset(y, 2, 512);
	memset(z, 3, 512);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, x, 512, 1024), 0);
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, y, 512, 1024), 0);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, 1024, 512, x, z, now), -VMFS_EMISCOMPARE);
	CU_ASSERT(memcmp(now, y, 512) == 0);
	CU_ASSERT_EQUAL(vmfs_dev_caw(dev, 1024, 512, y, z, now), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(dev, r, 512, 1024), 0);
	CU_ASSERT(memcmp(r, z, 512) == 0);
	inner = vmfs_dev_crash_settle(dev);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, 512, 1024), 0);
	CU_ASSERT(memcmp(r, x, 512) == 0);
	vmfs_dev_close(inner);
}

/* The crash device over a real file: flush and settle reach the file. */
static void c_on_file(void)
{
	struct vmfs_dev_opts o = { VMFS_DEV_FILE, VMFS_DEV_F_CREATE, MIB };
	struct vmfs_crash_params p = { .flags = VMFS_CRASH_DROP_UNFLUSHED };
	struct vmfs_dev *inner, *dev;
	unsigned char a[4096], b[4096], r[4096];
	char path[PATH_MAX];

	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	new_path(path, sizeof(path));
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &inner), 0);
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_crash_open(inner, &p, &dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, a, sizeof(a), 8192), 0);
	CU_ASSERT_EQUAL(vmfs_dev_flush(dev), 0);
	CU_ASSERT_EQUAL(vmfs_dev_write(dev, b, sizeof(b), 8192), 0);
	inner = vmfs_dev_crash_settle(dev);
	vmfs_dev_close(inner);
	o.flags = 0;
	CU_ASSERT_EQUAL_FATAL(vmfs_dev_open(path, &o, &inner), 0);
	CU_ASSERT_EQUAL(vmfs_dev_read(inner, r, sizeof(r), 8192), 0);
	CU_ASSERT(memcmp(r, a, sizeof(r)) == 0);
	vmfs_dev_close(inner);
	unlink(path);
}

/* ---- registration ----------------------------------------------------- */

struct test_def {
	const char *name;
	CU_TestFunc fn;
	int files_only;
};

static const struct test_def backend_tests[] = {
	{ "roundtrip aligned", t_roundtrip_aligned, 0 },
	{ "roundtrip unaligned", t_roundtrip_unaligned, 0 },
	{ "submit batch", t_submit_batch, 0 },
	{ "size detection", t_size_detect, 0 },
	{ "create sparse", t_create_sparse, 0 },
	{ "discard", t_discard, 0 },
	{ "bounds", t_bounds, 0 },
	{ "read-only", t_rdonly, 1 },
	{ "caw", t_caw, 0 },
	{ "caw threads", t_caw_threads, 0 },
	{ "caw processes", t_caw_processes, 1 },
	{ "concurrent unaligned writes", t_concurrent_unaligned, 0 },
};

/* Suite init: CUnit calls it with no argument, so one per configuration. */
#define CFG_INIT(i) \
	static int init_cfg##i(void) { cur = &cfgs[i]; return 0; }
CFG_INIT(0)
CFG_INIT(1)
CFG_INIT(2)
CFG_INIT(3)
CFG_INIT(4)
CFG_INIT(5)
CFG_INIT(6)
static CU_InitializeFunc cfg_inits[NCFGS] = {
	init_cfg0, init_cfg1, init_cfg2, init_cfg3, init_cfg4, init_cfg5, init_cfg6,
};

static int probe_direct(void)
{
	char path[PATH_MAX];
	int fd;

	new_path(path, sizeof(path));
	fd = open(path, O_CREAT | O_RDWR | O_DIRECT, 0600);
	if (fd >= 0)
		close(fd);
	unlink(path);
	return fd >= 0;
}

static int probe_punch(void)
{
	char path[PATH_MAX];
	int fd, ok;

	new_path(path, sizeof(path));
	fd = open(path, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return 0;
	ok = ftruncate(fd, 65536) == 0 &&
	     fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096) == 0;
	close(fd);
	unlink(path);
	return ok;
}

static void probe_kernel(void)
{
	struct io_uring ring;
	io_context_t ctx = 0;

	if (io_uring_queue_init(4, &ring, 0) == 0) {
		have_uring = 1;
		io_uring_queue_exit(&ring);
	}
	if (io_setup(4, &ctx) == 0) {
		have_aio = 1;
		io_destroy(ctx);
	}
	have_direct = probe_direct();
	have_punch = probe_punch();
}

static int cfg_available(const struct backend_cfg *c)
{
	if ((c->flags & VMFS_DEV_F_DIRECT) && !have_direct)
		return 0;
	if (c->backend == VMFS_DEV_URING && !have_uring)
		return 0;
	if (c->backend == VMFS_DEV_AIO && !have_aio)
		return 0;
	return 1;
}

static int register_all(void)
{
	CU_pSuite s;
	size_t i, j;

	for (i = 0; i < NCFGS; i++) {
		if (!cfg_available(&cfgs[i])) {
			printf("SKIP suite %s: not supported here\n", cfgs[i].suite);
			continue;
		}
		s = CU_add_suite(cfgs[i].suite, cfg_inits[i], NULL);
		if (!s)
			return -1;
		for (j = 0; j < sizeof(backend_tests) / sizeof(backend_tests[0]); j++) {
			if (backend_tests[j].files_only && cfgs[i].ram)
				continue;
			if (!CU_add_test(s, backend_tests[j].name, backend_tests[j].fn))
				return -1;
		}
	}
	s = CU_add_suite("misc", NULL, NULL);
	if (!s || !CU_add_test(s, "backend parse", t_backend_parse) ||
	    !CU_add_test(s, "auto backend", t_auto))
		return -1;
	s = CU_add_suite("crash", NULL, NULL);
	if (!s || !CU_add_test(s, "overlay and flush", c_overlay) ||
	    !CU_add_test(s, "crash after writes", c_crash_after) ||
	    !CU_add_test(s, "drop unflushed", c_drop_unflushed) ||
	    !CU_add_test(s, "settle without flags", c_settle_all) ||
	    !CU_add_test(s, "tear last", c_tear_last) ||
	    !CU_add_test(s, "reorder", c_reorder) ||
	    !CU_add_test(s, "fail io n", c_fail_io_n) ||
	    !CU_add_test(s, "crash inside submit", c_submit_crash) ||
	    !CU_add_test(s, "caw", c_caw) ||
	    !CU_add_test(s, "over a file", c_on_file))
		return -1;
	return 0;
}

int main(void)
{
	const char *base = getenv("VMFS_TEST_TMPDIR");
	unsigned failures;

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_dev.XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	probe_kernel();
	if (CU_initialize_registry() != CUE_SUCCESS) {
		remove_tmpdir();
		return 1;
	}
	if (register_all()) {
		CU_cleanup_registry();
		remove_tmpdir();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed() +
		   CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	remove_tmpdir();
	return failures ? 1 : 0;
}
