/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* answer.h - client queries, and answers built in userspace (daemon side). */
#ifndef BPFDNS_ANSWER_H
#define BPFDNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "dns.h"

/* A client's query, parsed. */
struct client_query {
	struct dns_header h;
	struct dns_question q;
	struct bpfdns_key key; /* lowercased name, type, class, DO/CD */
	uint16_t udp_size;     /* EDNS size; 0 without an OPT */
	uint8_t has_opt, edns_do;
	uint8_t edns_version;  /* the OPT's; we speak 0 (others get BADVERS) */
};

/*
 * Parse a client's query. Returns 0, or the RCODE to answer with
 * (DNS_RCODE_FORMERR, DNS_RCODE_NOTIMP, DNS_RCODE_BADVERS), or -1 to drop it silently
 * (shorter than a header, or a response).
 */
int query_parse(const uint8_t *msg, size_t len, struct client_query *cq);

/* The largest UDP answer this client takes, given our own limit. */
size_t query_udp_limit(const struct client_query *cq, uint16_t server_max);

/*
 * An error answer (RCODE rcode) to a query: its header and the question
 * cq->q.start..end (none when empty), and an OPT when the query had one
 * (carrying rcode's upper bits: BADVERS). Returns the length.
 */
size_t answer_error(const uint8_t *query, const struct client_query *cq, uint8_t rcode, uint16_t server_max,
		    uint8_t *out, size_t outsz);

/* The same with TC set: the answer does not fit, ask again over TCP. */
size_t answer_truncated(const uint8_t *query, const struct client_query *cq, uint8_t rcode, uint16_t server_max,
			uint8_t *out, size_t outsz);

/*
 * The answer the fast path would give, from a cache entry (see bpfdns.h),
 * with TTLs aged to now_ns. Returns the length, or 0 when it does not fit
 * in limit bytes.
 */
size_t answer_from_entry(const uint8_t *query, const struct client_query *cq, const struct bpfdns_entry *e,
			 uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz);

/* answer_from_entry, or when that does not fit the client's limit, the
 * header and question with TC (ask again over TCP). */
size_t answer_cached(const uint8_t *query, const struct client_query *cq, const struct bpfdns_entry *e,
		     uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz);

/*
 * A reply too big for a cache entry, relayed as the client's answer: its ID
 * and question bytes, our flags, and the upstream's OPT (its UDP size and
 * options, a server cookie among them) replaced by ours, or gone when the
 * query had none. qend: where the reply's question ends (it must match the
 * query's). Returns the length, or 0 when it does not fit in limit or the
 * reply cannot be walked (an OPT not last among the records included).
 */
size_t answer_relay(const uint8_t *query, const struct client_query *cq, const uint8_t *msg, size_t len,
		    size_t qend, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz);

/*
 * An answer of TXT records (one string each, TTL 0, the question's class),
 * for the CHAOS names. Returns the length, or 0 when it does not fit.
 */
size_t answer_txt(const uint8_t *query, const struct client_query *cq, uint16_t server_max, const char *const *texts,
		  int n_texts, uint8_t *out, size_t outsz);

#endif /* BPFDNS_ANSWER_H */
