// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * server.c - bpfdnsd's event loop.
 *
 * A client query that reaches us (the fast path passed it) is answered from
 * the cache map when it can be, else raced: sent to every upstream at once
 * (or, with strict-order, one at a time), each over its own connected UDP
 * socket with a fresh random ID, so an ICMP port-unreachable fails that
 * upstream at once. The first NOERROR or NXDOMAIN reply with our ID and our
 * question wins, goes to the client with the client's ID and question bytes,
 * and fills the cache. Other RCODEs win only when every upstream failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "answer.h"
#include "entry.h"
#include "log.h"
#include "server.h"

#define MSG_MAX 4096
#define UPSTREAM_MAX (CONFIG_ADDR_MAX * 2)
#define SWEEP_MS 5000

enum ev_kind { EV_LISTEN, EV_LEG };

struct ev {
	enum ev_kind kind;
};

struct listener {
	struct ev ev;
	int fd;
};

struct race;

struct leg {
	struct ev ev;
	struct race *race;
	int fd;	 /* connected to one upstream; -1 when done */
	int idx; /* into the upstream list */
	uint16_t id;
};

struct race {
	struct race *next;
	int client_fd;
	struct sockaddr_storage client;
	socklen_t client_len;
	uint8_t query[MSG_MAX];
	size_t qlen;
	struct client_query cq;
	uint64_t start_ms, deadline_ms, leg_deadline_ms;
	int n_legs, open_legs, next_upstream;
	struct leg legs[UPSTREAM_MAX];
	uint8_t fallback[MSG_MAX]; /* a SERVFAIL/REFUSED/... reply kept in case */
	size_t fallback_len, fallback_qend;
};

struct server {
	const struct config *cfg;
	struct upstreams *ups;
	struct fastpath *fp;
	int epfd;
	struct listener listeners[CONFIG_ADDR_MAX];
	int n_listeners;
	struct race *races;
	struct race *finished; /* freed after the current epoll batch */
	uint64_t next_sweep_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint16_t random_id(void)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		abort(); /* no randomness: never guessable IDs, so stop */
	return id;
}

static int open_listener(struct server *srv, const struct sockaddr_storage *addr)
{
	struct sockaddr_storage ss = *addr;
	struct listener *l = &srv->listeners[srv->n_listeners];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };
	char text[80];
	int one = 1, err;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(srv->cfg->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(srv->cfg->port);
	addr_to_text(&ss, text, sizeof(text));
	l->ev.kind = EV_LISTEN;
	l->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		err = -errno;
		pr_err("cannot open a socket for %s: %s", text, strerror(-err));
		return err;
	}
	if (ss.ss_family == AF_INET6)
		setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, (struct sockaddr *)&ss, addr_len(&ss))) {
		err = -errno;
		pr_err("cannot listen on %s: %s%s", text, strerror(-err),
		       err == -EADDRINUSE ? " (another DNS server holds the port; see `ss -lunp`)" : "");
		close(l->fd);
		return err;
	}
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, l->fd, &ev)) {
		err = -errno;
		close(l->fd);
		return err;
	}
	srv->n_listeners++;
	pr_info("listening on %s (udp)", text);
	return 0;
}

int server_open(struct server **out, const struct config *cfg, struct upstreams *ups, struct fastpath *fp)
{
	struct server *srv = calloc(1, sizeof(*srv));
	int err;

	if (!srv)
		return -ENOMEM;
	srv->cfg = cfg;
	srv->ups = ups;
	srv->fp = fp;
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		err = -errno;
		pr_err("epoll: %s", strerror(-err));
		free(srv);
		return err;
	}
	for (int i = 0; i < cfg->n_listen; i++) {
		err = open_listener(srv, &cfg->listen[i]);
		if (err) {
			server_close(srv);
			return err;
		}
	}
	*out = srv;
	return 0;
}

static void send_to_client(struct race *r, const uint8_t *msg, size_t len)
{
	if (sendto(r->client_fd, msg, len, 0, (struct sockaddr *)&r->client, r->client_len) < 0)
		pr_debug("cannot answer a client: %s", strerror(errno));
}

