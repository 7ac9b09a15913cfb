// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of fs/format (docs/FORMAT.md sections 1-12): every encoder and
 * decoder round-trips a structure whose fields all hold distinctive values;
 * every decoder rejects a bad magic, a flipped bit anywhere in the
 * checksummed bytes, the wrong address, the wrong volume, a wrong version
 * and each invalid enum value the document lists; all-zero lock and
 * heartbeat records decode as free; CRC32C and SipHash-2-4 match published
 * vectors; directory key bases follow FORMAT.md "Directories";
 * vmfs_layout_compute reproduces the worked examples and rejects invalid
 * parameters; vmfs_volhdr_check catches headers that do not match.
 */
#include <CUnit/Basic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/format_volume.h"
#include "fs/format/format.h"
#include "testvol.h"

#define MB VMFS_MBLOCK_SIZE

static const uint8_t UUID[16] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18,
				  0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x90 };

/* A UUID differing from UUID in one bit only. */
static const uint8_t OTHER[16] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x07, 0x18,
				   0x29, 0x3a, 0x4b, 0x5c, 0x6d, 0x7e, 0x8f, 0x91 };

static uint8_t blk[MB] __attribute__((aligned(4096)));
static uint8_t blk2[MB] __attribute__((aligned(4096)));

static void fill_hdr(struct vmfs_blk_hdr *h, uint32_t magic, uint64_t blkno)
{
	h->magic = magic;
	h->blkno = blkno;
	memcpy(h->uuid, UUID, 16);
	h->lsn = 0x1122334455667788ull;
}

static void check_hdr(const struct vmfs_blk_hdr *a, const struct vmfs_blk_hdr *b)
{
	CU_ASSERT_EQUAL(a->magic, b->magic);
	CU_ASSERT_EQUAL(a->blkno, b->blkno);
	CU_ASSERT_EQUAL(memcmp(a->uuid, b->uuid, 16), 0);
	CU_ASSERT_EQUAL(a->lsn, b->lsn);
}

/*
 * Flip every bit of the first @len bytes of @buf in turn and check @dec
 * rejects the result: -EFSCORRUPTED while the magic is hit (checked first),
 * -EFSBADCRC anywhere else. Bits from @len to @total are outside the
 * checksum and must leave the block decodable.
 */
static void flip_all(uint8_t *buf, size_t len, size_t total, const char *what,
		     int (*dec)(const void *b))
{
	size_t bit, bad = 0, badtail = 0;

	for (bit = 0; bit < len * 8; bit++) {
		int err, want;

		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		err = dec(buf);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		want = bit < 32 ? -EFSCORRUPTED : -EFSBADCRC;
		if (err != want && bad++ < 3)
			TCHECK(err == want, "%s: bit %zu flipped: got %d, want %d", what, bit, err,
			       want);
	}
	TCHECK(bad == 0, "%s: %zu of %zu single-bit flips not rejected as documented", what, bad,
	       len * 8);
	for (bit = len * 8; bit < total * 8; bit += 7) {
		int err;

		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		err = dec(buf);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (err)
			badtail++;
	}
	TCHECK(badtail == 0, "%s: %zu flips outside the checksummed bytes were rejected", what,
	       badtail);
	TCHECK(dec(buf) == 0, "%s: block no longer decodes after the flips", what);
}

/* ---- CRC32C -------------------------------------------------------- */

static void test_crc32c_vectors(void)
{
	uint8_t b[32];
	int i;

	TCHECK(vmfs_crc32c(0, "123456789", 9) == 0xE3069283u, "check value: 0x%08x",
	       vmfs_crc32c(0, "123456789", 9));
	CU_ASSERT_EQUAL(vmfs_crc32c(0, "", 0), 0);
	/* RFC 3720 appendix B.4 */
	memset(b, 0, 32);
	TCHECK(vmfs_crc32c(0, b, 32) == 0x8A9136AAu, "32 zeros: 0x%08x", vmfs_crc32c(0, b, 32));
	memset(b, 0xff, 32);
	TCHECK(vmfs_crc32c(0, b, 32) == 0x62A8AB43u, "32 ones: 0x%08x", vmfs_crc32c(0, b, 32));
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	TCHECK(vmfs_crc32c(0, b, 32) == 0x46DD794Eu, "incrementing: 0x%08x",
	       vmfs_crc32c(0, b, 32));
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	TCHECK(vmfs_crc32c(0, b, 32) == 0x113FDB5Cu, "decrementing: 0x%08x",
	       vmfs_crc32c(0, b, 32));
	/* Chaining: crc(a || b) = crc(crc(a), b) for every split point. */
	for (i = 0; i <= 9; i++)
		CU_ASSERT_EQUAL(vmfs_crc32c(vmfs_crc32c(0, "123456789", (size_t)i),
					    &"123456789"[i], (size_t)(9 - i)), 0xE3069283u);
}

static void test_crc32c_block(void)
{
	uint64_t s = 7;
	size_t i;

	for (i = 0; i < MB; i++)
		blk[i] = (uint8_t)trand(&s);
	memcpy(blk2, blk, MB);
	memset(blk2 + 4, 0, 4);
	CU_ASSERT_EQUAL(vmfs_crc32c_block(blk, MB, 4), vmfs_crc32c(0, blk2, MB));
	CU_ASSERT_EQUAL(vmfs_crc32c_block(blk, 512, 4), vmfs_crc32c(0, blk2, 512));
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk + 4), vmfs_crc32c(0, blk2, MB));
}

/* ---- SipHash-2-4 and directory keys ---------------------------------- */

/* vectors_sip64 of the reference implementation, messages 00 .. 0e of length 0 .. 15. */
static const uint8_t sip_vectors[16][8] = {
	{ 0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72 },
	{ 0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74 },
	{ 0x5a, 0x4f, 0xa9, 0xd9, 0x09, 0x80, 0x6c, 0x0d },
	{ 0x2d, 0x7e, 0xfb, 0xd7, 0x96, 0x66, 0x67, 0x85 },
	{ 0xb7, 0x87, 0x71, 0x27, 0xe0, 0x94, 0x27, 0xcf },
	{ 0x8d, 0xa6, 0x99, 0xcd, 0x64, 0x55, 0x76, 0x18 },
	{ 0xce, 0xe3, 0xfe, 0x58, 0x6e, 0x46, 0xc9, 0xcb },
	{ 0x37, 0xd1, 0x01, 0x8b, 0xf5, 0x00, 0x02, 0xab },
	{ 0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93 },
	{ 0xb0, 0xe4, 0xa9, 0x0b, 0xdf, 0x82, 0x00, 0x9e },
	{ 0xf3, 0xb9, 0xdd, 0x94, 0xc5, 0xbb, 0x5d, 0x7a },
	{ 0xa7, 0xad, 0x6b, 0x22, 0x46, 0x2f, 0xb3, 0xf4 },
	{ 0xfb, 0xe5, 0x0e, 0x86, 0xbc, 0x8f, 0x1e, 0x75 },
	{ 0x90, 0x3d, 0x84, 0xc0, 0x27, 0x56, 0xea, 0x14 },
	{ 0xee, 0xf2, 0x7a, 0x8e, 0x90, 0xca, 0x23, 0xf7 },
	{ 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1 },
};

