// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fastpath_random_test.c - random and mutated frames through the real XDP
 * and TC programs (BPF_PROG_TEST_RUN). The property: the program answers
 * nothing but a well-formed query (as the daemon's own parser sees it), to
 * a listen address and port, for a cached name; and every answer it emits
 * has consistent headers and checksums and is, byte for byte, the answer
 * the daemon builds from the same entry.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
#define ITERATIONS 20000

static struct fastpath *fp;
static const uint8_t lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint32_t rnd(void)
{
	/* xorshift64*: a fixed seed, so a failure can be replayed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static const uint8_t a1[] = { 192, 0, 2, 1 };
static const uint8_t aaaa1[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

static int seed(const char *name, uint16_t type, uint8_t flags)
{
	struct msg r;
	struct trr rr = { "@q", type, 300, type == DNS_TYPE_A ? a1 : aaaa1, type == DNS_TYPE_A ? 4u : 16u };
	uint64_t now = fastpath_now_ns();

	msg_init(&r, 1, DNS_QR | DNS_RD, DNS_RA);
	msg_counts(&r, 1, 1, 0, 0);
	msg_question(&r, name, type, DNS_CLASS_IN);
	msg_rr(&r, &rr, 0);
	return seed_reply(fp, &r, seed_clock_ago(5 * NS + NS / 2), now + 3600 * NS, flags);
}

/* A valid query frame to start mutating from. */
static size_t base_frame(uint8_t *out, int variant)
{
	struct flow f = { .family = variant & 1 ? 6 : 4, .sport = 40000, .dport = 53,
			  .smac = { 2, 0, 0, 0, 0, 1 }, .dmac = { 2, 0, 0, 0, 0, 2 } };
	struct msg q;
	int edns = variant & 2, aaaa = variant & 4;

	memcpy(f.src, f.family == 4 ? lo4 : lo6, f.family == 4 ? 4 : 16);
	memcpy(f.dst, f.family == 4 ? lo4 : lo6, f.family == 4 ? 4 : 16);
	msg_init(&q, (uint16_t)rnd(), DNS_RD, 0);
	msg_counts(&q, 1, 0, 0, edns ? 1 : 0);
	msg_question(&q, variant & 8 ? "WwW.Example.COM." : "www.example.com.", aaaa ? DNS_TYPE_AAAA : DNS_TYPE_A,
		     DNS_CLASS_IN);
	if (edns)
		msg_opt(&q, 1232, 0, variant & 16 ? 0x80 : 0, NULL, 0);
	return frame_build(out, &f, q.buf, q.len);
}

static size_t mutate(uint8_t *frame, size_t len, size_t cap)
{
	switch (rnd() % 6) {
	case 0: /* flip bits */
	case 1:
		for (int k = 1 + (int)(rnd() % 3); k > 0; k--)
			frame[rnd() % len] ^= (uint8_t)(1u << (rnd() % 8));
		return len;
	case 2: /* random bytes in the DNS part */
		for (int k = 1 + (int)(rnd() % 4); k > 0 && len > 42; k--)
			frame[42 + rnd() % (len - 42)] = (uint8_t)rnd();
		return len;
	case 3: /* truncate */
		return 14 + rnd() % (len - 13);
	case 4: /* grow with junk */
	{
		size_t add = rnd() % 64;

		for (size_t i = 0; i < add && len < cap; i++)
			frame[len++] = (uint8_t)rnd();
		return len;
	}
	default: /* entirely random after the Ethernet header */
		len = 14 + rnd() % 200;
		for (size_t i = 14; i < len; i++)
			frame[i] = (uint8_t)rnd();
		return len;
	}
}

/* The DNS payload of a frame, when its Ethernet/IP/UDP framing is whole
 * and consistent (Ethernet padding after the IP packet allowed) and it goes
 * to a listen address on port 53. */
static const uint8_t *for_us(const uint8_t *f, size_t len, size_t *dns_len)
{
	size_t ip_len, l4, udp_len;

	if (len < 14 + 20)
		return NULL;
	if (f[12] == 0x08 && f[13] == 0x00) {
		if (f[14] != 0x45 || f[23] != 17 || memcmp(f + 30, lo4, 4) || (f[20] & 0x3f) || f[21])
			return NULL; /* options, not UDP, not ours, a fragment */
		ip_len = dns_get16(f + 16);
		l4 = 14 + 20;
	} else if (f[12] == 0x86 && f[13] == 0xdd) {
		if (len < 14 + 40 || (f[14] >> 4) != 6 || f[20] != 17 || memcmp(f + 38, lo6, 16))
			return NULL;
		ip_len = 40 + dns_get16(f + 18);
		l4 = 14 + 40;
	} else {
		return NULL;
	}
	if (ip_len > len - 14 || ip_len < l4 - 14 + 8)
		return NULL;
	udp_len = dns_get16(f + l4 + 4);
	if (dns_get16(f + l4 + 2) != 53 || udp_len != ip_len - (l4 - 14))
		return NULL;
	*dns_len = udp_len - 8;
	return f + l4 + 8;
}

struct tally {
	int runs, hits, failures;
};

static void check_answer(const char *name, struct tally *t, const uint8_t *in, size_t in_len, const uint8_t *out,
			 size_t out_len, uint64_t t0, uint64_t t1)
{
	uint8_t want[4096];
	struct client_query cq;
	struct entry e;
	const uint8_t *q, *a;
	size_t q_len, a_len, n0, n1;

	q = for_us(in, in_len, &q_len);
	if (!q || query_parse(q, q_len, &cq) || fastpath_lookup(fp, &cq.key, &e)) {
		if (t->failures++ < 3) {
			test_fail(name, "answered a frame that is not a well-formed query for a cached name");
			test_hexdiff("input", in, in_len, in, in_len);
		}
		return;
	}
	/* the answer's framing is the query's, reversed; checksums verify */
	a = out + (q - in);
	a_len = out_len >= (size_t)(q - in) ? dns_get16(a - 4) - 8u : 0;
	if (out_len < (size_t)(q - in) || (size_t)(q - in) + a_len > out_len || frame_check_csums(out, out_len)) {
		if (t->failures++ < 3)
			test_fail(name, "answer framing or checksums wrong");
		return;
	}
	/* the age may cross a second between the run and here: either will do */
	n0 = answer_from_entry(q, &cq, &e, t0, 1232, query_udp_limit(&cq, 1232), want, sizeof(want));
	if (n0 == a_len && !memcmp(want, a, a_len))
		return;
	n1 = answer_from_entry(q, &cq, &e, t1, 1232, query_udp_limit(&cq, 1232), want, sizeof(want));
	if (n1 == a_len && !memcmp(want, a, a_len))
		return;
	if (t->failures++ < 3) {
		test_fail(name, "answer differs from the daemon's for the same entry");
		test_hexdiff("answer", a, a_len, want, n1);
	}
}

static void run(enum fastpath_hook hook)
{
	uint32_t hit_ret = hook == FASTPATH_XDP ? XDP_TX : TC_ACT_REDIRECT;
	struct tally t = { 0 };
	char name[128];

	snprintf(name, sizeof(name), "%s: %d random and mutated frames", fastpath_hook_name(hook), ITERATIONS);
	for (int i = 0; i < ITERATIONS; i++) {
		uint8_t in[2048], out[4096];
		size_t len = base_frame(in, (int)(rnd() % 32));
		uint64_t t0, t1;

		if (i % 8) /* one in eight stays valid: hits must happen too */
			len = mutate(in, len, sizeof(in));
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = (uint32_t)len, .data_out = out,
			    .data_size_out = sizeof(out));
		t0 = fastpath_now_ns();
		if (bpf_prog_test_run_opts(fastpath_prog_fd(fp, hook), &opts))
			continue; /* too short for this hook's test run */
		t1 = fastpath_now_ns();
		t.runs++;
		if (opts.retval != hit_ret)
			continue;
		t.hits++;
		check_answer(name, &t, in, len, out, opts.data_size_out, t0, t1);
	}
	if (!t.failures && t.hits)
		printf("PASS %s: %d run, %d answered, each a well-formed answer to a well-formed query\n", name,
		       t.runs, t.hits);
	else if (!t.failures)
		test_fail(name, "nothing answered: the valid frames should be");
	else
		printf("# %d failures in all\n", t.failures);
}

int main(void)
{
	struct fastpath_opts opts = { 0 };

	if (!test_need_root("fastpath random frames"))
		return 0;
	log_route_libbpf(0);
	if (fastpath_open(&fp, &opts)) {
		test_fail("load the fast path", "cannot");
		return 1;
	}
	fastpath_listen_add(fp, 4, lo4, 53);
	fastpath_listen_add(fp, 6, lo6, 53);
	if (seed("www.example.com.", DNS_TYPE_A, 0) || seed("www.example.com.", DNS_TYPE_AAAA, 0) ||
	    seed("www.example.com.", DNS_TYPE_A, BPFDNS_KEY_DO)) {
		test_fail("seed the cache", "cannot store entries");
		return 1;
	}
	run(FASTPATH_XDP);
	run(FASTPATH_TC);
	fastpath_close(fp);
	return test_exit();
}
