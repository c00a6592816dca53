// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fastpath_test.c - the fast path, table-driven through BPF_PROG_TEST_RUN.
 *
 * For each case: store an entry made from an upstream reply, feed a query
 * frame to the real XDP and TC programs, and check the verdict, the outcome
 * counter, and every byte of the output against an answer built here,
 * independently of the BPF code (or against the input, for a pass).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include "answer.h"
#include "dns.h"
#include "fastpath.h"
#include "log.h"
#include "pkt.h"
#include "seed.h"
#include "test.h"

#define NS 1000000000ULL

/* What the cache holds for a case: an upstream reply, as records. */
struct answer {
	uint8_t rcode;
	uint8_t ad;
	uint8_t aa; /* our own data (hosts, address=): BPFDNS_ENTRY_AA */
	uint8_t opt_first; /* the reply carries its OPT first in additional (BIND) */
	int an, ns, ar;
	struct trr rr[12];
};

struct tcase {
	const char *desc;
	int family;
	const char *qname; /* as the client writes it */
	uint16_t qtype;
	uint16_t qclass;	/* 0: IN */
	uint8_t flags2, flags3; /* header flag bytes; flags2 0 means RD */
	uint16_t edns;		/* client UDP size; 0: no OPT */
	uint8_t edns_flags;	/* 0x80: DO */
	uint8_t edns_version;
	const uint8_t *opts;
	size_t opts_len;
	int extra_ar;	/* a second additional record (ARCOUNT=2) */
	int qname_ptr;	/* the question name is a compression pointer */
	int trailing;	/* bytes after the last section */
	uint16_t dport; /* 0: 53 */
	int other_dst;	/* to an address we do not listen on */
	int sport_zero;
	int src; /* 0: loopback; else one of the sources below */
	int nic;  /* came in on an interface other than lo (a veth) */
	int drop; /* the verdict is a drop (access-control deny) */
	const struct answer *ans; /* NULL: nothing cached */
	uint8_t key_flags;	  /* DO/CD the entry is stored under */
	int age;		  /* seconds since stored */
	int expired;
	int hit;
	size_t reason; /* offsetof(struct bpfdns_counters, ...) */
};

#define R(f) offsetof(struct bpfdns_counters, f)

/* Sources beyond loopback, judged by the access list set in main() */
enum { SRC_LOOPBACK, SRC_ALLOWED, SRC_UNLISTED, SRC_REFUSED, SRC_DENIED, SRC_V4MAPPED };
static const char *const acl_rules[] = { "192.0.2.0/24,allow", "192.0.2.128/25 refuse", "192.0.2.66,deny",
					 "2001:db8::/32", "2001:db8:dead::/48,deny" };
static const char *const src4[] = { "127.0.0.1", "192.0.2.10", "198.51.100.1", "192.0.2.200", "192.0.2.66", "" };
static const char *const src6[] = { "::1", "2001:db8::10", "2001:db9::1", "", "2001:db8:dead::1",
				    "::ffff:127.0.0.9" };
static uint32_t nic_ifindex; /* a veth in this test's own network namespace */

static const uint8_t a1[] = { 192, 0, 2, 1 }, a7[] = { 192, 0, 2, 7 }, a53[] = { 192, 0, 2, 53 };
static const uint8_t aaaa1[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t pref10[] = { 0, 10 }, pref20[] = { 0, 20 };
static const uint8_t txt_hello[] = { 5, 'h', 'e', 'l', 'l', 'o' };
static const uint8_t txt_odd[] = { 3, 'a', 'b', 'c', 2, 'd', 'e' };
static const uint8_t soa_tail[] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08,
				    0, 0x12, 0x75, 0, 0, 0, 0x0e, 0x10 };
static uint8_t txt_big[3 * 201];

