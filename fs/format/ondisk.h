/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * On-disk structures of the volume, exactly as docs/FORMAT.md describes
 * them. Every multi-byte field is little-endian; every structure has
 * explicit zeroed padding, a size assertion and an assertion on the offset
 * of its checksum. Nothing outside fs/format/ includes this file: the rest
 * of the code sees the host-order types of format.h, converted only by the
 * *_encode() and *_decode() functions.
 */
#ifndef VMFS_ONDISK_H
#define VMFS_ONDISK_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/format/format.h"

typedef uint16_t __le16_t;
typedef uint32_t __le32_t;
typedef uint64_t __le64_t;

/*
 * Common header of every 4 KiB metadata block (FORMAT.md "Metadata block
 * header"). The CRC32C covers the whole block with the crc field as zero.
 */
struct vmfs_dblk_hdr {
/*00*/	__le32_t magic;
/*04*/	__le32_t crc;
/*08*/	__le64_t blkno;		/* this block's own address, in mblocks */
/*10*/	uint8_t  uuid[16];	/* volume UUID */
/*20*/	__le64_t lsn;		/* journal sequence of the last change (0 until issue 4) */
/*28*/	__le16_t version;	/* structure version, 1 */
/*2a*/	__le16_t pad0;
/*2c*/	__le32_t pad1;
};
static_assert(sizeof(struct vmfs_dblk_hdr) == 0x30, "block header size");
static_assert(offsetof(struct vmfs_dblk_hdr, crc) == 0x04, "block header crc");

/* Volume header: mblock 0, backup copy in the last mblock of the device. */
struct vmfs_dvolhdr {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le32_t major;			/* incompatible layout version: 1 */
/*034*/	__le32_t minor;			/* compatible additions: 0 */
/*038*/	__le64_t feat_compat;
/*040*/	__le64_t feat_ro_compat;
/*048*/	__le64_t feat_incompat;
/*050*/	char     label[64];		/* NUL padded, not necessarily NUL terminated */
/*090*/	__le64_t device_bytes;		/* device size seen by mkfs or extend */
/*098*/	__le64_t total_mblocks;		/* mblocks covered by the layout */
/*0a0*/	__le32_t mblock_shift;		/* 12 */
/*0a4*/	__le32_t file_block_shift;	/* 16 .. 26 */
/*0a8*/	__le32_t small_block_shift;	/* 13 .. file_block_shift */
/*0ac*/	__le32_t host_slots;		/* heartbeat slots, >= 2048 by default */
/*0b0*/	__le64_t volume_lock;		/* mblock of the volume lock record */
/*0b8*/	__le64_t hb_start;		/* first heartbeat slot */
/*0c0*/	__le64_t rgmap_start;		/* first block of the RG init map */
/*0c8*/	__le64_t rgmap_blocks;
/*0d0*/	__le64_t rgtab_start;		/* RG table: (lock, header) per group */
/*0d8*/	__le64_t rg_count;
/*0e0*/	__le64_t rg_mblocks;		/* mblocks per group, power of two */
/*0e8*/	__le64_t data_start;		/* first mblock of group 0, file block aligned */
/*0f0*/	__le64_t root_ino;
/*0f8*/	__le64_t mkfs_time_ns;
/*100*/	uint8_t  hash_seed[16];		/* key for directory and xattr name hashing */
/*110*/	__le32_t lease_ms;		/* default lease timeout for hosts */
/*114*/	__le32_t pad0;
/*118*/	__le64_t single_host_lock;	/* mblock range locked by a single-host mount */
/*120*/	uint8_t  reserved[0x1000 - 0x120];
};
static_assert(sizeof(struct vmfs_dvolhdr) == 0x1000, "volume header size");

/*
 * Lock record: alone at the start of its own mblock, so that an atomic
 * compare-and-write of the first device sector (512 B or 4 KiB) covers it.
 * The CRC covers bytes 0x000..0x1ff only; an all-zero record is free.
 */
struct vmfs_dlock_holder {
/*00*/	__le16_t slot;		/* heartbeat slot of the holder */
/*02*/	__le16_t flags;
/*04*/	__le32_t hb_gen;	/* low 32 bits of the holder's heartbeat generation */
};
static_assert(sizeof(struct vmfs_dlock_holder) == 8, "lock holder size");