static void test_siphash(void)
{
	uint8_t key[16], msg[16];
	unsigned i;

	for (i = 0; i < 16; i++)
		key[i] = msg[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(vmfs_name_hash(key, msg, 0), 0x726fdb47dd0e0e31ull);
	/* FORMAT.md "Directories": message 00 .. 0e. */
	CU_ASSERT_EQUAL(vmfs_name_hash(key, msg, 15), 0xa129ca6149be45e5ull);
	for (i = 0; i < 16; i++) {
		uint64_t got = vmfs_name_hash(key, msg, i), want = vmfs_get_le64(sip_vectors[i]);

		TCHECK(got == want, "length %u: 0x%016llx, want 0x%016llx", i,
		       (unsigned long long)got, (unsigned long long)want);
	}
}

/*
 * FORMAT.md "Directories": b = (h >> 1) & ~0xff, raised to 0x100 if below:
 * 63 bits, so that the readdir offset key + 1 never wraps.
 */
static void test_name_key_base(void)
{
	uint8_t seed[16];
	char name[32];
	unsigned i, bad = 0;

	for (i = 0; i < 16; i++)
		seed[i] = (uint8_t)(0x40 + i);
	for (i = 0; i < 4096; i++) {
		size_t len = (size_t)snprintf(name, sizeof(name), "name-%u", i);
		uint64_t h = vmfs_name_hash(seed, name, len);
		uint64_t want = (h >> 1) & ~0xffull, got = vmfs_name_key_base(seed, name, len);

		if (want < VMFS_DIR_KEY_MIN)
			want = VMFS_DIR_KEY_MIN;
		if (got != want && bad++ < 3)
			TCHECK(got == want, "\"%s\": key base 0x%016llx, FORMAT.md says 0x%016llx",
			       name, (unsigned long long)got, (unsigned long long)want);
	}
	TCHECK(bad == 0, "%u of 4096 key bases differ from FORMAT.md \"Directories\"", bad);
	/* The empty name and a hash below 0x200 still give a key >= 0x100, < 2^63. */
	CU_ASSERT(vmfs_name_key_base(seed, "", 0) >= VMFS_DIR_KEY_MIN);
	CU_ASSERT(vmfs_name_key_base(seed, "", 0) >> 63 == 0);
}

/* ---- Block header ---------------------------------------------------- */

static void test_blk_hdr(void)
{
	struct vmfs_blk_hdr h, d;

	memset(blk, 0, MB);
	fill_hdr(&h, VMFS_MAGIC_BITMAP, 0x0102030405060708ull);
	vmfs_blk_hdr_encode(blk, &h);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk), VMFS_MAGIC_BITMAP);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 8), 0x0102030405060708ull);
	CU_ASSERT_EQUAL(memcmp(blk + 0x10, UUID, 16), 0);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x20), 0x1122334455667788ull);
	CU_ASSERT_EQUAL(vmfs_get_le16(blk + 0x28), VMFS_BLK_VERSION);
	vmfs_blk_hdr_decode(blk, &d);
	check_hdr(&h, &d);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_BITMAP, h.blkno, UUID), 0);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_BITMAP, h.blkno, NULL), 0);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_RG, h.blkno, UUID), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_BITMAP, h.blkno + 1, UUID),
			-EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_BITMAP, h.blkno, OTHER), -EFSCORRUPTED);
	vmfs_put_le16(blk + 0x28, 2);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_blk_verify(blk, MB, VMFS_MAGIC_BITMAP, h.blkno, UUID), -EFSCORRUPTED);
	memset(blk2, 0, MB);
	CU_ASSERT(vmfs_blk_is_zero(blk2, MB));
	blk2[MB - 1] = 1;
	CU_ASSERT(!vmfs_blk_is_zero(blk2, MB));
	blk2[MB - 1] = 0;
	CU_ASSERT_EQUAL(vmfs_get_le16("\x34\x12"), 0x1234);
	CU_ASSERT_EQUAL(vmfs_get_le32("\x78\x56\x34\x12"), 0x12345678u);
}

/* ---- Volume header ----------------------------------------------------- */

static void make_volhdr(struct vmfs_volhdr *vh)
{
	unsigned i;

	memset(vh, 0, sizeof(*vh));
	fill_hdr(&vh->hdr, VMFS_MAGIC_VOLHDR, 0);
	vh->major = 0x01020304;
	vh->minor = 0x05060708;
	vh->feat_compat = 0x1111222233334444ull;
	vh->feat_ro_compat = 0x5555666677778888ull;
	vh->feat_incompat = 0x9999aaaabbbbccccull;
	for (i = 0; i < VMFS_LABEL_MAX; i++)	/* a full 64-byte label, no NUL */
		vh->label[i] = (char)('A' + i % 26);
	vh->device_bytes = 0x0123456789abcdefull;
	vh->total_mblocks = 0x1000000000000001ull;
	vh->mblock_shift = 0x0c0d0e0f;
	vh->file_block_shift = 0x10111213;
	vh->small_block_shift = 0x14151617;
	vh->host_slots = 0x18191a1b;
	vh->volume_lock = 0x2000000000000002ull;
	vh->hb_start = 0x3000000000000003ull;
	vh->rgmap_start = 0x4000000000000004ull;
	vh->rgmap_blocks = 0x5000000000000005ull;
	vh->rgtab_start = 0x6000000000000006ull;
	vh->rg_count = 0x7000000000000007ull;
	vh->rg_mblocks = 0x8000000000000008ull;
	vh->data_start = 0x9000000000000009ull;
	vh->root_ino = 0xa00000000000000aull;
	vh->mkfs_time_ns = 0xb00000000000000bull;
	for (i = 0; i < 16; i++)
		vh->hash_seed[i] = (uint8_t)(0xf0 - i);
	vh->lease_ms = 0xc0c1c2c3;
	vh->single_host_lock = 0xd00000000000000dull;
}

static int dec_volhdr0(const void *b)
{
	struct vmfs_volhdr vh;

	return vmfs_volhdr_decode(b, 0, &vh);
}

static void test_volhdr_roundtrip(void)
{
	struct vmfs_volhdr vh, d;

	make_volhdr(&vh);
	vmfs_volhdr_encode(blk, &vh);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk), VMFS_MAGIC_VOLHDR);
	CU_ASSERT_EQUAL(memcmp(blk + 0x050, vh.label, 64), 0);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x118), vh.single_host_lock);
	CU_ASSERT_FATAL(vmfs_volhdr_decode(blk, 0, &d) == 0);
	check_hdr(&vh.hdr, &d.hdr);
	CU_ASSERT_EQUAL(d.major, vh.major);
	CU_ASSERT_EQUAL(d.minor, vh.minor);
	CU_ASSERT_EQUAL(d.feat_compat, vh.feat_compat);
	CU_ASSERT_EQUAL(d.feat_ro_compat, vh.feat_ro_compat);
	CU_ASSERT_EQUAL(d.feat_incompat, vh.feat_incompat);
	CU_ASSERT_EQUAL(strlen(d.label), 64);
	CU_ASSERT_EQUAL(memcmp(d.label, vh.label, 64), 0);
	CU_ASSERT_EQUAL(d.device_bytes, vh.device_bytes);
	CU_ASSERT_EQUAL(d.total_mblocks, vh.total_mblocks);
	CU_ASSERT_EQUAL(d.mblock_shift, vh.mblock_shift);
	CU_ASSERT_EQUAL(d.file_block_shift, vh.file_block_shift);
	CU_ASSERT_EQUAL(d.small_block_shift, vh.small_block_shift);
	CU_ASSERT_EQUAL(d.host_slots, vh.host_slots);
	CU_ASSERT_EQUAL(d.volume_lock, vh.volume_lock);
	CU_ASSERT_EQUAL(d.hb_start, vh.hb_start);
	CU_ASSERT_EQUAL(d.rgmap_start, vh.rgmap_start);
	CU_ASSERT_EQUAL(d.rgmap_blocks, vh.rgmap_blocks);
	CU_ASSERT_EQUAL(d.rgtab_start, vh.rgtab_start);
	CU_ASSERT_EQUAL(d.rg_count, vh.rg_count);
	CU_ASSERT_EQUAL(d.rg_mblocks, vh.rg_mblocks);
	CU_ASSERT_EQUAL(d.data_start, vh.data_start);
	CU_ASSERT_EQUAL(d.root_ino, vh.root_ino);
	CU_ASSERT_EQUAL(d.mkfs_time_ns, vh.mkfs_time_ns);
	CU_ASSERT_EQUAL(memcmp(d.hash_seed, vh.hash_seed, 16), 0);
	CU_ASSERT_EQUAL(d.lease_ms, vh.lease_ms);
	CU_ASSERT_EQUAL(d.single_host_lock, vh.single_host_lock);
	/* Re-encoding the decoded header gives the same bytes. */
	vmfs_volhdr_encode(blk2, &d);
	CU_ASSERT_EQUAL(memcmp(blk, blk2, MB), 0);
	/* A short label is NUL padded. */
	strcpy(vh.label, "abc");
	vmfs_volhdr_encode(blk2, &vh);
	CU_ASSERT_EQUAL(memcmp(blk2 + 0x50, "abc\0\0\0\0\0", 8), 0);
	CU_ASSERT(vmfs_blk_is_zero(blk2 + 0x53, 64 - 3));
}

