/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* stats.h - what bpfdnsd reports: dnsmasq's CHAOS TXT names and SIGUSR1. */
#ifndef BPFDNS_STATS_H
#define BPFDNS_STATS_H

#include <stddef.h>
#include <stdint.h>
#include "answer.h"
#include "cache.h"
#include "config.h"
#include "counters.h"
#include "fastpath.h"
#include "routes.h"
#include "upstream.h"

/* What the reports read (built by server.c): the parts' numbers, not the
 * parts. */
struct stats_sources {
	const struct config *cfg;
	const struct cache *cache;
	struct fastpath *fp; /* NULL: no fast path */
	const struct server_stats *stats;
	const struct upstreams *ups;
	const struct routes *routes; /* the domains' own servers; NULL: none */
};

#define STATS_UPSTREAMS_MAX 256

/* Every upstream once: the default ones, then the domains' (server=/d/IP);
 * how many, into list. */
int stats_upstreams(const struct stats_sources *src, const struct upstream **list, int max);

/* The numbers dnsmasq reports, and the fast path's counters. */
struct stats_view {
	uint64_t cachesize, insertions, evictions, misses, hits, kernel_hits;
	int entries;
	struct bpfdns_counters kernel; /* zero without a fast path */
};

void stats_collect(const struct stats_sources *src, struct stats_view *v);
/*
 * Answer a CHAOS TXT query for one of dnsmasq's names (cachesize.bind,
 * insertions.bind, evictions.bind, misses.bind, hits.bind, servers.bind,
 * version.bind) into out. Returns the length, or 0 when the query is not
 * one of them, or no-ident is set.
 */
size_t stats_chaos(const struct stats_sources *src, const uint8_t *query, const struct client_query *cq, uint8_t *out,
		   size_t outsz);
/* Log the same numbers, one upstream per line (SIGUSR1). */
void stats_log(const struct stats_sources *src);

/* "reset" (bpfdnsctl stats --reset): every counter the daemon and the
 * fast path keep from zero again; the cache's entries stay. */
void stats_reset(struct server_stats *st, struct cache *c, struct fastpath *fp, struct upstreams *ups,
		 const struct routes *routes);

#endif /* BPFDNS_STATS_H */
