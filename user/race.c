// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * race.c - a cache miss, asked upstream.
 *
 * Which upstream is asked, and when, is strategy.c's decision (hedged by
 * default: the healthiest first, the next after its p95; all-servers; or
 * strict-order). Each upstream asked is a leg: its own connected UDP
 * socket with a fresh random ID, so an ICMP port-unreachable fails that
 * upstream at once. A reply counts only
 * with that ID and our question; our question with another ID is taken for
 * a forgery and moves that upstream to TCP for a while. The first
 * NOERROR or NXDOMAIN wins; other RCODEs are kept and win only when every
 * upstream failed. A truncated reply sends that upstream the query again
 * over TCP.
 *
 * Identical misses (same cache key) in flight share one race: every client
 * waiting on it gets the answer with its own ID, question bytes and EDNS
 * state, built from the cache entry exactly as the fast path would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "answer.h"
#include "entry.h"
#include "health.h"
#include "log.h"
#include "leg.h"
#include "race.h"
#include "strategy.h"

#define WAITERS_MAX 64 /* clients sharing one race; more UDP ones are dropped (they retry), TCP ones wait */
#define RESOLVE_MS 10000 /* RFC 8767: how long a miss is asked upstream, past query-timeout */

struct waiter {
	struct waiter *next;
	uint64_t deadline_ms; /* query-timeout: then it gets an answer, the race or not */
	struct client to;
	struct client_query cq;
	uint8_t query[DNS_HDR_LEN + DNS_NAME_MAX + 1 + 4]; /* its header and question */
};

struct race {
	struct server *srv;	      /* whose it is */
	struct race *next, **pprev;   /* srv->races */
	struct race *hnext, **hpprev; /* srv->by_key[] */
	struct bpfdns_key key;
	struct dns_question q; /* what replies must match */
	struct upstreams *ups; /* the list it started with */
	struct waiter *waiters;
	int n_waiters;
	uint64_t deadline_ms;	  /* resolution: then every leg has failed */
	uint64_t waiter_due_ms;	  /* the earliest waiter's query-timeout; 0: none */
	struct plan plan;	  /* which upstream next, and when (strategy.c) */
	int probe;	      /* a background probe of one upstream: no clients */
	int n_legs, open_legs;
	struct leg legs[UPSTREAM_MAX];
	uint8_t *fallback; /* a failed upstream's reply, in case all fail */
	size_t fallback_len, fallback_qend;
	size_t qlen;
	uint8_t query[]; /* as sent upstream; each leg puts its own ID in */
};

static unsigned key_bucket(const struct bpfdns_key *key)
{
	const uint8_t *p = (const uint8_t *)key;
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 16777619u;
	return h % RACE_BUCKETS;
}

static void log_race(const struct server *srv, const struct race *r, const char *what, const char *who)
{
	if (r->probe)
		return; /* not a client's query */
	server_log_query(srv, r->q.name, r->q.name_len, r->q.qtype, what, who);
}

/* Close a leg of r (if open). */
static void race_close_leg(struct race *r, struct leg *leg)
{
	if (!leg_open(leg))
		return;
	leg_close(leg);
	r->open_legs--;
}

/* Unlink a race and release what it holds; the memory goes after the
 * epoll batch, whose events may still point at its legs (fds are -1). */
static void race_end(struct server *srv, struct race *r)
{
	uint64_t now = clock_now_us();

	for (int i = 0; i < r->n_legs; i++) {
		/* still out when another answered: at least this slow */
		if (leg_open(&r->legs[i]))
			health_slow(r->legs[i].u, (uint32_t)(now - r->legs[i].sent_us));
		race_close_leg(r, &r->legs[i]);
	}
	while (r->waiters) {
		struct waiter *w = r->waiters;

		r->waiters = w->next;
		client_release(&w->to);
		free(w);
	}
	if (r->next)
		r->next->pprev = r->pprev;
	*r->pprev = r->next;
	if (r->hpprev) { /* probes are not shared */
		if (r->hnext)
			r->hnext->hpprev = r->hpprev;
		*r->hpprev = r->hnext;
	}
	upstreams_put(r->ups);
	free(r->fallback);
	srv->n_races--;
	r->next = srv->finished;
	srv->finished = r;
}

void race_free_finished(struct server *srv)
{
	while (srv->finished) {
		struct race *r = srv->finished;

		srv->finished = r->next;
		free(r);
	}
}

/* The reply (msg, len; question ending at qend; checked whole, never
 * truncated) relayed to a waiter with its ID, question bytes and EDNS.
 * Over TCP an answer that our OPT would push past 65535 bytes goes without
 * the OPT (RFC 6891 7: better than truncating). Returns 0 when it could
 * not be: too big for the client's UDP limit, or not relayable. */
