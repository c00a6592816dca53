// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pindir.c - the pin directory: bpffs, lock, left-behind hooks; see pindir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/magic.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "pindir.h"

/* mkdir -p */
static int make_dirs(const char *path)
{
	char buf[PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p && *p != '/')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0700) && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*p = c;
	}
}

int pindir_prepare(const char *dir)
{
	char parent[PATH_MAX];
	struct statfs st;
	char *slash;
	int err;

	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent) {
		pr_err("pin-path=%s: must be a directory below a bpffs mount, like /sys/fs/bpf/bpfdns", dir);
		return -EINVAL;
	}
	*slash = '\0';
	err = make_dirs(parent);
	if (!err && statfs(parent, &st))
		err = -errno;
	if (!err && st.f_type != BPF_FS_MAGIC) {
		if (mount("bpf", parent, "bpf", 0, "mode=0700"))
			err = -errno;
		else
			pr_info("mounted a bpffs on %s", parent);
	}
	if (!err && mkdir(dir, 0700) && errno != EEXIST)
		err = -errno;
	if (err == -EPERM && strchr(slash + 1, '.'))
		pr_err("pin-path=%s: cannot prepare it: a bpffs name cannot contain '.'", dir);
	else if (err)
		pr_err("pin-path=%s: cannot prepare it on a bpffs: %s", dir, strerror(-err));
	return err;
}

/* Can group gid's members (not root) pass through every directory above dir? */
static int reachable(const char *dir, gid_t gid)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
	for (char *slash; (slash = strrchr(path, '/')) && slash > path;) {
		*slash = '\0';
		if (stat(path, &st) || !(st.st_mode & (st.st_gid == gid ? S_IXGRP : S_IXOTH)))
			return 0;
	}
	return 1;
}

void pindir_share(const char *dir, long gid)
{
	gid_t g = gid >= 0 ? (gid_t)gid : 0;
	const char *failed = NULL;
	struct dirent *de;
	struct stat st;
	DIR *d;

	/* no group, none before: nothing to take back */
	if (gid < 0 && !stat(dir, &st) && !(st.st_mode & 077) && !st.st_gid)
		return;
	d = opendir(dir);

	if (!d || fchown(dirfd(d), (uid_t)-1, g) || fchmod(dirfd(d), gid >= 0 ? 0710 : 0700))
		failed = ".";
	while (d && !failed && (de = readdir(d)))
		if (de->d_name[0] != '.' && (fchownat(dirfd(d), de->d_name, (uid_t)-1, g, 0) ||
					      fchmodat(dirfd(d), de->d_name, gid >= 0 ? 0640 : 0600, 0)))
			failed = de->d_name;
	if (failed)
		pr_warn("control-group: cannot set who may read %s/%s: %s", dir, failed, strerror(errno));
	else if (gid >= 0 && !reachable(dir, g))
		pr_warn("control-group: a directory above %s keeps the group out (systemd mounts /sys/fs/bpf 0700): "
			"its members get statistics, but not dump and lookup, until it lets them through (o+x)",
			dir);
	if (d)
		closedir(d);
}

/* The PID holding a flock on the file st names, from /proc/locks; 0 if none found. */
static int lock_holder(const struct stat *st)
{
	char line[256];
	FILE *f = fopen("/proc/locks", "re");
	int pid = 0;

	if (!f)
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		unsigned maj, min;
		unsigned long ino;
		int p;

		/* "1: FLOCK  ADVISORY  WRITE 1234 00:2a:5678 0 EOF" */
		if (sscanf(line, "%*d: FLOCK %*s %*s %d %x:%x:%lu", &p, &maj, &min, &ino) == 4 &&
		    maj == major(st->st_dev) && min == minor(st->st_dev) && ino == st->st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

int pindir_lock(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), err;
	struct stat st;

	if (fd < 0) {
		err = -errno;
		pr_err("pin-path=%s: cannot open it to lock it: %s", dir, strerror(-err));
		return err;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	err = -errno;
	if (err == -EWOULDBLOCK) {
		int pid = !fstat(fd, &st) ? lock_holder(&st) : 0;

		pr_err("pin-path=%s is in use by another bpfdnsd%s%.0d%s: stop it, or give this one its own "
		       "pin-path= and control-socket=", dir, pid ? " (pid " : "", pid, pid ? ")" : "");
		err = -EBUSY;
	} else {
		pr_err("pin-path=%s: cannot lock it: %s", dir, strerror(-err));
	}
	close(fd);
	return err;
}

/* The program id of our TC filter (our handle and priority) on ifindex;
 * 0: none there. */
static __u32 our_tc_prog(int ifindex)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FASTPATH_TC_HANDLE, .priority = FASTPATH_TC_PRIO);
	int err;

	log_libbpf_quiet(1); /* most interfaces have no such filter */
	err = bpf_tc_query(&hook, &opts);
	log_libbpf_quiet(0);
	return err ? 0 : opts.prog_id;
}