static void leg_close(struct server *srv, struct leg *leg)
{
	if (leg->fd < 0)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, leg->fd, NULL);
	close(leg->fd);
	leg->fd = -1;
	leg->race->open_legs--;
}

static void race_free(struct server *srv, struct race *r)
{
	struct race **p;

	for (int i = 0; i < r->n_legs; i++)
		leg_close(srv, &r->legs[i]);
	for (p = &srv->races; *p; p = &(*p)->next) {
		if (*p == r) {
			*p = r->next;
			break;
		}
	}
	/* events of this epoll batch may still point at its legs: free it
	 * once the batch is done (its legs' fds are -1 by now) */
	r->next = srv->finished;
	srv->finished = r;
}

static void free_finished(struct server *srv)
{
	while (srv->finished) {
		struct race *r = srv->finished;

		srv->finished = r->next;
		free(r);
	}
}

static const char *rcode_name(uint8_t rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

	return rcode < 6 ? names[rcode] : "RCODE";
}

static void log_query(const struct server *srv, const struct race *r, const char *what, const char *who)
{
	char name[1024];

	if (!srv->cfg->log_queries)
		return;
	dns_name_to_text(r->cq.q.name, r->cq.q.name_len, name, sizeof(name));
	pr_info("query[%u] %s %s %s", r->cq.q.qtype, name, what, who);
}

/* How long to keep a reply, or 0 not to cache it (RFC 2308 for negatives). */
static uint32_t cache_ttl(const struct config *cfg, const struct reply_info *ri)
{
	uint32_t ttl;
	int negative = ri->rcode == DNS_RCODE_NXDOMAIN || (ri->rcode == DNS_RCODE_NOERROR && !ri->ancount);

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

static void cache_store(struct server *srv, const struct race *r, const uint8_t *reply, size_t len)
{
	struct bpfdns_entry e;
	struct reply_info ri;
	uint64_t now = fastpath_now_ns();
	uint32_t ttl;
	int err;

	if (!srv->fp || !srv->cfg->cache_size)
		return;
	err = entry_from_reply(reply, len, &e, &ri);
	if (err) {
		pr_debug("reply not cached: %s", strerror(-err));
		return;
	}
	ttl = cache_ttl(srv->cfg, &ri);
	if (!ttl)
		return;
	/* max-cache-ttl caps what clients see, too */
	for (unsigned i = 0; i < e.ttl_count; i++) {
		uint8_t *p = e.data + e.ttl_off[i];

		if (dns_get32(p) > srv->cfg->max_cache_ttl)
			dns_put32(p, srv->cfg->max_cache_ttl);
	}
	e.stored_ns = now;
	e.expire_ns = now + (uint64_t)ttl * 1000000000ULL;
	err = fastpath_store(srv->fp, &r->cq.key, &e);
	if (err)
		pr_warn("cannot store in the cache map: %s", strerror(-err));
}

/* A reply from an upstream: our ID, a response, our question? Returns the
 * end of its question, or 0 when it is not our reply. */
static size_t reply_matches(const struct race *r, const struct leg *leg, const uint8_t *msg, size_t len)
{
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN;

	if (dns_header_read(msg, len, &h) || h.id != leg->id || !(h.flags2 & DNS_QR) || h.qdcount != 1)
		return 0;
	if (dns_question_read(msg, len, &off, &q))
		return 0;
	if (q.qtype != r->cq.q.qtype || q.qclass != r->cq.q.qclass ||
	    !dns_name_equal(q.name, q.name_len, r->cq.q.name, r->cq.q.name_len))
		return 0;
	return q.end;
}

/* Send a matched upstream reply (question ending at qend) to the client. */
static void race_finish(struct server *srv, struct race *r, uint8_t *msg, size_t len, size_t qend,
			const char *who)
{
	/* the client's ID, and its question bytes (letter case) when they fit */
	memcpy(msg, r->query, 2);
	if (qend == r->cq.q.end)
		memcpy(msg + DNS_HDR_LEN, r->query + DNS_HDR_LEN, qend - DNS_HDR_LEN);
	send_to_client(r, msg, len);
	log_query(srv, r, rcode_name(msg[3] & DNS_RCODE), who);
	race_free(srv, r);
}

static void race_servfail(struct server *srv, struct race *r)
{
	uint8_t out[MSG_MAX];
	size_t n;

	if (r->fallback_len) {
		race_finish(srv, r, r->fallback, r->fallback_len, r->fallback_qend,
			    "(every upstream failed; their answer)");
		return;
	}
	n = answer_error(r->query, &r->cq, DNS_RCODE_SERVFAIL, srv->cfg->edns_packet_max, out, sizeof(out));
	send_to_client(r, out, n);
	log_query(srv, r, "SERVFAIL", "(no upstream answered)");
	race_free(srv, r);
}

static int leg_start(struct server *srv, struct race *r, int idx)
{
	struct upstream *u = &srv->ups->list[idx];
	struct leg *leg = &r->legs[r->n_legs];
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = leg };
	uint8_t msg[MSG_MAX];
	int err;

	leg->ev.kind = EV_LEG;
	leg->race = r;
	leg->idx = idx;
	leg->id = random_id();
	/* a fresh socket, so a fresh random source port, connected so that
	 * ICMP errors come back to it */
	leg->fd = socket(u->addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (leg->fd < 0)
		return -errno;
	r->n_legs++;
	r->open_legs++;
	memcpy(msg, r->query, r->qlen);
	dns_put16(msg, leg->id);
	u->queries++;
	if (connect(leg->fd, (struct sockaddr *)&u->addr, addr_len(&u->addr)) ||
	    send(leg->fd, msg, r->qlen, 0) < 0 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, leg->fd, &ev)) {
		err = -errno; /* before leg_close's syscalls can change errno */
		u->failures++;
		leg_close(srv, leg);
		return err;
	}
	return 0;
}

