// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* answer.c - client queries and daemon-side answers; see answer.h. */
#include <string.h>
#include "answer.h"
#include "entry.h"

int query_parse(const uint8_t *msg, size_t len, struct client_query *cq)
{
	size_t off = DNS_HDR_LEN;

	memset(cq, 0, sizeof(*cq));
	if (dns_header_read(msg, len, &cq->h) || (cq->h.flags2 & DNS_QR))
		return -1;
	if (cq->h.flags2 & DNS_OPCODE)
		return DNS_RCODE_NOTIMP;
	if (cq->h.qdcount != 1 || dns_question_read(msg, len, &off, &cq->q))
		return DNS_RCODE_FORMERR;
	/* skip answer and authority records (none expected), find an OPT */
	for (unsigned i = 0; i < (unsigned)cq->h.ancount + cq->h.nscount + cq->h.arcount; i++) {
		struct dns_rr rr;

		if (dns_rr_read(msg, len, &off, &rr))
			return DNS_RCODE_FORMERR;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (cq->has_opt || i < (unsigned)cq->h.ancount + cq->h.nscount || msg[rr.start] != 0)
			return DNS_RCODE_FORMERR; /* RFC 6891 6.1.1 */
		cq->has_opt = 1;
		cq->udp_size = rr.class;
		cq->edns_version = msg[rr.ttl_off + EDNS_TTL_VERSION];
		cq->edns_do = !!(msg[rr.ttl_off + EDNS_TTL_FLAGS_HI] & EDNS_F_DO);
	}
	if (entry_key(&cq->key, cq->q.name, cq->q.name_len, cq->q.qtype,
		      (cq->edns_do ? BPFDNS_KEY_DO : 0) | (cq->h.flags3 & DNS_CD ? BPFDNS_KEY_CD : 0)))
		return DNS_RCODE_FORMERR;
	cq->key.qclass = cq->q.qclass;
	/* RFC 6891 6.1.3: a version we do not speak gets BADVERS from us;
	 * forwarded, it would reach the upstream as ours (version 0) */
	return cq->has_opt && cq->edns_version ? DNS_RCODE_BADVERS : 0;
}

size_t query_udp_limit(const struct client_query *cq, uint16_t server_max)
{
	return dns_udp_limit(cq->has_opt, cq->udp_size, server_max);
}

/* Our OPT for this client: our UDP size, its DO echoed. */
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

size_t answer_from_entry(const uint8_t *query, const struct client_query *cq, const struct bpfdns_entry *e,
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
	out[2] = DNS_QR | (query[2] & DNS_RD);
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

size_t answer_cached(const uint8_t *query, const struct client_query *cq, const struct bpfdns_entry *e,
		     uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz)
{
	size_t n = answer_from_entry(query, cq, e, now_ns, server_max, limit, out, outsz);

	return n ? n : answer_truncated(query, cq, e->rcode, server_max, out, outsz);
}

size_t answer_txt(const uint8_t *query, const struct client_query *cq, uint16_t server_max, const char *const *texts,
		  int n_texts, uint8_t *out, size_t outsz)
{
	struct client_query bare = *cq;
	size_t n;

	/* the header and question of an empty answer, the OPT after the records */
	bare.has_opt = 0;
	n = answer_error(query, &bare, DNS_RCODE_NOERROR, server_max, out, outsz);
	if (!n)
		return 0;
	for (int i = 0; i < n_texts; i++) {
		size_t len = strlen(texts[i]);

		if (len > 255)
			len = 255;
		if (n + 12 + 1 + len + DNS_OPT_LEN > outsz)
			return 0;
		dns_put16(out + n, 0xc000 | DNS_HDR_LEN); /* the question's name */
		dns_put16(out + n + 2, DNS_TYPE_TXT);
		dns_put16(out + n + 4, cq->q.qclass);
		dns_put32(out + n + 6, 0);
		dns_put16(out + n + 10, (uint16_t)(len + 1));
		out[n + 12] = (uint8_t)len;
		memcpy(out + n + 13, texts[i], len);
		n += 13 + len;
	}
	dns_put16(out + 6, (uint16_t)n_texts);
	if (cq->has_opt) {
		dns_put16(out + 10, 1);
		n += put_opt(out + n, cq, server_max, 0);
	}
	return n;
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
