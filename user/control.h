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

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "cache.h"
#include "config.h"
#include "ev.h"

/* Write every number the daemon keeps (the "stats" command, GET /metrics)
 * into out (NUL-terminated, cut at n); its length. */
typedef size_t (*control_report_fn)(void *ctx, char *out, size_t n);
/* Every counter from zero again (the "reset" command). */
typedef void (*control_reset_fn)(void *ctx);

struct control;
struct ctl_conn;

/* The control socket or the metrics endpoint. */
struct ctl_listener {
	struct ev ev;
	struct control *ctl;
	int fd;
	int http;
	int n_conns; /* its clients: each listener has slots of its own */
};

/* The control side's state; only control.c touches it. */
struct control {
	/* given (control_open) */
	int epfd;
	struct cache *cache; /* flush */
	control_report_fn report;
	control_reset_fn reset;
	void *report_ctx; /* both's */
	/* its own */
	struct ctl_listener listeners[2];
	int n;
	struct ctl_conn *conns;
	const char *path; /* the control socket's file, removed on close */
	uid_t owner;	  /* who started the daemon (before user=): may flush, as root may */
};

/* Open the control socket (cfg->control_socket, unless empty) and the
 * metrics listener (cfg->metrics, when set). 0 or -errno (logged). */
int control_open(struct control *ctl, const struct config *cfg, int epfd, struct cache *cache,
		 control_report_fn report, control_reset_fn reset, void *report_ctx);
/* Close connections that sent no complete request in time, and free those
 * shut for newer clients; only between epoll batches. */
void control_expire(struct control *ctl, uint64_t now_ms);
/* Close everything, and remove the control socket's file. */
void control_close(struct control *ctl);

#endif /* BPFDNS_CONTROL_H */
