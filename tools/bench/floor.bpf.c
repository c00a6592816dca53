// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * floor.bpf.c - the benchmark's floor: turn any IPv4 DNS query to the port
 * into an empty reply (QR and RA set, the rest as it came) with no lookup at
 * all. What answering from XDP costs by itself; bpfdns is measured against
 * it. IPv4 only, as the benchmark is: the UDP checksum may then be 0.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u16 port = 53;

SEC("xdp")
int floor_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *dns = (__u8 *)(udp + 1), mac[ETH_ALEN];
	__u32 addr;
	__u16 p;

	if ((void *)(dns + 12) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || udp->dest != bpf_htons(port) || (dns[2] & 0x80))
		return XDP_PASS;
	dns[2] |= 0x80; /* QR */
	dns[3] = 0x80;	/* RA, NOERROR */
	udp->check = 0;
	p = udp->source;
	udp->source = udp->dest;
	udp->dest = p;
	/* swapping the addresses leaves the IPv4 header checksum valid */
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	__builtin_memcpy(mac, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, mac, ETH_ALEN);
	return XDP_TX;
}
