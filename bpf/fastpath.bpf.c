// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fastpath.bpf.c - answer DNS cache hits in the kernel, at XDP or TC.
 *
 * Both entry points run the same code: parse the packet (query.h), look the
 * key up in the cache map, and build the answer in place (answer.h). Any
 * packet that is not a plain query with a fresh cached answer that fits
 * passes unchanged to the stack, where bpfdnsd answers it.
 *
 * On an interface with both hooks, XDP judges first and tells the TC hook
 * behind it (bpfdns_tc_behind) its verdict in the packet's metadata: what
 * XDP could not grow (generic XDP grows a packet by about 300 bytes at
 * most) goes on to the TC program by a tail call; everything else passes
 * at once, unlooked-at (on lo, every answer XDP sent comes back in there).
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
/* log-queries: each hit goes to the daemon's query log; off, the code is
 * not even loaded (the verifier drops it as dead). */
const volatile __u8 log_hits = 0;

/* Where the answer's destination (the client) is: fixed offsets, as
 * parse_transport takes only frames without VLAN tags or IP options. */
#define HIT_V4_ADDR (14 + 16)
#define HIT_V4_PORT (14 + 20 + 2)
#define HIT_V6_ADDR (14 + 24)
#define HIT_V6_PORT (14 + 40 + 2)
/* Records (with the ring's 8-byte headers) waiting before the daemon is
 * woken: it reads the ring on every turn of its loop anyway (20 ms at
 * most), so a wake-up per hit would cost more than the logging. */
#define HIT_LOG_WAKE (64 * (sizeof(struct bpfdns_hit) + 8))

/* The counters' keys, in .rodata: a key on the stack would take 8 of the
 * TC program's 512 bytes, which its answer code needs. */
static const __u32 counter_keys[BPFDNS_COUNTERS_HOOKS] = { BPFDNS_COUNTERS_XDP, BPFDNS_COUNTERS_TC };

static __always_inline struct bpfdns_counters *counters_get(bool xdp)
{
	return bpf_map_lookup_elem(&bpfdns_counters, &counter_keys[xdp ? BPFDNS_COUNTERS_XDP : BPFDNS_COUNTERS_TC]);
}

