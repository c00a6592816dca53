/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ev.h - an event source: what an epoll event points at, the first member
 * of each (listener, connection, upstream leg, watcher...). It carries its
 * own handler, as Unbound's comm_point callbacks do: the loop makes one
 * indirect call and knows none of them.
 */
#ifndef BPFDNS_EV_H
#define BPFDNS_EV_H

#include <stdint.h>

struct ev {
	void (*fn)(struct ev *ev, uint32_t events); /* events: EPOLLIN... */
	int background; /* its events do not keep the loop polling (the query log's ring) */
};

#endif /* BPFDNS_EV_H */
