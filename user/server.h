/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * server.h - bpfdnsd's event loop: what its parts share (configuration,
 * upstreams, the cache, the epoll fd, counters) and each part's own state
 * (struct clients: client.c, tcpconn.c; struct misses: miss.c; struct
 * control: control.c), which only its owner touches.
 */
#ifndef BPFDNS_SERVER_H
#define BPFDNS_SERVER_H

#include <signal.h>
#include <stdint.h>
#include "cache.h"
#include "client.h"
#include "clock.h"
#include "config.h"
#include "dnswire.h"
#include "ev.h"
#include "fastpath.h"
#include "strategy.h"
#include "upstream.h"

#define MSG_MAX 4096		 /* UDP messages, and answers built from entries */
#define TCP_MSG_MAX DNS_MSG_MAX /* RFC 1035 4.2.2: a 16-bit length */

/* The control socket or the metrics endpoint (control.c). */
struct ctl_listener {
	struct ev ev;
	struct server *srv;
	int fd;
	int http;
	int n_conns; /* its clients: each listener has slots of its own */
};

struct client_query;
struct server;
struct conn;
struct ctl_conn;
struct miss;

/* A client query from a UDP socket or a TCP connection: answer it (error,
 * CHAOS, cache) or send it upstream. Returns 0, or -EBUSY when a TCP
 * client's query cannot be taken now (no room upstream): the caller keeps
 * it and offers it again later (a UDP client's is dropped: it retries). */
typedef int (*server_query_fn)(struct server *srv, const struct client *from, const uint8_t *msg, size_t len);

/* What the daemon counts (the fast path counts its own hits). */
struct server_stats {
	uint64_t queries;     /* reached the daemon */
	uint64_t hits;	      /* answered by the daemon from the cache map */
	uint64_t misses;      /* sent upstream */
	uint64_t shared;      /* joined a miss already in flight */
	uint64_t dropped;	   /* dns-forward-max reached */
	uint64_t hedges;	   /* hedged: next upstream asked after a delay */
	uint64_t refused;	   /* access-control: answered REFUSED */
	uint64_t denied;	   /* access-control: dropped */
	uint64_t prefetches;	   /* refreshes started before expiry */
	uint64_t stale;		   /* answers from expired entries */
};

/* Signals, set by handlers and acted on by the loop. */
struct server_signals {
	volatile sig_atomic_t stop, reload, dump;
};

#define MISS_BUCKETS 1024

/* The client side: listen sockets and TCP clients. Owned by client.c and
 * tcpconn.c; server.c only opens and closes them through their API. */
struct clients {
	struct listener listeners[CONFIG_ADDR_MAX * 2];
	int n_listeners;
	struct conn *conns; /* TCP clients */
	int n_conns;
	struct conn *stalled_head, *stalled_tail; /* waiting for room, in order */
};

/* The misses in flight. Owned by miss.c. */
struct misses {
	struct miss *head;		   /* in flight, for deadlines */
	int n;
	struct miss *by_key[MISS_BUCKETS]; /* in flight, to share */
	struct miss *finished;		   /* freed after the current epoll batch */
	uint64_t next_hedge_us;		   /* the earliest hedge due, 0: none */
	struct strategy_cfg strategy;	   /* the upstream mode's parameters */
	struct hedge_budget budget;	   /* one hedge per 10 misses */
};

/* The control socket and the metrics endpoint. Owned by control.c. */
struct control {
	struct ctl_listener listeners[2];
	int n;
	struct ctl_conn *conns;
	const char *path; /* the control socket's file, removed on close */
};

/* What the parts share: configuration, upstreams, the cache, the event
 * loop, the counters; and each part's own state. */
struct server {
	const struct config *cfg;
	struct upstreams *ups; /* current list; misses hold their own reference */
	struct fastpath *fp;   /* NULL when cache-size=0 */
	struct cache cache;    /* the policy on top of fp's map */
	int epfd;
	struct clients clients;
	struct misses misses;
	struct control control;
	struct watch *watch;
	server_query_fn query;	/* what clients hand their queries to (server.c's) */
	struct ev prefetch_ev;	/* the fast path's refresh requests */
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
