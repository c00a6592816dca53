/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* miss.h - a cache miss: the query asked upstream (strategy.c says whom and
 * when, leg.c asks), its waiters, sharing by key, the answer fanned out. */
#ifndef BPFDNS_MISS_H
#define BPFDNS_MISS_H

#include <stddef.h>
#include <stdint.h>
#include "answer.h"
#include "server.h"

struct leg;

/*
 * Answer from upstream: join the miss already in flight for cq's key, or
 * start one (asking with a query of our own for the key). msg is the
 * client's query, for its ID and question bytes. The client is answered when the
 * miss ends: with the winning reply, a failed upstream's reply when every
 * upstream failed, or SERVFAIL at the deadline. Returns 0, or -EBUSY when
 * there is no room for a TCP client's query now (dns-forward-max misses in
 * flight, or the shared one has WAITERS_MAX clients): offer it again later.
 */
int miss_join(struct server *srv, const struct client *from, const uint8_t *msg, const struct client_query *cq);
/* Ask upstream for key in the background (prefetch, or a refresh behind a
 * stale answer), unless a query for it is in flight. 1 when started. */
int miss_refresh(struct server *srv, const struct bpfdns_key *key);
/* Answer the clients past their query-timeout; end the misses past their
 * resolution deadline; move strict-order ones on. */
void miss_check_deadlines(struct server *srv, uint64_t now_ms);
/* hedged: ask the next upstream where the hedge delay has passed. */
void miss_check_hedges(struct server *srv, uint64_t now_us);
/* Ask upstream idx (of the current list) ". NS" in the background: any
 * reply says it is reachable (health), no client waits on it. */
void miss_probe(struct server *srv, int idx);
/* Set up the miss table (the upstream mode's parameters, the hedge budget). */
void miss_init(struct server *srv);
/* The earliest hedge due (µs), 0: none. */
uint64_t miss_next_hedge_us(const struct server *srv);
/* 1 while a miss is upstream. */
int miss_in_flight(const struct server *srv);
/* Free misses finished during this epoll batch. */
void miss_free_finished(struct server *srv);
/* Drop every miss (shutdown): clients get nothing. */
void miss_abort_all(struct server *srv);

#endif /* BPFDNS_MISS_H */
