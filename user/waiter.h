/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * waiter.h - a client waiting on a miss, and its answer: one reply fanned
 * out to every client of a miss, each with its own ID, question bytes
 * (letter case) and EDNS, from the cache entry exactly as the fast path
 * would build it, or relayed when no entry can hold the reply.
 */
#ifndef BPFDNS_WAITER_H
#define BPFDNS_WAITER_H

#include <stddef.h>
#include <stdint.h>
#include "answer.h"
#include "client.h"
#include "querylog.h"

struct waiter {
	struct waiter *next;
	uint64_t deadline_ms; /* query-timeout: then it gets an answer, the miss or not */
	struct client to;
	struct client_query cq;
	uint8_t query[DNS_HDR_LEN + DNS_NAME_MAX + 1 + 4]; /* its header and question */
};

#define WAITERS_MAX 64 /* clients sharing one miss; more UDP ones are dropped (they retry), TCP ones wait */

/* A failed upstream's reply, kept for the clients in case every upstream
 * fails. */
struct fallback {
	uint8_t *msg; /* NULL: none */
	size_t len, qend;
};

/* A miss's clients. */
struct waiters {
	struct waiter *head;
	int n;
	uint64_t due_ms; /* the earliest one's deadline; 0: none */
};

/* Add a client; -ENOBUFS at WAITERS_MAX, -ENOMEM. */
int waiters_add(struct waiters *ws, const struct client *from, const uint8_t *msg, const struct client_query *cq,
		uint64_t deadline_ms);
/* Call fail(ctx, w) for each waiter past its deadline at now_ms, then
 * free it. How many there were. */
int waiters_expire(struct waiters *ws, uint64_t now_ms, void (*fail)(void *ctx, const struct waiter *w), void *ctx);
/* Free them all (their clients get nothing more). */
void waiters_clear(struct waiters *ws);

/* A waiter for the client's query msg (cq parsed from it); the client is
 * held (a TCP conn stays while the answer is owed). NULL when out of
 * memory or the question does not fit. */
struct waiter *waiter_new(const struct client *from, const uint8_t *msg, const struct client_query *cq,
			  uint64_t deadline_ms);
/* Release the client and free w. */
void waiter_free(struct waiter *w);
/*
 * Answer w (our EDNS size edns_max): from the entry e when there is one (msg is not needed then),
 * else the reply msg (len bytes, its question ending at qend) relayed;
 * when that does not fit a UDP client's limit, the header and question
 * with TC (ask again over TCP). A TCP client never gets TC: SERVFAIL when
 * the reply cannot be relayed.
 */
void waiter_answer(const struct waiter *w, uint16_t edns_max, const uint8_t *msg, size_t len, size_t qend,
		   const struct entry *e);
void waiter_servfail(const struct waiter *w, uint16_t edns_max);
/* No good answer for w: the stale entry when there is one (RFC 8767), else
 * the failed upstream's reply in fb, else SERVFAIL. */
void waiter_fail(const struct waiter *w, uint16_t edns_max, const struct entry *stale,
		 const struct fallback *fb);

/* Log (under tag) what waiter_fail gives w: the stale answer, nothing more
 * for the upstream's error (logged when it came), or our SERVFAIL. */
void waiter_log_fail(const struct waiter *w, const struct qlog_tag *tag, uint16_t edns_max,
		     const struct entry *stale, const struct fallback *fb);

/* Keep the first failed upstream's reply in fb (a copy). */
void fallback_keep(struct fallback *fb, const uint8_t *msg, size_t len, size_t qend);
void fallback_free(struct fallback *fb);

#endif /* BPFDNS_WAITER_H */
