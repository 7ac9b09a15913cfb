// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmfsctl locks: who holds what (docs/LOCKING.md). On an image, a device
 * or a mount point: the volume lock, the resource groups held (each host
 * allocates from its own) and every file whose lock is held,
 * with mode and holders (slot, host name from the heartbeat region). On a
 * file under a mount point: that file's lock, held or not. Read-only; it
 * reads the records as they are on disk at this moment. The listing finds
 * files by their names on disk: a host writes its metadata back right
 * after the file locks it takes (fs/core/cluster.c sync_pending).
 */
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fs/core/lm_dev.h"
#include "fs/core/vol.h"
#include "tools/vmfsctl.h"

struct walk {
	struct vmfs_vol *vol;
	struct lm_disk disk;
	struct lm_slot_info *slots;	/* indexed by slot */
	json_object *arr;		/* --json: the files */
	unsigned held;
	int err;
};

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case VMFS_LOCK_M_EXCL: return "exclusive";
	case VMFS_LOCK_M_RO: return "read-only";
	case VMFS_LOCK_M_MW: return "multi-writer";
	default: return "free";
	}
}

/* The host in @slot if it is still the incarnation @gen, else NULL. */
static const char *host_of(const struct walk *w, unsigned slot, uint32_t gen)
{
	const struct lm_slot_info *s;

	if (slot >= w->vol->vh.host_slots)
		return NULL;
	s = &w->slots[slot];
	if (s->state == LM_SLOT_FREE || (uint32_t)s->hb.generation != gen)
		return NULL;
	return s->hb.host_name;
}

static void print_lock(struct walk *w, const char *what, uint64_t ino, const struct vmfs_lock *lk)
{
	char holders[1024] = "";
	size_t used = 0;
	unsigned i;

	if (w->arr) {
		json_object *o = json_object_new_object(), *h = json_object_new_array();

		json_object_object_add(o, "path", json_object_new_string(what));
		json_object_object_add(o, "ino", json_object_new_int64((int64_t)ino));
		json_object_object_add(o, "mode", json_object_new_string(mode_name(lk->mode)));
		for (i = 0; i < lk->nholders; i++) {
			json_object *x = json_object_new_object();
			const char *name = host_of(w, lk->holders[i].slot, lk->holders[i].hb_gen);

			json_object_object_add(x, "slot", json_object_new_int(lk->holders[i].slot));
			json_object_object_add(x, "host", name ? json_object_new_string(name) : NULL);
			json_object_object_add(x, "host_gone", json_object_new_boolean(!name));
			json_object_array_add(h, x);
		}
		json_object_object_add(o, "holders", h);
		if (lk->want_slot) {
			const char *name = host_of(w, lk->want_slot - 1u, lk->want_gen);

			json_object_object_add(o, "waiting", name ? json_object_new_string(name) : NULL);
		}
		json_object_array_add(w->arr, o);
		return;
	}
	for (i = 0; i < lk->nholders && used < sizeof(holders) - 64; i++) {
		const char *name = host_of(w, lk->holders[i].slot, lk->holders[i].hb_gen);

		used += (size_t)snprintf(holders + used, sizeof(holders) - used, "%s%s (slot %u)",
					 i ? ", " : "", name ? name : "a host that is gone",
					 lk->holders[i].slot);
	}
	if (lk->want_slot && used < sizeof(holders) - 64) {
		const char *name = host_of(w, lk->want_slot - 1u, lk->want_gen);

		snprintf(holders + used, sizeof(holders) - used, "; waiting: %s",
			 name ? name : "a host that is gone");
	}
	printf("%-40s %-12s %s\n", what, mode_name(lk->mode), lk->nholders ? holders : "-");
}

static int show_one(struct walk *w, const char *path, uint64_t ino, bool always)
{
	struct vmfs_lock lk;
	uint8_t raw[VMFS_LOCK_BYTES * 8];
	int err;

	err = lm_lock_read(&w->disk, w->vol->vh.hdr.uuid, ino - 1, &lk, raw);
	if (err) {
		fprintf(stderr, "vmfsctl: the lock of %s is unreadable: %s\n", path,
			strerror(-err));
		return err;
	}
	if (always || lk.mode != VMFS_LOCK_M_FREE) {
		print_lock(w, path, ino, &lk);
		w->held += lk.mode != VMFS_LOCK_M_FREE;
	}
	return 0;
}

/* The lock of every initialised resource group that a host holds. */
static int show_groups(struct walk *w)
{
	uint8_t raw[VMFS_LOCK_BYTES * 8];
	struct vmfs_lock lk;
	char what[64];
	uint64_t rg;
	int err;

	for (rg = 0; rg < w->vol->vh.rg_count; rg++) {
		err = vmfs_rg_load(w->vol, rg);
		if (err)
			return err;
		if (!w->vol->rgs[rg].init)
			continue;	/* never used: its lock record was never written */
		err = lm_lock_read(&w->disk, w->vol->vh.hdr.uuid,
				   vmfs_rg_lock_blk(&w->vol->vh, rg), &lk, raw);
		if (err)
			return err;
		if (lk.mode == VMFS_LOCK_M_FREE)
			continue;
		snprintf(what, sizeof(what), "(resource group %llu)", (unsigned long long)rg);
		print_lock(w, what, 0, &lk);
	}
	return 0;
}

