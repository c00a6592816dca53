// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* local.c - answers that never go upstream; see local.h. */
#include <string.h>
#include <sys/socket.h>
#include "dns.h"
#include "entry.h"
#include "dnswire.h"
#include "local.h"

/* RFC 6303's zones (section 4), as prefixes, and what dnsmasq 2.90 adds:
 * fec0::/10, and IPv4-mapped addresses of these (private_prefix). */
static const struct {
	int family;
	uint8_t prefix[16];
	int bits;
} private_zones[] = {
	{ AF_INET, { 0 }, 8 },		       /* 0.0.0.0/8 */
	{ AF_INET, { 10 }, 8 },		       /* RFC 1918 */
	{ AF_INET, { 127 }, 8 },	       /* loopback */
	{ AF_INET, { 169, 254 }, 16 },	       /* link local */
	{ AF_INET, { 172, 16 }, 12 },	       /* RFC 1918 */
	{ AF_INET, { 192, 0, 2 }, 24 },	       /* TEST-NET-1 */
	{ AF_INET, { 192, 168 }, 16 },	       /* RFC 1918 */
	{ AF_INET, { 198, 51, 100 }, 24 },     /* TEST-NET-2 */
	{ AF_INET, { 203, 0, 113 }, 24 },      /* TEST-NET-3 */
	{ AF_INET, { 255, 255, 255, 255 }, 32 }, /* broadcast */
	{ AF_INET6, { 0 }, 128 },	       /* :: */
	{ AF_INET6, { [15] = 1 }, 128 },       /* ::1 */
	{ AF_INET6, { 0xfd }, 8 },	       /* locally assigned ULA */
	{ AF_INET6, { 0xfe, 0x80 }, 10 },      /* link local */
	{ AF_INET6, { 0xfe, 0xc0 }, 10 },      /* site local (dnsmasq's too) */
	{ AF_INET6, { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
};

static int prefix_match(const uint8_t *a, const uint8_t *b, int bits)
{
	int bytes = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)bytes))
		return 0;
	return !rest || !((a[bytes] ^ b[bytes]) & (0xff << (8 - rest)));
}

static int private_prefix(int family, const uint8_t *addr, int bits)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff }; /* ::ffff:0:0/96 */

	if (family == AF_INET6 && bits >= 96 + 8 && !memcmp(addr, mapped, sizeof(mapped)))
		return private_prefix(AF_INET, addr + 12, bits - 96);
	for (size_t i = 0; i < sizeof(private_zones) / sizeof(private_zones[0]); i++)
		if (private_zones[i].family == family && bits >= private_zones[i].bits &&
		    prefix_match(addr, private_zones[i].prefix, private_zones[i].bits))
			return 1;
	return 0;
}

int local_private_reverse(const uint8_t *name, size_t len)
{
	uint8_t addr[16];
	int family, bits = dns_reverse_addr(name, len, &family, addr);

	return bits >= 0 && private_prefix(family, addr, bits);
}

/* One label, not the root: "host", as a user types it without a domain. */
static int plain_name(const uint8_t *name, size_t len)
{
	return len > 1 && name[0] && (size_t)name[0] + 1 < len && !name[name[0] + 1];
}

/* domain-needed: an address query for a plain name never goes upstream,
 * not even to server=//IP (as dnsmasq). */
static int needs_domain(const struct config *cfg, const struct dns_question *q)
{
	return cfg->domain_needed && plain_name(q->name, q->name_len) &&
	       (q->qtype == DNS_TYPE_A || q->qtype == DNS_TYPE_AAAA || q->qtype == DNS_TYPE_ANY);
}

int local_rcode(const struct config *cfg, const struct client_query *cq, int *aa)
{
	const struct dns_question *q = &cq->q;

	*aa = 0;
	if (q->qclass == DNS_CLASS_CH)
		return DNS_RCODE_NOTIMP; /* dnsmasq's answer to every CHAOS name it does not know */
	if (needs_domain(cfg, q))
		return DNS_RCODE_NXDOMAIN;
	if (cfg->bogus_priv && q->qtype == DNS_TYPE_PTR && local_private_reverse(q->name, q->name_len)) {
		*aa = 1;
		return DNS_RCODE_NXDOMAIN;
	}
	return -1;
}