/* strict-order: the next upstream, or SERVFAIL when none is left. */
static void race_next(struct server *srv, struct race *r)
{
	while (r->next_upstream < srv->ups->n) {
		int idx = r->next_upstream++;

		if (!leg_start(srv, r, idx)) {
			r->leg_deadline_ms = now_ms() + srv->cfg->timeout_ms / 2;
			return;
		}
	}
	if (!r->open_legs)
		race_servfail(srv, r);
}

static void on_leg(struct server *srv, struct leg *leg)
{
	struct race *r = leg->race;
	struct upstream *u = &srv->ups->list[leg->idx];
	uint8_t msg[MSG_MAX];
	size_t qend;
	ssize_t n;
	uint8_t rcode;

	n = recv(leg->fd, msg, sizeof(msg), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		u->failures++; /* e.g. ECONNREFUSED: port unreachable */
		leg_close(srv, leg);
		goto failed;
	}
	qend = reply_matches(r, leg, msg, (size_t)n);
	if (!qend)
		return; /* not our reply: ignore it, keep waiting */
	rcode = msg[3] & DNS_RCODE;
	if (!(msg[2] & DNS_TC) && (rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN)) {
		u->wins++;
		cache_store(srv, r, msg, (size_t)n);
		race_finish(srv, r, msg, (size_t)n, qend, u->name);
		return;
	}
	/* SERVFAIL, REFUSED, FORMERR, truncated: keep it in case nothing better comes */
	u->failures++;
	if (!r->fallback_len) {
		memcpy(r->fallback, msg, (size_t)n);
		r->fallback_len = (size_t)n;
		r->fallback_qend = qend;
	}
	leg_close(srv, leg);
failed:
	if (r->open_legs)
		return;
	if (srv->cfg->strict_order)
		race_next(srv, r);
	else
		race_servfail(srv, r);
}

