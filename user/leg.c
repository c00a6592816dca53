// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* leg.c - one attempt to one upstream; see leg.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "clock.h"
#include "leg.h"
#include "log.h"

#define LEG_UDP_MAX 4096 /* what a UDP reply may be; a bigger one is asked over TCP */

static void leg_on_event(struct ev *ev, uint32_t events);

/* An unguessable query ID. The kernel's CSPRNG, read 128 IDs at a time:
 * glibc 2.36's arc4random makes a getrandom() call for each. */
static uint16_t random_id(void)
{
	static uint16_t pool[128];
	static size_t left;

	if (!left) {
		/* up to 256 bytes, getrandom() returns them all or fails */
		if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
			return (uint16_t)arc4random();
		left = sizeof(pool) / sizeof(pool[0]);
	}
	left--;
	return pool[left];
}

void leg_close(struct leg *leg)
{
	if (leg->fd < 0)
		return;
	close(leg->fd); /* the last reference: epoll forgets it by itself */
	leg->fd = -1;
	leg->state = LEG_DONE;
	free(leg->tcp);
	leg->tcp = NULL;
}

static void finish(struct leg *leg, enum leg_outcome out, const uint8_t *msg, size_t len, size_t qend)
{
	leg->done(leg, out, msg, len, qend, (uint32_t)(clock_now_us() - leg->sent_us));
}

/* A socket for u (type: SOCK_DGRAM or SOCK_STREAM), bound to its
 * interface for server=IP@interface. The fd, or -errno. */
static int upstream_socket(const struct upstream *u, int type)
{
	int fd = socket(u->addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	if (u->ifname[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, u->ifname, (socklen_t)strlen(u->ifname))) {
		err = -errno;
		pr_debug("cannot ask %s through %s: %s", u->name, u->ifname, strerror(-err));
		close(fd);
		return err;
	}
	return fd;
}

/* Ask over TCP (again, when the UDP reply was truncated or not ours). On a
 * failure the leg is left as it was. 0, -errno of ours, or 1 when the
 * upstream refused at once. */
static int to_tcp(struct leg *leg)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = leg };
	uint8_t *buf = malloc(2 + DNS_MSG_MAX);
	int fd, err = 0;

	if (!buf)
		return -ENOMEM;
	fd = upstream_socket(leg->u, SOCK_STREAM);
	if (fd < 0) {
		err = fd == -ENODEV ? 1 : fd; /* no such interface (yet): that upstream's failure */
		goto err_free;
	}
	if (connect(fd, (struct sockaddr *)&leg->u->addr, addr_len(&leg->u->addr)) && errno != EINPROGRESS) {
		pr_debug("cannot ask %s over TCP: %s", leg->u->name, strerror(errno));
		err = 1;
		goto err_close;
	}
	if (epoll_ctl(leg->epfd, EPOLL_CTL_ADD, fd, &ev)) {
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
	dns_put16(buf, (uint16_t)leg->qlen);
	memcpy(buf + 2, leg->query, leg->qlen);
	dns_put16(buf + 2, leg->id);
	leg->tcp_len = 2 + leg->qlen;
	leg->tcp_done = 0;
	return 0;

err_close:
	close(fd);
err_free:
	free(buf);
	if (err < 0)
		pr_debug("cannot ask %s over TCP: %s", leg->u->name, strerror(-err));
	return err;
}

int leg_start(struct leg *leg, int epfd, struct upstream *u, uint8_t *query, size_t qlen,
	      const struct dns_question *q, leg_done_fn done, void *owner)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = leg };
	int err;

	*leg = (struct leg){ .ev.fn = leg_on_event, .done = done, .owner = owner, .u = u, .epfd = epfd, .query = query,
			     .qlen = qlen, .q = q, .state = LEG_UDP, .id = random_id(), .sent_us = clock_now_us(),
			     .fd = -1 };
	u->queries++;
	if (clock_now_ms() < u->tcp_only_until_ms)
		return to_tcp(leg);
	/* a fresh socket, so a fresh random source port (the kernel draws it
	 * from its CSPRNG), connected so that ICMP errors come back to it and
	 * only the upstream's address and port get through */
	leg->fd = upstream_socket(u, SOCK_DGRAM);
	if (leg->fd < 0) {
		err = leg->fd == -ENODEV ? 1 : leg->fd; /* no such interface (yet): its failure */
		leg->fd = -1;
		return err;
	}
	dns_put16(query, leg->id);
	if (connect(leg->fd, (struct sockaddr *)&u->addr, addr_len(&u->addr)) || send(leg->fd, query, qlen, 0) < 0) {
		leg_close(leg);
		return 1;
	}
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, leg->fd, &ev)) {
		err = -errno; /* before leg_close's syscalls can change errno */
		leg_close(leg);
		return err;
	}
	return 0;
}

/*
 * A UDP reply to our question with another ID came from the upstream's
 * address and port (the socket is connected): a forgery with a guessed ID,
 * as the upstream answers each query once. Stop giving guesses a chance:
 * this query and, for a while, every query to that upstream go over TCP,
 * which an off-path forger cannot answer.
 */
static void unwanted(struct leg *leg)
{
	struct upstream *u = leg->u;
	uint64_t now_ms = clock_now_ms();

	u->unwanted++;
	if (now_ms >= u->tcp_only_until_ms)
		pr_warn("a reply with a wrong ID came from %s (forged?): asking it over TCP only for %d s",
			u->name, UPSTREAM_TCP_ONLY_MS / 1000);
	u->tcp_only_until_ms = now_ms + UPSTREAM_TCP_ONLY_MS;
	if (to_tcp(leg))
		finish(leg, LEG_FAILED, NULL, 0, 0);
}

