// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* metrics.c - the Prometheus text exposition; see metrics.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "health.h"
#include "metrics.h"
#include "stats.h"

struct out {
	char *buf;
	size_t n, len;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->len >= o->n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->len = o->len + (size_t)w < o->n ? o->len + (size_t)w : o->n - 1;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void one(struct out *o, const char *name, const char *type, const char *help, uint64_t v)
{
	family(o, name, type, help);
	put(o, "%s %" PRIu64 "\n", name, v);
}

/* The fast path's outcome counters, named as in struct bpfdns_counters. */
static void kernel_counters(struct out *o, const struct bpfdns_counters *c)
{
	family(o, "bpfdns_kernel_packets_total", "counter",
	       "Packets the fast path saw, by outcome (hit: answered in the kernel; the rest passed or dropped).");
	for (size_t i = 0; i < fastpath_n_outcomes; i++)
		put(o, "bpfdns_kernel_packets_total{outcome=\"%s\"} %" PRIu64 "\n", fastpath_outcomes[i].name,
		    *(const uint64_t *)((const char *)c + fastpath_outcomes[i].off));
}

static void upstreams(struct out *o, const struct upstreams *ups)
{
	static const char *const counters[][2] = {
		{ "queries", "Queries sent to the upstream." },
		{ "wins", "Replies from the upstream that answered a miss." },
		{ "failures", "Errors, bad replies and timeouts of the upstream." },
		{ "unwanted_replies", "Replies to our question with a wrong ID (forged?)." },
	};

	for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
		char name[64];

		snprintf(name, sizeof(name), "bpfdns_upstream_%s_total", counters[k][0]);
		family(o, name, "counter", counters[k][1]);
		for (int i = 0; i < ups->n; i++) {
			const struct upstream *u = &ups->list[i];
			uint64_t v = k == 0 ? u->queries : k == 1 ? u->wins : k == 2 ? u->failures : u->unwanted;

			put(o, "%s{upstream=\"%s\"} %" PRIu64 "\n", name, u->name, v);
		}
	}
	family(o, "bpfdns_upstream_state", "gauge", "Health of the upstream: 1 for its current state.");
	for (int i = 0; i < ups->n; i++)
		for (uint8_t s = UPSTREAM_UP; s <= UPSTREAM_DOWN; s++)
			put(o, "bpfdns_upstream_state{upstream=\"%s\",state=\"%s\"} %d\n", ups->list[i].name,
			    health_state_name(s), ups->list[i].state == s);
	family(o, "bpfdns_upstream_rtt_seconds", "gauge",
	       "Round-trip time of the upstream's last 32 replies, by quantile (0 before the first).");
	for (int i = 0; i < ups->n; i++) {
		const struct upstream *u = &ups->list[i];

		put(o, "bpfdns_upstream_rtt_seconds{upstream=\"%s\",quantile=\"0.5\"} %.6f\n", u->name,
		    health_rtt_pct(u, 50) / 1e6);
		put(o, "bpfdns_upstream_rtt_seconds{upstream=\"%s\",quantile=\"0.99\"} %.6f\n", u->name,
		    health_rtt_pct(u, 99) / 1e6);
	}
}

size_t metrics_text(struct server *srv, char *buf, size_t n)
{
	struct out o = { .buf = buf, .n = n };
	struct stats_view v;

	buf[0] = '\0';
	stats_collect(srv, &v);
	one(&o, "bpfdns_cache_size", "gauge", "Entries the cache holds at most (cache-size).", v.cachesize);
	one(&o, "bpfdns_cache_entries", "gauge", "Entries in the cache now.", (uint64_t)v.entries);
	one(&o, "bpfdns_cache_insertions_total", "counter", "Entries stored.", v.insertions);
	one(&o, "bpfdns_cache_evictions_total", "counter", "Entries pushed out before they expired.",
	    v.evictions);
	family(&o, "bpfdns_cache_hits_total", "counter", "Queries answered from the cache, by where.");
	put(&o, "bpfdns_cache_hits_total{where=\"kernel\"} %" PRIu64 "\n", v.kernel_hits);
	put(&o, "bpfdns_cache_hits_total{where=\"daemon\"} %" PRIu64 "\n", srv->stats.hits);
	one(&o, "bpfdns_cache_misses_total", "counter", "Queries sent upstream (or joined to one in flight).",
	    v.misses);
	one(&o, "bpfdns_queries_total", "counter", "Queries that reached the daemon.", srv->stats.queries);
	one(&o, "bpfdns_shared_total", "counter", "Misses that joined an upstream query already in flight.",
	    srv->stats.shared);
	one(&o, "bpfdns_dropped_total", "counter", "Misses dropped at dns-forward-max.", srv->stats.dropped);
	one(&o, "bpfdns_refused_total", "counter", "Queries answered REFUSED by access-control.",
	    srv->stats.refused);
	one(&o, "bpfdns_denied_total", "counter", "Queries dropped by access-control in the daemon.",
	    srv->stats.denied);
	one(&o, "bpfdns_hedges_total", "counter", "Times the next upstream was asked after the hedge delay.",
	    srv->stats.hedges);
	kernel_counters(&o, &v.kernel);
	one(&o, "bpfdns_kernel_prefetch_requests_total", "counter",
	    "Hits late in an entry's TTL that asked the daemon to refresh it.", v.kernel.prefetch);
	one(&o, "bpfdns_prefetches_total", "counter", "Entries refreshed before they expired (started).",
	    srv->stats.prefetches);
	one(&o, "bpfdns_stale_answers_total", "counter", "Answers from expired entries (use-stale-cache).",
	    srv->stats.stale);
	upstreams(&o, srv->ups);
	return o.len;
}
