/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parse.h - bounds-checked header parsing with a cursor (BPF side).
 *
 * Each parse_*() takes a cursor at the start of its header, checks that the
 * whole header lies before data_end, stores a pointer to it, advances the
 * cursor past it and returns the next protocol (host order) or -1 when the
 * header is cut short or not one we handle. Nothing here writes the packet.
 */
#ifndef BPFDNS_PARSE_H
#define BPFDNS_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include "consts.h"

struct cursor {
	void *pos;
};

struct dnshdr {
	__be16 id;
	__u8 flags2; /* QR | Opcode | AA | TC | RD */
	__u8 flags3; /* RA | Z | AD | CD | RCODE */
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};
_Static_assert(sizeof(struct dnshdr) == DNS_HDR_LEN, "dnshdr");

/* Returns the EtherType; VLAN tags are not ours, so they come back as such. */
static __always_inline int parse_ethhdr(struct cursor *c, void *data_end, struct ethhdr **eth)
{
	struct ethhdr *h = c->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	c->pos = h + 1;
	*eth = h;
	return bpf_ntohs(h->h_proto);
}

/* Returns the IP protocol; -1 for options, fragments or a cut header. */
static __always_inline int parse_iphdr(struct cursor *c, void *data_end, struct iphdr **ip)
{
	struct iphdr *h = c->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	if (h->version != 4 || h->ihl != 5) /* options: leave to the stack */
		return -1;
	if (h->frag_off & bpf_htons(IP_MF_OFFSET))
		return -1;
	c->pos = h + 1;
	*ip = h;
	return h->protocol;
}

/* Returns the next header; extension headers are returned as such (not UDP). */
static __always_inline int parse_ip6hdr(struct cursor *c, void *data_end, struct ipv6hdr **ip6)
{
	struct ipv6hdr *h = c->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	if (h->version != 6)
		return -1;
	c->pos = h + 1;
	*ip6 = h;
	return h->nexthdr;
}

/* Returns the UDP length (host order, header included) or -1. */
static __always_inline int parse_udphdr(struct cursor *c, void *data_end, struct udphdr **udp)
{
	struct udphdr *h = c->pos;
	int len;

	if ((void *)(h + 1) > data_end)
		return -1;
	len = bpf_ntohs(h->len);
	if (len < (int)sizeof(*h))
		return -1;
	c->pos = h + 1;
	*udp = h;
	return len;
}

/* Returns 0 when a whole DNS header is there, -1 otherwise. */
static __always_inline int parse_dnshdr(struct cursor *c, void *data_end, struct dnshdr **dns)
{
	struct dnshdr *h = c->pos;

	if ((void *)(h + 1) > data_end)
		return -1;
	c->pos = h + 1;
	*dns = h;
	return 0;
}

#endif /* BPFDNS_PARSE_H */
