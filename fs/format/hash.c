// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Keyed hash of directory entry and xattr names (FORMAT.md "Directories"):
 * SipHash-2-4 with the volume's hash_seed, so that nobody can choose names
 * that all collide in one directory without knowing the seed.
 */
#include "fs/format/format.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t vmfs_name_hash(const uint8_t seed[16], const void *name, size_t len)
{
	const uint8_t *in = name, *end = in + (len & ~(size_t)7);
	uint64_t k0 = vmfs_get_le64(seed), k1 = vmfs_get_le64(seed + 8);
	uint64_t v0 = 0x736f6d6570736575ull ^ k0, v1 = 0x646f72616e646f6dull ^ k1;
	uint64_t v2 = 0x6c7967656e657261ull ^ k0, v3 = 0x7465646279746573ull ^ k1;
	uint64_t b = (uint64_t)len << 56, m;
	int i;

	for (; in != end; in += 8) {
		m = vmfs_get_le64(in);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (i = (int)(len & 7) - 1; i >= 0; i--)
		b |= (uint64_t)in[i] << (8 * i);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < 4; i++)
		SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

uint64_t vmfs_name_key_base(const uint8_t seed[16], const void *name, size_t len)
{
	uint64_t k = (vmfs_name_hash(seed, name, len) >> 1) & ~0xffull;

	return k < VMFS_DIR_KEY_MIN ? VMFS_DIR_KEY_MIN : k;
}
