/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* server.h - bpfdnsd's event loop: client sockets, upstream races, cache fill. */
#ifndef BPFDNS_SERVER_H
#define BPFDNS_SERVER_H

#include "config.h"
#include "fastpath.h"
#include "upstream.h"

struct server;

/* Open the listen sockets and the event loop. Returns 0 or -errno (logged). */
int server_open(struct server **srv, const struct config *cfg, struct upstreams *ups, struct fastpath *fp);
/* Serve until *stop becomes non-zero. */
int server_run(struct server *srv, volatile int *stop);
void server_close(struct server *srv);

#endif /* BPFDNS_SERVER_H */
