// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* querylog.c - log-queries in dnsmasq's lines; see querylog.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "dns.h"
#include "log.h"
#include "querylog.h"

#define CNAME_HOPS_MAX 10 /* as dnsmasq: a longer chain is not followed, nor judged */
#define DNS_NAME_TEXT_MAX (DNS_NAME_MAX * 4 + 1) /* every byte escaped as \DDD */

/* The serial of the last query tagged: one counter for the daemon's queries
 * and the fast path's hits, as dnsmasq numbers every query it sees. */
static uint32_t last_serial;

struct qlog_tag qlog_tag(int mode, const struct sockaddr_storage *client)
{
	struct qlog_tag t = { .mode = mode, .client = client };

	if (mode != QUERYLOG_OFF && !(t.serial = ++last_serial))
		t.serial = ++last_serial; /* 0 is never a serial */
	return t;
}

/* The client's address (no port, no zone) into ip; its port. */
static uint16_t client_text(const struct sockaddr_storage *ss, char *ip, size_t n)
{
	snprintf(ip, n, "?");
	if (!ss)
		return 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, n);
		return ntohs(s->sin_port);
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ss;

		inet_ntop(AF_INET6, &s->sin6_addr, ip, n);
		return ntohs(s->sin6_port);
	}
	return 0;
}

__attribute__((format(printf, 2, 3))) static void qlog_line(const struct qlog_tag *t, const char *fmt, ...)
{
	char line[2048], ip[INET6_ADDRSTRLEN];
	uint16_t port;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (t->mode != QUERYLOG_EXTRA) {
		pr_info("%s", line);
		return;
	}
	port = client_text(t->client, ip, sizeof(ip));
	pr_info("%u %s/%u %s", t->serial, ip, port, line);
}

/* A name as dnsmasq shows it: no trailing dot, the root as ".". */
static void name_text(const uint8_t *name, size_t len, char *buf, size_t n)
{
	size_t l;

	dns_name_to_text(name, len, buf, n);
	l = strlen(buf);
	if (l > 1 && buf[l - 1] == '.')
		buf[l - 1] = '\0';
}

/* "A", "HTTPS", ... or dnsmasq's "type=N" for a type without a name. */
static const char *type_text(uint16_t type, char *buf, size_t n)
{
	const char *s = dns_type_name(type, buf, n);

	if (s == buf)
		snprintf(buf, n, "type=%u", type);
	return s;
}

void qlog_query(const struct qlog_tag *t, const uint8_t *name, size_t len, uint16_t qtype)
{
	char text[DNS_NAME_TEXT_MAX], tbuf[16], ip[INET6_ADDRSTRLEN];

	if (t->mode == QUERYLOG_OFF)
		return;
	name_text(name, len, text, sizeof(text));
	client_text(t->client, ip, sizeof(ip));
	qlog_line(t, "query[%s] %s from %s", type_text(qtype, tbuf, sizeof(tbuf)), text, ip);
}

void qlog_forwarded(const struct qlog_tag *t, const uint8_t *name, size_t len, const char *server)
{
	char text[DNS_NAME_TEXT_MAX];
	size_t sl = strlen(server);

	if (t->mode == QUERYLOG_OFF)
		return;
	name_text(name, len, text, sizeof(text));
	if (sl > 3 && !strcmp(server + sl - 3, "#53"))
		sl -= 3;
	qlog_line(t, "forwarded %s to %.*s", text, (int)sl, server);
}

void qlog_error(const struct qlog_tag *t, const char *source, uint8_t rcode)
{
	/* dnsmasq's words: two names, "not implemented", else the number */
	if (t->mode == QUERYLOG_OFF)
		return;
	if (rcode == DNS_RCODE_SERVFAIL || rcode == DNS_RCODE_REFUSED)
		qlog_line(t, "%s error is %s", source, dns_rcode_name(rcode));
	else if (rcode == DNS_RCODE_NOTIMP)
		qlog_line(t, "%s error is not implemented", source);
	else
		qlog_line(t, "%s error is %u", source, rcode);
}

/* One TXT string (len bytes at p) as text, anything unprintable escaped (a
 * log line stays one line); cut whole when it does not fit. */
static void txt_text(const uint8_t *p, size_t len, char *buf, size_t n)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		int w = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' ? snprintf(buf + o, n - o, "%c", p[i])
								   : snprintf(buf + o, n - o, "\\%03u", p[i]);

		if (w < 0 || (size_t)w >= n - o) {
			buf[o] = '\0'; /* no half escape */
			return;
		}
		o += (size_t)w;
	}
}

/* A TXT record: a line per string, as dnsmasq's. */
static void log_txt(const struct qlog_tag *t, const char *source, const char *owner, const uint8_t *p,
		    size_t len)
{
	char text[DNS_NAME_TEXT_MAX];

	for (size_t i = 0; i < len; i += 1u + p[i]) {
		txt_text(p + i + 1, p[i] < len - i - 1 ? p[i] : len - i - 1, text, sizeof(text));
		qlog_line(t, "%s %s is %s", source, owner, text);
	}
}