static size_t relay_waiter(struct server *srv, const struct waiter *w, const uint8_t *msg, size_t len, size_t qend)
{
	size_t limit = client_answer_limit(srv, &w->to, &w->cq), n;
	uint8_t *relay = malloc(len + DNS_OPT_LEN);
	struct client_query bare = w->cq;

	if (!relay)
		return 0;
	n = answer_relay(w->query, &w->cq, msg, len, qend, srv->cfg->edns_packet_max, limit, relay, len + DNS_OPT_LEN);
	if (!n && w->to.conn && bare.has_opt) {
		bare.has_opt = 0;
		n = answer_relay(w->query, &bare, msg, len, qend, srv->cfg->edns_packet_max, limit, relay, len + DNS_OPT_LEN);
	}
	if (n)
		client_send(srv, &w->to, relay, n);
	free(relay);
	return n;
}

/* The reply (msg, len; question ending at qend) as one waiter should get it:
 * from the entry e when there is one (what the fast path would send; msg is
 * not needed then), else relayed; when that does not fit a UDP client's
 * limit, the header and question with TC (ask again over TCP). A TCP client
 * never gets TC: SERVFAIL when the reply cannot be relayed. */
static void answer_waiter(struct server *srv, const struct waiter *w, const uint8_t *msg, size_t len, size_t qend,
			  const struct bpfdns_entry *e)
{
	uint16_t server_max = srv->cfg->edns_packet_max;
	uint8_t out[MSG_MAX];
	size_t n;

	if (e) {
		n = answer_cached(w->query, &w->cq, e, e->stored_ns, server_max,
				  client_answer_limit(srv, &w->to, &w->cq), out, sizeof(out));
		client_send(srv, &w->to, out, n);
		return;
	}
	if (relay_waiter(srv, w, msg, len, qend))
		return;
	if (w->to.conn)
		n = answer_error(w->query, &w->cq, DNS_RCODE_SERVFAIL, server_max, out, sizeof(out));
	else
		n = answer_truncated(w->query, &w->cq, msg[3] & DNS_RCODE, server_max, out, sizeof(out));
	client_send(srv, &w->to, out, n);
}

/* End the race with this reply: cache it when it may be, answer everyone. */
static void race_answer(struct server *srv, struct race *r, const uint8_t *msg, size_t len, size_t qend,
			const char *who)
{
	struct bpfdns_entry e;
	int have_entry = !r->probe && !cache_put_reply(&srv->cache, &r->key, msg, len, &e);
	char what[32];

	for (struct waiter *w = r->waiters; w; w = w->next)
		answer_waiter(srv, w, msg, len, qend, have_entry ? &e : NULL);
	snprintf(what, sizeof(what), "is %s from", dns_rcode_name(msg[3] & DNS_RCODE));
	log_race(srv, r, what, who);
	race_end(srv, r);
}

/* No good answer for w (yet): the stale entry when there is one (RFC
 * 8767), else a failed upstream's reply, else SERVFAIL. */
static void waiter_fail(struct server *srv, const struct race *r, const struct waiter *w,
			const struct bpfdns_entry *stale)
{
	uint8_t out[MSG_MAX];
	size_t n;

	if (stale) {
		answer_waiter(srv, w, NULL, 0, 0, stale);
		srv->stats.stale++;
		return;
	}
	if (r->fallback) {
		answer_waiter(srv, w, r->fallback, r->fallback_len, r->fallback_qend, NULL);
		return;
	}
	n = answer_error(w->query, &w->cq, DNS_RCODE_SERVFAIL, srv->cfg->edns_packet_max, out, sizeof(out));
	client_send(srv, &w->to, out, n);
}

static void log_fail(const struct server *srv, const struct race *r, int stale, const char *why)
{
	log_race(srv, r, stale ? "is stale:" : r->fallback ? "is the last upstream's error:" : "is SERVFAIL:", why);
}

/* No upstream gave a good answer, nor will: every waiter gets what
 * waiter_fail gives, and the race ends. */
static void race_fail(struct server *srv, struct race *r)
{
	struct bpfdns_entry stale;
	int have_stale = r->waiters && cache_get_stale(&srv->cache, &r->key, &stale);

	for (struct waiter *w = r->waiters; w; w = w->next)
		waiter_fail(srv, r, w, have_stale ? &stale : NULL);
	if (r->waiters)
		log_fail(srv, r, have_stale, "no upstream answered");
	race_end(srv, r);
}