static const struct answer ans_a = { .an = 1, .rr = { { "@q", DNS_TYPE_A, 300, a1, 4 } } };
static const struct answer ans_a_ad = { .an = 1, .ad = 1, .rr = { { "@q", DNS_TYPE_A, 300, a1, 4 } } };
static const struct answer ans_a_local = { .an = 1, .aa = 1, .rr = { { "@q", DNS_TYPE_A, 0, a1, 4 } } };
static const struct answer ans_aaaa = { .an = 1, .rr = { { "@q", DNS_TYPE_AAAA, 600, aaaa1, 16 } } };
static const struct answer ans_cname = {
	.an = 3,
	.rr = { { "@q", DNS_TYPE_CNAME, 3600, .names = { "alias1.example.net." } },
		{ "@t0", DNS_TYPE_CNAME, 120, .names = { "Alias2.example.org." } },
		{ "@t1", DNS_TYPE_A, 60, a7, 4 } },
};
static const struct answer ans_mx = {
	.an = 2,
	.rr = { { "@q", DNS_TYPE_MX, 900, pref10, 2, .names = { "mail.example.com." } },
		{ "@q", DNS_TYPE_MX, 900, pref20, 2, .names = { "backup.@o0" } } },
};
static const struct answer ans_txt = {
	.an = 2,
	.rr = { { "@q", DNS_TYPE_TXT, 77, txt_hello, sizeof(txt_hello) },
		{ "@q", DNS_TYPE_TXT, 77, txt_odd, sizeof(txt_odd) } },
};
static const struct answer ans_nxdomain = {
	.rcode = DNS_RCODE_NXDOMAIN, .ns = 1,
	.rr = { { "example.com.", DNS_TYPE_SOA, 3600, .names = { "ns1.example.com.", "hostmaster.@o0" },
		  .post = soa_tail, .post_len = sizeof(soa_tail) } },
};
static const struct answer ans_nodata = {
	.ns = 1,
	.rr = { { "example.com.", DNS_TYPE_SOA, 3600, .names = { "ns1.@o0", "hostmaster.@o0" },
		  .post = soa_tail, .post_len = sizeof(soa_tail) } },
};
static const struct answer ans_big = { .an = 1, .rr = { { "@q", DNS_TYPE_TXT, 300, txt_big, sizeof(txt_big) } } };
/* BIND writes its OPT first in the additional section: glue after it moves */
static const struct answer ans_bind = {
	.opt_first = 1, .an = 1, .ns = 2, .ar = 3,
	.rr = { { "@q", DNS_TYPE_A, 300, a1, 4 },
		{ "example.com.", DNS_TYPE_NS, 86400, .names = { "ns1.@o1" } },
		{ "@o1", DNS_TYPE_NS, 86400, .names = { "ns2.@o1" } },
		{ "@t1", DNS_TYPE_A, 86400, a53, 4 },
		{ "@o3", DNS_TYPE_AAAA, 86400, aaaa1, 16 },
		{ "@t2", DNS_TYPE_A, 86400, a7, 4 } },
};
/* more records than a small entry has TTL slots: a big entry, TTLs past the eighth */
static const struct answer ans_ten = {
	.an = 10,
	.rr = { { "@q", DNS_TYPE_A, 300, a1, 4 }, { "@q", DNS_TYPE_A, 301, a7, 4 }, { "@q", DNS_TYPE_A, 302, a53, 4 },
		{ "@q", DNS_TYPE_A, 303, a1, 4 }, { "@q", DNS_TYPE_A, 304, a7, 4 }, { "@q", DNS_TYPE_A, 305, a53, 4 },
		{ "@q", DNS_TYPE_A, 306, a1, 4 }, { "@q", DNS_TYPE_A, 307, a7, 4 }, { "@q", DNS_TYPE_A, 308, a53, 4 },
		{ "@q", DNS_TYPE_A, 309, a1, 4 } },
};
/* TTLs of 10 and 500 aged by 100: one saturates at 0 (min-cache-ttl) */
static const struct answer ans_ttls = {
	.an = 2,
	.rr = { { "@q", DNS_TYPE_A, 10, a1, 4 }, { "@q", DNS_TYPE_A, 500, a7, 4 } },
};

static const uint8_t opt_cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t opt_ecs[] = { 0, 8, 0, 7, 0, 1, 24, 0, 192, 0, 2 };
static const uint8_t opt_pad[] = { 0, 12, 0, 0 };

#define LONG63 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk"
#define LONG61 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi"

