/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * query.h - decide whether a packet is a plain DNS query to us, and build
 * its cache key (BPF side). Nothing here writes the packet.
 */
#ifndef BPFDNS_QUERY_H
#define BPFDNS_QUERY_H

#include "bpfdns.h"
#include "consts.h"
#include "csum.h"
#include "hook.h"
#include "maps.h"
#include "namehash.h"
#include "parse.h"

/* The name hash's secret key (namehash.h); set by the loader. */
const volatile __u64 name_hash_key[2];

/* What became of a packet; each maps to one counter. */
enum outcome {
	OUT_HIT,
	OUT_NOT_OURS,
	OUT_NOT_PLAIN,
	OUT_MISS,
	OUT_EXPIRED,
	OUT_TOO_BIG,
	OUT_NO_ROOM,
	OUT_MALFORMED,
	OUT_REFUSED,
	OUT_DENIED,
	OUT_DROP, /* answer half-built and then impossible; counted as malformed */
	OUT_CONTINUE, /* internal: keep going */
};

/* What the answer needs to know about the query. */
struct query {
	__u64 name_sum;	   /* checksum sum of the raw name bytes (even offset) */
	__u32 dns_off;	   /* packet offset of the DNS header */
	__u32 dns_len;	   /* DNS message length (UDP payload) */
	__u32 name_len;	   /* wire name length, root label included */
	__u16 client_udp;  /* EDNS UDP payload size of the client */
	__u8 family;	   /* 4 or 6 */
	__u8 has_opt;	   /* the query carried an OPT record */
	__u8 flags2;	   /* header flag bytes of the query */
	__u8 flags3;
	__u8 edns_do;	   /* DO bit of the query's OPT */
	__u8 loopback_src; /* from 127.0.0.0/8 or ::1, which only lo may carry */
};

/* Lowercase the ASCII letters of 8 bytes at once. Label length bytes (0-63)
 * are never letters, so a whole wire name can go through this. */
static __always_inline __u64 lower8(__u64 v)
{
	__u64 hep = v & 0x7f7f7f7f7f7f7f7fULL;
	__u64 ge_a = hep + 0x3f3f3f3f3f3f3f3fULL; /* high bit set where byte >= 'A' */
	__u64 gt_z = hep + 0x2525252525252525ULL; /* high bit set where byte > 'Z' */
	__u64 upper = (ge_a ^ gt_z) & ~v & 0x8080808080808080ULL;

	return v | (upper >> 2);
}

/* A mask of the first n (0..8) bytes, in memory order, of an 8-byte word;
 * branch-free. Two shifts, as a shift by 64 is undefined. */
static __always_inline __u64 first_bytes_mask(__u32 n)
{
	__u32 bits = n * 8;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return ((1ULL << (bits / 2)) << (bits - bits / 2)) - 1;
#else
	bits = 64 - bits;
	return ~(((1ULL << (bits / 2)) << (bits - bits / 2)) - 1);
#endif
}

/* Whether a listen address has this port (host order): a bit in an array,
 * cheaper than the hash lookup of listening_on that the rest needs. */
static __always_inline int port_listened(__u32 port)
{
	__u32 word = port / 64;
	__u64 *bits = bpf_map_lookup_elem(&bpfdns_ports, &word);

	return bits && (*bits >> (port % 64)) & 1;
}

static __always_inline int listening_on(struct bpfdns_listen_key *lk)
{
	if (bpf_map_lookup_elem(&bpfdns_listen, lk))
		return 1;
	__builtin_memset(lk->addr, 0, sizeof(lk->addr));
	return bpf_map_lookup_elem(&bpfdns_listen, lk) != NULL;
}

/* The access list's verdict on a source: OUT_CONTINUE when allowed. No
 * matching rule means refused, so an empty list answers no one. */
static __always_inline int access_check(struct bpfdns_acl_key *ak)
{
	__u32 *action;

	ak->prefixlen = 8 + (ak->family == BPFDNS_AF_INET ? 32 : 128);
	action = bpf_map_lookup_elem(&bpfdns_access, ak);
	if (action && *action == BPFDNS_ACL_ALLOW)
		return OUT_CONTINUE;
	return action && *action == BPFDNS_ACL_DENY ? OUT_DENIED : OUT_REFUSED;
}

/* ::1 or ::ffff:127.0.0.0/104: a source only lo can carry (127.0.0.0/8 is
 * one byte, checked in place). Read from the packet: no stack needed. */
