// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mkfs.vmfs: format an image file or block device. Parses options,
 * refuses to overwrite anything it recognises without -f, then calls
 * vmfs_format() (fs/core/format_volume.c) and prints a summary.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "fs/core/format_volume.h"
#include "fs/core/probe.h"
#include "fs/core/size.h"
#include "fs/core/vol.h"

struct mkfs_opts {
	const char *target;
	const char *label;
	uint64_t size;			/* --size: create/extend an image */
	uint64_t block, small;
	unsigned host_slots;
	uint64_t rg_mblocks;
	bool force, quiet;
	uuid_t uuid;
	bool uuid_set;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mkfs.vmfs [options] TARGET\n"
		"  TARGET             image file or block device\n"
		"  -L, --label L      volume label (up to %d bytes)\n"
		"  -b, --block-size B file block size, 64K .. 64M, power of two (default 1M)\n"
		"  -s, --small-block S small block size, 8K .. file block size (default 64K)\n"
		"  -H, --host-slots N heartbeat slots, 1 .. %d (default %d)\n"
		"  -S, --size SIZE    create TARGET as a sparse image of SIZE (e.g. 64T)\n"
		"  -U, --uuid UUID    volume UUID (default: random)\n"
		"  -f, --force        overwrite an existing filesystem or partition table\n"
		"  -q, --quiet        no summary\n",
		VMFS_LABEL_MAX, VMFS_MAX_HOST_SLOTS, VMFS_DEFAULT_HOST_SLOTS);
}

static int pow2_shift(uint64_t v)
{
	int s = 0;

	if (!v || (v & (v - 1)))
		return -1;
	while ((1ull << s) != v)
		s++;
	return s;
}

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "mkfs.vmfs: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int parse(int argc, char **argv, struct mkfs_opts *o)
{
	static const struct option lo[] = {
		{ "label", 1, NULL, 'L' }, { "block-size", 1, NULL, 'b' },
		{ "small-block", 1, NULL, 's' }, { "host-slots", 1, NULL, 'H' },
		{ "size", 1, NULL, 'S' }, { "uuid", 1, NULL, 'U' }, { "force", 0, NULL, 'f' },
		{ "quiet", 0, NULL, 'q' }, { "rg-mblocks", 1, NULL, 'R' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 } };
	char *end;
	long n;
	int c;

	memset(o, 0, sizeof(*o));
	o->label = "";
	o->block = 1ull << VMFS_DEFAULT_FILE_BLOCK_SHIFT;
	o->small = 1ull << VMFS_DEFAULT_SMALL_BLOCK_SHIFT;
	o->host_slots = VMFS_DEFAULT_HOST_SLOTS;
	o->rg_mblocks = 1ull << VMFS_DEFAULT_RG_SHIFT;
	while ((c = getopt_long(argc, argv, "L:b:s:H:S:U:fqh", lo, NULL)) != -1) {
		switch (c) {
		case 'L':
			if (strlen(optarg) > VMFS_LABEL_MAX)
				return die("label '%s' is longer than 64 bytes", optarg);
			o->label = optarg;
			break;
		case 'b':
			if (vmfs_parse_size(optarg, &o->block) || pow2_shift(o->block) < 0 ||
			    o->block < (1ull << VMFS_MIN_FILE_BLOCK_SHIFT) ||
			    o->block > (1ull << VMFS_MAX_FILE_BLOCK_SHIFT))
				return die("block size '%s' must be a power of two from 64K to 64M",
					   optarg);
			break;
		case 's':
			if (vmfs_parse_size(optarg, &o->small) || pow2_shift(o->small) < 0 ||
			    o->small < (1ull << VMFS_MIN_SMALL_BLOCK_SHIFT))
				return die("small block size '%s' must be a power of two of at "
					   "least 8K", optarg);
			break;
		case 'H':
			n = strtol(optarg, &end, 10);
			if (*end || n < 1 || n > VMFS_MAX_HOST_SLOTS)
				return die("host slots '%s' must be a number from 1 to 65535",
					   optarg);
			o->host_slots = (unsigned)n;
			break;
		case 'S':
			if (vmfs_parse_size(optarg, &o->size) || o->size == 0)
				return die("size '%s' is not a size (examples: 8G, 64T, 1P)", optarg);
			break;
		case 'U':
			if (uuid_parse(optarg, o->uuid))
				return die("UUID '%s' is malformed", optarg);
			o->uuid_set = true;
			break;
		case 'R':
			if (vmfs_parse_size(optarg, &o->rg_mblocks))
				return die("resource group size '%s' is malformed", optarg);
			break;
		case 'f': o->force = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 1;
		}
	}
	if (o->small > o->block) {
		fprintf(stderr, "mkfs.vmfs: small block size must not exceed the block size\n");
		return 1;
	}
	if (argc - optind != 1) {
		usage(stderr);
		return 1;
	}
	o->target = argv[optind];
	return 0;
}

