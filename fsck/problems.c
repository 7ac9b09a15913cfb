// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The table of problems fsck.vmfs knows (in the e2fsprogs manner): a stable
 * code, what was found, and the repair fsck -p / -y applies (repair.c), or
 * NULL where this version has none: the problem is then left uncorrected
 * (exit 4). check.h lists them in the same order.
 */
#include "fsck/check.h"

const struct vmfs_problem_def vmfs_problems[PR_COUNT] = {
	[PR_HDR_BACKUP] = { "HDR_BACKUP", "backup volume header missing or different from the primary",
		"rewrite the backup from the primary" },
	[PR_HB_UNREADABLE] = { "HB_UNREADABLE", "heartbeat slot unreadable",
		"rewrite it free (its journal, unknown, is not replayed; its area is freed)" },
	[PR_LOCK_UNREADABLE] = { "LOCK_UNREADABLE", "lock record unreadable",
		"rewrite it free (a repair runs with no host mounted)" },
	[PR_RG_UNREADABLE] = { "RG_UNREADABLE", "resource group header or bitmap unreadable",
		"rebuild the group from the blocks files claim" },
	[PR_DESC_UNREADABLE] = { "DESC_UNREADABLE", "directory entry points at an unreadable descriptor",
		"remove the entry" },
	[PR_DIRENT_TYPE] = { "DIRENT_TYPE", "directory entry type differs from the file's mode",
		"set the entry type from the mode" },
	[PR_DIR_UNREADABLE] = { "DIR_UNREADABLE", "directory tree unreadable",
		"rebuild the tree from the entries that read; the files of those lost go to "
		"/lost+found" },
	[PR_DIR_COUNT] = { "DIR_COUNT", "directory entry count differs from the entries found",
		"set the count" },
	[PR_DIR_PARENT] = { "DIR_PARENT", "directory's parent is not the directory holding it",
		"set the parent" },
	[PR_DIR_LINKED_TWICE] = { "DIR_LINKED_TWICE", "directory has more than one name",
		"remove the extra names" },
	[PR_NLINK] = { "NLINK", "link count differs from the names found", "set the link count" },
	[PR_TREE_UNREADABLE] = { "TREE_UNREADABLE", "extent or xattr tree unreadable",
		"rebuild the tree from the records that read; what was lost becomes a hole "
		"(extents) or is gone (xattrs), its mblocks freed" },
	[PR_EXTENT_OUTSIDE] = { "EXTENT_OUTSIDE", "extent lies outside the data area",
		"remove the extent (a hole)" },
	[PR_ALLOC_COUNT] = { "ALLOC_COUNT", "allocated block count differs from the extents",
		"set the count" },
	[PR_SIZE] = { "SIZE", "file size short of its written data, or past the largest size",
		"set the size to the end of the written data" },
	[PR_BLOCK_TWICE] = { "BLOCK_TWICE", "block claimed by two owners",
		"give the owner that is file data a copy of its own, or rebuild the tree whose node it is" },
	[PR_BLOCK_FREE] = { "BLOCK_FREE", "block in use but free in the bitmap",
		"mark it used" },
	[PR_BLOCK_LEAKED] = { "BLOCK_LEAKED", "block used in the bitmap but owned by nothing",
		"free it" },
	[PR_RG_FREE_COUNT] = { "RG_FREE_COUNT", "group free count differs from its bitmap",
		"set the count" },
	[PR_RG_NDESC] = { "RG_NDESC", "group descriptor count differs from the descriptors found",
		"set the count" },
	[PR_ORPHAN] = { "ORPHAN", "file in use that no directory names",
		"name it #INO in /lost+found" },
};
