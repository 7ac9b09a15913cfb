// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Volume header encode/decode and sanity checks (FORMAT.md "Volume
 * header"). The header lives in mblock 0 with a backup in the device's
 * last mblock; both carry the same fields except their own address.
 */
#include <endian.h>
#include <stdio.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_volhdr_encode(void *blk, const struct vmfs_volhdr *vh)
{
	struct vmfs_dvolhdr *d = blk;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &vh->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_VOLHDR);
	d->major = htole32(vh->major);
	d->minor = htole32(vh->minor);
	d->feat_compat = htole64(vh->feat_compat);
	d->feat_ro_compat = htole64(vh->feat_ro_compat);
	d->feat_incompat = htole64(vh->feat_incompat);
	memcpy(d->label, vh->label, strnlen(vh->label, sizeof(d->label)));
	d->device_bytes = htole64(vh->device_bytes);
	d->total_mblocks = htole64(vh->total_mblocks);
	d->mblock_shift = htole32(vh->mblock_shift);
	d->file_block_shift = htole32(vh->file_block_shift);
	d->small_block_shift = htole32(vh->small_block_shift);
	d->host_slots = htole32(vh->host_slots);
	d->volume_lock = htole64(vh->volume_lock);
	d->hb_start = htole64(vh->hb_start);
	d->rgmap_start = htole64(vh->rgmap_start);
	d->rgmap_blocks = htole64(vh->rgmap_blocks);
	d->rgtab_start = htole64(vh->rgtab_start);
	d->rg_count = htole64(vh->rg_count);
	d->rg_mblocks = htole64(vh->rg_mblocks);
	d->data_start = htole64(vh->data_start);
	d->root_ino = htole64(vh->root_ino);
	d->mkfs_time_ns = htole64(vh->mkfs_time_ns);
	memcpy(d->hash_seed, vh->hash_seed, 16);
	d->lease_ms = htole32(vh->lease_ms);
	d->single_host_lock = htole64(vh->single_host_lock);
	vmfs_blk_seal(d, sizeof(*d));
}

/*
 * vmfs_volhdr_decode - decode and verify a header read from mblock @blkno.
 * Returns 0, -EFSBADCRC, or -EFSCORRUPTED (also for "not our magic").
 */
int vmfs_volhdr_decode(const void *blk, uint64_t blkno, struct vmfs_volhdr *vh)
{
	const struct vmfs_dvolhdr *d = blk;
	int err;

	err = vmfs_blk_verify(blk, sizeof(*d), VMFS_MAGIC_VOLHDR, blkno, NULL);
	if (err)
		return err;
	memset(vh, 0, sizeof(*vh));
	vmfs_blk_hdr_decode(&d->hdr, &vh->hdr);
	vh->major = le32toh(d->major);
	vh->minor = le32toh(d->minor);
	vh->feat_compat = le64toh(d->feat_compat);
	vh->feat_ro_compat = le64toh(d->feat_ro_compat);
	vh->feat_incompat = le64toh(d->feat_incompat);
	memcpy(vh->label, d->label, sizeof(d->label));
	vh->label[VMFS_LABEL_MAX] = 0;
	vh->device_bytes = le64toh(d->device_bytes);
	vh->total_mblocks = le64toh(d->total_mblocks);
	vh->mblock_shift = le32toh(d->mblock_shift);
	vh->file_block_shift = le32toh(d->file_block_shift);
	vh->small_block_shift = le32toh(d->small_block_shift);
	vh->host_slots = le32toh(d->host_slots);
	vh->volume_lock = le64toh(d->volume_lock);
	vh->hb_start = le64toh(d->hb_start);
	vh->rgmap_start = le64toh(d->rgmap_start);
	vh->rgmap_blocks = le64toh(d->rgmap_blocks);
	vh->rgtab_start = le64toh(d->rgtab_start);
	vh->rg_count = le64toh(d->rg_count);
	vh->rg_mblocks = le64toh(d->rg_mblocks);
	vh->data_start = le64toh(d->data_start);
	vh->root_ino = le64toh(d->root_ino);
	vh->mkfs_time_ns = le64toh(d->mkfs_time_ns);
	memcpy(vh->hash_seed, d->hash_seed, 16);
	vh->lease_ms = le32toh(d->lease_ms);
	vh->single_host_lock = le64toh(d->single_host_lock);
	return 0;
}

/*
 * vmfs_volhdr_check - is @vh a layout this code can use on a device of
 * @device_bytes? Recomputes the layout from the recorded parameters and
 * compares. Returns 0, or -EFSCORRUPTED / -EOPNOTSUPP with a reason in @why.
 */
int vmfs_volhdr_check(const struct vmfs_volhdr *vh, uint64_t device_bytes, char *why,
		      size_t whylen)
{
	struct vmfs_volhdr re;
	char sub[160];

	if (vh->major != VMFS_MAJOR) {
		snprintf(why, whylen, "format version %u.%u is not supported (this build reads %u.x)",
			 vh->major, vh->minor, VMFS_MAJOR);
		return -EOPNOTSUPP;
	}
	if (vh->feat_incompat || vh->feat_ro_compat) {
		snprintf(why, whylen, "unknown features 0x%llx/0x%llx",
			 (unsigned long long)vh->feat_incompat,
			 (unsigned long long)vh->feat_ro_compat);
		return -EOPNOTSUPP;
	}
	if (device_bytes < vh->device_bytes) {
		snprintf(why, whylen, "device is %llu bytes, smaller than the volume's %llu",
			 (unsigned long long)device_bytes, (unsigned long long)vh->device_bytes);
		return -EFSCORRUPTED;
	}
	re = *vh;
	if (vmfs_layout_compute(&re, vh->device_bytes, sub, sizeof(sub)) != 0) {
		snprintf(why, whylen, "volume header geometry is invalid: %s", sub);
		return -EFSCORRUPTED;
	}
	if (re.total_mblocks != vh->total_mblocks || re.hb_start != vh->hb_start ||
	    re.rgmap_start != vh->rgmap_start || re.rgmap_blocks != vh->rgmap_blocks ||
	    re.rgtab_start != vh->rgtab_start || re.rg_count != vh->rg_count ||
	    re.data_start != vh->data_start || re.volume_lock != vh->volume_lock ||
	    re.single_host_lock != vh->single_host_lock) {
		snprintf(why, whylen, "volume header geometry does not match its parameters");
		return -EFSCORRUPTED;
	}
	if (!(vh->root_ino & 1) || vh->root_ino < vh->data_start ||
	    vh->root_ino >= vh->total_mblocks) {
		snprintf(why, whylen, "root descriptor %llu lies outside the data area",
			 (unsigned long long)vh->root_ino);
		return -EFSCORRUPTED;
	}
	return 0;
}
