/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host-order view of the on-disk format (docs/FORMAT.md): constants, the
 * in-memory structures every tool uses, and the encode/decode/verify
 * functions that are the only place bytes and host types meet.
 */
#ifndef VMFS_FORMAT_H
#define VMFS_FORMAT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef EFSCORRUPTED
#define EFSCORRUPTED EUCLEAN	/* structure is inconsistent */
#endif
#ifndef EFSBADCRC
#define EFSBADCRC EBADMSG	/* checksum mismatch */
#endif

#define VMFS_MBLOCK_SHIFT	12
#define VMFS_MBLOCK_SIZE	(1u << VMFS_MBLOCK_SHIFT)
#define VMFS_LOCK_BYTES		512	/* lock, heartbeat records: first sector of the mblock */
#define VMFS_LOCK_MAX_HOLDERS	32	/* read-only or multi-writer sharers of one lock */

#define VMFS_MAJOR		1
#define VMFS_MINOR		0
#define VMFS_BLK_VERSION	1

/* Magic numbers, one per metadata block type ("OV" + two letters). */
#define VMFS_MAGIC_VOLHDR	0x534d564fu	/* "OVMS" as bytes */
#define VMFS_MAGIC_LOCK		0x4b4c564fu	/* "OVLK" */
#define VMFS_MAGIC_HB		0x4248564fu	/* "OVHB" */
#define VMFS_MAGIC_RGMAP	0x4d52564fu	/* "OVRM" */
#define VMFS_MAGIC_RG		0x4752564fu	/* "OVRG" */
#define VMFS_MAGIC_BITMAP	0x4d42564fu	/* "OVBM" */
#define VMFS_MAGIC_BTNODE	0x4e42564fu	/* "OVBN" */
#define VMFS_MAGIC_DESC		0x4944564fu	/* "OVDI" */
#define VMFS_MAGIC_XVAL		0x5658564fu	/* "OVXV" */
#define VMFS_MAGIC_JHDR		0x484a564fu	/* "OVJH" */
#define VMFS_MAGIC_ORPHAN	0x524f564fu	/* "OVOR" */

/* Fixed layout positions, in mblocks. */
#define VMFS_VOLHDR_BLK		0
#define VMFS_VOLLOCK_BLK	1
#define VMFS_SINGLE_HOST_BLK	2
#define VMFS_HB_START_BLK	16

#define VMFS_DEFAULT_FILE_BLOCK_SHIFT	20	/* 1 MiB */
#define VMFS_MIN_FILE_BLOCK_SHIFT	16	/* 64 KiB */
#define VMFS_MAX_FILE_BLOCK_SHIFT	26	/* 64 MiB */
#define VMFS_DEFAULT_SMALL_BLOCK_SHIFT	16	/* 64 KiB */
#define VMFS_MIN_SMALL_BLOCK_SHIFT	13	/* 8 KiB */
#define VMFS_DEFAULT_HOST_SLOTS		2048
#define VMFS_MAX_HOST_SLOTS		65535
#define VMFS_DEFAULT_RG_SHIFT		22	/* mblocks per group: 16 GiB */
#define VMFS_DEFAULT_LEASE_MS		8000
#define VMFS_NAME_MAX			255
#define VMFS_DATA_ROOT_BYTES		2048	/* inline data / data B-tree root */
#define VMFS_XATTR_ROOT_BYTES		1024
#define VMFS_LABEL_MAX			64
#define VMFS_HOSTNAME_MAX		64
#define VMFS_XATTR_NAME_MAX		255
#define VMFS_XATTR_VALUE_MAX		4032	/* one xattr value block */
#define VMFS_XATTR_INLINE_MAX		1024	/* larger values go to a value block */
#define VMFS_MAX_FILE_BYTES		(1ull << 60)	/* 1 EiB: logical mblocks fit 48 bits */

/* Bits carried by one bitmap block and one RG map block. */
#define VMFS_BITMAP_BITS	((VMFS_MBLOCK_SIZE - 0x40) * 8u)	/* 32256 */
#define VMFS_RG_MAX_BITMAP_BLOCKS 512	/* bitmap blocks one group may have */
#define VMFS_RGMAP_BITS		((VMFS_MBLOCK_SIZE - 0x40) * 8u)

