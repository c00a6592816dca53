// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* waiter.c - a client waiting on a miss, and its answer; see waiter.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "waiter.h"

struct waiter *waiter_new(const struct client *from, const uint8_t *msg, const struct client_query *cq,
			  uint64_t deadline_ms)
{
	struct waiter *w;

	if (cq->q.end > sizeof(w->query))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->deadline_ms = deadline_ms;
	w->to = *from;
	w->cq = *cq;
	memcpy(w->query, msg, cq->q.end);
	client_hold(&w->to);
	return w;
}

void waiter_free(struct waiter *w)
{
	client_release(&w->to);
	free(w);
}

int waiters_add(struct waiters *ws, const struct client *from, const uint8_t *msg, const struct client_query *cq,
		uint64_t deadline_ms)
{
	struct waiter *w;

	if (ws->n >= WAITERS_MAX)
		return -ENOBUFS;
	w = waiter_new(from, msg, cq, deadline_ms);
	if (!w)
		return -ENOMEM;
	if (!ws->due_ms || w->deadline_ms < ws->due_ms)
		ws->due_ms = w->deadline_ms;
	w->next = ws->head;
	ws->head = w;
	ws->n++;
	return 0;
}

int waiters_expire(struct waiters *ws, uint64_t now_ms, void (*fail)(void *ctx, const struct waiter *w), void *ctx)
{
	int expired = 0;

	if (!ws->due_ms || now_ms < ws->due_ms)
		return 0;
	ws->due_ms = 0;
	for (struct waiter **pw = &ws->head; *pw;) {
		struct waiter *w = *pw;

		if (now_ms < w->deadline_ms) {
			if (!ws->due_ms || w->deadline_ms < ws->due_ms)
				ws->due_ms = w->deadline_ms;
			pw = &w->next;
			continue;
		}
		fail(ctx, w);
		expired++;
		*pw = w->next;
		ws->n--;
		waiter_free(w);
	}
	return expired;
}

void waiters_clear(struct waiters *ws)
{
	while (ws->head) {
		struct waiter *w = ws->head;

		ws->head = w->next;
		waiter_free(w);
	}
	ws->n = 0;
	ws->due_ms = 0;
}

/* The reply (checked whole, never truncated) relayed with the waiter's ID,
 * question bytes and EDNS. Over TCP an answer that our OPT would push past
 * 65535 bytes goes without the OPT (RFC 6891 7: better than truncating).
 * Returns 0 when it could not be: too big for the client's UDP limit, or
 * not relayable. */
static size_t relay(const struct waiter *w, uint16_t edns_max, const uint8_t *msg, size_t len, size_t qend)
{
	size_t limit = client_answer_limit(&w->to, &w->cq, edns_max), n;
	uint8_t *out = malloc(len + DNS_OPT_LEN);
	struct client_query bare = w->cq;

	if (!out)
		return 0;
	n = answer_relay(w->query, &w->cq, msg, len, qend, edns_max, limit, out, len + DNS_OPT_LEN);
	if (!n && w->to.conn && bare.has_opt) {
		bare.has_opt = 0;
		n = answer_relay(w->query, &bare, msg, len, qend, edns_max, limit, out,
				 len + DNS_OPT_LEN);
	}
	if (n)
		client_send(&w->to, ANSWER_UPSTREAM, out, n);
	free(out);
	return n;
}

/* The answer from entry e, as stored (TTLs not aged). */
static void send_entry(const struct waiter *w, uint16_t edns_max, const struct entry *e, enum answer_where where)
{
	uint8_t out[MSG_MAX];
	size_t n = answer_cached(w->query, &w->cq, e, e->stored_ns, edns_max,
				 client_answer_limit(&w->to, &w->cq, edns_max), out, sizeof(out));

	client_send(&w->to, where, out, n);
}

void waiter_answer(const struct waiter *w, uint16_t edns_max, const uint8_t *msg, size_t len, size_t qend,
		   const struct entry *e)
{
	uint8_t out[MSG_MAX];
	size_t n;

	if (e) {
		send_entry(w, edns_max, e, ANSWER_UPSTREAM);
		return;
	}
	if (relay(w, edns_max, msg, len, qend))
		return;
	if (w->to.conn)
		n = answer_error(w->query, &w->cq, DNS_RCODE_SERVFAIL, edns_max, out, sizeof(out));
	else
		n = answer_truncated(w->query, &w->cq, msg[3] & DNS_RCODE, edns_max, out, sizeof(out));
	client_send(&w->to, ANSWER_UPSTREAM, out, n);
}

void waiter_servfail(const struct waiter *w, uint16_t edns_max)
{
	uint8_t out[MSG_MAX];
	size_t n = answer_error(w->query, &w->cq, DNS_RCODE_SERVFAIL, edns_max, out, sizeof(out));

	client_send(&w->to, ANSWER_UPSTREAM, out, n);
}

void waiter_fail(const struct waiter *w, uint16_t edns_max, const struct entry *stale,
		 const struct fallback *fb)
{
	if (stale)
		send_entry(w, edns_max, stale, ANSWER_STALE);
	else if (fb->msg)
		waiter_answer(w, edns_max, fb->msg, fb->len, fb->qend, NULL);
	else
		waiter_servfail(w, edns_max);
}

void waiter_log_fail(const struct waiter *w, const struct qlog_tag *tag, uint16_t edns_max,
		     const struct entry *stale, const struct fallback *fb)
{
	uint8_t out[MSG_MAX];
	size_t n;

	if (tag->mode == QUERYLOG_OFF)
		return;
	if (stale) {
		n = answer_from_entry(w->query, &w->cq, stale, stale->stored_ns, edns_max, sizeof(out), out,
				      sizeof(out));
		qlog_answer(tag, "cached-stale", out, n);
	} else if (!fb->msg) {
		qlog_error(tag, "config", DNS_RCODE_SERVFAIL);
	}
}

/* A FORMERR, SERVFAIL, NOTIMP or REFUSED says more than our SERVFAIL
 * would; RCODEs a query should never get (YXDOMAIN... reserved) say
 * nothing, and are not passed on. */
void fallback_keep(struct fallback *fb, const uint8_t *msg, size_t len, size_t qend)
{
	uint8_t *copy;

	if (fb->msg || (msg[3] & DNS_RCODE) > DNS_RCODE_REFUSED)
		return;
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, msg, len);
	*fb = (struct fallback){ .msg = copy, .len = len, .qend = qend };
}

void fallback_free(struct fallback *fb)
{
	free(fb->msg);
	fb->msg = NULL;
}
