// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lock records and heartbeat slots (FORMAT.md "Lock record", "Heartbeat
 * slot"): 512-byte records at the start of their own mblock, so one device
 * sector holds one record and a compare-and-write covers it alone. An
 * all-zero record is free / unused.
 */
#include <endian.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_lock_encode(void *sector, const struct vmfs_lock *lk)
{
	struct vmfs_dlock *d = sector;
	unsigned i;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &lk->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_LOCK);
	d->guarded = htole64(lk->guarded);
	d->type = htole32(lk->type);
	d->mode = htole32(lk->mode);
	d->version = htole64(lk->version);
	d->acquired_ns = htole64(lk->acquired_ns);
	d->nholders = htole16(lk->nholders);
	d->want_slot = htole16(lk->want_slot);
	d->want_gen = htole32(lk->want_gen);
	for (i = 0; i < lk->nholders && i < VMFS_LOCK_MAX_HOLDERS; i++) {
		d->holders[i].slot = htole16(lk->holders[i].slot);
		d->holders[i].flags = htole16(lk->holders[i].flags);
		d->holders[i].hb_gen = htole32(lk->holders[i].hb_gen);
	}
	vmfs_blk_seal(d, sizeof(*d));
}

/*
 * vmfs_lock_decode - decode the lock record of mblock @blkno.
 * An all-zero sector decodes as a free lock. Returns 0, -EFSBADCRC or
 * -EFSCORRUPTED (wrong magic, address, volume, mode or holder count).
 */
int vmfs_lock_decode(const void *sector, uint64_t blkno, const uint8_t uuid[16],
		     struct vmfs_lock *lk)
{
	const struct vmfs_dlock *d = sector;
	unsigned i;
	int err;

	memset(lk, 0, sizeof(*lk));
	if (vmfs_blk_is_zero(sector, sizeof(*d))) {
		lk->hdr.blkno = blkno;
		return 0;
	}
	err = vmfs_blk_verify(sector, sizeof(*d), VMFS_MAGIC_LOCK, blkno, uuid);
	if (err)
		return err;
	vmfs_blk_hdr_decode(&d->hdr, &lk->hdr);
	lk->guarded = le64toh(d->guarded);
	lk->type = le32toh(d->type);
	lk->mode = le32toh(d->mode);
	lk->version = le64toh(d->version);
	lk->acquired_ns = le64toh(d->acquired_ns);
	lk->nholders = le16toh(d->nholders);
	lk->want_slot = le16toh(d->want_slot);
	lk->want_gen = le32toh(d->want_gen);
	if (lk->mode > VMFS_LOCK_M_MW || lk->nholders > VMFS_LOCK_MAX_HOLDERS ||
	    (lk->mode == VMFS_LOCK_M_FREE && lk->nholders != 0) ||
	    (lk->mode == VMFS_LOCK_M_EXCL && lk->nholders != 1))
		return -EFSCORRUPTED;
	for (i = 0; i < lk->nholders; i++) {
		lk->holders[i].slot = le16toh(d->holders[i].slot);
		lk->holders[i].flags = le16toh(d->holders[i].flags);
		lk->holders[i].hb_gen = le32toh(d->holders[i].hb_gen);
	}
	return 0;
}

void vmfs_hb_encode(void *sector, const struct vmfs_heartbeat *hb)
{
	struct vmfs_dheartbeat *d = sector;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &hb->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_HB);
	d->generation = htole64(hb->generation);
	d->seq = htole64(hb->seq);
	d->stamp_ns = htole64(hb->stamp_ns);
	d->state = htole32(hb->state);
	d->lease_ms = htole32(hb->lease_ms);
	memcpy(d->host_uuid, hb->host_uuid, 16);
	memcpy(d->host_name, hb->host_name, strnlen(hb->host_name, sizeof(d->host_name)));
	d->journal_start = htole64(hb->journal_start);
	d->journal_mblocks = htole64(hb->journal_mblocks);
	d->journal_seq = htole64(hb->journal_seq);
	d->recovered_by = htole16(hb->recovered_by);
	vmfs_blk_seal(d, sizeof(*d));
}

/* Like vmfs_lock_decode: an all-zero slot decodes as FREE. */
int vmfs_hb_decode(const void *sector, uint64_t blkno, const uint8_t uuid[16],
		   struct vmfs_heartbeat *hb)
{
	const struct vmfs_dheartbeat *d = sector;
	int err;

	memset(hb, 0, sizeof(*hb));
	if (vmfs_blk_is_zero(sector, sizeof(*d))) {
		hb->hdr.blkno = blkno;
		return 0;
	}
	err = vmfs_blk_verify(sector, sizeof(*d), VMFS_MAGIC_HB, blkno, uuid);
	if (err)
		return err;
	vmfs_blk_hdr_decode(&d->hdr, &hb->hdr);
	hb->generation = le64toh(d->generation);
	hb->seq = le64toh(d->seq);
	hb->stamp_ns = le64toh(d->stamp_ns);
	hb->state = le32toh(d->state);
	hb->lease_ms = le32toh(d->lease_ms);
	memcpy(hb->host_uuid, d->host_uuid, 16);
	memcpy(hb->host_name, d->host_name, sizeof(d->host_name));
	hb->host_name[VMFS_HOSTNAME_MAX] = 0;
	hb->journal_start = le64toh(d->journal_start);
	hb->journal_mblocks = le64toh(d->journal_mblocks);
	hb->journal_seq = le64toh(d->journal_seq);
	hb->recovered_by = le16toh(d->recovered_by);
	if (hb->state > VMFS_HB_RECOVERING)
		return -EFSCORRUPTED;
	return 0;
}
