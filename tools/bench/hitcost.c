// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * hitcost - what the fast path costs per packet, stage by stage, measured
 * with BPF_PROG_TEST_RUN on the real programs (XDP and TC) and the floor.
 *
 *   hitcost [RUNS [CACHE_ENTRIES]]
 *
 * Cases with more names than half CACHE_ENTRIES (default 16384) are left
 * out: the LRU map would evict some.
 * Each case is run RUNS times (default 20000), one run per call, since a hit
 * rewrites its packet; the kernel times the program alone. The median of the
 * runs is printed, in ns, for cases chosen so that differences are stages:
 * a packet for another port costs the transport parse, a miss adds the
 * header, name, key and lookup, a hit adds the answer. On lo each answer
 * passes back through the XDP program, so a hit there costs "hit" plus
 * "answer passing". Runs in a network namespace of its own; needs root.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dns.h"
#include "fastpath.h"
#include "floor.skel.h"
#include "log.h"
#include "pkt.h"
#include "seed.h"

#define NS 1000000000ULL

struct bcase {
	const char *desc;
	const char *qname;   /* as the client writes it */
	uint16_t qtype;
	uint16_t edns;	     /* 0: no OPT */
	int cookie;	     /* the OPT carries a cookie, as dig sends */
	int records;	     /* A records cached (0: nothing cached) */
	size_t txt;	     /* or one TXT record of this many bytes */
	int age;	     /* seconds since stored */
	int response;	     /* a reply from port 53 to a client (an answer passing back) */
	uint16_t dport;	     /* 0: 53 */
	int names;	     /* asked in turn: names distinct entries (0: one) */
	uint32_t want_xdp;   /* verdicts the case must get */
	uint32_t want_tc;
};

static const uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
static const uint8_t addr_a[] = { 192, 0, 2, 1 };

#define LONG "a-rather-long-label-for-a-cdn.edge-cache.region-1.example-cdn.net."

static const struct bcase cases[] = {
	{ "answer passing back (lo)", "www.example.com.", DNS_TYPE_A, .records = 1, .response = 1,
	  .want_xdp = XDP_PASS, .want_tc = TC_ACT_OK },
	{ "query to another port", "www.example.com.", DNS_TYPE_A, .dport = 5353, .want_xdp = XDP_PASS,
	  .want_tc = TC_ACT_OK },
	{ "miss", "nothere.example.com.", DNS_TYPE_A, .want_xdp = XDP_PASS, .want_tc = TC_ACT_OK },
	{ "hit: A, no EDNS (dnsperf)", "www.example.com.", DNS_TYPE_A, .records = 1, .want_xdp = XDP_TX,
	  .want_tc = TC_ACT_REDIRECT },
	{ "hit: A, EDNS with a cookie (dig)", "www.example.com.", DNS_TYPE_A, .edns = 1232, .cookie = 1,
	  .records = 1, .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: A, TTL aged", "www.example.com.", DNS_TYPE_A, .records = 1, .age = 5, .want_xdp = XDP_TX,
	  .want_tc = TC_ACT_REDIRECT },
	{ "hit: 4 A records, aged", "www.example.com.", DNS_TYPE_A, .records = 4, .age = 5,
	  .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: 66-byte name", LONG, DNS_TYPE_A, .records = 1, .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: 1000 names in turn", "%07d.example.com.", DNS_TYPE_A, .records = 1, .names = 1000,
	  .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: 100000 names in turn", "%07d.example.com.", DNS_TYPE_A, .records = 1, .names = 100000,
	  .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: 1000000 names in turn", "%07d.example.com.", DNS_TYPE_A, .records = 1, .names = 1000000,
	  .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
	{ "hit: 1000-byte TXT, EDNS", "txt.example.com.", DNS_TYPE_TXT, .edns = 1232, .txt = 1000,
	  .want_xdp = XDP_TX, .want_tc = TC_ACT_REDIRECT },
};

static struct fastpath *fp;
static int runs = 20000;

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

#define FRAME_MAX 1536
/* Room for a frame of a case with many names (a short query): 1000000 of them fit in memory */
#define FRAME_SHORT 128

/* The frames of a case, asked in turn: frame i at buf + i * slot. */
struct frames {
	uint8_t *buf;
	size_t slot;
	size_t *len;
	int n;
};

/* Median ns per run of prog on the frames in turn; -errno, or -EBADMSG for
 * a verdict other than want (the case would not measure what it says). */
static long time_prog(int prog, const struct frames *fr, uint32_t want)
{
	uint8_t out[MSG_MAX + 256];
	uint32_t *ns = calloc((size_t)runs, sizeof(*ns));
	long median;

	if (!ns)
		return -ENOMEM;
	for (int i = 0; i < runs; i++) {
		/* many names: spread over all of them (a prime stride) */
		size_t at = (size_t)i * 104729 % (size_t)fr->n;
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = fr->buf + at * fr->slot,
			    .data_size_in = (uint32_t)fr->len[at],
			    .data_out = out, .data_size_out = sizeof(out), .repeat = 1);

		if (bpf_prog_test_run_opts(prog, &opts)) {
			free(ns);
			return -errno;
		}
		if (opts.retval != want) {
			free(ns);
			return -EBADMSG;
		}
		ns[i] = opts.duration;
	}
	qsort(ns, (size_t)runs, sizeof(*ns), cmp_u32);
	median = ns[runs / 2];
	free(ns);
	return median;
}

