/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * answer.h - turn a parsed query into the cached answer in place (BPF side):
 * size checks, TTL aging, the OPT record, header rewrites and checksums.
 *
 * Everything that can fail without harm is checked before the packet is
 * touched, so that a query we cannot answer passes to the daemon unchanged.
 */
#ifndef BPFDNS_BPF_ANSWER_H
#define BPFDNS_BPF_ANSWER_H

#include "bpfdns.h"
#include "consts.h"
#include "csum.h"
#include "hook.h"
#include "query.h"

/* The server's UDP payload limit (edns-packet-max), bytes. Set by the loader. */
const volatile __u16 edns_udp_max = DNS_UDP_DEFAULT;

/* What the answer carries besides the query: computed before writing. */
struct plan {
	__u64 data_sum;	 /* checksum sum of the aged records (even offset) */
	__u32 resp_len;	 /* DNS message length of the answer */
	__u32 data_len;
	__u32 ttl_count;
	__u32 age;	 /* whole seconds since the entry was stored */
};

/*
 * Entries come in two sizes (include/bpfdns.h); the code below sees both as
 * a struct bpfdns_entry, and takes the bounds of the one at hand (small: a
 * constant at each call): bytes of records, of records and name, TTLs. On
 * a small entry it never reads past them: the verifier checks that it
 * cannot.
 */
static __always_inline __u32 entry_data_max(bool small)
{
	return small ? BPFDNS_DATA_SMALL : BPFDNS_DATA_MAX;
}

static __always_inline __u32 entry_area(bool small)
{
	return small ? BPFDNS_DATA_SMALL : BPFDNS_AREA_MAX;
}

static __always_inline __u32 entry_ttl_max(bool small)
{
	return small ? BPFDNS_TTL_SMALL : BPFDNS_TTL_MAX;
}

static __always_inline __u32 entry_ttl(const struct bpfdns_entry *e, __u32 off, __u32 data_max)
{
	if (off > data_max - 4) /* bound for the verifier; checked by the caller */
		return 0;
	return ((__u32)e->data[off] << 24) | ((__u32)e->data[off + 1] << 16) |
	       ((__u32)e->data[off + 2] << 8) | e->data[off + 3];
}

/* Offset in data[] of the entry's i-th TTL (i < its ttl_count). */
static __always_inline __u32 entry_ttl_off(const struct bpfdns_entry *e, __u32 i)
{
	if (i < BPFDNS_TTL_SMALL)
		return e->ttl_off[i];
	return e->ttl_more[(i - BPFDNS_TTL_SMALL) & (BPFDNS_TTL_MAX - 1)];
}

/* Whether the entry is for the name in qn (name_len bytes, zero-padded to a
 * whole word, as the entry's copy after its records is): a key's hash says
 * so almost always, this makes it sure. */
static __noinline int name_same(const struct bpfdns_entry *e, const struct bpfdns_question *qn, __u32 name_len,
				bool small)
{
	__u32 at, i, area = entry_area(small);
	const __u64 *b;

	if (!e || !qn)
		return 0;
	at = BPFDNS_NAME_AT(e->data_len);
	b = (const __u64 *)qn->name;
	for (i = 0; i < BPFDNS_NAME_MAX / 8; i++) {
		__u32 off = at + i * 8;

		if (i * 8 >= name_len)
			break;
		if (off > area - 8) /* bound for the verifier: the daemon pads it within */
			return 0;
		barrier_var(off); /* the pointer from the bounded offset, not from at */
		if (*(const __u64 *)(e->data + off) != b[i])
			return 0;
	}
	return 1;
}

/* ttl - age, or 0 once age has passed it; branch-free (see csum_place). */
static __always_inline __u32 aged(__u32 ttl, __u32 age)
{
	__s64 d = (__s64)ttl - age;

	return d & ~(d >> 63);
}

