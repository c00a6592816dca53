/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* query.h - a client's query, parsed: its header, question, cache key and
 * EDNS, and the UDP size it takes. */
#ifndef BPFDNS_QUERY_H
#define BPFDNS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "dns.h"

/* A client's query, parsed. */
struct client_query {
	struct dns_header h;
	struct dns_question q;
	struct bpfdns_question key; /* lowercased name, type, class, DO/CD */
	uint16_t udp_size;     /* EDNS size; 0 without an OPT */
	uint8_t has_opt, edns_do;
	uint8_t edns_version;  /* the OPT's; we speak 0 (others get BADVERS) */
	uint32_t log_serial;   /* its number in the query log (querylog.h) */
};

/*
 * Parse a client's query. Returns 0, or the RCODE to answer with
 * (DNS_RCODE_FORMERR, DNS_RCODE_NOTIMP, DNS_RCODE_BADVERS), or -1 to drop it silently
 * (shorter than a header, or a response).
 */
int query_parse(const uint8_t *msg, size_t len, struct client_query *cq);

/* The largest UDP answer this client takes, given our own limit. */
size_t query_udp_limit(const struct client_query *cq, uint16_t server_max);

#endif /* BPFDNS_QUERY_H */