static __always_inline int loopback6(const struct in6_addr *a)
{
	if (a->s6_addr32[0] | a->s6_addr32[1])
		return 0;
	if (a->s6_addr32[2] == bpf_htonl(0xffff))
		return a->s6_addr[12] == 127;
	return !a->s6_addr32[2] && a->s6_addr32[3] == bpf_htonl(1);
}

/*
 * Find the UDP payload of a packet to a listen address and port. Fills
 * q->family, dns_off, dns_len. Returns OUT_CONTINUE or the outcome.
 */
static __always_inline int parse_transport(void *ctx, bool xdp, void *data, void *data_end, struct query *q)
{
	struct bpfdns_listen_key lk = {};
	struct bpfdns_acl_key ak = {};
	struct cursor c = { .pos = data };
	struct ethhdr *eth;
	struct iphdr *ip;
	struct ipv6hdr *ip6;
	struct udphdr *udp;
	__u32 pkt_len = data_end - data;
	__u32 l3_len;
	int proto, udp_len, ret;

	proto = parse_ethhdr(&c, data_end, &eth);
	if (proto == ETH_P_IP) {
		if (parse_iphdr(&c, data_end, &ip) != IPPROTO_UDP)
			return OUT_NOT_OURS;
		udp_len = parse_udphdr(&c, data_end, &udp);
		if (udp_len < 0 || !port_listened(bpf_ntohs(udp->dest)))
			return OUT_NOT_OURS;
		__builtin_memcpy(lk.addr, &ip->daddr, 4);
		__builtin_memcpy(ak.addr, &ip->saddr, 4);
		q->loopback_src = ak.addr[0] == 127;
		lk.family = ak.family = BPFDNS_AF_INET;
		l3_len = bpf_ntohs(ip->tot_len);
		if (l3_len < sizeof(*ip) || l3_len - sizeof(*ip) != (__u32)udp_len)
			l3_len = 0; /* judged below, once we know it is ours */
		q->family = 4;
		q->dns_off = sizeof(*eth) + sizeof(*ip) + sizeof(*udp);
	} else if (proto == ETH_P_IPV6) {
		if (parse_ip6hdr(&c, data_end, &ip6) != IPPROTO_UDP)
			return OUT_NOT_OURS;
		udp_len = parse_udphdr(&c, data_end, &udp);
		if (udp_len < 0 || !port_listened(bpf_ntohs(udp->dest)))
			return OUT_NOT_OURS;
		__builtin_memcpy(lk.addr, &ip6->daddr, 16);
		__builtin_memcpy(ak.addr, &ip6->saddr, 16);
		q->loopback_src = loopback6(&ip6->saddr);
		lk.family = ak.family = BPFDNS_AF_INET6;
		l3_len = bpf_ntohs(ip6->payload_len);
		if (l3_len != (__u32)udp_len)
			l3_len = 0;
		else
			l3_len += sizeof(*ip6);
		q->family = 6;
		q->dns_off = sizeof(*eth) + sizeof(*ip6) + sizeof(*udp);
	} else {
		return OUT_NOT_OURS;
	}
	lk.port = bpf_ntohs(udp->dest);
	if (!listening_on(&lk))
		return OUT_NOT_OURS;
	/* a loopback source from anywhere but lo is forged (an on-link
	 * attacker reading what this host looked up): never answered */
	if (q->loopback_src && hook_ifindex(ctx, xdp) != BPFDNS_LOOPBACK_IFINDEX)
		return OUT_DENIED;
	ret = access_check(&ak);
	if (ret != OUT_CONTINUE)
		return ret;

	/* Ours from here on. Frames may carry link padding past the IP length. */
	if (!l3_len || sizeof(*eth) + l3_len > pkt_len || !udp->source)
		return OUT_MALFORMED;
	q->dns_len = udp_len - sizeof(*udp);
	return OUT_CONTINUE;
}

/* Check the header: a standard query with one question and at most an OPT. */
static __always_inline int parse_header(void *data, void *data_end, struct query *q, __u16 *arcount)
{
	struct cursor c = { .pos = data + q->dns_off };
	struct dnshdr *dns;

	if (q->dns_off > 64 || parse_dnshdr(&c, data_end, &dns) || q->dns_len < DNS_HDR_LEN)
		return OUT_MALFORMED;
	q->flags2 = dns->flags2;
	q->flags3 = dns->flags3;
	if (dns->flags2 & (DNS_QR | DNS_OPCODE | DNS_TC))
		return OUT_NOT_PLAIN;
	if (dns->qdcount != bpf_htons(1) || dns->ancount || dns->nscount)
		return OUT_NOT_PLAIN;
	*arcount = bpf_ntohs(dns->arcount);
	if (*arcount > 1)
		return OUT_NOT_PLAIN;
	return OUT_CONTINUE;
}

