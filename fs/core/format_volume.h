/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Creating a new volume on a device: what mkfs.vmfs and the tests call. */
#ifndef VMFS_CORE_FORMAT_VOLUME_H
#define VMFS_CORE_FORMAT_VOLUME_H

#include "fs/core/vol.h"

struct vmfs_format_params {
	const char *label;
	uint32_t file_block_shift;	/* 0: default (1 MiB) */
	uint32_t small_block_shift;	/* 0: default (64 KiB) */
	uint32_t host_slots;		/* 0: default (2048) */
	uint64_t rg_mblocks;		/* 0: default (2^22) */
	uint8_t uuid[16];
	bool uuid_set;			/* else a random UUID */
};

/*
 * vmfs_format - write a new, empty volume over the whole of @dev.
 * Returns 0 with the header in @out (may be NULL), or a negative errno
 * with a one-line reason in @why.
 */
int vmfs_format(struct vmfs_dev *dev, const struct vmfs_format_params *p, struct vmfs_volhdr *out,
		char *why, size_t whylen);

#endif
