/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * control.h - bpfdnsd's two read-only windows: the control socket (a Unix
 * socket; one command line in, its answer out, as bpfdnsctl uses it) and,
 * opt-in, Prometheus metrics over HTTP (metrics=IP:PORT).
 *
 * Control commands: "stats" (the metrics exposition), "flush [NAME]" (drop
 * cache entries: "flushed N") and "ping".
 */
#ifndef BPFDNS_CONTROL_H
#define BPFDNS_CONTROL_H

#include <stdint.h>
#include "server.h"

/* Open the control socket (cfg->control_socket, unless empty) and the
 * metrics listener (cfg->metrics, when set). 0 or -errno (logged). */
int control_open(struct server *srv);
/* Close connections that sent no complete request in time, and free those
 * shut for newer clients; only between epoll batches. */
void control_expire(struct server *srv, uint64_t now_ms);
/* Close everything, and remove the control socket's file. */
void control_close(struct server *srv);

#endif /* BPFDNS_CONTROL_H */
