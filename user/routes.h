/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * routes.h - where a name goes, as dnsmasq decides it: the most specific
 * domain given by server=/d/, local=/d/ or address=/d/ (the name itself or
 * a parent) says which servers are asked, or that it is answered here;
 * no domain: the default servers. Domains given only addresses for other
 * types (address=/d/IPv4 and an AAAA query) pass to the next less
 * specific one. server=//IP takes plain names (no dot).
 */
#ifndef BPFDNS_ROUTES_H
#define BPFDNS_ROUTES_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "upstream.h"


enum route_action {
	ROUTE_DEFAULT,	 /* the default servers */
	ROUTE_SERVERS,	 /* the domain's own servers (match.ups) */
	ROUTE_NXDOMAIN,	 /* never forwarded: NXDOMAIN (authoritative: no) */
	ROUTE_NODATA,	 /* never forwarded: NOERROR, no records (address=/d/ with an address of the other type) */
	ROUTE_ADDRESSES, /* never forwarded: the domain's addresses of the query's type */
};

struct route;

struct route_match {
	enum route_action action;
	const struct route *route; /* its domain (not ROUTE_DEFAULT) */
	struct upstreams *ups;	   /* ROUTE_SERVERS */
};

struct routes;

/* The table of cfg->routes, each domain's lines merged; the servers' objects
 * shared with defaults' (one per address). NULL *rt when there are none.
 * 0 or -ENOMEM. */
int routes_build(struct routes **rt, const struct config *cfg, const struct upstreams *defaults);
void routes_free(struct routes *rt);
/* Where name (wire form, len bytes, any case) of type qtype goes. */
struct route_match routes_match(const struct routes *rt, const uint8_t *name, size_t len, uint16_t qtype);
/* A domain's addresses for a query type, in dnsmasq's order (the last
 * line first). */
struct route_addrs {
	const uint8_t *a; /* 4 bytes each */
	int n_a;
	const uint8_t *aaaa; /* 16 bytes each */
	int n_aaaa;
};

/* r's addresses for qtype (ANY: those of the type of the last line, or
 * both after address=/d/#); 0 when there are none. */
int route_addresses(const struct route *r, uint16_t qtype, struct route_addrs *out);
/* Call fn for each domain with servers of its own: its name (lower-case
 * wire form; the root for /#/, length 0 for plain names) and its list. */
void routes_each(const struct routes *rt, void (*fn)(void *ctx, const uint8_t *name, size_t len, struct upstreams *ups),
		 void *ctx);

#endif /* BPFDNS_ROUTES_H */