static void on_query(struct server *srv, struct listener *l)
{
	uint8_t out[MSG_MAX];
	struct race *r = calloc(1, sizeof(*r));
	ssize_t n;
	int rc;

	if (!r)
		return;
	r->client_fd = l->fd;
	r->client_len = sizeof(r->client);
	n = recvfrom(l->fd, r->query, sizeof(r->query), 0, (struct sockaddr *)&r->client, &r->client_len);
	if (n < 0) {
		free(r);
		return;
	}
	r->qlen = (size_t)n;
	rc = query_parse(r->query, r->qlen, &r->cq);
	if (rc < 0) {
		free(r);
		return;
	}
	if (rc > 0) {
		struct client_query bare = r->cq;
		size_t len;

		/* FORMERR/NOTIMP: echo the header, and the question if we read one */
		if (!bare.q.end)
			bare.q.start = bare.q.end = DNS_HDR_LEN;
		len = answer_error(r->query, &bare, (uint8_t)rc, srv->cfg->edns_packet_max, out, sizeof(out));
		sendto(l->fd, out, len, 0, (struct sockaddr *)&r->client, r->client_len);
		free(r);
		return;
	}
	/* a hit the fast path passed on (too big for it, or not attached) */
	if (srv->fp && srv->cfg->cache_size) {
		struct bpfdns_entry e;
		uint64_t now = fastpath_now_ns();

		if (!fastpath_lookup(srv->fp, &r->cq.key, &e) && now < e.expire_ns) {
			size_t len = answer_from_entry(r->query, &r->cq, &e, now, srv->cfg->edns_packet_max,
						       query_udp_limit(&r->cq, srv->cfg->edns_packet_max), out,
						       sizeof(out));
			if (len) {
				sendto(l->fd, out, len, 0, (struct sockaddr *)&r->client, r->client_len);
				log_query(srv, r, "answered from cache", "");
				free(r);
				return;
			}
		}
	}
	r->start_ms = now_ms();
	r->deadline_ms = r->start_ms + srv->cfg->timeout_ms;
	r->next = srv->races;
	srv->races = r;
	if (srv->cfg->strict_order) {
		log_query(srv, r, "forwarded", "(strict order)");
		race_next(srv, r);
		return;
	}
	for (int i = 0; i < srv->ups->n; i++)
		leg_start(srv, r, i);
	log_query(srv, r, "forwarded to", "every upstream");
	if (!r->open_legs)
		race_servfail(srv, r);
}

static void check_deadlines(struct server *srv)
{
	uint64_t now = now_ms();
	struct race *r = srv->races, *next;

	for (; r; r = next) {
		next = r->next;
		if (now >= r->deadline_ms) {
			race_servfail(srv, r);
		} else if (srv->cfg->strict_order && now >= r->leg_deadline_ms && r->next_upstream < srv->ups->n) {
			for (int i = 0; i < r->n_legs; i++)
				leg_close(srv, &r->legs[i]);
			race_next(srv, r);
		}
	}
}

/* Expired entries leave the map within SWEEP_MS (the fast path already
 * passes them to us; this frees their slots). */
static void sweep(struct server *srv)
{
	uint64_t now = now_ms();
	int removed;

	if (now < srv->next_sweep_ms || !srv->fp)
		return;
	srv->next_sweep_ms = now + SWEEP_MS;
	removed = fastpath_sweep(srv->fp, fastpath_now_ns());
	if (removed > 0)
		pr_debug("removed %d expired entries", removed);
}

int server_run(struct server *srv, volatile int *stop)
{
	struct epoll_event evs[64];

	while (!*stop) {
		int n = epoll_wait(srv->epfd, evs, 64, 20);

		if (n < 0 && errno != EINTR) {
			int err = -errno;

			pr_err("epoll_wait: %s", strerror(-err));
			return err;
		}
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;

			if (ev->kind == EV_LISTEN)
				on_query(srv, (struct listener *)ev);
			else if (((struct leg *)ev)->fd >= 0)
				on_leg(srv, (struct leg *)ev);
		}
		check_deadlines(srv);
		free_finished(srv);
		sweep(srv);
	}
	return 0;
}

void server_close(struct server *srv)
{
	if (!srv)
		return;
	while (srv->races)
		race_free(srv, srv->races);
	free_finished(srv);
	for (int i = 0; i < srv->n_listeners; i++)
		close(srv->listeners[i].fd);
	close(srv->epfd);
	free(srv);
}
