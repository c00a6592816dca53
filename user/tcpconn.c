// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcpconn.c - TCP clients (RFC 7766): pipelined queries answered in any
 * order; back-pressure instead of drops; slots, per source and for refused
 * sources; a deadline per message and an idle timeout; half-close.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "clock.h"
#include "dns.h"
#include "log.h"
#include "client.h"
#include "tcpconn.h"

#define CONN_MAX 256	      /* TCP clients at once (allowed sources) */
#define CONN_PER_SOURCE 64    /* of which one address may hold */
#define CONN_REFUSED_MAX 16   /* refused sources (REFUSED answers): slots of their own */
#define CONN_PENDING_MAX 32   /* queries in flight per TCP client; then we stop reading */
#define CONN_IDLE_MS 10000    /* RFC 7766 6.2.3: close clients idle this long */
#define CONN_MSG_MS 5000      /* to send one whole message, however it trickles in */
#define CONN_OUT_MAX (256 << 10) /* unsent answers before we give up */

/* Why a conn stopped reading (back-pressure). */
enum { STALL_NONE, STALL_OWN /* CONN_PENDING_MAX of its own in flight */, STALL_ROOM /* none upstream */ };

struct conn {
	struct ev ev;
	struct clients *cs;
	struct conn *next;
	int fd;	      /* -1 once closed */
	int pending;  /* answers owed (held references) */
	uint8_t refused; /* an access-control-refused source: the small pool */
	uint8_t eof;	 /* the client sent FIN: no more queries, answers still owed */
	uint8_t stalled; /* a whole query waits: STALL_OWN or STALL_ROOM */
	uint8_t queued;	 /* in the server's queue of stalled conns */
	struct conn *stall_next; /* that queue: first stalled, first resumed */
	uint32_t events; /* what epoll watches for */
	uint64_t active_ms;    /* last whole query in or answer bytes out */
	uint64_t msg_start_ms; /* first byte of the message being read */
	uint32_t log_serial;   /* the query log's number of the query offered first */
	uint64_t offered_us;   /* when that query was offered first: its answer's wait */
	size_t in_len;
	uint8_t *out; /* answers the socket did not take yet */
	size_t out_len, out_cap;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint8_t in[2 + TCP_MSG_MAX];
};

static void conn_on_event(struct ev *ev, uint32_t events);

/* Close the socket; client_reap frees the conn once no answer is owed to
 * it and no event of the current batch can point at it. */
static void conn_close(struct clients *cs, struct conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(cs->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

/* Watch for what c can take now: queries while it is not stalled or
 * finished sending, room to write while answers wait. */
static void conn_watch(struct clients *cs, struct conn *c)
{
	uint32_t want = (c->stalled || c->eof ? 0 : EPOLLIN) | (c->out_len ? EPOLLOUT : 0);
	struct epoll_event ev = { .events = want, .data.ptr = c };

	if (c->fd < 0 || want == c->events)
		return;
	if (epoll_ctl(cs->epfd, EPOLL_CTL_MOD, c->fd, &ev)) {
		pr_warn("epoll: %s; closing a TCP client", strerror(errno));
		conn_close(cs, c);
		return;
	}
	c->events = want;
}

static int same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
		       sizeof(struct in6_addr));
}

static int conn_idle(const struct conn *c)
{
	return !c->pending && !c->out_len && !c->in_len;
}

/*
 * Room for a new connection from addr (refused: in the refused pool): when
 * its pool or its source's share is full, the oldest idle connection there
 * is closed (a refused pool's oldest, idle or not). 0, or -EBUSY when
 * every slot is busy.
 */
static int conn_make_room(struct clients *cs, const struct sockaddr_storage *addr, int refused)
{
	struct conn *oldest = NULL, *oldest_src = NULL;
	int n = 0, n_src = 0;

	for (struct conn *c = cs->conns; c; c = c->next) {
		int src;

		if (c->fd < 0 || c->refused != refused)
			continue;
		src = same_source(&c->addr, addr);
		n++;
		n_src += src;
		if (!refused && !conn_idle(c))
			continue;
		if (!oldest || c->active_ms < oldest->active_ms)
			oldest = c;
		if (src && (!oldest_src || c->active_ms < oldest_src->active_ms))
			oldest_src = c;
	}
	if (!refused && n_src >= CONN_PER_SOURCE)
		oldest = oldest_src; /* this source makes room, not others */
	else if (n < (refused ? CONN_REFUSED_MAX : CONN_MAX))
		return 0;
	if (!oldest)
		return -EBUSY;
	pr_debug("TCP clients full: closing the oldest idle one");
	conn_close(cs, oldest);
	return 0;
}

