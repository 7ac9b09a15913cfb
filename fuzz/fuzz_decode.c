// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: every decoder of fs/format, and the tree record
 * decoders of fs/core (directory entries, xattrs), on a hostile block. The
 * first input byte picks the decoder, the second whether the harness seals
 * the block first (a valid CRC, so that the fuzzer reaches the checks of
 * the fields behind it); the rest is the block. The block's address and
 * volume UUID are taken from its own header, so both match when the
 * decoder compares them. Nothing may crash, hang or read out of bounds.
 */
#include <stdint.h>
#include <string.h>

#include "fs/core/vol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t blk[VMFS_MBLOCK_SIZE] __attribute__((aligned(4096)));
	struct vmfs_volhdr vh;
	struct vmfs_lock lk;
	struct vmfs_heartbeat hb;
	struct vmfs_rg rg;
	struct vmfs_desc d;
	struct vmfs_jhdr j;
	struct vmfs_extent e;
	struct vmfs_bt_hdr bh;
	struct vmfs_dirent de;
	uint64_t blkno, inos[VMFS_ORPHAN_MAX];
	uint32_t count;
	uint64_t remote;
	uint8_t uuid[16];
	char why[128];
	size_t len = VMFS_MBLOCK_SIZE;

	if (size < 2)
		return 0;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, data + 2, size - 2 < sizeof(blk) ? size - 2 : sizeof(blk));
	blkno = vmfs_get_le64(blk + 8);
	memcpy(uuid, blk + 16, 16);
	if (data[0] % 15 == 1 || data[0] % 15 == 2)
		len = VMFS_LOCK_BYTES;	/* records checksummed over one sector */
	if (data[1] & 1)
		vmfs_blk_seal(blk, len);
	switch (data[0] % 15) {
	case 0:
		if (vmfs_volhdr_decode(blk, blkno, &vh) == 0)
			vmfs_volhdr_check(&vh, vh.device_bytes, why, sizeof(why));
		break;
	case 1:
		vmfs_lock_decode(blk, blkno, uuid, &lk);
		break;
	case 2:
		vmfs_hb_decode(blk, blkno, uuid, &hb);
		break;
	case 3:
		vmfs_rg_decode(blk, blkno, uuid, &rg);
		break;
	case 4:
		vmfs_desc_decode(blk, blkno, uuid, &d);
		break;
	case 5:
		vmfs_bitmap_verify(blk, blkno, uuid);
		break;
	case 6:
		vmfs_rgmap_verify(blk, blkno, uuid);
		break;
	case 7:
		vmfs_xval_check(blk, vmfs_get_le64(blk + 0x30), vmfs_get_le32(blk + 0x38));
		break;
	case 8:
		vmfs_jhdr_decode(blk, blkno, uuid, &j);
		break;
	case 9:
		if (vmfs_bt_node_verify(blk, blkno, uuid, vmfs_get_le64(blk + 0x30)) == 0)
			vmfs_bt_hdr_decode(blk + 0x40, &bh);
		break;
	case 10:
		vmfs_extent_val_decode(data + 2, size - 2, blkno, &e);
		break;
	case 11:
		vmfs_orphan_decode(blk, blkno, uuid, &count, inos);
		break;
	case 12:
		vmfs_dirent_decode(data + 2, size - 2, blkno, &de);
		break;
	case 13:
		vmfs_xattr_decode_remote(data + 2, size - 2, &remote);
		break;
	default:
		vmfs_blk_verify(blk, len, vmfs_get_le32(blk), blkno, uuid);
		break;
	}
	return 0;
}
