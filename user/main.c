// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* main.c - bpfdnsd: options -> fast path -> sockets -> event loop. */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include "cachefile.h"
#include "checks.h"
#include "config.h"
#include "fastpath.h"
#include "ifaces.h"
#include "log.h"
#include "pindir.h"
#include "querylog.h"
#include "sdnotify.h"
#include "server.h"
#include "upstream.h"

static struct server_signals signals;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		signals.reload = 1;
	else if (sig == SIGUSR1)
		signals.dump = 1;
	else if (sig == SIGUSR2)
		signals.reopen = 1;
	else
		signals.stop = 1;
}

static void handle_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Every miss in flight holds a socket per upstream: take all the fds we may. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* The capabilities bpfdnsd keeps as another user: CAP_NET_ADMIN to attach
 * to interfaces that appear and detach TC on a clean stop, CAP_BPF for map
 * access where unprivileged bpf() is off, CAP_NET_BIND_SERVICE to listen
 * on addresses that appear (as dnsmasq keeps it for bind-dynamic).
 * Everything else goes. */
static int keep_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };

	data[CAP_NET_ADMIN / 32].permitted |= 1u << (CAP_NET_ADMIN % 32);
	data[CAP_BPF / 32].permitted |= 1u << (CAP_BPF % 32);
	data[CAP_NET_BIND_SERVICE / 32].permitted |= 1u << (CAP_NET_BIND_SERVICE % 32);
	for (int i = 0; i < 2; i++)
		data[i].effective = data[i].permitted;
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* Empty the bounding set but for what we keep: nothing this process
 * executes can ever get another capability back. */
static int drop_bounding_set(void)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++) {
		if (cap == CAP_NET_ADMIN || cap == CAP_BPF || cap == CAP_NET_BIND_SERVICE)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0L, 0L, 0L) && errno != EINVAL)
			return -errno;
	}
	return 0;
}

/* The pins stay root's: a clean stop detaches the fast path through the
 * link itself (bpf_link_detach), which needs no write access to them, so no
 * process of the user (nobody!) can unlink the cache or the link. */
static int drop_privileges(const char *user, const char *group)
{
	struct passwd *pw = getpwnam(user);
	struct group *gr = group[0] ? getgrnam(group) : NULL;
	int err;

	if (!pw) {
		pr_err("user=%s: no such user", user);
		return -ENOENT;
	}
	if (group[0] && !gr) {
		pr_err("group=%s: no such group", group);
		return -ENOENT;
	}
	/* as dnsmasq: the log file is the run user's, so that SIGUSR2 can
	 * reopen what logrotate creates with its owner copied */
	log_chown(pw->pw_uid, gr ? gr->gr_gid : pw->pw_gid);
	err = drop_bounding_set();
	if (err || prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L)) {
		err = err ?: -errno;
		pr_err("user=%s: cannot drop the capability bounding set: %s", user, strerror(-err));
		return err;
	}
	if (prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) || setgroups(0, NULL) || setgid(gr ? gr->gr_gid : pw->pw_gid) ||
	    setuid(pw->pw_uid)) {
		err = -errno;
		pr_err("cannot become user %s: %s", user, strerror(-err));
		return err;
	}
	err = keep_caps();
	if (err)
		pr_err("user=%s: cannot keep CAP_NET_ADMIN, CAP_BPF and CAP_NET_BIND_SERVICE: %s", user, strerror(-err));
	return err;
}

