// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * race.c - a cache miss, asked upstream.
 *
 * The query goes to every upstream at once (or, with strict-order, one at a
 * time), each over its own connected UDP socket with a fresh random ID, so
 * an ICMP port-unreachable fails that upstream at once. A reply counts only
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
#include "race.h"

#define WAITERS_MAX 64 /* clients sharing one race; more UDP ones are dropped (they retry), TCP ones wait */
#define HEDGE_TOKENS_PER_MISS 0.1 /* the hedge budget: one hedge per 10 misses */
#define STALE_TTL 30 /* RFC 8767: the TTL of a stale answer */
#define RESOLVE_MS 10000 /* RFC 8767: how long a miss is asked upstream, past query-timeout */

struct waiter {
	struct waiter *next;
	uint64_t deadline_ms; /* query-timeout: then it gets an answer, the race or not */
	struct client to;
	struct client_query cq;
	uint8_t query[DNS_HDR_LEN + DNS_NAME_MAX + 1 + 4]; /* its header and question */
};

enum leg_state { LEG_DONE, LEG_UDP, LEG_TCP_SEND, LEG_TCP_RECV };

struct leg {
	struct ev ev;
	struct race *race;
	struct upstream *u;
	int fd; /* -1 when done */
	enum leg_state state;
	uint16_t id;
	uint64_t sent_us; /* for its RTT */
	uint8_t *tcp; /* TCP: the length-prefixed query out, then the reply in */
	size_t tcp_len, tcp_done;
};

struct race {
	struct race *next, **pprev;   /* srv->races */
	struct race *hnext, **hpprev; /* srv->by_key[] */
	struct bpfdns_key key;
	struct dns_question q; /* what replies must match */
	struct upstreams *ups; /* the list it started with */
	struct waiter *waiters;
	int n_waiters;
	uint64_t deadline_ms;	  /* resolution: then every leg has failed */
	uint64_t leg_deadline_ms; /* strict-order: then the next upstream */
	uint64_t waiter_due_ms;	  /* the earliest waiter's query-timeout; 0: none */
	uint64_t hedge_at_us; /* hedged: when to ask the next upstream; 0: not */
	int probe;	      /* a background probe of order[0]: no clients */
	int n_legs, open_legs, next_upstream;
	int order[UPSTREAM_MAX]; /* upstreams to ask one by one (strict, hedged) */
	int n_order;
	struct leg legs[UPSTREAM_MAX];
	uint8_t *fallback; /* a failed upstream's reply, in case all fail */
	size_t fallback_len, fallback_qend;
	size_t qlen;
	uint8_t query[]; /* as sent upstream; each leg puts its own ID in */
};

static uint16_t random_id(void)
{
	/* glibc's arc4random: a ChaCha20 stream keyed from getrandom(), so
	 * unguessable IDs without a system call per query */
	return (uint16_t)arc4random();
}

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

static void leg_close(struct leg *leg)
{
	if (leg->fd < 0)
		return;
	close(leg->fd); /* the last reference: epoll forgets it by itself */
	leg->fd = -1;
	leg->state = LEG_DONE;
	free(leg->tcp);
	leg->tcp = NULL;
	leg->race->open_legs--;
}

/* Unlink a race and release what it holds; the memory goes after the
 * epoll batch, whose events may still point at its legs (fds are -1). */
