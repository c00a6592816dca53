/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* maps.h - the fast path's maps (BTF-defined; pinned by the daemon). */
#ifndef BPFDNS_MAPS_H
#define BPFDNS_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "bpfdns.h"

/* The cache: query key -> records to answer with, or a stub for an answer
 * too big for the small form, which is then in cache_big. LRU, so it never
 * holds more than max_entries (set by the loader from cache-size). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFDNS_CACHE_DEFAULT);
	__type(key, struct bpfdns_key);
	__type(value, struct bpfdns_entry_small);
} bpfdns_cache SEC(".maps");

/* The big answers, under the same keys (sized by the loader). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BPFDNS_CACHE_DEFAULT / BPFDNS_BIG_SHARE);
	__type(key, struct bpfdns_key);
	__type(value, struct bpfdns_entry);
} bpfdns_big SEC(".maps");

/* Addresses and ports queries are answered on; the value is unused (0). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPFDNS_LISTEN_MAX);
	__type(key, struct bpfdns_listen_key);
	__type(value, __u32);
} bpfdns_listen SEC(".maps");

/* Bit port % 64 of word port / 64 is set when a listen address has that
 * port: all else passes without a hash lookup. Filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BPFDNS_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} bpfdns_ports SEC(".maps");

/* Who may be answered: source prefix -> BPFDNS_ACL_*. Filled by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, BPFDNS_ACL_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct bpfdns_acl_key);
	__type(value, __u32);
} bpfdns_access SEC(".maps");

/* Refresh requests: the question of an entry served in the last prefetch_pct %
 * of its TTL, once per entry (not pinned: each daemon reads its own). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BPFDNS_PREFETCH_RING);
} bpfdns_prefetch SEC(".maps");

/* Hits for the query log, when log-queries is on (not pinned either). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, BPFDNS_HIT_LOG_RING);
} bpfdns_hit_log SEC(".maps");

/* Per-CPU outcome counters, an entry per hook (BPFDNS_COUNTERS_*). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPFDNS_COUNTERS_HOOKS);
	__type(key, __u32);
	__type(value, struct bpfdns_counters);
} bpfdns_counters SEC(".maps");

/* Where the question being answered is read and folded: it is too big for
 * the stack the TC program has left (not pinned: nothing lasts in it). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfdns_question);
} bpfdns_scratch SEC(".maps");

/* The name hash's key, as the loader made it or found it pinned (the
 * program has it in .rodata; this keeps it with the cache). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfdns_name_key);
} bpfdns_name_key SEC(".maps");

/* Layout of the structs above, for whoever adopts the pinned maps; a
 * single entry written by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpfdns_layout);
} bpfdns_layout SEC(".maps");

#endif /* BPFDNS_MAPS_H */
