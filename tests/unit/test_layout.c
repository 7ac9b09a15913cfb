// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The layout test (docs/FORMAT.md sections 2-8): format a RAM device, then
 * read the raw bytes and check every field mkfs wrote at the offsets the
 * document gives, with hand-written little-endian reads and a bitwise
 * CRC32C of its own. Nothing here uses the on-disk structs, the decoders
 * or vmfs_crc32c, so a silent change of the format (an offset, a magic, a
 * checksum rule, what mkfs writes) fails this test even when encoder and
 * decoder still agree with each other.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fs/core/format_volume.h"
#include "fs/dev/dev.h"
#include "testvol.h"

#define BLK 4096u

static const uint8_t UUID[16] = { 0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				  0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };

/* Little-endian reads at literal offsets: no struct, no helper from fs/format. */
static uint64_t le(const uint8_t *b, unsigned off, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)b[off + i] << (8 * i);
	return v;
}

#define LE16(b, off) le((b), (off), 2)
#define LE32(b, off) le((b), (off), 4)
#define LE64(b, off) le((b), (off), 8)

/* CRC32C, Castagnoli, reflected 0x82F63B78, init and final xor all ones: one bit at a time. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t len, size_t skip_at)
{
	uint32_t crc = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		uint8_t byte = (i >= skip_at && i < skip_at + 4) ? 0 : p[i];

		crc ^= byte;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
	}
	return ~crc;
}

static bool zero(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

static struct vmfs_dev *dev;
static uint8_t *img;		/* the whole device, read back raw */
static uint64_t img_bytes;

static const uint8_t *mblock(uint64_t n)
{
	return img + n * BLK;
}

/* FORMAT.md section 3: the common header, and the CRC over @crclen bytes. */
static void check_blk_hdr(const uint8_t *b, const char *magic4, uint64_t blkno, size_t crclen,
			  const char *what)
{
	uint32_t crc = crc32c_bitwise(b, crclen, 4);

	TCHECK(memcmp(b, magic4, 4) == 0, "%s: magic bytes \"%.4s\", want \"%s\"", what,
	       (const char *)b, magic4);
	TCHECK(LE32(b, 0x04) == crc, "%s: crc 0x%08llx, recomputed 0x%08x", what,
	       (unsigned long long)LE32(b, 0x04), crc);
	TCHECK(LE64(b, 0x08) == blkno, "%s: blkno %llu, want %llu", what,
	       (unsigned long long)LE64(b, 0x08), (unsigned long long)blkno);
	TCHECK(memcmp(b + 0x10, UUID, 16) == 0, "%s: uuid differs", what);
	TCHECK(LE64(b, 0x20) == 0, "%s: lsn %llu, want 0", what,
	       (unsigned long long)LE64(b, 0x20));
	TCHECK(LE16(b, 0x28) == 1, "%s: version %llu", what, (unsigned long long)LE16(b, 0x28));
	TCHECK(zero(b + 0x2a, 6), "%s: header pad not zero", what);
}

#define FIELD(b, off, n, want) TCHECK(le((b), (off), (n)) == (uint64_t)(want),	\
	"field at 0x%03x: %llu (0x%llx), want %llu", (unsigned)(off),		\
	(unsigned long long)le((b), (off), (n)), (unsigned long long)le((b), (off), (n)), \
	(unsigned long long)(want))

static int setup(void)
{
	struct vmfs_format_params p = { .label = "layout", .uuid_set = true };
	char why[256] = "";

	img_bytes = 64ull << 20;
	memcpy(p.uuid, UUID, 16);
	if (vmfs_dev_ram_open(img_bytes, 512, &dev))
		return -1;
	if (vmfs_format(dev, &p, NULL, why, sizeof(why))) {
		fprintf(stderr, "format: %s\n", why);
		return -1;
	}
	img = malloc(img_bytes);
	if (!img || vmfs_dev_read(dev, img, img_bytes, 0))
		return -1;
	return 0;
}

static int teardown(void)
{
	free(img);
	vmfs_dev_close(dev);
	return 0;
}

