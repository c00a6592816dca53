// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sendraw - send files, each as one DNS message, to a server, as a hostile
 * client would, and say what came back.
 *
 *   sendraw IP#PORT [--tcp] [--timeout=MS] [--forge=SRC-IP,IFNAME,MAC] FILE...
 *
 * One line per file: "FILE rcode=N" (the answer's RCODE) or "FILE none".
 * Over TCP each message goes length-prefixed on its own connection.
 * --forge: each message goes as a whole frame out of IFNAME (AF_PACKET)
 * to MAC, from SRC-IP (127.0.0.1, ::1: what only lo may carry), as an
 * on-link attacker would send it; any UDP answer to it seen on IFNAME
 * counts, whatever its destination address.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "config.h"
#include "dns.h"
#include "pkt.h"
#include "upstream.h"

#define FORGE_SPORT 40053

struct forge {
	int fd; /* AF_PACKET on the interface; -1: not forging */
	int ifindex;
	struct flow f;
};

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

/* Read the answer (over TCP, its length first); its length or -1. */
static ssize_t recv_answer(int fd, int tcp, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0, want = tcp ? 2 : cap;

	while (got < want) {
		ssize_t n;

		if (poll(&p, 1, timeout_ms) <= 0)
			return -1;
		n = recv(fd, buf + got, tcp ? want - got : cap, 0);
		if (n <= 0)
			return -1;
		if (!tcp)
			return n;
		got += (size_t)n;
		if (got == 2 && want == 2) {
			want = 2 + dns_get16(buf);
			if (want > cap)
				return -1;
		}
	}
	memmove(buf, buf + 2, got - 2);
	return (ssize_t)(got - 2);
}

/* --forge=SRC-IP,IFNAME,MAC to server (ss): 0, or -1 (said). */
static int forge_open(struct forge *fg, const char *arg, const struct sockaddr_storage *ss)
{
	char src[64], ifname[IF_NAMESIZE], mac[18];
	unsigned int m[6];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct ifreq ifr = { 0 };

	if (sscanf(arg, "%63[^,],%15[^,],%17s", src, ifname, mac) != 3 ||
	    sscanf(mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6 ||
	    !(fg->ifindex = (int)if_nametoindex(ifname))) {
		fprintf(stderr, "sendraw: --forge=SRC-IP,IFNAME,MAC: %s\n", arg);
		return -1;
	}
	memset(&fg->f, 0, sizeof(fg->f));
	fg->f.family = ss->ss_family == AF_INET ? 4 : 6;
	if (inet_pton(ss->ss_family, src, fg->f.src) != 1) {
		fprintf(stderr, "sendraw: --forge: %s is not an address of the server's family\n", src);
		return -1;
	}
	if (fg->f.family == 4) {
		memcpy(fg->f.dst, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		fg->f.dport = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	} else {
		memcpy(fg->f.dst, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		fg->f.dport = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	fg->f.sport = FORGE_SPORT;
	for (int i = 0; i < 6; i++)
		fg->f.dmac[i] = (uint8_t)m[i];
	ll.sll_ifindex = fg->ifindex;
	fg->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	/* from the link's own MAC: a bridge drops a frame from 00:00:00:00:00:00 */
	if (fg->fd < 0 || bind(fg->fd, (struct sockaddr *)&ll, sizeof(ll)) || ioctl(fg->fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "sendraw: --forge: %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	memcpy(fg->f.smac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* The DNS payload of a UDP frame from the server's port to ours; NULL. */
static const uint8_t *forge_answer(const struct forge *fg, const uint8_t *fr, size_t len, size_t *dns_len)
{
	size_t l3 = 14, l4;
	uint16_t type = (uint16_t)(fr[12] << 8 | fr[13]);

	if (len < 14 + 40 + 8 + DNS_HDR_LEN)
		return NULL;
	if (type == ETH_P_IP && fr[l3 + 9] == IPPROTO_UDP)
		l4 = l3 + (size_t)(fr[l3] & 0xf) * 4;
	else if (type == ETH_P_IPV6 && fr[l3 + 6] == IPPROTO_UDP)
		l4 = l3 + 40;
	else
		return NULL;
	if (l4 + 8 + DNS_HDR_LEN > len || dns_get16(fr + l4) != fg->f.dport || dns_get16(fr + l4 + 2) != fg->f.sport)
		return NULL;
	*dns_len = len - l4 - 8;
	return fr + l4 + 8;
}

/* Send msg as a forged frame; an answer's DNS message into ans: its length or -1. */
static ssize_t forge_send(const struct forge *fg, const uint8_t *msg, size_t len, uint8_t *ans, size_t cap,
			  int timeout_ms)
{
	static uint8_t frame[70000];
	size_t flen = frame_build(frame, &fg->f, msg, len);
	struct pollfd p = { .fd = fg->fd, .events = POLLIN };

	if (send(fg->fd, frame, flen, 0) < 0)
		return -1;
	while (poll(&p, 1, timeout_ms) > 0) {
		ssize_t n = recv(fg->fd, frame, sizeof(frame), 0);
		const uint8_t *dns;
		size_t dlen;

		if (n <= 0)
			return -1;
		dns = forge_answer(fg, frame, (size_t)n, &dlen);
		if (dns && dlen <= cap) {
			memcpy(ans, dns, dlen);
			return (ssize_t)dlen;
		}
	}
	return -1;
}

/* "FILE rcode=N" or "FILE none" */
static void say(const char *file, const uint8_t *ans, ssize_t n)
{
	if (n >= DNS_HDR_LEN)
		printf("%s rcode=%d\n", file, ans[3] & DNS_RCODE);
	else
		printf("%s none\n", file);
}

int main(int argc, char **argv)
{
	static uint8_t msg[70000], ans[70000];
	struct sockaddr_storage ss;
	struct forge fg = { .fd = -1 };
	int tcp = 0, timeout_ms = 500, first = 2;

	if (argc < 3 || config_parse_addr(argv[1], 53, &ss)) {
		fprintf(stderr, "usage: sendraw IP#PORT [--tcp] [--timeout=MS] [--forge=SRC-IP,IFNAME,MAC] FILE...\n");
		return EXIT_FAILURE;
	}
	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		if (!strcmp(argv[first], "--tcp"))
			tcp = 1;
		else if (!strncmp(argv[first], "--timeout=", 10))
			timeout_ms = atoi(argv[first] + 10);
		else if (!strncmp(argv[first], "--forge=", 8) && forge_open(&fg, argv[first] + 8, &ss))
			return EXIT_FAILURE;
	}
	for (int i = first; i < argc; i++) {
		size_t len = read_file(argv[i], tcp ? msg + 2 : msg, sizeof(msg) - 2);
		int fd = -1;
		ssize_t n = -1;

		if (fg.fd >= 0) {
			say(argv[i], ans, forge_send(&fg, msg, len, ans, sizeof(ans), timeout_ms));
			continue;
		}
		fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&ss, addr_len(&ss))) {
			printf("%s error %s\n", argv[i], strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (tcp)
			dns_put16(msg, (uint16_t)len);
		if (send(fd, msg, tcp ? len + 2 : len, MSG_NOSIGNAL) >= 0)
			n = recv_answer(fd, tcp, ans, sizeof(ans), timeout_ms);
		say(argv[i], ans, n);
		close(fd);
	}
	return EXIT_SUCCESS;
}
