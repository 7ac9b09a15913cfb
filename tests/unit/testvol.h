/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests of fs/core: format a RAM device and
 * open it as a volume, reopen it (sync, close, open again on the same
 * bytes), and a small deterministic PRNG so that every random test is
 * reproducible from its seed. Header-only so each test stays one program.
 */
#ifndef VMFS_TESTVOL_H
#define VMFS_TESTVOL_H

#include <CUnit/CUnit.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fs/core/format_volume.h"
#include "fs/core/vol.h"

/*
 * A CUnit assertion that also says why it failed: the message is printf
 * style and goes to stderr next to CUnit's own report.
 */
#define TCHECK(cond, ...) do {						\
	bool ok_ = (cond);						\
	if (!ok_) {							\
		fprintf(stderr, "\n  FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
	CU_assertImplementation(ok_, __LINE__, #cond, __FILE__, "", CU_FALSE); \
} while (0)

struct tvol {
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
};

/* xorshift64*: deterministic across platforms and libcs. */
static inline uint64_t trand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n), n > 0. */
static inline uint64_t trand_below(uint64_t *s, uint64_t n)
{
	return trand(s) % n;
}

static inline int tvol_open(struct tvol *t)
{
	struct vmfs_mount_opts o = { .no_host_lock = true };
	char why[256] = "";
	int err;

	err = vmfs_vol_open(t->dev, &o, &t->vol, why, sizeof(why));
	if (err)
		fprintf(stderr, "vmfs_vol_open: %d (%s)\n", err, why);
	return err;
}

/* Format a RAM device of @bytes with @p (NULL: defaults) and open it. */
static inline int tvol_make(struct tvol *t, uint64_t bytes, const struct vmfs_format_params *p)
{
	struct vmfs_format_params def = { .label = "unit" };
	char why[256] = "";
	int err;

	memset(t, 0, sizeof(*t));
	err = vmfs_dev_ram_open(bytes, 512, &t->dev);
	if (err)
		return err;
	err = vmfs_format(t->dev, p ? p : &def, NULL, why, sizeof(why));
	if (err) {
		fprintf(stderr, "vmfs_format: %d (%s)\n", err, why);
		vmfs_dev_close(t->dev);
		t->dev = NULL;
		return err;
	}
	err = tvol_open(t);
	if (err) {
		vmfs_dev_close(t->dev);
		t->dev = NULL;
	}
	return err;
}

/* Sync, close and open again: everything in memory is re-read from the device. */
static inline int tvol_reopen(struct tvol *t)
{
	int err = vmfs_vol_close(t->vol);

	t->vol = NULL;
	if (err) {
		fprintf(stderr, "vmfs_vol_close: %d\n", err);
		return err;
	}
	return tvol_open(t);
}

static inline void tvol_destroy(struct tvol *t)
{
	if (t->vol)
		vmfs_vol_close(t->vol);
	if (t->dev)
		vmfs_dev_close(t->dev);
	memset(t, 0, sizeof(*t));
}

/* Run a CUnit registry built by @add and return the process exit status. */
static inline int trun(int (*add)(void))
{
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	if (add() != 0) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif
