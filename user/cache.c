// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cache.c - cache policy on top of the fast path's map; see cache.h. */
#include <errno.h>
#include <string.h>
#include "cache.h"
#include "clock.h"
#include "dns.h"
#include "log.h"

void cache_init(struct cache *c, struct fastpath *fp, const struct config *cfg)
{
	memset(c, 0, sizeof(*c));
	c->fp = fp;
	c->cfg = cfg;
	if (fp)
		c->entries_at_start = (uint64_t)fastpath_count(fp);
}

enum cache_find cache_get(struct cache *c, const struct bpfdns_question *key, struct entry *e)
{
	if (!c->fp || fastpath_lookup(c->fp, key, e))
		return CACHE_NONE;
	return fastpath_now_ns() < e->expire_ns ? CACHE_FRESH : CACHE_EXPIRED;
}

int cache_make_stale(const struct cache *c, struct entry *e)
{
	uint64_t now_ns = fastpath_now_ns();

	if (!c->cfg->stale_max_s || now_ns < e->expire_ns ||
	    now_ns - e->expire_ns >= (uint64_t)c->cfg->stale_max_s * NS_PER_S)
		return 0;
	entry_make_stale(e, now_ns, CACHE_STALE_TTL);
	return 1;
}

int cache_get_stale(struct cache *c, const struct bpfdns_question *key, struct entry *e)
{
	return cache_get(c, key, e) == CACHE_EXPIRED && cache_make_stale(c, e);
}

uint32_t cache_ttl(const struct config *cfg, const struct reply_info *ri)
{
	int negative = ri->rcode == DNS_RCODE_NXDOMAIN || (ri->rcode == DNS_RCODE_NOERROR && !ri->ancount);
	uint32_t ttl;

	if (ri->truncated || (ri->rcode != DNS_RCODE_NOERROR && ri->rcode != DNS_RCODE_NXDOMAIN))
		return 0;
	if (negative) {
		if (cfg->no_negcache)
			return 0;
		/* RFC 2308 5: the SOA's TTL and MINIMUM, the smaller */
		ttl = ri->neg_ttl != UINT32_MAX ? ri->neg_ttl : cfg->neg_ttl;
	} else {
		ttl = ri->min_ttl;
	}
	if (ttl < cfg->min_cache_ttl)
		ttl = cfg->min_cache_ttl;
	if (ttl > cfg->max_cache_ttl)
		ttl = cfg->max_cache_ttl;
	return ttl;
}

int cache_put_reply(struct cache *c, const struct bpfdns_question *key, const uint8_t *msg, size_t len,
		    struct entry *e)
{
	struct reply_info ri;
	uint32_t ttl;
	int err = entry_from_reply(msg, len, e, &ri);

	if (err)
		return err;
	/* max-cache-ttl caps what clients see, too */
	for (unsigned i = 0; i < e->ttl_count; i++) {
		uint8_t *p = e->data + e->ttl_off[i];

		if (dns_get32(p) > c->cfg->max_cache_ttl)
			dns_put32(p, c->cfg->max_cache_ttl);
	}
	e->stored_ns = fastpath_now_ns();
	ttl = cache_ttl(c->cfg, &ri);
	if (!c->fp || !ttl)
		return 0;
	e->expire_ns = e->stored_ns + (uint64_t)ttl * NS_PER_S;
	err = fastpath_store(c->fp, key, e);
	if (err < 0)
		pr_warn("cannot store in the cache map: %s", strerror(-err));
	else
		c->insertions += (uint64_t)err;
	return 0;
}

void cache_sweep(struct cache *c, uint64_t now_ms)
{
	uint64_t keep = (uint64_t)c->cfg->stale_max_s * NS_PER_S, ns;
	int removed;

	if (now_ms < c->next_sweep_ms || !c->fp)
		return;
	ns = fastpath_now_ns();
	/* use-stale-cache keeps expired entries that long */
	removed = fastpath_sweep(c->fp, ns > keep ? ns - keep : 0, &c->sweeper, CACHE_SWEEP_STEP);
	/* the sweep ended (its state is back at the start): the next in a while */
	c->next_sweep_ms = now_ms + (c->sweeper.big || c->sweeper.small.at ? CACHE_SWEEP_STEP_MS : CACHE_SWEEP_MS);
	if (removed > 0) {
		c->swept += (uint64_t)removed;
		pr_debug("removed %d expired entries", removed);
	}
}

uint64_t cache_evictions(const struct cache *c, uint64_t entries_now)
{
	/* the LRU map evicts silently */
	uint64_t gone = c->insertions + c->entries_at_start - c->swept - c->flushed;

	return gone > entries_now ? gone - entries_now : 0;
}

#define CACHE_LOCAL_S (86400 * 365) /* local data with TTL 0: kept until it changes */

void cache_put_local(struct cache *c, const struct bpfdns_question *key, const uint8_t *msg, size_t len)
{
	struct entry e;
	struct reply_info ri;
	int err;

	if (!c->fp || entry_from_reply(msg, len, &e, &ri))
		return;
	e.flags |= BPFDNS_ENTRY_LOCAL | ((msg[2] & DNS_AA) ? BPFDNS_ENTRY_AA : 0);
	e.stored_ns = fastpath_now_ns();
	e.expire_ns = e.stored_ns + (uint64_t)(c->cfg->local_ttl ?: CACHE_LOCAL_S) * NS_PER_S;
	err = fastpath_store(c->fp, key, &e);
	if (err < 0)
		pr_warn("cannot store in the cache map: %s", strerror(-err));
	else
		c->insertions += (uint64_t)err;
}

void cache_stats_reset(struct cache *c)
{
	/* evictions are what went in and is gone: count from what is there */
	c->entries_at_start = c->fp ? (uint64_t)fastpath_count(c->fp) : 0;
	c->insertions = c->swept = c->flushed = 0;
}

int cache_flush(struct cache *c, const struct flush_spec *f)
{
	struct cache_maps m;
	int gone;

	if (!c->fp)
		return -ENODEV;
	m = fastpath_cache_maps(c->fp);
	gone = cachemap_flush(&m, f);
	if (gone > 0)
		c->flushed += (uint64_t)gone;
	return gone;
}

int cache_drop(struct cache *c,
	       int (*doomed)(const struct bpfdns_question *key, const struct entry *e, const void *ctx),
	       const void *ctx)
{
	struct cache_maps m;
	int gone;

	if (!c->fp)
		return -ENODEV;
	m = fastpath_cache_maps(c->fp);
	gone = cachemap_delete_where(&m, doomed, ctx);
	c->flushed += (uint64_t)gone;
	return gone;
}
