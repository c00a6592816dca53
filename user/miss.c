// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * miss.c - a cache miss asked upstream (Unbound's serviced query): shared by
 * identical queries (same cache key) in flight, its clients answered at
 * once when it ends (waiter.c), its lifetime. Which upstream, and when, is
 * strategy.c's decision; each one asked is a leg (leg.c). The first
 * NOERROR or NXDOMAIN wins; a failed upstream's SERVFAIL, REFUSED... wins
 * only when every upstream failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "answer.h"
#include "cachemap.h"
#include "clock.h"
#include "health.h"
#include "log.h"
#include "leg.h"
#include "miss.h"
#include "querylog.h"
#include "strategy.h"
#include "waiter.h"

#define RESOLVE_MS 10000 /* RFC 8767: how long a miss is asked upstream, past query-timeout */

struct miss {
	struct misses *ms;	      /* whose it is */
	struct miss *next, **pprev;   /* ms->head */
	struct miss *hnext, **hpprev; /* ms->by_key[] */
	struct bpfdns_question key;
	struct dns_question q; /* what replies must match */
	struct upstreams *ups; /* the list it started with */
	struct waiters waiters; /* its clients */
	uint64_t deadline_ms;	  /* resolution: then every leg has failed */
	struct plan plan;	  /* which upstream next, and when (strategy.c) */
	struct upstream *winner;  /* whose answer ended it: its other legs are no loss */
	int probe;	      /* a background probe of one upstream: no clients */
	int n_legs, open_legs;
	struct leg legs[UPSTREAM_MAX];
	struct fallback fallback; /* a failed upstream's reply, in case all fail */
	uint32_t log_serial;	  /* its first client's query in the query log; 0: none */
	struct sockaddr_storage log_client;
	size_t qlen;
	uint8_t query[]; /* as sent upstream; each leg puts its own ID in */
};

/* The cache key's hash: keyed (no one can pick names that share a bucket). */
static unsigned key_bucket(const struct misses *ms, const struct bpfdns_question *key)
{
	struct bpfdns_key k;

	cachemap_key(key, ms->hash_key, &k);
	return (unsigned)((k.name_hash ^ ((uint64_t)k.qtype << 8 | k.flags)) % MISS_BUCKETS);
}

/* The miss in flight for key (not a probe), or NULL. */
static struct miss *miss_find(const struct misses *ms, const struct bpfdns_question *key)
{
	struct miss *r = ms->by_key[key_bucket(ms, key)];

	while (r && memcmp(&r->key, key, sizeof(r->key)))
		r = r->hnext;
	return r;
}

/* Wake in time for r's next hedge. */
static void miss_note_hedge(struct misses *ms, const struct miss *r)
{
	if (r->plan.hedge_at_us && (!ms->next_hedge_us || r->plan.hedge_at_us < ms->next_hedge_us))
		ms->next_hedge_us = r->plan.hedge_at_us;
}

/* r's lines in the query log go under its first client's query, as
 * dnsmasq's; a probe or a refresh has no client, and no lines. */
static struct qlog_tag miss_tag(const struct misses *ms, const struct miss *r)
{
	return r->log_serial ? (struct qlog_tag){ ms->cfg->log_queries, r->log_serial, &r->log_client }
			     : (struct qlog_tag){ .mode = QUERYLOG_OFF };
}

/* Close a leg of r (if open). */
static void miss_close_leg(struct miss *r, struct leg *leg)
{
	if (!leg_open(leg))
		return;
	leg_close(leg);
	r->open_legs--;
}

/* Unlink a miss and release what it holds; the memory goes after the
 * epoll batch, whose events may still point at its legs (fds are -1). */
static void miss_end(struct misses *ms, struct miss *r)
{
	uint64_t now_us = clock_now_us();

	for (int i = 0; i < r->n_legs; i++) {
		/* still out when another answered: at least this slow */
		if (leg_open(&r->legs[i]) && r->legs[i].u != r->winner)
			health_slow(r->legs[i].u, (uint32_t)(now_us - r->legs[i].sent_us), now_us / 1000);
		miss_close_leg(r, &r->legs[i]);
	}
	waiters_clear(&r->waiters);
	if (r->next)
		r->next->pprev = r->pprev;
	*r->pprev = r->next;
	if (r->hpprev) { /* probes are not shared */
		if (r->hnext)
			r->hnext->hpprev = r->hpprev;
		*r->hpprev = r->hnext;
	}
	upstreams_put(r->ups);
	fallback_free(&r->fallback);
	ms->n--;
	r->next = ms->finished;
	ms->finished = r;
}

