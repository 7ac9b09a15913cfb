// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Recognise existing filesystems and partition tables with libblkid, which
 * already knows several hundred formats (including VMware VMFS); hand-written
 * magic checks would cover a handful. See probe.h.
 */
#include <blkid/blkid.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fs/core/probe.h"

int vmfs_probe_foreign(struct vmfs_dev *dev, char *what, size_t len)
{
	const char *type = NULL, *usage = NULL;
	blkid_probe pr;
	int rc, err = -ENOENT;

	if (dev->fd < 0)
		return -ENOENT;
	pr = blkid_new_probe();
	if (!pr)
		return -ENOMEM;
	if (blkid_probe_set_device(pr, dev->fd, 0, 0) != 0) {
		err = -EIO;
		goto out;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE);
	blkid_probe_enable_partitions(pr, 1);
	rc = blkid_do_safeprobe(pr);
	if (rc == -2) {
		snprintf(what, len, "several conflicting signatures");
		err = 0;
	} else if (rc == 0) {
		if (blkid_probe_lookup_value(pr, "TYPE", &type, NULL) == 0) {
			blkid_probe_lookup_value(pr, "USAGE", &usage, NULL);
			if (!strcmp(type, "VMFS") || !strcmp(type, "VMFS_volume_member"))
				snprintf(what, len, "a VMware %s (use vmfs-tools to read it)", type);
			else
				snprintf(what, len, "%s %s", type,
					 usage && !strcmp(usage, "filesystem") ? "filesystem" :
					 usage ? usage : "signature");
			err = 0;
		} else if (blkid_probe_lookup_value(pr, "PTTYPE", &type, NULL) == 0) {
			snprintf(what, len, "%s partition table", type);
			err = 0;
		}
	}
out:
	blkid_free_probe(pr);
	return err;
}
