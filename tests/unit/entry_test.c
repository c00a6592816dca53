// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* entry_test.c - DNS wire reading and reply -> entry normalisation (no root). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"
#include "entry.h"
#include "pkt.h"
#include "test.h"

static const uint8_t a1[] = { 192, 0, 2, 1 };
static const uint8_t soa_tail[] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08,
				    0, 0x12, 0x75, 0, 0, 0, 0x00, 0x3c }; /* MINIMUM 60 */

static void test_names(void)
{
	/* header, then "a.b." at 12, then a pointer to it, then a loop */
	uint8_t m[64] = { 0 };
	uint8_t out[256];
	size_t off, len;

	memcpy(m + 12, "\1a\1b\0", 5);
	m[17] = 0xc0, m[18] = 12;			/* -> a.b. */
	m[19] = 1, m[20] = 'X', m[21] = 0xc0, m[22] = 17; /* X + -> (-> a.b.) */
	m[23] = 0xc0, m[24] = 23;			/* points at itself */
	m[25] = 0xc0, m[26] = 40;			/* points forward */
	m[27] = 0x40;					/* obsolete label type */

	off = 17;
	CHECK("name: pointer followed", !dns_name_read(m, sizeof(m), &off, out, &len) && len == 5 &&
	      !memcmp(out, "\1a\1b\0", 5) && off == 19, "len %zu off %zu", len, off);
	off = 19;
	CHECK("name: chain of pointers", !dns_name_read(m, sizeof(m), &off, out, &len) && len == 7 &&
	      off == 23, "len %zu", len);
	off = 23;
	CHECK("name: self pointer refused", dns_name_read(m, sizeof(m), &off, out, &len) == -EINVAL, "accepted");
	off = 25;
	CHECK("name: forward pointer refused", dns_name_read(m, sizeof(m), &off, out, &len) == -EINVAL,
	      "accepted");
	off = 27;
	CHECK("name: bad label type refused", dns_name_read(m, sizeof(m), &off, out, &len) == -EINVAL,
	      "accepted");
	off = 12;
	CHECK("name: cut short refused", dns_name_read(m, 15, &off, out, &len) == -EINVAL, "accepted");

	CHECK("name: from text", dns_name_from_text("www.Example.com.", out, sizeof(out)) == 17 &&
	      !memcmp(out, "\3www\7Example\3com\0", 17), "wrong");
	CHECK("name: from text, root", dns_name_from_text(".", out, sizeof(out)) == 1 && out[0] == 0, "wrong");
	CHECK("name: from text, empty label refused", dns_name_from_text("a..b", out, sizeof(out)) < 0,
	      "accepted");
	{
		char text[300];

		dns_name_from_text("a\\.b.c.", out, sizeof(out));
		dns_name_to_text((const uint8_t *)"\3w.w\3com\0", 9, text, sizeof(text));
		CHECK("name: to text escapes dots", !strcmp(text, "w\\.w.com."), "got %s", text);
	}
}

static size_t reply(struct msg *r, uint8_t rcode, int with_soa, uint32_t ttl)
{
	struct trr a = { "@q", DNS_TYPE_A, ttl, a1, 4 };
	struct trr soa = { "example.com.", DNS_TYPE_SOA, 300, .names = { "ns.@o1", "h.@o1" },
			   .post = soa_tail, .post_len = sizeof(soa_tail) };

	msg_init(r, 7, DNS_QR | DNS_RD, DNS_RA | rcode);
	msg_counts(r, 1, with_soa ? 0 : 1, with_soa ? 1 : 0, 0);
	msg_question(r, "WWW.example.com.", DNS_TYPE_A, DNS_CLASS_IN);
	if (with_soa) {
		r->owner_at[1] = r->len; /* so that "@o1" means the SOA owner */
		r->nrr = 1;
		msg_rr(r, &soa, 0);
	} else {
		msg_rr(r, &a, 0);
	}
	return r->len;
}