void miss_free_finished(struct misses *ms)
{
	while (ms->finished) {
		struct miss *r = ms->finished;

		ms->finished = r->next;
		free(r);
	}
}

/* End the miss with this reply: cache it when it may be, answer everyone. */
static void miss_answer(struct misses *ms, struct miss *r, const uint8_t *msg, size_t len, size_t qend)
{
	struct entry e;
	int have_entry = !r->probe && !cache_put_reply(ms->cache, &r->key, msg, len, &e);
	struct qlog_tag tag = miss_tag(ms, r);

	for (struct waiter *w = r->waiters.head; w; w = w->next)
		waiter_answer(w, ms->cfg->edns_packet_max, msg, len, qend, have_entry ? &e : NULL);
	qlog_answer(&tag, "reply", msg, len);
	miss_end(ms, r);
}

/* No good answer for w (yet): see waiter_fail. */
static void miss_fail_waiter(struct misses *ms, const struct miss *r, const struct waiter *w,
			     const struct entry *stale)
{
	waiter_fail(w, ms->cfg->edns_packet_max, stale, &r->fallback);
	if (stale)
		ms->stats->stale++;
}

/* What r's clients got when no upstream answered. */
static void log_fail(const struct misses *ms, const struct miss *r, const struct entry *stale)
{
	struct qlog_tag tag = miss_tag(ms, r);

	if (r->waiters.head)
		waiter_log_fail(r->waiters.head, &tag, ms->cfg->edns_packet_max, stale, &r->fallback);
}

/* No upstream gave a good answer, nor will: every waiter gets what
 * waiter_fail gives, and the miss ends. */
static void miss_fail(struct misses *ms, struct miss *r)
{
	struct entry stale;
	int have_stale = r->waiters.head && cache_get_stale(ms->cache, &r->key, &stale);

	for (struct waiter *w = r->waiters.head; w; w = w->next)
		miss_fail_waiter(ms, r, w, have_stale ? &stale : NULL);
	log_fail(ms, r, have_stale ? &stale : NULL);
	miss_end(ms, r);
}

/*
 * Clients whose query-timeout passed get what waiter_fail gives, while the
 * miss goes on until its resolution deadline (RFC 8767: a short client
 * response timer, a long resolution timer): an upstream that needs longer
 * than query-timeout (a recursive resolver on a cold cache) still fills the
 * cache, and the client's retry finds the answer there.
 */
struct expiry {
	struct miss *r;
	int have_stale; /* -1: not looked up yet */
	struct entry stale;
};

static void expire_one(void *ctx, const struct waiter *w)
{
	struct expiry *x = ctx;
	struct misses *ms = x->r->ms;

	if (x->have_stale < 0) { /* the first one: the upstreams still asked are late */
		x->have_stale = cache_get_stale(ms->cache, &x->r->key, &x->stale);
		log_fail(ms, x->r, x->have_stale ? &x->stale : NULL);
		for (int i = 0; i < x->r->n_legs; i++)
			if (leg_open(&x->r->legs[i]))
				health_late(x->r->legs[i].u, clock_now_ms());
	}
	miss_fail_waiter(ms, x->r, w, x->have_stale ? &x->stale : NULL);
}

static void miss_expire_waiters(struct miss *r, uint64_t now_ms)
{
	struct expiry x = { .r = r, .have_stale = -1 };

	waiters_expire(&r->waiters, now_ms, expire_one, &x);
}

static void miss_on_leg_done(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend,
			     uint32_t rtt_us);

/* Ask u, as the next leg of r. 0, or -errno when it could not be asked
 * (counted against u when it refused at once). */
static int miss_leg_start(struct misses *ms, struct miss *r, struct upstream *u)
{
	struct leg *leg = &r->legs[r->n_legs];
	int err = leg_start(leg, ms->epfd, u, r->query, r->qlen, &r->q, miss_on_leg_done, r);
	struct qlog_tag tag;

	if (err > 0) {
		u->failures++;
		health_fail(u, clock_now_ms());
		return -ECONNREFUSED;
	}
	if (err)
		return err;
	leg->any_reply = r->probe;
	r->n_legs++;
	r->open_legs++;
	tag = miss_tag(ms, r);
	qlog_forwarded(&tag, r->q.name, r->q.name_len, u->name);
	return 0;
}

/* Ask up to want more upstreams, as the plan orders them (one that cannot
 * be asked is skipped); the end when none is out and none is left. */
