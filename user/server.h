/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * server.h - bpfdnsd's event loop, and what composes it: the client side
 * (client.h), the misses (miss.h), the control socket (control.h), the
 * cache (cache.h). No part includes this header: each gets a narrow
 * interface when the server opens it.
 */
#ifndef BPFDNS_SERVER_H
#define BPFDNS_SERVER_H

#include <signal.h>
#include <stdint.h>
#include "cache.h"
#include "client.h"
#include "config.h"
#include "control.h"
#include "counters.h"
#include "fastpath.h"
#include "hitlog.h"
#include "hosts.h"
#include "ifaces.h"
#include "miss.h"
#include "upstream.h"

struct watch;
struct routes;

/* Signals, set by handlers and acted on by the loop. */
struct server_signals {
	volatile sig_atomic_t stop, reload, dump, reopen; /* reopen: SIGUSR2, the log file */
};

/* What the parts share (configuration, upstreams, the cache, the event
 * loop, the counters), and each part's own state, which it is handed with
 * the shared pieces it needs, never the whole server. */
struct server {
	const struct config *cfg;
	struct upstreams *ups; /* current list; misses hold their own reference */
	struct routes *routes; /* per-domain servers and local answers; NULL: none */
	struct hosts *hosts;   /* the hosts files' names */
	struct watch *hosts_watch[HOSTS_FILES_MAX];
	int hosts_changed;     /* a hosts file changed */
	struct fastpath *fp;   /* NULL when cache-size=0 */
	struct cache cache;    /* the policy on top of fp's map */
	int epfd;
	struct clients clients;
	struct ifaces ifaces; /* where it listens and the fast path is */
	struct misses misses;
	struct control control;
	struct watch *watch;
	struct ev prefetch_ev;	/* the fast path's refresh requests */
	struct hitlog hitlog;	/* the fast path's hits, for log-queries */
	int resolv_changed;	/* the watch saw the resolv-file change */
	struct server_stats stats;
	uint64_t next_tick_ms;
};

/* Open the listen sockets (UDP and TCP) and the event loop; srv takes a
 * reference to ups. Returns 0 or -errno (logged). */
int server_open(struct server **srv, const struct config *cfg, struct upstreams *ups, struct fastpath *fp);
/* Serve until sig->stop; act on sig->reload (re-read upstreams) and
 * sig->dump (log statistics). */
int server_run(struct server *srv, struct server_signals *sig);
void server_close(struct server *srv);

/* Re-read the upstreams; the old list stays when the new one is empty. */
void server_reload(struct server *srv);

#endif /* BPFDNS_SERVER_H */