/* Lock record types and modes. */
enum { VMFS_LOCK_T_VOLUME = 1, VMFS_LOCK_T_RG = 2, VMFS_LOCK_T_DESC = 3 };
enum { VMFS_LOCK_M_FREE = 0, VMFS_LOCK_M_EXCL = 1, VMFS_LOCK_M_RO = 2, VMFS_LOCK_M_MW = 3 };

/* Heartbeat slot states. */
enum { VMFS_HB_FREE = 0, VMFS_HB_LIVE = 1, VMFS_HB_RECOVERING = 2 };

/* RG header flags. */
#define VMFS_RG_F_INIT		0x1

/* B-tree types. */
enum { VMFS_BT_EXTENT = 1, VMFS_BT_DIR = 2, VMFS_BT_XATTR = 3 };

/* Formats of a descriptor's data and xattr roots. */
enum { VMFS_FMT_EMPTY = 0, VMFS_FMT_INLINE = 1, VMFS_FMT_BTREE = 2 };

/* Extent flags. */
#define VMFS_EXT_UNWRITTEN	0x1	/* allocated, reads as zeros */
#define VMFS_EXT_SHARED		0x2	/* blocks referenced by a snapshot or clone */
#define VMFS_EXT_KNOWN_FLAGS	0x3

/* Descriptor flags. */
#define VMFS_DESC_F_SNAPSHOT	0x1	/* frozen snapshot of another file */
#define VMFS_DESC_F_ORPHAN	0x2	/* unlinked while open */
#define VMFS_DESC_F_MULTIWRITER	0x4	/* opens share the lock multi-writer (LOCKING.md) */

/* Directory entry types (as DT_* of dirent.h). */
#define VMFS_DT_UNKNOWN		0
#define VMFS_DT_FIFO		1
#define VMFS_DT_CHR		2
#define VMFS_DT_DIR		4
#define VMFS_DT_BLK		6
#define VMFS_DT_REG		8
#define VMFS_DT_LNK		10
#define VMFS_DT_SOCK		12

/* Lowest directory key; 1 and 2 are the readdir offsets of "." and "..". */
#define VMFS_DIR_KEY_MIN	0x100ull

struct vmfs_blk_hdr {
	uint32_t magic;
	uint64_t blkno;
	uint8_t uuid[16];
	uint64_t lsn;
};

struct vmfs_volhdr {
	struct vmfs_blk_hdr hdr;
	uint32_t major, minor;
	uint64_t feat_compat, feat_ro_compat, feat_incompat;
	char label[VMFS_LABEL_MAX + 1];
	uint64_t device_bytes;
	uint64_t total_mblocks;
	uint32_t mblock_shift;
	uint32_t file_block_shift;
	uint32_t small_block_shift;
	uint32_t host_slots;
	uint64_t volume_lock;
	uint64_t hb_start;
	uint64_t rgmap_start, rgmap_blocks;
	uint64_t rgtab_start;
	uint64_t rg_count;
	uint64_t rg_mblocks;
	uint64_t data_start;
	uint64_t root_ino;
	uint64_t mkfs_time_ns;
	uint8_t hash_seed[16];
	uint32_t lease_ms;
	uint64_t single_host_lock;
};

struct vmfs_lock_holder {
	uint16_t slot;
	uint16_t flags;
	uint32_t hb_gen;
};

struct vmfs_lock {
	struct vmfs_blk_hdr hdr;
	uint64_t guarded;
	uint32_t type;
	uint32_t mode;
	uint64_t version;
	uint64_t acquired_ns;
	uint16_t nholders;
	uint16_t want_slot;		/* slot + 1 of a waiting host, 0 = none */
	uint32_t want_gen;
	struct vmfs_lock_holder holders[VMFS_LOCK_MAX_HOLDERS];
};

struct vmfs_heartbeat {
	struct vmfs_blk_hdr hdr;
	uint64_t generation;
	uint64_t seq;
	uint64_t stamp_ns;
	uint32_t state;
	uint32_t lease_ms;
	uint8_t host_uuid[16];
	char host_name[VMFS_HOSTNAME_MAX + 1];
	uint64_t journal_start, journal_mblocks, journal_seq;
	uint16_t recovered_by;
};

struct vmfs_rg {
	struct vmfs_blk_hdr hdr;
	uint64_t index;
	uint64_t start;
	uint64_t mblocks;
	uint64_t free_mblocks;
	uint64_t ndesc;
	uint32_t bitmap_blocks;
	uint32_t flags;
	uint64_t version;
	uint64_t refcount_root;
	uint8_t bitmap_init[64];
};