static void test_volhdr_reject(void)
{
	struct vmfs_volhdr vh, d;

	make_volhdr(&vh);
	vmfs_volhdr_encode(blk, &vh);
	/* The volume header is verified without a UUID: any UUID is accepted. */
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 0, &d), 0);
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 1, &d), -EFSCORRUPTED);
	vh.hdr.blkno = 0x777;
	vmfs_volhdr_encode(blk, &vh);
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 0x777, &d), 0);
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 0, &d), -EFSCORRUPTED);
	vh.hdr.blkno = 0;
	vmfs_volhdr_encode(blk, &vh);
	vmfs_put_le32(blk, VMFS_MAGIC_DESC);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 0, &d), -EFSCORRUPTED);
	vmfs_volhdr_encode(blk, &vh);
	flip_all(blk, MB, MB, "volume header", dec_volhdr0);
	memset(blk, 0, MB);
	CU_ASSERT_EQUAL(vmfs_volhdr_decode(blk, 0, &d), -EFSCORRUPTED);
}

/* A real header as mkfs would write it, for vmfs_volhdr_check. */
static void good_volhdr(struct vmfs_volhdr *vh, uint64_t bytes)
{
	char why[160];

	memset(vh, 0, sizeof(*vh));
	vh->major = VMFS_MAJOR;
	vh->mblock_shift = 12;
	vh->file_block_shift = 20;
	vh->small_block_shift = 16;
	vh->host_slots = 2048;
	vh->rg_mblocks = 1ull << 22;
	CU_ASSERT_FATAL(vmfs_layout_compute(vh, bytes, why, sizeof(why)) == 0);
	vh->root_ino = vh->data_start + 3;
}

static void test_volhdr_check(void)
{
	struct vmfs_volhdr vh, x;
	uint64_t bytes = 1ull << 30;
	char why[256];

	good_volhdr(&vh, bytes);
	TCHECK(vmfs_volhdr_check(&vh, bytes, why, sizeof(why)) == 0, "%s", why);
	CU_ASSERT_EQUAL(vmfs_volhdr_check(&vh, bytes * 2, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(vmfs_volhdr_check(&vh, bytes - 1, why, sizeof(why)), -EFSCORRUPTED);
	x = vh;
	x.major = 2;
	CU_ASSERT_EQUAL(vmfs_volhdr_check(&x, bytes, why, sizeof(why)), -EOPNOTSUPP);
	x = vh;
	x.minor = 9;	/* compatible additions are not checked */
	x.feat_compat = 1;
	CU_ASSERT_EQUAL(vmfs_volhdr_check(&x, bytes, why, sizeof(why)), 0);
	x = vh;
	x.feat_incompat = 1;
	CU_ASSERT_EQUAL(vmfs_volhdr_check(&x, bytes, why, sizeof(why)), -EOPNOTSUPP);
#define MISMATCH(field, delta) do {					\
	x = vh;								\
	x.field += (delta);						\
	TCHECK(vmfs_volhdr_check(&x, bytes, why, sizeof(why)) == -EFSCORRUPTED, \
	       "%s %+d accepted", #field, (int)(delta));			\
} while (0)
	MISMATCH(total_mblocks, 1);
	MISMATCH(hb_start, 1);
	MISMATCH(rgmap_start, 1);
	MISMATCH(rgmap_blocks, 1);
	MISMATCH(rgtab_start, 1);
	MISMATCH(rg_count, 1);
	MISMATCH(data_start, 256);
	MISMATCH(volume_lock, 1);
	MISMATCH(single_host_lock, 1);
	MISMATCH(root_ino, 1);			/* even: not a descriptor body */
	MISMATCH(root_ino, -4);			/* below data_start */
	MISMATCH(root_ino, vh.total_mblocks);	/* beyond the device */
	MISMATCH(file_block_shift, 7);		/* invalid parameter */
#undef MISMATCH
}

/* ---- Lock records and heartbeats -------------------------------------------- */

static void make_lock(struct vmfs_lock *lk, uint32_t mode, uint16_t n)
{
	unsigned i;

	memset(lk, 0, sizeof(*lk));
	fill_hdr(&lk->hdr, VMFS_MAGIC_LOCK, 0x4242);
	lk->guarded = 0xfedcba9876543210ull;
	lk->type = VMFS_LOCK_T_DESC;
	lk->mode = mode;
	lk->version = 0x0badc0ffee0ddf00ull;
	lk->acquired_ns = 0x1234567890abcdefull;
	lk->nholders = n;
	for (i = 0; i < 32; i++) {
		lk->holders[i].slot = (uint16_t)(0x100 + i);
		lk->holders[i].flags = (uint16_t)(0x8000 | i);
		lk->holders[i].hb_gen = 0xdead0000u | i;
	}
}

static int dec_lock(const void *b)
{
	struct vmfs_lock lk;

	return vmfs_lock_decode(b, 0x4242, UUID, &lk);
}

static void test_lock(void)
{
	struct vmfs_lock lk, d;
	unsigned i;

	make_lock(&lk, VMFS_LOCK_M_MW, 32);
	memset(blk, 0xee, MB);		/* the encoder must zero the whole record */
	vmfs_lock_encode(blk, &lk);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0x160, 0xa0));
	CU_ASSERT_FATAL(vmfs_lock_decode(blk, 0x4242, UUID, &d) == 0);
	check_hdr(&lk.hdr, &d.hdr);
	CU_ASSERT_EQUAL(d.guarded, lk.guarded);
	CU_ASSERT_EQUAL(d.type, lk.type);
	CU_ASSERT_EQUAL(d.mode, lk.mode);
	CU_ASSERT_EQUAL(d.version, lk.version);
	CU_ASSERT_EQUAL(d.acquired_ns, lk.acquired_ns);
	CU_ASSERT_EQUAL(d.nholders, 32);
	for (i = 0; i < 32; i++) {
		CU_ASSERT_EQUAL(d.holders[i].slot, lk.holders[i].slot);
		CU_ASSERT_EQUAL(d.holders[i].flags, lk.holders[i].flags);
		CU_ASSERT_EQUAL(d.holders[i].hb_gen, lk.holders[i].hb_gen);
	}
	vmfs_lock_encode(blk2, &d);
	CU_ASSERT_EQUAL(memcmp(blk, blk2, 512), 0);
	/* Holders past nholders are not encoded. */
	make_lock(&lk, VMFS_LOCK_M_RO, 3);
	vmfs_lock_encode(blk, &lk);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0x60 + 3 * 8, 29 * 8));
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), 0);
	CU_ASSERT_EQUAL(d.holders[2].hb_gen, lk.holders[2].hb_gen);
	CU_ASSERT_EQUAL(d.holders[3].slot, 0);
	/* Every valid mode/holder combination. */
	for (i = 0; i <= 32; i++) {
		make_lock(&lk, VMFS_LOCK_M_RO, (uint16_t)i);
		vmfs_lock_encode(blk, &lk);
		CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), 0);
		make_lock(&lk, VMFS_LOCK_M_MW, (uint16_t)i);
		vmfs_lock_encode(blk, &lk);
		CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), 0);
	}
	make_lock(&lk, VMFS_LOCK_M_FREE, 0);
	vmfs_lock_encode(blk, &lk);
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), 0);
	make_lock(&lk, VMFS_LOCK_M_EXCL, 1);
	vmfs_lock_encode(blk, &lk);
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), 0);
	CU_ASSERT_EQUAL(d.mode, VMFS_LOCK_M_EXCL);
	flip_all(blk, 512, MB, "lock record", dec_lock);
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4243, UUID, &d), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, OTHER, &d), -EFSCORRUPTED);
}

