// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* routes.c - per-domain servers and local answers; see routes.h. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "dnswire.h"
#include "log.h"
#include "routes.h"

struct route {
	const uint8_t *name; /* lower-case wire form (the config's) */
	size_t len;
	struct upstreams *ups; /* its servers; NULL: none */
	uint8_t use_default;   /* server=/d/# */
	uint8_t local;	       /* server=/d/, local=/d/ */
	uint8_t nxdomain;      /* address=/d/ */
	uint8_t any;	       /* what ANY gets: the last line's type, both after address=/d/# */
	uint8_t any0;	       /* address=/d/#: 0.0.0.0 and :: where no address of the family is given */
	int n_a, n_aaaa;
	uint8_t *a, *aaaa;     /* 4 and 16 bytes each, the last line first (heap) */
};

struct routes {
	struct route *list;
	int n;
	struct route *plain; /* server=//IP: plain names; NULL: none */
	uint32_t *slots; /* open addressing: index + 1 into list, 0 empty */
	uint32_t mask;
	int n_lists; /* routes with servers */
};

static uint32_t name_hash(const uint8_t *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a, over the lower-cased name */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (name[i] >= 'A' && name[i] <= 'Z' ? name[i] | 0x20 : name[i])) * 16777619u;
	return h;
}

static int name_same(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if ((a[i] >= 'A' && a[i] <= 'Z' ? a[i] | 0x20 : a[i]) != b[i])
			return 0;
	return 1;
}

/* The route of exactly this domain, or NULL. */
static struct route *find(const struct routes *rt, const uint8_t *name, size_t len)
{
	for (uint32_t i = name_hash(name, len) & rt->mask;; i = (i + 1) & rt->mask) {
		uint32_t slot = rt->slots[i];

		if (!slot)
			return NULL;
		if (name_same(name, len, rt->list[slot - 1].name, rt->list[slot - 1].len))
			return &rt->list[slot - 1];
	}
}

/* The route for the line's domain, made when new. */
static struct route *route_for(struct routes *rt, const struct config_route *line)
{
	struct route *r = line->plain ? rt->plain : find(rt, line->name, line->name_len);
	uint32_t i;

	if (r)
		return r;
	r = &rt->list[rt->n++];
	r->name = line->name;
	r->len = line->name_len;
	if (line->plain) { /* kept apart: its name, the root, is /#/'s */
		rt->plain = r;
		return r;
	}
	for (i = name_hash(r->name, r->len) & rt->mask; rt->slots[i]; i = (i + 1) & rt->mask)
		;
	rt->slots[i] = (uint32_t)rt->n;
	return r;
}

enum { ANY_A, ANY_AAAA, ANY_BOTH };

/* Put addr (size bytes) first in *list: dnsmasq answers the last line
 * first. 0 or -ENOMEM. */
static int add_address(uint8_t **list, int *n, size_t size, const uint8_t *addr)
{
	uint8_t *grown = realloc(*list, (size_t)(*n + 1) * size);

	if (!grown)
		return -ENOMEM;
	memmove(grown + size, grown, (size_t)*n * size);
	memcpy(grown, addr, size);
	*list = grown;
	(*n)++;
	return 0;
}

static int route_line(struct routes *rt, const struct config *cfg, const struct config_route *line)
{
	struct route *r = route_for(rt, line);
	const struct sockaddr_storage *ss = &line->addr;

	switch (line->kind) {
	case ROUTE_LINE_SERVER:
		if (!r->ups) {
			r->ups = calloc(1, sizeof(*r->ups));
			if (!r->ups)
				return -ENOMEM;
			r->ups->refs = 1;
		}
		return upstreams_add(r->ups, cfg, ss, line->ifname);
	case ROUTE_LINE_DEFAULT:
		r->use_default = 1;
		break;
	case ROUTE_LINE_LOCAL:
		r->local = 1;
		break;
	case ROUTE_LINE_NXDOMAIN:
		r->nxdomain = 1;
		break;
	case ROUTE_LINE_ANY0:
		r->any = ANY_BOTH;
		r->any0 = 1;
		break;
	case ROUTE_LINE_ADDRESS:
		r->any = ss->ss_family == AF_INET ? ANY_A : ANY_AAAA;
		if (ss->ss_family == AF_INET)
			return add_address(&r->a, &r->n_a, 4, (const uint8_t *)&((const struct sockaddr_in *)ss)->sin_addr);
		return add_address(&r->aaaa, &r->n_aaaa, 16,
				   (const uint8_t *)&((const struct sockaddr_in6 *)ss)->sin6_addr);
	}
	return 0;
}

