// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sendraw - send files, each as one DNS message, to a server, as a hostile
 * client would, and say what came back.
 *
 *   sendraw IP#PORT [--tcp] [--timeout=MS] FILE...
 *
 * One line per file: "FILE rcode=N" (the answer's RCODE) or "FILE none".
 * Over TCP each message goes length-prefixed on its own connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "config.h"
#include "dns.h"
#include "upstream.h"

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

int main(int argc, char **argv)
{
	static uint8_t msg[70000], ans[70000];
	struct sockaddr_storage ss;
	int tcp = 0, timeout_ms = 500, first = 2;

	if (argc < 3 || config_parse_addr(argv[1], 53, &ss)) {
		fprintf(stderr, "usage: sendraw IP#PORT [--tcp] [--timeout=MS] FILE...\n");
		return EXIT_FAILURE;
	}
	for (; first < argc && !strncmp(argv[first], "--", 2); first++) {
		if (!strcmp(argv[first], "--tcp"))
			tcp = 1;
		else if (!strncmp(argv[first], "--timeout=", 10))
			timeout_ms = atoi(argv[first] + 10);
	}
	for (int i = first; i < argc; i++) {
		size_t len = read_file(argv[i], tcp ? msg + 2 : msg, sizeof(msg) - 2);
		int fd = socket(ss.ss_family, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
		ssize_t n = -1;

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
		if (n >= DNS_HDR_LEN)
			printf("%s rcode=%d\n", argv[i], ans[3] & DNS_RCODE);
		else
			printf("%s none\n", argv[i]);
		close(fd);
	}
	return EXIT_SUCCESS;
}
