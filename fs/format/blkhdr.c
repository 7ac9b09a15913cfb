// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The header shared by every metadata block (FORMAT.md "Metadata block
 * header"): magic, CRC32C, self address, volume UUID and LSN. Sealing fills
 * the CRC; verifying checks magic, version, address, UUID and CRC, so a
 * block written to the wrong place or left by another volume is rejected.
 */
#include <endian.h>
#include <string.h>

#include "fs/format/format.h"
#include "fs/format/ondisk.h"

uint16_t vmfs_get_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return le16toh(v); }
uint32_t vmfs_get_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return le32toh(v); }
uint64_t vmfs_get_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return le64toh(v); }
void vmfs_put_le16(void *p, uint16_t v) { v = htole16(v); memcpy(p, &v, 2); }
void vmfs_put_le32(void *p, uint32_t v) { v = htole32(v); memcpy(p, &v, 4); }
void vmfs_put_le64(void *p, uint64_t v) { v = htole64(v); memcpy(p, &v, 8); }

void vmfs_blk_hdr_encode(void *blk, const struct vmfs_blk_hdr *h)
{
	struct vmfs_dblk_hdr *d = blk;

	d->magic = htole32(h->magic);
	d->crc = 0;
	d->blkno = htole64(h->blkno);
	memcpy(d->uuid, h->uuid, 16);
	d->lsn = htole64(h->lsn);
	d->version = htole16(VMFS_BLK_VERSION);
	d->pad0 = 0;
	d->pad1 = 0;
}

void vmfs_blk_hdr_decode(const void *blk, struct vmfs_blk_hdr *h)
{
	const struct vmfs_dblk_hdr *d = blk;

	h->magic = le32toh(d->magic);
	h->blkno = le64toh(d->blkno);
	memcpy(h->uuid, d->uuid, 16);
	h->lsn = le64toh(d->lsn);
}

/* Compute and store the CRC of a block of @len bytes (4096, or 512 for records). */
void vmfs_blk_seal(void *blk, size_t len)
{
	struct vmfs_dblk_hdr *d = blk;

	d->crc = htole32(vmfs_crc32c_block(blk, len, offsetof(struct vmfs_dblk_hdr, crc)));
}

bool vmfs_blk_is_zero(const void *blk, size_t len)
{
	const uint8_t *p = blk;

	return p[0] == 0 && memcmp(p, p + 1, len - 1) == 0;
}

/*
 * vmfs_blk_verify - check a metadata block read from mblock @blkno.
 * @uuid may be NULL to accept any volume (used while reading the header).
 * Returns 0, -EFSBADCRC on a checksum mismatch, -EFSCORRUPTED otherwise.
 */
int vmfs_blk_verify(const void *blk, size_t len, uint32_t magic, uint64_t blkno,
		    const uint8_t uuid[16])
{
	const struct vmfs_dblk_hdr *d = blk;

	if (le32toh(d->magic) != magic)
		return -EFSCORRUPTED;
	if (le32toh(d->crc) != vmfs_crc32c_block(blk, len, offsetof(struct vmfs_dblk_hdr, crc)))
		return -EFSBADCRC;
	if (le16toh(d->version) != VMFS_BLK_VERSION)
		return -EFSCORRUPTED;
	if (le64toh(d->blkno) != blkno)
		return -EFSCORRUPTED;
	if (uuid && memcmp(d->uuid, uuid, 16) != 0)
		return -EFSCORRUPTED;
	return 0;
}
