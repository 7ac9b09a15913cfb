// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mount.vmfs: the multithreaded FUSE daemon (low-level API) serving one
 * host's view of a volume. Invoked directly or by mount(8) as
 * "mount.vmfs SPEC DIR [-sfnv] [-o options]". The volume is opened and
 * checked before daemonizing, so a bad target fails the command with a
 * one-line reason. A flusher thread writes metadata back every few seconds.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "fs/fuse/fs.h"

#define FLUSH_INTERVAL_S 5

struct mount_opts {
	const char *target, *mountpoint;
	bool foreground, debug, single_thread;
	bool rdonly, allow_other, direct;
	enum vmfs_dev_backend backend;
	unsigned max_threads, max_idle;
	uint32_t lease_ms;		/* 0: the volume's default */
	char host[VMFS_HOSTNAME_MAX + 1];
	char fuse_extra[1024];		/* options passed through to libfuse */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mount.vmfs TARGET MOUNTPOINT [-f] [-d] [-s] [-o OPTION[,OPTION...]]\n"
		"  TARGET      image file or block device holding a vmfs volume\n"
		"  -f          stay in the foreground\n"
		"  -d          debug: foreground, log every FUSE request\n"
		"  -s          single-threaded request loop\n"
		"options:\n"
		"  ro|rw             read-only or read-write (default rw)\n"
		"  allow_other       let other users use the mount (permissions enforced)\n"
		"  host=NAME         host identity on the volume (default: the host name)\n"
		"  lease=MS          heartbeat lease in milliseconds (default: the volume's, 8000)\n"
		"  direct            O_DIRECT on the backing device, no host page cache (default)\n"
		"  cached            use the host page cache for the backing device\n"
		"  backend=B         device backend: auto, uring, aio, file (default auto)\n"
		"  max_threads=N     most request threads (default 64)\n"
		"  max_idle_threads=N  idle request threads kept (default 32)\n"
		"  nosuid,nodev,noexec,suid,dev,exec,sync,async,noatime,atime  as mount(8)\n");
}

static void fuse_opt_add(struct mount_opts *m, const char *o)
{
	size_t len = strlen(m->fuse_extra);

	snprintf(m->fuse_extra + len, sizeof(m->fuse_extra) - len, "%s%s", len ? "," : "", o);
}

