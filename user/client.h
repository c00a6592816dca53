/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* client.h - the client side (client.c, tcpconn.c): listen sockets, UDP and
 * TCP clients, and where an answer goes. */
#ifndef BPFDNS_CLIENT_H
#define BPFDNS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "ev.h"

struct server;
struct conn;
struct client_query;

struct listener {
	struct ev ev;
	struct server *srv;
	int fd;
};

/* Where an answer goes: a UDP peer through a listen socket, or a TCP conn. */
struct client {
	int udp_fd;
	struct conn *conn;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int retry; /* offered again after -EBUSY: counted and logged already */
};

int client_listen(struct server *srv, const struct sockaddr_storage *addr);
/* The largest answer this client takes: TCP's, or its UDP limit. */
size_t client_answer_limit(const struct server *srv, const struct client *to, const struct client_query *cq);
/* Send a whole DNS message to a client (length-prefixed over TCP). */
void client_send(struct server *srv, const struct client *to, const uint8_t *msg, size_t len);
/* Keep a TCP conn alive while an answer for it is pending. */
void client_hold(const struct client *c);
void client_release(const struct client *c);
/* Close TCP conns idle for too long, or whose message is overdue. */
void client_expire(struct server *srv, uint64_t now_ms);
/* Offer stalled TCP conns' queries again; close half-closed conns that
 * got every answer. Only between epoll batches. */
void client_resume(struct server *srv);
/* Free closed conns no answer is owed to (all: close and free every one);
 * only between epoll batches. */
void client_reap(struct server *srv, int all);
/* Close every client socket, listeners included. */
void client_close_all(struct server *srv);

#endif /* BPFDNS_CLIENT_H */