/*
 * Never format a volume a mount.vmfs is serving, even with -f: every daemon
 * holds a shared OFD lock on the single-host block of the device.
 */
static int check_in_use(struct vmfs_dev *dev, const char *target)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = (off_t)VMFS_SINGLE_HOST_BLK << VMFS_MBLOCK_SHIFT,
		.l_len = VMFS_MBLOCK_SIZE,
	};

	if (dev->fd < 0 || fcntl(dev->fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
		return 0;
	fprintf(stderr, "mkfs.vmfs: %s is in use by a mounted vmfs volume; unmount it first\n",
		target);
	return 1;
}

/* Refuse to overwrite anything recognisable unless forced. */
static int check_existing(struct vmfs_dev *dev, const struct mkfs_opts *o)
{
	struct vmfs_volhdr vh;
	char why[256], what[160], uuid[37];

	if (o->force)
		return 0;
	if (vmfs_read_volhdr(dev, &vh, why, sizeof(why)) == 0) {
		uuid_unparse(vh.hdr.uuid, uuid);
		fprintf(stderr, "mkfs.vmfs: %s already holds a vmfs volume '%s' (%s); "
			"use -f to overwrite it\n", o->target, vh.label, uuid);
		return 1;
	}
	if (vmfs_probe_foreign(dev, what, sizeof(what)) == 0) {
		fprintf(stderr, "mkfs.vmfs: %s holds %s; use -f to overwrite it\n", o->target,
			what);
		return 1;
	}
	return 0;
}

static void summary(const struct mkfs_opts *o, const struct vmfs_volhdr *vh, double secs)
{
	char size[32], fb[32], sb[32], rg[32], uuid[37];

	vmfs_format_size(vh->device_bytes, size, sizeof(size));
	vmfs_format_size(1ull << vh->file_block_shift, fb, sizeof(fb));
	vmfs_format_size(1ull << vh->small_block_shift, sb, sizeof(sb));
	vmfs_format_size(vh->rg_mblocks << VMFS_MBLOCK_SHIFT, rg, sizeof(rg));
	uuid_unparse(vh->hdr.uuid, uuid);
	printf("vmfs volume on %s\n", o->target);
	printf("  label        %s\n", vh->label[0] ? vh->label : "(none)");
	printf("  uuid         %s\n", uuid);
	printf("  size         %s (%llu bytes)\n", size, (unsigned long long)vh->device_bytes);
	printf("  file block   %s, small block %s, metadata block 4 KiB\n", fb, sb);
	printf("  host slots   %u\n", vh->host_slots);
	printf("  groups       %llu of %s\n", (unsigned long long)vh->rg_count, rg);
	printf("  formatted in %.3f s\n", secs);
}

int main(int argc, char **argv)
{
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE };
	struct vmfs_dev *dev = NULL;
	struct mkfs_opts o;
	struct vmfs_format_params params;
	struct vmfs_volhdr vh;
	struct timespec t0, t1;
	struct stat st;
	char why[256];
	int err, ret = 1;

	if (parse(argc, argv, &o))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (stat(o.target, &st) != 0) {
		if (!o.size)
			return die("%s does not exist; give --size to create an image", o.target);
		dopts.flags = VMFS_DEV_F_CREATE;
		dopts.create_size = o.size;
	} else if (o.size) {
		if (!S_ISREG(st.st_mode))
			return die("--size applies to image files; %s is not one", o.target);
		if (truncate(o.target, (off_t)o.size) != 0)
			return die("cannot set the size of %s", o.target);
	}
	err = vmfs_dev_open(o.target, &dopts, &dev);
	if (err) {
		fprintf(stderr, "mkfs.vmfs: cannot open %s: %s\n", o.target, strerror(-err));
		return 1;
	}
	if (check_in_use(dev, o.target) || check_existing(dev, &o))
		goto out;
	memset(&params, 0, sizeof(params));
	params.label = o.label;
	params.file_block_shift = (uint32_t)pow2_shift(o.block);
	params.small_block_shift = (uint32_t)pow2_shift(o.small);
	params.host_slots = o.host_slots;
	params.rg_mblocks = o.rg_mblocks;
	if (o.uuid_set) {
		memcpy(params.uuid, o.uuid, 16);
		params.uuid_set = true;
	}
	err = vmfs_format(dev, &params, &vh, why, sizeof(why));
	if (err) {
		fprintf(stderr, "mkfs.vmfs: %s: %s\n", o.target, why);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!o.quiet)
		summary(&o, &vh, (double)(t1.tv_sec - t0.tv_sec) +
				 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	ret = 0;
out:
	vmfs_dev_close(dev);
	return ret;
}