/*
 * The loops below live in global functions: the verifier checks each of
 * them once, on its own, and the caller re-checks what comes back. Inlined,
 * every exit of one loop would be explored through all the code after it.
 */

/* Length of the wire name at the start of qn->name, of which avail bytes
 * were read from the packet: 1..255, or -outcome. */
__noinline int name_length(const struct bpfdns_question *qn, __u32 avail)
{
	__u32 off = 0, i;

	if (!qn)
		return -OUT_MALFORMED;
	for (i = 0; i < BPFDNS_NAME_MAX / 2; i++) {
		__u32 idx = off;
		__u8 len;

		if (off >= avail)
			return -OUT_MALFORMED; /* runs past the message */
		barrier_var(idx); /* keep the mask: clang knows idx < 256, the verifier not */
		len = qn->name[idx & (BPFDNS_NAME_MAX - 1)];
		if (len == 0)
			return off + 1;
		if ((len & 0xc0) == 0xc0)
			return -OUT_NOT_PLAIN; /* compression pointer */
		if (len & 0xc0)
			return -OUT_MALFORMED; /* obsolete label types */
		off += len + 1;
		if (off > 254)
			return -OUT_MALFORMED; /* name over 255 bytes */
	}
	return -OUT_MALFORMED;
}

/* Lowercase the name in qn (name_len bytes; the rest of its last word
 * zeroed, the words after it left as they are), set q->name_sum to the
 * checksum sum of the name as the client sent it, and the key's name hash
 * and length. */
__noinline int name_fold(struct bpfdns_question *qn, __u32 name_len, struct query *q, struct bpfdns_key *key)
{
	struct namehash h;
	__u64 *words, sum = 0;
	__u32 i;

	if (!qn || !q || !key)
		return -1;
	namehash_init(&h, name_hash_key[0], name_hash_key[1]);
	words = (__u64 *)qn->name;
	for (i = 0; i < BPFDNS_NAME_MAX / 8; i++) {
		__u32 left = name_len - i * 8; /* name bytes from this word on */
		__u64 v;

		if (i * 8 >= name_len)
			break;
		v = words[i] & first_bytes_mask(left < 8 ? left : 8);
		sum += (__u32)v;
		sum += v >> 32;
		v = lower8(v);
		words[i] = v;
		namehash_word(&h, v);
	}
	q->name_sum = sum;
	key->name_hash = namehash_end(&h, name_len);
	key->name_len = name_len;
	return 0;
}

/* Read the question name into qn: lowercased; and its hash into the key. */
static __always_inline int parse_qname(void *ctx, bool xdp, struct query *q, struct bpfdns_question *qn,
				       struct bpfdns_key *key)
{
	__u32 avail = q->dns_len - DNS_HDR_LEN;
	int len;

	if (avail > BPFDNS_NAME_MAX)
		avail = BPFDNS_NAME_MAX;
	if (avail < 1)
		return OUT_MALFORMED;
	if (hook_load(ctx, xdp, q->dns_off + DNS_HDR_LEN, qn->name, avail))
		return OUT_MALFORMED;
	len = name_length(qn, avail);
	if (len < 0)
		return -len;
	if (len < 1 || len > BPFDNS_NAME_MAX - 1)
		return OUT_MALFORMED;
	q->name_len = len;
	if (name_fold(qn, len, q, key))
		return OUT_MALFORMED;
	return OUT_CONTINUE;
}

/*
 * Check the OPT record at DNS offset off and that it ends the message.
 * Options are ignored, except client subnet which needs the daemon.
 */
