// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dns.c - DNS wire-format reading; see dns.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <strings.h>
#include "dns.h"

size_t dns_put_opt(uint8_t *p, uint16_t udp_size, uint8_t ext_rcode, int dnssec_ok)
{
	memset(p, 0, DNS_OPT_LEN);
	p[2] = DNS_TYPE_OPT;
	dns_put16(p + 3, udp_size);
	p[5 + EDNS_TTL_EXT_RCODE] = ext_rcode;
	p[5 + EDNS_TTL_FLAGS_HI] = dnssec_ok ? EDNS_F_DO : 0;
	return DNS_OPT_LEN;
}

int dns_header_read(const uint8_t *msg, size_t len, struct dns_header *h)
{
	if (len < DNS_HDR_LEN)
		return -EINVAL;
	h->id = dns_get16(msg);
	h->flags2 = msg[2];
	h->flags3 = msg[3];
	h->qdcount = dns_get16(msg + 4);
	h->ancount = dns_get16(msg + 6);
	h->nscount = dns_get16(msg + 8);
	h->arcount = dns_get16(msg + 10);
	return 0;
}

int dns_name_read(const uint8_t *msg, size_t len, size_t *off, uint8_t *out, size_t *out_len)
{
	size_t pos = *off, after = 0, n = 0;
	size_t limit = *off; /* pointers must go strictly below this */
	int jumped = 0;

	for (;;) {
		uint8_t l;

		if (pos >= len)
			return -EINVAL;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= len)
				return -EINVAL;
			target = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (target >= limit)
				return -EINVAL; /* forward or self pointer: could loop */
			if (target < DNS_HDR_LEN)
				return -EINVAL; /* into the header: no name there */
			if (!jumped)
				after = pos + 2;
			jumped = 1;
			limit = target;
			pos = target;
			continue;
		}
		if (l & 0xc0)
			return -EINVAL; /* extended label types: obsolete */
		if (n + 1 + l > DNS_NAME_MAX || pos + 1 + l > len)
			return -EINVAL;
		if (out)
			memcpy(out + n, msg + pos, 1 + l);
		n += 1 + l;
		pos += 1 + l;
		if (l == 0)
			break;
	}
	*off = jumped ? after : pos;
	if (out_len)
		*out_len = n;
	return 0;
}

void dns_name_lower(uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] |= 0x20;
}

int dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return 0;
	}
	return 1;
}

void dns_name_to_text(const uint8_t *name, size_t len, char *buf, size_t n)
{
	size_t i = 0, o = 0;

	if (!n)
		return;
	if (len == 1 || len == 0) {
		snprintf(buf, n, ".");
		return;
	}
	while (i < len && name[i]) {
		uint8_t l = name[i++];

		for (uint8_t j = 0; j < l && i < len; j++, i++) {
			uint8_t c = name[i];
			int w;

			if (c == '.' || c == '\\')
				w = snprintf(buf + o, n - o, "\\%c", c);
			else if (c > 0x20 && c < 0x7f)
				w = snprintf(buf + o, n - o, "%c", c);
			else
				w = snprintf(buf + o, n - o, "\\%03u", c);
			if (w < 0 || (size_t)w >= n - o)
				return;
			o += w;
		}
		if (o + 1 >= n)
			return;
		buf[o++] = '.';
		buf[o] = '\0';
	}
}

int dns_name_from_text(const char *text, uint8_t *out, size_t n)
{
	const char *p = text;
	size_t o = 0;

	if (!strcmp(text, ".")) {
		if (n < 1)
			return -EINVAL;
		out[0] = 0;
		return 1;
	}
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || o + l + 2 > n || o + l + 2 > DNS_NAME_MAX)
			return -EINVAL;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	if (o + 1 > n)
		return -EINVAL;
	out[o++] = 0;
	return (int)o;
}

int dns_question_read(const uint8_t *msg, size_t len, size_t *off, struct dns_question *q)
{
	size_t pos = *off;
	int err;

	q->start = pos;
	err = dns_name_read(msg, len, &pos, q->name, &q->name_len);
	if (err)
		return err;
	if (pos + 4 > len)
		return -EINVAL;
	q->qtype = dns_get16(msg + pos);
	q->qclass = dns_get16(msg + pos + 2);
	q->end = pos + 4;
	*off = q->end;
	return 0;
}