struct vmfs_extent {
	uint64_t lstart;	/* logical mblock (the tree key) */
	uint64_t pstart;
	uint32_t len;
	uint32_t flags;
	uint64_t birth;
};

struct vmfs_desc {
	struct vmfs_blk_hdr hdr;
	uint64_t generation;
	uint64_t version;
	uint32_t mode;
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t alloc_mblocks;
	int64_t atime_sec, mtime_sec, ctime_sec, btime_sec;
	uint32_t atime_nsec, mtime_nsec, ctime_nsec, btime_nsec;
	uint64_t rdev;
	uint32_t flags;
	uint16_t data_fmt, xattr_fmt;
	uint64_t parent;
	uint64_t nentries;
	uint64_t data_gen;
	uint64_t snap_root;
	uint64_t xattr_count;
	uint8_t data_root[2048];
	uint8_t xattr_root[1024];
};

/* crc32c.c */
uint32_t vmfs_crc32c(uint32_t crc, const void *buf, size_t len);
uint32_t vmfs_crc32c_block(const void *blk, size_t len, size_t crc_off);

/* blkhdr.c: common header of every metadata block */
void vmfs_blk_hdr_encode(void *blk, const struct vmfs_blk_hdr *h);
void vmfs_blk_hdr_decode(const void *blk, struct vmfs_blk_hdr *h);
void vmfs_blk_seal(void *blk, size_t len);
int vmfs_blk_verify(const void *blk, size_t len, uint32_t magic, uint64_t blkno,
		    const uint8_t uuid[16]);
bool vmfs_blk_is_zero(const void *blk, size_t len);

/* Encoders fill a whole zeroed buffer (4096 or 512 bytes) and seal it. */
void vmfs_volhdr_encode(void *blk, const struct vmfs_volhdr *vh);
int vmfs_volhdr_decode(const void *blk, uint64_t blkno, struct vmfs_volhdr *vh);
int vmfs_volhdr_check(const struct vmfs_volhdr *vh, uint64_t device_bytes,
		      char *why, size_t whylen);

void vmfs_lock_encode(void *sector, const struct vmfs_lock *lk);
int vmfs_lock_decode(const void *sector, uint64_t blkno, const uint8_t uuid[16],
		     struct vmfs_lock *lk);

void vmfs_hb_encode(void *sector, const struct vmfs_heartbeat *hb);
int vmfs_hb_decode(const void *sector, uint64_t blkno, const uint8_t uuid[16],
		   struct vmfs_heartbeat *hb);

void vmfs_rg_encode(void *blk, const struct vmfs_rg *rg);
int vmfs_rg_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], struct vmfs_rg *rg);

void vmfs_desc_encode(void *blk, const struct vmfs_desc *d);
int vmfs_desc_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], struct vmfs_desc *d);

/* Bitmap and RG map blocks: header plus a bit array edited in place. */
void vmfs_bitmap_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t rg,
		      uint64_t first_bit);
int vmfs_bitmap_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16]);
uint8_t *vmfs_bitmap_bits(void *blk);
void vmfs_rgmap_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t first_rg);
int vmfs_rgmap_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16]);
uint8_t *vmfs_rgmap_bits(void *blk);

/* Xattr value block: a value too large to sit in its tree record. */
#define VMFS_XVAL_HDR 0x40
void vmfs_xval_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner,
		    uint32_t len);
int vmfs_xval_check(const void *blk, uint64_t owner, uint32_t len);

/* Journal transaction header (docs/FORMAT.md "Journal"). */
#define VMFS_JNL_TARGETS	500	/* images listed per header block */
enum { VMFS_JNL_LIVE = 1, VMFS_JNL_DONE = 2 };
struct vmfs_jhdr {
	struct vmfs_blk_hdr hdr;
	uint64_t seq;
	uint32_t state, index, nhdr, ntargets, nblocks, data_crc;
	uint64_t targets[VMFS_JNL_TARGETS];
};
void vmfs_jhdr_encode(void *blk, const struct vmfs_jhdr *j);
int vmfs_jhdr_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16],
		     struct vmfs_jhdr *j);

/*
 * A host's journal area (docs/FORMAT.md "Journal"): transactions in the
 * first journal_mblocks - 1 mblocks, the orphan table in the last.
 */
