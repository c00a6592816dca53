/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cache.h - cache policy, on top of the fast path's map (fastpath.c):
 * whether and how long a reply is kept (RFC 2308 for NXDOMAIN and NODATA,
 * min-cache-ttl and max-cache-ttl, which caps what clients see too), what
 * a lookup finds (fresh, expired, nothing), expired entries answered stale
 * (RFC 8767, use-stale-cache), the sweep, and the counts of insertions and
 * evictions. "How long is an NXDOMAIN kept, and when is it served stale?"
 * is answered here.
 */
#ifndef BPFDNS_CACHE_H
#define BPFDNS_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "config.h"
#include "entry.h"
#include "fastpath.h"

#define CACHE_SWEEP_MS 5000 /* a sweep starts this long after the last ended */
#define CACHE_SWEEP_STEP 256   /* keys a step of it judges: well under a ms of the loop */
#define CACHE_SWEEP_STEP_MS 1  /* and the next step this long after */
#define CACHE_STALE_TTL 30  /* RFC 8767: the TTL of a stale answer */

struct flush_spec;

struct cache {
	struct fastpath *fp; /* NULL with cache-size=0: nothing is kept */
	const struct config *cfg;
	uint64_t insertions;	   /* new keys stored */
	uint64_t swept;		   /* expired entries removed */
	uint64_t flushed;	   /* removed by bpfdnsctl flush */
	uint64_t entries_at_start; /* found in a pinned map */
	uint64_t next_sweep_ms;
	struct cachemap_sweeper sweeper; /* where the sweep is */
};

enum cache_find {
	CACHE_NONE,    /* not there */
	CACHE_FRESH,   /* there, within its TTL */
	CACHE_EXPIRED, /* there past its TTL (kept for use-stale-cache) */
};

void cache_init(struct cache *c, struct fastpath *fp, const struct config *cfg);
/* 0 with cache-size=0: nothing is kept. */
static inline int cache_enabled(const struct cache *c)
{
	return c->fp != NULL;
}
/* key's entry, into e. */
enum cache_find cache_get(struct cache *c, const struct bpfdns_question *key, struct entry *e);
/* An expired entry e made a stale answer (every TTL CACHE_STALE_TTL), when
 * use-stale-cache keeps it still. 1 when it did. */
int cache_make_stale(const struct cache *c, struct entry *e);
/* key's expired entry as a stale answer (cache_get, then cache_make_stale).
 * 1 when e holds it. */
int cache_get_stale(struct cache *c, const struct bpfdns_question *key, struct entry *e);
/*
 * A reply that won, for key: its entry into e (TTLs capped at
 * max-cache-ttl, stamped now), stored when it may be cached (NOERROR or
 * NXDOMAIN; negatives unless no-negcache). Returns 0 when e holds an entry
 * to answer from, stored or not; -errno when the reply cannot be one (too
 * big for an entry: relay it).
 */
int cache_put_reply(struct cache *c, const struct bpfdns_question *key, const uint8_t *msg, size_t len,
		    struct entry *e);
/*
 * Our own answer msg to key (hosts files, address=, local=, domain-needed,
 * bogus-priv), stored so that the fast path answers it too, with AA when
 * msg has it: until local-ttl passes (so the TTL it shows never ages), or
 * with local-ttl=0 until the data changes (server.c drops such entries
 * then). Nothing with cache-size=0.
 */
void cache_put_local(struct cache *c, const struct bpfdns_question *key, const uint8_t *msg, size_t len);
/* Remove the entries f says (flushspec.h), not counted as evictions. How
 * many, or -errno (-ENODEV with cache-size=0). */
int cache_flush(struct cache *c, const struct flush_spec *f);
/* Insertions, evictions, flushes and sweeps counted from now. */
void cache_stats_reset(struct cache *c);
/* Remove the entries for which doomed(key, entry, ctx) says so (local
 * answers, and names now answered locally, when hosts files or address=
 * lines changed); not counted as evictions. How many, or -ENODEV with
 * cache-size=0. */
int cache_drop(struct cache *c,
	       int (*doomed)(const struct bpfdns_question *key, const struct entry *e, const void *ctx),
	       const void *ctx);
/* Every CACHE_SWEEP_MS, remove entries expired longer ago than
 * use-stale-cache keeps them, a step of CACHE_SWEEP_STEP keys every
 * CACHE_SWEEP_STEP_MS (a million entries would hold the loop for a second
 * at once). */
void cache_sweep(struct cache *c, uint64_t now_ms);
/* Entries the LRU map pushed out before they expired, given how many it
 * holds now: what went in and is neither there nor swept nor flushed. */
uint64_t cache_evictions(const struct cache *c, uint64_t entries_now);

/* How long to keep a reply, or 0 not to cache it (exposed for tests). */
uint32_t cache_ttl(const struct config *cfg, const struct reply_info *ri);

#endif /* BPFDNS_CACHE_H */