static void miss_ask(struct misses *ms, struct miss *r, int want)
{
	int asked = 0, idx;

	while (asked < want && (idx = strategy_take(&r->plan)) >= 0) {
		struct upstream *u = r->ups->list[idx];

		if (legs_heard_from(r->legs, r->n_legs, u) || miss_leg_start(ms, r, u))
			continue;
		asked++;
		strategy_asked(&r->plan, &ms->strategy, &ms->budget, u, clock_now_us(), clock_now_ms());
		miss_note_hedge(ms, r);
	}
	if (!asked && !r->open_legs)
		miss_fail(ms, r);
}

/* A leg of r is over without a good answer: the next upstream, or the end. */
static void miss_leg_lost(struct misses *ms, struct miss *r, struct leg *leg)
{
	miss_close_leg(r, leg);
	switch (strategy_after_loss(&r->plan, &ms->strategy, r->open_legs, leg == &r->legs[r->n_legs - 1])) {
	case STRATEGY_WAIT:
		break;
	case STRATEGY_ASK_NEXT:
		miss_ask(ms, r, 1);
		break;
	case STRATEGY_GIVE_UP:
		miss_fail(ms, r);
		break;
	}
}

/* How a leg ended: the answer wins; a correct error (SERVFAIL, REFUSED...)
 * is worth asking another upstream for, but counts as reached unless every
 * name fails; no usable reply is that upstream's failure. */
static void miss_on_leg_done(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend,
			     uint32_t rtt_us)
{
	struct miss *r = leg->owner;
	struct misses *ms = r->ms;
	struct upstream *u = leg->u;
	struct qlog_tag tag;

	switch (out) {
	case LEG_ANSWER:
		if (!r->probe)
			u->wins++;
		health_ok(u, rtt_us, clock_now_ms());
		r->winner = u;
		miss_answer(ms, r, msg, len, qend);
		return;
	case LEG_ERROR:
		health_refused(u, rtt_us, clock_now_ms());
		tag = miss_tag(ms, r);
		qlog_answer(&tag, "reply", msg, len);
		if (r->probe) {
			miss_answer(ms, r, msg, len, qend);
			return;
		}
		fallback_keep(&r->fallback, msg, len, qend);
		miss_leg_lost(ms, r, leg);
		return;
	case LEG_FAILED:
		u->failures++;
		health_fail(u, clock_now_ms());
		miss_leg_lost(ms, r, leg);
		return;
	}
}

/* A new miss for key and question q, asking with msg (len bytes); linked
 * for deadlines and, unless a probe, for sharing. NULL when out of room. */
static struct miss *miss_new(struct misses *ms, const struct bpfdns_question *key, const struct dns_question *q,
			     const uint8_t *msg, size_t len, int probe, struct upstreams *ups)
{
	struct miss *r = calloc(1, sizeof(*r) + len);

	if (!r)
		return NULL;
	ms->n++;
	r->ms = ms;
	r->key = *key;
	r->q = *q;
	r->qlen = len;
	r->probe = probe;
	memcpy(r->query, msg, len);
	/* a probe asks whether an upstream answers in time; a client's miss
	 * goes on after its clients got SERVFAIL, so a late answer is cached */
	r->deadline_ms = clock_now_ms() + (probe || ms->cfg->timeout_ms > RESOLVE_MS ? ms->cfg->timeout_ms
										: RESOLVE_MS);
	r->ups = upstreams_get(ups ? ups : *ms->ups);
	r->next = ms->head;
	r->pprev = &ms->head;
	if (r->next)
		r->next->pprev = &r->next;
	ms->head = r;
	if (!probe) {
		struct miss **bucket = &ms->by_key[key_bucket(ms, key)];

		r->hnext = *bucket;
		r->hpprev = bucket;
		if (r->hnext)
			r->hnext->hpprev = &r->hnext;
		*bucket = r;
	}
	return r;
}

/* A new miss asking upstream for key with a query of our own (the key's
 * flags, our OPT), whoever asked us: a client's EDNS options never go
 * upstream, and the answer is good for every client of the key. */
static struct miss *miss_new_for_key(struct misses *ms, const struct bpfdns_question *key, struct upstreams *ups)
{
	uint8_t msg[DNS_HDR_LEN + BPFDNS_NAME_MAX + 4 + DNS_OPT_LEN];
	struct dns_question q;
	size_t len = entry_key_query(key, ms->cfg->edns_packet_max, msg, &q);

	return miss_new(ms, key, &q, msg, len, 0, ups);
}

/* Room for a new miss at dns-forward-max: end a miss whose clients all got
 * their answer at query-timeout and that is only waiting for a late reply
 * to cache. 1 when one was ended. */
static int miss_reclaim(struct misses *ms)
{
	for (struct miss *r = ms->head; r; r = r->next) {
		if (!r->waiters.head && !r->probe) {
			miss_end(ms, r);
			return 1;
		}
	}
	return 0;
}

