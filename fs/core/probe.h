/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is already on a device: libblkid's probe of filesystem superblocks
 * and partition tables (it knows VMware VMFS, ext*, XFS, btrfs, LVM, LUKS,
 * swap, GPT/MBR...), used by mkfs to refuse overwriting and by mount to
 * name what it found instead of a volume.
 */
#ifndef VMFS_CORE_PROBE_H
#define VMFS_CORE_PROBE_H

#include <stddef.h>

#include "fs/dev/dev.h"

/* 0 with a description ("ext4 filesystem", "gpt partition table") in @what,
 * -ENOENT if nothing is recognised, or another negative errno. */
int vmfs_probe_foreign(struct vmfs_dev *dev, char *what, size_t len);

#endif