static inline uint64_t vmfs_jnl_txn_mblocks(uint64_t journal_mblocks)
{
	return journal_mblocks ? journal_mblocks - 1 : 0;
}
static inline uint64_t vmfs_orphan_blk(uint64_t journal_start, uint64_t journal_mblocks)
{
	return journal_start && journal_mblocks ? journal_start + journal_mblocks - 1 : 0;
}
#define VMFS_ORPHAN_MAX		505	/* descriptors one orphan table holds */
#define VMFS_ORPHAN_COUNT_OFF	0x030	/* le32 count, in the table block */
#define VMFS_ORPHAN_INOS_OFF	0x038	/* le64 inos[VMFS_ORPHAN_MAX] */
void vmfs_orphan_init(void *blk, uint64_t blkno, const uint8_t uuid[16]);
int vmfs_orphan_decode(const void *blk, uint64_t blkno, const uint8_t uuid[16], uint32_t *count,
		       uint64_t inos[VMFS_ORPHAN_MAX]);

/* Extent leaf value. */
#define VMFS_EXTENT_VAL_BYTES 24
void vmfs_extent_val_encode(void *val, const struct vmfs_extent *e);
int vmfs_extent_val_decode(const void *val, size_t len, uint64_t key, struct vmfs_extent *e);

/* B-tree node and root headers. */
#define VMFS_BT_NODE_HDR	0x40
#define VMFS_BT_ROOT_HDR	8
#define VMFS_BT_MAX_LEVEL	8
struct vmfs_bt_hdr {
	uint16_t level, nrecs, used, tree_type;
};
void vmfs_bt_hdr_encode(void *p, const struct vmfs_bt_hdr *h);
void vmfs_bt_hdr_decode(const void *p, struct vmfs_bt_hdr *h);
void vmfs_bt_node_init(void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner);
int vmfs_bt_node_verify(const void *blk, uint64_t blkno, const uint8_t uuid[16], uint64_t owner);

/* Little-endian helpers for code that edits raw record areas. */
uint16_t vmfs_get_le16(const void *p);
uint32_t vmfs_get_le32(const void *p);
uint64_t vmfs_get_le64(const void *p);
void vmfs_put_le16(void *p, uint16_t v);
void vmfs_put_le32(void *p, uint32_t v);
void vmfs_put_le64(void *p, uint64_t v);

/* hash.c: keyed name hash for directories and xattrs (SipHash-2-4). */
uint64_t vmfs_name_hash(const uint8_t seed[16], const void *name, size_t len);
/* First key of @name's collision range: 63-bit hash, low 8 bits clear, >= 0x100. */
uint64_t vmfs_name_key_base(const uint8_t seed[16], const void *name, size_t len);

/* geometry.c: layout computed from the volume header (FORMAT.md "Layout"). */
struct vmfs_geom {
	uint32_t file_block_mblocks;	/* mblocks per file block */
	uint32_t small_block_mblocks;
	uint64_t rg_mblocks;
	uint64_t rg_count;
	uint32_t bitmap_blocks_per_rg;	/* bitmap blocks at the start of a full group */
};
void vmfs_geom_from_volhdr(const struct vmfs_volhdr *vh, struct vmfs_geom *g);
uint64_t vmfs_rg_lock_blk(const struct vmfs_volhdr *vh, uint64_t rg);
uint64_t vmfs_rg_hdr_blk(const struct vmfs_volhdr *vh, uint64_t rg);
uint64_t vmfs_rg_start(const struct vmfs_volhdr *vh, uint64_t rg);
uint64_t vmfs_rg_len(const struct vmfs_volhdr *vh, uint64_t rg);
uint32_t vmfs_rg_bitmap_blocks(uint64_t rg_len);
uint64_t vmfs_hb_blk(const struct vmfs_volhdr *vh, unsigned slot);

/*
 * vmfs_layout_compute - fill the geometry fields of @vh (everything from
 * total_mblocks to data_start) for a device of @device_bytes, given the
 * block shifts, host_slots and rg_mblocks already set in @vh.
 * Returns 0 or -EINVAL / -ENOSPC with a one-line reason in @why.
 */
int vmfs_layout_compute(struct vmfs_volhdr *vh, uint64_t device_bytes, char *why, size_t whylen);

#endif