int miss_join(struct misses *ms, const struct client *from, const uint8_t *msg, const struct client_query *cq,
	      struct upstreams *ups)
{
	/* a TCP client never retransmits: it waits for room instead */
	int busy = from->conn ? -EBUSY : 0;
	struct miss *r = miss_find(ms, &cq->key);

	if (r) {
		if (waiters_add(&r->waiters, from, msg, cq, clock_now_ms() + ms->cfg->timeout_ms))
			return busy;
		ms->stats->shared++;
		if (!r->log_serial) { /* a refresh: its lines are this client's now */
			r->log_serial = cq->log_serial;
			r->log_client = from->addr;
		}
		return 0;
	}
	if (ms->n >= (int)ms->cfg->forward_max && !miss_reclaim(ms)) {
		if (busy)
			return busy;
		/* as dnsmasq: drop, the client retries; say so now and then */
		if (ms->stats->dropped++ % 1000 == 0)
			pr_warn("dns-forward-max=%u queries in flight: dropping new misses",
				ms->cfg->forward_max);
		return 0;
	}
	r = miss_new_for_key(ms, &cq->key, ups);
	if (!r)
		return busy;
	ms->stats->misses++;
	if (waiters_add(&r->waiters, from, msg, cq, clock_now_ms() + ms->cfg->timeout_ms)) {
		miss_end(ms, r);
		return busy;
	}
	r->log_serial = cq->log_serial;
	r->log_client = from->addr;
	miss_ask(ms, r, strategy_start(&r->plan, &ms->strategy, r->ups, &ms->budget)); /* the first queries */
	return 0;
}

int miss_refresh(struct misses *ms, const struct bpfdns_question *key, struct upstreams *ups)
{
	struct miss *r;

	if (miss_find(ms, key) || ms->n >= (int)ms->cfg->forward_max)
		return 0; /* already on its way, or no room */
	r = miss_new_for_key(ms, key, ups);
	if (!r)
		return 0;
	miss_ask(ms, r, strategy_start(&r->plan, &ms->strategy, r->ups, &ms->budget)); /* the first queries */
	return 1;
}

void miss_probe(struct misses *ms, struct upstreams *ups, int idx, const uint8_t *query, size_t len,
		const struct dns_question *q)
{
	struct bpfdns_question key = { .qtype = q->qtype, .qclass = q->qclass };
	struct miss *r = miss_new(ms, &key, q, query, len, 1, ups);

	if (!r)
		return;
	strategy_probe(&r->plan, idx);
	miss_ask(ms, r, 1);
}

void miss_check_hedges(struct misses *ms, uint64_t now_us)
{
	struct miss *r = ms->head, *next;

	if (!ms->next_hedge_us || now_us < ms->next_hedge_us)
		return;
	ms->next_hedge_us = 0;
	for (; r; r = next) {
		next = r->next;
		int due = strategy_hedge_due(&r->plan, &ms->budget, now_us);

		ms->stats->hedges += due == 1;
		ms->stats->resends += due == 2;
		if (due)
			miss_ask(ms, r, 1); /* arms the next hedge, if any is left */
		else
			miss_note_hedge(ms, r);
	}
}

void miss_check_deadlines(struct misses *ms, uint64_t now_ms)
{
	struct miss *r = ms->head, *next;

	for (; r; r = next) {
		next = r->next;
		if (now_ms >= r->deadline_ms) {
			/* the resolution deadline: the only timeout health counts */
			for (int i = 0; i < r->n_legs; i++) {
				if (leg_open(&r->legs[i])) {
					r->legs[i].u->failures++;
					health_timeout(r->legs[i].u, r->legs[i].sent_us / 1000, now_ms);
					miss_close_leg(r, &r->legs[i]);
				}
			}
			miss_fail(ms, r);
			continue;
		}
		miss_expire_waiters(r, now_ms);
		/* strict-order: the next upstream, the slow one still heard */
		if (strategy_step_due(&r->plan, &ms->strategy, now_ms))
			miss_ask(ms, r, 1);
	}
}

void miss_init(struct misses *ms, const struct config *cfg, int epfd, struct cache *cache,
	       struct upstreams *const *ups, struct server_stats *stats)
{
	*ms = (struct misses){ .cfg = cfg, .epfd = epfd, .cache = cache, .ups = ups, .stats = stats };
	strategy_cfg_from(&ms->strategy, cfg);
	hedge_budget_init(&ms->budget);
	arc4random_buf(ms->hash_key, sizeof(ms->hash_key));
}

void miss_abort_all(struct misses *ms)
{
	while (ms->head)
		miss_end(ms, ms->head);
	miss_free_finished(ms);
}