static int seed_case(const struct bcase *c, const char *qname)
{
	static uint8_t txt[2048];
	struct msg r;
	uint64_t now = fastpath_now_ns();
	int n = c->txt ? 1 : c->records;

	msg_init(&r, 0x1111, DNS_QR | DNS_RD, DNS_RA);
	msg_counts(&r, 1, (uint16_t)n, 0, 0);
	msg_question(&r, qname, c->qtype, DNS_CLASS_IN);
	for (int i = 0; i < n; i++) {
		struct trr rr = { .owner = qname, .type = c->qtype, .ttl = 300, .pre = addr_a,
				  .pre_len = sizeof(addr_a) };

		if (c->txt) {
			for (size_t o = 0; o < c->txt; o += 200) {
				txt[o] = (uint8_t)(c->txt - o - 1 < 199 ? c->txt - o - 1 : 199);
				memset(txt + o + 1, 't', txt[o]);
			}
			rr.pre = txt;
			rr.pre_len = c->txt;
		}
		msg_rr(&r, &rr, 0);
	}
	return seed_reply(fp, &r, c->age ? seed_clock_ago((uint64_t)c->age * NS) : now, now + 3600 * NS, 0);
}

static size_t case_frame(const struct bcase *c, const char *qname, uint8_t *frame)
{
	struct flow f = { .family = 4, .sport = 40000, .dport = c->dport ? c->dport : 53,
			  .smac = { 2, 0, 0, 0, 0, 1 }, .dmac = { 2, 0, 0, 0, 0, 2 } };
	struct msg q;

	inet_pton(AF_INET, "127.0.0.1", f.src);
	inet_pton(AF_INET, "127.0.0.1", f.dst);
	msg_init(&q, 0xbeef, c->response ? DNS_QR | DNS_RD : DNS_RD, c->response ? DNS_RA : 0);
	msg_counts(&q, 1, c->response ? 1 : 0, 0, c->edns ? 1 : 0);
	msg_question(&q, qname, c->qtype, DNS_CLASS_IN);
	if (c->response) {
		struct trr rr = { .owner = qname, .type = c->qtype, .ttl = 300, .pre = addr_a,
				  .pre_len = sizeof(addr_a) };

		msg_rr(&q, &rr, 0);
		f = flow_reverse(&f);
		f.dport = 40000;
	}
	if (c->edns)
		msg_opt(&q, c->edns, 0, 0, c->cookie ? cookie : NULL, c->cookie ? sizeof(cookie) : 0);
	return frame_build(frame, &f, q.buf, q.len);
}

