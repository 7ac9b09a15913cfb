// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes on command lines: "64T", "1M", "4096" (binary suffixes K M G T P E,
 * optional "iB"/"B"), shared by mkfs.vmfs and vmfsctl.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs/core/size.h"

int vmfs_parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	unsigned long long v;
	const char *u;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (!strcmp(end, "iB") || !strcmp(end, "B"))
			end += strlen(end);
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

void vmfs_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 6) {
		v /= 1024;
		i++;
	}
	/* Exact multiples print as integers ("1 MiB"), others with one decimal. */
	if (bytes == (uint64_t)v << (10 * i))
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[i]);
	else
		snprintf(buf, len, "%.1f %s", v, units[i]);
}