void tcpconn_on_accept(struct ev *ev, uint32_t events)
{
	struct listener *l = (struct listener *)ev;
	struct clients *cs = l->cs;

	(void)events;
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		int fd = accept4(l->fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event eev = { .events = EPOLLIN };
		struct conn *c;
		int action;

		if (fd < 0)
			return;
		action = acl_check(cs->acl, &addr);
		if (action == BPFDNS_ACL_DENY) {
			cs->stats->denied++;
			close(fd);
			continue;
		}
		if (conn_make_room(cs, &addr, action != BPFDNS_ACL_ALLOW)) {
			pr_debug("every TCP client slot is busy; closing a new one");
			close(fd);
			continue;
		}
		/* all of it: a reused block must not carry a closed conn's
		 * buffers or lengths into this one */
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		c->ev.fn = conn_on_event;
		c->cs = cs;
		c->fd = fd;
		c->refused = action != BPFDNS_ACL_ALLOW;
		c->events = EPOLLIN;
		c->addr = addr;
		c->addr_len = alen;
		c->active_ms = clock_now_ms();
		eev.data.ptr = c;
		if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &eev)) {
			pr_warn("epoll: %s; closing a new TCP client", strerror(errno));
			close(fd);
			free(c);
			continue;
		}
		c->next = cs->conns;
		cs->conns = c;
		cs->n_conns++;
	}
}

/* Queue c to be offered again: at the back, or at the front (it waited
 * and got nothing). Room that frees goes to the head of the queue, so no
 * client starves. */
static void stall_queue(struct clients *cs, struct conn *c, int front)
{
	if (c->queued)
		return;
	c->queued = 1;
	if (front) {
		c->stall_next = cs->stalled_head;
		cs->stalled_head = c;
		if (!cs->stalled_tail)
			cs->stalled_tail = c;
		return;
	}
	c->stall_next = NULL;
	if (cs->stalled_tail)
		cs->stalled_tail->stall_next = c;
	else
		cs->stalled_head = c;
	cs->stalled_tail = c;
}

static struct conn *stall_pop(struct clients *cs)
{
	struct conn *c = cs->stalled_head;

	if (!c)
		return NULL;
	cs->stalled_head = c->stall_next;
	if (!cs->stalled_head)
		cs->stalled_tail = NULL;
	c->queued = 0;
	return c;
}

static void stall_unqueue(struct clients *cs, struct conn *c)
{
	struct conn *prev = NULL;

	if (!c->queued)
		return;
	for (struct conn *q = cs->stalled_head; q; prev = q, q = q->stall_next) {
		if (q != c)
			continue;
		if (prev)
			prev->stall_next = c->stall_next;
		else
			cs->stalled_head = c->stall_next;
		if (cs->stalled_tail == c)
			cs->stalled_tail = prev;
		break;
	}
	c->queued = 0;
}

/* Hand every complete length-prefixed query in c->in to the server; stop
 * (stalled) when this client has CONN_PENDING_MAX queries in flight or
 * the server has no room for one now: TCP clients never retransmit, so a
 * query read is a query answered (RFC 7766 6.2.1.1: back-pressure). */
static void conn_queries(struct clients *cs, struct conn *c)
{
	uint64_t now_us = clock_now_us(), now_ms = now_us / 1000;
	int waited = c->stalled == STALL_ROOM; /* the first query was offered before */
	size_t at = 0;

	c->stalled = STALL_NONE;
	while (c->fd >= 0 && c->in_len - at >= 2) {
		struct client from = { .udp_fd = -1, .conn = c, .addr = c->addr, .addr_len = c->addr_len,
				       .retry = waited && !at, .log_serial = &c->log_serial,
				       .at_us = waited && !at ? c->offered_us : now_us,
				       .answers = &cs->stats->answers };
		size_t len = dns_get16(c->in + at);

		if (c->in_len - at < 2 + len)
			break;
		if (c->pending >= CONN_PENDING_MAX) {
			c->stalled = STALL_OWN;
			stall_queue(cs, c, 0);
			break;
		}
		if (cs->query(cs->query_ctx, &from, c->in + at + 2, len) == -EBUSY) {
			/* no room upstream: it keeps its place in the queue
			 * unless it just got some */
			c->stalled = STALL_ROOM;
			c->offered_us = from.at_us;
			stall_queue(cs, c, !at);
			break;
		}
		at += 2 + len;
		c->active_ms = now_ms;
		c->msg_start_ms = now_ms; /* the next message starts now */
	}
	if (c->fd < 0)
		return;
	memmove(c->in, c->in + at, c->in_len - at);
	c->in_len -= at;
	conn_watch(cs, c);
}

static void conn_flush(struct clients *cs, struct conn *c)
{
	ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);

	if (n < 0 && errno != EAGAIN) {
		conn_close(cs, c);
		return;
	}
	if (n > 0) {
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
		c->active_ms = clock_now_ms();
	}
	conn_watch(cs, c);
}