static void test_lock_reject(void)
{
	static const struct { uint32_t mode; uint16_t n; } bad[] = {
		{ 7, 0 }, { 4, 1 }, { 0xffffffffu, 1 },
		{ VMFS_LOCK_M_EXCL, 2 }, { VMFS_LOCK_M_EXCL, 0 },
		{ VMFS_LOCK_M_FREE, 1 }, { VMFS_LOCK_M_RO, 33 }, { VMFS_LOCK_M_MW, 0xffff },
	};
	struct vmfs_lock lk, d;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err;

		make_lock(&lk, bad[i].mode, bad[i].n);
		vmfs_lock_encode(blk, &lk);
		err = vmfs_lock_decode(blk, 0x4242, UUID, &d);
		TCHECK(err == -EFSCORRUPTED, "mode %u with %u holders: %d", bad[i].mode, bad[i].n,
		       err);
	}
	make_lock(&lk, VMFS_LOCK_M_EXCL, 1);
	vmfs_lock_encode(blk, &lk);
	vmfs_put_le32(blk, VMFS_MAGIC_HB);
	vmfs_blk_seal(blk, 512);
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 0x4242, UUID, &d), -EFSCORRUPTED);
	/* An all-zero record is a free lock, whatever the address and volume. */
	memset(blk, 0, MB);
	memset(&d, 0xaa, sizeof(d));
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 99, UUID, &d), 0);
	CU_ASSERT_EQUAL(d.mode, VMFS_LOCK_M_FREE);
	CU_ASSERT_EQUAL(d.nholders, 0);
	CU_ASSERT_EQUAL(d.hdr.blkno, 99);
	CU_ASSERT_EQUAL(d.version, 0);
	/* Only the first 512 bytes decide: a non-zero tail is still free. */
	blk[600] = 1;
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 99, UUID, &d), 0);
	/* One stray non-zero byte in the record is not free but garbage. */
	blk[600] = 0;
	blk[100] = 1;
	CU_ASSERT_EQUAL(vmfs_lock_decode(blk, 99, UUID, &d), -EFSCORRUPTED);
}

static void make_hb(struct vmfs_heartbeat *hb, uint32_t state)
{
	unsigned i;

	memset(hb, 0, sizeof(*hb));
	fill_hdr(&hb->hdr, VMFS_MAGIC_HB, 16 + 77);
	hb->generation = 0x0102030405060708ull;
	hb->seq = 0x1112131415161718ull;
	hb->stamp_ns = 0x2122232425262728ull;
	hb->state = state;
	hb->lease_ms = 0x31323334;
	for (i = 0; i < 16; i++)
		hb->host_uuid[i] = (uint8_t)(0x50 + i);
	for (i = 0; i < VMFS_HOSTNAME_MAX; i++)
		hb->host_name[i] = (char)('a' + i % 26);
	hb->journal_start = 0x4142434445464748ull;
	hb->journal_mblocks = 0x5152535455565758ull;
	hb->journal_seq = 0x6162636465666768ull;
	hb->recovered_by = 0x7172;
}

static int dec_hb(const void *b)
{
	struct vmfs_heartbeat hb;

	return vmfs_hb_decode(b, 16 + 77, UUID, &hb);
}

static void test_heartbeat(void)
{
	struct vmfs_heartbeat hb, d;
	uint32_t st;

	make_hb(&hb, VMFS_HB_RECOVERING);
	memset(blk, 0xee, MB);
	vmfs_hb_encode(blk, &hb);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0xc0, 0x140));
	CU_ASSERT_FATAL(vmfs_hb_decode(blk, 16 + 77, UUID, &d) == 0);
	check_hdr(&hb.hdr, &d.hdr);
	CU_ASSERT_EQUAL(d.generation, hb.generation);
	CU_ASSERT_EQUAL(d.seq, hb.seq);
	CU_ASSERT_EQUAL(d.stamp_ns, hb.stamp_ns);
	CU_ASSERT_EQUAL(d.state, hb.state);
	CU_ASSERT_EQUAL(d.lease_ms, hb.lease_ms);
	CU_ASSERT_EQUAL(memcmp(d.host_uuid, hb.host_uuid, 16), 0);
	CU_ASSERT_EQUAL(strlen(d.host_name), 64);
	CU_ASSERT_EQUAL(memcmp(d.host_name, hb.host_name, 64), 0);
	CU_ASSERT_EQUAL(d.journal_start, hb.journal_start);
	CU_ASSERT_EQUAL(d.journal_mblocks, hb.journal_mblocks);
	CU_ASSERT_EQUAL(d.journal_seq, hb.journal_seq);
	CU_ASSERT_EQUAL(d.recovered_by, hb.recovered_by);
	vmfs_hb_encode(blk2, &d);
	CU_ASSERT_EQUAL(memcmp(blk, blk2, 512), 0);
	for (st = VMFS_HB_FREE; st <= VMFS_HB_RECOVERING; st++) {
		make_hb(&hb, st);
		vmfs_hb_encode(blk, &hb);
		CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 77, UUID, &d), 0);
	}
	flip_all(blk, 512, MB, "heartbeat", dec_hb);
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 78, UUID, &d), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 77, OTHER, &d), -EFSCORRUPTED);
	make_hb(&hb, 9);
	vmfs_hb_encode(blk, &hb);
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 77, UUID, &d), -EFSCORRUPTED);
	make_hb(&hb, 3);
	vmfs_hb_encode(blk, &hb);
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 77, UUID, &d), -EFSCORRUPTED);
	make_hb(&hb, VMFS_HB_LIVE);
	vmfs_hb_encode(blk, &hb);
	vmfs_put_le32(blk, VMFS_MAGIC_LOCK);
	vmfs_blk_seal(blk, 512);
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 77, UUID, &d), -EFSCORRUPTED);
	memset(blk, 0, MB);
	memset(&d, 0x55, sizeof(d));
	CU_ASSERT_EQUAL(vmfs_hb_decode(blk, 16 + 5, UUID, &d), 0);
	CU_ASSERT_EQUAL(d.state, VMFS_HB_FREE);
	CU_ASSERT_EQUAL(d.hdr.blkno, 16 + 5);
	CU_ASSERT_EQUAL(d.generation, 0);
	CU_ASSERT_EQUAL(d.host_name[0], 0);
}

/* ---- Resource groups, bitmaps, RG map ---------------------------------------- */

static void make_rg(struct vmfs_rg *rg)
{
	unsigned i;

	memset(rg, 0, sizeof(*rg));
	fill_hdr(&rg->hdr, VMFS_MAGIC_RG, 0x3131);
	rg->index = 0x0a0b0c0d0e0f1011ull;
	rg->start = 0x1213141516171819ull;
	rg->mblocks = 1ull << 23;
	rg->free_mblocks = (1ull << 23) - 12345;
	rg->ndesc = 0x2122232425262728ull;
	rg->bitmap_blocks = 261;	/* ceil(2^23 / 32256) */
	rg->flags = VMFS_RG_F_INIT;
	rg->version = 0x3132333435363738ull;
	rg->refcount_root = 0x4142434445464748ull;
	for (i = 0; i < 64; i++)
		rg->bitmap_init[i] = (uint8_t)(0x80 + i);
}

static int dec_rg(const void *b)
{
	struct vmfs_rg rg;

	return vmfs_rg_decode(b, 0x3131, UUID, &rg);
}

