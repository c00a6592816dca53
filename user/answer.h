/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* answer.h - answers built in userspace (daemon side). */
#ifndef BPFDNS_ANSWER_H
#define BPFDNS_ANSWER_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "dns.h"
#include "entry.h"
#include "query.h"

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
size_t answer_from_entry(const uint8_t *query, const struct client_query *cq, const struct entry *e,
			 uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz);

/* answer_from_entry, or when that does not fit the client's limit, the
 * header and question with TC (ask again over TCP). */
size_t answer_cached(const uint8_t *query, const struct client_query *cq, const struct entry *e,
		     uint64_t now_ns, uint16_t server_max, size_t limit, uint8_t *out, size_t outsz);

/* The same with one PTR record naming name (wire form, len bytes). */
size_t answer_ptr(const uint8_t *query, const struct client_query *cq, uint16_t server_max, uint32_t ttl,
		  const uint8_t *name, size_t len, uint8_t *out, size_t outsz);

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
 * An authoritative answer of TXT records (one string each, TTL 0, the
 * question's class), for the CHAOS names. Returns the length, or 0 when it does not fit.
 */
size_t answer_txt(const uint8_t *query, const struct client_query *cq, uint16_t server_max, const char *const *texts,
		  int n_texts, uint8_t *out, size_t outsz);
/* The same with A records (a: n_a of 4 bytes) then AAAA (aaaa: n_aaaa of
 * 16), TTL ttl, class IN: address=/domain/IP answers. */
size_t answer_addresses(const uint8_t *query, const struct client_query *cq, uint16_t server_max, uint32_t ttl,
			const uint8_t *a, int n_a, const uint8_t *aaaa, int n_aaaa, uint8_t *out, size_t outsz);

#endif /* BPFDNS_ANSWER_H */
