// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metaops - small-file metadata benchmark.
 *
 * In DIR, for N files:
 *   create phase: open(O_CREAT|O_EXCL|O_WRONLY), write 100 bytes, close
 *   stat phase:   stat() each file
 *   unlink phase: unlink() each file
 * Prints ops/s for each phase, and the total rate counted as 3N operations
 * over the summed time of the three phases.
 *
 * usage: metaops DIR [N]      (N defaults to 10000)
 *
 * The last line of output is machine-readable:
 *   RESULT n=N create_s=.. stat_s=.. unlink_s=.. create_ops=.. stat_ops=..
 *          unlink_ops=.. total_ops=..
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "metaops: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	char path[4096], buf[100];
	struct stat st;
	long n = 10000, i;
	double t0, t_create, t_stat, t_unlink, total;
	const char *dir;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DIR [N]\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	if (argc == 3) {
		n = strtol(argv[2], NULL, 10);
		if (n <= 0) {
			fprintf(stderr, "metaops: bad N '%s'\n", argv[2]);
			return 2;
		}
	}
	memset(buf, 'x', sizeof(buf));

	t0 = now();
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/f%07ld", dir, i);
		fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0)
			die("open", path);
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("write", path);
		if (close(fd) < 0)
			die("close", path);
	}
	t_create = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%07ld", dir, i);
		if (stat(path, &st) < 0)
			die("stat", path);
		if (st.st_size != (off_t)sizeof(buf)) {
			fprintf(stderr, "metaops: %s: size %lld, expected %zu\n",
				path, (long long)st.st_size, sizeof(buf));
			return 1;
		}
	}
	t_stat = now() - t0;

	t0 = now();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%07ld", dir, i);
		if (unlink(path) < 0)
			die("unlink", path);
	}
	t_unlink = now() - t0;

	total = t_create + t_stat + t_unlink;
	printf("create: %ld files in %.3f s = %.0f ops/s\n", n, t_create, n / t_create);
	printf("stat:   %ld files in %.3f s = %.0f ops/s\n", n, t_stat, n / t_stat);
	printf("unlink: %ld files in %.3f s = %.0f ops/s\n", n, t_unlink, n / t_unlink);
	printf("total:  %ld ops in %.3f s = %.0f ops/s\n", 3 * n, total, 3 * n / total);
	printf("RESULT n=%ld create_s=%.6f stat_s=%.6f unlink_s=%.6f "
	       "create_ops=%.1f stat_ops=%.1f unlink_ops=%.1f total_ops=%.1f\n",
	       n, t_create, t_stat, t_unlink, n / t_create, n / t_stat,
	       n / t_unlink, 3 * n / total);
	return 0;
}
