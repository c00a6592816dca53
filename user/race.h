/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* race.h - a cache miss: the query raced over the upstreams, its waiters. */
#ifndef BPFDNS_RACE_H
#define BPFDNS_RACE_H

#include <stddef.h>
#include <stdint.h>
#include "answer.h"
#include "server.h"

struct leg;

/*
 * Answer from upstream: join the race already in flight for cq's key, or
 * start one (asking with a query of our own for the key). msg is the
 * client's query, for its ID and question bytes. The client is answered when the
 * race ends: with the winning reply, a failed upstream's reply when every
 * upstream failed, or SERVFAIL at the deadline. Returns 0, or -EBUSY when
 * there is no room for a TCP client's query now (dns-forward-max misses in
 * flight, or the shared one has WAITERS_MAX clients): offer it again later.
 */
int race_join(struct server *srv, const struct client *from, const uint8_t *msg, const struct client_query *cq);
/* Ask upstream for key in the background (prefetch, or a refresh behind a
 * stale answer), unless a query for it is in flight. 1 when started. */
int race_refresh(struct server *srv, const struct bpfdns_key *key);
/* SERVFAIL the races past their deadline; move strict-order ones on. */
void race_check_deadlines(struct server *srv, uint64_t now_ms);
/* hedged: ask the next upstream where the hedge delay has passed. */
void race_check_hedges(struct server *srv, uint64_t now_us);
/* Probe, in the background, the upstreams that failed or were not heard
 * from lately, each at most every HEALTH_PROBE_MS. */
void race_probe_upstreams(struct server *srv, uint64_t now_ms);
/* Free races finished during this epoll batch. */
void race_free_finished(struct server *srv);
/* Drop every race (shutdown): clients get nothing. */
void race_abort_all(struct server *srv);

#endif /* BPFDNS_RACE_H */
