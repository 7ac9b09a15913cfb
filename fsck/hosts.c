// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hosts of a volume as fsck.vmfs sees them (docs/LOCKING.md): which
 * heartbeat slots belong to live hosts, and, before a repair, the recovery
 * of every host that died without unmounting: its journal replayed and its
 * slot freed, which releases all its locks (stale heartbeats and the locks
 * of dead hosts).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/core/lm_dev.h"
#include "fsck/hosts.h"

#define MAX_WATCH_MS 20000

/*
 * fsck_scan_hosts - the slots in use; with @watch, each is watched for its
 * lease, so that dead hosts are told from live ones (else every slot in use
 * counts as live). *out is allocated. Returns 0 or an error.
 */
int fsck_scan_hosts(struct vmfs_dev *dev, const struct vmfs_volhdr *vh, bool watch,
		    struct lm_slot_info **out, unsigned *n)
{
	struct lm_disk disk;
	struct lm_hb hb;
	struct lm_slot_info *si;
	uint64_t wait = 0;
	unsigned i;
	int err;

	vmfs_lm_disk(dev, &disk);
	err = vmfs_lm_hb_init(&hb, &disk, vh, 0);
	if (err)
		return err;
	si = calloc(vh->host_slots, sizeof(*si));
	err = si ? lm_hb_scan(&hb, si, vh->host_slots, n) : -ENOMEM;
	for (i = 0; !err && watch && i < *n; i++) {
		uint64_t lease = si[i].hb.lease_ms > hb.lease_ms ? si[i].hb.lease_ms : hb.lease_ms;

		if (lease > wait)
			wait = lease;
	}
	if (!err && wait) {
		lm_sleep_ms((wait < MAX_WATCH_MS ? wait : MAX_WATCH_MS) + 100);
		err = lm_hb_scan(&hb, si, vh->host_slots, n);
	}
	lm_hb_destroy(&hb);
	if (err) {
		free(si);
		return err;
	}
	*out = si;
	return 0;
}

/*
 * fsck_recover_host - the host in slot @s is dead: replay its journal,
 * then free its slot with one compare-and-write against what was read.
 * *replayed is the number of blocks written home. Returns 0 or an error
 * (-EILSEQ: the slot changed meanwhile, so the host was not dead).
 */
int fsck_recover_host(struct vmfs_dev *dev, const struct vmfs_volhdr *vh,
		      const struct lm_slot_info *s, uint64_t *replayed)
{
	struct vmfs_heartbeat rec = s->hb;
	struct lm_disk disk;
	uint8_t *raw, *nraw;
	uint64_t off = (vh->hb_start + s->slot) << VMFS_MBLOCK_SHIFT;
	int err;

	err = vmfs_jnl_replay(dev, vh, s->hb.journal_start,
			      vmfs_jnl_txn_mblocks(s->hb.journal_mblocks), NULL, NULL,
			      replayed);
	if (err)
		return err;
	vmfs_lm_disk(dev, &disk);
	raw = calloc(2, disk.sector);
	if (!raw)
		return -ENOMEM;
	nraw = raw + disk.sector;
	err = disk.read(disk.ctx, raw, disk.sector, off);
	if (!err) {
		rec.state = VMFS_HB_FREE;
		rec.recovered_by = 0;
		rec.seq++;
		vmfs_hb_encode(nraw, &rec);
		err = disk.caw(disk.ctx, off, disk.sector, raw, nraw, NULL);
	}
	free(raw);
	return err;
}