/* An answer from the hosts files (*source: which); 0: they have none for cq. */
static size_t hosts_answer(const struct config *cfg, const struct hosts *h, const uint8_t *query,
			   const struct client_query *cq, uint8_t *out, size_t outsz, const char **source)
{
	struct hosts_answer ha;

	if (cq->q.qclass != DNS_CLASS_IN || !hosts_lookup(h, cq->q.name, cq->q.name_len, cq->q.qtype, &ha))
		return 0;
	if (ha.source)
		*source = ha.source;
	if (ha.ptr)
		return answer_ptr(query, cq, cfg->edns_packet_max, cfg->local_ttl, ha.ptr, ha.ptr_len, out, outsz);
	if (ha.nodata) /* as dnsmasq's no-data answers: not authoritative */
		return answer_error(query, cq, DNS_RCODE_NOERROR, cfg->edns_packet_max, out, outsz);
	return answer_addresses(query, cq, cfg->edns_packet_max, cfg->local_ttl, ha.a, ha.n_a, ha.aaaa, ha.n_aaaa,
				out, outsz);
}

size_t local_answer(const struct config *cfg, const struct hosts *h, const struct route_match *m,
		    const uint8_t *query, const struct client_query *cq, uint8_t *out, size_t outsz, const char **source)
{
	struct route_addrs ra;
	size_t n;
	int rc, aa = 0;

	*source = "config";
	n = hosts_answer(cfg, h, query, cq, out, outsz, source);

	if (n)
		return n;
	if (cq->q.qclass != DNS_CLASS_CH && m->action == ROUTE_ADDRESSES) {
		route_addresses(m->route, cq->q.qtype, &ra);
		return answer_addresses(query, cq, cfg->edns_packet_max, cfg->local_ttl, ra.a, ra.n_a, ra.aaaa,
					ra.n_aaaa, out, outsz);
	}
	if (cq->q.qclass != DNS_CLASS_CH && (m->action == ROUTE_NXDOMAIN || m->action == ROUTE_NODATA))
		rc = m->action == ROUTE_NXDOMAIN ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
	else if (cq->q.qclass != DNS_CLASS_CH && m->route && !needs_domain(cfg, &cq->q))
		return 0; /* a domain's servers (or the defaults, named): forwarded */
	else
		rc = local_rcode(cfg, cq, &aa);
	if (rc < 0)
		return 0;
	/* a name a hosts file has (or has names below): no data, as dnsmasq */
	if (rc == DNS_RCODE_NXDOMAIN && cq->q.qclass == DNS_CLASS_IN && hosts_has(h, cq->q.name, cq->q.name_len))
		rc = DNS_RCODE_NOERROR, aa = 0;
	n = answer_error(query, cq, (uint8_t)rc, cfg->edns_packet_max, out, outsz);
	if (n && aa)
		out[2] |= DNS_AA;
	return n;
}

int local_answers_key(const struct config *cfg, const struct hosts *h, const struct routes *rt,
		      const struct bpfdns_question *key)
{
	struct client_query cq = { .q = { .qtype = key->qtype, .qclass = key->qclass } };
	struct route_match m;
	struct hosts_answer ha;
	int aa;

	cq.q.name_len = entry_key_name_len(key);
	memcpy(cq.q.name, key->name, cq.q.name_len);
	if (cq.q.qclass == DNS_CLASS_IN && hosts_lookup(h, cq.q.name, cq.q.name_len, cq.q.qtype, &ha))
		return 1;
	m = routes_match(rt, cq.q.name, cq.q.name_len, cq.q.qtype);
	if (m.action == ROUTE_NXDOMAIN || m.action == ROUTE_NODATA || m.action == ROUTE_ADDRESSES)
		return 1;
	return !m.route && local_rcode(cfg, &cq, &aa) >= 0;
}
