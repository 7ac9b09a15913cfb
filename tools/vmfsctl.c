// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmfsctl: the administrator's tool (what vmkfstools is to VMware), on an
 * image, a device or a mount point, as text or JSON:
 *   info   capacity, free space, block sizes, host slots, files (vmkfstools -P)
 *   hosts  heartbeat slots: name, live/dead, generation, age (docs/LOCKING.md)
 *   locks  held locks: the volume lock and files, mode and holders
 * Disk management comes with the issues that build it.
 */
#include <json-c/json.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uuid/uuid.h>

#include "fs/core/lm_dev.h"
#include "fs/core/size.h"
#include "fs/core/vol.h"
#include "tools/vmfsctl.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: vmfsctl info [--json] TARGET|MOUNTPOINT\n"
		   "       vmfsctl hosts [--json] TARGET|MOUNTPOINT\n"
		   "       vmfsctl locks [--json] TARGET|MOUNTPOINT|FILE\n");
}

/* What --json prints: indented, paths without escaped slashes. */
void print_json(json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
}

/*
 * The vmfs mount holding the absolute path @real (the longest mount point
 * that is a prefix of it): the image or device it serves (its fsname) in
 * @fsname, and the rest of the path, inside the volume, in *inside.
 */
int find_mount(const char *real, char *fsname, size_t flen, const char **inside)
{
	struct mntent *me;
	size_t best = 0;
	FILE *f = setmntent("/proc/self/mounts", "r");

	if (!f)
		return -errno;
	while ((me = getmntent(f))) {
		size_t n = strlen(me->mnt_dir);

		if (strcmp(me->mnt_type, "fuse.vmfs") || strncmp(real, me->mnt_dir, n) ||
		    (real[n] != '/' && real[n] != 0) || n <= best)
			continue;
		best = n;
		snprintf(fsname, flen, "%s", me->mnt_fsname);
		*inside = real + n;
	}
	endmntent(f);
	return best ? 0 : -ENOENT;
}

/* A mount point of ours: the image or device it serves; anything else as given. */
static int resolve_target(const char *arg, char *out, size_t len)
{
	const char *inside;
	char real[PATH_MAX];
	struct stat st;
	int err;

	if (stat(arg, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(out, len, "%s", arg);
		return 0;
	}
	if (!realpath(arg, real))
		return -errno;
	err = find_mount(real, out, len, &inside);
	return err ? err : *inside ? -ENOENT : 0;	/* a directory inside a mount */
}

/* Open the image, device or mounted volume @arg read-only; 0, or 1 after saying why. */
int open_target(const char *arg, char *target, size_t len, struct vmfs_dev **dev)
{
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE, .flags = VMFS_DEV_F_RDONLY };
	int err;

	if (resolve_target(arg, target, len)) {
		fprintf(stderr, "vmfsctl: %s is neither a vmfs image, device nor mount point\n",
			arg);
		return 1;
	}
	err = vmfs_dev_open(target, &dopts, dev);
	if (err) {
		fprintf(stderr, "vmfsctl: cannot open %s: %s\n", target, strerror(-err));
		return 1;
	}
	return 0;
}

