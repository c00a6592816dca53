/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * mapops.h - operations on the fast path's maps by fd, with no skeleton:
 * what bpfdnsctl shares with the daemon (which calls them on its own
 * maps' fds through fastpath.c).
 */
#ifndef BPFDNS_MAPOPS_H
#define BPFDNS_MAPOPS_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"

/* Delete every entry of a cache map, or those of the lowercase wire name;
 * how many. */
int fastpath_flush_fd(int fd, const uint8_t *name, size_t name_len);
/* Delete the keys of a cache map for which doomed(fd, key, ctx) says so;
 * how many. */
int fastpath_delete_where_fd(int fd, int (*doomed)(int fd, const struct bpfdns_key *key, const void *ctx),
			     const void *ctx);
/* Delete the entries of a cache map that expired before now_ns; how many. */
int fastpath_sweep_fd(int fd, uint64_t now_ns);
/* Entries in a cache map (walks it; under heavy churn an overestimate,
 * never above max). */
int fastpath_count_fd(int fd, int max);
/* The per-CPU counters of a hook (BPFDNS_COUNTERS_XDP, _TC; -1: both)
 * summed. */
int fastpath_counters_fd(int fd, int ncpus, int hook, struct bpfdns_counters *out);
/* 1 when a layout map's layout is this build's (*version: the one found). */
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