/* The upstreams still asked when clients' query-timeout passed: late. */
static void race_late(struct race *r, uint64_t now_ms)
{
	uint64_t now_us = clock_now_us();

	for (int i = 0; i < r->n_legs; i++)
		if (leg_open(&r->legs[i]))
			health_late(r->legs[i].u, (uint32_t)(now_us - r->legs[i].sent_us), now_ms);
}

/*
 * Clients whose query-timeout passed get what waiter_fail gives, while the
 * race goes on until its resolution deadline (RFC 8767: a short client
 * response timer, a long resolution timer): an upstream that needs longer
 * than query-timeout (a recursive resolver on a cold cache) still fills the
 * cache, and the client's retry finds the answer there.
 */
static void race_expire_waiters(struct server *srv, struct race *r, uint64_t now_ms)
{
	struct bpfdns_entry stale;
	int have_stale = -1;

	if (!r->waiter_due_ms || now_ms < r->waiter_due_ms)
		return;
	r->waiter_due_ms = 0;
	for (struct waiter **pw = &r->waiters; *pw;) {
		struct waiter *w = *pw;

		if (now_ms < w->deadline_ms) {
			if (!r->waiter_due_ms || w->deadline_ms < r->waiter_due_ms)
				r->waiter_due_ms = w->deadline_ms;
			pw = &w->next;
			continue;
		}
		if (have_stale < 0) {
			have_stale = cache_get_stale(&srv->cache, &r->key, &stale);
			log_fail(srv, r, have_stale, "no upstream answered in time (still asking)");
			race_late(r, now_ms);
		}
		waiter_fail(srv, r, w, have_stale ? &stale : NULL);
		*pw = w->next;
		r->n_waiters--;
		client_release(&w->to);
		free(w);
	}
}

static void race_on_leg_done(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend,
			     uint32_t rtt_us);

/* Ask u, as the next leg of r. 0, or -errno when it could not be asked
 * (counted against u when it refused at once). */
static int race_leg_start(struct server *srv, struct race *r, struct upstream *u)
{
	struct leg *leg = &r->legs[r->n_legs];
	int err = leg_start(leg, srv->epfd, u, r->query, r->qlen, &r->q, race_on_leg_done, r);

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
	return 0;
}

/* Ask up to want more upstreams, as the plan orders them (one that cannot
 * be asked is skipped); the end when none is out and none is left. */
static void race_ask(struct server *srv, struct race *r, int want)
{
	int asked = 0, idx;

	while (asked < want && (idx = strategy_take(&r->plan)) >= 0) {
		struct upstream *u = &r->ups->list[idx];

		if (race_leg_start(srv, r, u))
			continue;
		asked++;
		strategy_asked(&r->plan, &srv->strategy, &srv->hedge_budget, u, clock_now_us(), clock_now_ms());
		if (r->plan.hedge_at_us && (!srv->next_hedge_us || r->plan.hedge_at_us < srv->next_hedge_us))
			srv->next_hedge_us = r->plan.hedge_at_us;
	}
	if (!asked && !r->open_legs)
		race_fail(srv, r);
}

/* A leg of r is over without a good answer: the next upstream, or the end. */
static void race_leg_lost(struct server *srv, struct race *r, struct leg *leg)
{
	race_close_leg(r, leg);
	switch (strategy_after_loss(&r->plan, &srv->strategy, r->open_legs, leg == &r->legs[r->n_legs - 1])) {
	case STRATEGY_WAIT:
		break;
	case STRATEGY_ASK_NEXT:
		race_ask(srv, r, 1);
		break;
	case STRATEGY_GIVE_UP:
		race_fail(srv, r);
		break;
	}
}

/* Keep the first failed upstream's reply, for the clients in case every
 * upstream fails: a FORMERR, SERVFAIL, NOTIMP or REFUSED says more than our
 * SERVFAIL would; RCODEs a query should never get (YXDOMAIN... reserved)
 * say nothing, and are not passed on. */
static void keep_fallback(struct race *r, const uint8_t *msg, size_t len, size_t qend)
{
	uint8_t *copy;

	if (r->fallback || (msg[3] & DNS_RCODE) > DNS_RCODE_REFUSED)
		return;
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, msg, len);
	r->fallback = copy;
	r->fallback_len = len;
	r->fallback_qend = qend;
}

/* How a leg ended: the answer wins; a correct error (SERVFAIL, REFUSED...)
 * is worth asking another upstream for, but counts as reached unless every
 * name fails; no usable reply is that upstream's failure. */