/* Parse one comma-separated -o list; returns 0 or -1 after printing why. */
static int parse_o(struct mount_opts *m, char *list)
{
	static const char *const passthrough[] = { "nosuid", "nodev", "noexec", "suid", "dev",
		"exec", "sync", "async", "dirsync", "noatime", "atime", NULL };
	static const char *const ignored[] = { "rw", "defaults", "auto", "noauto", "user",
		"nouser", "relatime", "norelatime", "_netdev", "nofail", "loop", NULL };
	char *save = NULL, *o;
	int i;

	for (o = strtok_r(list, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool done = false;

		if (!strcmp(o, "ro")) {
			m->rdonly = true;
			continue;
		}
		if (!strcmp(o, "allow_other")) {
			m->allow_other = true;
			continue;
		}
		if (!strcmp(o, "direct") || !strcmp(o, "cached")) {
			m->direct = !strcmp(o, "direct");
			continue;
		}
		if (!strncmp(o, "host=", 5)) {
			if (!o[5] || strlen(o + 5) > VMFS_HOSTNAME_MAX) {
				fprintf(stderr, "mount.vmfs: host name '%s' must be 1..%d bytes\n",
					o + 5, VMFS_HOSTNAME_MAX);
				return -1;
			}
			snprintf(m->host, sizeof(m->host), "%s", o + 5);
			continue;
		}
		if (!strncmp(o, "max_threads=", 12) || !strncmp(o, "max_idle_threads=", 17)) {
			char *v = strchr(o, '=') + 1, *end;
			long n = strtol(v, &end, 10);

			if (*end || n < 1 || n > 1024) {
				fprintf(stderr, "mount.vmfs: %s must be a number from 1 to 1024\n", o);
				return -1;
			}
			if (o[4] == 'i')
				m->max_idle = (unsigned)n;
			else
				m->max_threads = (unsigned)n;
			continue;
		}
		if (!strncmp(o, "lease=", 6)) {
			char *end;
			long n = strtol(o + 6, &end, 10);

			if (*end || n < 1000 || n > 600000) {
				fprintf(stderr, "mount.vmfs: lease '%s' must be 1000..600000 ms\n", o + 6);
				return -1;
			}
			m->lease_ms = (uint32_t)n;
			continue;
		}
		if (!strncmp(o, "backend=", 8)) {
			if (vmfs_dev_backend_parse(o + 8, &m->backend)) {
				fprintf(stderr, "mount.vmfs: unknown backend '%s' "
					"(auto, uring, aio, file)\n", o + 8);
				return -1;
			}
			continue;
		}
		for (i = 0; passthrough[i] && !done; i++)
			if (!strcmp(o, passthrough[i])) {
				fuse_opt_add(m, o);
				done = true;
			}
		for (i = 0; ignored[i] && !done; i++)
			done = !strcmp(o, ignored[i]);
		if (!done) {
			fprintf(stderr, "mount.vmfs: unknown mount option '%s'\n", o);
			return -1;
		}
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct mount_opts *m)
{
	int c;

	memset(m, 0, sizeof(*m));
	m->direct = true;	/* a shared LUN must not be cached by the host */
	m->max_threads = 64;
	m->max_idle = 32;	/* at least a VM queue depth: no thread churn */
	if (gethostname(m->host, sizeof(m->host) - 1))
		snprintf(m->host, sizeof(m->host), "localhost");
	while ((c = getopt(argc, argv, "fdsnvho:")) != -1) {
		switch (c) {
		case 'f': m->foreground = true; break;
		case 'd': m->foreground = m->debug = true; break;
		case 's': m->single_thread = true; break;
		case 'n': case 'v': break;	/* mount(8): no mtab, verbose */
		case 'o':
			if (parse_o(m, optarg))
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return -1;
	}
	m->target = argv[optind];
	m->mountpoint = argv[optind + 1];
	return 0;
}

static const struct fuse_lowlevel_ops vmfs_ops;

static void *flusher_main(void *arg)
{
	struct vmfs_fs *fs = arg;

	pthread_mutex_lock(&fs->stop_mu);
	while (!fs->stopping) {
		lm_cond_wait_ms(&fs->stop_cv, &fs->stop_mu, FLUSH_INTERVAL_S * 1000);
		if (fs->stopping)
			break;
		pthread_mutex_unlock(&fs->stop_mu);
		if (vmfs_vol_sync(fs->vol) && !fs_fenced(fs))
			syslog(LOG_ERR, "background metadata write-back failed");
		pthread_mutex_lock(&fs->stop_mu);
	}
	pthread_mutex_unlock(&fs->stop_mu);
	return NULL;
}

/* vol->write_gate: writes stop before our lease can run out, and for good once fenced. */
static int write_gate(void *arg)
{
	struct vmfs_fs *fs = arg;

	if (lm_hb_may_write(&fs->hb))
		return 0;
	if (fs->hb.fenced && !fs->fence_logged) {
		fs->fence_logged = true;
		/* A daemon's stderr is /dev/null: say it in the system log too. */
		syslog(LOG_ERR, "heartbeat slot %d of host %s was taken by another host; this host "
		       "is fenced: every operation fails with EIO until unmount", fs->hb.slot,
		       fs->hb.mine.host_name);
		fprintf(stderr, "mount.vmfs: heartbeat slot %d was taken by another host; this "
			"host is fenced: every operation fails with EIO until unmount\n", fs->hb.slot);
	}
	return -EIO;
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct vmfs_fs *fs = userdata;

	conn->max_write = 1u << 20;
	conn->max_read = 1u << 20;
	conn->max_readahead = 1u << 20;
	/* Async direct I/O from a VM runs at queue depths well above 12 (the default). */
	conn->max_background = 128;
	conn->congestion_threshold = 96;
	if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV)
		conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	if (conn->capable & FUSE_CAP_ASYNC_DIO)
		conn->want |= FUSE_CAP_ASYNC_DIO;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS;
	if (!fs->rdonly && pthread_create(&fs->flusher, NULL, flusher_main, fs) == 0)
		fs->flusher_started = true;
	/* Threads start here, after fuse_daemonize() forked. */
	if (fs->hb_joined && lm_hb_start_renewer(&fs->hb))
		fprintf(stderr, "mount.vmfs: cannot start the heartbeat thread\n");
	/* From here on, metadata is shared with the other hosts (fs/core/cluster.c). */
	if (fs->hb_joined && vmfs_cluster_start(fs->vol, &fs->hb)) {
		/* Writing without handing the volume lock over would stall every other host. */
		fs->vol->rdonly = fs->vol->ro_watch = true;
		syslog(LOG_ERR, "cannot start the volume lock keeper; serving read-only");
		fprintf(stderr, "mount.vmfs: cannot start the volume lock keeper; serving "
			"read-only\n");
	} else if (fs->hb_joined) {
		vmfs_cluster_journal_start(fs->vol);	/* logs why it could not */
	}
}

static void op_destroy(void *userdata)
{
	struct vmfs_fs *fs = userdata;

	pthread_mutex_lock(&fs->stop_mu);
	fs->stopping = true;
	pthread_cond_signal(&fs->stop_cv);
	pthread_mutex_unlock(&fs->stop_mu);
	if (fs->flusher_started)
		pthread_join(fs->flusher, NULL);
	fs->flusher_started = false;
}

static const struct fuse_lowlevel_ops vmfs_ops = {
	.init = op_init,
	.destroy = op_destroy,
	.lookup = vmfs_op_lookup,
	.forget = vmfs_op_forget,
	.forget_multi = vmfs_op_forget_multi,
	.getattr = vmfs_op_getattr,
	.setattr = vmfs_op_setattr,
	.readlink = vmfs_op_readlink,
	.mknod = vmfs_op_mknod,
	.mkdir = vmfs_op_mkdir,
	.unlink = vmfs_op_unlink,
	.rmdir = vmfs_op_rmdir,
	.symlink = vmfs_op_symlink,
	.rename = vmfs_op_rename,
	.link = vmfs_op_link,
	.open = vmfs_op_open,
	.read = vmfs_op_read,
	.write = vmfs_op_write,
	.release = vmfs_op_release,
	.fsync = vmfs_op_fsync,
	.opendir = vmfs_op_opendir,
	.readdir = vmfs_op_readdir,
	.readdirplus = vmfs_op_readdirplus,
	.releasedir = vmfs_op_releasedir,
	.fsyncdir = vmfs_op_fsyncdir,
	.statfs = vmfs_op_statfs,
	.setxattr = vmfs_op_setxattr,
	.getxattr = vmfs_op_getxattr,
	.listxattr = vmfs_op_listxattr,
	.removexattr = vmfs_op_removexattr,
	.create = vmfs_op_create,
	.fallocate = vmfs_op_fallocate,
	.lseek = vmfs_op_lseek,
	.copy_file_range = vmfs_op_copy_file_range,
};

/* Write metadata back, free our heartbeat slot, close. Returns 0 or -1. */
static int close_volume(struct vmfs_fs *fs)
{
	int ret = 0;

	if (fs->vol && vmfs_cluster_stop(fs->vol) && !fs_fenced(fs)) {
		fprintf(stderr, "mount.vmfs: handing the volume over at unmount failed\n");
		ret = -1;
	}
	if (fs->vol && vmfs_vol_close(fs->vol) && !fs_fenced(fs)) {
		fprintf(stderr, "mount.vmfs: writing metadata back at unmount failed\n");
		ret = -1;
	}
	fs->vol = NULL;
	if (fs->hb_joined) {
		if (lm_hb_leave(&fs->hb))
			fprintf(stderr, "mount.vmfs: could not free heartbeat slot %d\n", fs->hb.slot);
		lm_hb_destroy(&fs->hb);
		fs->hb_joined = false;
	}
	if (fs->dev)
		vmfs_dev_close(fs->dev);
	fs->dev = NULL;
	return ret;
}

static int open_volume(const struct mount_opts *m, struct vmfs_fs *fs)
{
	struct vmfs_dev_opts dopts = { .backend = m->backend };
	struct vmfs_mount_opts vopts = { .rdonly = m->rdonly, .no_host_lock = true };
	uint8_t host_uuid[16];
	char why[256];
	int err;

	dopts.flags = (m->direct ? VMFS_DEV_F_DIRECT : 0) | (m->rdonly ? VMFS_DEV_F_RDONLY : 0);
	err = vmfs_dev_open(m->target, &dopts, &fs->dev);
	if (err) {
		fprintf(stderr, "mount.vmfs: cannot open %s: %s\n", m->target, strerror(-err));
		return -1;
	}
	err = vmfs_vol_open(fs->dev, &vopts, &fs->vol, why, sizeof(why));
	if (err) {
		fprintf(stderr, "mount.vmfs: %s: %s\n", m->target, why);
		vmfs_dev_close(fs->dev);
		return -1;
	}
	/* mkfs.vmfs on this machine sees that the device is mounted. */
	if (vmfs_vol_mark_in_use(fs->vol, why, sizeof(why))) {
		fprintf(stderr, "mount.vmfs: %s: %s\n", m->target, why);
		close_volume(fs);
		return -1;
	}
	/* Read-only mounts follow what the writers change (fs/core/cluster.c). */
	fs->vol->ro_watch = m->rdonly;
	/* Read-write mounts heartbeat under their host name (docs/LOCKING.md). */
	if (!m->rdonly) {
		vmfs_lm_disk(fs->dev, &fs->disk);
		uuid_generate(host_uuid);
		err = vmfs_lm_hb_init(&fs->hb, &fs->disk, &fs->vol->vh, m->lease_ms);
		/* A slot left by a crash: its journal is replayed before we claim it. */
		fs->hb.recover_hook = vmfs_recover_slot_hook;
		fs->hb.recover_arg = fs->vol;
		if (!err)
			err = lm_hb_join(&fs->hb, m->host, host_uuid, why, sizeof(why));
		else
			snprintf(why, sizeof(why), "cannot set up heartbeats: %s", strerror(-err));
		if (!err) {
			fs->hb_joined = true;
			fs->vol->write_gate = write_gate;
			fs->vol->gate_arg = fs;
		}
		if (err) {
			fprintf(stderr, "mount.vmfs: %s: %s\n", m->target, why);
			close_volume(fs);
			return -1;
		}
	}
	fs->rdonly = m->rdonly;
	fs->attr_timeout = 1.0;	/* names and attributes alike (fs_timeout) */
	pthread_mutex_init(&fs->stop_mu, NULL);
	lm_cond_init_monotonic(&fs->stop_cv);
	return 0;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lcfg = NULL;
	struct fuse_session *se = NULL;
	struct mount_opts m;
	struct vmfs_fs fs;
	char opts[PATH_MAX + 2048], real_target[PATH_MAX];
	int ret = 1;

	memset(&fs, 0, sizeof(fs));
	openlog("mount.vmfs", LOG_PID, LOG_DAEMON);
	if (parse_args(argc, argv, &m))
		return 1;
	if (!realpath(m.target, real_target))
		snprintf(real_target, sizeof(real_target), "%s", m.target);
	if (open_volume(&m, &fs))
		return 1;
	snprintf(opts, sizeof(opts), "fsname=%s,subtype=vmfs,default_permissions,max_read=%u%s%s%s%s",
		 real_target, 1u << 20, m.allow_other ? ",allow_other" : "", m.rdonly ? ",ro" : "",
		 m.fuse_extra[0] ? "," : "", m.fuse_extra);
	if (fuse_opt_add_arg(&args, argv[0]) || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, opts) || (m.debug && fuse_opt_add_arg(&args, "-d")))
		goto out_vol;
	se = fuse_session_new(&args, &vmfs_ops, sizeof(vmfs_ops), &fs);
	if (!se) {
		fprintf(stderr, "mount.vmfs: cannot create the FUSE session\n");
		goto out_vol;
	}
	if (fuse_set_signal_handlers(se))
		goto out_se;
	if (fuse_session_mount(se, m.mountpoint)) {
		fprintf(stderr, "mount.vmfs: cannot mount on %s\n", m.mountpoint);
		goto out_sig;
	}
	if (fuse_daemonize(m.foreground))
		goto out_unmount;
	if (m.single_thread) {
		ret = fuse_session_loop(se) ? 1 : 0;
	} else {
		lcfg = fuse_loop_cfg_create();
		if (!lcfg)
			goto out_unmount;
		fuse_loop_cfg_set_clone_fd(lcfg, 0);
		fuse_loop_cfg_set_max_threads(lcfg, m.max_threads);
		fuse_loop_cfg_set_idle_threads(lcfg, m.max_idle);
		ret = fuse_session_loop_mt(se, lcfg) ? 1 : 0;
		fuse_loop_cfg_destroy(lcfg);
	}
out_unmount:
	fuse_session_unmount(se);
out_sig:
	fuse_remove_signal_handlers(se);
out_se:
	fuse_session_destroy(se);
out_vol:
	fuse_opt_free_args(&args);
	if (close_volume(&fs))
		ret = 1;
	return ret;
}
