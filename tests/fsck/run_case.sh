#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One fsck regression case (README.md "Tests", suite fsck), in the manner of
# e2fsprogs' tests: CASE/image.gz is a small volume with one kind of damage
# (made by make_cases.sh with tools/vmfs-corrupt); fsck.vmfs -y runs on it
# twice, and each run's output and exit code must be exactly CASE/expect.1
# and CASE/expect.2 (a repairing run, then a clean one).
# usage: run_case.sh CASE_DIR   (VMFS_BUILD: the build directory)
set -euo pipefail
case_dir=$(cd "$1" && pwd)
fsck=${VMFS_BUILD:?VMFS_BUILD is not set}/fsck/fsck.vmfs
work=$(mktemp -d "${TMPDIR:-/tmp}/vmfs-fsck-case.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
gzip -dc "$case_dir/image.gz" >image
fail=0
for run in 1 2; do
	rc=0
	"$fsck" -y image >out 2>&1 || rc=$?
	echo "exit $rc" >>out
	if ! diff -u "$case_dir/expect.$run" out; then
		echo "$(basename "$case_dir"): run $run differs from expect.$run"
		fail=1
	fi
done
exit $fail