static void race_on_leg_done(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend,
			     uint32_t rtt_us)
{
	struct race *r = leg->owner;
	struct server *srv = r->srv;
	struct upstream *u = leg->u;

	switch (out) {
	case LEG_ANSWER:
		if (!r->probe)
			u->wins++;
		health_ok(u, rtt_us, clock_now_ms());
		race_answer(srv, r, msg, len, qend, u->name);
		return;
	case LEG_ERROR:
		health_refused(u, rtt_us, clock_now_ms());
		if (r->probe) {
			race_answer(srv, r, msg, len, qend, u->name);
			return;
		}
		keep_fallback(r, msg, len, qend);
		race_leg_lost(srv, r, leg);
		return;
	case LEG_FAILED:
		u->failures++;
		health_fail(u, clock_now_ms());
		race_leg_lost(srv, r, leg);
		return;
	}
}

static int waiter_add(struct server *srv, struct race *r, const struct client *from, const uint8_t *msg,
		      const struct client_query *cq)
{
	struct waiter *w;

	if (r->n_waiters >= WAITERS_MAX || cq->q.end > sizeof(w->query))
		return -ENOBUFS;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->deadline_ms = clock_now_ms() + srv->cfg->timeout_ms;
	if (!r->waiter_due_ms || w->deadline_ms < r->waiter_due_ms)
		r->waiter_due_ms = w->deadline_ms;
	w->to = *from;
	w->cq = *cq;
	memcpy(w->query, msg, cq->q.end);
	client_hold(&w->to);
	w->next = r->waiters;
	r->waiters = w;
	r->n_waiters++;
	return 0;
}

/* A new race for key and question q, asking with msg (len bytes); linked
 * for deadlines and, unless a probe, for sharing. NULL when out of room. */
static struct race *race_new(struct server *srv, const struct bpfdns_key *key, const struct dns_question *q,
			     const uint8_t *msg, size_t len, int probe)
{
	struct race *r = calloc(1, sizeof(*r) + len);

	if (!r)
		return NULL;
	srv->n_races++;
	r->srv = srv;
	r->key = *key;
	r->q = *q;
	r->qlen = len;
	r->probe = probe;
	memcpy(r->query, msg, len);
	/* a probe asks whether an upstream answers in time; a client's miss
	 * goes on after its clients got SERVFAIL, so a late answer is cached */
	r->deadline_ms = clock_now_ms() + (probe || srv->cfg->timeout_ms > RESOLVE_MS ? srv->cfg->timeout_ms
										: RESOLVE_MS);
	r->ups = upstreams_get(srv->ups);
	r->next = srv->races;
	r->pprev = &srv->races;
	if (r->next)
		r->next->pprev = &r->next;
	srv->races = r;
	if (!probe) {
		struct race **bucket = &srv->by_key[key_bucket(key)];

		r->hnext = *bucket;
		r->hpprev = bucket;
		if (r->hnext)
			r->hnext->hpprev = &r->hnext;
		*bucket = r;
	}
	return r;
}

/* A new race asking upstream for key with a query of our own (the key's
 * flags, our OPT), whoever asked us: a client's EDNS options never go
 * upstream, and the answer is good for every client of the key. */
static struct race *race_new_for_key(struct server *srv, const struct bpfdns_key *key)
{
	uint8_t msg[DNS_HDR_LEN + BPFDNS_NAME_MAX + 4 + DNS_OPT_LEN];
	struct dns_question q;
	size_t len = entry_key_query(key, srv->cfg->edns_packet_max, msg, &q);

	return race_new(srv, key, &q, msg, len, 0);
}

/* Send the race's first queries, as the upstream mode says. */
static void race_start(struct server *srv, struct race *r)
{
	static const char *const how[] = { [UPSTREAM_HEDGED] = "hedged",
					   [UPSTREAM_ALL_SERVERS] = "to every upstream",
					   [UPSTREAM_STRICT_ORDER] = "in strict order" };

	log_race(srv, r, "forwarded", how[srv->strategy.mode]);
	race_ask(srv, r, strategy_start(&r->plan, &srv->strategy, r->ups, &srv->hedge_budget));
}

/* Room for a new miss at dns-forward-max: end a miss whose clients all got
 * their answer at query-timeout and that is only waiting for a late reply
 * to cache. 1 when one was ended. */
static int race_reclaim(struct server *srv)
{
	for (struct race *r = srv->races; r; r = r->next) {
		if (!r->waiters && !r->probe) {
			race_end(srv, r);
			return 1;
		}
	}
	return 0;
}

