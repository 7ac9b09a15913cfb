/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkfiles - make, check and remove N empty files named f0000000.. in one
 * directory, for the big-directory integration test (t_bigdir.sh, README.md
 * "Tests"). Shell loops are far too slow for 100,000 files.
 *
 * Usage: mkfiles create|verify|delete DIR N
 *   create  creates the files with O_CREAT|O_EXCL
 *   verify  readdir must return exactly the N names, each once, plus "."
 *           and ".."; then 200 names picked at random must stat as empty
 *           regular files and a name past N must not exist
 *   delete  unlinks every file, then checks that the directory is empty
 * Exits 0 on success, 1 with a one-line reason on stderr otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int name_index(const char *name, long n)
{
	char *end;
	long i;

	if (name[0] != 'f' || strlen(name) != 8)
		return -1;
	i = strtol(name + 1, &end, 10);
	if (*end || i < 0 || i >= n)
		return -1;
	return (int)i;
}

static int do_create(int dfd, long n)
{
	char name[32];
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%07ld", i);
		fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY, 0644);
		if (fd < 0) {
			fprintf(stderr, "mkfiles: create %s: %s\n", name, strerror(errno));
			return 1;
		}
		close(fd);
	}
	return 0;
}

/* Lists the directory; @expect_n is how many of 0..n-1 must be present. */
static int check_listing(const char *dir, long n, long expect_n)
{
	unsigned char *seen = calloc(n ? n : 1, 1);
	long count = 0, dots = 0, bad = 0, dup = 0;
	struct dirent *de;
	DIR *d;
	int i, err = 1;

	d = opendir(dir);
	if (!d || !seen) {
		fprintf(stderr, "mkfiles: opendir %s: %s\n", dir, strerror(errno));
		goto out;
	}
	while ((errno = 0, de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			continue;
		}
		i = name_index(de->d_name, n);
		if (i < 0) {
			if (bad++ < 3)
				fprintf(stderr, "mkfiles: unexpected name '%s'\n", de->d_name);
			continue;
		}
		dup += seen[i]++ > 0;
		count++;
	}
	if (errno) {
		fprintf(stderr, "mkfiles: readdir: %s\n", strerror(errno));
		goto out;
	}
	if (count != expect_n || dots != 2 || bad || dup) {
		fprintf(stderr, "mkfiles: readdir returned %ld names (expected %ld), "
			"%ld dot entries, %ld unexpected, %ld duplicates\n",
			count, expect_n, dots, bad, dup);
		goto out;
	}
	err = 0;
out:
	if (d)
		closedir(d);
	free(seen);
	return err;
}

static int do_verify(int dfd, const char *dir, long n)
{
	char name[32];
	struct stat st;
	long i, k;

	if (check_listing(dir, n, n))
		return 1;
	srand((unsigned)time(NULL));
	for (k = 0; k < 200 && n; k++) {
		i = ((long)rand() * 65536 + rand()) % n;
		snprintf(name, sizeof(name), "f%07ld", i);
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
			fprintf(stderr, "mkfiles: stat %s: %s\n", name, strerror(errno));
			return 1;
		}
		if (!S_ISREG(st.st_mode) || st.st_size != 0 || st.st_nlink != 1) {
			fprintf(stderr, "mkfiles: %s: mode %o size %lld nlink %ld\n", name,
				st.st_mode, (long long)st.st_size, (long)st.st_nlink);
			return 1;
		}
	}
	snprintf(name, sizeof(name), "f%07ld", n);
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
		fprintf(stderr, "mkfiles: %s should not exist (%s)\n", name,
			strerror(errno));
		return 1;
	}
	return 0;
}

static int do_delete(int dfd, const char *dir, long n)
{
	char name[32];
	long i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%07ld", i);
		if (unlinkat(dfd, name, 0)) {
			fprintf(stderr, "mkfiles: unlink %s: %s\n", name, strerror(errno));
			return 1;
		}
	}
	return check_listing(dir, n, 0);
}

int main(int argc, char **argv)
{
	long n;
	int dfd, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: mkfiles create|verify|delete DIR N\n");
		return 2;
	}
	n = strtol(argv[3], NULL, 10);
	if (n < 0 || n > 9999999) {
		fprintf(stderr, "mkfiles: N must be 0..9999999\n");
		return 2;
	}
	dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
	if (dfd < 0) {
		fprintf(stderr, "mkfiles: open %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "create"))
		rc = do_create(dfd, n);
	else if (!strcmp(argv[1], "verify"))
		rc = do_verify(dfd, argv[2], n);
	else if (!strcmp(argv[1], "delete"))
		rc = do_delete(dfd, argv[2], n);
	else
		rc = 2;
	close(dfd);
	return rc;
}