/* Checksum sum (folded) of the first len bytes of the entry's records. */
static __noinline __u32 entry_data_sum(const struct bpfdns_entry *e, __u32 len, bool small)
{
	if (!e || len > entry_data_max(small))
		return 0;
	return csum_fold(csum_entry_data(e, len));
}

/* Add to pl->data_sum (the records as stored) what aging each TTL by
 * pl->age changes. Returns 0, or -1 for an entry with bad offsets. */
static __noinline int plan_records(const struct bpfdns_entry *e, struct plan *pl, bool small)
{
	__u32 i, len, count, age, data_max = entry_data_max(small);
	__u64 sum;

	if (!e || !pl)
		return -1;
	len = pl->data_len;
	count = pl->ttl_count;
	age = pl->age;
	if (len > data_max || count > entry_ttl_max(small))
		return -1;
	sum = pl->data_sum;
	for (i = 0; i < BPFDNS_TTL_MAX && age; i++) {
		__u32 off, ttl;

		if (i >= count)
			break;
		off = entry_ttl_off(e, i);
		if (off + 4 > len)
			return -1;
		ttl = entry_ttl(e, off, data_max);
		sum += csum_be32_replace(ttl, aged(ttl, age), off);
	}
	pl->data_sum = sum;
	return 0;
}

/*
 * Check the entry against the query and work out the answer: size, the
 * checksum of the records with aged TTLs. Returns OUT_CONTINUE or the outcome.
 */
static __always_inline int plan_answer(const struct query *q, const struct bpfdns_entry *e, __u64 now,
				       __u64 stored, struct plan *pl, bool small)
{
	__u64 age;

	if (now >= e->expire_ns)
		return OUT_EXPIRED;
	pl->data_len = e->data_len;
	pl->ttl_count = e->ttl_count;
	if (pl->data_len > entry_data_max(small) || pl->ttl_count > entry_ttl_max(small))
		return OUT_MALFORMED; /* not an entry the daemon wrote */
	pl->resp_len = DNS_HDR_LEN + q->name_len + 4 + pl->data_len + (q->has_opt ? DNS_OPT_LEN : 0);
	if (pl->resp_len > dns_udp_limit(q->has_opt, q->client_udp, edns_udp_max))
		return OUT_TOO_BIG;
	age = now > stored ? (now - stored) / NS_PER_SEC : 0;
	pl->age = age > 0xffffffffULL ? 0xffffffff : age;
	pl->data_sum = entry_data_sum(e, pl->data_len, small);
	if (plan_records(e, pl, small))
		return OUT_MALFORMED;
	return OUT_CONTINUE;
}

/* Write the aged TTLs into the records already copied to data_off. */
static __always_inline int write_ttls(void *ctx, bool xdp, const struct bpfdns_entry *e,
				      const struct plan *pl, __u32 data_off, bool small)
{
	void *data = hook_data(ctx, xdp), *data_end = hook_data_end(ctx, xdp);
	__u32 i, len, count, data_max = entry_data_max(small);

	if (!e || !pl)
		return -1;
	if (!pl->age)
		return 0;
	len = pl->data_len;
	count = pl->ttl_count;
	if (len > data_max || count > entry_ttl_max(small))
		return -1;
	for (i = 0; i < BPFDNS_TTL_MAX; i++) {
		__u32 off, ttl;
		__u8 *p;

		if (i >= count)
			break;
		off = entry_ttl_off(e, i);
		if (off + 4 > len || off > BPFDNS_DATA_MAX || data_off > 512)
			return -1;
		ttl = aged(entry_ttl(e, off, data_max), pl->age);
		p = data + data_off + off;
		if ((void *)(p + 4) > data_end)
			return -1;
		p[0] = ttl >> 24;
		p[1] = ttl >> 16;
		p[2] = ttl >> 8;
		p[3] = ttl;
	}
	return 0;
}

static __noinline int write_ttls_xdp(struct xdp_md *ctx, const struct bpfdns_entry *e, const struct plan *pl,
				     __u32 data_off, bool small)
{
	return write_ttls(ctx, true, e, pl, data_off, small);
}