static void test_rg(void)
{
	struct vmfs_rg rg, d;

	make_rg(&rg);
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_FATAL(vmfs_rg_decode(blk, 0x3131, UUID, &d) == 0);
	check_hdr(&rg.hdr, &d.hdr);
	CU_ASSERT_EQUAL(d.index, rg.index);
	CU_ASSERT_EQUAL(d.start, rg.start);
	CU_ASSERT_EQUAL(d.mblocks, rg.mblocks);
	CU_ASSERT_EQUAL(d.free_mblocks, rg.free_mblocks);
	CU_ASSERT_EQUAL(d.ndesc, rg.ndesc);
	CU_ASSERT_EQUAL(d.bitmap_blocks, rg.bitmap_blocks);
	CU_ASSERT_EQUAL(d.flags, rg.flags);
	CU_ASSERT_EQUAL(d.version, rg.version);
	CU_ASSERT_EQUAL(d.refcount_root, rg.refcount_root);
	CU_ASSERT_EQUAL(memcmp(d.bitmap_init, rg.bitmap_init, 64), 0);
	vmfs_rg_encode(blk2, &d);
	CU_ASSERT_EQUAL(memcmp(blk, blk2, MB), 0);
	flip_all(blk, MB, MB, "rg header", dec_rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3132, UUID, &d), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, OTHER, &d), -EFSCORRUPTED);
	/* free_mblocks = mblocks is fine, one more is not. */
	rg.free_mblocks = rg.mblocks;
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, UUID, &d), 0);
	rg.free_mblocks = rg.mblocks + 1;
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, UUID, &d), -EFSCORRUPTED);
	make_rg(&rg);
	rg.bitmap_blocks = 260;
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, UUID, &d), -EFSCORRUPTED);
	rg.mblocks = 513ull * VMFS_BITMAP_BITS;	/* would need 513 bitmap blocks */
	rg.free_mblocks = 0;
	rg.bitmap_blocks = 513;
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, UUID, &d), -EFSCORRUPTED);
	rg.mblocks = 1000;		/* a short last group */
	rg.free_mblocks = 999;
	rg.bitmap_blocks = 1;
	vmfs_rg_encode(blk, &rg);
	CU_ASSERT_EQUAL(vmfs_rg_decode(blk, 0x3131, UUID, &d), 0);
}

static int dec_bitmap(const void *b)
{
	return vmfs_bitmap_verify(b, 0x5151, UUID);
}

static int dec_rgmap(const void *b)
{
	return vmfs_rgmap_verify(b, 0x2064, UUID);
}

static void test_bitmap_rgmap(void)
{
	uint8_t *bits;

	memset(blk, 0xee, MB);
	vmfs_bitmap_init(blk, 0x5151, UUID, 0x0102030405060708ull, 3 * VMFS_BITMAP_BITS);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk), VMFS_MAGIC_BITMAP);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 8), 0x5151);
	CU_ASSERT_EQUAL(memcmp(blk + 0x10, UUID, 16), 0);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x30), 0x0102030405060708ull);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x38), 3 * VMFS_BITMAP_BITS);
	bits = vmfs_bitmap_bits(blk);
	CU_ASSERT_PTR_EQUAL(bits, blk + 0x40);
	CU_ASSERT(vmfs_blk_is_zero(bits, MB - 0x40));
	CU_ASSERT_EQUAL(VMFS_BITMAP_BITS, 32256);
	bits[0] = 0x5a;
	bits[4031] = 0x80;
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_bitmap_verify(blk, 0x5151, UUID), 0);
	flip_all(blk, MB, MB, "bitmap", dec_bitmap);
	CU_ASSERT_EQUAL(vmfs_bitmap_verify(blk, 0x5152, UUID), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_bitmap_verify(blk, 0x5151, OTHER), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_rgmap_verify(blk, 0x5151, UUID), -EFSCORRUPTED);

	memset(blk, 0xee, MB);
	vmfs_rgmap_init(blk, 0x2064, UUID, 2 * VMFS_RGMAP_BITS);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk), VMFS_MAGIC_RGMAP);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 8), 0x2064);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x30), 2 * VMFS_RGMAP_BITS);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x38), 0);
	bits = vmfs_rgmap_bits(blk);
	CU_ASSERT_PTR_EQUAL(bits, blk + 0x40);
	CU_ASSERT(vmfs_blk_is_zero(bits, MB - 0x40));
	bits[0] = 1;
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_rgmap_verify(blk, 0x2064, UUID), 0);
	flip_all(blk, MB, MB, "rg map", dec_rgmap);
	CU_ASSERT_EQUAL(vmfs_rgmap_verify(blk, 0x2065, UUID), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_bitmap_verify(blk, 0x2064, UUID), -EFSCORRUPTED);
}

/* ---- Descriptors --------------------------------------------------------------- */

static void make_desc(struct vmfs_desc *x)
{
	unsigned i;

	memset(x, 0, sizeof(*x));
	fill_hdr(&x->hdr, VMFS_MAGIC_DESC, 0x9999);
	x->generation = 0x0102030405060708ull;
	x->version = 0x1112131415161718ull;
	x->mode = S_IFREG | 04755;
	x->nlink = 0x21222324;
	x->uid = 0x31323334;
	x->gid = 0x41424344;
	x->size = VMFS_MAX_FILE_BYTES;
	x->alloc_mblocks = 0x5152535455565758ull;
	x->atime_sec = -1234567890123ll;
	x->mtime_sec = 0x6162636465666768ll;
	x->ctime_sec = -1;
	x->btime_sec = 0x7172737475767778ll;
	x->atime_nsec = 999999999;
	x->mtime_nsec = 0x81828384;	/* the nanosecond range is not checked */
	x->ctime_nsec = 123;
	x->btime_nsec = 456789;
	x->rdev = 0x9192939495969798ull;
	x->flags = VMFS_DESC_F_ORPHAN | VMFS_DESC_F_SNAPSHOT | 0x80000000u;
	x->data_fmt = VMFS_FMT_BTREE;
	x->xattr_fmt = VMFS_FMT_BTREE;
	x->parent = 0xa1a2a3a4a5a6a7a9ull;
	x->nentries = 0xb1b2b3b4b5b6b7b8ull;
	x->data_gen = 0xc1c2c3c4c5c6c7c8ull;
	x->snap_root = 0xd1d2d3d4d5d6d7d8ull;
	x->xattr_count = 0xe1e2e3e4e5e6e7e8ull;
	for (i = 0; i < sizeof(x->data_root); i++)
		x->data_root[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(x->xattr_root); i++)
		x->xattr_root[i] = (uint8_t)(i * 13 + 5);
}

static int dec_desc(const void *b)
{
	struct vmfs_desc x;

	return vmfs_desc_decode(b, 0x9999, UUID, &x);
}

static void test_desc(void)
{
	struct vmfs_desc x, d;

	make_desc(&x);
	memset(blk, 0xee, MB);
	vmfs_desc_encode(blk, &x);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0xc8, 0x38));
	CU_ASSERT(vmfs_blk_is_zero(blk + 0xd00, 0x300));
	memset(&d, 0x77, sizeof(d));
	CU_ASSERT_FATAL(vmfs_desc_decode(blk, 0x9999, UUID, &d) == 0);
	check_hdr(&x.hdr, &d.hdr);
	CU_ASSERT_EQUAL(d.generation, x.generation);
	CU_ASSERT_EQUAL(d.version, x.version);
	CU_ASSERT_EQUAL(d.mode, x.mode);
	CU_ASSERT_EQUAL(d.nlink, x.nlink);
	CU_ASSERT_EQUAL(d.uid, x.uid);
	CU_ASSERT_EQUAL(d.gid, x.gid);
	CU_ASSERT_EQUAL(d.size, x.size);
	CU_ASSERT_EQUAL(d.alloc_mblocks, x.alloc_mblocks);
	CU_ASSERT_EQUAL(d.atime_sec, x.atime_sec);
	CU_ASSERT_EQUAL(d.mtime_sec, x.mtime_sec);
	CU_ASSERT_EQUAL(d.ctime_sec, x.ctime_sec);
	CU_ASSERT_EQUAL(d.btime_sec, x.btime_sec);
	CU_ASSERT_EQUAL(d.atime_nsec, x.atime_nsec);
	CU_ASSERT_EQUAL(d.mtime_nsec, x.mtime_nsec);
	CU_ASSERT_EQUAL(d.ctime_nsec, x.ctime_nsec);
	CU_ASSERT_EQUAL(d.btime_nsec, x.btime_nsec);
	CU_ASSERT_EQUAL(d.rdev, x.rdev);
	CU_ASSERT_EQUAL(d.flags, x.flags);
	CU_ASSERT_EQUAL(d.data_fmt, x.data_fmt);
	CU_ASSERT_EQUAL(d.xattr_fmt, x.xattr_fmt);
	CU_ASSERT_EQUAL(d.parent, x.parent);
	CU_ASSERT_EQUAL(d.nentries, x.nentries);
	CU_ASSERT_EQUAL(d.data_gen, x.data_gen);
	CU_ASSERT_EQUAL(d.snap_root, x.snap_root);
	CU_ASSERT_EQUAL(d.xattr_count, x.xattr_count);
	CU_ASSERT_EQUAL(memcmp(d.data_root, x.data_root, sizeof(x.data_root)), 0);
	CU_ASSERT_EQUAL(memcmp(d.xattr_root, x.xattr_root, sizeof(x.xattr_root)), 0);
	vmfs_desc_encode(blk2, &d);
	CU_ASSERT_EQUAL(memcmp(blk, blk2, MB), 0);
	flip_all(blk, MB, MB, "descriptor", dec_desc);
	CU_ASSERT_EQUAL(vmfs_desc_decode(blk, 0x999b, UUID, &d), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_desc_decode(blk, 0x9999, OTHER, &d), -EFSCORRUPTED);
}

