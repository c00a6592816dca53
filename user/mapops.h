/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mapops.h - operations on the fast path's maps by fd, with no skeleton:
 * what bpfdnsctl shares with the daemon (which calls them on its own
 * maps' fds through fastpath.c). The cache's maps are cachemap.h's.
 */
#ifndef BPFDNS_MAPOPS_H
#define BPFDNS_MAPOPS_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"

/* The per-CPU counters of a hook (BPFDNS_COUNTERS_XDP, _TC; -1: both)
 * summed. */
int fastpath_counters_fd(int fd, int ncpus, int hook, struct bpfdns_counters *out);
/* Every hook's counters back to zero on every CPU: 0 or -errno. */
int fastpath_counters_reset_fd(int fd, int ncpus);
/* 1 when a layout map's layout is this build's (*version: the one found,
 * 0 when it is not even a layout map we can read). */
int fastpath_layout_fd(int fd, __u32 *version);
/* The fast path's clock (CLOCK_BOOTTIME, ns): entries' stored_ns and expire_ns. */
uint64_t fastpath_now_ns(void);

/* The outcome counters of struct bpfdns_counters by name (prefetch, which
 * counts requests rather than packets, is not one of them). */
struct fastpath_outcome {
	const char *name;
	size_t off;
};
extern const struct fastpath_outcome fastpath_outcomes[];
extern const size_t fastpath_n_outcomes;

#endif /* BPFDNS_MAPOPS_H */
