// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * client.c - the client side: the UDP and TCP listen sockets, UDP queries,
 * and sending answers (TCP connections are tcpconn.c's).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include "answer.h"
#include "clock.h"
#include "dns.h"
#include "holder.h"
#include "log.h"
#include "client.h"
#include "tcpconn.h"
#include "upstream.h"

#define LISTEN_RCVBUF (4 << 20) /* bytes queued on a UDP listen socket */

#define UDP_BATCH 16 /* client datagrams read at once */

static void client_on_udp(struct ev *ev, uint32_t events);

void clients_init(struct clients *cs, const struct config *cfg, int epfd, struct server_stats *stats,
		  client_query_fn query, void *query_ctx)
{
	*cs = (struct clients){ .cfg = cfg, .epfd = epfd, .stats = stats, .query = query, .query_ctx = query_ctx };
}

/* A free slot: the index of its UDP listener (TCP's is next), or -1. */
static int listen_slot(struct clients *cs)
{
	for (int i = 0; i < cs->n_listeners; i += 2)
		if (cs->listeners[i].fd < 0)
			return i;
	return cs->n_listeners < CLIENT_LISTEN_MAX * 2 ? cs->n_listeners : -1;
}

static void listen_error(struct clients *cs, const char *text, int tcp, int err)
{
	char who[96] = "another DNS server (see `ss -lunpt`)";

	if (err != -EADDRINUSE) {
		pr_err("cannot listen on %s (%s): %s", text, tcp ? "tcp" : "udp", strerror(-err));
		return;
	}
	holder_of_port(tcp, cs->cfg->port, who, sizeof(who));
	pr_err("cannot listen on %s (%s): %s: held by %s; stop it, or give bpfdnsd another port= or "
	       "listen-address=", text, tcp ? "tcp" : "udp", strerror(-err), who);
}

/* One socket of a listen address, bound and polled; its fd or -errno (logged). */
static int listen_socket(struct clients *cs, struct listener *l, const struct sockaddr_storage *ss, int tcp,
			 int freebind, const char *text)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };
	int one = 1, rcvbuf = LISTEN_RCVBUF, err = 0;
	int fd = socket(ss->ss_family, (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		err = -errno;
		pr_err("cannot open a socket for %s: %s", text, strerror(-err));
		return err;
	}
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (freebind && ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	else if (freebind)
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (tcp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	else if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		/* a burst of queries must not overflow the default buffer */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (const struct sockaddr *)ss, addr_len(ss)) || (tcp && listen(fd, 64))) {
		err = -errno;
		listen_error(cs, text, tcp, err);
	} else if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		err = -errno;
		pr_err("epoll: %s", strerror(-err));
	}
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/* addr with our port, and as text. */
static struct sockaddr_storage listen_at(const struct clients *cs, const struct sockaddr_storage *addr, char *text,
					 size_t n)
{
	struct sockaddr_storage ss = *addr;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(cs->cfg->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(cs->cfg->port);
	addr_to_text(&ss, text, n);
	return ss;
}

int client_listen(struct clients *cs, const struct sockaddr_storage *addr, int freebind)
{
	char text[80];
	struct sockaddr_storage ss = listen_at(cs, addr, text, sizeof(text));
	int slot = listen_slot(cs);

	if (slot < 0) {
		pr_err("cannot listen on %s: already on %d addresses", text, CLIENT_LISTEN_MAX);
		return -ENOSPC;
	}
	for (int tcp = 0; tcp < 2; tcp++) {
		struct listener *l = &cs->listeners[slot + tcp];
		int fd;

		l->ev.fn = tcp ? tcpconn_on_accept : client_on_udp;
		l->cs = cs;
		fd = listen_socket(cs, l, &ss, tcp, freebind, text);
		if (fd < 0) {
			if (tcp)
				close(cs->listeners[slot].fd);
			cs->listeners[slot].fd = -1;
			return fd;
		}
		l->fd = fd;
	}
	cs->listen_addr[slot / 2] = *addr;
	if (slot == cs->n_listeners)
		cs->n_listeners += 2;
	pr_info("listening on %s (udp and tcp)", text);
	return 0;
}

void client_unlisten(struct clients *cs, const struct sockaddr_storage *addr)
{
	for (int i = 0; i < cs->n_listeners; i += 2) {
		char text[80];

		if (cs->listeners[i].fd < 0 || !addr_same(&cs->listen_addr[i / 2], addr))
			continue;
		/* epoll forgets a closed fd; a batch being handled holds no listener */
		close(cs->listeners[i].fd);
		close(cs->listeners[i + 1].fd);
		cs->listeners[i].fd = cs->listeners[i + 1].fd = -1;
		listen_at(cs, addr, text, sizeof(text));
		pr_info("no longer listening on %s", text);
	}
}

static void client_on_udp(struct ev *ev, uint32_t events)
{
	static uint8_t msg[UDP_BATCH][MSG_MAX]; /* one thread; the callback keeps none */
	struct listener *l = (struct listener *)ev;
	struct clients *cs = l->cs;
	struct client from[UDP_BATCH];
	struct mmsghdr mm[UDP_BATCH];
	struct iovec iov[UDP_BATCH];
	uint64_t now_us = clock_now_us();
	int n;

	(void)events;
	memset(from, 0, sizeof(from));
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < UDP_BATCH; i++) {
		from[i].udp_fd = l->fd;
		from[i].at_us = now_us;
		from[i].answers = &cs->stats->answers;
		iov[i] = (struct iovec){ msg[i], sizeof(msg[i]) };
		mm[i].msg_hdr.msg_name = &from[i].addr;
		mm[i].msg_hdr.msg_namelen = sizeof(from[i].addr);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	/* a batch per wakeup, in one call: one busy socket cannot starve the others */
	n = recvmmsg(l->fd, mm, UDP_BATCH, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n; i++) {
		from[i].addr_len = mm[i].msg_hdr.msg_namelen;
		cs->query(cs->query_ctx, &from[i], msg[i], mm[i].msg_len);
	}
}

size_t client_answer_limit(const struct client *to, const struct client_query *cq, uint16_t edns_max)
{
	return to->conn ? TCP_MSG_MAX : query_udp_limit(cq, edns_max);
}

void client_send(const struct client *to, enum answer_where where, const uint8_t *msg, size_t len)
{
	uint64_t now_us;

	if (len < DNS_HDR_LEN)
		return;
	if (to->conn)
		tcpconn_send(to->conn, msg, len);
	else if (sendto(to->udp_fd, msg, len, 0, (const struct sockaddr *)&to->addr, to->addr_len) < 0)
		pr_debug("cannot answer a client: %s", strerror(errno));
	if (to->answers) {
		now_us = clock_now_us();
		answers_count(to->answers, where, msg[3] & DNS_RCODE, now_us > to->at_us ? now_us - to->at_us : 0);
	}
}

void client_close_all(struct clients *cs)
{
	client_reap(cs, 1);
	for (int i = 0; i < cs->n_listeners; i++)
		if (cs->listeners[i].fd >= 0)
			close(cs->listeners[i].fd);
	cs->n_listeners = 0;
}
