// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * handoff - open-to-open handover of one file between two hosts (the
 * vMotion case): the file is the same on two mounts of one volume, PATH_A
 * on host A and PATH_B on host B. Each round, the current owner opens it
 * for writing (O_DIRECT), writes 4 KiB stamped with the round number,
 * closes it; the other host opens it at once for writing, reads the 4 KiB
 * and checks the stamp. Roles swap every round. Reports, over ROUNDS:
 * the time from the owner's close() to the other's successful open()
 * (p50, p99, max), and whole rounds per second.
 *
 * usage: handoff PATH_A PATH_B [ROUNDS]     (ROUNDS defaults to 200)
 * Last line: RESULT rounds=N p50_ms=.. p99_ms=.. max_ms=.. rounds_per_s=..
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "handoff: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	const char *path[2];
	long rounds = 200, r;
	double *lat, t0, start;
	void *buf;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s PATH_A PATH_B [ROUNDS]\n", argv[0]);
		return 2;
	}
	path[0] = argv[1];
	path[1] = argv[2];
	if (argc == 4 && (rounds = strtol(argv[3], NULL, 10)) <= 0) {
		fprintf(stderr, "handoff: bad ROUNDS '%s'\n", argv[3]);
		return 2;
	}
	lat = calloc((size_t)rounds, sizeof(*lat));
	if (!lat || posix_memalign(&buf, 4096, 4096))
		return 1;
	start = now_ms();
	for (r = 0; r < rounds; r++) {
		const char *mine = path[r & 1], *theirs = path[!(r & 1)];

		fd = open(mine, O_WRONLY | O_CREAT | O_DIRECT, 0644);
		if (fd < 0)
			die("open", mine);
		memset(buf, 0, 4096);
		snprintf(buf, 4096, "round %ld", r);
		if (pwrite(fd, buf, 4096, 0) != 4096)
			die("write", mine);
		if (close(fd))
			die("close", mine);
		t0 = now_ms();
		fd = open(theirs, O_RDWR | O_DIRECT);
		if (fd < 0)
			die("open", theirs);
		lat[r] = now_ms() - t0;
		if (pread(fd, buf, 4096, 0) != 4096)
			die("read", theirs);
		if (strtol((char *)buf + 6, NULL, 10) != r || strncmp(buf, "round ", 6)) {
			fprintf(stderr, "handoff: round %ld: %s read '%.20s'\n", r, theirs,
				(char *)buf);
			return 1;
		}
		close(fd);
	}
	t0 = now_ms() - start;
	qsort(lat, (size_t)rounds, sizeof(*lat), cmp_d);
	printf("RESULT rounds=%ld p50_ms=%.3f p99_ms=%.3f max_ms=%.3f rounds_per_s=%.1f\n", rounds,
	       lat[rounds / 2], lat[(rounds * 99) / 100], lat[rounds - 1], rounds / (t0 / 1e3));
	free(lat);
	free(buf);
	return 0;
}