static void test_entries(void)
{
	struct entry e;
	struct reply_info info;
	struct msg r;
	int err;

	reply(&r, 0, 0, 300);
	err = entry_from_reply(r.buf, r.len, &e, &info);
	CHECK("entry: A record", !err && e.ancount == 1 && e.ttl_count == 1 && info.min_ttl == 300 &&
	      e.data_len == r.len - 33 && !memcmp(info.key.name, "\3www\7example\3com", 17) &&
	      info.key.qtype == DNS_TYPE_A, "err %d", err);

	reply(&r, 0, 0, 0x80000005);
	err = entry_from_reply(r.buf, r.len, &e, &info);
	CHECK("entry: TTL with the top bit set becomes 0", !err && info.min_ttl == 0 &&
	      dns_get32(e.data + e.ttl_off[0]) == 0, "err %d ttl %u", err, info.min_ttl);

	reply(&r, DNS_RCODE_NXDOMAIN, 1, 0);
	err = entry_from_reply(r.buf, r.len, &e, &info);
	CHECK("entry: NXDOMAIN negative TTL is min(SOA TTL, MINIMUM)", !err && info.neg_ttl == 60 &&
	      e.rcode == DNS_RCODE_NXDOMAIN && e.nscount == 1, "err %d neg %u", err, info.neg_ttl);

	reply(&r, 0, 0, 300);
	r.buf[2] &= ~DNS_QR;
	CHECK("entry: a query is refused", entry_from_reply(r.buf, r.len, &e, &info) == -EINVAL, "accepted");

	reply(&r, 0, 0, 300);
	msg_opt(&r, 1232, 0, 0, NULL, 0);
	r.buf[11] = 1;
	r.buf[r.len - 6] = 1; /* extended RCODE */
	CHECK("entry: extended RCODE refused", entry_from_reply(r.buf, r.len, &e, &info) == -EINVAL, "accepted");

	reply(&r, 0, 0, 300);
	msg_opt(&r, 1232, 0, 0, NULL, 0);
	r.buf[7] = 2, r.buf[11] = 0; /* the OPT counted in the answer section */
	CHECK("entry: OPT outside additional refused", entry_from_reply(r.buf, r.len, &e, &info) == -EINVAL,
	      "accepted");

	reply(&r, 0, 0, 300);
	r.buf[7] = 2; /* claims a record that is not there */
	CHECK("entry: missing record refused", entry_from_reply(r.buf, r.len, &e, &info) == -EINVAL, "accepted");

	{
		struct trr a = { "@q", DNS_TYPE_A, 300, a1, 4 };

		msg_init(&r, 7, DNS_QR, 0);
		msg_counts(&r, 1, BPFDNS_TTL_MAX + 1, 0, 0);
		msg_question(&r, "a.", DNS_TYPE_A, DNS_CLASS_IN);
		for (int i = 0; i <= BPFDNS_TTL_MAX; i++)
			msg_rr(&r, &a, 0);
		CHECK("entry: too many records is E2BIG", entry_from_reply(r.buf, r.len, &e, &info) == -E2BIG,
		      "not E2BIG");
	}
}

/* entry_to_reply(e) makes e again: what the cache file keeps of an entry. */
static int round_trips(const struct entry *e, const struct reply_info *info)
{
	static uint8_t msg[DNS_HDR_LEN + DNS_NAME_MAX + 4 + BPFDNS_DATA_MAX];
	struct reply_info info2;
	struct entry e2;
	size_t n = entry_to_reply(&info->key, e, msg, sizeof(msg));

	if (!n || entry_from_reply(msg, n, &e2, &info2))
		return 0;
	return !memcmp(e, &e2, sizeof(e2)) && !memcmp(&info->key, &info2.key, sizeof(info2.key));
}

static void test_round_trip(void)
{
	struct entry e;
	struct reply_info info;
	struct msg r;

	reply(&r, 0, 0, 300);
	r.buf[3] |= DNS_AD;
	msg_opt(&r, 1232, 0, 0x80, NULL, 0);
	r.buf[11] = 1;
	CHECK("entry: A record with AD and OPT back to a reply and again", !entry_from_reply(r.buf, r.len, &e, &info) &&
	      round_trips(&e, &info), "differs");
	reply(&r, DNS_RCODE_NXDOMAIN, 1, 0);
	CHECK("entry: NXDOMAIN with SOA (compressed names) back to a reply and again",
	      !entry_from_reply(r.buf, r.len, &e, &info) && round_trips(&e, &info), "differs");
	reply(&r, 0, 0, 300);
	CHECK("entry: to a reply refuses a small buffer", entry_from_reply(r.buf, r.len, &e, &info) == 0 &&
	      entry_to_reply(&info.key, &e, r.buf, 20) == 0, "accepted");
}

/* Every message of other projects' corpora, as a reply: no crash, and an
 * accepted one yields an entry that stays inside its bounds. */