int race_join(struct server *srv, const struct client *from, const uint8_t *msg, const struct client_query *cq)
{
	/* a TCP client never retransmits: it waits for room instead */
	int busy = from->conn ? -EBUSY : 0;
	struct race *r;

	for (r = srv->by_key[key_bucket(&cq->key)]; r; r = r->hnext) {
		if (!memcmp(&r->key, &cq->key, sizeof(r->key))) {
			if (waiter_add(srv, r, from, msg, cq))
				return busy;
			srv->stats.shared++;
			return 0;
		}
	}
	if (srv->n_races >= (int)srv->cfg->forward_max && !race_reclaim(srv)) {
		if (busy)
			return busy;
		/* as dnsmasq: drop, the client retries; say so now and then */
		if (srv->stats.dropped++ % 1000 == 0)
			pr_warn("dns-forward-max=%u queries in flight: dropping new misses",
				srv->cfg->forward_max);
		return 0;
	}
	r = race_new_for_key(srv, &cq->key);
	if (!r)
		return busy;
	srv->stats.misses++;
	if (waiter_add(srv, r, from, msg, cq)) {
		race_end(srv, r);
		return busy;
	}
	race_start(srv, r);
	return 0;
}

int race_refresh(struct server *srv, const struct bpfdns_key *key)
{
	struct race *r;

	for (r = srv->by_key[key_bucket(key)]; r; r = r->hnext)
		if (!memcmp(&r->key, key, sizeof(r->key)))
			return 0; /* already on its way */
	if (srv->n_races >= (int)srv->cfg->forward_max)
		return 0;
	r = race_new_for_key(srv, key);
	if (!r)
		return 0;
	race_start(srv, r);
	return 1;
}

/* A down upstream, asked ". NS" in the background: any reply brings it
 * back (health_ok), without a client waiting on it. */
static void race_probe(struct server *srv, int idx)
{
	static const uint8_t query[] = { 0, 0, DNS_RD, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, DNS_TYPE_NS, 0, DNS_CLASS_IN };
	struct dns_question q = { .name_len = 1, .qtype = DNS_TYPE_NS, .qclass = DNS_CLASS_IN,
				  .start = DNS_HDR_LEN, .end = sizeof(query) };
	struct bpfdns_key key = { .qtype = DNS_TYPE_NS, .qclass = DNS_CLASS_IN };
	struct race *r = race_new(srv, &key, &q, query, sizeof(query), 1);

	if (!r)
		return;
	strategy_probe(&r->plan, idx);
	race_ask(srv, r, 1);
}

void race_check_hedges(struct server *srv, uint64_t now_us)
{
	struct race *r = srv->races, *next;

	if (!srv->next_hedge_us || now_us < srv->next_hedge_us)
		return;
	srv->next_hedge_us = 0;
	for (; r; r = next) {
		next = r->next;
		if (strategy_hedge_due(&r->plan, &srv->hedge_budget, now_us)) {
			srv->stats.hedges++;
			race_ask(srv, r, 1); /* arms the next hedge, if any is left */
			continue;
		}
		if (r->plan.hedge_at_us && (!srv->next_hedge_us || r->plan.hedge_at_us < srv->next_hedge_us))
			srv->next_hedge_us = r->plan.hedge_at_us;
	}
}

void race_probe_upstreams(struct server *srv, uint64_t now_ms)
{
	for (int i = 0; i < srv->ups->n; i++) {
		struct upstream *u = &srv->ups->list[i];

		/* not well, or not heard from lately (an alternate's RTT goes
		 * stale while the best one takes every query) */
		if (u->state == UPSTREAM_UP && now_ms < u->last_ok_ms + HEALTH_STALE_MS)
			continue;
		if (now_ms < u->probe_at_ms)
			continue;
		u->probe_at_ms = now_ms + HEALTH_PROBE_MS;
		race_probe(srv, i);
	}
}

void race_check_deadlines(struct server *srv, uint64_t now)
{
	struct race *r = srv->races, *next;

	for (; r; r = next) {
		next = r->next;
		if (now >= r->deadline_ms) {
			/* the resolution deadline: a real timeout, the only one
			 * that counts against an upstream's health */
			for (int i = 0; i < r->n_legs; i++) {
				if (leg_open(&r->legs[i])) {
					r->legs[i].u->failures++;
					health_fail(r->legs[i].u, now);
					race_close_leg(r, &r->legs[i]);
				}
			}
			race_fail(srv, r);
			continue;
		}
		race_expire_waiters(srv, r, now);
		/* strict-order: the next upstream, the slow one still heard */
		if (strategy_step_due(&r->plan, &srv->strategy, now))
			race_ask(srv, r, 1);
	}
}

void race_abort_all(struct server *srv)
{
	while (srv->races)
		race_end(srv, srv->races);
	race_free_finished(srv);
}
