// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fsck.vmfs: check a volume (fsck/check.c), repair what is safe to repair
 * (fsck/repair.c), and exit as fsck(8) expects: 0 clean, 1 problems
 * repaired, 4 problems left uncorrected, 8 operational error, 16 usage.
 * Checking is read-only and safe while hosts have the volume mounted (the
 * live ones are named: their unwritten changes can look like problems).
 * Repairing is refused while any host heartbeats, unless --force; it
 * first recovers every dead host (journal replayed, slot freed).
 */
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsck/check.h"
#include "fsck/hosts.h"

#define FSCK_OK 0
#define FSCK_REPAIRED 1
#define FSCK_UNCORRECTED 4
#define FSCK_ERROR 8
#define FSCK_USAGE 16
#define FSCK_REPAIRING (-1)	/* not an exit code: problems found, repairs to come */

static void usage(FILE *f)
{
	fprintf(f, "usage: fsck.vmfs [-n|-p|-a|-y] [-f] [-v] [--force] [--json] TARGET\n"
		   "  -n        check only, change nothing (the default)\n"
		   "  -p, -a    repair what is safe without asking\n"
		   "  -y        repair everything this version can repair (as -p)\n"
		   "  -f        full check (always done)\n"
		   "  -v        list every problem, not the first 20 of each kind\n"
		   "  --force   repair even while hosts heartbeat (they must not write meanwhile)\n"
		   "  --json    the result as JSON\n");
}

/*
 * Name the live hosts; with @repair, recover the dead ones (after watching
 * every slot for a lease), counted in *recovered. Returns how many hosts
 * are live, or -1.
 */
static int hosts(const char *target, struct vmfs_dev *dev, const struct vmfs_volhdr *vh,
		 bool repair, bool quiet, unsigned *recovered)
{
	struct lm_slot_info *si = NULL;
	unsigned n = 0, i;
	uint64_t replayed;
	int live = 0, err;

	err = fsck_scan_hosts(dev, vh, repair, &si, &n);
	if (err) {
		fprintf(stderr, "fsck.vmfs: %s: cannot read the heartbeat region: %s\n", target,
			strerror(-err));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!repair && !quiet &&
		    vmfs_jnl_live(dev, vh, si[i].hb.journal_start,
				  vmfs_jnl_txn_mblocks(si[i].hb.journal_mblocks)) == 1)
			fprintf(stderr, "fsck.vmfs: %s: the journal of host '%s' (slot %u) holds "
				"changes that may not be written home yet; if that host is dead, "
				"-p replays it first (problems it would mend may show here)\n",
				target, si[i].hb.host_name, si[i].slot);
		if (si[i].state == LM_SLOT_LIVE) {
			live++;
			if (!quiet)
				fprintf(stderr, "fsck.vmfs: %s: host '%s' (slot %u) has the volume "
					"mounted%s\n", target, si[i].hb.host_name, si[i].slot,
					repair ? "" : "; its unwritten changes may show as problems");
			continue;
		}
		if (!repair || si[i].state != LM_SLOT_DEAD)
			continue;
		err = fsck_recover_host(dev, vh, &si[i], &replayed);
		if (err) {
			fprintf(stderr, "fsck.vmfs: %s: cannot recover the dead host '%s' (slot %u): "
				"%s\n", target, si[i].hb.host_name, si[i].slot, strerror(-err));
			live = -1;
			break;
		}
		(*recovered)++;
		if (!quiet)
			printf("%s: dead host '%s' (slot %u) recovered: %llu journal blocks "
			       "replayed, its slot and locks freed\n", target, si[i].hb.host_name,
			       si[i].slot, (unsigned long long)replayed);
	}
	free(si);
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

/* One check of @vol; with @rep->want_fixes, the repairs are collected. */
static int check(const char *target, struct vmfs_vol *vol, struct vmfs_check_report *rep,
		 bool json)
{
	int err;

	rep->out = json ? NULL : stdout;
	if (!json && isatty(STDERR_FILENO))
		rep->progress = progress_bar;
	err = vmfs_check(vol, rep);
	if (err)
		fprintf(stderr, "fsck.vmfs: %s: the check stopped: %s\n", target, strerror(-err));
	return err;
}

static void summary(const char *target, const struct vmfs_check_report *rep)
{
	uint64_t total = vmfs_check_total(rep);

	printf("%s: %llu files, %llu directories, %llu other, %llu mblocks in use; "
	       "%llu problem%s\n", target, (unsigned long long)rep->files,
	       (unsigned long long)rep->dirs, (unsigned long long)rep->others,
	       (unsigned long long)rep->used_mblocks, (unsigned long long)total,
	       total == 1 ? "" : "s");
}

#define REPAIR_ROUNDS 3	/* a rebuilt tree shows what it lost to the next check */

/*
 * Repair what the first check found, then check again; while that check
 * finds more (what a rebuilt tree lost, say), repair that too, for at most
 * REPAIR_ROUNDS rounds. Returns the exit code.
 */
