// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * testdns - the tests' own upstream: serves a made-up zone over UDP and TCP,
 * and misbehaves on request, so the daemon's fault handling can be tested.
 *
 *   testdns --listen=IP#PORT [--id=N] [--ttl=S] [--delay=MS] [--mode=MODE]
 *           [--no-tcp] [--log=FILE]
 *
 * Every name exists. A answers 192.0.2.N, AAAA 2001:db8::N, TXT "testdns N"
 * (N = --id, so a test sees which upstream answered). A first label "nx"
 * gives NXDOMAIN, "nodata" an empty NOERROR (both with an SOA whose TTL and
 * MINIMUM are --ttl), "big" 60 A records (over 512 bytes), "huge" 150 (over
 * 1232: TCP only), "cname" a CNAME to target.<rest> and its A.
 *
 * MODE: ok, drop (never answer), refused, servfail, garbage (right ID, then
 * junk), tc (UDP answers truncated; TCP answers fully unless --no-tcp),
 * wrong-id, wrong-question. Replies with our ID and question whose records
 * do not parse: bad-rdlength, lying-count, cut (mid-record), ptr-loop,
 * long-label (64 bytes), opt-in-answer, two-opts; badvers (an OPT with
 * extended RCODE BADVERS). UDP truncated, then TCP failing: tc-hang (never
 * answers), tc-reset, tc-zero (length 0), tc-lying (a length longer than
 * what is sent). SIGUSR1 toggles drop, to go dark mid-run. --fault=FILE:
 * the word in FILE (read again whenever it changes; none without it)
 * overrides the mode for each query: "servfail", "late" (UDP answers 2 s
 * late), "drop", "ok" (the chaos benchmark's faults beside its nft rules).
 * A first label "max" over TCP gets TXT records filling exactly 65535 bytes
 * (TC over UDP). --ad sets AD in answers to queries with AD or DO, as a
 * validating resolver does.
 * --log appends one line per query: "udp|tcp NAME TYPE BYTES flags=F
 * opts=O" (F: the query's rd, ad, cd, do; O: its EDNS option codes, or -).
 * A query with an OPT gets one back, with a server COOKIE option.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "config.h"
#include "dns.h"
#include "pkt.h"
#include "upstream.h"

enum mode {
	M_OK, M_DROP, M_REFUSED, M_SERVFAIL, M_GARBAGE, M_TC, M_WRONG_ID, M_WRONG_QUESTION,
	/* malformed replies */
	M_BAD_RDLENGTH, M_LYING_COUNT, M_CUT, M_PTR_LOOP, M_LONG_LABEL, M_OPT_IN_ANSWER, M_TWO_OPTS, M_BADVERS,
	/* UDP truncated, then TCP failing */
	M_TC_HANG, M_TC_RESET, M_TC_ZERO, M_TC_LYING,
};
static const char *const mode_names[] = { "ok", "drop", "refused", "servfail", "garbage", "tc", "wrong-id",
					  "wrong-question", "bad-rdlength", "lying-count", "cut", "ptr-loop",
					  "long-label", "opt-in-answer", "two-opts", "badvers", "tc-hang",
					  "tc-reset", "tc-zero", "tc-lying" };

static struct {
	struct sockaddr_storage listen;
	int id;
	uint32_t ttl;
	int delay_ms;
	enum mode mode;
	int no_tcp;
	int ad;
	FILE *log;
	const char *fault_file;
} opt = { .id = 1, .ttl = 300 };

enum fault { F_NONE, F_SERVFAIL, F_LATE, F_DROP };
#define LATE_MS 2000
static enum fault fault; /* the query being answered's */

static volatile sig_atomic_t dark, stop;

/* A UDP answer waiting for its delay. */
struct pending {
	uint64_t at_ms;
	struct sockaddr_storage to;
	socklen_t to_len;
	struct msg m;
};

#define PENDING_MAX 256
static struct pending pending[PENDING_MAX];
static int n_pending;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The fault FILE says now (read again when its mtime changes). */
static enum fault fault_now(void)
{
	static struct timespec seen;
	static enum fault f;
	struct stat st;
	char word[16] = "";
	FILE *in;

	if (!opt.fault_file || stat(opt.fault_file, &st))
		return F_NONE;
	if (st.st_mtim.tv_sec == seen.tv_sec && st.st_mtim.tv_nsec == seen.tv_nsec)
		return f;
	seen = st.st_mtim;
	in = fopen(opt.fault_file, "r");
	if (in && fscanf(in, "%15s", word) != 1)
		word[0] = '\0';
	if (in)
		fclose(in);
	f = !strcmp(word, "servfail") ? F_SERVFAIL : !strcmp(word, "late") ? F_LATE : !strcmp(word, "drop") ? F_DROP
											     : F_NONE;
	return f;
}

static void on_usr1(int sig)
{
	(void)sig;
	dark = !dark;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void add_a(struct msg *m, const char *owner, uint8_t last)
{
	uint8_t ip[4] = { 192, 0, 2, last };
	struct trr rr = { .owner = owner, .type = DNS_TYPE_A, .ttl = opt.ttl, .pre = ip, .pre_len = 4 };

	msg_rr(m, &rr, 0);
}

static void add_soa(struct msg *m)
{
	uint8_t tail[20] = { 0 };
	struct trr rr = { .owner = "test.", .type = DNS_TYPE_SOA, .ttl = opt.ttl, .names = { "ns.test.", "host.test." },
			  .post = tail, .post_len = sizeof(tail) };

	dns_put32(tail, 1);	       /* serial */
	dns_put32(tail + 16, opt.ttl); /* minimum */
	msg_rr(m, &rr, 0);
}

/* The zone's answer to a question; qname is text with the client's case. */
static void answer(struct msg *m, const char *qname, uint16_t qtype, int tcp)
{
	char first[64];
	int an = 0, ns = 0;

	sscanf(qname, "%63[^.]", first);
	for (char *p = first; *p; p++)
		*p = (char)(*p | 0x20);
	if (!strcmp(first, "nx") || !strcmp(first, "nodata")) {
		if (first[0] == 'n' && first[1] == 'x')
			m->buf[3] |= DNS_RCODE_NXDOMAIN;
		add_soa(m);
		ns = 1;
	} else if (!tcp && (opt.mode == M_TC || opt.mode >= M_TC_HANG || !strcmp(first, "max"))) {
		m->buf[2] |= DNS_TC;
	} else if (!strcmp(first, "cname")) {
		char target[300];
		struct trr rr = { .owner = "@q", .type = DNS_TYPE_CNAME, .ttl = opt.ttl, .names = { target } };

		snprintf(target, sizeof(target), "target.%s", qname + strlen(first) + 1);
		msg_rr(m, &rr, 0);
		if (qtype == DNS_TYPE_A)
			add_a(m, "@t0", (uint8_t)opt.id);
		an = 1 + (qtype == DNS_TYPE_A);
	} else if (qtype == DNS_TYPE_A) {
		int n = !strcmp(first, "big") ? 60 : !strcmp(first, "huge") ? 150 : 1;

		for (int i = 0; i < n; i++)
			add_a(m, "@q", (uint8_t)(n == 1 ? opt.id : i + 1));
		an = n;
	} else if (qtype == DNS_TYPE_AAAA) {
		uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		struct trr rr = { .owner = "@q", .type = DNS_TYPE_AAAA, .ttl = opt.ttl, .pre = ip6, .pre_len = 16 };

		ip6[15] = (uint8_t)opt.id;
		msg_rr(m, &rr, 0);
		an = 1;
	} else if (qtype == DNS_TYPE_TXT) {
		uint8_t txt[64];
		struct trr rr = { .owner = "@q", .type = DNS_TYPE_TXT, .ttl = opt.ttl, .pre = txt };

		txt[0] = (uint8_t)snprintf((char *)txt + 1, sizeof(txt) - 1, "testdns %d", opt.id);
		rr.pre_len = 1u + txt[0];
		msg_rr(m, &rr, 0);
		an = 1;
	} else {
		add_soa(m);
		ns = 1;
	}
	msg_counts(m, 1, (uint16_t)an, (uint16_t)ns, 0);
}

/* As a real server does: an OPT in the reply when the query had one, ours
 * (UDP 4096) with a COOKIE option (the client's cookie and a server cookie
 * of our own), so that a resolver has to replace it, never pass it on. */
static void add_opt(struct msg *m, const uint8_t *q, size_t len, size_t off)
{
	uint8_t cookie[4 + 16] = { 0, 10, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 's', 'e', 'r', 'v', 'e', 'r', 'c', 'k' };

	for (unsigned i = 0, n = dns_get16(q + 10); i < n; i++) {
		struct dns_rr rr;

		if (dns_rr_read(q, len, &off, &rr))
			return;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		msg_opt(m, 4096, 0, q[rr.ttl_off + 2] & 0x80, cookie, sizeof(cookie));
		dns_put16(m->buf + 10, (uint16_t)(dns_get16(m->buf + 10) + 1));
		return;
	}
}

/* The query's flags and EDNS option codes, for the log; 1 when it has DO. */
static int query_flags(const uint8_t *q, size_t len, size_t off, char *flags, size_t fn, char *opts, size_t on)
{
	int dnssec_ok = 0;
	size_t o = 0;

	snprintf(flags, fn, "%s%s%s", q[2] & DNS_RD ? "rd," : "", q[3] & DNS_AD ? "ad," : "",
		 q[3] & DNS_CD ? "cd," : "");
	snprintf(opts, on, "-");
	for (unsigned i = 0, n = dns_get16(q + 10); i < n; i++) {
		struct dns_rr rr;

		if (dns_rr_read(q, len, &off, &rr))
			break;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		dnssec_ok = !!(q[rr.ttl_off + 2] & 0x80);
		for (size_t p = rr.rdata; p + 4 <= rr.end; p += 4 + dns_get16(q + p + 2))
			o += (size_t)snprintf(opts + o, o < on ? on - o : 0, "%s%u", o ? "," : "", dns_get16(q + p));
	}
	if (dnssec_ok)
		strncat(flags, "do,", fn - strlen(flags) - 1);
	if (*flags)
		flags[strlen(flags) - 1] = '\0';
	else
		snprintf(flags, fn, "-");
	return dnssec_ok;
}

/* Raw records appended as they are (for the malformed modes). */
static void add_raw(struct msg *m, const char *hex)
{
	for (; hex[0] && hex[1]; hex += 2) {
		unsigned b;

		sscanf(hex, "%2x", &b);
		m->buf[m->len++] = (uint8_t)b;
	}
}

/* Break a good reply the way the mode says (before its OPT is added). */
static void malform(struct msg *m, size_t qend)
{
	size_t rr = m->nrr ? m->owner_at[0] : qend;
	uint16_t an = dns_get16(m->buf + 6), ar = dns_get16(m->buf + 10);

	switch (opt.mode) {
	case M_BAD_RDLENGTH:
		dns_put16(m->buf + rr + 10, 200); /* past the end */
		break;
	case M_LYING_COUNT:
		dns_put16(m->buf + 6, (uint16_t)(an + 2));
		break;
	case M_PTR_LOOP: /* the first record's owner points at itself */
		m->buf[rr] = (uint8_t)(0xc0 | rr >> 8);
		m->buf[rr + 1] = (uint8_t)rr;
		break;
	case M_LONG_LABEL:
		m->len = qend;
		m->buf[m->len++] = 64; /* one over RFC 1035's 63 */
		memset(m->buf + m->len, 'a', 64);
		m->len += 64;
		m->buf[m->len++] = 0;
		add_raw(m, "0001000100000e100004c0000201");
		dns_put16(m->buf + 6, 1);
		dns_put16(m->buf + 8, 0);
		break;
	case M_OPT_IN_ANSWER:
		add_raw(m, "0000291000000000000000");
		dns_put16(m->buf + 6, (uint16_t)(an + 1));
		break;
	case M_TWO_OPTS:
		add_raw(m, "00002910000000000000000000291000000000000000");
		dns_put16(m->buf + 10, (uint16_t)(ar + 2));
		break;
	case M_BADVERS: /* RFC 6891: RCODE 16 is 0 here and 1 in the OPT */
		m->len = qend;
		dns_put16(m->buf + 6, 0);
		dns_put16(m->buf + 8, 0);
		add_raw(m, "0000291000010000000000");
		dns_put16(m->buf + 10, 1);
		break;
	default:
		break;
	}
}

/* Build the reply to query q (len bytes) into m; 0 when none is to be sent. */
static int reply(const uint8_t *q, size_t len, struct msg *m, int tcp)
{
	struct dns_question dq;
	struct dns_header h;
	size_t off = DNS_HDR_LEN;
	char name[1100], flags[16], opts[64];
	int dnssec_ok;

	if (dns_header_read(q, len, &h) || (h.flags2 & DNS_QR) || h.qdcount != 1 ||
	    dns_question_read(q, len, &off, &dq))
		return 0;
	dns_name_to_text(dq.name, dq.name_len, name, sizeof(name));
	dnssec_ok = query_flags(q, len, off, flags, sizeof(flags), opts, sizeof(opts));
	if (opt.log) {
		fprintf(opt.log, "%s %s %u %zu flags=%s opts=%s\n", tcp ? "tcp" : "udp", name, dq.qtype, len, flags,
			opts);
		fflush(opt.log);
	}
	fault = fault_now();
	if (opt.mode == M_DROP || dark || fault == F_DROP)
		return 0;
	msg_init(m, opt.mode == M_WRONG_ID ? h.id ^ 0x5a5a : h.id, DNS_QR | DNS_AA | (h.flags2 & DNS_RD), 0);
	if (opt.mode == M_GARBAGE) {
		uint8_t junk[40];

		for (size_t i = 0; i < sizeof(junk); i++)
			junk[i] = (uint8_t)rand();
		msg_counts(m, 1, 1, 0, 0);
		msg_bytes(m, junk, sizeof(junk));
		return 1;
	}
	msg_question(m, opt.mode == M_WRONG_QUESTION ? "wrong.question.test." : name, dq.qtype, dq.qclass);
	if (opt.mode == M_REFUSED || opt.mode == M_SERVFAIL || fault == F_SERVFAIL || dq.qclass != DNS_CLASS_IN) {
		m->buf[3] |= opt.mode == M_SERVFAIL || fault == F_SERVFAIL ? DNS_RCODE_SERVFAIL : DNS_RCODE_REFUSED;
		msg_counts(m, 1, 0, 0, 0);
	} else {
		answer(m, name, dq.qtype, tcp);
		if (opt.ad && ((q[3] & DNS_AD) || dnssec_ok))
			m->buf[3] |= DNS_AD;
	}
	if (opt.mode >= M_BAD_RDLENGTH && opt.mode <= M_BADVERS && !(m->buf[2] & DNS_TC))
		malform(m, off);
	if (opt.mode != M_BADVERS && opt.mode != M_TWO_OPTS)
		add_opt(m, q, len, off);
	if (opt.mode == M_CUT && m->nrr)
		m->len = m->owner_at[m->nrr - 1] + 6; /* in the middle of the last record */
	return 1;
}

static void on_udp(int fd)
{
	struct pending *p = &pending[n_pending];
	uint8_t q[4096];
	ssize_t n;

	if (n_pending == PENDING_MAX) {
		/* overloaded: drop it, as a busy server does, rather than
		 * leave it queued in the socket for after the fault */
		recv(fd, q, sizeof(q), 0);
		return;
	}
	p->to_len = sizeof(p->to);
	n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&p->to, &p->to_len);
	if (n <= 0 || !reply(q, (size_t)n, &p->m, 0))
		return;
	p->at_ms = now_ms() + (uint64_t)opt.delay_ms + (fault == F_LATE ? LATE_MS : 0);
	n_pending++;
}

static void send_due(int fd)
{
	uint64_t now = now_ms();

	for (int i = 0; i < n_pending;) {
		struct pending *p = &pending[i];

		if (p->at_ms > now) {
			i++;
			continue;
		}
		sendto(fd, p->m.buf, p->m.len, 0, (struct sockaddr *)&p->to, p->to_len);
		*p = pending[--n_pending];
	}
}

/* TXT records filling a reply to q (len bytes) to exactly 65535 bytes, into
 * out (2 + 65535 bytes, length first). */
static void reply_max(const uint8_t *q, size_t len, uint8_t *out)
{
	size_t off = DNS_HDR_LEN, n, left;
	struct dns_question dq;
	uint16_t an = 0;

	if (dns_question_read(q, len, &off, &dq))
		return;
	memcpy(out + 2, q, off);
	out[4] = DNS_QR | DNS_AA | (q[2] & DNS_RD);
	out[5] = 0;
	memset(out + 2 + 6, 0, 6);
	n = off;
	while ((left = 65535 - n) >= 13) {
		/* a record: pointer, type, class, TTL, RDLENGTH, one string */
		size_t str = left - 13 > 255 ? 255 : left - 13;

		if (left - 13 > 255 && left - 13 - 255 < 13)
			str = left - 13 - 13; /* leave room for a last record */
		dns_put16(out + 2 + n, 0xc000 | DNS_HDR_LEN);
		dns_put16(out + 2 + n + 2, DNS_TYPE_TXT);
		dns_put16(out + 2 + n + 4, DNS_CLASS_IN);
		dns_put32(out + 2 + n + 6, opt.ttl);
		dns_put16(out + 2 + n + 10, (uint16_t)(str + 1));
		out[2 + n + 12] = (uint8_t)str;
		memset(out + 2 + n + 13, 'x', str);
		n += 13 + str;
		an++;
	}
	dns_put16(out + 2 + 6, an);
	dns_put16(out, (uint16_t)n);
}

/* TCP after a truncated UDP reply, failing as the mode says. 1 when it did. */
static int tcp_fail(int fd, const struct msg *m)
{
	static int n_hung;
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint8_t l[2];

	switch (opt.mode) {
	case M_TC_HANG: /* keep it open (until we exit), never answer */
		if (++n_hung > 64)
			close(fd);
		return 1;
	case M_TC_RESET:
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		break;
	case M_TC_ZERO:
		send(fd, "\0\0", 2, 0);
		break;
	case M_TC_LYING:
		dns_put16(l, (uint16_t)(m->len + 100));
		send(fd, l, 2, MSG_MORE);
		send(fd, m->buf, m->len, 0);
		break;
	default:
		return 0;
	}
	close(fd);
	return 1;
}

/* One TCP connection, served to its end (tests send one or two queries). */
static void on_tcp(int lfd)
{
	struct timeval tv = { .tv_sec = 1 };
	static uint8_t q[65535 + 2], big[65535 + 2];
	struct msg m;
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (;;) {
		size_t len, got = 0;
		ssize_t n;

		while (got < 2 && (n = recv(fd, q + got, 2 - got, 0)) > 0)
			got += (size_t)n;
		if (got < 2)
			break;
		len = dns_get16(q);
		for (got = 0; got < len && (n = recv(fd, q + 2 + got, len - got, 0)) > 0;)
			got += (size_t)n;
		if (got < len)
			break;
		if (opt.delay_ms)
			usleep((useconds_t)opt.delay_ms * 1000);
		if (!reply(q + 2, len, &m, 1))
			m.len = 0;
		else if (tcp_fail(fd, &m))
			return;
		if (len > DNS_HDR_LEN + 4 && !strncasecmp((char *)q + 2 + DNS_HDR_LEN, "\3max", 4)) {
			reply_max(q + 2, len, big);
			if (send(fd, big, 2 + dns_get16(big), 0) < 0)
				break;
			continue;
		}
		if (m.len) {
			uint8_t l[2];

			dns_put16(l, (uint16_t)m.len);
			if (send(fd, l, 2, MSG_MORE) != 2 || send(fd, m.buf, m.len, 0) != (ssize_t)m.len)
				break;
		}
	}
	close(fd);
}

static int open_socket(int type)
{
	int one = 1, rcvbuf = 4 << 20, fd = socket(opt.listen.ss_family, type, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&opt.listen, addr_len(&opt.listen)) ||
	    (type == SOCK_STREAM && listen(fd, 16))) {
		perror("testdns: bind");
		close(fd);
		return -1;
	}
	return fd;
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *v = strchr(a, '=');

		if (v)
			*v++ = '\0';
		if (!strcmp(a, "--listen") && v && !config_parse_addr(v, 53, &opt.listen))
			continue;
		if (!strcmp(a, "--id") && v)
			opt.id = atoi(v);
		else if (!strcmp(a, "--ttl") && v)
			opt.ttl = (uint32_t)strtoul(v, NULL, 10);
		else if (!strcmp(a, "--delay") && v)
			opt.delay_ms = atoi(v);
		else if (!strcmp(a, "--no-tcp") && !v)
			opt.no_tcp = 1;
		else if (!strcmp(a, "--ad") && !v)
			opt.ad = 1;
		else if (!strcmp(a, "--log") && v && (opt.log = fopen(v, "a")))
			continue;
		else if (!strcmp(a, "--fault") && v)
			opt.fault_file = v;
		else if (!strcmp(a, "--mode") && v) {
			unsigned m;

			for (m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
				if (!strcmp(v, mode_names[m]))
					break;
			if (m == sizeof(mode_names) / sizeof(mode_names[0]))
				goto bad;
			opt.mode = (enum mode)m;
		} else {
			goto bad;
		}
	}
	if (opt.listen.ss_family)
		return 0;
bad:
	fprintf(stderr, "usage: testdns --listen=IP#PORT [--id=N] [--ttl=S] [--delay=MS] [--mode=%s|...]"
			" [--no-tcp] [--log=FILE] [--fault=FILE]\n",
		mode_names[0]);
	return -1;
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2] = { { .fd = -1, .events = POLLIN }, { .fd = -1, .events = POLLIN } };

	if (parse_args(argc, argv))
		return EXIT_FAILURE;
	signal(SIGUSR1, on_usr1);
	signal(SIGTERM, on_term);
	signal(SIGPIPE, SIG_IGN);
	pfd[0].fd = open_socket(SOCK_DGRAM);
	if (pfd[0].fd < 0 || (!opt.no_tcp && (pfd[1].fd = open_socket(SOCK_STREAM)) < 0))
		return EXIT_FAILURE;
	fprintf(stderr, "testdns %d ready (%s)\n", opt.id, mode_names[opt.mode]);
	while (!stop) {
		int timeout = n_pending ? 1 : 100;

		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			on_udp(pfd[0].fd);
		if (pfd[1].revents & POLLIN)
			on_tcp(pfd[1].fd);
		send_due(pfd[0].fd);
	}
	return EXIT_SUCCESS;
}