static int cmd_info(const char *arg, bool json)
{
	struct vmfs_mount_opts mo = { .rdonly = true, .no_host_lock = true, .cache_bufs = 1024 };
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	char target[PATH_MAX], why[256], uuid[37], a[32], b[32];
	uint64_t total = 0, freeb, files, i;
	int err;

	if (open_target(arg, target, sizeof(target), &dev))
		return 1;
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
		print_json(o);
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

static const char *state_name(enum lm_slot_state st)
{
	switch (st) {
	case LM_SLOT_LIVE: return "live";
	case LM_SLOT_DEAD: return "dead";
	case LM_SLOT_FREE: return "free";
	default: return "unreadable";
	}
}

/*
 * Heartbeat slots in use. Liveness needs watching: the slots are read,
 * again after a quarter lease (two renewals of a live host), and a slot
 * whose counter moved is live. One that did not move is dead when its
 * writer's own stamp is older than the lease it promised (the hosts'
 * clocks are only compared for this display), else "stalled".
 */
static int cmd_hosts(const char *arg, bool json)
{
	struct lm_slot_info *a = NULL, *b = NULL;
	struct vmfs_volhdr vh;
	struct vmfs_dev *dev;
	struct lm_disk disk;
	struct lm_hb hb;
	char target[PATH_MAX], why[256], uuid[37];
	unsigned na = 0, nb = 0, i, j;
	uint64_t now_ns = vmfs_now_ns();
	json_object *arr = NULL;
	int err, ret = 1;

	if (open_target(arg, target, sizeof(target), &dev))
		return 1;
	err = vmfs_read_volhdr(dev, &vh, why, sizeof(why));
	if (err) {
		fprintf(stderr, "vmfsctl: %s: %s\n", target, why);
		goto out_dev;
	}
	vmfs_lm_disk(dev, &disk);
	if (vmfs_lm_hb_init(&hb, &disk, &vh, 0))
		goto out_dev;
	a = calloc(vh.host_slots, sizeof(*a));
	b = calloc(vh.host_slots, sizeof(*b));
	if (!a || !b)
		goto out_hb;
	err = lm_hb_scan(&hb, a, vh.host_slots, &na);
	if (!err) {
		lm_sleep_ms(vh.lease_ms / 4);
		err = lm_hb_scan(&hb, b, vh.host_slots, &nb);
	}
	if (err) {
		fprintf(stderr, "vmfsctl: reading heartbeats of %s failed: %s\n", target,
			strerror(-err));
		goto out_hb;
	}
	if (json)
		arr = json_object_new_array();
	else
		printf("%-5s %-24s %-10s %10s %12s %10s\n", "SLOT", "HOST", "STATE", "GENERATION",
		       "SEQ", "AGE");
	for (j = 0; j < nb; j++) {
		struct lm_slot_info *s2 = &b[j];
		bool moved = true;
		uint64_t age_ms = now_ns > s2->hb.stamp_ns ? (now_ns - s2->hb.stamp_ns) / 1000000 : 0;
		const char *st;

		for (i = 0; i < na; i++)
			if (a[i].slot == s2->slot)
				moved = a[i].hb.seq != s2->hb.seq ||
					a[i].hb.generation != s2->hb.generation;
		if (s2->state == LM_SLOT_UNKNOWN)
			st = state_name(s2->state);
		else if (moved)
			st = "live";
		else
			st = age_ms > (s2->hb.lease_ms ? s2->hb.lease_ms : vh.lease_ms) ? "dead" : "stalled";
		uuid_unparse(s2->hb.host_uuid, uuid);
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "slot", json_object_new_int((int)s2->slot));
			json_object_object_add(o, "host", json_object_new_string(s2->hb.host_name));
			json_object_object_add(o, "host_uuid", json_object_new_string(uuid));
			json_object_object_add(o, "state", json_object_new_string(st));
			json_object_object_add(o, "generation",
					       json_object_new_int64((int64_t)s2->hb.generation));
			json_object_object_add(o, "seq", json_object_new_int64((int64_t)s2->hb.seq));
			json_object_object_add(o, "age_ms", json_object_new_int64((int64_t)age_ms));
			json_object_object_add(o, "lease_ms",
					       json_object_new_int64((int64_t)s2->hb.lease_ms));
			json_object_array_add(arr, o);
		} else {
			printf("%-5u %-24s %-10s %10llu %12llu %8.1f s\n", s2->slot, s2->hb.host_name,
			       st, (unsigned long long)s2->hb.generation,
			       (unsigned long long)s2->hb.seq, (double)age_ms / 1000);
		}
	}
	if (json) {
		print_json(arr);
		json_object_put(arr);
	}
	ret = 0;
out_hb:
	free(a);
	free(b);
	lm_hb_destroy(&hb);
out_dev:
	vmfs_dev_close(dev);
	return ret;
}

int main(int argc, char **argv)
{
	bool json = false;
	int i;

	if (argc < 2) {
		usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "info") || !strcmp(argv[1], "hosts") || !strcmp(argv[1], "locks")) {
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
		if (!strcmp(argv[1], "locks"))
			return cmd_locks(t, json);
		return !strcmp(argv[1], "info") ? cmd_info(t, json) : cmd_hosts(t, json);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vmfsctl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 1;
}