/* Section 4, 64 MiB with the defaults: the numbers follow from section 2. */
static void check_volhdr_fields(const uint8_t *b)
{
	uint64_t now = (uint64_t)time(NULL) * 1000000000ull;

	FIELD(b, 0x030, 4, 1);			/* major */
	FIELD(b, 0x034, 4, 0);			/* minor */
	FIELD(b, 0x038, 8, 0);			/* feat_compat */
	FIELD(b, 0x040, 8, 0);			/* feat_ro_compat */
	FIELD(b, 0x048, 8, 0);			/* feat_incompat */
	TCHECK(memcmp(b + 0x050, "layout", 6) == 0 && zero(b + 0x056, 64 - 6),
	       "label is not \"layout\" NUL padded");
	FIELD(b, 0x090, 8, 67108864);		/* device_bytes */
	FIELD(b, 0x098, 8, 16384);		/* total_mblocks */
	FIELD(b, 0x0a0, 4, 12);			/* mblock_shift */
	FIELD(b, 0x0a4, 4, 20);			/* file_block_shift */
	FIELD(b, 0x0a8, 4, 16);			/* small_block_shift */
	FIELD(b, 0x0ac, 4, 2048);		/* host_slots */
	FIELD(b, 0x0b0, 8, 1);			/* volume_lock */
	FIELD(b, 0x0b8, 8, 16);			/* hb_start */
	FIELD(b, 0x0c0, 8, 2064);		/* rgmap_start */
	FIELD(b, 0x0c8, 8, 1);			/* rgmap_blocks */
	FIELD(b, 0x0d0, 8, 2065);		/* rgtab_start */
	FIELD(b, 0x0d8, 8, 1);			/* rg_count */
	FIELD(b, 0x0e0, 8, 1ull << 22);		/* rg_mblocks */
	FIELD(b, 0x0e8, 8, 2304);		/* data_start */
	TCHECK((LE64(b, 0x0f0) & 1) && LE64(b, 0x0f0) > 2304 && LE64(b, 0x0f0) < 16128,
	       "root_ino %llu is not an odd address in the data area",
	       (unsigned long long)LE64(b, 0x0f0));
	TCHECK(LE64(b, 0x0f8) > now - 3600ull * 1000000000ull &&
	       LE64(b, 0x0f8) < now + 3600ull * 1000000000ull,
	       "mkfs_time_ns %llu is not about now", (unsigned long long)LE64(b, 0x0f8));
	TCHECK(!zero(b + 0x100, 16), "hash_seed is all zero");
	FIELD(b, 0x110, 4, 8000);		/* lease_ms */
	FIELD(b, 0x114, 4, 0);			/* pad0 */
	FIELD(b, 0x118, 8, 2);			/* single_host_lock */
	TCHECK(zero(b + 0x120, 0xee0), "volume header reserved bytes not zero");
}

static void test_volume_header(void)
{
	const uint8_t *b = mblock(0);

	check_blk_hdr(b, "OVMS", 0, BLK, "primary volume header");
	FIELD(b, 0x000, 4, 0x534d564fu);
	check_volhdr_fields(b);
}

static void test_backup_header(void)
{
	const uint8_t *p = mblock(0), *b = mblock(16383);

	check_blk_hdr(b, "OVMS", 16383, BLK, "backup volume header");
	check_volhdr_fields(b);
	/* Identical to the primary except for blkno (and so the crc). */
	TCHECK(memcmp(p, b, 4) == 0 && memcmp(p + 0x10, b + 0x10, BLK - 0x10) == 0,
	       "backup differs from the primary beyond blkno and crc");
}

