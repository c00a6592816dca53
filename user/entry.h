/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* entry.h - turn an upstream reply into a fast-path cache entry. */
#ifndef BPFDNS_ENTRY_H
#define BPFDNS_ENTRY_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "dns.h"

/* A cache entry as the daemon works with it: every TTL offset in one
 * array, no name. The maps hold it laid out as include/bpfdns.h says
 * (cachemap.c). */
struct entry {
	BPFDNS_ENTRY_HEAD
	__u16 ttl_off[BPFDNS_TTL_MAX]; /* offset in data[] of each record's TTL */
	__u8 data[BPFDNS_DATA_MAX];    /* the records, wire format */
};

/* What the caller needs to decide whether and how long to cache. */
struct reply_info {
	struct bpfdns_question key; /* from the reply's question; flags left 0 */
	uint8_t rcode;
	uint8_t truncated;     /* TC was set */
	uint32_t min_ttl;      /* smallest TTL of the records (OPT excluded);
			        * UINT32_MAX when there are none */
	uint32_t neg_ttl;      /* RFC 2308: min(SOA TTL, SOA MINIMUM) of an SOA in
			        * the authority section; UINT32_MAX without one */
	uint16_t ancount;      /* answer records */
};

/*
 * Build e (data, counts, TTL offsets, rcode, AD) from a reply message and
 * fill info. stored_ns and expire_ns are left 0 for the caller. The OPT
 * record is dropped wherever it is; compression pointers are adjusted.
 * TTLs with the top bit set are stored as 0 (RFC 2181 8).
 * Returns 0, -EINVAL for a malformed reply or one the fast path cannot
 * reproduce (extended RCODE), -E2BIG when it does not fit in an entry.
 */
int entry_from_reply(const uint8_t *msg, size_t len, struct entry *e, struct reply_info *info);

/* Key for a wire name (any case) and type, class IN; flags BPFDNS_KEY_*.
 * Returns 0 or -EINVAL for a name over 255 bytes. */
int entry_key(struct bpfdns_question *key, const uint8_t *name, size_t name_len, uint16_t qtype, uint8_t flags);

/* Length of a key's wire name, root label included. */
size_t entry_key_name_len(const struct bpfdns_question *key);

/*
 * The query to ask upstream for key, whoever asked us: RD, AD, CD as the
 * key says, and our own OPT (udp_max, DO as the key says, no options: never
 * a client's cookie or subnet). Fills q with its question. Returns its
 * length (out holds at least DNS_HDR_LEN + 256 + 4 + DNS_OPT_LEN bytes).
 */
size_t entry_key_query(const struct bpfdns_question *key, uint16_t udp_max, uint8_t *out, struct dns_question *q);

/*
 * The reply e was made from, as far as an entry keeps it: QR, RD, RA, AD
 * as e has it, its RCODE, key's question, e's records with their TTLs as
 * stored, no OPT. entry_from_reply() makes e again from it. Returns the
 * length, or 0 when it does not fit in outsz or e is not one entry_from_reply
 * made.
 */
size_t entry_to_reply(const struct bpfdns_question *key, const struct entry *e, uint8_t *out, size_t outsz);

/* Make e a stale answer (RFC 8767): every TTL ttl, stored now. */
void entry_make_stale(struct entry *e, uint64_t now_ns, uint32_t ttl);

#endif /* BPFDNS_ENTRY_H */