static int write_pid_file(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		int err = -errno;

		pr_err("cannot write pid-file %s: %s", path, strerror(-err));
		return err;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

/* Options into cfg, with what follows from them; 1: help was printed. */
static int setup_options(struct config *cfg, int argc, char **argv)
{
	int err;

	config_defaults(cfg);
	err = config_parse_args(cfg, argc, argv);
	if (err)
		return err;
	if (cfg->log_facility[0] == '/' && (err = log_use_file(cfg->log_facility))) {
		pr_err("log-facility=%s: %s", cfg->log_facility, strerror(-err));
		return err;
	}
	/* a forked daemon runs from /: a relative name would be read here and
	 * written there */
	if (cfg->cache_file[0] && cfg->cache_file[0] != '/') {
		pr_err("cache-file=%s: give an absolute path", cfg->cache_file);
		return -EINVAL;
	}
	if (cfg->control_group[0]) {
		struct group *gr = getgrnam(cfg->control_group);

		if (!gr) {
			pr_err("control-group=%s: no such group", cfg->control_group);
			return -ENOENT;
		}
		cfg->control_gid = gr->gr_gid;
	}
	if (cfg->verbose)
		log_set_level(LOG_LVL_DEBUG);
	log_route_libbpf(cfg->verbose);
	raise_fd_limit();
	if (acl_allows_remote(&cfg->acl))
		pr_warn("access-control allows sources beyond loopback: make sure only the networks you serve "
			"can reach this resolver");
	return 0;
}

/* The fast path's maps and programs (not attached yet), under its pins. */
static int setup_fastpath(const struct config *cfg, struct fastpath **fp)
{
	struct fastpath_opts fopts = { .cache_entries = cfg->cache_size, .edns_udp_max = cfg->edns_packet_max,
				       .pin_path = cfg->pin_path, .keep_attached = cfg->keep_fast_path,
				       .acl = &cfg->acl, .prefetch_pct = cfg->prefetch_pct,
				       .log_hits = cfg->log_queries != QUERYLOG_OFF };
	int err = checks_fastpath(cfg->attach != FASTPATH_NONE);

	if (!err)
		err = fastpath_open(fp, &fopts);
	if (err)
		return err;
	/* the group's read access, or none (a group given before, dropped) */
	pindir_share(cfg->pin_path, cfg->control_gid);
	/* an earlier run's addresses: ifaces.c adds ours */
	return fastpath_listen_clear(*fp);
}

/* Hooks a killed daemon of these pins left where this one did not
 * attach (it took over the others in place). */
static void drop_orphans(const struct config *cfg, struct fastpath *fp)
{
	int n = fastpath_hooks(fp, NULL, 0);
	struct fastpath_hook_info *on = calloc((size_t)n + 1, sizeof(*on));

	/* without the list, rather leave an orphan than detach ours */
	if (on)
		pindir_drop_orphans(cfg->pin_path, on, fastpath_hooks(fp, on, n));
	free(on);
}

/* "xdp on lo, tc on veth0" into buf: where the fast path is. */
static void hooks_text(struct fastpath *fp, char *buf, size_t size)
{
	struct fastpath_hook_info on[8];
	int all = fp ? fastpath_hooks(fp, on, 8) : 0, n = all < 8 ? all : 8;
	size_t len = 0;

	snprintf(buf, size, "%s", fp ? "not attached" : "off");
	for (int i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s%s on %s", i ? ", " : "",
					fastpath_hook_name(on[i].hook), on[i].tc_behind ? "+tc" : "", on[i].name);
	if (all > 8 && len < size)
		snprintf(buf + len, size - len, ", and %d more", all - 8);
}

/* A cache-file the daemon's user could not write at its stop: said now. */
static void check_cache_file(const struct config *cfg, const struct fastpath *fp)
{
	char dir[PATH_MAX];

	if (!fp) {
		pr_warn("cache-file=%s does nothing with cache-size=0", cfg->cache_file);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", cfg->cache_file);
	if (access(dirname(dir), W_OK))
		pr_warn("cache-file=%s: cannot write in %s (%s): the cache will not be kept at stop",
			cfg->cache_file, dir, strerror(errno));
}

/* Into the background unless -k, a PID file, another user. */
static int settle(const struct config *cfg)
{
	int err;

	if (!cfg->foreground) {
		if (daemon(0, 0)) {
			err = -errno;
			pr_err("cannot daemonize: %s", strerror(-err));
			return err;
		}
		/* log-facility=/path and - were taken at start-up */
		if (!cfg->log_facility[0] || log_facility_code(cfg->log_facility) >= 0)
			log_use_syslog(_PATH_LOG, "bpfdnsd",
				       cfg->log_facility[0] ? log_facility_code(cfg->log_facility) : LOG_DAEMON);
	}
	if (cfg->pid_file[0] && (err = write_pid_file(cfg->pid_file)))
		return err;
	if (cfg->user[0])
		return drop_privileges(cfg->user, cfg->group);
	return 0;
}

int main(int argc, char **argv)
{
	struct fastpath *fp = NULL;
	struct server *srv = NULL;
	struct upstreams *ups = NULL;
	struct config cfg;
	char hooks[160];
	int err;

	/* options, upstreams */
	err = setup_options(&cfg, argc, argv);
	if (err)
		return err > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	/* before user= drops privileges (the socket's directory may be root's);
	 * not for a daemon that forks: systemd hears only its main PID */
	if (cfg.foreground)
		sdnotify_open();
	if (upstreams_load(&ups, &cfg))
		return EXIT_FAILURE;
	/* before any socket or pin: nothing to undo */
	if (ifaces_check(&cfg)) {
		upstreams_put(ups);
		return EXIT_FAILURE;
	}
	for (int i = 0; i < ups->n; i++)
		pr_info("upstream %s", ups->list[i]->name);

	/* the fast path's maps; then sockets and hooks (server.c) */
	err = cfg.cache_size ? setup_fastpath(&cfg, &fp) : 0;
	/* before the hooks and sockets: the kernel answers them at once */
	if (!err && fp && cfg.cache_file[0])
		cachefile_load(cfg.cache_file, fp, &cfg);
	err = err ?: server_open(&srv, &cfg, ups, fp);
	if (!err && fp)
		drop_orphans(&cfg, fp);
	err = err ?: settle(&cfg);
	if (err)
		goto out;
	if (cfg.cache_file[0])
		check_cache_file(&cfg, fp);

	handle_signals();
	hooks_text(fp, hooks, sizeof(hooks));
	pr_info("bpfdnsd ready (cache %u entries, fast path %s)", cfg.cache_size, hooks);
	sdnotify("READY=1\nSTATUS=answering");
	err = server_run(srv, &signals);
	pr_info("stopping");
	sdnotify("STOPPING=1");
	if (!err && fp && cfg.cache_file[0])
		cachefile_save(cfg.cache_file, fp);
out:
	server_close(srv);
	fastpath_close(fp);
	upstreams_put(ups);
	config_free(&cfg);
	return err ? EXIT_FAILURE : EXIT_SUCCESS;
}
