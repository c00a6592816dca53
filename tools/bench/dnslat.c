// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * dnslat - DNS latency with one lookup in flight: the benchmark's own client.
 *
 *   dnslat -s IP[#PORT] -d FILE [-n COUNT] [-t TIMEOUT_MS] [-i GAP_US] [-o RAW] [-T TIMELINE]
 *   dnslat -G -d FILE ...
 *
 * FILE has dnsperf's format ("name type" lines), read in a loop. Each query
 * (random ID, RD, no EDNS, as dnsperf sends) waits for its answer or the
 * timeout before the next goes. Prints one line:
 *   n=N ok=N failed=N lost=N p50=US p90=US p99=US p999=US p9999=US max=US
 * ok: NOERROR or NXDOMAIN; failed: any other RCODE; lost: no answer in time.
 * -G: what an application sees instead: each lookup is glibc's
 * getaddrinfo(name, AF_UNSPEC), so its A and AAAA queries, to the servers of
 * /etc/resolv.conf with its options (the caller's mount namespace chooses
 * them; -s is not used). ok: addresses or "no such name"; lost: any other
 * error (a timeout and SERVFAIL are both EAI_AGAIN), or an answer later than
 * the timeout, which glibc does not end (its own, 5 s by default, does).
 * RAW gets every answered latency in µs, sorted, one per line (for CDFs).
 * TIMELINE gets a line per query, in order: the wall clock when it was
 * sent (ms since the epoch), its latency in µs (-1: lost) and its RCODE
 * (-1: none; with -G, 0 for addresses, 3 for no such name), for plots of
 * latency over time.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include "config.h"
#include "dns.h"
#include "upstream.h"

struct qname {
	char text[300]; /* as read_names reads it */
	uint8_t wire[DNS_NAME_MAX + 1];
	int len;
	uint16_t type;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint16_t parse_type(const char *t)
{
	static const struct {
		const char *name;
		uint16_t type;
	} types[] = { { "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
		      { "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 } };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcasecmp(t, types[i].name))
			return types[i].type;
	return (uint16_t)atoi(t);
}

static struct qname *read_names(const char *path, int *n)
{
	struct qname *names = NULL;
	char line[512], name[300], type[32];
	int cap = 0;
	FILE *f = fopen(path, "r");

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%299s %31s", name, type) < 1 || name[0] == '#')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			names = realloc(names, (size_t)cap * sizeof(*names));
			if (!names)
				abort();
		}
		snprintf(names[*n].text, sizeof(names[*n].text), "%s", name);
		names[*n].len = dns_name_from_text(name, names[*n].wire, sizeof(names[*n].wire));
		names[*n].type = sscanf(line, "%*s %31s", type) == 1 ? parse_type(type) : DNS_TYPE_A;
		if (names[*n].len > 0)
			(*n)++;
	}
	fclose(f);
	return names;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return n ? v[i] : 0;
}

/* One lookup's outcome: its latency in µs and RCODE, -1 for none (lost). */
struct outcome {
	double us;
	int rcode;
};

static struct outcome ask_udp(int fd, const struct qname *q, int timeout_ms)
{
	struct outcome o = { .us = -1, .rcode = -1 };
	uint8_t msg[512], reply[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint16_t id;
	uint64_t t0, deadline;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		abort();
	memset(msg, 0, DNS_HDR_LEN);
	dns_put16(msg, id);
	msg[2] = DNS_RD;
	dns_put16(msg + 4, 1);
	memcpy(msg + DNS_HDR_LEN, q->wire, (size_t)q->len);
	dns_put16(msg + DNS_HDR_LEN + q->len, q->type);
	dns_put16(msg + DNS_HDR_LEN + q->len + 2, DNS_CLASS_IN);
	t0 = now_ns();
	deadline = t0 + (uint64_t)timeout_ms * 1000000ULL;
	if (send(fd, msg, DNS_HDR_LEN + (size_t)q->len + 4, 0) < 0)
		return o;
	for (;;) {
		uint64_t now = now_ns();
		ssize_t n;

		if (now >= deadline || poll(&pfd, 1, (int)((deadline - now) / 1000000) + 1) <= 0)
			return o;
		n = recv(fd, reply, sizeof(reply), 0);
		if (n < DNS_HDR_LEN || dns_get16(reply) != id)
			continue; /* late answer to an earlier query, or an ICMP error */
		o.us = (double)(now_ns() - t0) / 1000.0;
		o.rcode = reply[3] & DNS_RCODE;
		return o;
	}
}

/* As an application asks: both families, a stream socket's addresses. */
static struct outcome ask_glibc(const struct qname *q, int timeout_ms)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res = NULL;
	struct outcome o = { .us = -1, .rcode = -1 };
	uint64_t t0 = now_ns();
	int err = getaddrinfo(q->text, NULL, &hints, &res);
	double us = (double)(now_ns() - t0) / 1000.0;

	if (res)
		freeaddrinfo(res);
	if (us > timeout_ms * 1000.0 || (err && err != EAI_NONAME))
		return o;
	o.us = us;
	o.rcode = err ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
	return o;
}

static void print_summary(int count, int ok, int failed, int lost, double *lat, int n_lat)
{
	qsort(lat, (size_t)n_lat, sizeof(*lat), cmp_double);
	printf("n=%d ok=%d failed=%d lost=%d p50=%.1f p90=%.1f p99=%.1f p999=%.1f p9999=%.1f max=%.1f\n", count,
	       ok, failed, lost, pct(lat, n_lat, 0.50), pct(lat, n_lat, 0.90), pct(lat, n_lat, 0.99),
	       pct(lat, n_lat, 0.999), pct(lat, n_lat, 0.9999), n_lat ? lat[n_lat - 1] : 0);
}

static void write_raw(const char *path, const double *lat, int n_lat)
{
	FILE *f = fopen(path, "w");

	for (int i = 0; f && i < n_lat; i++)
		fprintf(f, "%.1f\n", lat[i]);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	const char *server = NULL, *file = NULL, *raw = NULL, *timeline = NULL;
	FILE *tl = NULL;
	int count = 1000, timeout_ms = 2000, gap_us = 0, n_names, ok = 0, failed = 0, lost = 0, fd = -1, c;
	int glibc = 0, n_lat = 0;
	struct sockaddr_storage ss;
	struct qname *names;
	double *lat;

	while ((c = getopt(argc, argv, "s:d:n:t:i:o:T:G")) != -1) {
		switch (c) {
		case 's': server = optarg; break;
		case 'd': file = optarg; break;
		case 'n': count = atoi(optarg); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'i': gap_us = atoi(optarg); break;
		case 'o': raw = optarg; break;
		case 'T': timeline = optarg; break;
		case 'G': glibc = 1; break;
		default: goto usage;
		}
	}
	if (!file || (!glibc && (!server || config_parse_addr(server, 53, &ss))))
		goto usage;
	names = read_names(file, &n_names);
	if (!names || !n_names) {
		fprintf(stderr, "dnslat: no names in %s\n", file);
		return EXIT_FAILURE;
	}
	lat = calloc((size_t)count, sizeof(*lat));
	if (timeline && !(tl = fopen(timeline, "w"))) {
		perror(timeline);
		return EXIT_FAILURE;
	}
	if (!glibc)
		fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (!lat || (!glibc && (fd < 0 || connect(fd, (struct sockaddr *)&ss, addr_len(&ss))))) {
		perror("dnslat");
		return EXIT_FAILURE;
	}
	for (int i = 0; i < count; i++) {
		const struct qname *q = &names[i % n_names];
		uint64_t t0 = now_ns();
		struct outcome o = glibc ? ask_glibc(q, timeout_ms) : ask_udp(fd, q, timeout_ms);

		if (o.rcode < 0)
			lost++;
		else if (o.rcode == DNS_RCODE_NOERROR || o.rcode == DNS_RCODE_NXDOMAIN)
			ok++;
		else
			failed++;
		if (o.rcode >= 0)
			lat[n_lat++] = o.us;
		if (tl)
			fprintf(tl, "%llu %.1f %d\n", (unsigned long long)(wall_ms() - (now_ns() - t0) / 1000000),
				o.us, o.rcode);
		if (gap_us)
			usleep((useconds_t)gap_us);
	}
	if (tl)
		fclose(tl);
	print_summary(count, ok, failed, lost, lat, n_lat);
	if (raw)
		write_raw(raw, lat, n_lat);
	return EXIT_SUCCESS;
usage:
	fprintf(stderr, "usage: dnslat -s IP[#PORT] -d FILE [-n COUNT] [-t TIMEOUT_MS] [-i GAP_US] [-o RAW] "
			"[-T TIMELINE]\n       dnslat -G -d FILE [...]: through glibc's getaddrinfo\n");
	return EXIT_FAILURE;
}
