/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * answers.h - what clients got from the daemon, counted as it is sent
 * (client_send): by where the answer came from and its RCODE, and how long
 * the query waited, as a histogram. The kernel's answers are the fast
 * path's counters (hit, hit_nxdomain): it answers before anything could
 * time it.
 */
#ifndef BPFDNS_ANSWERS_H
#define BPFDNS_ANSWERS_H

#include <stdint.h>

enum answer_where {
	ANSWER_CACHE,	 /* the daemon, from the cache map (too big for the kernel, TCP) */
	ANSWER_STALE,	 /* an expired entry, no upstream answering (use-stale-cache) */
	ANSWER_UPSTREAM, /* a miss: the upstream's reply, or SERVFAIL when none came */
	ANSWER_LOCAL,	 /* our own: hosts, address=, CHAOS, REFUSED, FORMERR... */
	ANSWER_WHERES,
};

/* The histogram's upper bounds, in µs; answers above the last are counted
 * in bucket[ANSWER_BUCKETS]. */
#define ANSWER_BUCKETS 14
extern const uint32_t answer_bucket_us[ANSWER_BUCKETS];

struct answer_stats {
	uint64_t rcode[ANSWER_WHERES][16];
	uint64_t bucket[ANSWER_BUCKETS + 1]; /* not cumulative: above the bound before, up to this one */
	uint64_t sum_us, count;
};

/* "cache", "stale", "upstream", "local". */
const char *answer_where_name(enum answer_where where);
/* One answer sent, its RCODE (low 4 bits), took_us after the query came. */
void answers_count(struct answer_stats *a, enum answer_where where, uint8_t rcode, uint64_t took_us);

#endif /* BPFDNS_ANSWERS_H */
