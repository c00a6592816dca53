/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pkt.h - build DNS messages and Ethernet/IP/UDP frames for tests,
 * independently of the code under test.
 *
 * Names in records are text ("www.Example.com.") or references that become
 * compression pointers where the record is laid out: "@q" (the question
 * name), "@oN" (owner of record N) and "@tN" (first RDATA name of record N),
 * N counting records added so far from 0.
 */
#ifndef BPFDNS_TEST_PKT_H
#define BPFDNS_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

#define MSG_MAX 4096
#define MSG_RR_MAX 160

struct msg {
	uint8_t buf[MSG_MAX];
	size_t len;
	size_t question_at;
	size_t owner_at[MSG_RR_MAX];
	size_t target_at[MSG_RR_MAX];
	int nrr;
};

struct trr {
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *pre; /* RDATA bytes before the names */
	size_t pre_len;
	const char *names[2]; /* RDATA names */
	const uint8_t *post; /* RDATA bytes after the names */
	size_t post_len;
};

void msg_init(struct msg *m, uint16_t id, uint8_t flags2, uint8_t flags3);
void msg_counts(struct msg *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar);
void msg_question(struct msg *m, const char *name, uint16_t qtype, uint16_t qclass);
/* Add a record with its TTL lowered by age (not below 0). */
void msg_rr(struct msg *m, const struct trr *rr, uint32_t age);
/* Add an OPT record; flags_hi carries DO (0x80). */
void msg_opt(struct msg *m, uint16_t udp_size, uint8_t version, uint8_t flags_hi, const uint8_t *opts,
	     size_t opts_len);
void msg_bytes(struct msg *m, const void *p, size_t n);

struct flow {
	int family; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t smac[6], dmac[6];
};

/* The same flow seen from the other end. */
struct flow flow_reverse(const struct flow *f);
/* Ethernet + IPv4/IPv6 + UDP around payload, checksums computed. */
size_t frame_build(uint8_t *out, const struct flow *f, const uint8_t *payload, size_t len);
/* RFC 1071 checksum over p (big-endian words), starting from sum. */
uint16_t inet_csum(const void *p, size_t len, uint32_t sum);
/* Check the IPv4 header and UDP checksums of a frame; 0 when right. */
int frame_check_csums(const uint8_t *frame, size_t len);

#endif /* BPFDNS_TEST_PKT_H */
