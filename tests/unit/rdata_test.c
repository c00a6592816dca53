// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* rdata_test.c - records as bpfdnsctl prints them (rdata.c), each type as
 * dig does, anything else in RFC 3597's form. */
#include <stdio.h>
#include <string.h>
#include "dns.h"
#include "pkt.h"
#include "rdata.h"
#include "test.h"

static const uint8_t a1[] = { 192, 0, 2, 1 };
static const uint8_t aaaa1[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t pref10[] = { 0, 10 };
static const uint8_t srv[] = { 0, 0, 0, 5, 0x13, 0xc4 }; /* priority 0, weight 5, port 5060 */
static const uint8_t soa_tail[] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x02, 0x58,
				    0, 1, 0x51, 0x80, 0, 0, 0x0e, 0x10 }; /* 1 3600 600 86400 3600 */
static const uint8_t txt[] = { 5, 'h', 'e', 'l', 'l', 'o', 3, 'a', '"', 'b', 2, 0xc3, 0xa9, 0 };
static const uint8_t caa[] = { 0, 5, 'i', 's', 's', 'u', 'e', 'l', 'e', 't', 's', 'e', 'n', 'c', 'r', 'y',
			       'p', 't', '.', 'o', 'r', 'g' };
static const uint8_t opaque[] = { 1, 2 };
static const uint8_t short_mx[] = { 10 };

struct rcase {
	const char *desc;
	struct trr rr;
	const char *want;
};

static const struct rcase cases[] = {
	{ "A", { "x.example.", DNS_TYPE_A, 60, a1, 4 }, "192.0.2.1" },
	{ "AAAA", { "x.example.", DNS_TYPE_AAAA, 60, aaaa1, 16 }, "2001:db8::1" },
	{ "CNAME (compressed against the question)",
	  { "x.example.", DNS_TYPE_CNAME, 60, .names = { "www.@o0" } }, "www.x.example." },
	{ "PTR", { "1.2.0.192.in-addr.arpa.", 12, 60, .names = { "host.example." } }, "host.example." },
	{ "MX", { "x.example.", DNS_TYPE_MX, 60, pref10, 2, .names = { "mail.example.com." } },
	  "10 mail.example.com." },
	{ "SRV", { "_sip._udp.example.", DNS_TYPE_SRV, 60, srv, 6, .names = { "sip.example.com." } },
	  "0 5 5060 sip.example.com." },
	{ "SOA", { "example.", DNS_TYPE_SOA, 60, .names = { "ns1.example.", "hostmaster.example." },
		   .post = soa_tail, .post_len = sizeof(soa_tail) },
	  "ns1.example. hostmaster.example. 1 3600 600 86400 3600" },
	{ "TXT: strings quoted, quotes escaped, bytes outside ASCII as \\DDD, an empty one",
	  { "x.example.", DNS_TYPE_TXT, 60, txt, sizeof(txt) }, "\"hello\" \"a\\\"b\" \"\\195\\169\" \"\"" },
	{ "CAA", { "example.", DNS_TYPE_CAA, 60, caa, sizeof(caa) }, "0 issue \"letsencrypt.org\"" },
	{ "an unknown type: RFC 3597", { "x.example.", 65280, 60, opaque, sizeof(opaque) }, "\\# 2 0102" },
	{ "an MX too short to parse: RFC 3597", { "x.example.", DNS_TYPE_MX, 60, short_mx, 1 }, "\\# 1 0a" },
	{ "a TXT string running past its RDATA: RFC 3597",
	  { "x.example.", DNS_TYPE_TXT, 60, txt, 4 }, "\\# 4 0568656c" },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		struct msg m;
		struct dns_rr rr;
		char out[512], name[160];
		size_t off;
		int err;

		msg_init(&m, 1, DNS_QR, 0);
		msg_counts(&m, 1, 1, 0, 0);
		msg_question(&m, "x.example.", DNS_TYPE_A, DNS_CLASS_IN);
		msg_rr(&m, &c->rr, 0);
		off = m.question_at;
		err = dns_name_read(m.buf, m.len, &off, (uint8_t[DNS_NAME_MAX + 1]){ 0 }, &(size_t){ 0 });
		off += 4;
		err = err ?: dns_rr_read(m.buf, m.len, &off, &rr);
		snprintf(name, sizeof(name), "rdata: %s", c->desc);
		if (err) {
			test_fail(name, "the record does not parse: %d", err);
			continue;
		}
		rdata_text(m.buf, m.len, &rr, out, sizeof(out));
		CHECK(name, !strcmp(out, c->want), "got %s, want %s", out, c->want);
	}
	return test_exit();
}