static int repair(const char *target, struct vmfs_vol *vol, struct vmfs_check_report *rep,
		  bool json)
{
	long applied, total_applied = 0;
	int round, err;

	for (round = 1;; round++) {
		struct vmfs_check_report again = { .max_lines = rep->max_lines,
						   .want_fixes = round < REPAIR_ROUNDS };

		applied = vmfs_repair(vol, rep);
		err = applied < 0 ? (int)applied : vmfs_vol_sync(vol);
		if (err) {
			fprintf(stderr, "fsck.vmfs: %s: repairing failed: %s\n", target,
				strerror(-err));
			return FSCK_ERROR;
		}
		if (!applied) {
			if (!json)
				printf("%s: no repair for what was found; nothing was changed\n",
				       target);
			return total_applied ? FSCK_UNCORRECTED | FSCK_REPAIRED : FSCK_UNCORRECTED;
		}
		total_applied += applied;
		if (!json)
			printf("%s: %ld repair%s made; checking again\n", target, applied,
			       applied == 1 ? "" : "s");
		if (check(target, vol, &again, json))
			return FSCK_ERROR;
		vmfs_check_report_release(rep);
		*rep = again;
		if (!json)
			summary(target, rep);
		if (!vmfs_check_total(rep))
			return FSCK_REPAIRED;
		if (round == REPAIR_ROUNDS)
			return FSCK_UNCORRECTED | FSCK_REPAIRED;
	}
}

/*
 * On a volume found sound, with no host mounted: delete the files that
 * hosts which died had unlinked while open (the orphan tables the check
 * found listing something), as each host would at its next mount.
 * Returns the exit code.
 */
static int reap(const char *target, struct vmfs_vol *vol, const struct vmfs_check_report *rep,
		bool json, int code)
{
	unsigned deleted = 0;
	size_t i;
	int err = 0, n;

	pthread_mutex_lock(&vol->lock);
	for (i = 0; i < rep->norphan_tables && !err; i++) {
		vol->orphan_blk = rep->orphan_tables[i];
		n = vmfs_orphan_reap(vol);
		err = n < 0 ? n : 0;
		deleted += n > 0 ? (unsigned)n : 0;
	}
	vol->orphan_blk = 0;
	pthread_mutex_unlock(&vol->lock);
	if (!err && deleted)
		err = vmfs_vol_sync(vol);
	if (err) {
		fprintf(stderr, "fsck.vmfs: %s: deleting files unlinked while open failed: %s\n",
			target, strerror(-err));
		return FSCK_ERROR;
	}
	if (!deleted)
		return code;
	if (!json)
		printf("%s: %u file%s that hosts which died had unlinked while open deleted\n",
		       target, deleted, deleted == 1 ? "" : "s");
	return FSCK_REPAIRED;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = { { "json", 0, NULL, 'J' }, { "help", 0, NULL, 'h' },
					    { "force", 0, NULL, 'F' }, { NULL, 0, NULL, 0 } };
	/* io_uring where it can: fsck reads descriptors ahead in parallel batches. */
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_AUTO, .flags = VMFS_DEV_F_RDONLY };
	struct vmfs_mount_opts mo = { .rdonly = true, .no_host_lock = true, .cache_bufs = 16384 };
	struct vmfs_check_report rep = { .max_lines = 20 };
	struct vmfs_volhdr vh;
	struct vmfs_dev *dev;
	struct vmfs_vol *vol;
	bool fix = false, json = false, force = false;
	const char *target;
	char why[256];
	unsigned recovered = 0;
	int c, err, code, live;

	while ((c = getopt_long(argc, argv, "npayfvCh", lo, NULL)) != -1) {
		switch (c) {
		case 'n': case 'f': case 'C': break;
		case 'p': case 'a': case 'y': fix = true; break;
		case 'v': rep.max_lines = 0; break;
		case 'F': force = true; break;
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
	if (fix)
		dopts.flags &= ~(unsigned)VMFS_DEV_F_RDONLY;
	err = vmfs_dev_open(target, &dopts, &dev);
	if (err) {
		fprintf(stderr, "fsck.vmfs: cannot open %s: %s\n", target, strerror(-err));
		return FSCK_ERROR;
	}
	err = vmfs_read_volhdr(dev, &vh, why, sizeof(why));
	live = err ? -1 : hosts(target, dev, &vh, fix, json, &recovered);
	if (err)
		fprintf(stderr, "fsck.vmfs: %s: %s\n", target, why);
	if (live > 0 && fix && !force) {
		fprintf(stderr, "fsck.vmfs: %s: refusing to repair while %d host%s heartbeat%s "
			"(named above); unmount %s, check with -n, or use --force\n", target, live,
			live == 1 ? "" : "s", live == 1 ? "s" : "", live == 1 ? "it" : "them");
		live = -1;
	}
	if (live < 0) {
		vmfs_dev_close(dev);
		return FSCK_ERROR;
	}
	mo.rdonly = !fix;
	err = vmfs_vol_open(dev, &mo, &vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "fsck.vmfs: %s: %s\n", target, why);
		vmfs_dev_close(dev);
		return FSCK_ERROR;
	}
	rep.want_fixes = fix;
	if (check(target, vol, &rep, json))
		code = FSCK_ERROR;
	else if (!vmfs_check_total(&rep))
		code = FSCK_OK;
	else if (fix)
		code = FSCK_REPAIRING;
	else
		code = FSCK_UNCORRECTED;
	if (!json && code != FSCK_ERROR)
		summary(target, &rep);	/* what was found (before repairing) */
	if (code == FSCK_REPAIRING)
		code = repair(target, vol, &rep, json);	/* says what the second check found */
	if (code == FSCK_OK && recovered)
		code = FSCK_REPAIRED;	/* dead hosts' journals replayed, their slots freed */
	if (fix && !live && (code == FSCK_OK || code == FSCK_REPAIRED))
		code = reap(target, vol, &rep, json, code);
	if (json)
		print_json(target, &rep, code);
	vmfs_check_report_release(&rep);
	vmfs_vol_close(vol);
	vmfs_dev_close(dev);
	return code;
}
