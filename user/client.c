// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * client.c - the client side: UDP and TCP listen sockets, TCP connections
 * (RFC 7766: pipelined queries, answers in any order, idle timeout).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "answer.h"
#include "dns.h"
#include "holder.h"
#include "log.h"
#include "server.h"

#define CONN_MAX 256	      /* TCP clients at once */
#define CONN_PENDING_MAX 32   /* queries in flight per TCP client */
#define CONN_IDLE_MS 10000    /* RFC 7766 6.2.3: close idle clients */
#define CONN_OUT_MAX (256 << 10) /* unsent answers before we give up */
#define LISTEN_RCVBUF (4 << 20)  /* bytes queued on a UDP listen socket */

struct conn {
	struct ev ev;
	struct conn *next;
	int fd;	      /* -1 once closed */
	int pending;  /* answers owed (held references) */
	uint64_t last_ms;
	uint8_t in[2 + TCP_MSG_MAX];
	size_t in_len;
	uint8_t *out; /* answers the socket did not take yet */
	size_t out_len, out_cap;
	struct sockaddr_storage addr;
	socklen_t addr_len;
};

int client_listen(struct server *srv, const struct sockaddr_storage *addr)
{
	struct sockaddr_storage ss = *addr;
	char text[80];
	int one = 1, rcvbuf = LISTEN_RCVBUF, err = 0;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(srv->cfg->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(srv->cfg->port);
	addr_to_text(&ss, text, sizeof(text));
	for (int tcp = 0; tcp < 2; tcp++) {
		struct listener *l = &srv->listeners[srv->n_listeners];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

		l->ev.kind = tcp ? EV_TCP_LISTEN : EV_UDP;
		l->fd = socket(ss.ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (l->fd < 0) {
			err = -errno;
			pr_err("cannot open a socket for %s: %s", text, strerror(-err));
			return err;
		}
		if (ss.ss_family == AF_INET6)
			setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (tcp)
			setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		else if (setsockopt(l->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
			/* a burst of queries must not overflow the default buffer */
			setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (bind(l->fd, (struct sockaddr *)&ss, addr_len(&ss)) || (tcp && listen(l->fd, 64))) {
			char who[96] = "another DNS server (see `ss -lunpt`)";

			err = -errno;
			if (err != -EADDRINUSE) {
				pr_err("cannot listen on %s (%s): %s", text, tcp ? "tcp" : "udp", strerror(-err));
			} else {
				holder_of_port(tcp, srv->cfg->port, who, sizeof(who));
				pr_err("cannot listen on %s (%s): %s: held by %s; stop it, or give bpfdnsd another "
				       "port= or listen-address=", text, tcp ? "tcp" : "udp", strerror(-err), who);
			}
		} else if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, l->fd, &ev)) {
			err = -errno;
			pr_err("epoll: %s", strerror(-err));
		}
		if (err) {
			close(l->fd);
			return err;
		}
		srv->n_listeners++;
	}
	pr_info("listening on %s (udp and tcp)", text);
	return 0;
}

void client_on_udp(struct server *srv, struct listener *l)
{
	struct client from = { .udp_fd = l->fd };
	uint8_t msg[MSG_MAX];

	/* a few per wakeup, so one busy socket cannot starve the others */
	for (int i = 0; i < 16; i++) {
		ssize_t n;

		from.addr_len = sizeof(from.addr);
		n = recvfrom(l->fd, msg, sizeof(msg), 0, (struct sockaddr *)&from.addr, &from.addr_len);
		if (n < 0)
			return;
		server_query(srv, &from, msg, (size_t)n);
	}
}

/* Close the socket; client_reap frees the conn once no answer is owed to
 * it and no event of the current batch can point at it. */
static void conn_close(struct server *srv, struct conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

void client_on_accept(struct server *srv, struct listener *l)
{
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof(addr);
		int fd = accept4(l->fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct conn *c;

		if (fd < 0)
			return;
		if (acl_check(&srv->cfg->acl, &addr) == BPFDNS_ACL_DENY) {
			srv->stats.denied++;
			close(fd);
			continue;
		}
		if (srv->n_conns >= CONN_MAX) {
			pr_debug("too many TCP clients; closing a new one");
			close(fd);
			continue;
		}
		c = malloc(sizeof(*c));
		if (!c) {
			close(fd);
			return;
		}
		memset(c, 0, offsetof(struct conn, in));
		c->ev.kind = EV_CONN;
		c->fd = fd;
		c->addr = addr;
		c->addr_len = alen;
		c->last_ms = server_now_ms();
		ev.data.ptr = c;
		if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = srv->conns;
		srv->conns = c;
		srv->n_conns++;
	}
}

/* Hand every complete length-prefixed query in c->in to the server. */
static void conn_queries(struct server *srv, struct conn *c)
{
	size_t at = 0;

	while (c->fd >= 0 && c->in_len - at >= 2) {
		struct client from = { .udp_fd = -1, .conn = c, .addr = c->addr, .addr_len = c->addr_len };
		size_t len = dns_get16(c->in + at);

		if (c->in_len - at < 2 + len)
			break;
		if (c->pending < CONN_PENDING_MAX)
			server_query(srv, &from, c->in + at + 2, len);
		at += 2 + len;
	}
	memmove(c->in, c->in + at, c->in_len - at);
	c->in_len -= at;
}

static void conn_flush(struct server *srv, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	ssize_t n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);

	if (n < 0 && errno != EAGAIN) {
		conn_close(srv, c);
		return;
	}
	if (n > 0) {
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	if (!c->out_len)
		epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

void client_on_conn(struct server *srv, struct conn *c, uint32_t events)
{
	ssize_t n;

	if (c->fd < 0)
		return;
	c->last_ms = server_now_ms();
	if ((events & EPOLLOUT) && c->out_len) {
		conn_flush(srv, c);
		if (c->fd < 0)
			return;
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		conn_close(srv, c);
		return;
	}
	if (n > 0) {
		c->in_len += (size_t)n;
		conn_queries(srv, c);
	}
}

/* Queue bytes the socket did not take, and ask to hear when it can. */
static int conn_queue(struct server *srv, struct conn *c, const uint8_t *p, size_t n)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };

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
	epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	return 0;
}

static void conn_send(struct server *srv, struct conn *c, const uint8_t *msg, size_t len)
{
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
			conn_close(srv, c);
			return;
		}
		if (n < 0)
			n = 0;
	}
	/* whatever did not go out waits, in order */
	sent = (size_t)n;
	if (sent < 2 && conn_queue(srv, c, prefix + sent, 2 - sent))
		goto fail;
	msg_sent = sent > 2 ? sent - 2 : 0;
	if (msg_sent < len && conn_queue(srv, c, msg + msg_sent, len - msg_sent))
		goto fail;
	return;
fail:
	pr_debug("a TCP client does not read its answers; closing it");
	conn_close(srv, c);
}

