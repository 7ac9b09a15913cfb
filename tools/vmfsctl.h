/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the vmfsctl subcommands share (tools/vmfsctl.c). */
#ifndef VMFS_TOOLS_VMFSCTL_H
#define VMFS_TOOLS_VMFSCTL_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "fs/dev/dev.h"

void print_json(json_object *o);
int find_mount(const char *real, char *fsname, size_t flen, const char **inside);
int open_target(const char *arg, char *target, size_t len, struct vmfs_dev **dev);
int cmd_locks(const char *arg, bool json);

#endif