static void conn_on_event(struct ev *ev, uint32_t events)
{
	struct conn *c = (struct conn *)ev;
	struct clients *cs = c->cs;
	ssize_t n;

	if (c->fd < 0)
		return;
	if (events & (EPOLLERR | EPOLLHUP)) { /* reset, or closed both ways: nothing can be delivered */
		conn_close(cs, c);
		return;
	}
	if ((events & EPOLLOUT) && c->out_len) {
		conn_flush(cs, c);
		if (c->fd < 0)
			return;
	}
	if (!(events & EPOLLIN) || c->stalled || c->eof)
		return;
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		conn_close(cs, c);
		return;
	}
	if (n == 0) {
		/* FIN: the client sends no more, but the answers to what it
		 * sent are still owed (RFC 7766 6.2.4); closed once sent */
		c->eof = 1;
		conn_watch(cs, c);
		return;
	}
	if (n > 0) {
		if (!c->in_len)
			c->msg_start_ms = clock_now_ms();
		c->in_len += (size_t)n;
		conn_queries(cs, c);
	}
}

/* Queue bytes the socket did not take, and ask to hear when it can. */
static int conn_queue(struct clients *cs, struct conn *c, const uint8_t *p, size_t n)
{
	if (c->out_len + n > CONN_OUT_MAX)
		return -ENOBUFS;
	if (c->out_len + n > c->out_cap) {
		size_t cap = (c->out_len + n) * 2;
		uint8_t *out = realloc(c->out, cap);

		if (!out)
			return -ENOMEM;
		c->out = out;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	conn_watch(cs, c);
	return 0;
}

void tcpconn_send(struct conn *c, const uint8_t *msg, size_t len)
{
	struct clients *cs = c->cs;
	uint8_t prefix[2];
	struct iovec iov[2] = { { prefix, 2 }, { (void *)msg, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t sent, msg_sent;
	ssize_t n = 0;

	if (c->fd < 0 || len > TCP_MSG_MAX)
		return;
	dns_put16(prefix, (uint16_t)len);
	if (!c->out_len) {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN) {
			conn_close(cs, c);
			return;
		}
		if (n < 0)
			n = 0;
		else
			c->active_ms = clock_now_ms();
	}
	/* whatever did not go out waits, in order */
	sent = (size_t)n;
	if (sent < 2 && conn_queue(cs, c, prefix + sent, 2 - sent))
		goto fail;
	msg_sent = sent > 2 ? sent - 2 : 0;
	if (msg_sent < len && conn_queue(cs, c, msg + msg_sent, len - msg_sent))
		goto fail;
	return;
fail:
	pr_debug("a TCP client does not read its answers; closing it");
	conn_close(cs, c);
}

void client_hold(const struct client *c)
{
	if (c->conn)
		c->conn->pending++;
}

void client_release(const struct client *c)
{
	if (c->conn)
		c->conn->pending--;
}

void client_expire(struct clients *cs, uint64_t now_ms)
{
	for (struct conn *c = cs->conns; c; c = c->next) {
		if (c->fd < 0)
			continue;
		/* a message must arrive whole in time, however it trickles
		 * (unless we stopped reading it); idle or not reading its
		 * answers, a client is closed once nothing is owed to it and
		 * none of its queries waits for room. The stamps may be a
		 * little later than now_ms: no subtraction that could wrap. */
		if ((c->in_len && !c->stalled && now_ms > c->msg_start_ms + CONN_MSG_MS) ||
		    (!c->pending && !c->stalled && now_ms > c->active_ms + CONN_IDLE_MS))
			conn_close(cs, c);
	}
}

void client_resume(struct clients *cs)
{
	/* each stalled conn once at most, longest waiting first; the pass
	 * ends where there is no room upstream */
	for (struct conn *c = cs->stalled_tail, *last = c; last && (c = stall_pop(cs));) {
		if (c->fd >= 0 && c->stalled)
			conn_queries(cs, c);
		if (c == last || c->stalled == STALL_ROOM)
			break;
	}
	for (struct conn *c = cs->conns; c; c = c->next) {
		/* half-closed: done when every answer is out */
		if (c->fd >= 0 && c->eof && !c->stalled && !c->pending && !c->out_len)
			conn_close(cs, c);
	}
}

void client_reap(struct clients *cs, int all)
{
	for (struct conn **p = &cs->conns; *p;) {
		struct conn *c = *p;

		if (all)
			conn_close(cs, c);
		if (c->fd >= 0 || (c->pending && !all)) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		cs->n_conns--;
		stall_unqueue(cs, c);
		free(c->out);
		free(c);
	}
}

