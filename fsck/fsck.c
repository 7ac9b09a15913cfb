// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsck.vmfs: check a volume (fsck/check.c) and exit as fsck(8) expects:
 * 0 clean, 4 problems left uncorrected, 8 operational error, 16 usage.
 * This version checks only: with -p, -a or -y it checks and says that the
 * problems it found are left for a version with repairs (issue 4). A
 * volume that hosts have mounted is checked read-only and the live hosts
 * are named, since their unwritten changes can look like problems.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/core/lm_dev.h"
#include "fsck/check.h"

#define FSCK_OK 0
#define FSCK_UNCORRECTED 4
#define FSCK_ERROR 8
#define FSCK_USAGE 16

static void usage(FILE *f)
{
	fprintf(f, "usage: fsck.vmfs [-n|-p|-a|-y] [-f] [-v] [--json] TARGET\n"
		   "  -n        check only, change nothing (what every mode does today)\n"
		   "  -p, -a    repair what is safe without asking (not implemented yet)\n"
		   "  -y        repair everything (not implemented yet)\n"
		   "  -f        full check (always done)\n"
		   "  -v        list every problem, not the first 20 of each kind\n"
		   "  --json    the result as JSON\n");
}

/* Live hosts make the check approximate: name them. Returns how many. */
static unsigned live_hosts(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, bool quiet)
{
	struct lm_disk disk;
	struct lm_hb hb;
	struct lm_slot_info *si;
	unsigned n = 0, i, live = 0;

	vmfs_lm_disk(dev, &disk);
	if (vmfs_lm_hb_init(&hb, &disk, vh, 0))
		return 0;
	si = calloc(vh->host_slots, sizeof(*si));
	if (si && lm_hb_scan(&hb, si, vh->host_slots, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (si[i].state != LM_SLOT_LIVE || si[i].hb.state != VMFS_HB_LIVE)
				continue;
			live++;
			if (!quiet)
				fprintf(stderr, "fsck.vmfs: warning: host '%s' (slot %u) has the volume "
					"mounted; its unwritten changes may show as problems\n",
					si[i].hb.host_name, si[i].slot);
		}
	}
	free(si);
	lm_hb_destroy(&hb);
	return live;
}

/* A progress bar on a terminal (stderr), redrawn in place. */
static void progress_bar(void *arg, uint64_t done, uint64_t total)
{
	unsigned width = 40, fill;

	(void)arg;
	if (total < done)
		total = done;
	fill = total ? (unsigned)(done * width / total) : width;
	fprintf(stderr, "\rfsck.vmfs: files %llu/%llu [%.*s%*s] %3u%%",
		(unsigned long long)done, (unsigned long long)total, fill,
		"########################################", (int)(width - fill), "",
		total ? (unsigned)(done * 100 / total) : 100);
	if (done == total)
		fputc('\n', stderr);
}

static void print_json(const char *target, const struct vmfs_check_report *r, int code)
{
	json_object *o = json_object_new_object(), *probs = json_object_new_object();
	int i;

	for (i = 0; i < PR_COUNT; i++)
		if (r->found[i])
			json_object_object_add(probs, vmfs_problems[i].code,
					       json_object_new_int64((int64_t)r->found[i]));
	json_object_object_add(o, "target", json_object_new_string(target));
	json_object_object_add(o, "files", json_object_new_int64((int64_t)r->files));
	json_object_object_add(o, "directories", json_object_new_int64((int64_t)r->dirs));
	json_object_object_add(o, "other", json_object_new_int64((int64_t)r->others));
	json_object_object_add(o, "used_mblocks", json_object_new_int64((int64_t)r->used_mblocks));
	json_object_object_add(o, "problems", probs);
	json_object_object_add(o, "exit", json_object_new_int(code));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "json", 0, NULL, 'J' }, { "help", 0, NULL, 'h' },
					    { NULL, 0, NULL, 0 } };
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE, .flags = VMFS_DEV_F_RDONLY };
	struct vmfs_mount_opts mo = { .rdonly = true, .no_host_lock = true, .cache_bufs = 16384 };
	struct vmfs_check_report rep = { .max_lines = 20 };
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	bool repair = false, json = false;
	const char *target;
	uint64_t total;
	char why[256];
	int c, err, code;

	while ((c = getopt_long(argc, argv, "npayfvCh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': case 'f': case 'C': break;
		case 'p': case 'a': case 'y': repair = true; break;
		case 'v': rep.max_lines = 0; break;
		case 'J': json = true; break;
		case 'h': usage(stdout); return FSCK_OK;
		default: usage(stderr); return FSCK_USAGE;
		}
	}
	if (argc - optind != 1) {
		usage(stderr);
		return FSCK_USAGE;
	}
	target = argv[optind];
	err = vmfs_dev_open(target, &dopts, &dev);
	if (err) {
		fprintf(stderr, "fsck.vmfs: cannot open %s: %s\n", target, strerror(-err));
		return FSCK_ERROR;
	}
	err = vmfs_vol_open(dev, &mo, &vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "fsck.vmfs: %s: %s\n", target, why);
		vmfs_dev_close(dev);
		return FSCK_ERROR;
	}
	live_hosts(dev, &vol->vh, json);
	rep.out = json ? NULL : stdout;
	if (!json && isatty(STDERR_FILENO))
		rep.progress = progress_bar;
	err = vmfs_check(vol, &rep);
	if (err) {
		fprintf(stderr, "fsck.vmfs: %s: the check stopped: %s\n", target, strerror(-err));
		code = FSCK_ERROR;
	} else {
		total = vmfs_check_total(&rep);
		code = total ? FSCK_UNCORRECTED : FSCK_OK;
		if (!json) {
			printf("%s: %llu files, %llu directories, %llu other, %llu mblocks in use; "
			       "%llu problem%s\n", target, (unsigned long long)rep.files,
			       (unsigned long long)rep.dirs, (unsigned long long)rep.others,
			       (unsigned long long)rep.used_mblocks, (unsigned long long)total,
			       total == 1 ? "" : "s");
			if (total && repair)
				printf("%s: repairs are not implemented in this version; "
				       "nothing was changed\n", target);
		}
	}
	if (json)
		print_json(target, &rep, code);
	vmfs_vol_close(vol);
	vmfs_dev_close(dev);
	return code;
}
