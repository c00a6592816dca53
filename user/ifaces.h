/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ifaces.h - where bpfdnsd listens and where its fast path is attached,
 * kept in step with the system's interfaces and addresses (ifset.h says
 * which ones are served): at start-up, and, unless bind-interfaces alone,
 * whenever netlink says a link or an address came or went, with no
 * restart. Without access-control=, the subnets of the addresses listened
 * on are answered too (as dnsmasq's local-service).
 */
#ifndef BPFDNS_IFACES_H
#define BPFDNS_IFACES_H

#include <sys/socket.h>
#include "acl.h"
#include "client.h"
#include "config.h"
#include "ev.h"
#include "fastpath.h"

struct ifaces {
	/* given (ifaces_open) */
	const struct config *cfg;
	struct clients *cs;
	struct fastpath *fp; /* NULL: no fast path */
	int epfd;
	/* its own */
	struct ev ev;	/* netlink's link and address events */
	int nl_fd;	/* -1: not following them */
	int changed;	/* an event came: sync at the end of the loop turn */
	struct sockaddr_storage addrs[CLIENT_LISTEN_MAX]; /* listened on now */
	int n_addrs;
	struct acl acl; /* who may query: cfg's, and the subnets listened on */
};

/* Before any socket or pin: 0, or -ENODEV (logged) when an interface=
 * names no interface and bind-interfaces makes that fatal (as dnsmasq:
 * otherwise it is waited for, with a warning). */
int ifaces_check(const struct config *cfg);
/* Listen, then attach, where the configuration says; follow changes
 * from then on. 0 or -errno (logged). */
int ifaces_open(struct ifaces *is, const struct config *cfg, int epfd, struct clients *cs, struct fastpath *fp);
/* After netlink events: listen, attach and detach as the system is now. */
void ifaces_sync(struct ifaces *is);
/* The hooks attached (the fast path detaches them when closed). */
void ifaces_close(struct ifaces *is);

#endif /* BPFDNS_IFACES_H */
