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
#include "entry.h"
#include "flushspec.h"
#include "health.h"
#include "hosts.h"
#include "local.h"
#include "log.h"
#include "routes.h"
#include "metrics.h"
#include "miss.h"
#include "querylog.h"
#include "probe.h"
#include "sdnotify.h"
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
				       .ups = srv->ups, .routes = srv->routes };
}

static size_t server_report(void *ctx, char *out, size_t n)
{
	struct stats_sources src = server_sources(ctx);

	return metrics_text(&src, out, n);
}

static void server_reset(void *ctx)
{
	struct server *srv = ctx;

	stats_reset(&srv->stats, &srv->cache, srv->fp, srv->ups, srv->routes);
}

/* The query log's tag of from's query, numbered serial. */
static struct qlog_tag query_tag(const struct server *srv, const struct client *from, uint32_t serial)
{
	return (struct qlog_tag){ srv->cfg->log_queries, serial, &from->addr };
}

/* A hit the fast path passed on (too big for it, TCP, or not attached).
 * Returns 1 when answered. */
static int answer_from_cache(struct server *srv, const struct client *from, const uint8_t *msg,
			     const struct client_query *cq, struct upstreams *ups)
{
	struct qlog_tag tag = query_tag(srv, from, cq->log_serial);
	uint64_t now_ns = fastpath_now_ns();
	uint8_t out[MSG_MAX];
	struct entry e;
	int stale = 0;
	size_t n;

	switch (cache_get(&srv->cache, &cq->key, &e)) {
	case CACHE_NONE:
		return 0;
	case CACHE_EXPIRED:
		/* every upstream down: the stale answer now_ns, a refresh behind it */
		if (!health_all_down(ups ? ups : srv->ups) || !cache_make_stale(&srv->cache, &e))
			return 0;
		miss_refresh(&srv->misses, &cq->key, ups);
		srv->stats.stale++;
		now_ns = e.stored_ns;
		stale = 1;
		break;
	case CACHE_FRESH:
		if (bpfdns_prefetch_due(e.stored_ns, e.expire_ns, now_ns, srv->cfg->prefetch_pct) &&
		    miss_refresh(&srv->misses, &cq->key, ups))
			srv->stats.prefetches++;
		break;
	}
	n = answer_cached(msg, cq, &e, now_ns, srv->cfg->edns_packet_max,
			  client_answer_limit(from, cq, srv->cfg->edns_packet_max), out, sizeof(out));
	client_send(from, stale ? ANSWER_STALE : ANSWER_CACHE, out, n);
	srv->stats.hits++;
	qlog_answer(&tag, stale ? "cached-stale" : "cached", out, n);
	return 1;
}

/* CHAOS names, and what dnsmasq never forwards (local.c; m: cq's route).
 * Returns 1 when answered. */
static int answer_locally(struct server *srv, const struct client *from, const uint8_t *msg,
			  const struct client_query *cq, const struct route_match *m)
{
	static uint8_t out[TCP_MSG_MAX]; /* a hosts name may have hundreds of addresses */
	struct stats_sources src = server_sources(srv);
	uint16_t edns_max = srv->cfg->edns_packet_max;
	size_t n = stats_chaos(&src, msg, cq, out, sizeof(out));
	struct qlog_tag tag = query_tag(srv, from, cq->log_serial);
	const char *source = "config";

	if (!n && (n = local_answer(srv->cfg, srv->hosts, m, msg, cq, out, sizeof(out), &source)) &&
	    cq->q.qclass == DNS_CLASS_IN)
		cache_put_local(&srv->cache, &cq->key, out, n); /* the fast path answers it next time */
	if (!n)
		return 0;
	/* too big for this client's UDP limit: TC, as for any answer */
	if (n > client_answer_limit(from, cq, edns_max))
		n = answer_truncated(msg, cq, out[3] & DNS_RCODE, edns_max, out, sizeof(out));
	client_send(from, ANSWER_LOCAL, out, n);
	qlog_answer(&tag, source, out, n);
	return 1;
}