/* How a message on a leg's socket relates to the leg's query. */
enum reply_kind {
	REPLY_OURS,	 /* our ID, a response, our question */
	REPLY_BROKEN,	 /* our ID, but not a reply to our question (FORMERR without one...) */
	REPLY_NEAR_MISS, /* our question with another ID: a guess at the ID */
	REPLY_OTHER,	 /* anything else: ignored */
};

/* Classify msg; for REPLY_OURS, *qend is the end of its question. */
static enum reply_kind reply_kind(const struct leg *leg, const uint8_t *msg, size_t len, size_t *qend)
{
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN;
	int same_q;

	if (dns_header_read(msg, len, &h))
		return REPLY_OTHER;
	if (!(h.flags2 & DNS_QR))
		return h.id == leg->id ? REPLY_BROKEN : REPLY_OTHER;
	same_q = h.qdcount == 1 && !dns_question_read(msg, len, &off, &q) && q.qtype == leg->q->qtype &&
		 q.qclass == leg->q->qclass && dns_name_equal(q.name, q.name_len, leg->q->name, leg->q->name_len);
	if (h.id != leg->id)
		return same_q ? REPLY_NEAR_MISS : REPLY_OTHER;
	if (!same_q)
		return REPLY_BROKEN;
	*qend = q.end;
	return REPLY_OURS;
}

static void on_reply(struct leg *leg, const uint8_t *msg, size_t len)
{
	uint16_t rcode;
	size_t qend = 0;

	switch (reply_kind(leg, msg, len, &qend)) {
	case REPLY_OURS:
		break;
	case REPLY_NEAR_MISS:
		if (leg->state == LEG_UDP)
			unwanted(leg);
		else
			finish(leg, LEG_FAILED, NULL, 0, 0); /* TCP is one exchange */
		return;
	case REPLY_BROKEN:
		finish(leg, LEG_FAILED, NULL, 0, 0);
		return;
	case REPLY_OTHER:
		if (leg->state != LEG_UDP)
			finish(leg, LEG_FAILED, NULL, 0, 0);
		return;
	}
	rcode = msg[3] & DNS_RCODE;
	if (leg->any_reply) { /* a probe: any reply says it is reachable */
		finish(leg, rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN ? LEG_ANSWER : LEG_ERROR, msg,
		       len, qend);
		return;
	}
	if (msg[2] & DNS_TC) {
		/* its records are of no use: ask over TCP, and if TCP fails
		 * too, the upstream failed (never a truncated answer that looks
		 * like an empty one) */
		if (leg->state != LEG_UDP || to_tcp(leg))
			finish(leg, LEG_FAILED, NULL, 0, 0);
		return;
	}
	if (dns_message_check(msg, len, &rcode) || rcode > DNS_RCODE) {
		/* our ID and question, but records that do not parse, or an
		 * extended RCODE (BADVERS... to our version 0 query): never an
		 * answer */
		pr_debug("%s sent a malformed reply (or RCODE %u)", leg->u->name, rcode);
		finish(leg, LEG_FAILED, NULL, 0, 0);
		return;
	}
	finish(leg, rcode == DNS_RCODE_NOERROR || rcode == DNS_RCODE_NXDOMAIN ? LEG_ANSWER : LEG_ERROR, msg, len,
	       qend);
}

static void on_udp(struct leg *leg)
{
	uint8_t msg[LEG_UDP_MAX];
	ssize_t n = recv(leg->fd, msg, sizeof(msg), MSG_TRUNC);

	if (n > (ssize_t)sizeof(msg)) {
		/* bigger than we take over UDP: as truncated, so TCP gets it whole */
		msg[2] |= DNS_TC;
		n = sizeof(msg);
	}
	if (n >= 0)
		on_reply(leg, msg, (size_t)n);
	else if (errno != EAGAIN && errno != EINTR)
		finish(leg, LEG_FAILED, NULL, 0, 0); /* e.g. ECONNREFUSED: port unreachable */
}

static void on_tcp(struct leg *leg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = leg };
	ssize_t n;

	if (leg->state == LEG_TCP_SEND) {
		n = send(leg->fd, leg->tcp + leg->tcp_done, leg->tcp_len - leg->tcp_done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINPROGRESS)
				finish(leg, LEG_FAILED, NULL, 0, 0); /* refused, reset */
			return;
		}
		leg->tcp_done += (size_t)n;
		if (leg->tcp_done < leg->tcp_len)
			return;
		leg->state = LEG_TCP_RECV;
		leg->tcp_done = 0;
		if (epoll_ctl(leg->epfd, EPOLL_CTL_MOD, leg->fd, &ev)) {
			pr_debug("epoll: %s", strerror(errno));
			finish(leg, LEG_FAILED, NULL, 0, 0);
		}
		return;
	}
	for (;;) {
		size_t want = leg->tcp_done < 2 ? 2 : 2 + (size_t)dns_get16(leg->tcp);

		if (leg->tcp_done == want && want > 2) {
			on_reply(leg, leg->tcp + 2, want - 2);
			return;
		}
		n = recv(leg->fd, leg->tcp + leg->tcp_done, want - leg->tcp_done, 0);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				finish(leg, LEG_FAILED, NULL, 0, 0);
			return;
		}
		leg->tcp_done += (size_t)n;
	}
}

static void leg_on_event(struct ev *ev, uint32_t events)
{
	struct leg *leg = (struct leg *)ev;

	(void)events;
	if (leg->fd < 0)
		return;
	if (leg->state == LEG_UDP)
		on_udp(leg);
	else
		on_tcp(leg);
}

int legs_heard_from(const struct leg *legs, int n, const struct upstream *u)
{
	for (int i = 0; i < n; i++)
		if (legs[i].u == u && !leg_open(&legs[i]))
			return 1;
	return 0;
}
