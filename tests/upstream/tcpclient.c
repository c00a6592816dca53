// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * tcpclient - DNS-over-TCP clients as hostile or unusual peers behave, for
 * the daemon's TCP tests.
 *
 *   tcpclient IP#PORT [--from=IP] [--conns=K] [--seconds=S] MODE ARGS
 *
 *   pipeline N NAME  K connections, each writes N queries for A of
 *                    NAME with "%d" replaced by a query number (distinct
 *                    names, or one name without "%d") at once, then reads
 *                    until every answer is in or S seconds (10) pass.
 *                    Prints "answers=A of Q tc=T servfail=F ids=ok|bad".
 *   flood-reset N NAME  one connection writes N queries, never reads, and
 *                    after 300 ms resets it (SO_LINGER 0). Prints "sent=N".
 *   halfclose NAME   one query, then shutdown(SHUT_WR), then read the
 *                    answer. Prints "rcode=R an=N" or "none".
 *   trickle          K connections each send one byte of a message every
 *                    second, for S seconds. Prints "closed=C of K" (how
 *                    many the server closed).
 *   idle NAME        K connections each ask one query, read its answer
 *                    and stay idle S seconds. Prints "answered=A
 *                    closed=C of K".
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "config.h"
#include "dns.h"
#include "pkt.h"
#include "upstream.h"

#define CONNS_MAX 1024

