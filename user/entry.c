// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* entry.c - upstream reply -> struct entry; see entry.h. */
#include <errno.h>
#include <string.h>
#include "dns.h"
#include "entry.h"

int entry_key(struct bpfdns_question *key, const uint8_t *name, size_t name_len, uint16_t qtype, uint8_t flags)
{
	if (name_len < 1 || name_len > DNS_NAME_MAX)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	memcpy(key->name, name, name_len);
	dns_name_lower(key->name, name_len);
	key->qtype = qtype;
	key->qclass = DNS_CLASS_IN;
	key->flags = flags;
	return 0;
}

size_t entry_key_name_len(const struct bpfdns_question *key)
{
	size_t n = 0;

	while (n < sizeof(key->name) && key->name[n])
		n += key->name[n] + 1u;
	return n < sizeof(key->name) ? n + 1 : sizeof(key->name);
}

size_t entry_key_query(const struct bpfdns_question *key, uint16_t udp_max, uint8_t *out, struct dns_question *q)
{
	size_t nlen = entry_key_name_len(key), at = DNS_HDR_LEN;

	memset(out, 0, DNS_HDR_LEN);
	out[2] = DNS_RD;
	/* AD always (RFC 6840 5.7): the entry keeps the upstream's AD, and
	 * each answer shows it only to a client that asked with DO or AD */
	out[3] = DNS_AD | (key->flags & BPFDNS_KEY_CD ? DNS_CD : 0);
	out[5] = 1;  /* QDCOUNT */
	dns_put16(out + 10, 1); /* ARCOUNT: the OPT */
	memcpy(out + at, key->name, nlen);
	at += nlen;
	dns_put16(out + at, key->qtype);
	dns_put16(out + at + 2, key->qclass);
	at += 4;
	memset(q, 0, sizeof(*q));
	memcpy(q->name, key->name, nlen);
	q->name_len = nlen;
	q->qtype = key->qtype;
	q->qclass = key->qclass;
	q->start = DNS_HDR_LEN;
	q->end = at;
	return at + dns_put_opt(out + at, udp_max, 0, key->flags & BPFDNS_KEY_DO);
}

void entry_make_stale(struct entry *e, uint64_t now_ns, uint32_t ttl)
{
	for (unsigned i = 0; i < e->ttl_count && i < BPFDNS_TTL_MAX; i++)
		if (e->ttl_off[i] + 4u <= BPFDNS_DATA_MAX)
			dns_put32(e->data + e->ttl_off[i], ttl);
	e->stored_ns = now_ns;
	e->expire_ns = now_ns + (uint64_t)ttl * 1000000000ULL;
}

size_t entry_to_reply(const struct bpfdns_question *key, const struct entry *e, uint8_t *out, size_t outsz)
{
	size_t nlen = entry_key_name_len(key), at = DNS_HDR_LEN + nlen + 4;

	if (e->data_len > BPFDNS_DATA_MAX || e->ttl_count > BPFDNS_TTL_MAX || at + e->data_len > outsz)
		return 0;
	memset(out, 0, DNS_HDR_LEN);
	out[2] = DNS_QR | DNS_RD;
	out[3] = DNS_RA | ((e->flags & BPFDNS_ENTRY_AD) ? DNS_AD : 0) | (e->rcode & DNS_RCODE);
	dns_put16(out + 4, 1);
	dns_put16(out + 6, e->ancount);
	dns_put16(out + 8, e->nscount);
	dns_put16(out + 10, e->arcount);
	memcpy(out + DNS_HDR_LEN, key->name, nlen);
	dns_put16(out + DNS_HDR_LEN + nlen, key->qtype);
	dns_put16(out + DNS_HDR_LEN + nlen + 2, key->qclass);
	memcpy(out + at, e->data, e->data_len);
	return at + e->data_len;
}

/* A removed span [cut, cut + cut_len) of the message: pointers past it move. */
struct cut {
	size_t start, len;
};

/* Rewrite the compression pointer ending the name at off (in the copy at
 * out, which is the message with the cut removed, starting at out_base). */
