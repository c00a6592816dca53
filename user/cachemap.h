/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cachemap.h - the cache's two maps by fd (small entries, and big ones
 * behind their stubs; see include/bpfdns.h): entries in and out in the
 * daemon's form, struct entry, and walks over them. What bpfdnsctl shares
 * with the daemon, which calls it on its own maps through fastpath.c.
 */
#ifndef BPFDNS_CACHEMAP_H
#define BPFDNS_CACHEMAP_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "entry.h"

struct flush_spec;

struct cache_maps {
	int fd;	    /* "cache": struct bpfdns_entry_small, or a stub */
	int big_fd; /* "cache_big": struct bpfdns_entry */
};

/* The cache map key of a question, made with the maps' hash key. */
void cachemap_key(const struct bpfdns_question *qn, const __u64 hash_key[2], struct bpfdns_key *k);
/* Store e for a question: 1 when the key is new, 0 when it replaced one,
 * or -errno (-E2BIG: it fits neither form). */
int cachemap_write(const struct cache_maps *m, const __u64 hash_key[2], const struct bpfdns_question *qn,
		   const struct entry *e);
/* Read the entry of a key into e and its question into qn (either may be
 * NULL): 0, -ENOENT, -ESTALE for a stub whose big entry the LRU evicted,
 * or -EINVAL for a value no daemon wrote. */
int cachemap_read(const struct cache_maps *m, const struct bpfdns_key *k, struct entry *e,
		  struct bpfdns_question *qn);
/* Call fn(question, entry, ctx) for each entry (stubs whose big entry is
 * gone skipped) until it returns -errno: how many, or that. */
int cachemap_each(const struct cache_maps *m,
		  int (*fn)(const struct bpfdns_question *qn, const struct entry *e, void *ctx), void *ctx);
/* Delete the entries for which doomed(question, entry, ctx) says so; how
 * many. Stubs whose big entry is gone go too, uncounted (evictions). */
int cachemap_delete_where(const struct cache_maps *m,
			  int (*doomed)(const struct bpfdns_question *qn, const struct entry *e, const void *ctx),
			  const void *ctx);
/* Delete the entries f says (flushspec.h); how many. */
int cachemap_flush(const struct cache_maps *m, const struct flush_spec *f);
/* Where a walk goes on from. */
struct cachemap_cursor {
	struct bpfdns_key key; /* the next to judge, when at */
	int at;
};

/* A sweep in steps: the cache map's entries, then cache_big's. */
struct cachemap_sweeper {
	struct cachemap_cursor small, big_at;
	int big; /* on cache_big */
};

/* A step of a sweep, judging at most max keys: delete the entries that
 * expired before now_ns, then the big entries whose stub is gone (the LRU
 * evicts stubs on its own); how many of the first. A step on cache_big
 * that reaches its end ends the sweep (s is all zero again). Steps keep a
 * map walk of a million entries from holding the daemon's loop. */
int cachemap_sweep(const struct cache_maps *m, uint64_t now_ns, struct cachemap_sweeper *s, int max);
/* Entries in the cache (walks it; under heavy churn an overestimate,
 * never above max). */
int cachemap_count(const struct cache_maps *m, int max);

#endif /* BPFDNS_CACHEMAP_H */
