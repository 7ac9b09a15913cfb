// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Journal transaction headers (FORMAT.md "Journal"). The images that follow
 * them are metadata blocks as they are to be written home; only the header
 * is encoded here. And the orphan table in the journal area's last mblock
 * (FORMAT.md "Orphan table").
 */
#include <endian.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

void vmfs_jhdr_encode(void *blk, const struct vmfs_jhdr *j)
{
	struct vmfs_djhdr *d = blk;
	uint32_t i;

	memset(d, 0, sizeof(*d));
	vmfs_blk_hdr_encode(&d->hdr, &j->hdr);
	d->hdr.magic = htole32(VMFS_MAGIC_JHDR);
	d->seq = htole64(j->seq);
	d->state = htole32(j->state);
	d->index = htole32(j->index);
	d->nhdr = htole32(j->nhdr);
	d->ntargets = htole32(j->ntargets);
	d->nblocks = htole32(j->nblocks);
	d->data_crc = htole32(j->data_crc);
	for (i = 0; i < j->ntargets && i < VMFS_JNL_TARGETS; i++)
		d->targets[i] = htole64(j->targets[i]);
	vmfs_blk_seal(d, sizeof(*d));
}

/*
 * Returns 0, -EFSBADCRC (a torn or foreign block: no transaction here) or
 * -EFSCORRUPTED when the fields cannot describe a transaction.
 */
int vmfs_jhdr_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16],
		     struct vmfs_jhdr *j)
{
	const struct vmfs_djhdr *d = blk;
	uint32_t i;
	int err;

	err = vmfs_blk_verify(blk, sizeof(*d), VMFS_MAGIC_JHDR, blkno, uuid);
	if (err)
		return err;
	memset(j, 0, sizeof(*j));
	vmfs_blk_hdr_decode(&d->hdr, &j->hdr);
	j->seq = le64toh(d->seq);
	j->state = le32toh(d->state);
	j->index = le32toh(d->index);
	j->nhdr = le32toh(d->nhdr);
	j->ntargets = le32toh(d->ntargets);
	j->nblocks = le32toh(d->nblocks);
	j->data_crc = le32toh(d->data_crc);
	if ((j->state != VMFS_JNL_LIVE && j->state != VMFS_JNL_DONE) || j->nhdr == 0 ||
	    j->index >= j->nhdr || j->ntargets > VMFS_JNL_TARGETS ||
	    j->nhdr != (j->nblocks + VMFS_JNL_TARGETS - 1) / VMFS_JNL_TARGETS + !j->nblocks)
		return -EFSCORRUPTED;
	for (i = 0; i < j->ntargets; i++)
		j->targets[i] = le64toh(d->targets[i]);
	return 0;
}

/* An empty orphan table at @blkno (sealed when written back). */
void vmfs_orphan_init(void *blk, uint64_t blkno, const uint8_t uuid[16])
{
	struct vmfs_dorphan *d = blk;
	struct vmfs_blk_hdr h = { .magic = VMFS_MAGIC_ORPHAN, .blkno = blkno };

	memset(d, 0, sizeof(*d));
	memcpy(h.uuid, uuid, 16);
	vmfs_blk_hdr_encode(&d->hdr, &h);
}

/* Returns 0, -EFSBADCRC, or -EFSCORRUPTED (a count past the table). */
int vmfs_orphan_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], uint32_t *count,
		       uint64_t inos[VMFS_ORPHAN_MAX])
{
	const struct vmfs_dorphan *d = blk;
	uint32_t i;
	int err;

	err = vmfs_blk_verify(blk, sizeof(*d), VMFS_MAGIC_ORPHAN, blkno, uuid);
	if (err)
		return err;
	*count = le32toh(d->count);
	if (*count > VMFS_ORPHAN_MAX)
		return -EFSCORRUPTED;
	for (i = 0; i < *count; i++)
		inos[i] = le64toh(d->inos[i]);
	return 0;
}