/* One object per upstream address across the default list and every
 * domain's, so that health and counters are the address's. */
static int share_upstreams(struct routes *rt, const struct upstreams *defaults)
{
	struct upstream_set known = { 0 };
	int err = 0;

	if (defaults)
		err = upstream_set_add(&known, defaults);
	for (int i = 0; i < rt->n && !err; i++) {
		if (!rt->list[i].ups)
			continue;
		rt->n_lists++;
		err = upstreams_share(rt->list[i].ups, &known);
	}
	free(known.list);
	return err;
}

int routes_build(struct routes **out, const struct config *cfg, const struct upstreams *defaults)
{
	struct routes *rt;
	uint32_t size = 16;
	int err = 0;

	*out = NULL;
	if (!cfg->n_routes)
		return 0;
	while (size < (uint32_t)cfg->n_routes * 2)
		size *= 2;
	rt = calloc(1, sizeof(*rt));
	if (!rt || !(rt->list = calloc((size_t)cfg->n_routes, sizeof(*rt->list))) ||
	    !(rt->slots = calloc(size, sizeof(*rt->slots)))) {
		routes_free(rt);
		return -ENOMEM;
	}
	rt->mask = size - 1;
	for (int i = 0; !err && i < cfg->n_routes; i++)
		err = route_line(rt, cfg, &cfg->routes[i]);
	err = err ?: share_upstreams(rt, defaults);
	if (err) {
		routes_free(rt);
		return err;
	}
	*out = rt;
	return 0;
}

void routes_free(struct routes *rt)
{
	if (!rt)
		return;
	for (int i = 0; rt->list && i < rt->n; i++) {
		upstreams_put(rt->list[i].ups);
		free(rt->list[i].a);
		free(rt->list[i].aaaa);
	}
	free(rt->list);
	free(rt->slots);
	free(rt);
}

int route_addresses(const struct route *r, uint16_t qtype, struct route_addrs *out)
{
	static const uint8_t zero[16];
	int any = qtype == DNS_TYPE_ANY;

	*out = (struct route_addrs){ 0 };
	if (qtype == DNS_TYPE_A || (any && r->any != ANY_AAAA)) {
		out->a = r->n_a ? r->a : zero;
		out->n_a = r->n_a ? r->n_a : r->any0;
	}
	if (qtype == DNS_TYPE_AAAA || (any && r->any != ANY_A)) {
		out->aaaa = r->n_aaaa ? r->aaaa : zero;
		out->n_aaaa = r->n_aaaa ? r->n_aaaa : r->any0;
	}
	return out->n_a + out->n_aaaa;
}

/* What route r says for qtype; 0: nothing, ask a less specific one. */
static int route_decides(const struct route *r, uint16_t qtype, struct route_match *m)
{
	struct route_addrs addrs;

	m->route = r;
	if (route_addresses(r, qtype, &addrs))
		m->action = ROUTE_ADDRESSES;
	else if (r->nxdomain) /* with addresses of the other type: no data, as dnsmasq */
		m->action = r->n_a || r->n_aaaa || r->any0 ? ROUTE_NODATA : ROUTE_NXDOMAIN;
	else if (r->ups)
		m->action = ROUTE_SERVERS, m->ups = r->ups;
	else if (r->use_default)
		m->action = ROUTE_DEFAULT;
	else if (r->local)
		m->action = ROUTE_NXDOMAIN;
	else
		return 0;
	return 1;
}

struct route_match routes_match(const struct routes *rt, const uint8_t *name, size_t len, uint16_t qtype)
{
	struct route_match m = { .action = ROUTE_DEFAULT };
	const struct route *r;

	if (!rt)
		return m;
	/* a plain name: server=//IP first */
	if (len > 1 && name[0] + 2u == len && rt->plain && route_decides(rt->plain, qtype, &m))
		return m;
	/* the name, then each parent, the root (/#/) last */
	for (size_t at = 0; at < len; at += 1u + name[at]) {
		if ((r = find(rt, name + at, len - at)) && route_decides(r, qtype, &m))
			return m;
		if (!name[at])
			break;
	}
	m = (struct route_match){ .action = ROUTE_DEFAULT };
	return m;
}

void routes_each(const struct routes *rt, void (*fn)(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups),
		 void *ctx)
{
	for (int i = 0; rt && i < rt->n; i++)
		if (rt->list[i].ups) /* plain names: length 0 */
			fn(ctx, rt->list[i].name, &rt->list[i] == rt->plain ? 0 : rt->list[i].len, rt->list[i].ups);
}
