/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hitlog.h - the fast path's hits in the query log: with log-queries the
 * kernel reports each hit through a ring buffer (bpfdns_hit), and each
 * becomes the lines dnsmasq writes for a cached answer ("query[A] ... from
 * ...", "cached ... is ..."), or "/etc/hosts ..." and "config ..." for
 * local answers. A full ring loses records, counted by the fast path
 * (log_lost); answering never waits for the log.
 */
#ifndef BPFDNS_HITLOG_H
#define BPFDNS_HITLOG_H

#include "config.h"
#include "ev.h"
#include "fastpath.h"
#include "hosts.h"

struct hitlog {
	struct ev ev;
	struct fastpath *fp;
	const struct config *cfg;
	struct hosts *const *hosts; /* the server's, replaced on reload */
};

/* Start taking hits (fp loaded with log_hits) on epfd. 0 or -errno (logged). */
int hitlog_open(struct hitlog *hl, struct fastpath *fp, const struct config *cfg, struct hosts *const *hosts,
		int epfd);
/* Log the hits waiting: the event loop calls it every turn, as the fast
 * path wakes it only when many are waiting. */
void hitlog_poll(struct hitlog *hl);

#endif /* BPFDNS_HITLOG_H */
