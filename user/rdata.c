// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* rdata.c - see rdata.h. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "rdata.h"

/* Text appended to a buffer, never past its end. */
struct text {
	char *p;
	size_t n, at;
};

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (t->at >= t->n)
		return;
	va_start(ap, fmt);
	w = vsnprintf(t->p + t->at, t->n - t->at, fmt, ap);
	va_end(ap);
	t->at = w < 0 ? t->n : t->at + (size_t)w;
}

/* A name at *off (compression followed), as text; -1 when it does not parse
 * or runs past end. */
static int add_name(struct text *t, const uint8_t *msg, size_t len, size_t *off, size_t end)
{
	uint8_t name[DNS_NAME_MAX + 1];
	char text[DNS_NAME_MAX * 4 + 1];
	size_t nlen;

	if (dns_name_read(msg, len, off, name, &nlen) || *off > end)
		return -1;
	dns_name_to_text(name, nlen, text, sizeof(text));
	add(t, "%s", text);
	return 0;
}

/* A character-string, quoted as dig does: " and \\ escaped, other bytes
 * outside printable ASCII as \\DDD. */
static void add_quoted(struct text *t, const uint8_t *s, size_t n)
{
	add(t, "\"");
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			add(t, "\\%c", s[i]);
		else if (s[i] < 0x20 || s[i] > 0x7e)
			add(t, "\\%03u", s[i]);
		else
			add(t, "%c", s[i]);
	}
	add(t, "\"");
}

/* TXT and SPF: the character-strings, space-separated. */
static int add_strings(struct text *t, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 1u + p[i]) {
		if (i + 1u + p[i] > n)
			return -1;
		if (i)
			add(t, " ");
		add_quoted(t, p + i + 1, p[i]);
	}
	return 0;
}

/* The types with names or fields in their RDATA; -1 when it does not parse. */
static int add_fields(struct text *t, const uint8_t *msg, size_t len, const struct dns_rr *rr)
{
	const uint8_t *p = msg + rr->rdata;
	size_t off = rr->rdata, end = rr->rdata + rr->rdlen;

	switch (rr->type) {
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		return add_name(t, msg, len, &off, end);
	case DNS_TYPE_MX:
		if (rr->rdlen < 3)
			return -1;
		add(t, "%u ", dns_get16(p));
		off += 2;
		return add_name(t, msg, len, &off, end);
	case DNS_TYPE_SRV:
		if (rr->rdlen < 7)
			return -1;
		add(t, "%u %u %u ", dns_get16(p), dns_get16(p + 2), dns_get16(p + 4));
		off += 6;
		return add_name(t, msg, len, &off, end);
	case DNS_TYPE_SOA:
		if (add_name(t, msg, len, &off, end) || (add(t, " "), add_name(t, msg, len, &off, end)) ||
		    off + 20 != end)
			return -1;
		add(t, " %u %u %u %u %u", dns_get32(msg + off), dns_get32(msg + off + 4), dns_get32(msg + off + 8),
		    dns_get32(msg + off + 12), dns_get32(msg + off + 16));
		return 0;
	case DNS_TYPE_TXT:
	case DNS_TYPE_SPF:
		return add_strings(t, p, rr->rdlen);
	case DNS_TYPE_CAA: /* flags, tag length, tag, value (RFC 8659) */
		if (rr->rdlen < 2 || 2u + p[1] > rr->rdlen)
			return -1;
		add(t, "%u %.*s ", p[0], (int)p[1], (const char *)p + 2);
		add_quoted(t, p + 2 + p[1], rr->rdlen - 2u - p[1]);
		return 0;
	default:
		return -1;
	}
}

void rdata_text(const uint8_t *msg, size_t len, const struct dns_rr *rr, char *out, size_t n)
{
	struct text t = { out, n, 0 };

	if (!n)
		return;
	out[0] = '\0';
	if (rr->rdata + rr->rdlen > len)
		return;
	if ((rr->type == DNS_TYPE_A && rr->rdlen == 4) || (rr->type == DNS_TYPE_AAAA && rr->rdlen == 16)) {
		inet_ntop(rr->type == DNS_TYPE_A ? AF_INET : AF_INET6, msg + rr->rdata, out, (socklen_t)n);
		return;
	}
	if (!add_fields(&t, msg, len, rr))
		return;
	t.at = 0; /* RFC 3597: \# length hex */
	out[0] = '\0';
	add(&t, "\\# %u", rr->rdlen);
	if (rr->rdlen)
		add(&t, " ");
	for (size_t i = 0; i < rr->rdlen; i++)
		add(&t, "%02x", msg[rr->rdata + i]);
}