static __always_inline void count(bool xdp, int outcome)
{
	struct bpfdns_counters *c = counters_get(xdp);

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

/* A hit by its RCODE (clients' answers by RCODE). */
static __always_inline void count_rcode(bool xdp, __u8 rcode)
{
	struct bpfdns_counters *c = counters_get(xdp);

	if (!c)
		return;
	if (rcode == DNS_RCODE_NXDOMAIN)
		c->hit_nxdomain++;
	else
		c->hit_noerror++;
}

/*
 * A hit in the last prefetch_pct % of the entry's TTL: ask the daemon, once
 * per entry, to refresh it before it expires, so popular names never miss.
 * The daemon's new entry starts with prefetch at zero again.
 */
static __always_inline void maybe_prefetch(bool xdp, const struct bpfdns_question *qn, struct bpfdns_entry *e,
					   __u64 now, __u64 stored)
{
	struct bpfdns_counters *c;

	if (!bpfdns_prefetch_due(stored, e->expire_ns, now, prefetch_pct))
		return;
	if (e->prefetch || __sync_fetch_and_add(&e->prefetch, 1))
		return; /* asked already */
	if (bpf_ringbuf_output(&bpfdns_prefetch, (void *)qn, sizeof(*qn), 0)) {
		e->prefetch = 0; /* the ring is full: a later hit asks again */
		return;
	}
	c = counters_get(xdp);
	if (c)
		c->prefetch++;
}

/*
 * Tell the query log about a hit whose answer the packet now holds: the
 * question as the client wrote it, and the client (now the destination).
 * A full ring loses the record, counted; the answer goes out regardless.
 */
static __always_inline void log_hit(void *ctx, bool xdp, const struct query *q, const struct bpfdns_key *key)
{
	struct bpfdns_counters *c;
	struct bpfdns_hit *h;
	__u32 len = q->name_len;
	__u16 port = 0;
	int v4 = q->family == 4;
	__u64 avail;

	if (!log_hits)
		return;
	h = bpf_ringbuf_reserve(&bpfdns_hit_log, sizeof(*h), 0);
	if (!h)
		goto lost;
	__builtin_memset(h->addr, 0, sizeof(h->addr));
	if (len < 1 || len > DNS_NAME_MAX || hook_load(ctx, xdp, q->dns_off + DNS_HDR_LEN, h->name, len) ||
	    hook_load(ctx, xdp, v4 ? HIT_V4_ADDR : HIT_V6_ADDR, h->addr, v4 ? 4 : 16) ||
	    hook_load(ctx, xdp, v4 ? HIT_V4_PORT : HIT_V6_PORT, &port, sizeof(port))) {
		bpf_ringbuf_discard(h, 0);
		goto lost;
	}
	h->name_len = len;
	h->port = bpf_ntohs(port);
	h->qtype = key->qtype;
	h->family = v4 ? BPFDNS_AF_INET : BPFDNS_AF_INET6;
	h->flags = key->flags;
	avail = bpf_ringbuf_query(&bpfdns_hit_log, BPF_RB_AVAIL_DATA);
	/* wake it once, as the backlog crosses HIT_LOG_WAKE */
	bpf_ringbuf_submit(h, avail >= HIT_LOG_WAKE && avail < HIT_LOG_WAKE + sizeof(*h) + 8 ? BPF_RB_FORCE_WAKEUP
											       : BPF_RB_NO_WAKEUP);
	return;
lost:
	c = counters_get(xdp);
	if (c)
		c->log_lost++;
}

/* Answer from entry e of the cache (small: of the small form, see
 * answer.h). Returns OUT_HIT when the packet now holds the answer. */
static __always_inline int answer_from(void *ctx, bool xdp, const struct query *q,
				       const struct bpfdns_question *qn, const struct bpfdns_key *key,
				       struct bpfdns_entry *e, bool small)
{
	struct plan pl = {};
	__u64 now, stored;
	int ret;

	if (!name_same(e, qn, q->name_len, small))
		return OUT_MISS; /* another name with the same key */
	now = bpf_ktime_get_boot_ns();
	stored = *(volatile __u64 *)&e->stored_ns;
	ret = plan_answer(q, e, now, stored, &pl, small);
	if (ret != OUT_CONTINUE)
		return ret;
	ret = write_answer(ctx, xdp, q, key, e, &pl, stored, small);
	if (ret == OUT_HIT) {
		maybe_prefetch(xdp, qn, e, now, stored);
		log_hit(ctx, xdp, q, key);
		count_rcode(xdp, e->rcode);
	}
	return ret;
}

/* Returns OUT_HIT when the packet now holds the answer, else why not. */
static __always_inline int answer(void *ctx, bool xdp)
{
	struct bpfdns_question *qn = NULL;
	struct bpfdns_key key = {};
	struct query q = {};
	struct bpfdns_entry_small *e;
	struct bpfdns_entry *big;
	int ret;

	ret = parse_query(ctx, xdp, &q, &qn, &key);
	if (ret != OUT_CONTINUE || !qn)
		return ret;
	e = bpf_map_lookup_elem(&bpfdns_cache, &key);
	if (!e)
		return OUT_MISS;
	/* the small form is the big one cut short: the same code reads both */
	if (!(e->flags & BPFDNS_ENTRY_BIG))
		return answer_from(ctx, xdp, &q, qn, &key, (struct bpfdns_entry *)e, true);
	big = bpf_map_lookup_elem(&bpfdns_big, &key);
	if (!big)
		return OUT_MISS;
	return answer_from(ctx, xdp, &q, qn, &key, big, false);
}

/* Pass a query on with XDP's verdict for the TC hook behind it. Without
 * room for metadata (a driver without it) TC judges it again. */
static __always_inline void tell_tc(struct xdp_md *ctx, int outcome)
{
	struct bpfdns_meta *m;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return;
	m = (void *)(long)ctx->data_meta;
	if ((void *)(m + 1) > (void *)(long)ctx->data)
		return;
	m->magic = BPFDNS_META_MAGIC;
	m->outcome = (__u32)outcome;
}

SEC("xdp")
int bpfdns_xdp(struct xdp_md *ctx)
{
	int ret = answer(ctx, true);

	count(true, ret);
	if (ret == OUT_HIT)
		return XDP_TX;
	if (ret == OUT_DROP || ret == OUT_DENIED)
		return XDP_DROP;
	if (ret != OUT_NOT_OURS)
		tell_tc(ctx, ret);
	return XDP_PASS;
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
	count(false, ret);
	if (ret == OUT_HIT)
		return bpf_redirect(skb->ifindex, 0);
	return ret == OUT_DROP || ret == OUT_DENIED ? TC_ACT_SHOT : TC_ACT_OK;
}

/* The answering TC program, for bpfdns_tc_behind's tail call (set by the
 * loader). */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bpfdns_tc_prog SEC(".maps");

/* TC behind XDP: only what XDP could not grow is its to answer. */
SEC("tc")
int bpfdns_tc_behind(struct __sk_buff *skb)
{
	struct bpfdns_meta *m = (void *)(long)skb->data_meta;

	if ((void *)(m + 1) > (void *)(long)skb->data || m->magic != BPFDNS_META_MAGIC || m->outcome != OUT_NO_ROOM)
		return TC_ACT_OK;
	bpf_tail_call(skb, &bpfdns_tc_prog, 0);
	/* no program there: the daemon answers it. Counted, which also ties
	 * this program to the pinned counters (how a next daemon tells ours) */
	count(false, OUT_NO_ROOM);
	return TC_ACT_OK;
}