static void test_desc_reject(void)
{
	static const uint32_t types[] = { S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO,
					  S_IFSOCK };
	struct vmfs_desc x, d;
	unsigned i;

#define DESC_EXPECT(stmt, want) do {					\
	make_desc(&x);							\
	stmt;								\
	vmfs_desc_encode(blk, &x);					\
	TCHECK(vmfs_desc_decode(blk, 0x9999, UUID, &d) == (want), "%s: %d, want %d", #stmt, \
	       vmfs_desc_decode(blk, 0x9999, UUID, &d), (want));		\
} while (0)
	DESC_EXPECT(x.data_fmt = 5, -EFSCORRUPTED);
	DESC_EXPECT(x.data_fmt = 3, -EFSCORRUPTED);
	DESC_EXPECT(x.data_fmt = VMFS_FMT_EMPTY, 0);
	DESC_EXPECT(x.xattr_fmt = VMFS_FMT_INLINE, -EFSCORRUPTED);
	DESC_EXPECT(x.xattr_fmt = 3, -EFSCORRUPTED);
	DESC_EXPECT(x.xattr_fmt = VMFS_FMT_EMPTY, 0);
	DESC_EXPECT(x.size = VMFS_MAX_FILE_BYTES + 1, -EFSCORRUPTED);
	DESC_EXPECT((x.data_fmt = VMFS_FMT_INLINE, x.size = 2048), 0);
	DESC_EXPECT((x.data_fmt = VMFS_FMT_INLINE, x.size = 2049), -EFSCORRUPTED);
	DESC_EXPECT(x.mode = 0644, -EFSCORRUPTED);
	DESC_EXPECT(x.mode = 0170644, -EFSCORRUPTED);
	DESC_EXPECT(x.mode = 0030644, -EFSCORRUPTED);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		DESC_EXPECT(x.mode = types[i] | 0777, 0);
#undef DESC_EXPECT
	make_desc(&x);
	vmfs_desc_encode(blk, &x);
	vmfs_put_le32(blk, VMFS_MAGIC_BTNODE);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_desc_decode(blk, 0x9999, UUID, &d), -EFSCORRUPTED);
	vmfs_put_le32(blk, VMFS_MAGIC_DESC);
	vmfs_put_le16(blk + 0x28, 0);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_desc_decode(blk, 0x9999, UUID, &d), -EFSCORRUPTED);
}

/* ---- B-tree headers, nodes, extent values --------------------------------- */

static void test_bt_hdr_node(void)
{
	struct vmfs_bt_hdr h = { .level = 0x0102, .nrecs = 0x0304, .used = 0x0506,
				 .tree_type = 0x0708 }, d;
	uint8_t raw[8];

	vmfs_bt_hdr_encode(raw, &h);
	CU_ASSERT_EQUAL(memcmp(raw, "\x02\x01\x04\x03\x06\x05\x08\x07", 8), 0);
	vmfs_bt_hdr_decode(raw, &d);
	CU_ASSERT_EQUAL(d.level, h.level);
	CU_ASSERT_EQUAL(d.nrecs, h.nrecs);
	CU_ASSERT_EQUAL(d.used, h.used);
	CU_ASSERT_EQUAL(d.tree_type, h.tree_type);

	memset(blk, 0xee, MB);
	vmfs_bt_node_init(blk, 0x6161, UUID, 0x1357);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk), VMFS_MAGIC_BTNODE);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 8), 0x6161);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x30), 0x1357);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0x38, MB - 0x38));
	h = (struct vmfs_bt_hdr){ .level = 8, .nrecs = 1, .used = 4032,
				  .tree_type = VMFS_BT_EXTENT };
	vmfs_bt_hdr_encode(blk + 0x38, &h);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, UUID, 0x1357), 0);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, UUID, 0x1359), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6163, UUID, 0x1357), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, OTHER, 0x1357), -EFSCORRUPTED);
	blk[0x100] ^= 4;
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, UUID, 0x1357), -EFSBADCRC);
	blk[0x100] ^= 4;
	h.level = 9;
	vmfs_bt_hdr_encode(blk + 0x38, &h);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, UUID, 0x1357), -EFSCORRUPTED);
	h.level = 0;
	h.used = 4033;
	vmfs_bt_hdr_encode(blk + 0x38, &h);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_bt_node_verify(blk, 0x6161, UUID, 0x1357), -EFSCORRUPTED);
}

static void test_extent_val(void)
{
	struct vmfs_extent e = { .lstart = 77, .pstart = 0x0102030405060708ull,
				 .len = 0xfffffffeu, .flags = VMFS_EXT_UNWRITTEN | VMFS_EXT_SHARED,
				 .birth = 0x1112131415161718ull }, d;
	uint8_t v[VMFS_EXTENT_VAL_BYTES + 1];
	uint32_t fl;

	CU_ASSERT_EQUAL(VMFS_EXTENT_VAL_BYTES, 24);
	vmfs_extent_val_encode(v, &e);
	CU_ASSERT_EQUAL(vmfs_get_le64(v), e.pstart);
	CU_ASSERT_EQUAL(vmfs_get_le32(v + 8), e.len);
	CU_ASSERT_EQUAL(vmfs_get_le32(v + 12), e.flags);
	CU_ASSERT_EQUAL(vmfs_get_le64(v + 16), e.birth);
	CU_ASSERT_EQUAL_FATAL(vmfs_extent_val_decode(v, 24, 0x123456789aull, &d), 0);
	CU_ASSERT_EQUAL(d.lstart, 0x123456789aull);
	CU_ASSERT_EQUAL(d.pstart, e.pstart);
	CU_ASSERT_EQUAL(d.len, e.len);
	CU_ASSERT_EQUAL(d.flags, e.flags);
	CU_ASSERT_EQUAL(d.birth, e.birth);
	CU_ASSERT_EQUAL(vmfs_extent_val_decode(v, 23, 1, &d), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_extent_val_decode(v, 25, 1, &d), -EFSCORRUPTED);
	e.len = 0;
	vmfs_extent_val_encode(v, &e);
	CU_ASSERT_EQUAL(vmfs_extent_val_decode(v, 24, 1, &d), -EFSCORRUPTED);
	e.len = 1;
	for (fl = 0; fl < 32; fl++) {
		e.flags = 1u << fl;
		vmfs_extent_val_encode(v, &e);
		TCHECK(vmfs_extent_val_decode(v, 24, 1, &d) == (fl < 2 ? 0 : -EFSCORRUPTED),
		       "extent flag bit %u", fl);
	}
	e.flags = 0;
	vmfs_extent_val_encode(v, &e);
	CU_ASSERT_EQUAL(vmfs_extent_val_decode(v, 24, 1, &d), 0);
}

/* FORMAT.md section 12, "Xattr value block". */
static int dec_xval(const void *b)
{
	return vmfs_blk_verify(b, MB, VMFS_MAGIC_XVAL, 0x7171, UUID);
}

