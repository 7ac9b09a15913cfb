/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Parsing and printing sizes for the command-line tools (size.c). */
#ifndef VMFS_CORE_SIZE_H
#define VMFS_CORE_SIZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* 0 with *out in bytes, -EINVAL for a malformed size, -ERANGE on overflow. */
int vmfs_parse_size(const char *s, uint64_t *out);
void vmfs_format_size(uint64_t bytes, char *buf, size_t len);

#endif
