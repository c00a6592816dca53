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
/* Delete the entries of a cache map for which doomed(question, entry, ctx)
 * says so; how many. */
int fastpath_delete_where_fd(int fd,
			     int (*doomed)(const struct bpfdns_question *qn, const struct bpfdns_entry *e,
					   const void *ctx),
			     const void *ctx);
/* The cache map key of a question, made with the map's hash key. */
void fastpath_map_key(const struct bpfdns_question *qn, const __u64 hash_key[2], struct bpfdns_key *k);
/* The question of a cache map entry: its key's type, class and bits, and
 * the entry's name. */
void fastpath_entry_question(const struct bpfdns_key *k, const struct bpfdns_entry *e, struct bpfdns_question *qn);
/* Delete the entries of a cache map that expired before now_ns; how many. */
int fastpath_sweep_fd(int fd, uint64_t now_ns);
/* Entries in a cache map (walks it; under heavy churn an overestimate,
 * never above max). */
int fastpath_count_fd(int fd, int max);
/* The per-CPU counters of a hook (BPFDNS_COUNTERS_XDP, _TC; -1: both)
 * summed. */
int fastpath_counters_fd(int fd, int ncpus, int hook, struct bpfdns_counters *out);
/* 1 when a layout map's layout is this build's (*version: the one found;
 * hash_key, unless NULL: the name hash's key the map was made with). */
int fastpath_layout_fd(int fd, __u32 *version, __u64 hash_key[2]);
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
