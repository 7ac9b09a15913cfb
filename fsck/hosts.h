/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fsck.vmfs and the hosts of a volume: liveness, and recovery of dead ones (hosts.c). */
#ifndef VMFS_FSCK_HOSTS_H
#define VMFS_FSCK_HOSTS_H

#include "fs/core/vol.h"
#include "lockmgr/lm.h"

int fsck_scan_hosts(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, bool watch,
		    struct lm_slot_info **out, unsigned *n);
int fsck_recover_host(struct vmfs_dev *dev, const struct vmfs_volhdr *vh,
		      const struct lm_slot_info *s, uint64_t *replayed);

#endif
