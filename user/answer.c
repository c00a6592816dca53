// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* answer.c - daemon-side answers; see answer.h. */
#include <string.h>
#include "answer.h"
#include "entry.h"

static size_t put_opt(uint8_t *p, const struct client_query *cq, uint16_t server_max, uint8_t ext_rcode)
{
	return dns_put_opt(p, server_max, ext_rcode, cq->edns_do);
}

size_t answer_error(const uint8_t *query, const struct client_query *cq, uint8_t rcode, uint16_t server_max,
		    uint8_t *out, size_t outsz)
{
	size_t qlen = cq->q.end - cq->q.start, n = DNS_HDR_LEN + qlen;

	if (n + DNS_OPT_LEN > outsz)
		return 0;
	memset(out, 0, DNS_HDR_LEN);
	memcpy(out, query, 2);
	out[2] = DNS_QR | (query[2] & (DNS_OPCODE | DNS_RD));
	out[3] = DNS_RA | (query[3] & DNS_CD) | (rcode & DNS_RCODE);
	dns_put16(out + 4, qlen ? 1 : 0);
	memcpy(out + DNS_HDR_LEN, query + cq->q.start, qlen);
	if (cq->has_opt) {
		dns_put16(out + 10, 1);
		n += put_opt(out + n, cq, server_max, (uint8_t)(rcode >> 4));
	}
	return n;
}

size_t answer_truncated(const uint8_t *query, const struct client_query *cq, uint8_t rcode, uint16_t server_max,
			uint8_t *out, size_t outsz)
{
	size_t n = answer_error(query, cq, rcode, server_max, out, outsz);

	if (n)
		out[2] |= DNS_TC;
	return n;
}

size_t answer_from_entry(const uint8_t *query, const struct client_query *cq, const struct entry *e,
			 uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz)
{
	size_t qlen = cq->q.end - cq->q.start, n, data_at;
	uint64_t age = now_ns > e->stored_ns ? (now_ns - e->stored_ns) / 1000000000ULL : 0;
	int ad = (e->flags & BPFDNS_ENTRY_AD) && (cq->edns_do || (cq->h.flags3 & DNS_AD));

	if (e->data_len > BPFDNS_DATA_MAX || e->ttl_count > BPFDNS_TTL_MAX)
		return 0;
	n = DNS_HDR_LEN + qlen + e->data_len + (cq->has_opt ? DNS_OPT_LEN : 0);
	if (n > limit || n > outsz)
		return 0;
	memcpy(out, query, 2);
	out[2] = DNS_QR | (query[2] & DNS_RD) | ((e->flags & BPFDNS_ENTRY_AA) ? DNS_AA : 0);
	out[3] = DNS_RA | (ad ? DNS_AD : 0) | (query[3] & DNS_CD) | (e->rcode & DNS_RCODE);
	dns_put16(out + 4, 1);
	dns_put16(out + 6, e->ancount);
	dns_put16(out + 8, e->nscount);
	dns_put16(out + 10, e->arcount + (cq->has_opt ? 1 : 0));
	memcpy(out + DNS_HDR_LEN, query + DNS_HDR_LEN, qlen);
	data_at = DNS_HDR_LEN + qlen;
	memcpy(out + data_at, e->data, e->data_len);
	for (unsigned i = 0; i < e->ttl_count; i++) {
		size_t off = e->ttl_off[i];
		uint32_t ttl;

		if (off + 4 > e->data_len)
			return 0;
		ttl = dns_get32(e->data + off);
		dns_put32(out + data_at + off, ttl > age ? (uint32_t)(ttl - age) : 0);
	}
	if (cq->has_opt)
		put_opt(out + data_at + e->data_len, cq, server_max, 0);
	return n;
}

size_t answer_cached(const uint8_t *query, const struct client_query *cq, const struct entry *e,
		     uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz)
{
	size_t n = answer_from_entry(query, cq, e, now_ns, server_max, limit, out, outsz);

	return n ? n : answer_truncated(query, cq, e->rcode, server_max, out, outsz);
}

/* Our own data's answer so far: the header (AA: as dnsmasq's) and the
 * question, no records; the OPT goes after them (local_end). */
static size_t local_begin(const uint8_t *query, const struct client_query *cq, uint16_t server_max, uint8_t *out,
			  size_t outsz)
{
	struct client_query bare = *cq;
	size_t n;

	bare.has_opt = 0;
	n = answer_error(query, &bare, DNS_RCODE_NOERROR, server_max, out, outsz);
	if (n)
		out[2] |= DNS_AA;
	return n;
}

/* One record named as the question, its rdata pre (a length byte, or
 * nothing) then data; the new length, or 0 when it does not fit (with
 * room left for an OPT). */
