// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * server.c - bpfdnsd's event loop. A query that reaches the daemon (the
 * fast path passed it on, or it came over TCP) is answered with an error,
 * a CHAOS name, from the cache map, or sent upstream (miss.c).
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include "answer.h"
#include "clock.h"
#include "control.h"
#include "health.h"
#include "leg.h"
#include "log.h"
#include "metrics.h"
#include "miss.h"
#include "querylog.h"
#include "probe.h"
#include "server.h"
#include "stats.h"
#include "watch.h"

#define TICK_MS 10    /* deadline and idle checks */
#define SPIN_IDLE_US 50	  /* poll this long after an event before sleeping */
#define SPIN_MISS_US 200  /* the same while a miss is upstream */

/* What the reports read. */
static struct stats_sources server_sources(const struct server *srv)
{
	return (struct stats_sources){ .cfg = srv->cfg, .cache = &srv->cache, .fp = srv->fp, .stats = &srv->stats,
				       .ups = srv->ups };
}

static size_t server_report(void *ctx, char *out, size_t n)
{
	struct stats_sources src = server_sources(ctx);

	return metrics_text(&src, out, n);
}

/* A hit the fast path passed on (too big for it, TCP, or not attached).
 * Returns 1 when answered. */
static int answer_from_cache(struct server *srv, const struct client *from, const uint8_t *msg,
			     const struct client_query *cq)
{
	uint64_t now = fastpath_now_ns();
	uint8_t out[MSG_MAX];
	struct bpfdns_entry e;
	size_t n;

	switch (cache_get(&srv->cache, &cq->key, &e)) {
	case CACHE_NONE:
		return 0;
	case CACHE_EXPIRED:
		/* every upstream down: the stale answer now, a refresh behind it */
		if (!health_all_down(srv->ups) || !cache_make_stale(&srv->cache, &e))
			return 0;
		miss_refresh(&srv->misses, &cq->key);
		srv->stats.stale++;
		now = e.stored_ns;
		break;
	case CACHE_FRESH:
		if (bpfdns_prefetch_due(e.stored_ns, e.expire_ns, now, srv->cfg->prefetch_pct) &&
		    miss_refresh(&srv->misses, &cq->key))
			srv->stats.prefetches++;
		break;
	}
	n = answer_cached(msg, cq, &e, now, srv->cfg->edns_packet_max, client_answer_limit(from, cq, srv->cfg->edns_packet_max), out,
			  sizeof(out));
	client_send(from, out, n);
	srv->stats.hits++;
	querylog(srv->cfg->log_queries, cq->q.name, cq->q.name_len, cq->q.qtype, "answered", "from the cache");
	return 1;
}

static int server_query(void *ctx, const struct client *from, const uint8_t *msg, size_t len)
{
	struct server *srv = ctx;
	struct stats_sources src;
	struct client_query cq;
	uint8_t out[MSG_MAX];
	char addr[80];
	size_t n;
	int rc, action;

	action = acl_check(&srv->cfg->acl, &from->addr);
	if (action == BPFDNS_ACL_DENY) {
		srv->stats.denied++;
		return 0;
	}
	rc = query_parse(msg, len, &cq);
	if (rc < 0)
		return 0;
	if (!from->retry)
		srv->stats.queries++;
	if (action != BPFDNS_ACL_ALLOW && !rc) {
		srv->stats.refused++;
		rc = DNS_RCODE_REFUSED;
		querylog(srv->cfg->log_queries, cq.q.name, cq.q.name_len, cq.q.qtype, "refused", "by access-control");
	}
	if (rc > 0) {
		/* FORMERR/NOTIMP: echo the header, and the question if we read one */
		if (!cq.q.end)
			cq.q.start = cq.q.end = DNS_HDR_LEN;
		n = answer_error(msg, &cq, (uint8_t)rc, srv->cfg->edns_packet_max, out, sizeof(out));
		client_send(from, out, n);
		return 0;
	}
	if (srv->cfg->log_queries && !from->retry) {
		addr_to_text(&from->addr, addr, sizeof(addr));
		addr[strcspn(addr, "#")] = '\0';
		querylog(srv->cfg->log_queries, cq.q.name, cq.q.name_len, cq.q.qtype, from->conn ? "from (tcp)" : "from", addr);
	}
	src = server_sources(srv);
	n = stats_chaos(&src, msg, &cq, out, sizeof(out));
	if (n) {
		client_send(from, out, n);
		return 0;
	}
	if (answer_from_cache(srv, from, msg, &cq))
		return 0;
	if (!(cq.h.flags2 & DNS_RD)) {
		/* no recursion wanted: from the cache only, as Unbound's
		 * access-control allow does (an RD=0 reply upstream may be a
		 * referral, never an answer to cache for RD=1 clients) */
		n = answer_error(msg, &cq, DNS_RCODE_REFUSED, srv->cfg->edns_packet_max, out, sizeof(out));
		client_send(from, out, n);
		querylog(srv->cfg->log_queries, cq.q.name, cq.q.name_len, cq.q.qtype, "refused", "(RD=0, not cached)");
		return 0;
	}
	return miss_join(&srv->misses, from, msg, &cq);
}