static const struct tcase cases[] = {
	{ "v4 A, no EDNS", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_a, .hit = 1, .reason = R(hit) },
	{ "v6 AAAA, no EDNS", 6, "www.example.com.", DNS_TYPE_AAAA, .ans = &ans_aaaa, .hit = 1, .reason = R(hit) },
	{ "v4 A, EDNS 1232", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .ans = &ans_a, .hit = 1,
	  .reason = R(hit) },
	{ "v6 A, EDNS with a cookie (not echoed)", 6, "www.example.com.", DNS_TYPE_A, .edns = 4096,
	  .opts = opt_cookie, .opts_len = sizeof(opt_cookie), .ans = &ans_a, .hit = 1, .reason = R(hit) },
	{ "EDNS with two options", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .opts = opt_pad,
	  .opts_len = sizeof(opt_pad), .ans = &ans_a, .hit = 1, .reason = R(hit) },
	{ "DO query, DO entry, AD kept", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .edns_flags = 0x80,
	  .ans = &ans_a_ad, .key_flags = BPFDNS_KEY_DO, .hit = 1, .reason = R(hit) },
	{ "DO query, only a plain entry: miss", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232,
	  .edns_flags = 0x80, .ans = &ans_a, .hit = 0, .reason = R(miss) },
	{ "plain query, only a DO entry: miss", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_a,
	  .key_flags = BPFDNS_KEY_DO, .hit = 0, .reason = R(miss) },
	{ "AD query without DO gets AD", 4, "www.example.com.", DNS_TYPE_A, .flags3 = DNS_AD, .ans = &ans_a_ad,
	  .hit = 1, .reason = R(hit) },
	{ "local data (address=, hosts): AA, TTL 0 kept", 4, "ads.example.com.", DNS_TYPE_A, .ans = &ans_a_local,
	  .hit = 1, .reason = R(hit) },
	{ "plain query gets no AD", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_a_ad, .hit = 1,
	  .reason = R(hit) },
	{ "CD query, CD entry, CD echoed", 6, "www.example.com.", DNS_TYPE_A, .flags3 = DNS_CD, .ans = &ans_a,
	  .key_flags = BPFDNS_KEY_CD, .hit = 1, .reason = R(hit) },
	{ "CD query, plain entry: miss", 6, "www.example.com.", DNS_TYPE_A, .flags3 = DNS_CD, .ans = &ans_a,
	  .hit = 0, .reason = R(miss) },
	{ "RD clear is echoed", 4, "www.example.com.", DNS_TYPE_A, .flags2 = 0x00, .ans = &ans_a, .hit = 1,
	  .reason = R(hit) },
	{ "mixed-case name keeps its case", 4, "WwW.ExAmPlE.CoM.", DNS_TYPE_A, .ans = &ans_a, .hit = 1,
	  .reason = R(hit) },
	{ "mixed case, v6, EDNS", 6, "wWw.EXAMPLE.com.", DNS_TYPE_A, .edns = 1400, .ans = &ans_a, .hit = 1,
	  .reason = R(hit) },
	{ "CNAME chain", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_cname, .hit = 1, .reason = R(hit) },
	{ "CNAME chain, odd name length", 6, "ww.example.com.", DNS_TYPE_A, .edns = 1232, .ans = &ans_cname,
	  .hit = 1, .reason = R(hit) },
	{ "MX", 4, "Example.com.", DNS_TYPE_MX, .ans = &ans_mx, .hit = 1, .reason = R(hit) },
	{ "TXT, odd lengths", 6, "t.example.com.", DNS_TYPE_TXT, .edns = 1232, .ans = &ans_txt, .hit = 1,
	  .reason = R(hit) },
	{ "NXDOMAIN with SOA", 4, "nope.example.com.", DNS_TYPE_A, .ans = &ans_nxdomain, .hit = 1,
	  .reason = R(hit) },
	{ "NODATA with SOA", 6, "www.example.com.", DNS_TYPE_AAAA, .edns = 1232, .ans = &ans_nodata, .hit = 1,
	  .reason = R(hit) },
	{ "OPT first in the reply (BIND), glue after it", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232,
	  .ans = &ans_bind, .hit = 1, .reason = R(hit) },
	{ "TTLs aged by 100 s", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_cname, .age = 100, .hit = 1,
	  .reason = R(hit) },
	{ "TTLs aged, one saturates at 0", 6, "wWw.example.com.", DNS_TYPE_A, .edns = 1232, .ans = &ans_ttls,
	  .age = 100, .hit = 1, .reason = R(hit) },
	{ "ten records (a big entry), aged: the TTLs past the eighth too", 6, "Www.example.com.", DNS_TYPE_A,
	  .edns = 1232, .ans = &ans_ten, .age = 9, .hit = 1, .reason = R(hit) },
	{ "a long name whose records would fit: a big entry", 4,
	  LONG63 "." LONG63 "." LONG63 "." LONG61 ".", DNS_TYPE_A, .ans = &ans_a, .age = 3, .hit = 1,
	  .reason = R(hit) },
	{ "TTL aging, odd offsets", 4, "t.example.com.", DNS_TYPE_TXT, .ans = &ans_txt, .age = 7, .hit = 1,
	  .reason = R(hit) },
	{ "expired entry passes", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_a, .age = 2, .expired = 1,
	  .hit = 0, .reason = R(expired) },
	{ "no entry: miss", 4, "www.example.com.", DNS_TYPE_A, .hit = 0, .reason = R(miss) },
	{ "other qtype: miss", 4, "www.example.com.", DNS_TYPE_AAAA, .ans = NULL, .hit = 0, .reason = R(miss) },
	{ "over 512 without EDNS: too big", 4, "big.example.com.", DNS_TYPE_TXT, .ans = &ans_big, .hit = 0,
	  .reason = R(too_big) },
	{ "over 512 with EDNS 1232: answered", 4, "big.example.com.", DNS_TYPE_TXT, .edns = 1232,
	  .ans = &ans_big, .hit = 1, .reason = R(hit) },
	{ "EDNS size under 512 counts as 512", 6, "big.example.com.", DNS_TYPE_TXT, .edns = 100,
	  .ans = &ans_big, .hit = 0, .reason = R(too_big) },
	{ "client EDNS 600: too big", 6, "big.example.com.", DNS_TYPE_TXT, .edns = 600, .ans = &ans_big,
	  .hit = 0, .reason = R(too_big) },
	{ "root name", 4, ".", DNS_TYPE_NS, .ans = &ans_nodata, .hit = 1, .reason = R(hit) },
	{ "255-byte name", 6, LONG63 "." LONG63 "." LONG63 "." LONG61 ".", DNS_TYPE_A, .ans = &ans_a, .hit = 1,
	  .reason = R(hit) },
	{ "256-byte name", 6, LONG63 "." LONG63 "." LONG63 "." LONG61 "x.", DNS_TYPE_A, .hit = 0,
	  .reason = R(malformed) },
	{ "pointer in the question", 4, "www.example.com.", DNS_TYPE_A, .qname_ptr = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(not_plain) },
	{ "wrong port", 4, "www.example.com.", DNS_TYPE_A, .dport = 54, .ans = &ans_a, .hit = 0,
	  .reason = R(not_ours) },
	{ "wrong address", 4, "www.example.com.", DNS_TYPE_A, .other_dst = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(not_ours) },
	{ "wrong address, v6", 6, "www.example.com.", DNS_TYPE_A, .other_dst = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(not_ours) },
	{ "any-address listener", 4, "www.example.com.", DNS_TYPE_A, .dport = 5300, .other_dst = 1,
	  .ans = &ans_a, .hit = 1, .reason = R(hit) },
	{ "ARCOUNT=2", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .extra_ar = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(not_plain) },
	{ "client subnet option", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .opts = opt_ecs,
	  .opts_len = sizeof(opt_ecs), .ans = &ans_a, .hit = 0, .reason = R(not_plain) },
	{ "EDNS version 1", 4, "www.example.com.", DNS_TYPE_A, .edns = 1232, .edns_version = 1, .ans = &ans_a,
	  .hit = 0, .reason = R(not_plain) },
	{ "a response (QR=1)", 4, "www.example.com.", DNS_TYPE_A, .flags2 = DNS_QR | DNS_RD, .ans = &ans_a,
	  .hit = 0, .reason = R(not_plain) },
	{ "opcode NOTIFY", 4, "www.example.com.", DNS_TYPE_A, .flags2 = 4 << 3, .ans = &ans_a, .hit = 0,
	  .reason = R(not_plain) },
	{ "TC set in a query", 4, "www.example.com.", DNS_TYPE_A, .flags2 = DNS_TC | DNS_RD, .ans = &ans_a,
	  .hit = 0, .reason = R(not_plain) },
	{ "class CH", 4, "version.bind.", DNS_TYPE_TXT, .qclass = DNS_CLASS_CH, .hit = 0, .reason = R(not_plain) },
	{ "bytes after the question", 4, "www.example.com.", DNS_TYPE_A, .trailing = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(malformed) },
	{ "bytes after the OPT", 6, "www.example.com.", DNS_TYPE_A, .edns = 1232, .trailing = 1, .ans = &ans_a,
	  .hit = 0, .reason = R(malformed) },
	{ "source the access list allows", 4, "www.example.com.", DNS_TYPE_A, .src = SRC_ALLOWED, .ans = &ans_a,
	  .hit = 1, .reason = R(hit) },
	{ "source the access list allows, v6", 6, "www.example.com.", DNS_TYPE_A, .src = SRC_ALLOWED,
	  .ans = &ans_a, .hit = 1, .reason = R(hit) },
	{ "source outside the access list: to the daemon", 4, "www.example.com.", DNS_TYPE_A,
	  .src = SRC_UNLISTED, .ans = &ans_a, .hit = 0, .reason = R(refused) },
	{ "source outside the access list, v6", 6, "www.example.com.", DNS_TYPE_A, .src = SRC_UNLISTED,
	  .ans = &ans_a, .hit = 0, .reason = R(refused) },
	{ "source refused by a longer prefix", 4, "www.example.com.", DNS_TYPE_A, .src = SRC_REFUSED,
	  .ans = &ans_a, .hit = 0, .reason = R(refused) },
	{ "source denied: dropped", 4, "www.example.com.", DNS_TYPE_A, .src = SRC_DENIED, .ans = &ans_a,
	  .drop = 1, .reason = R(denied) },
	{ "source denied, v6", 6, "www.example.com.", DNS_TYPE_A, .src = SRC_DENIED, .ans = &ans_a, .drop = 1,
	  .reason = R(denied) },
	{ "source port 0", 4, "www.example.com.", DNS_TYPE_A, .sport_zero = 1, .ans = &ans_a, .hit = 0,
	  .reason = R(malformed) },
	{ "loopback source on another interface: dropped (forged)", 4, "www.example.com.", DNS_TYPE_A,
	  .nic = 1, .ans = &ans_a, .drop = 1, .reason = R(denied) },
	{ "loopback source on another interface, v6: dropped", 6, "www.example.com.", DNS_TYPE_A, .nic = 1,
	  .ans = &ans_a, .drop = 1, .reason = R(denied) },
	{ "v4-mapped loopback source on another interface: dropped", 6, "www.example.com.", DNS_TYPE_A,
	  .src = SRC_V4MAPPED, .nic = 1, .ans = &ans_a, .drop = 1, .reason = R(denied) },
	{ "an allowed source on another interface is answered", 4, "www.example.com.", DNS_TYPE_A,
	  .src = SRC_ALLOWED, .nic = 1, .ans = &ans_a, .hit = 1, .reason = R(hit) },
};