/* Every file under directory @ino (whose path is @path). */
static int walk_dir(struct walk *w, uint64_t ino, char *path, size_t plen)
{
	struct vmfs_inode *dp;
	struct vmfs_dirent de;
	uint64_t key = VMFS_DIR_KEY_MIN;
	int err;

	err = vmfs_inode_get(w->vol, ino, &dp);
	if (err)
		return err;
	dp->nopen++;	/* keep it while children come and go */
	for (;;) {
		err = vmfs_dir_next(w->vol, dp, key, &de);
		if (err)
			break;
		key = de.key + 1;
		if (plen + 1 + de.namelen >= PATH_MAX)
			continue;
		snprintf(path + plen, PATH_MAX - plen, "/%s", de.name);
		if (de.type == (S_IFDIR >> 12))
			err = walk_dir(w, de.ino, path, plen + 1 + de.namelen);
		else
			err = show_one(w, path, de.ino, false);
		path[plen] = 0;
		if (err)
			break;
	}
	dp->nopen--;
	vmfs_inode_forget(w->vol, dp);
	return err == -ENOENT ? 0 : err;
}

int cmd_locks(const char *arg, bool json)
{
	struct vmfs_mount_opts mo = { .rdonly = true, .no_host_lock = true, .cache_bufs = 4096 };
	char target[PATH_MAX], real[PATH_MAX], why[256], path[PATH_MAX] = "";
	const char *inside = NULL;
	struct vmfs_dev_opts dopts = { .backend = VMFS_DEV_FILE, .flags = VMFS_DEV_F_RDONLY };
	struct walk w = { 0 };
	struct vmfs_dev *dev = NULL;
	struct vmfs_lock vl;
	struct lm_hb hb;
	struct stat st;
	unsigned n = 0, i;
	uint64_t ino = 0;
	uint8_t raw[VMFS_LOCK_BYTES * 8];
	json_object *top = NULL;
	int err, ret = 1;

	/*
	 * A file under a mount point (its inode number is its descriptor's
	 * address), or else an image, device or mount point.
	 */
	if (stat(arg, &st) == 0 && realpath(arg, real) &&
	    find_mount(real, target, sizeof(target), &inside) == 0 && *inside) {
		ino = (uint64_t)st.st_ino;
		err = vmfs_dev_open(target, &dopts, &dev);
		if (err) {
			fprintf(stderr, "vmfsctl: cannot open %s: %s\n", target, strerror(-err));
			return 1;
		}
	} else {
		inside = NULL;
		if (open_target(arg, target, sizeof(target), &dev))
			return 1;
	}
	err = vmfs_vol_open(dev, &mo, &w.vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "vmfsctl: %s: %s\n", target, why);
		goto out_dev;
	}
	vmfs_lm_disk(dev, &w.disk);
	w.slots = calloc(w.vol->vh.host_slots, sizeof(*w.slots));
	if (!w.slots || vmfs_lm_hb_init(&hb, &w.disk, &w.vol->vh, 0))
		goto out_vol;
	{
		struct lm_slot_info *list = calloc(w.vol->vh.host_slots, sizeof(*list));

		err = list ? lm_hb_scan(&hb, list, w.vol->vh.host_slots, &n) : -ENOMEM;
		for (i = 0; !err && i < n; i++)
			if (list[i].slot < w.vol->vh.host_slots)
				w.slots[list[i].slot] = list[i];
		free(list);
	}
	lm_hb_destroy(&hb);
	if (err) {
		fprintf(stderr, "vmfsctl: reading heartbeats of %s failed: %s\n", target,
			strerror(-err));
		goto out_vol;
	}
	if (json) {
		top = json_object_new_object();
		w.arr = json_object_new_array();
	} else {
		printf("%-40s %-12s %s\n", "FILE", "MODE", "HOLDERS");
	}
	pthread_mutex_lock(&w.vol->lock);
	if (inside) {
		err = ino == 1 ? -EISDIR : show_one(&w, inside, ino, true);	/* 1: the root */
		if (err == -EISDIR)
			fprintf(stderr, "vmfsctl: %s: a mount point, not a file\n", arg);
	} else {
		err = lm_lock_read(&w.disk, w.vol->vh.hdr.uuid, VMFS_VOLLOCK_BLK, &vl, raw);
		if (!err)
			print_lock(&w, "(volume lock)", 0, &vl);
		if (!err)
			err = show_groups(&w);
		if (!err)
			err = walk_dir(&w, w.vol->vh.root_ino, path, 0);
		if (err)
			fprintf(stderr, "vmfsctl: walking %s failed: %s\n", target, strerror(-err));
	}
	pthread_mutex_unlock(&w.vol->lock);
	if (json) {
		json_object_object_add(top, "target", json_object_new_string(target));
		json_object_object_add(top, "locks", w.arr);
		print_json(top);
		json_object_put(top);
	}
	ret = err ? 1 : 0;
out_vol:
	free(w.slots);
	vmfs_vol_close(w.vol);
out_dev:
	vmfs_dev_close(dev);
	return ret;
}