int dns_rr_read(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
	size_t pos = *off;
	int err;

	rr->start = pos;
	err = dns_name_read(msg, len, &pos, NULL, NULL);
	if (err)
		return err;
	if (pos + 10 > len)
		return -EINVAL;
	rr->type = dns_get16(msg + pos);
	rr->class = dns_get16(msg + pos + 2);
	rr->ttl_off = pos + 4;
	rr->ttl = dns_get32(msg + pos + 4);
	rr->rdlen = dns_get16(msg + pos + 8);
	rr->rdata = pos + 10;
	if (rr->rdata + rr->rdlen > len)
		return -EINVAL;
	rr->end = rr->rdata + rr->rdlen;
	*off = rr->end;
	return 0;
}

int dns_rdata_names(const uint8_t *msg, size_t len, const struct dns_rr *rr, size_t offs[2])
{
	size_t pos = rr->rdata, end = rr->end;
	int n = 0;

	switch (rr->type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12: /* NS..PTR */
		offs[n++] = pos;
		break;
	case 6:	 /* SOA: MNAME RNAME, then 20 bytes */
	case 14: /* MINFO */
	case 17: /* RP */
		offs[n++] = pos;
		if (dns_name_read(msg, end, &pos, NULL, NULL))
			return -EINVAL;
		offs[n++] = pos;
		break;
	case 15: /* MX */
	case 18: /* AFSDB */
	case 21: /* RT */
	case 36: /* KX */
		if (rr->rdlen < 3)
			return -EINVAL;
		offs[n++] = pos + 2;
		break;
	case 33: /* SRV: compression not allowed, yet some servers do it */
		if (rr->rdlen < 7)
			return -EINVAL;
		offs[n++] = pos + 6;
		break;
	default:
		return 0;
	}
	/* every name must end inside the RDATA */
	for (int i = 0; i < n; i++) {
		size_t p = offs[i];

		if (dns_name_read(msg, end, &p, NULL, NULL))
			return -EINVAL;
	}
	(void)len;
	return n;
}

/* RDATA of a fixed layout has that layout exactly. */
static int rdata_check(const uint8_t *msg, const struct dns_rr *rr)
{
	size_t names[2], pos;
	int n;

	if (rr->class == DNS_CLASS_IN && rr->type == DNS_TYPE_A)
		return rr->rdlen == 4 ? 0 : -EINVAL;
	if (rr->class == DNS_CLASS_IN && rr->type == DNS_TYPE_AAAA)
		return rr->rdlen == 16 ? 0 : -EINVAL;
	if (rr->type == DNS_TYPE_TXT || rr->type == DNS_TYPE_SPF) {
		/* one or more character-strings, filling the RDATA exactly */
		pos = rr->rdata;
		if (!rr->rdlen)
			return -EINVAL;
		while (pos < rr->end)
			pos += 1u + msg[pos];
		return pos == rr->end ? 0 : -EINVAL;
	}
	n = dns_rdata_names(msg, rr->end, rr, names);
	if (n <= 0)
		return n;
	pos = names[n - 1];
	if (dns_name_read(msg, rr->end, &pos, NULL, NULL))
		return -EINVAL;
	/* what follows the last name: SOA's five numbers, nothing for the
	 * others (MX-like types have their number before the name) */
	return rr->end - pos == (rr->type == DNS_TYPE_SOA ? 20u : 0u) ? 0 : -EINVAL;
}

int dns_message_check(const uint8_t *msg, size_t len, uint16_t *rcode)
{
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN, total;
	int opts = 0;

	if (dns_header_read(msg, len, &h) || h.qdcount != 1 || dns_question_read(msg, len, &off, &q))
		return -EINVAL;
	*rcode = h.flags3 & DNS_RCODE;
	total = (size_t)h.ancount + h.nscount + h.arcount;
	for (size_t i = 0; i < total; i++) {
		struct dns_rr rr;

		if (dns_rr_read(msg, len, &off, &rr))
			return -EINVAL;
		if (rr.type == DNS_TYPE_OPT) {
			/* RFC 6891 6.1.1: one, in the additional section, root owner */
			if (opts++ || i < (size_t)h.ancount + h.nscount || msg[rr.start] != 0)
				return -EINVAL;
			*rcode |= (uint16_t)(msg[rr.ttl_off] << 4);
			continue;
		}
		if (rdata_check(msg, &rr))
			return -EINVAL;
	}
	return 0;
}

