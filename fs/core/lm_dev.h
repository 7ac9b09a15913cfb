/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lockmgr's disk interface (lockmgr/lm.h) over a device of fs/dev, and a
 * heartbeat set up from a volume header: the glue the daemon and vmfsctl
 * share.
 */
#ifndef VMFS_CORE_LM_DEV_H
#define VMFS_CORE_LM_DEV_H

#include "fs/dev/dev.h"
#include "lockmgr/lm.h"

void vmfs_lm_disk(struct vmfs_dev *dev, struct lm_disk *disk);
int vmfs_lm_hb_init(struct lm_hb *hb, const struct lm_disk *disk, const struct vmfs_volhdr *vh,
		    uint32_t lease_ms);

#endif