static struct sockaddr_storage server, from;
static int n_conns = 1, seconds = 10;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_one(void)
{
	int fd = socket(server.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if ((from.ss_family && bind(fd, (struct sockaddr *)&from, addr_len(&from))) ||
	    connect(fd, (struct sockaddr *)&server, addr_len(&server))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A length-prefixed query for A of pattern (with i for "%d") into out. */
static size_t query(uint8_t *out, const char *pattern, int i, uint16_t id)
{
	char name[256];
	struct msg m;

	snprintf(name, sizeof(name), pattern, i);
	msg_init(&m, id, DNS_RD, 0);
	msg_question(&m, name, DNS_TYPE_A, DNS_CLASS_IN);
	msg_counts(&m, 1, 0, 0, 0);
	dns_put16(out, (uint16_t)m.len);
	memcpy(out + 2, m.buf, m.len);
	return m.len + 2;
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read one length-prefixed message within deadline; its length or -1. */
static ssize_t read_msg(int fd, uint8_t *buf, size_t cap, uint64_t deadline)
{
	size_t got = 0, want = 2;

	while (got < want) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ms();
		ssize_t n;

		if (now >= deadline || poll(&p, 1, (int)(deadline - now)) <= 0)
			return -1;
		n = recv(fd, buf + got, want - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		if (got == 2 && want == 2) {
			want = 2 + (size_t)dns_get16(buf);
			if (want > cap)
				return -1;
		}
	}
	memmove(buf, buf + 2, got - 2);
	return (ssize_t)(got - 2);
}

static int do_pipeline(int n, const char *pattern)
{
	static int fds[CONNS_MAX];
	static uint8_t buf[70000];
	int answers = 0, tc = 0, servfail = 0, bad_ids = 0;
	uint64_t deadline = now_ms() + (uint64_t)seconds * 1000;
	uint8_t *out = malloc((size_t)n * 300), *seen = calloc((size_t)n * (size_t)n_conns, 1);

	if (!out || !seen)
		return 1;
	/* every connection's queries out first, so that they are in flight
	 * together; then every answer read */
	for (int k = 0; k < n_conns; k++) {
		size_t len = 0;

		fds[k] = connect_one();
		if (fds[k] < 0) {
			perror("tcpclient: connect");
			continue;
		}
		for (int i = 0; i < n; i++)
			len += query(out + len, pattern, k * n + i, (uint16_t)(k * n + i));
		if (send_all(fds[k], out, len))
			perror("tcpclient: send");
	}
	for (int k = 0; k < n_conns; k++) {
		for (int i = 0; fds[k] >= 0 && i < n; i++) {
			ssize_t r = read_msg(fds[k], buf, sizeof(buf), deadline);
			uint16_t id;

			if (r < DNS_HDR_LEN)
				break;
			id = dns_get16(buf);
			if (id < k * n || id >= (k + 1) * n || seen[id]++)
				bad_ids++;
			answers++;
			tc += !!(buf[2] & DNS_TC);
			servfail += (buf[3] & DNS_RCODE) == DNS_RCODE_SERVFAIL;
		}
		if (fds[k] >= 0)
			close(fds[k]);
	}
	free(out);
	free(seen);
	printf("answers=%d of %d tc=%d servfail=%d ids=%s\n", answers, n * n_conns, tc, servfail,
	       bad_ids ? "bad" : "ok");
	return 0;
}

static int do_flood_reset(int n, const char *pattern)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t q[300];
	int fd = connect_one(), sent = 0;

	if (fd < 0) {
		perror("tcpclient: connect");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		size_t len = query(q, pattern, i, (uint16_t)i);

		/* never blocks for long: the daemon stops reading, we stop */
		if (send(fd, q, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len)
			break;
		sent++;
	}
	usleep(300000);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	printf("sent=%d\n", sent);
	return 0;
}

static int do_halfclose(const char *name)
{
	static uint8_t buf[70000];
	uint8_t q[300];
	int fd = connect_one();
	ssize_t r;

	if (fd < 0) {
		perror("tcpclient: connect");
		return 1;
	}
	if (send_all(fd, q, query(q, name, 0, 0x4242)) || shutdown(fd, SHUT_WR))
		perror("tcpclient: send");
	r = read_msg(fd, buf, sizeof(buf), now_ms() + (uint64_t)seconds * 1000);
	if (r >= DNS_HDR_LEN)
		printf("rcode=%d an=%u\n", buf[3] & DNS_RCODE, dns_get16(buf + 6));
	else
		printf("none\n");
	close(fd);
	return 0;
}

/* Has the server closed fd (EOF or reset, without blocking)? */
static int closed_by_peer(int fd)
{
	uint8_t b[512];
	ssize_t n;

	for (;;) {
		n = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (n > 0)
			continue; /* an answer: drain it */
		return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
	}
}

static int do_trickle(void)
{
	static int fds[CONNS_MAX];
	uint8_t q[300];
	size_t len = query(q, "trickle.example.test.", 0, 1);
	int closed = 0;

	for (int k = 0; k < n_conns; k++)
		fds[k] = connect_one();
	for (int s = 0; s < seconds; s++) {
		for (int k = 0; k < n_conns; k++)
			if (fds[k] >= 0)
				send(fds[k], q + (size_t)s % len, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		sleep(1);
	}
	for (int k = 0; k < n_conns; k++) {
		closed += fds[k] < 0 || closed_by_peer(fds[k]);
		if (fds[k] >= 0)
			close(fds[k]);
	}
	printf("closed=%d of %d\n", closed, n_conns);
	return 0;
}

static int do_idle(const char *name)
{
	static int fds[CONNS_MAX];
	static uint8_t buf[70000];
	uint8_t q[300];
	int answered = 0, closed = 0;

	for (int k = 0; k < n_conns; k++) {
		fds[k] = connect_one();
		if (fds[k] < 0 || send_all(fds[k], q, query(q, name, k, (uint16_t)k)))
			continue;
		answered += read_msg(fds[k], buf, sizeof(buf), now_ms() + 5000) >= DNS_HDR_LEN;
	}
	fflush(stdout);
	sleep((unsigned)seconds);
	for (int k = 0; k < n_conns; k++) {
		closed += fds[k] < 0 || closed_by_peer(fds[k]);
		if (fds[k] >= 0)
			close(fds[k]);
	}
	printf("answered=%d closed=%d of %d\n", answered, closed, n_conns);
	return 0;
}

int main(int argc, char **argv)
{
	int i = 2;

	if (argc < 3 || config_parse_addr(argv[1], 53, &server))
		goto usage;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		if (!strncmp(argv[i], "--from=", 7) && !config_parse_addr(argv[i] + 7, 0, &from))
			continue;
		else if (!strncmp(argv[i], "--conns=", 8))
			n_conns = atoi(argv[i] + 8);
		else if (!strncmp(argv[i], "--seconds=", 10))
			seconds = atoi(argv[i] + 10);
		else
			goto usage;
	}
	if (n_conns < 1 || n_conns > CONNS_MAX || i >= argc)
		goto usage;
	if (!strcmp(argv[i], "pipeline") && i + 2 < argc)
		return do_pipeline(atoi(argv[i + 1]), argv[i + 2]);
	if (!strcmp(argv[i], "flood-reset") && i + 2 < argc)
		return do_flood_reset(atoi(argv[i + 1]), argv[i + 2]);
	if (!strcmp(argv[i], "halfclose") && i + 1 < argc)
		return do_halfclose(argv[i + 1]);
	if (!strcmp(argv[i], "trickle"))
		return do_trickle();
	if (!strcmp(argv[i], "idle") && i + 1 < argc)
		return do_idle(argv[i + 1]);
usage:
	fprintf(stderr, "usage: tcpclient IP#PORT [--from=IP] [--conns=K] [--seconds=S] "
			"pipeline N NAME | flood-reset N NAME | halfclose NAME | trickle | idle NAME\n");
	return EXIT_FAILURE;
}