static void test_xval(void)
{
	memset(blk, 0xee, MB);
	vmfs_xval_init(blk, 0x7171, UUID, 0x2345, 4032);
	CU_ASSERT_EQUAL(VMFS_MAGIC_XVAL, 0x5658564fu);
	CU_ASSERT_EQUAL(memcmp(blk, "OVXV", 4), 0);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 8), 0x7171);
	CU_ASSERT_EQUAL(memcmp(blk + 0x10, UUID, 16), 0);
	CU_ASSERT_EQUAL(vmfs_get_le16(blk + 0x28), VMFS_BLK_VERSION);
	CU_ASSERT_EQUAL(vmfs_get_le64(blk + 0x30), 0x2345);
	CU_ASSERT_EQUAL(vmfs_get_le32(blk + 0x38), 4032);
	CU_ASSERT(vmfs_blk_is_zero(blk + 0x3c, MB - 0x3c));
	memset(blk + VMFS_XVAL_HDR, 0x5a, 4032);
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(dec_xval(blk), 0);
	CU_ASSERT_EQUAL(vmfs_xval_check(blk, 0x2345, 4032), 0);
	CU_ASSERT_EQUAL(vmfs_xval_check(blk, 0x2347, 4032), -EFSCORRUPTED);
	CU_ASSERT_EQUAL(vmfs_xval_check(blk, 0x2345, 4031), -EFSCORRUPTED);
	flip_all(blk, MB, MB, "xattr value block", dec_xval);
	vmfs_xval_init(blk, 0x7171, UUID, 0x2345, 4033);	/* longer than the block */
	vmfs_blk_seal(blk, MB);
	CU_ASSERT_EQUAL(vmfs_xval_check(blk, 0x2345, 4033), -EFSCORRUPTED);
}

/* ---- Layout ------------------------------------------------------------------ */

static int layout(struct vmfs_volhdr *vh, uint64_t bytes, uint32_t fbs, uint32_t sbs,
		  uint32_t slots, uint64_t rgm)
{
	char why[200] = "";

	memset(vh, 0, sizeof(*vh));
	vh->mblock_shift = 12;
	vh->file_block_shift = fbs;
	vh->small_block_shift = sbs;
	vh->host_slots = slots;
	vh->rg_mblocks = rgm;
	return vmfs_layout_compute(vh, bytes, why, sizeof(why));
}

static void test_layout_1gib(void)
{
	struct vmfs_volhdr vh;
	struct vmfs_geom g;

	CU_ASSERT_FATAL(layout(&vh, 1073741824ull, 20, 16, 2048, 1ull << 22) == 0);
	CU_ASSERT_EQUAL(vh.device_bytes, 1073741824ull);
	CU_ASSERT_EQUAL(vh.total_mblocks, 262144);
	CU_ASSERT_EQUAL(vh.mblock_shift, 12);
	CU_ASSERT_EQUAL(vh.volume_lock, 1);
	CU_ASSERT_EQUAL(vh.single_host_lock, 2);
	CU_ASSERT_EQUAL(vh.hb_start, 16);
	CU_ASSERT_EQUAL(vmfs_hb_blk(&vh, 2047), 2063);
	CU_ASSERT_EQUAL(vh.rgmap_start, 2064);
	CU_ASSERT_EQUAL(vh.rgmap_blocks, 1);
	CU_ASSERT_EQUAL(vh.rgtab_start, 2065);
	CU_ASSERT_EQUAL(vmfs_rg_lock_blk(&vh, 0), 2065);
	CU_ASSERT_EQUAL(vmfs_rg_hdr_blk(&vh, 0), 2066);
	CU_ASSERT_EQUAL(vh.data_start, 2304);
	CU_ASSERT_EQUAL(vh.rg_count, 1);
	CU_ASSERT_EQUAL(vmfs_rg_start(&vh, 0), 2304);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 0), 259584);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 0) / 256, 1014);
	CU_ASSERT_EQUAL(vmfs_rg_bitmap_blocks(vmfs_rg_len(&vh, 0)), 9);
	CU_ASSERT_EQUAL(vmfs_rg_start(&vh, 0) + vmfs_rg_len(&vh, 0), 261888);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 1), 0);
	vmfs_geom_from_volhdr(&vh, &g);
	CU_ASSERT_EQUAL(g.file_block_mblocks, 256);
	CU_ASSERT_EQUAL(g.small_block_mblocks, 16);
	CU_ASSERT_EQUAL(g.rg_mblocks, 1ull << 22);
	CU_ASSERT_EQUAL(g.rg_count, 1);
	CU_ASSERT_EQUAL(g.bitmap_blocks_per_rg, 131);
}

static void test_layout_1pib(void)
{
	struct vmfs_volhdr vh;
	uint64_t last;

	CU_ASSERT_FATAL(layout(&vh, 1ull << 50, 20, 16, 2048, 1ull << 22) == 0);
	CU_ASSERT_EQUAL(vh.total_mblocks, 274877906944ull);
	CU_ASSERT_EQUAL(vh.hb_start, 16);
	CU_ASSERT_EQUAL(vh.rgmap_start, 2064);
	CU_ASSERT_EQUAL(vh.rgmap_blocks, 3);
	CU_ASSERT_EQUAL(vh.rgtab_start, 2067);
	CU_ASSERT_EQUAL(vmfs_rg_hdr_blk(&vh, 65535), 133138);
	CU_ASSERT_EQUAL(vmfs_rg_lock_blk(&vh, 65535), 133137);
	CU_ASSERT_EQUAL(vh.data_start, 133376);
	CU_ASSERT_EQUAL(vh.data_start / 256, 521);
	CU_ASSERT_EQUAL(vh.rg_count, 65536);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 0), 4194304);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 65534), 4194304);
	CU_ASSERT_EQUAL(vmfs_rg_bitmap_blocks(4194304), 131);
	last = 65535;
	CU_ASSERT_EQUAL(vmfs_rg_start(&vh, last), 274873846016ull);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, last), 4060672);
	CU_ASSERT_EQUAL(vmfs_rg_bitmap_blocks(vmfs_rg_len(&vh, last)), 126);
	CU_ASSERT_EQUAL(vmfs_rg_start(&vh, last) + vmfs_rg_len(&vh, last), 274877906688ull);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 65536), 0);
}

static void test_layout_invalid(void)
{
	struct vmfs_volhdr vh;
	char why[200];

	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 15, 13, 2048, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 27, 16, 2048, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 16, 13, 2048, 1ull << 22), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 36, 26, 26, 2048, 1ull << 22), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 21, 2048, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 12, 2048, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 20, 2048, 1ull << 22), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 0, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 65536, 1ull << 22), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 1, 1ull << 22), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 65535, 1ull << 22), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 2048, 0), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 2048, 3ull << 20), -EINVAL);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 2048, 512), -EINVAL);	/* < 4 fbm */
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 30, 20, 16, 2048, 1024), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 40, 20, 16, 2048, 1ull << 23), 0);
	CU_ASSERT_EQUAL(layout(&vh, 1ull << 40, 20, 16, 2048, 1ull << 24), -EINVAL);
	memset(&vh, 0, sizeof(vh));
	vh.mblock_shift = 13;
	vh.file_block_shift = 20;
	vh.small_block_shift = 16;
	vh.host_slots = 2048;
	vh.rg_mblocks = 1ull << 22;
	CU_ASSERT_EQUAL(vmfs_layout_compute(&vh, 1ull << 30, why, sizeof(why)), -EINVAL);
	/* The smallest device for the defaults is 4353 mblocks. */
	TCHECK(layout(&vh, 4353ull * MB, 20, 16, 2048, 1ull << 22) == 0, "4353 mblocks refused");
	CU_ASSERT_EQUAL(vh.rg_count, 1);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 0), 2048);
	TCHECK(layout(&vh, 4352ull * MB + 4095, 20, 16, 2048, 1ull << 22) == -ENOSPC,
	       "4352 mblocks accepted");
	CU_ASSERT_EQUAL(layout(&vh, 8192, 20, 16, 2048, 1ull << 22), -ENOSPC);
	CU_ASSERT_EQUAL(layout(&vh, 0, 20, 16, 2048, 1ull << 22), -ENOSPC);
}