/* Section 2 and 5: what lies between the header and the data area. */
static void test_fixed_region(void)
{
	uint64_t n;

	for (n = 1; n < 16; n++)	/* volume lock (free), single-host block, reserved */
		TCHECK(zero(mblock(n), BLK), "mblock %llu is not zero", (unsigned long long)n);
	for (n = 16; n < 2064; n++) {	/* heartbeat slots: all free */
		if (!zero(mblock(n), BLK)) {
			TCHECK(0, "heartbeat slot %llu is not zero", (unsigned long long)(n - 16));
			break;
		}
	}
	for (n = 2067; n < 2304; n++)	/* RG table past group 0, padding */
		TCHECK(zero(mblock(n), BLK), "mblock %llu is not zero", (unsigned long long)n);
	for (n = 16128; n < 16383; n++)	/* tail */
		TCHECK(zero(mblock(n), BLK), "tail mblock %llu is not zero", (unsigned long long)n);
}

static void test_rgmap(void)
{
	const uint8_t *b = mblock(2064);

	check_blk_hdr(b, "OVRM", 2064, BLK, "rg init map");
	FIELD(b, 0x030, 8, 0);		/* first_rg */
	FIELD(b, 0x038, 8, 0);		/* pad0 */
	FIELD(b, 0x040, 1, 0x01);	/* group 0 initialised */
	TCHECK(zero(b + 0x41, BLK - 0x41), "rg map bits beyond group 0 set");
}

static void test_rg0(void)
{
	const uint8_t *lk = mblock(2065), *h = mblock(2066), *bm = mblock(2304);
	uint64_t root = LE64(mblock(0), 0x0f0), n, rel;
	unsigned i, set = 0;

	TCHECK(zero(lk, BLK) || (memcmp(lk, "OVLK", 4) == 0 && LE32(lk, 0x3c) == 0),
	       "group 0 lock is neither zero nor a free lock record");
	check_blk_hdr(h, "OVRG", 2066, BLK, "rg 0 header");
	FIELD(h, 0x030, 8, 0);			/* index */
	FIELD(h, 0x038, 8, 2304);		/* start */
	FIELD(h, 0x040, 8, 16128 - 2304);	/* mblocks */
	FIELD(h, 0x048, 8, 16128 - 2304 - 1 - 2);	/* free: bitmap block and root descriptor */
	FIELD(h, 0x050, 8, 1);			/* ndesc */
	FIELD(h, 0x058, 4, 1);			/* bitmap_blocks */
	FIELD(h, 0x05c, 4, 1);			/* flags: VMFS_RG_F_INIT */
	TCHECK(LE64(h, 0x060) >= 1, "rg version is 0");
	FIELD(h, 0x068, 8, 0);			/* refcount_root */
	FIELD(h, 0x070, 8, 0);
	FIELD(h, 0x078, 8, 0);
	FIELD(h, 0x080, 1, 0x01);		/* bitmap_init: block 0 valid */
	TCHECK(zero(h + 0x81, 63), "bitmap_init bits beyond block 0 set");
	TCHECK(zero(h + 0xc0, BLK - 0xc0), "rg header reserved bytes not zero");

	check_blk_hdr(bm, "OVBM", 2304, BLK, "bitmap block 0");
	FIELD(bm, 0x030, 8, 0);			/* rg */
	FIELD(bm, 0x038, 8, 0);			/* first_bit */
	/* Used: the bitmap block itself and the root descriptor's two mblocks. */
	for (i = 0; i < 32256; i++) {
		bool bit = bm[0x40 + i / 8] & (1u << (i % 8));
		bool want = i == 0 || i == root - 1 - 2304 || i == root - 2304;

		set += bit;
		if (bit != want) {
			TCHECK(bit == want, "bitmap bit %u is %d, want %d", i, bit, want);
			break;
		}
	}
	CU_ASSERT_EQUAL(set, 3);
	/* Nothing else in the group was written. */
	for (n = 2305; n < 16128; n++) {
		rel = n;
		if (rel == root || rel == root - 1)
			continue;
		if (!zero(mblock(n), BLK)) {
			TCHECK(0, "data mblock %llu written by mkfs", (unsigned long long)n);
			break;
		}
	}
}