static size_t put_rr(uint8_t *out, size_t n, size_t outsz, uint16_t type, uint16_t qclass, uint32_t ttl,
		     const uint8_t *pre, size_t prelen, const uint8_t *data, size_t len)
{
	if (!n || n + 12 + prelen + len + DNS_OPT_LEN > outsz)
		return 0;
	dns_put16(out + n, 0xc000 | DNS_HDR_LEN); /* the question's name */
	dns_put16(out + n + 2, type);
	dns_put16(out + n + 4, qclass);
	dns_put32(out + n + 6, ttl);
	dns_put16(out + n + 10, (uint16_t)(prelen + len));
	if (prelen)
		memcpy(out + n + 12, pre, prelen);
	memcpy(out + n + 12 + prelen, data, len);
	return n + 12 + prelen + len;
}

static size_t local_end(const struct client_query *cq, uint16_t server_max, int ancount, uint8_t *out, size_t n)
{
	if (!n)
		return 0;
	dns_put16(out + 6, (uint16_t)ancount);
	if (cq->has_opt) {
		dns_put16(out + 10, 1);
		n += put_opt(out + n, cq, server_max, 0);
	}
	return n;
}

size_t answer_txt(const uint8_t *query, const struct client_query *cq, uint16_t server_max, const char *const *texts,
		  int n_texts, uint8_t *out, size_t outsz)
{
	size_t n = local_begin(query, cq, server_max, out, outsz);

	for (int i = 0; i < n_texts; i++) {
		size_t len = strlen(texts[i]);
		uint8_t lb = (uint8_t)(len > 255 ? 255 : len);

		n = put_rr(out, n, outsz, DNS_TYPE_TXT, cq->q.qclass, 0, &lb, 1, (const uint8_t *)texts[i], lb);
	}
	return local_end(cq, server_max, n_texts, out, n);
}

size_t answer_addresses(const uint8_t *query, const struct client_query *cq, uint16_t server_max, uint32_t ttl,
			const uint8_t *a, int n_a, const uint8_t *aaaa, int n_aaaa, uint8_t *out, size_t outsz)
{
	size_t n = local_begin(query, cq, server_max, out, outsz);

	for (int i = 0; i < n_a; i++)
		n = put_rr(out, n, outsz, DNS_TYPE_A, DNS_CLASS_IN, ttl, NULL, 0, a + i * 4, 4);
	for (int i = 0; i < n_aaaa; i++)
		n = put_rr(out, n, outsz, DNS_TYPE_AAAA, DNS_CLASS_IN, ttl, NULL, 0, aaaa + i * 16, 16);
	return local_end(cq, server_max, n_a + n_aaaa, out, n);
}

size_t answer_ptr(const uint8_t *query, const struct client_query *cq, uint16_t server_max, uint32_t ttl,
		  const uint8_t *name, size_t len, uint8_t *out, size_t outsz)
{
	size_t n = local_begin(query, cq, server_max, out, outsz);

	n = put_rr(out, n, outsz, DNS_TYPE_PTR, DNS_CLASS_IN, ttl, NULL, 0, name, len);
	return local_end(cq, server_max, 1, out, n);
}

size_t answer_relay(const uint8_t *query, const struct client_query *cq, const uint8_t *msg, size_t len,
		    size_t qend, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz)
{
	size_t off = qend, keep = len, total;
	unsigned nrr, i;
	struct dns_header h;
	int theirs = 0, ours;

	if (dns_header_read(msg, len, &h) || h.qdcount != 1 || qend != cq->q.end)
		return 0;
	nrr = (unsigned)h.ancount + h.nscount + h.arcount;
	for (i = 0; i < nrr; i++) {
		struct dns_rr rr;

		if (dns_rr_read(msg, len, &off, &rr))
			return 0;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		/* the usual place, last: cut it; elsewhere cutting would move
		 * what compression pointers point at, so it stays */
		theirs = i == nrr - 1;
		if (!theirs)
			return 0;
		keep = rr.start;
	}
	if (!theirs)
		keep = off; /* bytes after the last record are not passed on */
	ours = cq->has_opt;
	total = keep + (ours ? DNS_OPT_LEN : 0);
	if (total > limit || total > outsz || (theirs && !h.arcount))
		return 0;
	memcpy(out, msg, keep);
	memcpy(out, query, 2);
	memcpy(out + DNS_HDR_LEN, query + DNS_HDR_LEN, qend - DNS_HDR_LEN);
	/* our flags: a recursive answer, not an authoritative one */
	out[2] &= (uint8_t)~DNS_AA;
	out[3] |= DNS_RA;
	dns_put16(out + 10, (uint16_t)(h.arcount - theirs + ours));
	if (ours)
		put_opt(out + keep, cq, server_max, 0);
	/* names may point into what was cut (the upstream's own odd choice):
	 * what we send must parse, or it is not sent */
	off = qend;
	for (i = 0; i < nrr - theirs + ours; i++) {
		struct dns_rr rr;

		if (dns_rr_read(out, total, &off, &rr))
			return 0;
	}
	return off == total ? total : 0;
}
