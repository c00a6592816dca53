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
#include "dns.h"
#include "holder.h"
#include "log.h"
#include "client.h"
#include "tcpconn.h"
#include "upstream.h"

#define LISTEN_RCVBUF (4 << 20) /* bytes queued on a UDP listen socket */

static void client_on_udp(struct ev *ev, uint32_t events);

void clients_init(struct clients *cs, const struct config *cfg, int epfd, struct server_stats *stats,
		  client_query_fn query, void *query_ctx)
{
	*cs = (struct clients){ .cfg = cfg, .epfd = epfd, .stats = stats, .query = query, .query_ctx = query_ctx };
}

int client_listen(struct clients *cs, const struct sockaddr_storage *addr)
{
	struct sockaddr_storage ss = *addr;
	char text[80];
	int one = 1, rcvbuf = LISTEN_RCVBUF, err = 0;

	if (ss.ss_family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons(cs->cfg->port);
	else
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(cs->cfg->port);
	addr_to_text(&ss, text, sizeof(text));
	for (int tcp = 0; tcp < 2; tcp++) {
		struct listener *l = &cs->listeners[cs->n_listeners];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = l };

		l->ev.fn = tcp ? tcpconn_on_accept : client_on_udp;
		l->cs = cs;
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
				holder_of_port(tcp, cs->cfg->port, who, sizeof(who));
				pr_err("cannot listen on %s (%s): %s: held by %s; stop it, or give bpfdnsd another "
				       "port= or listen-address=", text, tcp ? "tcp" : "udp", strerror(-err), who);
			}
		} else if (epoll_ctl(cs->epfd, EPOLL_CTL_ADD, l->fd, &ev)) {
			err = -errno;
			pr_err("epoll: %s", strerror(-err));
		}
		if (err) {
			close(l->fd);
			return err;
		}
		cs->n_listeners++;
	}
	pr_info("listening on %s (udp and tcp)", text);
	return 0;
}

static void client_on_udp(struct ev *ev, uint32_t events)
{
	struct listener *l = (struct listener *)ev;
	struct clients *cs = l->cs;
	struct client from = { .udp_fd = l->fd };
	uint8_t msg[MSG_MAX];

	(void)events;
	/* a few per wakeup, so one busy socket cannot starve the others */
	for (int i = 0; i < 16; i++) {
		ssize_t n;

		from.addr_len = sizeof(from.addr);
		n = recvfrom(l->fd, msg, sizeof(msg), 0, (struct sockaddr *)&from.addr, &from.addr_len);
		if (n < 0)
			return;
		cs->query(cs->query_ctx, &from, msg, (size_t)n);
	}
}

size_t client_answer_limit(const struct client *to, const struct client_query *cq, uint16_t edns_max)
{
	return to->conn ? TCP_MSG_MAX : query_udp_limit(cq, edns_max);
}

void client_send(const struct client *to, const uint8_t *msg, size_t len)
{
	if (to->conn) {
		tcpconn_send(to->conn, msg, len);
		return;
	}
	if (sendto(to->udp_fd, msg, len, 0, (const struct sockaddr *)&to->addr, to->addr_len) < 0)
		pr_debug("cannot answer a client: %s", strerror(errno));
}

void client_close_all(struct clients *cs)
{
	client_reap(cs, 1);
	for (int i = 0; i < cs->n_listeners; i++)
		close(cs->listeners[i].fd);
	cs->n_listeners = 0;
}