static __always_inline int parse_opt(void *ctx, bool xdp, struct query *q, __u32 off)
{
	void *data = hook_data(ctx, xdp), *data_end = hook_data_end(ctx, xdp);
	__u8 *p, *o;
	__u32 end, i;
	__u16 rdlen;

	if (!q || q->dns_off > 64 || off > 512)
		return OUT_MALFORMED; /* keeps the packet offset bounded */
	p = data + q->dns_off + off;
	if ((void *)(p + DNS_OPT_LEN) > data_end || off + DNS_OPT_LEN > q->dns_len)
		return OUT_MALFORMED;
	if (p[0] != 0 || p[1] != 0 || p[2] != DNS_TYPE_OPT)
		return OUT_NOT_PLAIN; /* some other additional record (TSIG, ...) */
	if (p[6] != 0)
		return OUT_NOT_PLAIN; /* EDNS version other than 0: BADVERS from the daemon */
	q->has_opt = 1;
	q->client_udp = ((__u16)p[3] << 8) | p[4];
	q->edns_do = p[7] & EDNS_F_DO;
	rdlen = ((__u16)p[9] << 8) | p[10];
	end = off + DNS_OPT_LEN + rdlen;
	if (end != q->dns_len)
		return OUT_MALFORMED; /* options overrun, or bytes after the OPT */

	off += DNS_OPT_LEN;
	for (i = 0; i < EDNS_OPTIONS_MAX; i++) {
		__u16 code, len;

		if (off == end)
			return OUT_CONTINUE;
		if (off > 1024)
			return OUT_MALFORMED;
		o = data + q->dns_off + off;
		if ((void *)(o + 4) > data_end || off + 4 > end)
			return OUT_MALFORMED;
		code = ((__u16)o[0] << 8) | o[1];
		len = ((__u16)o[2] << 8) | o[3];
		if (code == EDNS_OPT_CLIENT_SUBNET)
			return OUT_NOT_PLAIN;
		off += 4 + len;
		if (off > end)
			return OUT_MALFORMED;
	}
	return off == end ? OUT_CONTINUE : OUT_NOT_PLAIN;
}

__noinline int parse_opt_xdp(struct xdp_md *ctx, struct query *q, __u32 off)
{
	return parse_opt(ctx, true, q, off);
}

__noinline int parse_opt_tc(struct __sk_buff *ctx, struct query *q, __u32 off)
{
	return parse_opt(ctx, false, q, off);
}

static const __u32 scratch_key;

/*
 * Parse a packet into q, its question (*qn: in the scratch map) and the
 * cache key. Returns OUT_CONTINUE for a plain query to us, or the outcome
 * that passes it on.
 */
static __always_inline int parse_query(void *ctx, bool xdp, struct query *q, struct bpfdns_question **qnp,
				       struct bpfdns_key *key)
{
	struct bpfdns_question *qn;
	void *data = hook_data(ctx, xdp), *data_end = hook_data_end(ctx, xdp);
	__u16 arcount = 0;
	__u32 qend, off;
	__u8 *p;
	int ret;

	ret = parse_transport(ctx, xdp, data, data_end, q);
	if (ret != OUT_CONTINUE)
		return ret;
	ret = parse_header(data, data_end, q, &arcount);
	if (ret != OUT_CONTINUE)
		return ret;
	qn = bpf_map_lookup_elem(&bpfdns_scratch, &scratch_key);
	if (!qn)
		return OUT_MALFORMED; /* cannot happen: an array's one entry */
	*qnp = qn;
	ret = parse_qname(ctx, xdp, q, qn, key);
	if (ret != OUT_CONTINUE)
		return ret;

	/* qtype and qclass follow the name */
	qend = DNS_HDR_LEN + q->name_len + 4;
	if (qend > q->dns_len)
		return OUT_MALFORMED;
	off = q->dns_off + DNS_HDR_LEN + q->name_len;
	barrier_var(off);
	if (off > 512)
		return OUT_MALFORMED;
	p = data + off;
	if ((void *)(p + 4) > data_end)
		return OUT_MALFORMED;
	key->qtype = ((__u16)p[0] << 8) | p[1];
	key->qclass = ((__u16)p[2] << 8) | p[3];
	if (key->qclass != DNS_CLASS_IN)
		return OUT_NOT_PLAIN;

	if (arcount) {
		ret = xdp ? parse_opt_xdp(ctx, q, qend) : parse_opt_tc(ctx, q, qend);
		if (ret != OUT_CONTINUE)
			return ret;
	} else if (qend != q->dns_len) {
		return OUT_MALFORMED; /* bytes after the question */
	}
	key->flags = (q->edns_do ? BPFDNS_KEY_DO : 0) | (q->flags3 & DNS_CD ? BPFDNS_KEY_CD : 0);
	qn->qtype = key->qtype;
	qn->qclass = key->qclass;
	qn->flags = key->flags;
	return OUT_CONTINUE;
}

#endif /* BPFDNS_QUERY_H */