static void test_corpus(const char *dir)
{
	char cmd[512], path[1024];
	int files = 0, accepted = 0, bad = 0;
	FILE *list;

	snprintf(cmd, sizeof(cmd), "find '%s' -type f 2>/dev/null", dir);
	list = popen(cmd, "r");
	if (!list) {
		test_skip("entry: corpus", "cannot list it");
		return;
	}
	while (fgets(path, sizeof(path), list)) {
		static uint8_t buf[65536];
		struct entry e;
		struct reply_info info;
		FILE *f;
		size_t n;

		path[strcspn(path, "\n")] = '\0';
		f = fopen(path, "rb");
		if (!f)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		files++;
		if (entry_from_reply(buf, n, &e, &info) == 0) {
			accepted++;
			bad += !round_trips(&e, &info);
			for (int i = 0; i < e.ttl_count; i++)
				if (e.ttl_off[i] + 4 > e.data_len)
					bad++;
			if (e.data_len > BPFDNS_DATA_MAX || e.ttl_count > BPFDNS_TTL_MAX)
				bad++;
		}
	}
	pclose(list);
	if (!files) {
		test_skip("entry: corpus of other projects' messages", "corpus not found");
		return;
	}
	printf("# corpus: %d messages, %d accepted as cacheable replies\n", files, accepted);
	CHECK("entry: corpus of other projects' messages", bad == 0, "%d entries out of bounds", bad);
}

/* A reply for www.example.com. with one record of type and RDATA (rd, n). */
static void one_record(struct msg *m, uint16_t type, const uint8_t *rd, size_t n)
{
	struct trr rr = { "@q", type, 300, rd, n };

	msg_init(m, 7, DNS_QR | DNS_RD, DNS_RA);
	msg_counts(m, 1, 1, 0, 0);
	msg_question(m, "www.example.com.", type, DNS_CLASS_IN);
	msg_rr(m, &rr, 0);
}

/* What may win a race: a reply that parses whole, records of their size. */
static void test_message_check(void)
{
	static const uint8_t a5[] = { 192, 0, 2, 1, 9 }, aaaa4[] = { 32, 1, 13, 184 };
	static const uint8_t txt_ok[] = { 2, 'h', 'i', 1, '!' }, txt_over[] = { 5, 'h', 'i' };
	uint16_t rcode;
	struct msg m;

	one_record(&m, DNS_TYPE_A, a1, sizeof(a1));
	CHECK("check: a good A reply", !dns_message_check(m.buf, m.len, &rcode) && rcode == 0, "refused");
	msg_bytes(&m, "junk", 4);
	CHECK("check: bytes after the last record are allowed", !dns_message_check(m.buf, m.len, &rcode), "refused");
	one_record(&m, DNS_TYPE_A, a5, sizeof(a5));
	CHECK("check: an A of 5 bytes is refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_AAAA, aaaa4, sizeof(aaaa4));
	CHECK("check: an AAAA of 4 bytes is refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_TXT, txt_ok, sizeof(txt_ok));
	CHECK("check: TXT of two strings", !dns_message_check(m.buf, m.len, &rcode), "refused");
	one_record(&m, DNS_TYPE_TXT, txt_ok, 0);
	CHECK("check: an empty TXT is refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_TXT, txt_over, sizeof(txt_over));
	CHECK("check: a TXT string past its RDATA is refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_A, a1, sizeof(a1));
	dns_put16(m.buf + 6, 2);
	CHECK("check: a count that lies is refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_A, a1, sizeof(a1));
	msg_opt(&m, 1232, 0, 0, NULL, 0);
	msg_opt(&m, 1232, 0, 0, NULL, 0);
	dns_put16(m.buf + 10, 2);
	CHECK("check: two OPTs are refused", dns_message_check(m.buf, m.len, &rcode), "accepted");
	one_record(&m, DNS_TYPE_A, a1, sizeof(a1));
	msg_opt(&m, 1232, 0, 0, NULL, 0);
	dns_put16(m.buf + 6, 2); /* both records counted as answers */
	dns_put16(m.buf + 10, 0);
	CHECK("check: an OPT in the answer section is refused", dns_message_check(m.buf, m.len, &rcode),
	      "accepted");
	one_record(&m, DNS_TYPE_A, a1, sizeof(a1));
	msg_opt(&m, 1232, 0, 0, NULL, 0);
	dns_put16(m.buf + 10, 1);
	m.buf[m.len - 6] = 1; /* the OPT's extended RCODE: BADVERS */
	CHECK("check: the extended RCODE is read (BADVERS 16)",
	      !dns_message_check(m.buf, m.len, &rcode) && rcode == DNS_RCODE_BADVERS, "rcode %u", rcode);
}

int main(int argc, char **argv)
{
	test_names();
	test_message_check();
	test_entries();
	test_round_trip();
	test_corpus(argc > 1 ? argv[1] : "../shared/corpus/dns-packets");
	return test_exit();
}
