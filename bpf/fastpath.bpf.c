// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fastpath.bpf.c - answer DNS cache hits in the kernel, at XDP or TC.
 *
 * Both entry points run the same code: parse the packet (query.h), look the
 * key up in the cache map, and build the answer in place (answer.h). Any
 * packet that is not a plain query with a fresh cached answer that fits
 * passes unchanged to the stack, where bpfdnsd answers it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "bpfdns.h"
#include "maps.h"
#include "query.h"
#include "answer.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Share of a TTL, at its end, in which a hit asks for a refresh; 0: never. */
const volatile __u32 prefetch_pct = BPFDNS_PREFETCH_DEFAULT;

static __always_inline struct bpfdns_counters *counters_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&counters, &zero);
}

static __always_inline void count(int outcome)
{
	struct bpfdns_counters *c = counters_get();

	if (!c)
		return;
	switch (outcome) {
	case OUT_HIT:
		c->hit++;
		break;
	case OUT_NOT_OURS:
		c->not_ours++;
		break;
	case OUT_NOT_PLAIN:
		c->not_plain++;
		break;
	case OUT_MISS:
		c->miss++;
		break;
	case OUT_EXPIRED:
		c->expired++;
		break;
	case OUT_TOO_BIG:
		c->too_big++;
		break;
	case OUT_NO_ROOM:
		c->no_room++;
		break;
	case OUT_REFUSED:
		c->refused++;
		break;
	case OUT_DENIED:
		c->denied++;
		break;
	default:
		c->malformed++;
		break;
	}
}

/*
 * A hit in the last prefetch_pct % of the entry's TTL: ask the daemon, once
 * per entry, to refresh it before it expires, so popular names never miss.
 * The daemon's new entry starts with prefetch at zero again.
 */
static __always_inline void maybe_prefetch(const struct bpfdns_key *key, struct bpfdns_entry *e, __u64 now,
					   __u64 stored)
{
	struct bpfdns_counters *c;

	if (!bpfdns_prefetch_due(stored, e->expire_ns, now, prefetch_pct))
		return;
	if (e->prefetch || __sync_fetch_and_add(&e->prefetch, 1))
		return; /* asked already */
	if (bpf_ringbuf_output(&prefetch_ring, (void *)key, sizeof(*key), 0)) {
		e->prefetch = 0; /* the ring is full: a later hit asks again */
		return;
	}
	c = counters_get();
	if (c)
		c->prefetch++;
}

/* Returns OUT_HIT when the packet now holds the answer, else why not. */
static __always_inline int answer(void *ctx, bool xdp)
{
	struct bpfdns_key key = {};
	struct query q = {};
	struct plan pl = {};
	struct bpfdns_entry *e;
	__u64 now, stored;
	int ret;

	ret = parse_query(ctx, xdp, &q, &key);
	if (ret != OUT_CONTINUE)
		return ret;
	e = bpf_map_lookup_elem(&cache, &key);
	if (!e)
		return OUT_MISS;
	now = bpf_ktime_get_boot_ns();
	stored = *(volatile __u64 *)&e->stored_ns;
	ret = plan_answer(&q, e, now, stored, &pl);
	if (ret != OUT_CONTINUE)
		return ret;
	ret = write_answer(ctx, xdp, &q, &key, e, &pl, stored);
	if (ret == OUT_HIT)
		maybe_prefetch(&key, e, now, stored);
	return ret;
}

SEC("xdp")
int bpfdns_xdp(struct xdp_md *ctx)
{
	int ret = answer(ctx, true);

	count(ret);
	if (ret == OUT_HIT)
		return XDP_TX;
	return ret == OUT_DROP || ret == OUT_DENIED ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int bpfdns_tc(struct __sk_buff *skb)
{
	int ret;

	/* Small packets are parsed with direct access: make them linear. A
	 * DNS query is small; large ones (GSO) are never ours, leave them be. */
	if (skb->len <= 2048 && skb->data_end - skb->data < skb->len)
		bpf_skb_pull_data(skb, skb->len);
	ret = answer(skb, false);
	count(ret);
	if (ret == OUT_HIT)
		return bpf_redirect(skb->ifindex, 0);
	return ret == OUT_DROP || ret == OUT_DENIED ? TC_ACT_SHOT : TC_ACT_OK;
}