static int server_query(void *ctx, const struct client *from, const uint8_t *msg, size_t len)
{
	struct server *srv = ctx;
	struct route_match m;
	struct client_query cq;
	struct qlog_tag tag;
	uint8_t out[MSG_MAX];
	size_t n;
	int rc, action, logged;

	action = acl_check(&srv->ifaces.acl, &from->addr);
	if (action == BPFDNS_ACL_DENY) {
		srv->stats.denied++;
		return 0;
	}
	rc = query_parse(msg, len, &cq);
	if (rc < 0)
		return 0;
	hitlog_poll(&srv->hitlog); /* the kernel's earlier hits first: their serials come before */
	/* a TCP query offered again keeps its number */
	tag = from->retry && from->log_serial ? query_tag(srv, from, *from->log_serial)
					      : qlog_tag(srv->cfg->log_queries, &from->addr);
	if (from->log_serial)
		*from->log_serial = tag.serial;
	cq.log_serial = tag.serial;
	if (!from->retry)
		srv->stats.queries++;
	logged = !from->retry && !rc; /* a question to log: no FORMERR... */
	if (logged)
		qlog_query(&tag, cq.q.name, cq.q.name_len, cq.q.qtype);
	if (action != BPFDNS_ACL_ALLOW && !rc) {
		srv->stats.refused++;
		rc = DNS_RCODE_REFUSED;
	}
	if (rc > 0) {
		/* FORMERR/NOTIMP: echo the header, and the question if we read one */
		if (!cq.q.end)
			cq.q.start = cq.q.end = DNS_HDR_LEN;
		n = answer_error(msg, &cq, (uint8_t)rc, srv->cfg->edns_packet_max, out, sizeof(out));
		client_send(from, ANSWER_LOCAL, out, n);
		if (logged) /* refused by access-control */
			qlog_error(&tag, "config", (uint8_t)rc);
		return 0;
	}
	m = routes_match(srv->routes, cq.q.name, cq.q.name_len, cq.q.qtype);
	if (answer_locally(srv, from, msg, &cq, &m) || answer_from_cache(srv, from, msg, &cq, m.ups))
		return 0;
	if (!(cq.h.flags2 & DNS_RD)) {
		/* no recursion wanted: from the cache only, as Unbound's
		 * access-control allow does (an RD=0 reply upstream may be a
		 * referral, never an answer to cache for RD=1 clients) */
		n = answer_error(msg, &cq, DNS_RCODE_REFUSED, srv->cfg->edns_packet_max, out, sizeof(out));
		client_send(from, ANSWER_LOCAL, out, n);
		qlog_error(&tag, "config", DNS_RCODE_REFUSED);
		return 0;
	}
	return miss_join(&srv->misses, from, msg, &cq, m.ups);
}

/* An address a domain's servers name too: still one object. */
static void carry_route(void *ctx, const uint8_t *name, size_t len, struct upstreams *route)
{
	(void)name;
	(void)len;
	upstreams_carry_stats(ctx, route);
}

void server_reload(struct server *srv)
{
	struct upstreams *ups;
	char text[1024];

	if (upstreams_load(&ups, srv->cfg)) {
		pr_warn("keeping the upstreams we had");
		return;
	}
	if (!ups->n && srv->ups->n) { /* a file being rewritten, most likely */
		upstreams_put(ups);
		pr_warn("no upstream in the new list: keeping the upstreams we had");
		return;
	}
	upstreams_carry_stats(ups, srv->ups);
	routes_each(srv->routes, carry_route, ups);
	upstreams_put(srv->ups);
	srv->ups = ups;
	upstreams_text(ups, text, sizeof(text));
	pr_info("upstreams now: %s", text);
}

/* A local answer (it may have changed), or a name now answered locally. */
static int answered_locally(const struct bpfdns_question *key, const struct entry *e, const void *ctx)
{
	const struct server *srv = ctx;

	return (e->flags & BPFDNS_ENTRY_LOCAL) || local_answers_key(srv->cfg, srv->hosts, srv->routes, key);
}

/* Local answers, and entries of names now answered locally, leave the
 * cache, so that the fast path never answers from data that changed (a
 * pinned cache, a changed hosts file); the next query stores them anew. */
static void server_drop_local(struct server *srv)
{
	int gone = cache_drop(&srv->cache, answered_locally, srv);

	if (gone > 0)
		pr_info("cache: %d entries of local data or names now answered locally removed", gone);
}

