// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmfsctl: the administrator's tool (what vmkfstools is to VMware).
 * Today: "info" (vmkfstools -P): capacity, free space, block sizes, host
 * slots, files, on an image, a device or a mount point, as text or JSON.
 * The multi-host subcommands (hosts, locks) and disk management come with
 * the issues that build them.
 */
#include <json-c/json.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "fs/core/size.h"
#include "fs/core/vol.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmfsctl info [--json] TARGET|MOUNTPOINT\n");
}

/* A mount point of ours: the image or device it serves (its fsname). */
static int resolve_target(const char *arg, char *out, size_t len)
{
	char real[PATH_MAX];
	struct mntent *me;
	struct stat st;
	FILE *f;
	int err = -ENOENT;

	if (stat(arg, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(out, len, "%s", arg);
		return 0;
	}
	if (!realpath(arg, real))
		return -errno;
	f = setmntent("/proc/self/mounts", "r");
	if (!f)
		return -errno;
	while ((me = getmntent(f)))
		if (!strcmp(me->mnt_dir, real) && !strcmp(me->mnt_type, "fuse.vmfs")) {
			snprintf(out, len, "%s", me->mnt_fsname);
			err = 0;
		}
	endmntent(f);
	return err;
}

static int cmd_info(const char *arg, bool json)
{
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE, .flags = VMFS_DEV_F_RDONLY };
	struct vmfs_mount_opts mo = { .rdonly = true, .no_host_lock = true, .cache_bufs = 1024 };
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	char target[PATH_MAX], why[256], uuid[37], a[32], b[32];
	uint64_t total = 0, freeb, files, i;
	int err;

	err = resolve_target(arg, target, sizeof(target));
	if (err) {
		fprintf(stderr, "vmfsctl: %s is neither a vmfs image, device nor mount point\n",
			arg);
		return 1;
	}
	err = vmfs_dev_open(target, &dopts, &dev);
	if (err) {
		fprintf(stderr, "vmfsctl: cannot open %s: %s\n", target, strerror(-err));
		return 1;
	}
	err = vmfs_vol_open(dev, &mo, &vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "vmfsctl: %s: %s\n", target, why);
		vmfs_dev_close(dev);
		return 1;
	}
	pthread_mutex_lock(&vol->lock);
	for (i = 0; i < vol->vh.rg_count; i++)
		total += vmfs_rg_len(&vol->vh, i);
	freeb = vmfs_free_mblocks(vol);
	files = vmfs_count_descriptors(vol);
	pthread_mutex_unlock(&vol->lock);
	uuid_unparse(vol->vh.hdr.uuid, uuid);
	if (json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "target", json_object_new_string(target));
		json_object_object_add(o, "label", json_object_new_string(vol->vh.label));
		json_object_object_add(o, "uuid", json_object_new_string(uuid));
		json_object_object_add(o, "version", json_object_new_int((int)vol->vh.major));
		json_object_object_add(o, "capacity_bytes",
				       json_object_new_int64((int64_t)(total << VMFS_MBLOCK_SHIFT)));
		json_object_object_add(o, "free_bytes",
				       json_object_new_int64((int64_t)(freeb << VMFS_MBLOCK_SHIFT)));
		json_object_object_add(o, "file_block_bytes",
				       json_object_new_int64(1ll << vol->vh.file_block_shift));
		json_object_object_add(o, "small_block_bytes",
				       json_object_new_int64(1ll << vol->vh.small_block_shift));
		json_object_object_add(o, "host_slots", json_object_new_int((int)vol->vh.host_slots));
		json_object_object_add(o, "resource_groups",
				       json_object_new_int64((int64_t)vol->vh.rg_count));
		json_object_object_add(o, "files", json_object_new_int64((int64_t)files));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
		json_object_put(o);
	} else {
		printf("vmfs-%u.%u file system on %s\n", vol->vh.major, vol->vh.minor, target);
		printf("label:        %s\n", vol->vh.label);
		printf("uuid:         %s\n", uuid);
		vmfs_format_size(total << VMFS_MBLOCK_SHIFT, a, sizeof(a));
		vmfs_format_size(freeb << VMFS_MBLOCK_SHIFT, b, sizeof(b));
		printf("capacity:     %s, %s free\n", a, b);
		vmfs_format_size(1ull << vol->vh.file_block_shift, a, sizeof(a));
		vmfs_format_size(1ull << vol->vh.small_block_shift, b, sizeof(b));
		printf("block size:   %s (%llu bytes), small blocks %s\n", a,
		       1ull << vol->vh.file_block_shift, b);
		printf("host slots:   %u\n", vol->vh.host_slots);
		printf("groups:       %llu\n", (unsigned long long)vol->vh.rg_count);
		printf("files:        %llu\n", (unsigned long long)files);
	}
	vmfs_vol_close(vol);
	vmfs_dev_close(dev);
	return 0;
}

int main(int argc, char **argv)
{
	bool json = false;
	int i;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "info")) {
		const char *t = NULL;

		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--json"))
				json = true;
			else if (!t)
				t = argv[i];
			else
				t = NULL, i = argc;
		}
		if (!t) {
			usage(stderr);
			return 1;
		}
		return cmd_info(t, json);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vmfsctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