static struct fastpath *fp;
static const uint8_t lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
static const uint8_t other4[4] = { 127, 0, 0, 9 }, other6[16] = { [15] = 9 };

static struct flow case_flow(const struct tcase *c)
{
	struct flow f = { .family = c->family, .sport = c->sport_zero ? 0 : 40000,
			  .dport = c->dport ? c->dport : 53,
			  .smac = { 2, 0, 0, 0, 0, 1 }, .dmac = { 2, 0, 0, 0, 0, 2 } };

	if (c->family == 4) {
		inet_pton(AF_INET, src4[c->src], f.src);
		memcpy(f.dst, c->other_dst ? other4 : lo4, 4);
	} else {
		inet_pton(AF_INET6, src6[c->src], f.src);
		memcpy(f.dst, c->other_dst ? other6 : lo6, 16);
	}
	return f;
}

static void build_query(const struct tcase *c, struct msg *q)
{
	int ar = (c->edns ? 1 : 0) + (c->extra_ar ? 1 : 0);

	msg_init(q, 0xbeef, c->flags2 ? c->flags2 : DNS_RD, c->flags3);
	msg_counts(q, 1, 0, 0, (uint16_t)ar);
	if (c->qname_ptr) {
		/* the name once in a fake earlier spot is impossible: point at the header */
		static const uint8_t ptr[] = { 0xc0, 0x0c };

		msg_bytes(q, ptr, 2);
		q->question_at = 12;
		msg_bytes(q, "\0\1\0\1", 4);
	} else {
		msg_question(q, c->qname, c->qtype, c->qclass ? c->qclass : DNS_CLASS_IN);
	}
	if (c->edns)
		msg_opt(q, c->edns, c->edns_version, c->edns_flags, c->opts, c->opts_len);
	if (c->extra_ar)
		msg_opt(q, c->edns, 0, 0, NULL, 0);
	if (c->trailing)
		msg_bytes(q, "\0", 1);
}

