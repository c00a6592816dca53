/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* miss.h - a cache miss: the query asked upstream (strategy.c says whom and
 * when, leg.c asks), its waiters, sharing by key, the answer fanned out. */
#ifndef BPFDNS_MISS_H
#define BPFDNS_MISS_H

#include <stddef.h>
#include <stdint.h>
#include "answer.h"
#include "cache.h"
#include "client.h"
#include "config.h"
#include "counters.h"
#include "strategy.h"
#include "upstream.h"

#define MISS_BUCKETS 1024

struct miss;

/* The misses in flight; only miss.c touches them (probe.c asks through
 * miss_probe). */
struct misses {
	/* given (miss_init) */
	const struct config *cfg;
	int epfd;
	struct cache *cache;
	struct upstreams *const *ups; /* the current list (a reload swaps it) */
	struct server_stats *stats;
	/* its own */
	struct miss *head;		   /* in flight, for deadlines */
	int n;
	struct miss *by_key[MISS_BUCKETS]; /* in flight, to share */
	__u64 hash_key[2];		   /* key_bucket's, random */
	struct miss *finished;		   /* freed after the current epoll batch */
	uint64_t next_hedge_us;		   /* the earliest hedge due, 0: none */
	struct strategy_cfg strategy;	   /* the upstream mode's parameters */
	struct hedge_budget budget;	   /* one hedge per 10 misses */
};

/* Set up the miss table: the upstream mode's parameters (from cfg), the
 * hedge budget, and what misses use. */
void miss_init(struct misses *ms, const struct config *cfg, int epfd, struct cache *cache,
	       struct upstreams *const *ups, struct server_stats *stats);

/*
 * Answer from upstream: join the miss already in flight for cq's key, or
 * start one (asking ups, the name's servers; NULL: the default ones, with
 * a query of our own for the key). msg is the
 * client's query, for its ID and question bytes. The client is answered when the
 * miss ends: with the winning reply, a failed upstream's reply when every
 * upstream failed, or SERVFAIL at the deadline. Returns 0, or -EBUSY when
 * there is no room for a TCP client's query now (dns-forward-max misses in
 * flight, or the shared one has WAITERS_MAX clients): offer it again later.
 */
int miss_join(struct misses *ms, const struct client *from, const uint8_t *msg, const struct client_query *cq,
	      struct upstreams *ups);
/* Ask ups (NULL: the default servers) for key in the background
 * (prefetch, or a refresh behind a stale answer), unless a query for it is
 * in flight. 1 when started. */
int miss_refresh(struct misses *ms, const struct bpfdns_question *key, struct upstreams *ups);
/* Answer the clients past their query-timeout; end the misses past their
 * resolution deadline; move strict-order ones on. */
void miss_check_deadlines(struct misses *ms, uint64_t now_ms);
/* hedged: ask the next upstream where the hedge delay has passed. */
void miss_check_hedges(struct misses *ms, uint64_t now_us);
/* Ask upstream idx of ups query (len bytes, its question
 * q) in the background: any reply to it says the upstream is reachable
 * (health); no client waits on it, nothing is cached. */
void miss_probe(struct misses *ms, struct upstreams *ups, int idx, const uint8_t *query, size_t len,
		const struct dns_question *q);
/* The earliest hedge due (µs), 0: none. */
static inline uint64_t miss_next_hedge_us(const struct misses *ms)
{
	return ms->next_hedge_us;
}
/* 1 while a miss is upstream. */
static inline int miss_in_flight(const struct misses *ms)
{
	return ms->head != NULL;
}
/* Free misses finished during this epoll batch. */
void miss_free_finished(struct misses *ms);
/* Drop every miss (shutdown): clients get nothing. */
void miss_abort_all(struct misses *ms);

#endif /* BPFDNS_MISS_H */
