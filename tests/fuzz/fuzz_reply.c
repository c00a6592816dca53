// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_reply.c - libFuzzer: an upstream's reply turned into a cache entry,
 * and the answer built from that entry, which must parse again as DNS; and
 * the same reply relayed (as when too big for an entry), which must parse
 * too and carry an OPT only for a client that sent one. Any reply, checked
 * or not, and the answer built, go through the query log's rendering.
 */
#include <stdint.h>
#include <string.h>
#include "answer.h"
#include "dns.h"
#include "entry.h"
#include "log.h"
#include "querylog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of a wire name (root label included), 0 when over max. */
static size_t wire_len(const uint8_t *name, size_t max)
{
	size_t i = 0;

	while (i < max && name[i])
		i += name[i] + 1u;
	return i < max ? i + 1 : 0;
}

/* Every record of msg parses; returns how many OPT records it has, or -1. */
static int parses(const uint8_t *msg, size_t n)
{
	struct dns_question q;
	struct dns_header h;
	size_t off = DNS_HDR_LEN;
	int opts = 0;

	if (dns_header_read(msg, n, &h) || h.qdcount != 1 || dns_question_read(msg, n, &off, &q))
		return -1;
	for (unsigned i = 0; i < (unsigned)h.ancount + h.nscount + h.arcount; i++) {
		struct dns_rr rr;

		if (dns_rr_read(msg, n, &off, &rr))
			return -1;
		opts += rr.type == DNS_TYPE_OPT;
	}
	return opts;
}

/* The reply relayed to a client asking the same question, with EDNS or not. */
static void relay(const uint8_t *data, size_t size)
{
	static uint8_t out[65536 + 11];
	uint8_t query[DNS_HDR_LEN + DNS_NAME_MAX + 1 + 4 + 11] = { 0, 1, DNS_RD, 0, 0, 1 };
	struct client_query cq;
	struct dns_question q;
	size_t off = DNS_HDR_LEN, qlen, n;
	int edns = size > 2 && (data[size - 1] & 1), opts;

	if (size < DNS_HDR_LEN || size > 65536 || dns_question_read(data, size, &off, &q))
		return;
	qlen = off - DNS_HDR_LEN;
	memcpy(query + DNS_HDR_LEN, data + DNS_HDR_LEN, qlen);
	if (edns) { /* an OPT, UDP 1232 */
		static const uint8_t opt[11] = { 0, 0, DNS_TYPE_OPT, 0x04, 0xd0 };

		memcpy(query + off, opt, sizeof(opt));
		query[11] = 1;
	}
	if (query_parse(query, off + (edns ? 11 : 0), &cq))
		return;
	n = answer_relay(query, &cq, data, size, off, 1232, 65535, out, sizeof(out));
	if (!n)
		return;
	opts = parses(out, n);
	if (opts != (edns ? 1 : 0) || out[0] != 0 || out[1] != 1)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry e;
	struct reply_info ri;
	struct client_query cq;
	uint8_t query[300], out[4096];
	size_t qlen, off, n;
	struct dns_header h;
	uint16_t rcode;
	int opts = parses(data, size);
	struct sockaddr_storage client = { .ss_family = AF_INET6 };
	struct qlog_tag tag = { QUERYLOG_EXTRA, 1, &client };

	log_set_level(LOG_LVL_QUIET); /* the lines are built, not printed */
	qlog_answer(&tag, "reply", data, size);
	/* what may win a race parses whole, with at most one OPT */
	if (!dns_message_check(data, size, &rcode) && (opts < 0 || opts > 1))
		__builtin_trap();
	relay(data, size);
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
	qlog_answer(&tag, "cached", out, n);
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