struct vmfs_dlock {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t guarded;		/* mblock of what this lock guards */
/*038*/	__le32_t type;			/* VMFS_LOCK_T_* */
/*03c*/	__le32_t mode;			/* VMFS_LOCK_M_* */
/*040*/	__le64_t version;		/* bumped on every change of the record */
/*048*/	__le64_t acquired_ns;		/* holder's wall clock, for humans only */
/*050*/	__le16_t nholders;
/*052*/	__le16_t want_slot;		/* slot + 1 of a host waiting for the lock; 0 none */
/*054*/	__le32_t want_gen;		/* low 32 bits of that host's heartbeat generation */
/*058*/	__le64_t pad2;
/*060*/	struct vmfs_dlock_holder holders[VMFS_LOCK_MAX_HOLDERS];
/*160*/	uint8_t  reserved[0x200 - 0x160];
};
static_assert(sizeof(struct vmfs_dlock) == 0x200, "lock record size");

/* Heartbeat slot: one mblock per host; only the slot's owner writes it. */
struct vmfs_dheartbeat {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t generation;		/* bumped on every join */
/*038*/	__le64_t seq;			/* bumped on every renewal */
/*040*/	__le64_t stamp_ns;		/* writer's wall clock, for humans only */
/*048*/	__le32_t state;			/* VMFS_HB_* */
/*04c*/	__le32_t lease_ms;		/* lease the writer promises to honour */
/*050*/	uint8_t  host_uuid[16];
/*060*/	char     host_name[64];		/* NUL padded */
/*0a0*/	__le64_t journal_start;		/* mblock, 0 until allocated */
/*0a8*/	__le64_t journal_mblocks;
/*0b0*/	__le64_t journal_seq;		/* first sequence still needed at replay */
/*0b8*/	__le16_t recovered_by;		/* slot replaying this one, if RECOVERING */
/*0ba*/	__le16_t pad0;
/*0bc*/	__le32_t pad1;
/*0c0*/	uint8_t  reserved[0x200 - 0xc0];
};
static_assert(sizeof(struct vmfs_dheartbeat) == 0x200, "heartbeat size");

/* RG init map block: one bit per resource group, set once it is initialised. */
struct vmfs_drgmap {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t first_rg;		/* group of bit 0 */
/*038*/	__le64_t pad0;
/*040*/	uint8_t  bits[0x1000 - 0x40];
};
static_assert(sizeof(struct vmfs_drgmap) == 0x1000, "rgmap size");

/* Resource group header, in the RG table right after the group's lock. */
struct vmfs_drg {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t index;
/*038*/	__le64_t start;			/* first mblock of the group */
/*040*/	__le64_t mblocks;		/* mblocks covered (last group may be short) */
/*048*/	__le64_t free_mblocks;
/*050*/	__le64_t ndesc;			/* file descriptors allocated here */
/*058*/	__le32_t bitmap_blocks;		/* bitmap blocks at the group's start */
/*05c*/	__le32_t flags;
/*060*/	__le64_t version;		/* bumped on every change */
/*068*/	__le64_t refcount_root;		/* shared-block refcount tree, 0 = none */
/*070*/	__le64_t pad0;
/*078*/	__le64_t pad1;
/*080*/	uint8_t  bitmap_init[VMFS_RG_MAX_BITMAP_BLOCKS / 8];	/* bit k: bitmap block k written */
/*0c0*/	uint8_t  reserved[0x1000 - 0xc0];
};
static_assert(sizeof(struct vmfs_drg) == 0x1000, "rg header size");

/* Bitmap block: one bit per mblock of the group, 1 = in use. */
struct vmfs_dbitmap {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t rg;			/* owning group */
/*038*/	__le64_t first_bit;		/* group-relative mblock of bit 0 */
/*040*/	uint8_t  bits[0x1000 - 0x40];
};
static_assert(sizeof(struct vmfs_dbitmap) == 0x1000, "bitmap size");

/* Header of a B-tree root kept inside a descriptor. */
struct vmfs_dbt_root {
/*00*/	__le16_t level;			/* 0: records are leaf records */
/*02*/	__le16_t nrecs;
/*04*/	__le16_t used;			/* bytes of records after this header */
/*06*/	__le16_t tree_type;		/* VMFS_BT_* */
};
static_assert(sizeof(struct vmfs_dbt_root) == 8, "bt root size");

/* B-tree node: a full mblock. */
struct vmfs_dbt_node {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t owner;			/* ino of the descriptor owning the tree */
/*038*/	struct vmfs_dbt_root root;	/* same header as a root */
/*040*/	uint8_t  recs[0x1000 - 0x40];
};
static_assert(sizeof(struct vmfs_dbt_node) == 0x1000, "bt node size");

