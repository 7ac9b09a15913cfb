// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CRC32C (Castagnoli) of metadata blocks, FORMAT.md "Checksums". ISA-L's
 * crc32_iscsi computes the same polynomial with the SSE4.2/PCLMUL
 * instructions; the standard CRC32C is its complement with an all-ones seed.
 */
#include <isa-l/crc.h>
#include <string.h>

#include "fs/format/format.h"

uint32_t vmfs_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return ~crc32_iscsi((unsigned char *)buf, (int)len, ~crc);
}

/* CRC32C of @len bytes of @blk with the 4-byte field at @crc_off taken as zero. */
uint32_t vmfs_crc32c_block(const void *blk, size_t len, size_t crc_off)
{
	static const uint8_t zero[4];
	const uint8_t *p = blk;
	uint32_t crc;

	crc = vmfs_crc32c(0, p, crc_off);
	crc = vmfs_crc32c(crc, zero, sizeof(zero));
	return vmfs_crc32c(crc, p + crc_off + 4, len - crc_off - 4);
}
