// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* query.c - a client's query, parsed; see query.h. */
#include <string.h>
#include "entry.h"
#include "query.h"

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
