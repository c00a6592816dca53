// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* stats.c - counters as dnsmasq shows them; see stats.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "dns.h"
#include "health.h"
#include "log.h"
#include "stats.h"

struct collect {
	const struct upstream **list;
	int n, max;
};

static void collect_list(struct collect *c, const struct upstreams *ups)
{
	for (int i = 0; i < ups->n; i++) {
		int seen = 0;

		for (int k = 0; k < c->n && !seen; k++)
			seen = c->list[k] == ups->list[i];
		if (!seen && c->n < c->max)
			c->list[c->n++] = ups->list[i];
	}
}

static void collect_route(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups)
{
	(void)name;
	(void)len;
	collect_list(ctx, ups);
}

int stats_upstreams(const struct stats_sources *src, const struct upstream **list, int max)
{
	struct collect c = { .list = list, .max = max };

	collect_list(&c, src->ups);
	routes_each(src->routes, collect_route, &c);
	return c.n;
}

void stats_collect(const struct stats_sources *src, struct stats_view *v)
{
	struct bpfdns_counters c = { 0 };

	memset(v, 0, sizeof(*v));
	v->cachesize = src->cfg->cache_size;
	v->insertions = src->cache->insertions;
	/* a lookup the daemon had to forward missed, shared miss or not */
	v->misses = src->stats->misses + src->stats->shared;
	v->hits = src->stats->hits;
	if (!src->fp)
		return;
	if (!fastpath_counters(src->fp, &c)) {
		v->kernel = c;
		v->kernel_hits = c.hit;
	}
	v->hits += v->kernel_hits;
	v->entries = fastpath_count(src->fp);
	v->evictions = cache_evictions(src->cache, (uint64_t)v->entries);
}

size_t stats_chaos(const struct stats_sources *src, const uint8_t *query, const struct client_query *cq, uint8_t *out,
		   size_t outsz)
{
	static const char *const names[] = { "cachesize.bind.", "insertions.bind.", "evictions.bind.",
					     "misses.bind.", "hits.bind.", "servers.bind.", "version.bind." };
	char name[1024], texts[UPSTREAM_MAX][160];
	const char *ptrs[UPSTREAM_MAX];
	struct stats_view v;
	uint64_t value;
	unsigned i;

	if (src->cfg->no_ident || cq->q.qclass != DNS_CLASS_CH ||
	    (cq->q.qtype != DNS_TYPE_TXT && cq->q.qtype != DNS_TYPE_ANY))
		return 0;
	dns_name_to_text(cq->q.name, cq->q.name_len, name, sizeof(name));
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p |= 0x20;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			break;
	if (i == sizeof(names) / sizeof(names[0]))
		return 0;
	if (!strcmp(names[i], "version.bind.")) {
		ptrs[0] = "bpfdns-" BPFDNS_VERSION;
		return answer_txt(query, cq, src->cfg->edns_packet_max, ptrs, 1, out, outsz);
	}
	if (!strcmp(names[i], "servers.bind.")) {
		const struct upstream *all[UPSTREAM_MAX];
		int n = stats_upstreams(src, all, UPSTREAM_MAX);

		for (int k = 0; k < n; k++) {
			snprintf(texts[k], sizeof(texts[k]), "%s %" PRIu64 " %" PRIu64, all[k]->name, all[k]->queries,
				 all[k]->failures);
			ptrs[k] = texts[k];
		}
		return answer_txt(query, cq, src->cfg->edns_packet_max, ptrs, n, out, outsz);
	}
	stats_collect(src, &v);
	value = i == 0 ? v.cachesize : i == 1 ? v.insertions : i == 2 ? v.evictions : i == 3 ? v.misses : v.hits;
	snprintf(texts[0], sizeof(texts[0]), "%" PRIu64, value);
	ptrs[0] = texts[0];
	return answer_txt(query, cq, src->cfg->edns_packet_max, ptrs, 1, out, outsz);
}

void stats_log(const struct stats_sources *src)
{
	const struct upstream *all[STATS_UPSTREAMS_MAX];
	int n = stats_upstreams(src, all, STATS_UPSTREAMS_MAX);
	struct stats_view v;

	stats_collect(src, &v);
	pr_info("cache size %" PRIu64 ", %d entries, %" PRIu64 " insertions, %" PRIu64 " evictions", v.cachesize,
		v.entries, v.insertions, v.evictions);
	pr_info("queries: %" PRIu64 " reached the daemon; %" PRIu64 " hits (%" PRIu64 " in the kernel), %" PRIu64
		" misses (%" PRIu64 " shared a race in flight, %" PRIu64 " dropped at dns-forward-max)",
		src->stats->queries, v.hits, v.kernel_hits, v.misses, src->stats->shared, src->stats->dropped);
	if (src->stats->refused || src->stats->denied)
		pr_info("access-control: %" PRIu64 " queries refused, %" PRIu64 " dropped", src->stats->refused,
			src->stats->denied);
	if (src->cfg->mode == UPSTREAM_HEDGED)
		pr_info("hedged: %" PRIu64 " times the next upstream was asked after a delay", src->stats->hedges);
	if (src->stats->resends)
		pr_info("%" PRIu64 " times the best upstream was asked once more, none having answered",
			src->stats->resends);
	for (int k = 0; k < n; k++)
		pr_info("server %s: queries sent %" PRIu64 ", won %" PRIu64 ", failed %" PRIu64
			", unwanted replies %" PRIu64 ", srtt %u us, p95 %u us",
			all[k]->name, all[k]->queries, all[k]->wins, all[k]->failures, all[k]->unwanted,
			all[k]->srtt_us, health_p95(all[k]));
}

static void upstreams_reset(struct upstreams *ups)
{
	for (int i = 0; ups && i < ups->n; i++) {
		struct upstream *u = ups->list[i];

		u->queries = u->wins = u->failures = u->unwanted = 0;
		u->rtt_sum_us = u->rtt_count = 0;
	}
}

static void route_reset(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups)
{
	(void)ctx;
	(void)name;
	(void)len;
	upstreams_reset(ups);
}

void stats_reset(struct server_stats *st, struct cache *c, struct fastpath *fp, struct upstreams *ups,
		 const struct routes *routes)
{
	int err;

	*st = (struct server_stats){ 0 };
	cache_stats_reset(c);
	upstreams_reset(ups);
	if (routes)
		routes_each(routes, route_reset, NULL);
	if (fp && (err = fastpath_counters_reset(fp)))
		pr_warn("cannot reset the fast path's counters: %s", strerror(-err));
	pr_info("statistics reset");
}
