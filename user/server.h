/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * server.h - bpfdnsd's event loop and the state its parts share: client
 * sockets (client.c), upstream misses (miss.c), counters and CHAOS names
 * (stats.c), the resolv-file watcher (watch.c).
 */
#ifndef BPFDNS_SERVER_H
#define BPFDNS_SERVER_H

#include <signal.h>
#include <stdint.h>
#include "cache.h"
#include "clock.h"
#include "config.h"
#include "dnswire.h"
#include "ev.h"
#include "fastpath.h"
#include "strategy.h"
#include "upstream.h"

#define MSG_MAX 4096		 /* UDP messages, and answers built from entries */
#define TCP_MSG_MAX DNS_MSG_MAX /* RFC 1035 4.2.2: a 16-bit length */

struct listener {
	struct ev ev;
	struct server *srv;
	int fd;
};

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

/* Where an answer goes: a UDP peer through a listen socket, or a TCP conn. */
struct client {
	int udp_fd;
	struct conn *conn;
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

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

struct server {
	const struct config *cfg;
	struct upstreams *ups; /* current list; misses hold their own reference */
	struct fastpath *fp;   /* NULL when cache-size=0 */
	struct cache cache;    /* the policy on top of fp's map */
	int epfd;
	struct listener listeners[CONFIG_ADDR_MAX * 2];
	int n_listeners;
	struct conn *conns; /* TCP clients */
	int n_conns;
	struct conn *stalled_head, *stalled_tail; /* waiting for room, in order */
	struct miss *misses;		       /* in flight, for deadlines */
	int n_misses;
	struct miss *by_key[MISS_BUCKETS];     /* in flight, to share */
	struct miss *finished;		       /* freed after the current epoll batch */
	struct watch *watch;
	struct ctl_listener ctl[2];	/* control socket, metrics */
	int n_ctl;
	struct ctl_conn *ctl_conns;
	const char *ctl_path;	/* the control socket's file, removed on close */
	server_query_fn query;	/* what clients hand their queries to (server.c's) */
	struct ev prefetch_ev;	/* the fast path's refresh requests */
	int resolv_changed;	/* the watch saw the resolv-file change */
	uint64_t next_hedge_us; /* the earliest hedge due, 0: none */
	struct strategy_cfg strategy;	/* the upstream mode's parameters */
	struct hedge_budget hedge_budget; /* one hedge per 10 misses */
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

/* client.c */
int client_listen(struct server *srv, const struct sockaddr_storage *addr);
/* The largest answer this client takes: TCP's, or its UDP limit. */
size_t client_answer_limit(const struct server *srv, const struct client *to, const struct client_query *cq);
/* Send a whole DNS message to a client (length-prefixed over TCP). */
void client_send(struct server *srv, const struct client *to, const uint8_t *msg, size_t len);
/* Keep a TCP conn alive while an answer for it is pending. */
void client_hold(const struct client *c);
void client_release(const struct client *c);
/* Close TCP conns idle for too long, or whose message is overdue. */
void client_expire(struct server *srv, uint64_t now_ms);
/* Offer stalled TCP conns' queries again; close half-closed conns that
 * got every answer. Only between epoll batches. */
void client_resume(struct server *srv);
/* Free closed conns no answer is owed to (all: close and free every one);
 * only between epoll batches. */
void client_reap(struct server *srv, int all);
/* Close every client socket, listeners included. */
void client_close_all(struct server *srv);

#endif /* BPFDNS_SERVER_H */