/* What a record says, as dnsmasq shows it: addresses, names, "<TYPE>"
 * for the rest and for every record of an ANY answer. */
static void dnsmasq_value(const uint8_t *msg, size_t len, const struct dns_rr *rr, uint16_t qtype, char *buf,
			  size_t n)
{
	uint8_t target[DNS_NAME_MAX + 1];
	size_t off = rr->rdata, tlen;
	char tbuf[16];

	if (qtype != DNS_TYPE_ANY && rr->type == DNS_TYPE_A && rr->rdlen == 4)
		inet_ntop(AF_INET, msg + rr->rdata, buf, n);
	else if (qtype != DNS_TYPE_ANY && rr->type == DNS_TYPE_AAAA && rr->rdlen == 16)
		inet_ntop(AF_INET6, msg + rr->rdata, buf, n);
	else if (qtype != DNS_TYPE_ANY && rr->type == DNS_TYPE_PTR && !dns_name_read(msg, len, &off, target, &tlen))
		name_text(target, tlen, buf, n);
	else
		snprintf(buf, n, "<%s>", type_text(rr->type, tbuf, sizeof(tbuf)));
}

/* A record's owner as dnsmasq shows it: a reverse name as its address. */
static void owner_text(const uint8_t *name, size_t len, char *buf, size_t n)
{
	uint8_t addr[16];
	int family = 0, bits = dns_reverse_addr(name, len, &family, addr);

	if ((family == AF_INET && bits == 32) || (family == AF_INET6 && bits == 128))
		inet_ntop(family, addr, buf, n);
	else
		name_text(name, len, buf, n);
}

/* Log the answer records of name (qtype, or a CNAME to follow: its target
 * into name). How many lines were logged. */
static int log_owner(const struct qlog_tag *t, const char *source, const uint8_t *msg, size_t len, size_t off,
		     uint16_t ancount, uint16_t qtype, uint8_t *name, size_t *name_len)
{
	uint8_t owner[DNS_NAME_MAX + 1], target[DNS_NAME_MAX + 1];
	char otext[DNS_NAME_TEXT_MAX], value[DNS_NAME_TEXT_MAX];
	size_t olen, tlen = 0, o;
	struct dns_rr rr;
	int logged = 0;

	for (uint16_t i = 0; i < ancount && !dns_rr_read(msg, len, &off, &rr); i++) {
		o = rr.start;
		if (dns_name_read(msg, len, &o, owner, &olen) || !dns_name_equal(owner, olen, name, *name_len))
			continue;
		owner_text(owner, olen, otext, sizeof(otext));
		if (rr.type == DNS_TYPE_CNAME && qtype != DNS_TYPE_CNAME) {
			o = rr.rdata;
			if (!tlen && !dns_name_read(msg, len, &o, target, &tlen))
				qlog_line(t, "%s %s is <CNAME>", source, otext);
		} else if (rr.type == DNS_TYPE_TXT && qtype == DNS_TYPE_TXT) {
			log_txt(t, source, otext, msg + rr.rdata, rr.rdlen);
			logged++;
		} else if (rr.type == qtype || qtype == DNS_TYPE_ANY) {
			dnsmasq_value(msg, len, &rr, qtype, value, sizeof(value));
			qlog_line(t, "%s %s is %s", source, otext, value);
			logged++;
		}
	}
	if (tlen && !logged) {
		memcpy(name, target, tlen);
		*name_len = tlen;
		return -1; /* follow it */
	}
	return logged;
}

void qlog_answer(const struct qlog_tag *t, const char *source, const uint8_t *msg, size_t len)
{
	static const char *const nodata[] = { [DNS_TYPE_A] = "NODATA-IPv4", [DNS_TYPE_AAAA] = "NODATA-IPv6" };
	uint8_t name[DNS_NAME_MAX + 1];
	char text[DNS_NAME_TEXT_MAX];
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN, name_len;
	uint8_t rcode;
	int logged = -1;

	if (t->mode == QUERYLOG_OFF || dns_header_read(msg, len, &h) || h.qdcount != 1 ||
	    dns_question_read(msg, len, &off, &q))
		return;
	if (h.flags2 & DNS_TC)
		return; /* no records here: the client asks again over TCP, logged then */
	rcode = h.flags3 & DNS_RCODE;
	if (rcode != DNS_RCODE_NOERROR && rcode != DNS_RCODE_NXDOMAIN) {
		qlog_error(t, source, rcode);
		return;
	}
	memcpy(name, q.name, q.name_len);
	name_len = q.name_len;
	for (int hop = 0; hop < CNAME_HOPS_MAX && logged < 0; hop++)
		logged = log_owner(t, source, msg, len, off, h.ancount, q.qtype, name, &name_len);
	if (logged) /* records, or a chain too long to judge */
		return;
	owner_text(name, name_len, text, sizeof(text));
	qlog_line(t, "%s %s is %s", source, text,
		  rcode == DNS_RCODE_NXDOMAIN ? "NXDOMAIN"
		  : q.qtype < sizeof(nodata) / sizeof(nodata[0]) && nodata[q.qtype] ? nodata[q.qtype]
										: "NODATA");
}