static __noinline int write_ttls_tc(struct __sk_buff *ctx, const struct bpfdns_entry *e, const struct plan *pl,
				    __u32 data_off, bool small)
{
	return write_ttls(ctx, false, e, pl, data_off, small);
}

/* Write the OPT record of the answer at DNS offset off; returns its sum. */
static __always_inline int write_opt(void *data, void *data_end, const struct query *q, __u32 off,
				     __u64 *sum)
{
	__u8 opt[DNS_OPT_LEN + 1] = {
		0,			    /* root owner */
		0, DNS_TYPE_OPT,	    /* type */
		edns_udp_max >> 8, edns_udp_max & 0xff, /* class: our UDP size */
		0, 0,			    /* extended RCODE, version */
		q->edns_do ? EDNS_F_DO : 0, 0, /* flags */
		0, 0,			    /* no options */
	};
	__u8 *p;
	__u32 i;

	if (off > 4096 || q->dns_off > 64)
		return -1;
	p = data + q->dns_off + off;
	if ((void *)(p + DNS_OPT_LEN) > data_end)
		return -1;
	__builtin_memcpy(p, opt, DNS_OPT_LEN);
	for (i = 0; i < sizeof(opt); i += 2)
		*sum += csum_word(opt[i], opt[i + 1]);
	return 0;
}

/* Turn the Ethernet, IP and UDP headers around; returns the pseudo-header
 * and UDP header sum without payload. */
static __always_inline int write_transport(void *data, void *data_end, const struct query *q,
					   __u32 udp_len, __u64 *sum)
{
	struct ethhdr *eth = data;
	struct udphdr *udp;
	__u8 mac[ETH_ALEN];
	__u16 port;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);

	if (q->family == 4) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 addr, *w = (__u32 *)ip;
		__u64 ipsum = 0;
		int i;

		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > data_end)
			return -1;
		addr = ip->saddr;
		ip->saddr = ip->daddr;
		ip->daddr = addr;
		ip->tot_len = bpf_htons(sizeof(*ip) + udp_len);
		ip->ttl = ANSWER_HOP_LIMIT;
		ip->check = 0;
		for (i = 0; i < 5; i++)
			ipsum += w[i];
		ip->check = ~csum_fold(ipsum);
		*sum += (__u64)ip->saddr + ip->daddr;
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct in6_addr addr;
		__u32 *s, *d;
		int i;

		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > data_end)
			return -1;
		addr = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = addr;
		ip6->payload_len = bpf_htons(udp_len);
		ip6->hop_limit = ANSWER_HOP_LIMIT;
		s = ip6->saddr.in6_u.u6_addr32;
		d = ip6->daddr.in6_u.u6_addr32;
		for (i = 0; i < 4; i++)
			*sum += (__u64)s[i] + d[i];
	}
	port = udp->source;
	udp->source = udp->dest;
	udp->dest = port;
	udp->len = bpf_htons(udp_len);
	udp->check = 0;
	/* pseudo-header protocol and length, then the UDP header */
	*sum += bpf_htons(IPPROTO_UDP) + udp->len;
	*sum += udp->source + udp->dest + udp->len;
	return 0;
}

/* Store the UDP checksum. */
static __always_inline int write_udp_csum(void *data, void *data_end, const struct query *q, __u64 sum)
{
	__u32 l4 = sizeof(struct ethhdr) + (q->family == 4 ? sizeof(struct iphdr) : sizeof(struct ipv6hdr));
	struct udphdr *udp = data + l4;
	__u16 check;

	if ((void *)(udp + 1) > data_end)
		return -1;
	check = ~csum_fold(sum);
	udp->check = check ? check : 0xffff; /* 0 means "no checksum" over IPv4 */
	return 0;
}

