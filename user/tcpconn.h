/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* tcpconn.h - TCP clients: the client side's private header (client.c and
 * tcpconn.c are one part, whose API is client.h): the listener's handler
 * and sending an answer. The rest of their API (hold, release, expire,
 * resume, reap) is in client.h. */
#ifndef BPFDNS_TCPCONN_H
#define BPFDNS_TCPCONN_H

#include <stddef.h>
#include <stdint.h>
#include "client.h"
#include "ev.h"

/* A TCP listen socket is readable: accept every waiting client. */
void tcpconn_on_accept(struct ev *ev, uint32_t events);
/* Send a whole DNS message, length-prefixed; what the socket does not
 * take waits in order (a client that never reads is closed). */
void tcpconn_send(struct conn *c, const uint8_t *msg, size_t len);

#endif /* BPFDNS_TCPCONN_H */