static int fix_name(const uint8_t *msg, size_t len, size_t off, uint8_t *out, size_t out_base,
		    const struct cut *cut)
{
	while (off < len) {
		uint8_t l = msg[off];

		if ((l & 0xc0) == 0xc0) {
			size_t target;

			if (off + 1 >= len)
				return -EINVAL;
			target = (size_t)(l & 0x3f) << 8 | msg[off + 1];
			if (target >= cut->start && target < cut->start + cut->len)
				return -EINVAL; /* points into the OPT */
			if (target >= cut->start + cut->len) {
				size_t o = off - cut->len - out_base;

				target -= cut->len;
				out[o] = 0xc0 | (uint8_t)(target >> 8);
				out[o + 1] = (uint8_t)target;
			}
			return 0;
		}
		if (l == 0)
			return 0;
		off += 1 + l;
	}
	return -EINVAL;
}

/* Every name in the count records from off resolves inside msg[0, end),
 * and every RDATA name ends inside its RDATA. */
static int names_inside(const uint8_t *msg, size_t end, size_t off, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		struct dns_rr rr;
		size_t names[2];
		int n;

		if (dns_rr_read(msg, end, &off, &rr))
			return -EINVAL;
		n = dns_rdata_names(msg, end, &rr, names);
		if (n < 0)
			return n;
		for (int k = 0; k < n; k++) {
			size_t o = names[k];

			if (dns_name_read(msg, end, &o, NULL, NULL) || o > rr.end)
				return -EINVAL;
		}
	}
	return 0;
}

static void info_min(uint32_t *v, uint32_t x)
{
	if (x < *v)
		*v = x;
}

/* A reply's records as entry_from_reply walks them. */
struct walk {
	struct dns_header h;
	struct dns_rr rrs[BPFDNS_TTL_MAX + 1]; /* every record but the OPT */
	size_t n_rr;
	struct cut cut;		/* the OPT, dropped; len 0 without one */
	size_t data_start, data_end; /* the records' span in the reply */
};

/* Phase 1: the header and question into info; where the records start. */
static int read_question(const uint8_t *msg, size_t len, struct walk *w, struct reply_info *info)
{
	struct dns_question q;
	size_t off = DNS_HDR_LEN;
	int err = dns_header_read(msg, len, &w->h);

	if (err)
		return err;
	if (!(w->h.flags2 & DNS_QR) || (w->h.flags2 & DNS_OPCODE) || w->h.qdcount != 1)
		return -EINVAL;
	err = dns_question_read(msg, len, &off, &q);
	if (err)
		return err;
	err = entry_key(&info->key, q.name, q.name_len, q.qtype, 0);
	if (err)
		return err;
	info->key.qclass = q.qclass;
	info->rcode = w->h.flags3 & DNS_RCODE;
	info->truncated = !!(w->h.flags2 & DNS_TC);
	info->ancount = w->h.ancount;
	/* the records must start where the fast path puts them: right after a
	 * question of the same length as the client's, written uncompressed */
	if (q.end - q.start != q.name_len + 4)
		return -EINVAL;
	w->data_start = q.end;
	return 0;
}

/* Phase 2: every record its counts promise; the OPT set apart. */
static int read_records(const uint8_t *msg, size_t len, struct walk *w)
{
	size_t off = w->data_start, total = (size_t)w->h.ancount + w->h.nscount + w->h.arcount;

	for (size_t i = 0; i < total; i++) {
		struct dns_rr rr;
		int err = dns_rr_read(msg, len, &off, &rr);

		if (err)
			return err;
		if (rr.type == DNS_TYPE_OPT) {
			if (i < (size_t)w->h.ancount + w->h.nscount || w->cut.len || msg[rr.start] != 0)
				return -EINVAL; /* RFC 6891 6.1.1: one, in additional, root owner */
			if (msg[rr.ttl_off] != 0)
				return -EINVAL; /* extended RCODE: not something we replay */
			w->cut.start = rr.start;
			w->cut.len = rr.end - rr.start;
			continue;
		}
		if (w->n_rr >= BPFDNS_TTL_MAX)
			return -E2BIG;
		w->rrs[w->n_rr++] = rr;
	}
	w->data_end = off; /* anything after the last record is ignored */
	return w->data_end - w->data_start - w->cut.len > BPFDNS_DATA_MAX ? -E2BIG : 0;
}

