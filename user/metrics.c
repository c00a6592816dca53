// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* metrics.c - the Prometheus text exposition; see metrics.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"
#include "health.h"
#include "metric_names.h"
#include "metrics.h"
#include "stats.h"

struct out {
	char *buf;
	size_t n, len;
	int full; /* a line did not fit: the rest is left out, never cut */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (o->full)
		return;
	va_start(ap, fmt);
	w = vsnprintf(o->buf + o->len, o->n - o->len, fmt, ap);
	va_end(ap);
	if (w < 0 || o->len + (size_t)w >= o->n) {
		o->buf[o->len] = '\0'; /* whole lines only: a scraper rejects a cut one */
		o->full = 1;
		return;
	}
	o->len += (size_t)w;
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

static void answer_series(struct out *o, const char *where, uint8_t rcode, uint64_t v)
{
	const char *name = dns_rcode_name(rcode);

	if (strcmp(name, "RCODE"))
		put(o, METRIC_ANSWERS "{where=\"%s\",rcode=\"%s\"} %" PRIu64 "\n", where, name, v);
	else
		put(o, METRIC_ANSWERS "{where=\"%s\",rcode=\"RCODE%u\"} %" PRIu64 "\n", where, rcode, v);
}

/* What clients got, by where it came from and its RCODE (NOERROR always,
 * the others once seen); how long the daemon's answers took. */
static void answers(struct out *o, const struct bpfdns_counters *kernel, const struct answer_stats *a)
{
	uint64_t upto = 0;

	family(o, METRIC_ANSWERS, "counter",
	       "Answers sent to clients, by where they came from (kernel; the daemon's cache; stale; upstream: a miss's "
	       "reply, or SERVFAIL when none came; local: hosts, address=, refusals) and RCODE.");
	answer_series(o, "kernel", DNS_RCODE_NOERROR, kernel->hit_noerror);
	answer_series(o, "kernel", DNS_RCODE_NXDOMAIN, kernel->hit_nxdomain);
	for (int w = 0; w < ANSWER_WHERES; w++)
		for (uint8_t rc = 0; rc < 16; rc++)
			if (!rc || a->rcode[w][rc])
				answer_series(o, answer_where_name((enum answer_where)w), rc, a->rcode[w][rc]);
	family(o, METRIC_ANSWER_SECONDS, "histogram",
	       "How long the daemon's answers took from the query's arrival (the kernel's are not timed).");
	for (int b = 0; b < ANSWER_BUCKETS; b++) {
		upto += a->bucket[b];
		put(o, METRIC_ANSWER_SECONDS "_bucket{le=\"%g\"} %" PRIu64 "\n", answer_bucket_us[b] / 1e6, upto);
	}
	put(o, METRIC_ANSWER_SECONDS "_bucket{le=\"+Inf\"} %" PRIu64 "\n", a->count);
	put(o, METRIC_ANSWER_SECONDS "_sum %.6f\n", (double)a->sum_us / 1e6);
	put(o, METRIC_ANSWER_SECONDS "_count %" PRIu64 "\n", a->count);
}

/* Where the fast path is attached, with which hook, and why; each hook's
 * counters. */
static void hooks(struct out *o, struct fastpath *fp)
{
	int n = fp ? fastpath_hooks(fp, NULL, 0) : 0;
	struct fastpath_hook_info *on = n ? calloc((size_t)n, sizeof(*on)) : NULL;

	if (on)
		fastpath_hooks(fp, on, n);
	else
		n = 0;
	family(o, METRIC_KERNEL_HOOK_PACKETS, "counter",
	       "Packets each hook judged, by outcome (a query XDP passed on is TC's only when TC answers it).");
	for (int h = BPFDNS_COUNTERS_XDP; fp && h <= BPFDNS_COUNTERS_TC; h++) {
		struct bpfdns_counters c;

		if (fastpath_counters_hook(fp, h, &c))
			continue;
		for (size_t i = 0; i < fastpath_n_outcomes; i++)
			put(o, METRIC_KERNEL_HOOK_PACKETS "{hook=\"%s\",outcome=\"%s\"} %" PRIu64 "\n",
			    h == BPFDNS_COUNTERS_XDP ? "xdp" : "tc", fastpath_outcomes[i].name,
			    *(const uint64_t *)((const char *)&c + fastpath_outcomes[i].off));
	}
	family(o, METRIC_HOOK, "gauge", "Interfaces the fast path is attached to: 1 for the hook it uses there.");
	for (int i = 0; i < n; i++)
		put(o, METRIC_HOOK "{interface=\"%s\",hook=\"%s%s\"} 1\n", on[i].name, fastpath_hook_name(on[i].hook),
		    on[i].tc_behind ? "+tc" : "");
	family(o, METRIC_HOOK_WHY, "gauge", "Why the fast path uses that hook there: 1 for the reason.");
	for (int i = 0; i < n; i++)
		put(o, METRIC_HOOK_WHY "{interface=\"%s\",why=\"%s\"} 1\n", on[i].name, on[i].why);
	free(on);
}

/* The fast path's outcome counters, named as in struct bpfdns_counters. */
static void kernel_counters(struct out *o, const struct bpfdns_counters *c)
{
	family(o, METRIC_KERNEL_PACKETS, "counter",
	       "Packets the fast path saw, by outcome (hit: answered in the kernel; the rest passed or dropped).");
	for (size_t i = 0; i < fastpath_n_outcomes; i++)
		put(o, METRIC_KERNEL_PACKETS "{outcome=\"%s\"} %" PRIu64 "\n", fastpath_outcomes[i].name,
		    *(const uint64_t *)((const char *)c + fastpath_outcomes[i].off));
}

static void upstreams(struct out *o, const struct upstream *const *all, int n)
{
	static const char *const counters[][2] = {
		{ METRIC_UPSTREAM_QUERIES, "Queries sent to the upstream." },
		{ METRIC_UPSTREAM_WINS, "Replies from the upstream that answered a miss." },
		{ METRIC_UPSTREAM_FAILURES, "Errors, bad replies and timeouts of the upstream." },
		{ METRIC_UPSTREAM_UNWANTED, "Replies to our question with a wrong ID (forged?)." },
	};

	for (size_t k = 0; k < sizeof(counters) / sizeof(counters[0]); k++) {
		const char *name = counters[k][0];

		family(o, name, "counter", counters[k][1]);
		for (int i = 0; i < n; i++) {
			const struct upstream *u = all[i];
			uint64_t v = k == 0 ? u->queries : k == 1 ? u->wins : k == 2 ? u->failures : u->unwanted;

			put(o, "%s{upstream=\"%s\"} %" PRIu64 "\n", name, u->name, v);
		}
	}
	family(o, METRIC_UPSTREAM_STATE, "gauge", "Health of the upstream: 1 for its current state.");
	for (int i = 0; i < n; i++)
		for (uint8_t s = UPSTREAM_UP; s <= UPSTREAM_DOWN; s++)
			put(o, METRIC_UPSTREAM_STATE "{upstream=\"%s\",state=\"%s\"} %d\n", all[i]->name,
			    health_state_name(s), all[i]->state == s);
	/* a summary: quantiles of the last 32 replies, sum and count of all */
	family(o, METRIC_UPSTREAM_RTT, "summary",
	       "Round-trip time of the upstream's replies; quantiles of the last 32 (0 before the first).");
	for (int i = 0; i < n; i++) {
		put(o, METRIC_UPSTREAM_RTT "{upstream=\"%s\",quantile=\"0.5\"} %.6f\n", all[i]->name,
		    health_rtt_pct(all[i], 50) / 1e6);
		put(o, METRIC_UPSTREAM_RTT "{upstream=\"%s\",quantile=\"0.99\"} %.6f\n", all[i]->name,
		    health_rtt_pct(all[i], 99) / 1e6);
		put(o, METRIC_UPSTREAM_RTT "_sum{upstream=\"%s\"} %.6f\n", all[i]->name, all[i]->rtt_sum_us / 1e6);
		put(o, METRIC_UPSTREAM_RTT "_count{upstream=\"%s\"} %" PRIu64 "\n", all[i]->name, all[i]->rtt_count);
	}
}

/* Each server of a list, for domain (text). */
static void domain_series(struct out *o, const struct upstreams *ups, const char *domain)
{
	for (int i = 0; i < ups->n; i++)
		put(o, METRIC_UPSTREAM_DOMAIN "{upstream=\"%s\",domain=\"%s\"} 1\n", ups->list[i]->name, domain);
}

static void domain_route(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups)
{
	char text[DNS_NAME_MAX * 4 + 1] = "";

	if (len > 1)
		dns_name_to_text(name, len, text, sizeof(text));
	else if (len == 1)
		snprintf(text, sizeof(text), "#"); /* /#/: every name not under another */
	text[strcspn(text, "\"\\")] = '\0'; /* a label value: nothing to escape */
	if (strlen(text) > 1 && text[strlen(text) - 1] == '.')
		text[strlen(text) - 1] = '\0'; /* "corp.example", without the root's dot */
	domain_series(ctx, ups, text);
}

/* Which names each upstream is asked for. */
static void upstream_domains(struct out *o, const struct stats_sources *src)
{
	family(o, METRIC_UPSTREAM_DOMAIN, "gauge",
	       "1: the upstream is asked for names under domain (\".\": the default servers; \"#\": /#/, every "
	       "name; \"\": plain names).");
	domain_series(o, src->ups, ".");
	routes_each(src->routes, domain_route, o);
}

size_t metrics_text(const struct stats_sources *src, char *buf, size_t n)
{
	const struct upstream *all[STATS_UPSTREAMS_MAX];
	struct out o = { .buf = buf, .n = n };
	struct stats_view v;

	buf[0] = '\0';
	stats_collect(src, &v);
	one(&o, METRIC_CACHE_SIZE, "gauge", "Entries the cache holds at most (cache-size).", v.cachesize);
	one(&o, METRIC_CACHE_ENTRIES, "gauge", "Entries in the cache now.", (uint64_t)v.entries);
	one(&o, METRIC_CACHE_INSERTIONS, "counter", "Entries stored.", v.insertions);
	one(&o, METRIC_CACHE_EVICTIONS, "counter", "Entries pushed out before they expired.",
	    v.evictions);
	family(&o, METRIC_CACHE_HITS, "counter", "Queries answered from the cache, by where.");
	put(&o, METRIC_CACHE_HITS "{where=\"kernel\"} %" PRIu64 "\n", v.kernel_hits);
	put(&o, METRIC_CACHE_HITS "{where=\"daemon\"} %" PRIu64 "\n", src->stats->hits);
	one(&o, METRIC_CACHE_MISSES, "counter", "Queries sent upstream (or joined to one in flight).",
	    v.misses);
	one(&o, METRIC_QUERIES, "counter", "Queries that reached the daemon.", src->stats->queries);
	one(&o, METRIC_SHARED, "counter", "Misses that joined an upstream query already in flight.",
	    src->stats->shared);
	one(&o, METRIC_DROPPED, "counter", "Misses dropped at dns-forward-max.", src->stats->dropped);
	one(&o, METRIC_REFUSED, "counter", "Queries answered REFUSED by access-control.",
	    src->stats->refused);
	one(&o, METRIC_DENIED, "counter", "Queries dropped by access-control in the daemon.",
	    src->stats->denied);
	one(&o, METRIC_HEDGES, "counter", "Times the next upstream was asked after the hedge delay.",
	    src->stats->hedges);
	one(&o, METRIC_RESENDS, "counter",
	    "Times the best upstream was asked again: every one was asked, none answered.", src->stats->resends);
	answers(&o, &v.kernel, &src->stats->answers);
	kernel_counters(&o, &v.kernel);
	hooks(&o, src->fp);
	one(&o, METRIC_KERNEL_PREFETCH, "counter",
	    "Hits late in an entry's TTL that asked the daemon to refresh it.", v.kernel.prefetch);
	one(&o, METRIC_KERNEL_LOG_LOST, "counter", "Kernel hits left out of the query log (its ring buffer was full).",
	    v.kernel.log_lost);
	one(&o, METRIC_PREFETCHES, "counter", "Entries refreshed before they expired (started).",
	    src->stats->prefetches);
	one(&o, METRIC_STALE, "counter", "Answers from expired entries (use-stale-cache).",
	    src->stats->stale);
	upstreams(&o, all, stats_upstreams(src, all, STATS_UPSTREAMS_MAX));
	upstream_domains(&o, src);
	return o.len;
}