static void race_end(struct server *srv, struct race *r)
{
	uint64_t now = server_now_us();

	for (int i = 0; i < r->n_legs; i++) {
		/* still out when another answered: at least this slow */
		if (r->legs[i].fd >= 0)
			health_slow(r->legs[i].u, (uint32_t)(now - r->legs[i].sent_us));
		leg_close(&r->legs[i]);
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

/* How long to keep a reply, or 0 not to cache it (RFC 2308 for negatives). */
static uint32_t cache_ttl(const struct config *cfg, const struct reply_info *ri)
{
	int negative = ri->rcode == DNS_RCODE_NXDOMAIN || (ri->rcode == DNS_RCODE_NOERROR && !ri->ancount);
	uint32_t ttl;

	if (ri->truncated || (ri->rcode != DNS_RCODE_NOERROR && ri->rcode != DNS_RCODE_NXDOMAIN))
		return 0;
	if (negative) {
		if (cfg->no_negcache)
			return 0;
		ttl = ri->neg_ttl != UINT32_MAX ? ri->neg_ttl : cfg->neg_ttl;
	} else {
		ttl = ri->min_ttl;
	}
	if (ttl < cfg->min_cache_ttl)
		ttl = cfg->min_cache_ttl;
	if (ttl > cfg->max_cache_ttl)
		ttl = cfg->max_cache_ttl;
	return ttl;
}

static void cache_store(struct server *srv, const struct bpfdns_key *key, struct bpfdns_entry *e,
			const struct reply_info *ri)
{
	uint32_t ttl = cache_ttl(srv->cfg, ri);
	int rc;

	if (!srv->fp || !ttl)
		return;
	e->expire_ns = e->stored_ns + (uint64_t)ttl * 1000000000ULL;
	rc = fastpath_store(srv->fp, key, e);
	if (rc < 0)
		pr_warn("cannot store in the cache map: %s", strerror(-rc));
	else
		srv->stats.insertions += (uint64_t)rc;
}

/* The reply (msg, len; question ending at qend; checked whole, never
 * truncated) relayed to a waiter with its ID, question bytes and EDNS.
 * Over TCP an answer that our OPT would push past 65535 bytes goes without
 * the OPT (RFC 6891 7: better than truncating). Returns 0 when it could
 * not be: too big for the client's UDP limit, or not relayable. */
static size_t relay_waiter(struct server *srv, const struct waiter *w, const uint8_t *msg, size_t len, size_t qend)
{
	size_t limit = client_answer_limit(srv, &w->to, &w->cq), n;
	uint8_t *relay = malloc(len + 11);
	struct client_query bare = w->cq;

	if (!relay)
		return 0;
	n = answer_relay(w->query, &w->cq, msg, len, qend, srv->cfg->edns_packet_max, limit, relay, len + 11);
	if (!n && w->to.conn && bare.has_opt) {
		bare.has_opt = 0;
		n = answer_relay(w->query, &bare, msg, len, qend, srv->cfg->edns_packet_max, limit, relay, len + 11);
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
static void race_answer(struct server *srv, struct race *r, uint8_t *msg, size_t len, size_t qend, const char *who)
{
	struct bpfdns_entry e;
	struct reply_info ri;
	int have_entry = 0;
	char what[32];

	if (!r->probe && !entry_from_reply(msg, len, &e, &ri)) {
		/* max-cache-ttl caps what clients see, too */
		for (unsigned i = 0; i < e.ttl_count; i++) {
			uint8_t *p = e.data + e.ttl_off[i];

			if (dns_get32(p) > srv->cfg->max_cache_ttl)
				dns_put32(p, srv->cfg->max_cache_ttl);
		}
		e.stored_ns = fastpath_now_ns();
		cache_store(srv, &r->key, &e, &ri);
		have_entry = 1;
	}
	for (struct waiter *w = r->waiters; w; w = w->next)
		answer_waiter(srv, w, msg, len, qend, have_entry ? &e : NULL);
	snprintf(what, sizeof(what), "is %s from", dns_rcode_name(msg[3] & DNS_RCODE));
	log_race(srv, r, what, who);
	race_end(srv, r);
}

int race_stale_entry(struct server *srv, const struct bpfdns_key *key, struct bpfdns_entry *e)
{
	uint64_t now = fastpath_now_ns();

	if (!srv->cfg->stale_max_s || !srv->fp || fastpath_lookup(srv->fp, key, e))
		return 0;
	if (now < e->expire_ns || now - e->expire_ns >= (uint64_t)srv->cfg->stale_max_s * 1000000000ULL)
		return 0;
	entry_make_stale(e, now, STALE_TTL);
	return 1;
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
	int have_stale = r->waiters && race_stale_entry(srv, &r->key, &stale);

	for (struct waiter *w = r->waiters; w; w = w->next)
		waiter_fail(srv, r, w, have_stale ? &stale : NULL);
	if (r->waiters)
		log_fail(srv, r, have_stale, "no upstream answered");
	race_end(srv, r);
}

/* The upstreams still asked when clients' query-timeout passed: late. */
static void race_late(struct race *r, uint64_t now_ms)
{
	uint64_t now_us = server_now_us();

	for (int i = 0; i < r->n_legs; i++)
		if (r->legs[i].fd >= 0)
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
			have_stale = race_stale_entry(srv, &r->key, &stale);
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

/* Ask the leg's upstream over TCP (again, when its UDP reply was truncated
 * or not ours). On failure the leg is left as it was, for leg_failed. */
static int leg_to_tcp(struct server *srv, struct leg *leg)
{
	struct race *r = leg->race;
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = leg };
	uint8_t *buf = malloc(2 + TCP_MSG_MAX);
	int fd, err;

	if (!buf)
		return -ENOMEM;
	fd = socket(leg->u->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto err_free;
	}
	if ((connect(fd, (struct sockaddr *)&leg->u->addr, addr_len(&leg->u->addr)) && errno != EINPROGRESS) ||
	    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		goto err_close;
	}
	/* the UDP socket is done with */
	if (leg->fd >= 0)
		close(leg->fd);
	leg->fd = fd;
	leg->tcp = buf;
	leg->state = LEG_TCP_SEND;
	leg->id = random_id();
	dns_put16(buf, (uint16_t)r->qlen);
	memcpy(buf + 2, r->query, r->qlen);
	dns_put16(buf + 2, leg->id);
	leg->tcp_len = 2 + r->qlen;
	leg->tcp_done = 0;
	return 0;

err_close:
	close(fd);
err_free:
	free(buf);
	pr_debug("cannot ask %s over TCP: %s", leg->u->name, strerror(-err));
	return err;
}

static int leg_start(struct server *srv, struct race *r, struct upstream *u)
{
	struct leg *leg = &r->legs[r->n_legs];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = leg };
	int err;

	*leg = (struct leg){ .ev.kind = EV_LEG, .race = r, .u = u, .state = LEG_UDP, .id = random_id(),
			     .sent_us = server_now_us(), .fd = -1 };
	u->queries++;
	if (server_now_ms() < u->tcp_only_until_ms) {
		err = leg_to_tcp(srv, leg);
		if (err) {
			u->failures++;
			health_fail(u, server_now_ms());
			return err;
		}
		r->n_legs++;
		r->open_legs++;
		return 0;
	}
	/* a fresh socket, so a fresh random source port (the kernel draws it
	 * from its CSPRNG), connected so that ICMP errors come back to it and
	 * only the upstream's address and port get through */
	leg->fd = socket(u->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (leg->fd < 0)
		return -errno;
	r->n_legs++;
	r->open_legs++;
	dns_put16(r->query, leg->id);
	if (connect(leg->fd, (struct sockaddr *)&u->addr, addr_len(&u->addr)) ||
	    send(leg->fd, r->query, r->qlen, 0) < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, leg->fd, &ev)) {
		err = -errno; /* before leg_close's syscalls can change errno */
		u->failures++;
		health_fail(u, server_now_ms());
		leg_close(leg);
		return err;
	}
	return 0;
}

/* hedged: when to ask the next upstream if the last one asked has not
 * answered: its recent p95 RTT, within hedge-min and hedge-max; the most
 * when the hedge budget is spent, so an outage cannot multiply traffic. */
static void hedge_arm(struct server *srv, struct race *r)
{
	const struct upstream *u = r->legs[r->n_legs - 1].u;
	uint64_t lo = (uint64_t)srv->cfg->hedge_min_ms * 1000, hi = (uint64_t)srv->cfg->hedge_max_ms * 1000;
	/* an upstream never heard from: a quarter of the most */
	uint64_t wait = u->rtt_n ? health_p95(u) : hi / 4;

	if (r->next_upstream >= r->n_order || r->probe) {
		r->hedge_at_us = 0;
		return;
	}
	if (srv->hedge_tokens < 1)
		wait = hi;
	wait = wait < lo ? lo : wait > hi ? hi : wait;
	r->hedge_at_us = server_now_us() + wait;
	if (!srv->next_hedge_us || r->hedge_at_us < srv->next_hedge_us)
		srv->next_hedge_us = r->hedge_at_us;
}

/* strict-order and hedged: the next upstream, or the end when none is left. */
static void race_next(struct server *srv, struct race *r)
{
	while (r->next_upstream < r->n_order) {
		if (!leg_start(srv, r, &r->ups->list[r->order[r->next_upstream++]])) {
			if (srv->cfg->hedged)
				hedge_arm(srv, r);
			r->leg_deadline_ms = server_now_ms() + srv->cfg->timeout_ms / 2;
			return;
		}
	}
	if (!r->open_legs)
		race_fail(srv, r);
}

/* The leg is over without a good answer: the next upstream, or the end. */
static void leg_lost(struct server *srv, struct leg *leg)
{
	struct race *r = leg->race;

	leg_close(leg);
	/* hedged: a failure is a reason to ask the next one now, not after
	 * the hedge delay, even while an earlier one may still answer */
	if (srv->cfg->hedged && r->next_upstream < r->n_order) {
		race_next(srv, r);
		return;
	}
	if (r->open_legs)
		return;
	if (srv->cfg->strict_order || srv->cfg->hedged)
		race_next(srv, r);
	else
		race_fail(srv, r);
}

/* The upstream failed: no reply, an error, a reply that does not parse. */
static void leg_failed(struct server *srv, struct leg *leg)
{
	leg->u->failures++;
	health_fail(leg->u, server_now_ms());
	leg_lost(srv, leg);
}

/*
 * A UDP reply to our question with another ID came from the upstream's
 * address and port (the socket is connected): a forgery with a guessed ID,
 * as the upstream answers each query once. Stop giving guesses a chance:
 * this query and, for a while, every query to that upstream go over TCP,
 * which an off-path forger cannot answer.
 */
static void leg_unwanted(struct server *srv, struct leg *leg)
{
	struct upstream *u = leg->u;
	uint64_t now = server_now_ms();

	u->unwanted++;
	if (now >= u->tcp_only_until_ms)
		pr_warn("a reply with a wrong ID came from %s (forged?): asking it over TCP only for %d s",
			u->name, UPSTREAM_TCP_ONLY_MS / 1000);
	u->tcp_only_until_ms = now + UPSTREAM_TCP_ONLY_MS;
	if (leg_to_tcp(srv, leg))
		leg_failed(srv, leg);
}

/* How a datagram on a leg's socket relates to the leg's query. */
enum reply_kind {
	REPLY_OURS,	 /* our ID, a response, our question */
	REPLY_BROKEN,	 /* our ID, but not a reply to our question (FORMERR without one...) */
	REPLY_NEAR_MISS, /* our question with another ID: a guess at the ID */
	REPLY_OTHER,	 /* anything else: ignored */
};

/* Classify msg; for REPLY_OURS, *qend is the end of its question. */
static enum reply_kind reply_kind(const struct race *r, const struct leg *leg, const uint8_t *msg, size_t len,
				  size_t *qend)
{
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN;
	int same_q;

	if (dns_header_read(msg, len, &h))
		return REPLY_OTHER;
	if (!(h.flags2 & DNS_QR))
		return h.id == leg->id ? REPLY_BROKEN : REPLY_OTHER;
	same_q = h.qdcount == 1 && !dns_question_read(msg, len, &off, &q) && q.qtype == r->q.qtype &&
		 q.qclass == r->q.qclass && dns_name_equal(q.name, q.name_len, r->q.name, r->q.name_len);
	if (h.id != leg->id)
		return same_q ? REPLY_NEAR_MISS : REPLY_OTHER;
	if (!same_q)
		return REPLY_BROKEN;
	*qend = q.end;
	return REPLY_OURS;
}

static void keep_fallback(struct race *r, const uint8_t *msg, size_t len, size_t qend)
{
	uint8_t *copy;

	if (r->fallback) /* the first one */
		return;
	copy = malloc(len);
	if (!copy)
		return;
	memcpy(copy, msg, len);
	free(r->fallback);
	r->fallback = copy;
	r->fallback_len = len;
	r->fallback_qend = qend;
}

static void leg_reply(struct server *srv, struct leg *leg, uint8_t *msg, size_t len)
{
	struct race *r = leg->race;
	uint16_t full_rcode;
	size_t qend = 0;
	uint32_t rtt_us;
	uint8_t rcode;
	int good;

	switch (reply_kind(r, leg, msg, len, &qend)) {
	case REPLY_OURS:
		break;
	case REPLY_NEAR_MISS:
		if (leg->state == LEG_UDP)
			leg_unwanted(srv, leg);
		else
			leg_failed(srv, leg); /* TCP is one exchange */
		return;
	case REPLY_BROKEN:
		leg_failed(srv, leg);
		return;
	case REPLY_OTHER:
		if (leg->state != LEG_UDP)
			leg_failed(srv, leg);
		return;
	}
	rcode = msg[3] & DNS_RCODE;
	rtt_us = (uint32_t)(server_now_us() - leg->sent_us);
	good = rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN;
	if (r->probe) { /* any reply to a probe: the upstream is reachable */
		if (good)
			health_ok(leg->u, rtt_us, server_now_ms());
		else
			health_refused(leg->u, rtt_us, server_now_ms());
		race_answer(srv, r, msg, len, qend, leg->u->name);
		return;
	}
	if (msg[2] & DNS_TC) {
		/* its records are of no use: ask over TCP, and if TCP fails
		 * too, that upstream failed (SERVFAIL when all did, never a
		 * truncated answer that looks like an empty one) */
		if (leg->state == LEG_UDP && !leg_to_tcp(srv, leg))
			return;
		leg_failed(srv, leg);
		return;
	}
	if (dns_message_check(msg, len, &full_rcode) || full_rcode > DNS_RCODE) {
		/* our ID and question, but records that do not parse, or an
		 * extended RCODE (BADVERS... to our version 0 query): never an
		 * answer, and that upstream's failure (the next one is asked
		 * at once) */
		pr_debug("%s sent a malformed reply (or RCODE %u)", leg->u->name, full_rcode);
		leg_failed(srv, leg);
		return;
	}
	if (good) {
		leg->u->wins++;
		health_ok(leg->u, rtt_us, server_now_ms());
		race_answer(srv, r, msg, len, qend, leg->u->name);
		return;
	}
	/* SERVFAIL, REFUSED...: worth asking another upstream, but a correct
	 * answer from a reachable one (a validator's SERVFAIL for a bogus
	 * name), not a mark against it unless every name fails */
	health_refused(leg->u, rtt_us, server_now_ms());
	keep_fallback(r, msg, len, qend);
	leg_lost(srv, leg);
}

static void leg_on_udp(struct server *srv, struct leg *leg)
{
	uint8_t msg[MSG_MAX];
	ssize_t n = recv(leg->fd, msg, sizeof(msg), MSG_TRUNC);

	if (n > (ssize_t)sizeof(msg)) {
		/* bigger than we take over UDP (the client's EDNS size went
		 * upstream): treat it as truncated, so TCP gets it whole */
		msg[2] |= DNS_TC;
		n = sizeof(msg);
	}
	if (n >= 0)
		leg_reply(srv, leg, msg, (size_t)n);
	else if (errno != EAGAIN && errno != EINTR)
		leg_failed(srv, leg); /* e.g. ECONNREFUSED: port unreachable */
}

static void leg_on_tcp(struct server *srv, struct leg *leg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = leg };
	ssize_t n;

	if (leg->state == LEG_TCP_SEND) {
		n = send(leg->fd, leg->tcp + leg->tcp_done, leg->tcp_len - leg->tcp_done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINPROGRESS)
				leg_failed(srv, leg); /* refused, reset */
			return;
		}
		leg->tcp_done += (size_t)n;
		if (leg->tcp_done < leg->tcp_len)
			return;
		leg->state = LEG_TCP_RECV;
		leg->tcp_done = 0;
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, leg->fd, &ev);
		return;
	}
	for (;;) {
		size_t want = leg->tcp_done < 2 ? 2 : 2 + (size_t)dns_get16(leg->tcp);

		if (leg->tcp_done == want && want > 2) {
			leg_reply(srv, leg, leg->tcp + 2, want - 2);
			return;
		}
		n = recv(leg->fd, leg->tcp + leg->tcp_done, want - leg->tcp_done, 0);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				leg_failed(srv, leg);
			return;
		}
		leg->tcp_done += (size_t)n;
	}
}