/* Sections 7 and 8: the root directory's lock record and body. */
static void test_root_descriptor(void)
{
	uint64_t root = LE64(mblock(0), 0x0f0);
	const uint8_t *lk = mblock(root - 1), *d = mblock(root);
	int64_t mt, bt;

	CU_ASSERT_FATAL((root & 1) && root > 2304 && root < 16128);
	check_blk_hdr(lk, "OVLK", root - 1, 512, "root descriptor lock");
	FIELD(lk, 0x030, 8, root);		/* guarded */
	FIELD(lk, 0x038, 4, 3);			/* type: VMFS_LOCK_T_DESC */
	FIELD(lk, 0x03c, 4, 0);			/* mode: FREE */
	FIELD(lk, 0x050, 2, 0);			/* nholders */
	TCHECK(zero(lk + 0x52, 14), "lock pads not zero");
	TCHECK(zero(lk + 0x60, 0x200 - 0x60), "lock holders / reserved not zero");
	TCHECK(zero(lk + 0x200, BLK - 0x200), "lock mblock tail not zero");

	check_blk_hdr(d, "OVDI", root, BLK, "root descriptor");
	TCHECK(LE64(d, 0x030) != 0, "generation is 0");
	TCHECK(LE64(d, 0x038) >= 1, "version is 0");
	FIELD(d, 0x040, 4, 040755);		/* mode */
	FIELD(d, 0x044, 4, 2);			/* nlink */
	FIELD(d, 0x048, 4, 0);			/* uid */
	FIELD(d, 0x04c, 4, 0);			/* gid */
	FIELD(d, 0x050, 8, 0);			/* size */
	FIELD(d, 0x058, 8, 0);			/* alloc_mblocks */
	mt = (int64_t)LE64(d, 0x068);
	bt = (int64_t)LE64(d, 0x078);
	TCHECK(mt > (int64_t)time(NULL) - 3600 && mt <= (int64_t)time(NULL) + 1,
	       "mtime %lld is not about now", (long long)mt);
	CU_ASSERT_EQUAL(bt, mt);		/* btime = creation = mtime */
	CU_ASSERT(LE64(d, 0x060) == (uint64_t)mt && LE64(d, 0x070) == (uint64_t)mt);
	CU_ASSERT(LE32(d, 0x080) < 1000000000u && LE32(d, 0x084) < 1000000000u &&
		  LE32(d, 0x088) < 1000000000u && LE32(d, 0x08c) < 1000000000u);
	CU_ASSERT_EQUAL(LE32(d, 0x08c), LE32(d, 0x084));
	FIELD(d, 0x090, 8, 0);			/* rdev */
	FIELD(d, 0x098, 4, 0);			/* flags */
	FIELD(d, 0x09c, 2, 2);			/* data_fmt: BTREE */
	FIELD(d, 0x09e, 2, 0);			/* xattr_fmt: EMPTY */
	FIELD(d, 0x0a0, 8, root);		/* parent: the root is its own parent */
	FIELD(d, 0x0a8, 8, 0);			/* nentries */
	FIELD(d, 0x0b0, 8, 0);			/* data_gen */
	FIELD(d, 0x0b8, 8, 0);			/* snap_root */
	FIELD(d, 0x0c0, 8, 0);			/* xattr_count */
	TCHECK(zero(d + 0x0c8, 0x38), "reserved0 not zero");
	/* data_root: an empty directory tree root. */
	FIELD(d, 0x100, 2, 0);			/* level */
	FIELD(d, 0x102, 2, 0);			/* nrecs */
	FIELD(d, 0x104, 2, 0);			/* used */
	FIELD(d, 0x106, 2, 2);			/* tree_type: VMFS_BT_DIR */
	TCHECK(zero(d + 0x108, 2048 - 8), "data_root records not zero");
	TCHECK(zero(d + 0x900, 1024), "xattr_root not zero");
	TCHECK(zero(d + 0xd00, 0x300), "reserved1 not zero");
}

/*
 * Non-default parameters: 64 KiB file blocks, 8 KiB small blocks, 3 host
 * slots and 4 MiB groups on the same 64 MiB give 16 groups, the last one
 * short. Only group 0 is written; the rest of the RG table stays zero.
 */