void server_reload(struct server *srv)
{
	struct upstreams *ups;
	char text[1024];

	if (upstreams_load(&ups, srv->cfg)) {
		pr_warn("keeping the upstreams we had");
		return;
	}
	upstreams_carry_stats(ups, srv->ups);
	upstreams_put(srv->ups);
	srv->ups = ups;
	upstreams_text(ups, text, sizeof(text));
	pr_info("upstreams now: %s", text);
}

/* The fast path asks for a refresh of an entry clients still ask for. */
static void on_prefetch(void *ctx, const struct bpfdns_key *key)
{
	struct server *srv = ctx;

	if (miss_refresh(&srv->misses, key))
		srv->stats.prefetches++;
}

static void on_prefetch_ready(struct ev *ev, uint32_t events)
{
	struct server *srv = (struct server *)((char *)ev - offsetof(struct server, prefetch_ev));

	(void)events;
	fastpath_prefetch_poll(srv->fp);
}

static int prefetch_open(struct server *srv)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &srv->prefetch_ev };
	int fd = fastpath_prefetch_open(srv->fp, on_prefetch, srv);

	if (fd < 0)
		return fd;
	srv->prefetch_ev.fn = on_prefetch_ready;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		int err = -errno;

		pr_err("epoll: %s", strerror(-err));
		return err;
	}
	return 0;
}

int server_open(struct server **out, const struct config *cfg, struct upstreams *ups, struct fastpath *fp)
{
	struct server *srv = calloc(1, sizeof(*srv));
	int err;

	if (!srv)
		return -ENOMEM;
	srv->cfg = cfg;
	srv->ups = upstreams_get(ups);
	srv->fp = fp;
	cache_init(&srv->cache, fp, cfg);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		err = -errno;
		pr_err("epoll: %s", strerror(-err));
		goto err;
	}
	miss_init(&srv->misses, cfg, srv->epfd, &srv->cache, &srv->ups, &srv->stats);
	clients_init(&srv->clients, cfg, srv->epfd, &srv->stats, server_query, srv);
	for (int i = 0; i < cfg->n_listen; i++) {
		err = client_listen(&srv->clients, &cfg->listen[i]);
		if (err)
			goto err;
	}
	err = control_open(&srv->control, cfg, srv->epfd, &srv->cache, server_report, srv);
	if (!err && fp && cfg->prefetch_pct)
		err = prefetch_open(srv);
	if (err)
		goto err;
	/* without a watch (no such directory yet), SIGHUP still re-reads */
	if (!cfg->no_resolv && watch_open(srv->epfd, cfg->resolv_file, &srv->resolv_changed, &srv->watch))
		srv->watch = NULL;
	*out = srv;
	return 0;
err:
	server_close(srv);
	return err;
}

int server_run(struct server *srv, struct server_signals *sig)
{
	struct epoll_event evs[64];

	/* After an event, poll without sleeping for a while (longer while a
	 * miss is upstream): waking from sleep costs more than the whole
	 * answer on a VM, and the next packet is usually close. */
	uint64_t busy_until = 0;

	while (!sig->stop) {
		uint64_t now_us = clock_now_us(), now;
		int spinning = now_us < busy_until, timeout = 20;
		int n;

		if (spinning) {
			timeout = 0;
		} else if (miss_next_hedge_us(&srv->misses)) {
			/* wake for the next hedge, to the ms */
			uint64_t due = miss_next_hedge_us(&srv->misses), ms = due > now_us ? (due - now_us + 999) / 1000 : 0;

			timeout = ms < 20 ? (int)ms : 20;
		}
		n = epoll_wait(srv->epfd, evs, 64, timeout);
		if (n < 0 && errno != EINTR) {
			int err = -errno;

			pr_err("epoll_wait: %s", strerror(-err));
			return err;
		}
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;

			ev->fn(ev, evs[i].events);
		}
		now_us = clock_now_us();
		if (n > 0)
			busy_until = now_us + (miss_in_flight(&srv->misses) ? SPIN_MISS_US : SPIN_IDLE_US);
		else if (spinning)
			sched_yield(); /* let an upstream on this CPU run */
		miss_check_hedges(&srv->misses, now_us);
		now = now_us / 1000;
		if (now >= srv->next_tick_ms) {
			srv->next_tick_ms = now + TICK_MS;
			miss_check_deadlines(&srv->misses, now);
			if (srv->cfg->mode == UPSTREAM_HEDGED)
				probe_upstreams(&srv->misses, now);
			client_expire(&srv->clients, now);
			control_expire(&srv->control, now);
		}
		/* nothing of this batch points at them any more */
		miss_free_finished(&srv->misses);
		client_resume(&srv->clients);
		client_reap(&srv->clients, 0);
		cache_sweep(&srv->cache, now);
		if (srv->resolv_changed || sig->reload) {
			pr_info("%s: re-reading the upstreams", srv->resolv_changed ? srv->cfg->resolv_file : "SIGHUP");
			srv->resolv_changed = sig->reload = 0;
			server_reload(srv);
		}
		if (sig->dump) {
			struct stats_sources src = server_sources(srv);

			sig->dump = 0;
			stats_log(&src);
		}
	}
	return 0;
}

void server_close(struct server *srv)
{
	if (!srv)
		return;
	miss_abort_all(&srv->misses);
	client_close_all(&srv->clients);
	control_close(&srv->control);
	watch_close(srv->epfd, srv->watch);
	if (srv->epfd >= 0)
		close(srv->epfd);
	upstreams_put(srv->ups);
	free(srv);
}