void race_on_leg(struct server *srv, struct leg *leg, uint32_t events)
{
	(void)events;
	if (leg->fd < 0)
		return;
	if (leg->state == LEG_UDP)
		leg_on_udp(srv, leg);
	else
		leg_on_tcp(srv, leg);
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
	w->deadline_ms = server_now_ms() + srv->cfg->timeout_ms;
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
	r->key = *key;
	r->q = *q;
	r->qlen = len;
	r->probe = probe;
	memcpy(r->query, msg, len);
	/* a probe asks whether an upstream answers in time; a client's miss
	 * goes on after its clients got SERVFAIL, so a late answer is cached */
	r->deadline_ms = server_now_ms() + (probe || srv->cfg->timeout_ms > RESOLVE_MS ? srv->cfg->timeout_ms
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
	uint8_t msg[DNS_HDR_LEN + BPFDNS_NAME_MAX + 4 + 11];
	struct dns_question q;
	size_t len = entry_key_query(key, srv->cfg->edns_packet_max, msg, &q);

	return race_new(srv, key, &q, msg, len, 0);
}

/* Send the race's first queries, as the upstream mode says. */
static void race_start(struct server *srv, struct race *r)
{
	if (srv->cfg->hedged) {
		r->n_order = health_order(r->ups, r->order);
		srv->hedge_tokens += HEDGE_TOKENS_PER_MISS;
		if (srv->hedge_tokens > HEDGE_TOKENS_MAX)
			srv->hedge_tokens = HEDGE_TOKENS_MAX;
		log_race(srv, r, "forwarded", "hedged");
		race_next(srv, r);
		return;
	}
	if (srv->cfg->strict_order) {
		for (int i = 0; i < r->ups->n; i++)
			r->order[i] = i;
		r->n_order = r->ups->n;
		log_race(srv, r, "forwarded", "in strict order");
		race_next(srv, r);
		return;
	}
	log_race(srv, r, "forwarded to", "every upstream");
	for (int i = 0; i < r->ups->n; i++)
		leg_start(srv, r, &r->ups->list[i]);
	if (!r->open_legs)
		race_fail(srv, r);
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
	r->order[0] = idx;
	r->n_order = 1;
	race_next(srv, r);
}

void race_check_hedges(struct server *srv, uint64_t now_us)
{
	struct race *r = srv->races, *next;

	if (!srv->next_hedge_us || now_us < srv->next_hedge_us)
		return;
	srv->next_hedge_us = 0;
	for (; r; r = next) {
		next = r->next;
		if (!r->hedge_at_us)
			continue;
		if (now_us >= r->hedge_at_us) {
			r->hedge_at_us = 0;
			if (srv->hedge_tokens >= 1)
				srv->hedge_tokens -= 1;
			srv->stats.hedges++;
			race_next(srv, r); /* arms the next hedge, if any is left */
			continue;
		}
		if (!srv->next_hedge_us || r->hedge_at_us < srv->next_hedge_us)
			srv->next_hedge_us = r->hedge_at_us;
	}
}

void race_probe_upstreams(struct server *srv, uint64_t now_ms)
{
	for (int i = 0; i < srv->ups->n; i++) {
		struct upstream *u = &srv->ups->list[i];

		/* not well, or not heard from lately (an alternate's RTT goes
		 * stale while the best one takes every query) */
		if (u->state == UPSTREAM_UP && now_ms - u->last_ok_ms < HEALTH_STALE_MS)
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
				if (r->legs[i].fd >= 0) {
					r->legs[i].u->failures++;
					health_fail(r->legs[i].u, now);
					leg_close(&r->legs[i]);
				}
			}
			race_fail(srv, r);
			continue;
		}
		race_expire_waiters(srv, r, now);
		/* strict-order: the next upstream, the slow one still heard */
		if (srv->cfg->strict_order && now >= r->leg_deadline_ms && r->next_upstream < r->n_order)
			race_next(srv, r);
	}
}

void race_abort_all(struct server *srv)
{
	while (srv->races)
		race_end(srv, srv->races);
	race_free_finished(srv);
}
