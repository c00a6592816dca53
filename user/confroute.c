// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * confroute.c - the per-domain option lines, as dnsmasq writes them:
 * server=/d1/d2/IP[#port], server=/d/# (the default servers), server=/d/
 * and local=/d/ (never forwarded), server=//IP (plain names), /#/ (every
 * name),
 * address=/d/IP, address=/d/# (0.0.0.0 and ::), address=/d/ (NXDOMAIN),
 * rev-server=CIDR,IP[#port]. Each domain of a line becomes one struct
 * config_route; routes.c merges them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "dns.h"
#include "log.h"

/* Append a line for the wire name (len bytes). */
static int route_push(struct config *cfg, const uint8_t *name, size_t len, uint8_t kind,
		      const struct sockaddr_storage *addr, const char *ifname, int plain)
{
	struct config_route *r;

	if (cfg->n_routes == cfg->cap_routes) {
		int cap = cfg->cap_routes ? cfg->cap_routes * 2 : 16;
		struct config_route *grown = realloc(cfg->routes, (size_t)cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		cfg->routes = grown;
		cfg->cap_routes = cap;
	}
	r = &cfg->routes[cfg->n_routes];
	memset(r, 0, sizeof(*r));
	r->name = malloc(len);
	if (!r->name)
		return -ENOMEM;
	memcpy(r->name, name, len);
	dns_name_lower(r->name, len);
	r->name_len = (uint16_t)len;
	r->kind = kind;
	r->plain = (uint8_t)plain;
	if (addr)
		r->addr = *addr;
	if (ifname)
		snprintf(r->ifname, sizeof(r->ifname), "%s", ifname);
	cfg->n_routes++;
	return 0;
}

/* A domain's text as a line: "example.com" (a leading or trailing dot is
 * the same), "#" every name (the root, least specific), "" plain names
 * (server=//IP); "." only the root itself, which no line here serves:
 * skipped, as dnsmasq does nothing with it. */
static int route_add(struct config *cfg, const char *text, size_t n, uint8_t kind,
		     const struct sockaddr_storage *addr, const char *ifname)
{
	uint8_t name[DNS_NAME_MAX + 1] = { 0 };
	char buf[DNS_NAME_MAX + 2];
	int len = 1, plain = !n;

	if (n == 1 && text[0] == '.')
		return 0;
	if (n == 1 && text[0] == '#')
		return route_push(cfg, name, 1, kind, addr, ifname, 0);
	if (n && text[0] == '.')
		text++, n--;
	if (n && text[n - 1] == '.')
		n--;
	if (n >= sizeof(buf) || (plain && kind != ROUTE_LINE_SERVER && kind != ROUTE_LINE_LOCAL))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	if (n)
		len = dns_name_from_text(buf, name, sizeof(name));
	if (len <= (n ? 1 : 0) || strchr(buf, '*') || strchr(buf, '#'))
		return -EINVAL; /* dnsmasq's *.domain wildcards: not supported */
	return route_push(cfg, name, (size_t)len, kind, addr, ifname, plain);
}

/* What follows the last '/': the kind of line, and its address. */
static int route_target(const char *opt, const char *t, uint8_t *kind, struct sockaddr_storage *addr,
			char *ifname)
{
	int address = opt[0] == 'a';

	memset(addr, 0, sizeof(*addr));
	ifname[0] = '\0';
	if (!strcmp(opt, "local")) {
		*kind = ROUTE_LINE_LOCAL;
		return *t ? -EINVAL : 0;
	}
	if (!*t) {
		*kind = address ? ROUTE_LINE_NXDOMAIN : ROUTE_LINE_LOCAL;
		return 0;
	}
	if (!strcmp(t, "#")) {
		*kind = address ? ROUTE_LINE_ANY0 : ROUTE_LINE_DEFAULT;
		return 0;
	}
	*kind = address ? ROUTE_LINE_ADDRESS : ROUTE_LINE_SERVER;
	if (address && (strchr(t, '#') || strchr(t, '@') || strchr(t, '%')))
		return -EINVAL;
	return address ? config_parse_addr(t, 53, addr) : config_parse_server(t, addr, ifname);
}

/* "/d1/d2/TARGET". */
static int route_domains(struct config *cfg, const char *opt, const char *v)
{
	const char *last = strrchr(v, '/'), *p = v + 1;
	struct sockaddr_storage addr;
	char ifname[IF_NAMESIZE];
	uint8_t kind;
	int err;

	if (v[0] != '/' || last == v || route_target(opt, last + 1, &kind, &addr, ifname))
		return -EINVAL;
	while (p <= last) {
		const char *slash = strchr(p, '/');

		err = route_add(cfg, p, (size_t)(slash - p), kind, &addr, ifname);
		if (err)
			return err;
		p = slash + 1;
	}
	return 0;
}

/* rev-server=CIDR,IP[#port]: server=/the reverse zone of CIDR/IP. Whole
 * labels only: /8, /16, /24, /32 for IPv4, multiples of 4 for IPv6. */
static int rev_server(struct config *cfg, const char *v)
{
	const char *comma = strchr(v, ','), *slash = strchr(v, '/');
	char ip[INET6_ADDRSTRLEN], zone[80], *end;
	struct sockaddr_storage server;
	uint8_t a[16];
	unsigned long bits;
	size_t at = 0;
	int v6;

	if (!comma || !slash || slash > comma || (size_t)(slash - v) >= sizeof(ip))
		return -EINVAL;
	memcpy(ip, v, (size_t)(slash - v));
	ip[slash - v] = '\0';
	bits = strtoul(slash + 1, &end, 10);
	v6 = strchr(ip, ':') != NULL;
	if (end != comma || end == slash + 1 || inet_pton(v6 ? AF_INET6 : AF_INET, ip, a) != 1 ||
	    bits > (v6 ? 128u : 32u) || bits % (v6 ? 4 : 8) ||
	    config_parse_addr(comma + 1, 53, &server))
		return -EINVAL;
	for (int i = (int)(bits / (v6 ? 4 : 8)) - 1; i >= 0; i--)
		at += (size_t)(v6 ? snprintf(zone + at, sizeof(zone) - at, "%x.", (a[i / 2] >> (i % 2 ? 0 : 4)) & 15)
				  : snprintf(zone + at, sizeof(zone) - at, "%u.", a[i]));
	snprintf(zone + at, sizeof(zone) - at, v6 ? "ip6.arpa" : "in-addr.arpa");
	return route_add(cfg, zone, strlen(zone), ROUTE_LINE_SERVER, &server, NULL);
}

int config_route_option(struct config *cfg, const char *opt, const char *v)
{
	if (!v)
		return -EINVAL;
	if (!strcmp(opt, "rev-server"))
		return rev_server(cfg, v);
	return route_domains(cfg, opt, v);
}