/* Xattr value block: holds one value larger than VMFS_XATTR_INLINE_MAX. */
struct vmfs_dxval {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t owner;			/* ino of the descriptor */
/*038*/	__le32_t len;			/* value bytes */
/*03c*/	__le32_t pad0;
/*040*/	uint8_t  value[0x1000 - 0x40];
};
static_assert(sizeof(struct vmfs_dxval) == 0x1000, "xattr value block size");

/*
 * Journal transaction header (FORMAT.md "Journal"): the first blocks of a
 * host's journal area; block 0 also carries the state and the CRC of the
 * images that follow the header blocks.
 */
struct vmfs_djhdr {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t seq;			/* transaction number, from 1 */
/*038*/	__le32_t state;			/* VMFS_JNL_LIVE, VMFS_JNL_DONE */
/*03c*/	__le32_t index;			/* this header block, 0 .. nhdr - 1 */
/*040*/	__le32_t nhdr;			/* header blocks of the transaction */
/*044*/	__le32_t ntargets;		/* entries of targets[] used in this block */
/*048*/	__le32_t nblocks;		/* images of the whole transaction */
/*04c*/	__le32_t data_crc;		/* CRC32C of the images, in order */
/*050*/	__le64_t pad0;
/*058*/	__le64_t pad1;
/*060*/	__le64_t targets[VMFS_JNL_TARGETS];	/* home mblock of each image */
};
static_assert(sizeof(struct vmfs_djhdr) == 0x1000, "journal header size");

/*
 * Orphan table (FORMAT.md "Orphan table"): the last mblock of a host's
 * journal area, the descriptors that host unlinked and has not deleted yet.
 */
struct vmfs_dorphan {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le32_t count;			/* entries of inos[] in use */
/*034*/	__le32_t pad0;
/*038*/	__le64_t inos[VMFS_ORPHAN_MAX];	/* descriptors, unordered */
};
static_assert(sizeof(struct vmfs_dorphan) == 0x1000, "orphan table size");
static_assert(offsetof(struct vmfs_dorphan, count) == VMFS_ORPHAN_COUNT_OFF &&
	      offsetof(struct vmfs_dorphan, inos) == VMFS_ORPHAN_INOS_OFF, "orphan table fields");

/* Leaf value of an extent tree (key: logical mblock). */
struct vmfs_dextent {
/*00*/	__le64_t pstart;		/* physical mblock */
/*08*/	__le32_t len;			/* mblocks */
/*0c*/	__le32_t flags;			/* VMFS_EXT_* */
/*10*/	__le64_t birth;			/* descriptor data_gen when written */
};
static_assert(sizeof(struct vmfs_dextent) == 0x18, "extent size");

/* File descriptor body (the mblock after the descriptor's lock). */
struct vmfs_ddesc {
/*000*/	struct vmfs_dblk_hdr hdr;
/*030*/	__le64_t generation;		/* incremented each time the slot is reused */
/*038*/	__le64_t version;		/* bumped on every change */
/*040*/	__le32_t mode;
/*044*/	__le32_t nlink;
/*048*/	__le32_t uid;
/*04c*/	__le32_t gid;
/*050*/	__le64_t size;
/*058*/	__le64_t alloc_mblocks;		/* data mblocks allocated (st_blocks / 8) */
/*060*/	__le64_t atime_sec;
/*068*/	__le64_t mtime_sec;
/*070*/	__le64_t ctime_sec;
/*078*/	__le64_t btime_sec;
/*080*/	__le32_t atime_nsec;
/*084*/	__le32_t mtime_nsec;
/*088*/	__le32_t ctime_nsec;
/*08c*/	__le32_t btime_nsec;
/*090*/	__le64_t rdev;
/*098*/	__le32_t flags;			/* VMFS_DESC_F_* */
/*09c*/	__le16_t data_fmt;		/* VMFS_FMT_* of the data root */
/*09e*/	__le16_t xattr_fmt;		/* VMFS_FMT_* of the xattr root */
/*0a0*/	__le64_t parent;		/* ino of the directory it was created in */
/*0a8*/	__le64_t nentries;		/* directories: entries; others: 0 */
/*0b0*/	__le64_t data_gen;		/* birth generation for new extents */
/*0b8*/	__le64_t snap_root;		/* per-file snapshot list, 0 = none */
/*0c0*/	__le64_t xattr_count;
/*0c8*/	uint8_t  reserved0[0x100 - 0xc8];
/*100*/	uint8_t  data_root[2048];
/*900*/	uint8_t  xattr_root[1024];
/*d00*/	uint8_t  reserved1[0x1000 - 0xd00];
};
static_assert(sizeof(struct vmfs_ddesc) == 0x1000, "descriptor size");
static_assert(offsetof(struct vmfs_ddesc, data_root) == 0x100, "descriptor data root");

#endif