size_t client_answer_limit(const struct server *srv, const struct client *to, const struct client_query *cq)
{
	return to->conn ? TCP_MSG_MAX : query_udp_limit(cq, srv->cfg->edns_packet_max);
}

void client_send(struct server *srv, const struct client *to, const uint8_t *msg, size_t len)
{
	if (to->conn) {
		conn_send(srv, to->conn, msg, len);
		return;
	}
	if (sendto(to->udp_fd, msg, len, 0, (const struct sockaddr *)&to->addr, to->addr_len) < 0)
		pr_debug("cannot answer a client: %s", strerror(errno));
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

void client_expire(struct server *srv, uint64_t now_ms)
{
	for (struct conn *c = srv->conns; c; c = c->next)
		if (c->fd >= 0 && !c->pending && !c->out_len && now_ms - c->last_ms > CONN_IDLE_MS)
			conn_close(srv, c);
}

void client_reap(struct server *srv, int all)
{
	for (struct conn **p = &srv->conns; *p;) {
		struct conn *c = *p;

		if (all)
			conn_close(srv, c);
		if (c->fd >= 0 || (c->pending && !all)) {
			p = &c->next;
			continue;
		}
		*p = c->next;
		srv->n_conns--;
		free(c->out);
		free(c);
	}
}

void client_close_all(struct server *srv)
{
	client_reap(srv, 1);
	for (int i = 0; i < srv->n_listeners; i++)
		close(srv->listeners[i].fd);
	srv->n_listeners = 0;
}
