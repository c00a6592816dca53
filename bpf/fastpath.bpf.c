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

static __always_inline void count(int outcome)
{
	__u32 zero = 0;
	struct bpfdns_counters *c = bpf_map_lookup_elem(&counters, &zero);

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
	return write_answer(ctx, xdp, &q, &key, e, &pl, stored);
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