/* A last group too short for its bitmap and one more file block is dropped. */
static void test_layout_last_group(void)
{
	struct vmfs_volhdr vh;
	uint64_t fbm = 256, rgm = 2048, bytes;

	/* host_slots 1: rgmap 17, rgtab 18, est_rgs 2 -> data_start 256. */
	bytes = (256 + 2048 + 256 + 1) * 4096ull;	/* last group = one file block */
	CU_ASSERT_FATAL(layout(&vh, bytes, 20, 16, 1, rgm) == 0);
	CU_ASSERT_EQUAL(vh.data_start, 256);
	CU_ASSERT_EQUAL(vh.rg_count, 1);		/* 256 < roundup(1, 256) + 256 */
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 0), 2048);
	bytes = (256 + 2048 + 512 + 1) * 4096ull;
	CU_ASSERT_FATAL(layout(&vh, bytes, 20, 16, 1, rgm) == 0);
	CU_ASSERT_EQUAL(vh.rg_count, 2);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 1), 2 * fbm);
	/* A partial last mblock and a partial file block are both ignored. */
	CU_ASSERT_FATAL(layout(&vh, bytes + 4095 + 100 * 4096, 20, 16, 1, rgm) == 0);
	CU_ASSERT_EQUAL(vh.total_mblocks, bytes / 4096 + 100);
	CU_ASSERT_EQUAL(vh.rg_count, 2);
	CU_ASSERT_EQUAL(vmfs_rg_len(&vh, 1), 2 * fbm);
}

/* vmfs_format refuses what vmfs_layout_compute refuses, and checks its output. */
static void test_format_params(void)
{
	struct vmfs_format_params p = { .label = "p" };
	struct vmfs_volhdr vh, rd;
	struct vmfs_dev *dev;
	char why[256] = "";

	CU_ASSERT_FATAL(vmfs_dev_ram_open(32ull << 20, 512, &dev) == 0);
	p.file_block_shift = 15;
	CU_ASSERT_EQUAL(vmfs_format(dev, &p, &vh, why, sizeof(why)), -EINVAL);
	p.file_block_shift = 27;
	CU_ASSERT_EQUAL(vmfs_format(dev, &p, &vh, why, sizeof(why)), -EINVAL);
	p.file_block_shift = 16;
	p.small_block_shift = 17;
	CU_ASSERT_EQUAL(vmfs_format(dev, &p, &vh, why, sizeof(why)), -EINVAL);
	p.small_block_shift = 0;
	p.file_block_shift = 26;	/* 64 MiB file blocks do not fit 32 MiB */
	CU_ASSERT_EQUAL(vmfs_format(dev, &p, &vh, why, sizeof(why)), -ENOSPC);
	p.file_block_shift = 16;
	p.small_block_shift = 13;
	p.host_slots = 7;
	p.uuid_set = true;
	memcpy(p.uuid, UUID, 16);
	TCHECK(vmfs_format(dev, &p, &vh, why, sizeof(why)) == 0, "format: %s", why);
	CU_ASSERT_EQUAL(memcmp(vh.hdr.uuid, UUID, 16), 0);
	CU_ASSERT_EQUAL(vh.host_slots, 7);
	CU_ASSERT_EQUAL(vh.rgmap_start, 23);
	CU_ASSERT_EQUAL(vmfs_read_volhdr(dev, &rd, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(rd.root_ino, vh.root_ino);
	CU_ASSERT_EQUAL(rd.file_block_shift, 16);
	CU_ASSERT_EQUAL(rd.small_block_shift, 13);
	CU_ASSERT_EQUAL(strcmp(rd.label, "p"), 0);
	vmfs_dev_close(dev);
	CU_ASSERT_FATAL(vmfs_dev_ram_open(4352ull * 4096, 512, &dev) == 0);
	p = (struct vmfs_format_params){ .label = "tiny" };
	CU_ASSERT_EQUAL(vmfs_format(dev, &p, &vh, why, sizeof(why)), -ENOSPC);
	vmfs_dev_close(dev);
	CU_ASSERT_FATAL(vmfs_dev_ram_open(4353ull * 4096, 512, &dev) == 0);
	TCHECK(vmfs_format(dev, &p, &vh, why, sizeof(why)) == 0, "smallest volume: %s", why);
	vmfs_dev_close(dev);
}

/* FORMAT.md section 12 and 14: the limits a reader must accept. */
static void test_documented_limits(void)
{
	CU_ASSERT_EQUAL(VMFS_NAME_MAX, 255);
	CU_ASSERT_EQUAL(VMFS_XATTR_NAME_MAX, 255);
	TCHECK(VMFS_XATTR_VALUE_MAX == 4032,
	       "VMFS_XATTR_VALUE_MAX is %d; FORMAT.md sections 12 and 14 say 4032",
	       VMFS_XATTR_VALUE_MAX);
	CU_ASSERT_EQUAL(VMFS_XATTR_INLINE_MAX, 1024);
	CU_ASSERT_EQUAL(VMFS_XVAL_HDR, 0x40);
	/* Every leaf record fits half a node's record area (section 12). */
	CU_ASSERT(4 + VMFS_XATTR_NAME_MAX + VMFS_XATTR_INLINE_MAX + 10 <= 2016);
	CU_ASSERT_EQUAL(VMFS_DATA_ROOT_BYTES, 2048);
	CU_ASSERT_EQUAL(VMFS_XATTR_ROOT_BYTES, 1024);
	CU_ASSERT_EQUAL(VMFS_MAX_FILE_BYTES, 1ull << 60);
	CU_ASSERT_EQUAL(VMFS_BT_MAX_LEVEL, 8);
	CU_ASSERT_EQUAL(VMFS_DIR_KEY_MIN, 0x100);
	CU_ASSERT_EQUAL(VMFS_DEFAULT_LEASE_MS, 8000);
}

static int add_tests(void)
{
	CU_pSuite s = CU_add_suite("format", NULL, NULL);

	if (!s)
		return -1;
	if (!CU_add_test(s, "crc32c vectors", test_crc32c_vectors) ||
	    !CU_add_test(s, "crc32c block", test_crc32c_block) ||
	    !CU_add_test(s, "siphash-2-4 vectors", test_siphash) ||
	    !CU_add_test(s, "directory key base", test_name_key_base) ||
	    !CU_add_test(s, "block header", test_blk_hdr) ||
	    !CU_add_test(s, "volume header round trip", test_volhdr_roundtrip) ||
	    !CU_add_test(s, "volume header rejects", test_volhdr_reject) ||
	    !CU_add_test(s, "volume header check", test_volhdr_check) ||
	    !CU_add_test(s, "lock record", test_lock) ||
	    !CU_add_test(s, "lock record rejects", test_lock_reject) ||
	    !CU_add_test(s, "heartbeat", test_heartbeat) ||
	    !CU_add_test(s, "rg header", test_rg) ||
	    !CU_add_test(s, "bitmap and rg map", test_bitmap_rgmap) ||
	    !CU_add_test(s, "descriptor", test_desc) ||
	    !CU_add_test(s, "descriptor rejects", test_desc_reject) ||
	    !CU_add_test(s, "bt header and node", test_bt_hdr_node) ||
	    !CU_add_test(s, "extent value", test_extent_val) ||
	    !CU_add_test(s, "xattr value block", test_xval) ||
	    !CU_add_test(s, "layout 1 GiB", test_layout_1gib) ||
	    !CU_add_test(s, "layout 1 PiB", test_layout_1pib) ||
	    !CU_add_test(s, "layout invalid", test_layout_invalid) ||
	    !CU_add_test(s, "layout last group", test_layout_last_group) ||
	    !CU_add_test(s, "format parameters", test_format_params) ||
	    !CU_add_test(s, "documented limits", test_documented_limits))
		return -1;
	return 0;
}

int main(void)
{
	return trun(add_tests);
}