/* Seed the entries of a case and build its frames (one per name). */
static int case_frames(const struct bcase *c, struct frames *fr)
{
	int n = c->names ? c->names : 1, err;
	uint8_t frame[FRAME_MAX];
	char qname[256];

	free(fr->buf);
	free(fr->len);
	fr->slot = n > 1 ? FRAME_SHORT : FRAME_MAX;
	fr->buf = calloc((size_t)n, fr->slot);
	fr->len = calloc((size_t)n, sizeof(*fr->len));
	fr->n = n;
	if (!fr->buf || !fr->len)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		snprintf(qname, sizeof(qname), c->qname, i);
		if ((c->records || c->txt) && (err = seed_case(c, qname)))
			return err;
		fr->len[i] = case_frame(c, qname, frame);
		if (fr->len[i] > fr->slot)
			return -E2BIG;
		memcpy(fr->buf + (size_t)i * fr->slot, frame, fr->len[i]);
	}
	return 0;
}

static void print_ns(long ns)
{
	if (ns < 0)
		printf(" %12s", ns == -EBADMSG ? "wrong verdict" : strerror((int)-ns));
	else
		printf(" %12ld", ns);
}

int main(int argc, char **argv)
{
	static const uint8_t lo4[4] = { 127, 0, 0, 1 };
	struct fastpath_opts opts = { 0 };
	struct floor_bpf *floor;
	struct acl acl;
	struct frames fr = { 0 };
	int err;

	if (argc > 1)
		runs = atoi(argv[1]);
	opts.cache_entries = argc > 2 ? (uint32_t)atoi(argv[2]) : 16384;
	if (runs < 1 || unshare(CLONE_NEWNET)) {
		fprintf(stderr, "usage: hitcost [RUNS] (as root: it runs in a network namespace of its own)\n");
		return 1;
	}
	log_route_libbpf(0);
	acl_defaults(&acl);
	opts.acl = &acl;
	opts.prefetch_pct = 0; /* a hit is a hit, not a refresh request */
	err = fastpath_open(&fp, &opts);
	if (err) {
		fprintf(stderr, "hitcost: cannot load the fast path: %s\n", strerror(-err));
		return 1;
	}
	fastpath_listen_add(fp, 4, lo4, 53);
	floor = floor_bpf__open_and_load();
	if (!floor) {
		fprintf(stderr, "hitcost: cannot load the floor program: %s\n", strerror(errno));
		fastpath_close(fp);
		return 1;
	}

	printf("# ns per run, median of %d runs (BPF_PROG_TEST_RUN, IPv4 from 127.0.0.1), cache map of %u\n", runs,
	       opts.cache_entries);
	printf("%-36s %12s %12s %12s\n", "case", "xdp", "tc", "floor (xdp)");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bcase *c = &cases[i];

		if (c->names > (int)opts.cache_entries / 2)
			continue; /* a cache too small for them: misses, not hits */
		err = case_frames(c, &fr);
		if (err) {
			fprintf(stderr, "hitcost: %s: cannot seed the entries: %s\n", c->desc, strerror(-err));
			continue;
		}
		printf("%-36s", c->desc);
		print_ns(time_prog(fastpath_prog_fd(fp, FASTPATH_XDP), &fr, c->want_xdp));
		print_ns(time_prog(fastpath_prog_fd(fp, FASTPATH_TC), &fr, c->want_tc));
		if (c->want_xdp == XDP_TX && !c->edns && c->records == 1 && !c->age && !c->names &&
		    c->qname[0] == 'w')
			print_ns(time_prog(bpf_program__fd(floor->progs.floor_xdp), &fr, XDP_TX));
		printf("\n");
	}
	free(fr.buf);
	free(fr.len);
	floor_bpf__destroy(floor);
	fastpath_close(fp);
	return 0;
}