static void test_small_groups(void)
{
	struct vmfs_format_params p = { .label = "0123456789012345678901234567890123456789"
					"012345678901234567890123", .uuid_set = true,
					.file_block_shift = 16, .small_block_shift = 13,
					.host_slots = 3, .rg_mblocks = 1024 };
	char why[256] = "";
	const uint8_t *b, *h;
	uint64_t n;

	memcpy(p.uuid, UUID, 16);
	CU_ASSERT_FATAL(strlen(p.label) == 64);
	memset(img, 0xa5, img_bytes);		/* whatever was there before */
	CU_ASSERT_FATAL(vmfs_dev_write(dev, img, img_bytes, 0) == 0);
	TCHECK(vmfs_format(dev, &p, NULL, why, sizeof(why)) == 0, "format: %s", why);
	CU_ASSERT_FATAL(vmfs_dev_read(dev, img, img_bytes, 0) == 0);
	b = mblock(0);
	check_blk_hdr(b, "OVMS", 0, BLK, "primary volume header");
	check_blk_hdr(mblock(16383), "OVMS", 16383, BLK, "backup volume header");
	TCHECK(memcmp(b + 0x50, p.label, 64) == 0, "64-byte label not stored whole");
	FIELD(b, 0x0a4, 4, 16);
	FIELD(b, 0x0a8, 4, 13);
	FIELD(b, 0x0ac, 4, 3);
	FIELD(b, 0x0b8, 8, 16);
	FIELD(b, 0x0c0, 8, 19);			/* rgmap_start = 16 + 3 */
	FIELD(b, 0x0c8, 8, 1);
	FIELD(b, 0x0d0, 8, 20);			/* rgtab_start */
	FIELD(b, 0x0d8, 8, 16);			/* rg_count */
	FIELD(b, 0x0e0, 8, 1024);
	FIELD(b, 0x0e8, 8, 64);			/* roundup(20 + 2 * 16, 16) */
	for (n = 1; n < 19; n++)
		TCHECK(zero(mblock(n), BLK), "mblock %llu not zeroed by mkfs", (unsigned long long)n);
	check_blk_hdr(mblock(19), "OVRM", 19, BLK, "rg init map");
	FIELD(mblock(19), 0x40, 1, 0x01);
	TCHECK(zero(mblock(19) + 0x41, BLK - 0x41), "rg map bits beyond group 0 set");
	h = mblock(21);
	check_blk_hdr(h, "OVRG", 21, BLK, "rg 0 header");
	FIELD(h, 0x038, 8, 64);
	FIELD(h, 0x040, 8, 1024);
	FIELD(h, 0x058, 4, 1);
	check_blk_hdr(mblock(64), "OVBM", 64, BLK, "rg 0 bitmap block");
	/*
	 * Lazy initialisation: the table entries of groups 1..15 and the
	 * other groups' bitmap blocks were not written (they keep 0xa5).
	 */
	for (n = 22; n < 52; n++)
		TCHECK(mblock(n)[0] == 0xa5, "RG table mblock %llu was written",
		       (unsigned long long)n);
	TCHECK(mblock(64 + 1024)[0] == 0xa5, "group 1's bitmap block was written");
	TCHECK(mblock(64 + 15 * 1024)[100] == 0xa5, "group 15's bitmap block was written");
}

static int add_tests(void)
{
	CU_pSuite s = CU_add_suite("layout", setup, teardown);

	if (!s)
		return -1;
	if (!CU_add_test(s, "volume header", test_volume_header) ||
	    !CU_add_test(s, "backup header", test_backup_header) ||
	    !CU_add_test(s, "fixed region and heartbeats", test_fixed_region) ||
	    !CU_add_test(s, "rg init map", test_rgmap) ||
	    !CU_add_test(s, "resource group 0", test_rg0) ||
	    !CU_add_test(s, "root descriptor", test_root_descriptor) ||
	    !CU_add_test(s, "small groups", test_small_groups))
		return -1;
	return 0;
}

int main(void)
{
	return trun(add_tests);
}
