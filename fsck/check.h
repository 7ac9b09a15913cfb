/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The consistency check behind fsck.vmfs, as a library so that tests can
 * run it after any workload: passes over the volume header, resource
 * groups, descriptors with their extent / directory / xattr trees,
 * directory entries and link counts, and bitmaps against what the files
 * claim. Each problem is a named entry of one table (problems.c), with
 * its repair (repair.c).
 */
#ifndef VMFS_FSCK_CHECK_H
#define VMFS_FSCK_CHECK_H

#include <stdio.h>

#include "fs/core/vol.h"

enum vmfs_problem {
	PR_HDR_BACKUP,		/* backup header missing or different */
	PR_HB_UNREADABLE,	/* a heartbeat slot that does not decode */
	PR_LOCK_UNREADABLE,	/* a lock record that does not decode */
	PR_RG_UNREADABLE,	/* group header or bitmap unreadable */
	PR_DESC_UNREADABLE,	/* a directory entry points at a bad descriptor */
	PR_DIRENT_TYPE,		/* entry type differs from the descriptor's mode */
	PR_DIR_UNREADABLE,	/* directory tree unreadable */
	PR_DIR_COUNT,		/* nentries differs from the entries found */
	PR_DIR_PARENT,		/* a directory's parent field is not where it is linked */
	PR_DIR_LINKED_TWICE,	/* a directory has more than one name */
	PR_NLINK,		/* link count differs from the names found */
	PR_TREE_UNREADABLE,	/* extent or xattr tree unreadable */
	PR_EXTENT_OUTSIDE,	/* extent outside the data area */
	PR_ALLOC_COUNT,		/* alloc_mblocks differs from the extents */
	PR_SIZE,		/* a file's size short of its written data, or too big */
	PR_BLOCK_TWICE,		/* an mblock claimed twice */
	PR_BLOCK_FREE,		/* an mblock in use but free in the bitmap */
	PR_BLOCK_LEAKED,	/* an mblock used in the bitmap but claimed by nothing */
	PR_RG_FREE_COUNT,	/* a group's free count differs from its bitmap */
	PR_RG_NDESC,		/* a group's descriptor count differs */
	PR_ORPHAN,		/* a descriptor in use that no directory names */
	PR_COUNT
};

struct vmfs_problem_def {
	const char *code;
	const char *what;
	const char *repair;	/* what fsck -p / -y does, or NULL: nothing safe to do */
};

extern const struct vmfs_problem_def vmfs_problems[PR_COUNT];

/*
 * A repair the check found needed (fsck/repair.c), by problem: @a, @b, @c
 * and @name are HDR_BACKUP -; HB_UNREADABLE, LOCK_UNREADABLE the mblock; ALLOC_COUNT, NLINK, DIR_COUNT, DIR_PARENT,
 * SIZE the descriptor and the right value; BLOCK_FREE, BLOCK_LEAKED the first mblock and the
 * length; RG_FREE_COUNT, RG_NDESC the group and the right value;
 * EXTENT_OUTSIDE the file, the extent's logical start and its length;
 * DESC_UNREADABLE, DIR_LINKED_TWICE the directory and the entry's name
 * (and the directory it names); DIRENT_TYPE the
 * directory, the file and the right type, and the name; ORPHAN the
 * descriptor and its link count once named in /lost+found; RG_UNREADABLE
 * the group and either (c = 0) its descriptor count, to rebuild it, or a
 * run [b, b + c) that files claim in it; BLOCK_TWICE the file whose data
 * claims the mblocks [b, b + c) another owner claims too, mapped from its
 * logical mblock @d on, or (c = 0) the file one of whose trees (b as for
 * TREE_UNREADABLE) has a node another owner claims too; TREE_UNREADABLE, DIR_UNREADABLE the descriptor and which of
 * its trees (b = 1 the xattrs, 0 the extent map or entries).
 */
struct vmfs_fix {
	enum vmfs_problem pr;
	uint64_t a, b, c;
	char *name;			/* allocated, or NULL */
	uint64_t d;
};

struct vmfs_check_report {
	uint64_t found[PR_COUNT];
	bool want_fixes;		/* collect the repairs below */
	struct vmfs_fix *fixes;
	size_t nfixes, capfixes;
	bool fixes_lost;		/* out of memory while collecting */
	uint64_t files, dirs, others, used_mblocks, claimed_mblocks;
	/* The hosts' orphan tables that list something (mblocks), for fsck -p to reap. */
	uint64_t *orphan_tables;
	size_t norphan_tables, cap_orphan_tables;
	FILE *out;		/* one line per problem; NULL: silent */
	unsigned max_lines;	/* per problem type, then "... and N more" */
	/* Called now and then with descriptors checked so far and the expected total. */
	void (*progress)(void *arg, uint64_t done, uint64_t total);
	void *progress_arg;
};

/* Check @vol (opened read-only). Returns 0 (see report->found) or an operational error. */
int vmfs_check(struct vmfs_vol *vol, struct vmfs_check_report *rep);
uint64_t vmfs_check_total(const struct vmfs_check_report *rep);
/* Free what a check collected (the repairs, the orphan tables). */
void vmfs_check_report_release(struct vmfs_check_report *rep);

/*
 * repair.c: apply the repairs a check collected (want_fixes) to @vol,
 * opened read-write with no other host using it. Returns the number
 * applied, or a negative errno. Problems with no repair stay.
 */
long vmfs_repair(struct vmfs_vol *vol, const struct vmfs_check_report *rep);

#endif
