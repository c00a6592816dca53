/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * client.h - the client side (client.c, tcpconn.c): listen sockets, UDP and
 * TCP clients, and where an answer goes. It knows nothing of what answers
 * a query: each whole query goes to the handler it was given.
 */
#ifndef BPFDNS_CLIENT_H
#define BPFDNS_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "bpfdns.h"
#include "config.h"
#include "counters.h"
#include "dnswire.h"
#include "ev.h"

#define MSG_MAX 4096		 /* UDP messages, and answers built from entries */
#define TCP_MSG_MAX DNS_MSG_MAX /* RFC 1035 4.2.2: a 16-bit length */
#define CLIENT_LISTEN_MAX BPFDNS_LISTEN_MAX /* addresses listened on at once (each pod's link-local...) */

struct clients;
struct conn;
struct client_query;

/* Where an answer goes: a UDP peer through a listen socket, or a TCP conn. */
struct client {
	int udp_fd;
	struct conn *conn;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	int retry; /* offered again after -EBUSY: counted and logged already */
	uint32_t *log_serial; /* TCP: where its query's serial in the query log is kept for a retry; NULL: UDP */
	uint64_t at_us;	      /* when its query came (clock.h): how long the answer took */
	struct answer_stats *answers; /* where its answer is counted */
};

/* A client's query (len bytes): answer it or send it upstream. Returns 0,
 * or -EBUSY when a TCP client's query cannot be taken now (no room
 * upstream): the conn keeps it and offers it again later (a UDP client's
 * is dropped: it retries). */
typedef int (*client_query_fn)(void *ctx, const struct client *from, const uint8_t *msg, size_t len);

struct listener {
	struct ev ev;
	struct clients *cs;
	int fd;
};

/* The client side's state; only client.c and tcpconn.c touch it. */
struct clients {
	/* given (clients_init) */
	const struct config *cfg;
	int epfd;
	struct server_stats *stats;
	client_query_fn query;
	void *query_ctx;
	const struct acl *acl; /* who may query (the server's, kept by ifaces.c) */
	/* its own */
	struct listener listeners[CLIENT_LISTEN_MAX * 2]; /* UDP, TCP per address; fd -1: free */
	struct sockaddr_storage listen_addr[CLIENT_LISTEN_MAX];
	int n_listeners; /* slots in use or freed: addresses, twice */
	struct conn *conns; /* TCP clients */
	int n_conns;
	struct conn *stalled_head, *stalled_tail; /* waiting for room, in order */
};

void clients_init(struct clients *cs, const struct config *cfg, int epfd, struct server_stats *stats,
		  client_query_fn query, void *query_ctx);
/* Listen on addr (UDP and TCP, our port); freebind: even while no
 * interface has it (it may come later). 0 or -errno (logged). */
int client_listen(struct clients *cs, const struct sockaddr_storage *addr, int freebind);
/* Stop listening on addr (an address that went away). */
void client_unlisten(struct clients *cs, const struct sockaddr_storage *addr);
/* The largest answer this client takes: TCP's, or its UDP limit given our
 * edns-packet-max. */
size_t client_answer_limit(const struct client *to, const struct client_query *cq, uint16_t edns_max);
/* Send a whole DNS message to a client (length-prefixed over TCP), counted
 * by where it came from, its RCODE and how long it took (answers.h);
 * nothing for len 0. */
void client_send(const struct client *to, enum answer_where where, const uint8_t *msg, size_t len);
/* Keep a TCP conn alive while an answer for it is pending. */
void client_hold(const struct client *c);
void client_release(const struct client *c);
/* Close TCP conns idle for too long, or whose message is overdue. */
void client_expire(struct clients *cs, uint64_t now_ms);
/* Offer stalled TCP conns' queries again; close half-closed conns that
 * got every answer. Only between epoll batches. */
void client_resume(struct clients *cs);
/* Free closed conns no answer is owed to (all: close and free every one);
 * only between epoll batches. */
void client_reap(struct clients *cs, int all);
/* Close every client socket, listeners included. */
void client_close_all(struct clients *cs);

#endif /* BPFDNS_CLIENT_H */
