/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* counters.h - what the daemon counts (the fast path counts its own hits):
 * each part is handed this and bumps its own fields; metrics.c and stats.c
 * read them. */
#ifndef BPFDNS_COUNTERS_H
#define BPFDNS_COUNTERS_H

#include <stdint.h>
#include "answers.h"

struct server_stats {
	uint64_t queries;    /* reached the daemon (server.c) */
	uint64_t hits;	     /* answered by the daemon from the cache map (server.c) */
	uint64_t misses;     /* sent upstream (miss.c) */
	uint64_t shared;     /* joined a miss already in flight (miss.c) */
	uint64_t dropped;    /* dns-forward-max reached (miss.c) */
	uint64_t hedges;     /* hedged: next upstream asked after a delay (miss.c) */
	uint64_t resends;    /* every upstream asked, none answered: the best once more (miss.c) */
	uint64_t refused;    /* access-control: answered REFUSED (server.c) */
	uint64_t denied;     /* access-control: dropped (server.c, tcpconn.c) */
	uint64_t prefetches; /* refreshes started before expiry (server.c) */
	uint64_t stale;	     /* answers from expired entries (server.c, miss.c) */
	struct answer_stats answers; /* what clients got from the daemon (client.c) */
};

#endif /* BPFDNS_COUNTERS_H */