/* Phase 3: the records into e around the OPT, TTL offsets (negative TTLs
 * as 0), the smallest TTLs into info, pointers past the OPT moved. */
static int copy_records(const uint8_t *msg, size_t len, const struct walk *w, struct entry *e,
			struct reply_info *info)
{
	const struct cut *cut = &w->cut;
	size_t data_start = w->data_start;

	if (cut->len) {
		memcpy(e->data, msg + data_start, cut->start - data_start);
		memcpy(e->data + (cut->start - data_start), msg + cut->start + cut->len,
		       w->data_end - cut->start - cut->len);
	} else {
		memcpy(e->data, msg + data_start, w->data_end - data_start);
	}
	e->data_len = (uint16_t)(w->data_end - data_start - cut->len);
	for (size_t i = 0; i < w->n_rr; i++) {
		const struct dns_rr *rr = &w->rrs[i];
		size_t shift = (cut->len && rr->start > cut->start) ? cut->len : 0;
		size_t ttl_at = rr->ttl_off - data_start - shift;
		uint32_t ttl = rr->ttl;
		size_t names[2];
		int n, err;

		if (ttl & 0x80000000u) { /* RFC 2181 8: treat as zero */
			ttl = 0;
			dns_put32(e->data + ttl_at, 0);
		}
		e->ttl_off[i] = (uint16_t)ttl_at;
		info_min(&info->min_ttl, ttl);
		if (rr->type == DNS_TYPE_SOA && i >= w->h.ancount && i < (size_t)w->h.ancount + w->h.nscount &&
		    rr->rdlen >= 22)
			info_min(&info->neg_ttl, ttl < dns_get32(msg + rr->end - 4) ? ttl : dns_get32(msg + rr->end - 4));

		if (!cut->len || rr->start < cut->start)
			continue; /* pointers only point backwards: nothing moved before the OPT */
		n = dns_rdata_names(msg, len, rr, names);
		if (n < 0)
			return n;
		err = fix_name(msg, len, rr->start, e->data, data_start, cut);
		for (int k = 0; !err && k < n; k++)
			err = fix_name(msg, len, names[k], e->data, data_start, cut);
		if (err)
			return err;
	}
	return 0;
}

int entry_from_reply(const uint8_t *msg, size_t len, struct entry *e, struct reply_info *info)
{
	uint8_t check[DNS_HDR_LEN + DNS_NAME_MAX + 5 + BPFDNS_DATA_MAX] = { 0 };
	struct walk w;
	int err;

	memset(e, 0, sizeof(*e));
	memset(info, 0, sizeof(*info));
	memset(&w, 0, sizeof(w));
	info->min_ttl = UINT32_MAX;
	info->neg_ttl = UINT32_MAX;
	err = read_question(msg, len, &w, info);
	err = err ?: read_records(msg, len, &w);
	err = err ?: copy_records(msg, len, &w, e, info);
	if (err)
		return err;
	/* answers are the question and then these records: every name in them
	 * must read there as it did in the reply (not run into the dropped OPT
	 * or trailing bytes, nor point into a header that will differ) */
	memcpy(check + DNS_HDR_LEN, msg + DNS_HDR_LEN, w.data_start - DNS_HDR_LEN);
	memcpy(check + w.data_start, e->data, e->data_len);
	err = names_inside(check, w.data_start + e->data_len, w.data_start, w.n_rr);
	if (err)
		return err;
	e->ttl_count = (uint16_t)w.n_rr;
	e->ancount = w.h.ancount;
	e->nscount = w.h.nscount;
	e->arcount = w.h.arcount - (w.cut.len ? 1 : 0);
	e->rcode = info->rcode;
	e->flags = (w.h.flags3 & DNS_AD) ? BPFDNS_ENTRY_AD : 0;
	return 0;
}
