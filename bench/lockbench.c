// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lockbench: heartbeat join time and uncontended lock acquire/release
 * latency on a real image file (docs/LOCKING.md; targets from issue 3:
 * join under a second, lock under 1 ms). Usage:
 *   lockbench IMAGE [iterations] [direct|cached]
 * IMAGE must hold a volume (mkfs.vmfs) that nobody has mounted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/core/lm_dev.h"
#include "fs/core/vol.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void stats(const char *what, double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	printf("%-28s n=%-6u p50 %8.1f us   p99 %8.1f us   max %8.1f us\n", what, n, v[n / 2],
	       v[(size_t)n * 99 / 100], v[n - 1]);
}

int main(int argc, char **argv)
{
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE };
	unsigned iters = argc > 2 ? (unsigned)atoi(argv[2]) : 1000, i;
	struct vmfs_volhdr vh;
	struct vmfs_dev *dev;
	struct lm_disk disk;
	struct lm_hb hb;
	struct vmfs_lock lk;
	uint8_t hu[16] = { 0 };
	char why[256], name[32];
	double t0, *acq, *rel, join[8];
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: lockbench IMAGE [iterations] [direct|cached]\n");
		return 2;
	}
	if (argc < 4 || strcmp(argv[3], "cached"))
		dopts.flags = VMFS_DEV_F_DIRECT;
	acq = calloc(iters, sizeof(*acq));
	rel = calloc(iters, sizeof(*rel));
	if (!acq || !rel || vmfs_dev_open(argv[1], &dopts, &dev) ||
	    vmfs_read_volhdr(dev, &vh, why, sizeof(why))) {
		fprintf(stderr, "lockbench: cannot open a volume on %s\n", argv[1]);
		return 1;
	}
	vmfs_lm_disk(dev, &disk);
	printf("device %s, %s, sector %u, %u heartbeat slots\n", argv[1],
	       dopts.flags ? "O_DIRECT" : "page cache", dev->sector_size, vh.host_slots);
	/* Join: a fresh name each time (a free slot), then leave. */
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "bench-%u", i);
		if (vmfs_lm_hb_init(&hb, &disk, &vh, 0))
			return 1;
		t0 = now_us();
		err = lm_hb_join(&hb, name, hu, why, sizeof(why));
		join[i] = now_us() - t0;
		if (err) {
			fprintf(stderr, "lockbench: join: %s\n", why);
			return 1;
		}
		lm_hb_leave(&hb);
		lm_hb_destroy(&hb);
	}
	stats("join (scan all slots + claim)", join, 8);
	if (vmfs_lm_hb_init(&hb, &disk, &vh, 0) || lm_hb_join(&hb, "bench", hu, why, sizeof(why)))
		return 1;
	for (i = 0; i < iters; i++) {
		t0 = now_us();
		err = lm_lock_acquire(&hb, vh.root_ino - 1, VMFS_LOCK_T_DESC, vh.root_ino,
				      VMFS_LOCK_M_EXCL, &lk, NULL);
		acq[i] = now_us() - t0;
		if (err) {
			fprintf(stderr, "lockbench: acquire: %s\n", strerror(-err));
			return 1;
		}
		t0 = now_us();
		err = lm_lock_release(&hb, vh.root_ino - 1, NULL);
		rel[i] = now_us() - t0;
		if (err)
			return 1;
		if ((i & 63) == 63)
			lm_hb_renew(&hb);
	}
	stats("lock acquire (exclusive)", acq, iters);
	stats("lock release", rel, iters);
	lm_hb_leave(&hb);
	lm_hb_destroy(&hb);
	vmfs_dev_close(dev);
	free(acq);
	free(rel);
	return 0;
}
