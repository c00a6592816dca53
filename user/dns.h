/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dns.h - DNS wire-format reading for userspace: names, questions, records.
 *
 * Every function takes the whole message (msg, len) and an offset, checks
 * every byte it reads against len, and returns 0 or -EINVAL (-errno). Input
 * is untrusted (clients and upstreams); these are the fuzzed parsers.
 */
#ifndef BPFDNS_DNS_H
#define BPFDNS_DNS_H

#include <stddef.h>
#include <stdint.h>
#include "dnswire.h"

static inline uint16_t dns_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t dns_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void dns_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void dns_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

struct dns_header {
	uint16_t id;
	uint8_t flags2, flags3;
	uint16_t qdcount, ancount, nscount, arcount;
};

/* A question: the name uncompressed (wire form) and where it ends. */
struct dns_question {
	uint8_t name[DNS_NAME_MAX + 1];
	size_t name_len;
	uint16_t qtype, qclass;
	size_t start, end; /* message offsets of the question */
};

/* A resource record, as offsets into the message. */
struct dns_rr {
	size_t start;	 /* owner name */
	size_t ttl_off;	 /* the TTL field */
	size_t rdata;	 /* RDATA */
	size_t end;	 /* first byte after the record */
	uint16_t type, class, rdlen;
	uint32_t ttl;
};

/*
 * Write our OPT record at p (DNS_OPT_LEN bytes): root owner, type OPT,
 * class = udp_size, TTL = ext_rcode, version 0, DO when dnssec_ok, no
 * options. Returns DNS_OPT_LEN.
 */
size_t dns_put_opt(uint8_t *p, uint16_t udp_size, uint8_t ext_rcode, int dnssec_ok);

/* Read the fixed header; -EINVAL when len < DNS_HDR_LEN. */
int dns_header_read(const uint8_t *msg, size_t len, struct dns_header *h);

/*
 * Read the name at *off, following compression pointers (strictly backwards,
 * so loops cannot happen). If out is not NULL it receives the uncompressed
 * wire name (DNS_NAME_MAX + 1 bytes) and *out_len its length. *off moves past
 * the name as it is written at *off.
 */
int dns_name_read(const uint8_t *msg, size_t len, size_t *off, uint8_t *out, size_t *out_len);

/* Lowercase the ASCII letters of a wire name in place. */
void dns_name_lower(uint8_t *name, size_t len);

/* Case-insensitive equality of two wire names. */
int dns_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

/* Wire name to text ("www.example.com."), into buf of size n. */
void dns_name_to_text(const uint8_t *name, size_t len, char *buf, size_t n);

/* Text name to wire form; returns its length or -EINVAL. */
int dns_name_from_text(const char *text, uint8_t *out, size_t n);

int dns_question_read(const uint8_t *msg, size_t len, size_t *off, struct dns_question *q);

/* Read one record at *off and move past it; the RDATA is not interpreted. */
int dns_rr_read(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr);

/*
 * Offsets (from the message start) of the names inside rr's RDATA that may
 * be compressed (RFC 3597 section 4: the RFC 1035 types, plus MX-like
 * types). Returns how many (0..2) went into offs, or -EINVAL.
 */
int dns_rdata_names(const uint8_t *msg, size_t len, const struct dns_rr *rr, size_t offs[2]);

/*
 * Walk a whole message: the header, one question, and every record its
 * counts promise, each owner and RDATA name readable (labels of at most 63
 * bytes, pointers strictly backwards), RDATA of the size its type has (A 4,
 * AAAA 16, names ending where the RDATA ends), at most one OPT and only in
 * the additional section with the root as owner. Bytes after the last
 * record are allowed (and ignored). *rcode gets the whole RCODE (RFC 6891
 * 6.1.3: the OPT's 8 upper bits and the header's 4). Returns 0 or -EINVAL.
 */
int dns_message_check(const uint8_t *msg, size_t len, uint16_t *rcode);

/* "NOERROR", "NXDOMAIN", ...; "RCODE" for the rest. */
const char *dns_rcode_name(uint8_t rcode);
/* The address prefix a reverse name (wire form, any case) stands for, into
 * addr (16 bytes, zeroed past it); its length in bits, or -1 when the name
 * is not under in-addr.arpa or ip6.arpa, or a label is not an address part.
 * *family is AF_INET or AF_INET6. */
int dns_reverse_addr(const uint8_t *name, size_t len, int *family, uint8_t addr[16]);
/* "A", "AAAA", ... or "TYPE%u" (into buf) for a type number. */
const char *dns_type_name(uint16_t qtype, char *buf, size_t n);
/* The number of a type name ("aaaa", "TYPE65"), or -EINVAL. */
int dns_type_from_text(const char *text);

#endif /* BPFDNS_DNS_H */