/* Detach our TC filter from ifindex, which a killed daemon left, saying so. */
static void drop_our_tc(int ifindex, const char *ifname)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FASTPATH_TC_HANDLE, .priority = FASTPATH_TC_PRIO);

	if (bpf_tc_detach(&hook, &opts))
		pr_warn("cannot detach the TC fast path a killed bpfdnsd left on %s", ifname);
	else
		pr_warn("detached the TC fast path a killed bpfdnsd left on %s", ifname);
}

/* Detach our TC filter from ifname when it still runs the program pinned at path. */
static void drop_tc(const char *path, const char *ifname)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	int ifindex = (int)if_nametoindex(ifname);

	if (fd >= 0 && ifindex && !bpf_obj_get_info_by_fd(fd, &info, &len) && our_tc_prog(ifindex) == info.id)
		drop_our_tc(ifindex, ifname);
	if (fd >= 0)
		close(fd);
}

/* Detach the XDP link pinned at path. */
static void drop_xdp(const char *path, const char *ifname)
{
	int fd = bpf_obj_get(path);

	if (fd < 0)
		return;
	if (bpf_link_detach(fd))
		pr_warn("cannot detach the XDP fast path a killed bpfdnsd left on %s: %s", ifname, strerror(errno));
	else
		pr_warn("detached the XDP fast path a killed bpfdnsd left on %s", ifname);
	close(fd);
}

/* 1 when ifname now has our XDP (either mode), or TC (alone or behind XDP). */
static int kept_on(const struct fastpath_hook_info *kept, int n, const char *ifname, int xdp)
{
	for (int i = 0; i < n; i++) {
		int has = xdp ? kept[i].hook != FASTPATH_TC : kept[i].hook == FASTPATH_TC || kept[i].tc_behind;

		if (has && !strcmp(kept[i].name, ifname))
			return 1;
	}
	return 0;
}

/* 1 when prog_id's program uses the map map_id. */
static int prog_uses_map(__u32 prog_id, __u32 map_id)
{
	__u32 ids[64] = { 0 };
	struct bpf_prog_info info = { .nr_map_ids = 64, .map_ids = (__u64)(unsigned long)ids };
	__u32 len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(prog_id), uses = 0;

	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		for (__u32 i = 0; i < info.nr_map_ids && i < 64; i++)
			uses |= ids[i] == map_id;
	close(fd);
	return uses;
}

/*
 * TC filters of ours (handle, priority) whose program uses this pin
 * directory's counters map, on interfaces no hook now holds: a killed
 * daemon of these pins left them without a pin (as user=, later
 * interfaces cannot be pinned). Another daemon's filters use other maps.
 */
static void drop_unpinned_tc(const char *dir, const struct fastpath_hook_info *kept, int n)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	struct if_nameindex *all;
	int fd;

	if (snprintf(path, sizeof(path), "%s/counters", dir) >= (int)sizeof(path) || (fd = bpf_obj_get(path)) < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) || !(all = if_nameindex())) {
		close(fd);
		return;
	}
	close(fd);
	for (const struct if_nameindex *x = all; x->if_index; x++) {
		__u32 prog;

		if (kept_on(kept, n, x->if_name, 0))
			continue;
		prog = our_tc_prog((int)x->if_index);
		if (prog && prog_uses_map(prog, info.id))
			drop_our_tc((int)x->if_index, x->if_name);
	}
	if_freenameindex(all);
}

void pindir_drop_orphans(const char *dir, const struct fastpath_hook_info *kept, int n)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t xl = strlen(PINDIR_XDP_LINK), tl = strlen(PINDIR_TC_PROG);
		int xdp = !strncmp(de->d_name, PINDIR_XDP_LINK, xl), tc = !strncmp(de->d_name, PINDIR_TC_PROG, tl);
		const char *name = de->d_name + (xdp ? xl : tl);
		char path[PATH_MAX];

		if (!xdp && !tc)
			continue;
		/* what a hook now attached took over in place stays */
		if (kept_on(kept, n, name, xdp))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (xdp)
			drop_xdp(path, name);
		else
			drop_tc(path, name);
		unlink(path);
	}
	closedir(d);
	drop_unpinned_tc(dir, kept, n);
}