/* Rewrite the DNS header of the query into that of the answer; returns its sum. */
static __always_inline int write_dns_header(void *data, void *data_end, const struct query *q,
					    const struct bpfdns_entry *e, __u64 *sum)
{
	struct dnshdr *dns;
	__u8 ad = 0;
	__u16 *w;
	int i;

	if (q->dns_off > 64)
		return -1;
	dns = data + q->dns_off;
	if ((void *)(dns + 1) > data_end)
		return -1;
	/* AD only for clients that asked for it, by DO or AD (RFC 6840 5.7) */
	if ((e->flags & BPFDNS_ENTRY_AD) && (q->edns_do || (q->flags3 & DNS_AD)))
		ad = DNS_AD;
	dns->flags2 = DNS_QR | (q->flags2 & DNS_RD) | ((e->flags & BPFDNS_ENTRY_AA) ? DNS_AA : 0);
	dns->flags3 = DNS_RA | ad | (q->flags3 & DNS_CD) | (e->rcode & DNS_RCODE);
	dns->qdcount = bpf_htons(1);
	dns->ancount = bpf_htons(e->ancount);
	dns->nscount = bpf_htons(e->nscount);
	dns->arcount = bpf_htons(e->arcount + (q->has_opt ? 1 : 0));
	w = (__u16 *)dns;
	for (i = 0; i < DNS_HDR_LEN / 2; i++)
		*sum += w[i];
	return 0;
}

/*
 * Build the answer in place. Returns OUT_HIT, or OUT_NO_ROOM with the packet
 * unchanged, or OUT_DROP when it went wrong half-way.
 */
static __always_inline int write_answer(void *ctx, bool xdp, const struct query *q,
					const struct bpfdns_key *key, const struct bpfdns_entry *e,
					const struct plan *pl, __u64 stored, bool small)
{
	void *data = hook_data(ctx, xdp), *data_end = hook_data_end(ctx, xdp);
	__u32 qsect_len = q->name_len + 4;
	__u32 data_off = q->dns_off + DNS_HDR_LEN + qsect_len;
	__u32 udp_len = sizeof(struct udphdr) + pl->resp_len;
	__u64 sum = 0, body = 0;
	__u32 dlen;

	if (hook_resize(ctx, xdp, data_end - data, q->dns_off + pl->resp_len))
		return OUT_NO_ROOM;
	dlen = pl->data_len;
	barrier_var(dlen); /* one copy of the length, bounded here for the verifier */
	if (dlen > entry_data_max(small))
		return OUT_DROP;
	if (dlen && hook_store(ctx, xdp, data_off, (void *)e->data, dlen))
		return OUT_DROP;

	data = hook_data(ctx, xdp);
	data_end = hook_data_end(ctx, xdp);
	if (xdp ? write_ttls_xdp(ctx, e, pl, data_off, small) : write_ttls_tc(ctx, e, pl, data_off, small))
		return OUT_DROP;
	if (write_transport(data, data_end, q, udp_len, &sum))
		return OUT_DROP;
	if (write_dns_header(data, data_end, q, e, &sum))
		return OUT_DROP;
	if (q->has_opt && write_opt(data, data_end, q, DNS_HDR_LEN + qsect_len + pl->data_len, &body))
		return OUT_DROP;

	/* The question is the query's own; the name starts at an even offset. */
	sum += q->name_sum;
	sum += csum_be32_at(((__u32)key->qtype << 16) | key->qclass, q->name_len);
	sum += csum_place(pl->data_sum, qsect_len);
	sum += csum_place(body, qsect_len + pl->data_len);
	if (write_udp_csum(data, data_end, q, sum))
		return OUT_DROP;

	/* The daemon replaced the entry while we copied it: the answer may mix two. */
	asm volatile("" ::: "memory");
	if (*(volatile __u64 *)&e->stored_ns != stored)
		return OUT_DROP;
	return OUT_HIT;
}

#endif /* BPFDNS_BPF_ANSWER_H */