/* The records of an answer, laid out after a question, optionally with an
 * OPT where the upstream put it. */
static void add_records(struct msg *m, const struct answer *a, uint32_t age, int with_opt)
{
	int n = a->an + a->ns + a->ar;

	for (int i = 0; i < n; i++) {
		if (with_opt && a->opt_first && i == a->an + a->ns)
			msg_opt(m, 1232, 0, 0, NULL, 0);
		msg_rr(m, &a->rr[i], age);
	}
	if (with_opt && !a->opt_first)
		msg_opt(m, 1232, 0, 0, NULL, 0);
}

static int store_entry(const struct tcase *c)
{
	const struct answer *a = c->ans;
	uint64_t now = fastpath_now_ns();
	struct msg r;

	msg_init(&r, 0x1111, DNS_QR | DNS_RD, DNS_RA | (a->ad ? DNS_AD : 0) | a->rcode);
	msg_counts(&r, 1, a->an, a->ns, a->ar + 1);
	/* upstreams may answer in any case: use the lowercase name */
	{
		char lower[300];

		snprintf(lower, sizeof(lower), "%s", c->qname);
		for (char *p = lower; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p |= 0x20;
		msg_question(&r, lower, c->qtype, DNS_CLASS_IN);
	}
	add_records(&r, a, 0, 1);
	return seed_reply_flags(fp, &r, seed_clock_ago(c->age * NS + NS / 2), c->expired ? now - 1 : now + 3600 * NS,
				c->key_flags, a->aa ? BPFDNS_ENTRY_AA : 0);
}

static void clear_cache(void)
{
	struct cache_maps m = fastpath_cache_maps(fp);
	struct bpfdns_key k, next;

	while (!bpf_map_get_next_key(m.fd, NULL, &next)) {
		k = next;
		bpf_map_delete_elem(m.fd, &k);
	}
	while (!bpf_map_get_next_key(m.big_fd, NULL, &next)) {
		k = next;
		bpf_map_delete_elem(m.big_fd, &k);
	}
}

/* The DNS answer the cache should give for a case's query q. */
static void expected_msg(const struct tcase *c, const struct msg *q, struct msg *m)
{
	const struct answer *a = c->ans;
	uint8_t f2 = (c->flags2 ? c->flags2 : DNS_RD) & DNS_RD;
	int want_ad = a->ad && ((c->edns_flags & 0x80) || (c->flags3 & DNS_AD));
	size_t qend = q->question_at;

	while (q->buf[qend]) /* question name, then type and class */
		qend += q->buf[qend] + 1;
	qend += 5;
	msg_init(m, 0xbeef, DNS_QR | f2 | (a->aa ? DNS_AA : 0),
		 DNS_RA | (want_ad ? DNS_AD : 0) | (c->flags3 & DNS_CD) | a->rcode);
	msg_counts(m, 1, a->an, a->ns, a->ar + (c->edns ? 1 : 0));
	msg_bytes(m, q->buf + 12, qend - 12);
	m->question_at = 12;
	add_records(m, a, c->age, 0);
	if (c->edns)
		msg_opt(m, 1232, 0, c->edns_flags & 0x80, NULL, 0);
}

static size_t expected_answer(const struct tcase *c, const struct msg *q, const struct flow *f, uint8_t *out)
{
	struct flow r = flow_reverse(f);
	struct msg m;

	expected_msg(c, q, &m);
	return frame_build(out, &r, m.buf, m.len);
}

/* Run the hook on a frame that came in on ifindex (0: lo). */
static int run_prog_on(enum fastpath_hook hook, uint32_t ifindex, const uint8_t *in, size_t in_len, uint8_t *out,
		       size_t *out_len, uint32_t *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = in_len, .data_out = out,
		    .data_size_out = (uint32_t)*out_len);
	struct xdp_md xdp = { .data_end = (uint32_t)in_len, .ingress_ifindex = ifindex };
	struct __sk_buff skb = { .ifindex = ifindex };
	int err;

	if (ifindex && hook == FASTPATH_XDP) {
		opts.ctx_in = &xdp;
		opts.ctx_size_in = sizeof(xdp);
	} else if (ifindex) {
		opts.ctx_in = &skb;
		opts.ctx_size_in = sizeof(skb);
	}
	err = bpf_prog_test_run_opts(fastpath_prog_fd(fp, hook), &opts);

	if (err)
		return -errno;
	*out_len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

static int run_prog(enum fastpath_hook hook, const uint8_t *in, size_t in_len, uint8_t *out, size_t *out_len,
		    uint32_t *retval)
{
	return run_prog_on(hook, 0, in, in_len, out, out_len, retval);
}

static uint64_t counter(const struct bpfdns_counters *c, size_t off)
{
	return *(const uint64_t *)((const uint8_t *)c + off);
}

/* Test runs hand back the metadata XDP put before a packet it passed (its
 * verdict, for TC): take it off out. Returns the outcome it carries, or -1
 * without metadata. */
static int meta_strip(enum fastpath_hook hook, uint8_t *out, size_t *out_len, size_t in_len)
{
	struct bpfdns_meta m;

	if (hook != FASTPATH_XDP || *out_len != in_len + sizeof(m))
		return -1;
	memcpy(&m, out, sizeof(m));
	if (m.magic != BPFDNS_META_MAGIC)
		return -1;
	memmove(out, out + sizeof(m), in_len);
	*out_len = in_len;
	return (int)m.outcome;
}

static void run_case(const struct tcase *c, enum fastpath_hook hook)
{
	uint8_t frame[MSG_MAX + 100], out[MSG_MAX + 200], want[MSG_MAX + 200];
	uint32_t hit_ret = hook == FASTPATH_XDP ? XDP_TX : TC_ACT_REDIRECT;
	uint32_t pass_ret = hook == FASTPATH_XDP ? XDP_PASS : TC_ACT_OK;
	uint32_t drop_ret = hook == FASTPATH_XDP ? XDP_DROP : TC_ACT_SHOT;
	struct bpfdns_counters before, after;
	size_t len, out_len = sizeof(out), want_len = 0;
	struct flow f = case_flow(c);
	char name[200];
	uint32_t ret;
	struct msg q;
	int err;

	snprintf(name, sizeof(name), "%s: %s", fastpath_hook_name(hook), c->desc);
	if (c->nic && !nic_ifindex) {
		test_skip(name, "no veth to come in on");
		return;
	}
	clear_cache();
	if (c->ans && (err = store_entry(c))) {
		test_fail(name, "cannot store the entry: %s", strerror(-err));
		return;
	}
	build_query(c, &q);
	len = frame_build(frame, &f, q.buf, q.len);
	fastpath_counters(fp, &before);
	err = run_prog_on(hook, c->nic ? nic_ifindex : 0, frame, len, out, &out_len, &ret);
	fastpath_counters(fp, &after);
	if (err) {
		test_fail(name, "test run: %s", strerror(-err));
		return;
	}
	if (counter(&after, c->reason) != counter(&before, c->reason) + 1) {
		test_fail(name, "counter at offset %zu did not move (verdict %u)", c->reason, ret);
		return;
	}
	if (!c->hit) {
		int verdict = meta_strip(hook, out, &out_len, len);

		/* counters and outcomes are in the same order */
		if (verdict >= 0 && (size_t)verdict != c->reason / sizeof(uint64_t)) {
			test_fail(name, "XDP tells TC outcome %d, not this one", verdict);
			return;
		}
		if (ret != (c->drop ? drop_ret : pass_ret) || out_len != len || memcmp(out, frame, len)) {
			test_fail(name, "want an untouched %s, got verdict %u", c->drop ? "drop" : "pass", ret);
			test_hexdiff("packet", out, out_len, frame, len);
			return;
		}
		test_pass(name);
		return;
	}
	want_len = expected_answer(c, &q, &f, want);
	if (ret != hit_ret || out_len != want_len || memcmp(out, want, want_len)) {
		test_fail(name, "verdict %u (want %u) or bytes differ", ret, hit_ret);
		test_hexdiff("answer", out, out_len, want, want_len);
		return;
	}
	if (frame_check_csums(out, out_len)) {
		test_fail(name, "checksums do not verify");
		return;
	}
	test_pass(name);
}

/* The daemon answers hits the fast path passes on (too big for it, TCP)
 * from the same entry: its bytes must be the fast path's. */
static void run_daemon_case(const struct tcase *c)
{
	uint8_t out[MSG_MAX];
	struct entry e;
	struct client_query cq;
	struct msg q, want;
	char name[200];
	size_t n;
	int err;

	snprintf(name, sizeof(name), "daemon: %s", c->desc);
	clear_cache();
	if ((err = store_entry(c))) {
		test_fail(name, "cannot store the entry: %s", strerror(-err));
		return;
	}
	build_query(c, &q);
	if (query_parse(q.buf, q.len, &cq) || fastpath_lookup(fp, &cq.key, &e)) {
		test_fail(name, "query not parsed, or its entry not found under its key");
		return;
	}
	n = answer_from_entry(q.buf, &cq, &e, fastpath_now_ns(), 1232, query_udp_limit(&cq, 1232), out,
			      sizeof(out));
	expected_msg(c, &q, &want);
	if (n != want.len || memcmp(out, want.buf, n)) {
		test_fail(name, "bytes differ from the fast path's answer");
		test_hexdiff("answer", out, n, want.buf, want.len);
		return;
	}
	test_pass(name);
}

/* Every prefix of a valid query frame, and every truncation of its DNS
 * message inside consistent IP/UDP lengths, must pass untouched. */
static void run_truncations(const struct tcase *c, enum fastpath_hook hook)
{
	uint8_t frame[MSG_MAX + 100], out[MSG_MAX + 200];
	uint32_t pass_ret = hook == FASTPATH_XDP ? XDP_PASS : TC_ACT_OK;
	struct flow f = case_flow(c);
	size_t len;
	char name[200];
	struct msg q;
	int n = 0, skipped = 0, err;

	snprintf(name, sizeof(name), "%s: every truncation of a %s query passes", fastpath_hook_name(hook),
		 c->desc);
	clear_cache();
	store_entry(c);
	build_query(c, &q);
	len = frame_build(frame, &f, q.buf, q.len);
	/* BPF_PROG_TEST_RUN takes nothing shorter than an Ethernet header (XDP),
	 * or than one plus a byte (TC) */
	for (size_t l = hook == FASTPATH_XDP ? 14 : 15; l < len; l++, n++) {
		size_t out_len = sizeof(out);
		uint32_t ret = 0;

		err = run_prog(hook, frame, l, out, &out_len, &ret);
		meta_strip(hook, out, &out_len, l);
		if (err == -EINVAL && hook == FASTPATH_TC && l < 14 + (c->family == 4 ? 20 : 40)) {
			skipped++; /* test_run_skb wants a whole IP header */
			continue;
		}
		if (err || ret != pass_ret || out_len != l || memcmp(out, frame, l)) {
			test_fail(name, "frame cut to %zu of %zu bytes: %s, verdict %u", l, len, strerror(-err), ret);
			return;
		}
	}
	for (size_t l = 0; l < q.len; l++, n++) {
		uint8_t cut[MSG_MAX + 100];
		size_t cut_len = frame_build(cut, &f, q.buf, l), out_len = sizeof(out);
		uint32_t ret = 0;

		err = run_prog(hook, cut, cut_len, out, &out_len, &ret);
		meta_strip(hook, out, &out_len, cut_len);
		if (err || ret != pass_ret || out_len != cut_len || memcmp(out, cut, cut_len)) {
			test_fail(name, "DNS message cut to %zu of %zu bytes: %s, verdict %u", l, q.len,
				  strerror(-err), ret);
			return;
		}
	}
	printf("# %d truncations run, %d refused by BPF_PROG_TEST_RUN\n", n - skipped, skipped);
	test_pass(name);
}

static int prefetched;

static void on_prefetch(void *ctx, const struct bpfdns_question *key)
{
	(void)ctx;
	if (key->qtype == DNS_TYPE_A && !memcmp(key->name, "\2pf\7example\3com", 16))
		prefetched++;
}

/* A hit in the last 10 % of the TTL asks for a refresh through the ring
 * buffer, once; earlier hits do not. */
static void run_prefetch(enum fastpath_hook hook, int left_pct, int want)
{
	static const struct tcase c = { "prefetch", 4, "pf.example.com.", DNS_TYPE_A, .ans = &ans_a, .hit = 1 };
	uint8_t frame[MSG_MAX + 100], out[MSG_MAX + 200];
	struct bpfdns_counters before, after;
	struct flow f = case_flow(&c);
	uint64_t now = fastpath_now_ns();
	char name[160];
	uint32_t ret;
	struct msg q, r;
	size_t len;
	int err = 0;

	snprintf(name, sizeof(name), "%s: prefetch: hits with %d%% of the TTL left ask %d time(s)",
		 fastpath_hook_name(hook), left_pct, want);
	clear_cache();
	msg_init(&r, 0x1111, DNS_QR | DNS_RD, DNS_RA);
	msg_counts(&r, 1, 1, 0, 1);
	msg_question(&r, "pf.example.com.", DNS_TYPE_A, DNS_CLASS_IN);
	add_records(&r, &ans_a, 0, 1);
	/* a 100 s TTL with left_pct % of it left */
	err = seed_reply(fp, &r, seed_clock_ago((uint64_t)(100 - left_pct) * NS), now + (uint64_t)left_pct * NS, 0);
	build_query(&c, &q);
	len = frame_build(frame, &f, q.buf, q.len);
	prefetched = 0;
	fastpath_prefetch_poll(fp); /* nothing left over */
	prefetched = 0;
	fastpath_counters(fp, &before);
	for (int i = 0; !err && i < 3; i++) {
		size_t out_len = sizeof(out);

		err = run_prog(hook, frame, len, out, &out_len, &ret);
		if (!err && ret != (hook == FASTPATH_XDP ? XDP_TX : TC_ACT_REDIRECT))
			err = -EBADMSG;
	}
	fastpath_counters(fp, &after);
	fastpath_prefetch_poll(fp);
	if (err)
		test_fail(name, "three hits: %s", strerror(-err));
	else if (prefetched != want || after.prefetch - before.prefetch != (uint64_t)want)
		test_fail(name, "%d refresh requests, counter +%llu", prefetched,
			  (unsigned long long)(after.prefetch - before.prefetch));
	else
		test_pass(name);
}

/* Two names whose keys are the same (a hash collision, made here by
 * writing one name's entry under the other's key): neither is answered
 * from the other's entry. */
static void run_collision(enum fastpath_hook hook)
{
	static const struct tcase a = { "", 4, "www.example.com.", DNS_TYPE_A, .ans = &ans_a, .hit = 1 };
	static const struct tcase b = { "", 4, "wwx.example.com.", DNS_TYPE_A, .ans = &ans_a, .hit = 1 };
	uint8_t frame[MSG_MAX + 100], out[MSG_MAX + 200];
	uint32_t pass_ret = hook == FASTPATH_XDP ? XDP_PASS : TC_ACT_OK, ret = 0;
	uint32_t hit_ret = hook == FASTPATH_XDP ? XDP_TX : TC_ACT_REDIRECT;
	struct bpfdns_key ka, kb;
	struct bpfdns_entry_small e;
	struct flow f = case_flow(&a);
	int cfd = fastpath_cache_maps(fp).fd, err;
	char name[160];
	struct msg q;
	size_t len;

	snprintf(name, sizeof(name), "%s: a key whose entry holds another name is a miss (hash collision)",
		 fastpath_hook_name(hook));
	clear_cache();
	/* b's entry, and a's key (the only two keys in the map) */
	err = store_entry(&b) || bpf_map_get_next_key(cfd, NULL, &kb) || bpf_map_lookup_elem(cfd, &kb, &e) ||
	      store_entry(&a) || bpf_map_get_next_key(cfd, NULL, &ka);
	if (!err && !memcmp(&ka, &kb, sizeof(ka)))
		err = bpf_map_get_next_key(cfd, &kb, &ka);
	if (!err)
		err = bpf_map_update_elem(cfd, &ka, &e, BPF_ANY);
	if (err) {
		test_fail(name, "cannot set the entries up");
		return;
	}
	/* a's key now holds b's entry: a passes unchanged; b, under its own
	 * key, is still answered */
	for (int i = 0; i < 2; i++) {
		size_t out_len = sizeof(out);

		build_query(i ? &b : &a, &q);
		len = frame_build(frame, &f, q.buf, q.len);
		err = run_prog(hook, frame, len, out, &out_len, &ret);
		meta_strip(hook, out, &out_len, len);
		if (err || ret != (i ? hit_ret : pass_ret) || (!i && (out_len != len || memcmp(out, frame, len)))) {
			test_fail(name, "%s: %s, verdict %u", i ? "the other name" : "the name", strerror(-err), ret);
			return;
		}
	}
	test_pass(name);
}

int main(void)
{
	struct fastpath_opts opts = { 0 };
	enum fastpath_hook hooks[] = { FASTPATH_XDP, FASTPATH_TC };
	struct acl acl;
	int err;

	if (!test_need_root("fastpath BPF_PROG_TEST_RUN table"))
		return 0;
	/* a network namespace of our own, with a veth for frames that come
	 * in on an interface other than lo */
	if (!unshare(CLONE_NEWNET) &&
	    !system("ip link add bpfdns-nic0 type veth peer name bpfdns-nic1 && ip link set bpfdns-nic0 up"))
		nic_ifindex = if_nametoindex("bpfdns-nic0");
	log_route_libbpf(0);
	for (size_t i = 0; i < sizeof(txt_big); i += 201) {
		txt_big[i] = 200;
		memset(txt_big + i + 1, 'x', 200);
	}
	acl_defaults(&acl);
	for (size_t i = 0; i < sizeof(acl_rules) / sizeof(acl_rules[0]); i++)
		if (acl_add(&acl, acl_rules[i]))
			test_fail("access list rules", "cannot add %s", acl_rules[i]);
	opts.acl = &acl;
	opts.prefetch_pct = 10;
	err = fastpath_open(&fp, &opts);
	if (err) {
		test_fail("load the fast path", "%s", strerror(-err));
		return 1;
	}
	if (fastpath_prefetch_open(fp, on_prefetch, NULL) < 0)
		test_fail("prefetch ring buffer", "cannot open it");
	fastpath_listen_add(fp, 4, lo4, 53);
	fastpath_listen_add(fp, 6, lo6, 53);
	fastpath_listen_add(fp, 4, NULL, 5300);
	fastpath_listen_add(fp, 6, NULL, 5300);

	for (size_t h = 0; h < 2; h++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i], hooks[h]);
		run_truncations(&cases[2], hooks[h]); /* v4 with EDNS */
		run_truncations(&cases[3], hooks[h]); /* v6 with a cookie */
		run_collision(hooks[h]);
		run_prefetch(hooks[h], 5, 1);
		run_prefetch(hooks[h], 50, 0);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].hit && cases[i].dport == 0 && !cases[i].other_dst && !cases[i].src)
			run_daemon_case(&cases[i]);
	fastpath_close(fp);
	return test_exit();
}