static const struct {
	uint16_t type;
	const char *name;
} type_names[] = {
	/* the names dnsmasq's query log uses (its querystr), IANA's registry */
	{ 1, "A" },	   { 2, "NS" },	      { 5, "CNAME" },	   { 6, "SOA" },       { 7, "MB" },	    { 8, "MG" },
	{ 9, "MR" },	   { 10, "NULL" },    { 11, "WKS" },	   { 12, "PTR" },      { 13, "HINFO" },	    { 14, "MINFO" },
	{ 15, "MX" },	   { 16, "TXT" },     { 17, "RP" },	   { 18, "AFSDB" },    { 24, "SIG" },	    { 25, "KEY" },
	{ 28, "AAAA" },	   { 29, "LOC" },     { 33, "SRV" },	   { 35, "NAPTR" },    { 36, "KX" },	    { 37, "CERT" },
	{ 38, "A6" },	   { 39, "DNAME" },   { 41, "OPT" },	   { 43, "DS" },       { 44, "SSHFP" },	    { 46, "RRSIG" },
	{ 47, "NSEC" },	   { 48, "DNSKEY" },  { 50, "NSEC3" },	   { 51, "NSEC3PARAM" }, { 52, "TLSA" },	    { 53, "SMIMEA" },
	{ 55, "HIP" },	   { 59, "CDS" },     { 60, "CDNSKEY" },   { 61, "OPENPGPKEY" }, { 62, "CSYNC" },	    { 63, "ZONEMD" },
	{ 64, "SVCB" },	   { 65, "HTTPS" },   { 99, "SPF" },	   { 249, "TKEY" },    { 250, "TSIG" },	    { 251, "IXFR" },
	{ 252, "AXFR" },   { 253, "MAILB" },  { 254, "MAILA" },	   { 255, "ANY" },     { 256, "URI" },	    { 257, "CAA" },
};

const char *dns_rcode_name(uint8_t rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED" };

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : "RCODE";
}

const char *dns_type_name(uint16_t qtype, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (type_names[i].type == qtype)
			return type_names[i].name;
	snprintf(buf, n, "TYPE%u", qtype);
	return buf;
}

int dns_type_from_text(const char *text)
{
	unsigned long v;
	char *end;

	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcasecmp(text, type_names[i].name))
			return type_names[i].type;
	if (strncasecmp(text, "TYPE", 4))
		return -EINVAL;
	v = strtoul(text + 4, &end, 10);
	return text[4] && !*end && v <= 65535 ? (int)v : -EINVAL;
}

#define REVERSE_LABELS_MAX 32 /* ip6.arpa: a nibble each */

/* A label of one lower-case hex digit; its value, or -1. */
static int nibble(const uint8_t *label)
{
	uint8_t c = label[1];

	if (label[0] != 1)
		return -1;
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* A label of a decimal byte (0-255); its value, or -1. */
static int octet(const uint8_t *label)
{
	int v = 0;

	if (label[0] < 1 || label[0] > 3)
		return -1;
	for (int i = 1; i <= label[0]; i++) {
		if (label[i] < '0' || label[i] > '9')
			return -1;
		v = v * 10 + (label[i] - '0');
	}
	return v <= 255 ? v : -1;
}

static int label_is(const uint8_t *label, const char *text)
{
	size_t n = strlen(text);

	if (label[0] != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((label[1 + i] | 0x20) != text[i])
			return 0;
	return 1;
}

int dns_reverse_addr(const uint8_t *name, size_t len, int *family, uint8_t addr[16])
{
	const uint8_t *labels[REVERSE_LABELS_MAX + 2];
	int n = 0, d;

	memset(addr, 0, 16);
	for (size_t at = 0; at < len && name[at]; at += 1 + name[at]) {
		if (n == REVERSE_LABELS_MAX + 2 || at + 1 + name[at] >= len)
			return -1;
		labels[n++] = name + at;
	}
	if (n < 2 || !label_is(labels[n - 1], "arpa"))
		return -1;
	d = n - 2; /* address labels, the least significant first */
	if (label_is(labels[n - 2], "in-addr") && d <= 4) {
		*family = AF_INET;
		for (int j = 0; j < d; j++) {
			int v = octet(labels[d - 1 - j]);

			if (v < 0)
				return -1;
			addr[j] = (uint8_t)v;
		}
		return 8 * d;
	}
	if (label_is(labels[n - 2], "ip6") && d <= 32) {
		*family = AF_INET6;
		for (int j = 0; j < d; j++) {
			int v = nibble(labels[d - 1 - j]);

			if (v < 0)
				return -1;
			addr[j / 2] |= (uint8_t)(j % 2 ? v : v << 4);
		}
		return 4 * d;
	}
	return -1;
}
