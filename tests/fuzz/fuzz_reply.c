// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_reply.c - libFuzzer: an upstream's reply turned into a cache entry,
 * and the answer built from that entry, which must parse again as DNS.
 */
#include <stdint.h>
#include <string.h>
#include "answer.h"
#include "dns.h"
#include "entry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of a wire name (root label included), 0 when over max. */
static size_t wire_len(const uint8_t *name, size_t max)
{
	size_t i = 0;

	while (i < max && name[i])
		i += name[i] + 1u;
	return i < max ? i + 1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfdns_entry e;
	struct reply_info ri;
	struct client_query cq;
	uint8_t query[300], out[4096];
	size_t qlen, off, n;
	struct dns_header h;

	if (entry_from_reply(data, size, &e, &ri))
		return 0;
	if (e.data_len > BPFDNS_DATA_MAX || e.ttl_count > BPFDNS_TTL_MAX)
		__builtin_trap();
	for (unsigned i = 0; i < e.ttl_count; i++)
		if (e.ttl_off[i] + 4u > e.data_len)
			__builtin_trap();
	/* a client's query for the same question */
	memset(query, 0, DNS_HDR_LEN);
	query[2] = DNS_RD;
	query[5] = 1;
	qlen = wire_len(ri.key.name, DNS_NAME_MAX);
	if (!qlen)
		return 0;
	memcpy(query + DNS_HDR_LEN, ri.key.name, qlen);
	dns_put16(query + DNS_HDR_LEN + qlen, ri.key.qtype);
	dns_put16(query + DNS_HDR_LEN + qlen + 2, ri.key.qclass);
	if (query_parse(query, DNS_HDR_LEN + qlen + 4, &cq))
		return 0;
	n = answer_from_entry(query, &cq, &e, e.stored_ns, 1232, 65535, out, sizeof(out));
	if (!n)
		return 0;
	/* what we would send parses: header, question, every record */
	off = DNS_HDR_LEN;
	if (dns_header_read(out, n, &h) || h.qdcount != 1)
		__builtin_trap();
	{
		struct dns_question q;

		if (dns_question_read(out, n, &off, &q))
			__builtin_trap();
	}
	for (unsigned i = 0; i < (unsigned)h.ancount + h.nscount + h.arcount; i++) {
		struct dns_rr rr;

		if (dns_rr_read(out, n, &off, &rr))
			__builtin_trap();
	}
	return 0;
}