/* Read the hosts files again (SIGHUP, or one of them changed); the old
 * table stays when that fails. */
static void server_load_hosts(struct server *srv)
{
	struct hosts *h;

	if (hosts_load(&h, srv->cfg)) {
		pr_warn("hosts files: out of memory; keeping what we had");
		return;
	}
	hosts_free(srv->hosts);
	srv->hosts = h;
	pr_info("hosts files: %d names", hosts_count(h));
	server_drop_local(srv);
}

/* Watch each hosts file, as the resolv-file (a failure is logged: SIGHUP
 * still re-reads them). */
static void server_watch_hosts(struct server *srv)
{
	const char *paths[HOSTS_FILES_MAX];
	int n = hosts_files(srv->cfg, paths, HOSTS_FILES_MAX);

	for (int i = 0; i < n && !srv->cfg->no_poll; i++)
		if (watch_open(srv->epfd, paths[i], &srv->hosts_changed, &srv->hosts_watch[i]))
			srv->hosts_watch[i] = NULL;
}

/* SIGHUP (hup), as dnsmasq's: the cache cleared, the hosts files and the
 * resolv-file re-read; the resolv-file changed: re-read, and the cache
 * cleared with clear-on-reload. */
static void server_on_reload(struct server *srv, int hup)
{
	sdnotify(hup ? "RELOADING=1" : ""); /* only a SIGHUP is systemd's reload */
	if (hup)
		server_load_hosts(srv);
	pr_info("%s: re-reading the upstreams", hup ? "SIGHUP" : srv->cfg->resolv_file);
	if (hup || srv->cfg->clear_on_reload) {
		int gone = cache_flush(&srv->cache, &FLUSH_SPEC_ALL);

		if (gone >= 0)
			pr_info("cache cleared (%d entries)", gone);
	}
	server_reload(srv);
	sdnotify(hup ? "READY=1" : "");
}

/* The fast path asks for a refresh of an entry clients still ask for. */
static void on_prefetch(void *ctx, const struct bpfdns_question *key)
{
	struct server *srv = ctx;
	struct route_match m = routes_match(srv->routes, key->name, entry_key_name_len(key), key->qtype);

	if ((m.action == ROUTE_DEFAULT || m.action == ROUTE_SERVERS) && miss_refresh(&srv->misses, key, m.ups))
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
	err = routes_build(&srv->routes, cfg, srv->ups);
	if (err) {
		pr_err("cannot build the per-domain routes: %s", strerror(-err));
		goto err;
	}
	err = hosts_load(&srv->hosts, cfg);
	if (err) {
		pr_err("cannot load the hosts files: %s", strerror(-err));
		goto err;
	}
	if (hosts_count(srv->hosts))
		pr_info("hosts files: %d names", hosts_count(srv->hosts));
	server_drop_local(srv);
	miss_init(&srv->misses, cfg, srv->epfd, &srv->cache, &srv->ups, &srv->stats);
	clients_init(&srv->clients, cfg, srv->epfd, &srv->stats, server_query, srv);
	srv->clients.acl = &srv->ifaces.acl;
	/* sockets, then the hooks: a client never meets an attached program
	 * without a daemon behind it */
	err = ifaces_open(&srv->ifaces, cfg, srv->epfd, &srv->clients, fp);
	err = err ?: control_open(&srv->control, cfg, srv->epfd, &srv->cache, server_report, server_reset, srv);
	if (!err && fp && cfg->prefetch_pct)
		err = prefetch_open(srv);
	if (!err && fp && cfg->log_queries != QUERYLOG_OFF)
		err = hitlog_open(&srv->hitlog, fp, cfg, &srv->hosts, srv->epfd);
	if (err)
		goto err;
	server_watch_hosts(srv);
	/* without a watch (no such directory yet), SIGHUP still re-reads */
	if (!cfg->no_resolv && !cfg->no_poll &&
	    watch_open(srv->epfd, cfg->resolv_file, &srv->resolv_changed, &srv->watch))
		srv->watch = NULL;
	*out = srv;
	return 0;
err:
	server_close(srv);
	return err;
}

struct probe_pass {
	struct misses *ms;
	uint64_t now_ms;
};

