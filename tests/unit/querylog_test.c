// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* querylog_test.c - the query log's lines for answers a test upstream does
 * not give (querylog.c): a TXT line per string, dnsmasq's RCODE words, ANY
 * as <TYPE>, a CNAME chain too long to judge. No root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dns.h"
#include "log.h"
#include "querylog.h"
#include "test.h"

static uint8_t msg[2048];
static size_t len;

/* A reply to NAME (a wire name) of qtype, RCODE rcode, no records yet. */
static void reply(const char *name, size_t nlen, uint16_t qtype, uint8_t rcode)
{
	memset(msg, 0, DNS_HDR_LEN);
	msg[2] = DNS_QR | DNS_RD;
	msg[3] = rcode;
	msg[5] = 1;
	memcpy(msg + DNS_HDR_LEN, name, nlen);
	len = DNS_HDR_LEN + nlen;
	dns_put16(msg + len, qtype);
	dns_put16(msg + len + 2, DNS_CLASS_IN);
	len += 4;
}

/* An answer record: owner, type, rdata. */
static void record(const char *owner, size_t olen, uint16_t type, const void *rdata, size_t rdlen)
{
	memcpy(msg + len, owner, olen);
	len += olen;
	dns_put16(msg + len, type);
	dns_put16(msg + len + 2, DNS_CLASS_IN);
	dns_put32(msg + len + 4, 300);
	dns_put16(msg + len + 8, (uint16_t)rdlen);
	memcpy(msg + len + 10, rdata, rdlen);
	len += 10 + rdlen;
	dns_put16(msg + 6, dns_get16(msg + 6) + 1);
}

/* The lines logged for msg, into out. */
static void lines(const char *path, char *out, size_t n)
{
	struct qlog_tag t = { QUERYLOG_ON, 1, NULL };
	FILE *f;
	size_t r;

	truncate(path, 0);
	qlog_answer(&t, "reply", msg, len);
	f = fopen(path, "r");
	r = f ? fread(out, 1, n - 1, f) : 0;
	out[r] = '\0';
	if (f)
		fclose(f);
}

#define N(s) s, sizeof(s) /* a wire name literal, root label included */

int main(void)
{
	char path[] = "/tmp/bpfdns-qlog-test.XXXXXX", out[8192], cname[3][8] = { "\1a\4test", "\1b\4test", "\1c\4test" };
	int fd = mkstemp(path);

	if (fd < 0 || log_use_file(path)) {
		test_fail("querylog: a log file", "cannot make one");
		return test_exit();
	}
	close(fd);

	reply(N("\3txt\4test"), DNS_TYPE_TXT, 0);
	record(N("\3txt\4test"), DNS_TYPE_TXT, "\7v=spf1 \16include:x -all", 23);
	lines(path, out, sizeof(out));
	CHECK("TXT: a line per string, as dnsmasq's", strstr(out, "reply txt.test is v=spf1 \n") &&
	      strstr(out, "reply txt.test is include:x -all\n"), "got:\n%s", out);

	reply(N("\1x\4test"), DNS_TYPE_A, DNS_RCODE_NOTIMP);
	lines(path, out, sizeof(out));
	CHECK("RCODE: NOTIMP in dnsmasq's words", strstr(out, "reply error is not implemented\n") != NULL, "got:\n%s",
	      out);
	reply(N("\1x\4test"), DNS_TYPE_A, 6);
	lines(path, out, sizeof(out));
	CHECK("RCODE: others as their number", strstr(out, "reply error is 6\n") != NULL, "got:\n%s", out);
	reply(N("\1x\4test"), DNS_TYPE_A, DNS_RCODE_SERVFAIL);
	lines(path, out, sizeof(out));
	CHECK("RCODE: SERVFAIL by name", strstr(out, "reply error is SERVFAIL\n") != NULL, "got:\n%s", out);

	reply(N("\3any\4test"), DNS_TYPE_ANY, 0);
	record(N("\3any\4test"), DNS_TYPE_A, "\xc0\0\2\1", 4);
	record(N("\3any\4test"), DNS_TYPE_TXT, "\2hi", 3);
	lines(path, out, sizeof(out));
	CHECK("ANY: each record as <TYPE>", strstr(out, "reply any.test is <A>\n") &&
	      strstr(out, "reply any.test is <TXT>\n"), "got:\n%s", out);

	/* a -> b -> c -> a: followed 10 hops, then no verdict (no NODATA) */
	reply(cname[0], 8, DNS_TYPE_A, 0);
	for (int i = 0; i < 3; i++)
		record(cname[i], 8, DNS_TYPE_CNAME, cname[(i + 1) % 3], 8);
	lines(path, out, sizeof(out));
	CHECK("a CNAME loop: followed as far as dnsmasq, no verdict", strstr(out, "<CNAME>") &&
	      !strstr(out, "NODATA") && !strstr(out, "NXDOMAIN"), "got:\n%s", out);
	unlink(path);
	return test_exit();
}
