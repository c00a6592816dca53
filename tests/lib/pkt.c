// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* pkt.c - test message and frame builders; see pkt.h. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include "pkt.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

void msg_bytes(struct msg *m, const void *p, size_t n)
{
	assert(m->len + n <= MSG_MAX);
	memcpy(m->buf + m->len, p, n);
	m->len += n;
}

static void msg_u16(struct msg *m, uint16_t v)
{
	uint8_t b[2];

	put16(b, v);
	msg_bytes(m, b, 2);
}

static void msg_u32(struct msg *m, uint32_t v)
{
	msg_u16(m, v >> 16);
	msg_u16(m, v & 0xffff);
}

void msg_init(struct msg *m, uint16_t id, uint8_t flags2, uint8_t flags3)
{
	memset(m, 0, sizeof(*m));
	m->len = 12;
	put16(m->buf, id);
	m->buf[2] = flags2;
	m->buf[3] = flags3;
}

void msg_counts(struct msg *m, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	put16(m->buf + 4, qd);
	put16(m->buf + 6, an);
	put16(m->buf + 8, ns);
	put16(m->buf + 10, ar);
}

/* Write the pointer for a reference "@q", "@oN" or "@tN". */
static void msg_ref(struct msg *m, const char *ref)
{
	size_t target;

	if (ref[1] == 'q')
		target = m->question_at;
	else if (ref[1] == 'o')
		target = m->owner_at[atoi(ref + 2)];
	else
		target = m->target_at[atoi(ref + 2)];
	msg_u16(m, 0xc000 | (uint16_t)target);
}

/* Write a name: labels, ending with the root or with a reference
 * ("mail.@o0" is the label "mail" and a pointer). Returns where it starts. */
static size_t msg_name(struct msg *m, const char *name)
{
	size_t at = m->len;

	for (const char *p = name; *p && strcmp(p, ".");) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		uint8_t b = (uint8_t)l;

		if (*p == '@') {
			msg_ref(m, p);
			return at;
		}
		msg_bytes(m, &b, 1);
		msg_bytes(m, p, l);
		p += l;
		if (*p == '.')
			p++;
	}
	msg_bytes(m, "", 1);
	return at;
}

void msg_question(struct msg *m, const char *name, uint16_t qtype, uint16_t qclass)
{
	m->question_at = msg_name(m, name);
	msg_u16(m, qtype);
	msg_u16(m, qclass);
}

void msg_rr(struct msg *m, const struct trr *rr, uint32_t age)
{
	size_t rdlen_at;
	int i = m->nrr++;

	assert(i < MSG_RR_MAX);
	m->owner_at[i] = msg_name(m, rr->owner);
	msg_u16(m, rr->type);
	msg_u16(m, 1);
	msg_u32(m, rr->ttl > age ? rr->ttl - age : 0);
	rdlen_at = m->len;
	msg_u16(m, 0);
	if (rr->pre_len)
		msg_bytes(m, rr->pre, rr->pre_len);
	for (int n = 0; n < 2 && rr->names[n]; n++) {
		size_t at = msg_name(m, rr->names[n]);

		if (n == 0)
			m->target_at[i] = at;
	}
	if (rr->post_len)
		msg_bytes(m, rr->post, rr->post_len);
	put16(m->buf + rdlen_at, (uint16_t)(m->len - rdlen_at - 2));
}

void msg_opt(struct msg *m, uint16_t udp_size, uint8_t version, uint8_t flags_hi, const uint8_t *opts,
	     size_t opts_len)
{
	uint8_t h[11] = { 0, 0, 41, udp_size >> 8, udp_size & 0xff, 0, version, flags_hi, 0 };

	put16(h + 9, (uint16_t)opts_len);
	msg_bytes(m, h, sizeof(h));
	if (opts_len)
		msg_bytes(m, opts, opts_len);
}

struct flow flow_reverse(const struct flow *f)
{
	struct flow r = *f;

	memcpy(r.src, f->dst, 16);
	memcpy(r.dst, f->src, 16);
	r.sport = f->dport;
	r.dport = f->sport;
	memcpy(r.smac, f->dmac, 6);
	memcpy(r.dmac, f->smac, 6);
	return r;
}

static uint32_t csum_add(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t inet_csum(const void *p, size_t len, uint32_t sum)
{
	sum = csum_add(p, len, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst, size_t udp_len)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t sum = csum_add(src, alen, 0);

	sum = csum_add(dst, alen, sum);
	return sum + 17 + (uint32_t)udp_len;
}

size_t frame_build(uint8_t *out, const struct flow *f, const uint8_t *payload, size_t len)
{
	size_t l3 = 14, l4, udp_len = 8 + len;
	uint16_t c;

	memcpy(out, f->dmac, 6);
	memcpy(out + 6, f->smac, 6);
	if (f->family == 4) {
		uint8_t *ip = out + l3;

		put16(out + 12, 0x0800);
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + udp_len));
		put16(ip + 4, 0x1234);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, f->src, 4);
		memcpy(ip + 16, f->dst, 4);
		put16(ip + 10, inet_csum(ip, 20, 0));
		l4 = l3 + 20;
	} else {
		uint8_t *ip = out + l3;

		put16(out + 12, 0x86dd);
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)udp_len);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, f->src, 16);
		memcpy(ip + 24, f->dst, 16);
		l4 = l3 + 40;
	}
	put16(out + l4, f->sport);
	put16(out + l4 + 2, f->dport);
	put16(out + l4 + 4, (uint16_t)udp_len);
	put16(out + l4 + 6, 0);
	memcpy(out + l4 + 8, payload, len);
	c = inet_csum(out + l4, udp_len, pseudo_sum(f->family, f->src, f->dst, udp_len));
	put16(out + l4 + 6, c ? c : 0xffff);
	return l4 + udp_len;
}

int frame_check_csums(const uint8_t *frame, size_t len)
{
	int v4 = frame[12] == 0x08;
	size_t l4 = 14 + (v4 ? 20 : 40), udp_len;
	const uint8_t *src = frame + 14 + (v4 ? 12 : 8), *dst = src + (v4 ? 4 : 16);

	if (len < l4 + 8)
		return -1;
	if (v4 && inet_csum(frame + 14, 20, 0) != 0)
		return -1;
	udp_len = (size_t)frame[l4 + 4] << 8 | frame[l4 + 5];
	if (l4 + udp_len > len)
		return -1;
	return inet_csum(frame + l4, udp_len, pseudo_sum(v4 ? 4 : 6, src, dst, udp_len)) == 0 ? 0 : -1;
}