static void probe_route(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups)
{
	struct probe_pass *p = ctx;

	(void)name;
	(void)len;
	probe_upstreams(p->ms, ups, p->now_ms);
}

/* Probe the default upstreams and each domain's (hedged). */
static void server_probe(struct server *srv, uint64_t now_ms)
{
	struct probe_pass p = { &srv->misses, now_ms };

	probe_upstreams(&srv->misses, srv->ups, now_ms);
	routes_each(srv->routes, probe_route, &p);
}

/* What changed since the last turn: files watched, signals. */
static void server_on_changes(struct server *srv, struct server_signals *sig)
{
	if (srv->hosts_changed && !sig->reload)
		server_load_hosts(srv);
	if (srv->resolv_changed || sig->reload)
		server_on_reload(srv, sig->reload);
	srv->resolv_changed = srv->hosts_changed = sig->reload = 0;
	ifaces_sync(&srv->ifaces);
	if (sig->reopen) { /* as dnsmasq: logrotate's postrotate sends SIGUSR2 */
		sig->reopen = 0;
		log_reopen();
	}
	if (sig->dump) {
		struct stats_sources src = server_sources(srv);

		sig->dump = 0;
		stats_log(&src);
	}
}

int server_run(struct server *srv, struct server_signals *sig)
{
	struct epoll_event evs[64];

	/* After an event, poll without sleeping for a while (longer while a
	 * miss is upstream): waking from sleep costs more than the whole
	 * answer on a VM, and the next packet is usually close. */
	uint64_t busy_until = 0;

	log_batch(1);
	while (!sig->stop) {
		uint64_t now_us = clock_now_us(), now, wait_us = 20000, due = miss_next_hedge_us(&srv->misses);
		int spinning = now_us < busy_until;
		int n, foreground = 0;
		struct timespec timeout;

		/* wake for the next hedge, to the µs: a hedge a ms late is most
		 * of a hedged lookup's tail (epoll_wait counts ms) */
		if (spinning || (due && due <= now_us))
			wait_us = 0;
		else if (due && due - now_us < wait_us)
			wait_us = due - now_us;
		timeout = (struct timespec){ .tv_sec = 0, .tv_nsec = (long)(wait_us * 1000) };
		n = epoll_pwait2(srv->epfd, evs, 64, &timeout, NULL);
		if (n < 0 && errno != EINTR) {
			int err = -errno;

			pr_err("epoll_pwait2: %s", strerror(-err));
			log_batch(0);
			return err;
		}
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;

			foreground |= !ev->background;
			ev->fn(ev, evs[i].events);
		}
		now_us = clock_now_us();
		if (foreground)
			busy_until = now_us + (miss_in_flight(&srv->misses) ? SPIN_MISS_US : SPIN_IDLE_US);
		else if (spinning && !n)
			sched_yield(); /* let an upstream on this CPU run */
		miss_check_hedges(&srv->misses, now_us);
		hitlog_poll(&srv->hitlog);
		now = now_us / 1000;
		if (now >= srv->next_tick_ms) {
			srv->next_tick_ms = now + TICK_MS;
			miss_check_deadlines(&srv->misses, now);
			if (srv->cfg->mode == UPSTREAM_HEDGED)
				server_probe(srv, now);
			client_expire(&srv->clients, now);
			control_expire(&srv->control, now);
		}
		/* nothing of this batch points at them any more */
		miss_free_finished(&srv->misses);
		client_resume(&srv->clients);
		client_reap(&srv->clients, 0);
		cache_sweep(&srv->cache, now);
		server_on_changes(srv, sig);
		log_flush();
	}
	log_batch(0);
	return 0;
}

void server_close(struct server *srv)
{
	if (!srv)
		return;
	miss_abort_all(&srv->misses);
	client_close_all(&srv->clients);
	ifaces_close(&srv->ifaces);
	control_close(&srv->control);
	watch_close(srv->epfd, srv->watch);
	for (int i = 0; i < HOSTS_FILES_MAX; i++)
		watch_close(srv->epfd, srv->hosts_watch[i]);
	hosts_free(srv->hosts);
	if (srv->epfd >= 0)
		close(srv->epfd);
	routes_free(srv->routes);
	upstreams_put(srv->ups);
	free(srv);
}
