// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* upstream.c - upstream servers; see upstream.h. */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "textfile.h"
#include "upstream.h"

socklen_t addr_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

void addr_to_text(const struct sockaddr_storage *ss, char *buf, size_t n)
{
	char ip[INET6_ADDRSTRLEN + IF_NAMESIZE + 1] = "?";
	uint16_t port;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ss;

		inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
		port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)ss;
		char zone[IF_NAMESIZE + 1] = "%";

		inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
		port = ntohs(s->sin6_port);
		if (s->sin6_scope_id && if_indextoname(s->sin6_scope_id, zone + 1))
			snprintf(ip + strlen(ip), sizeof(ip) - strlen(ip), "%s", zone);
	}
	snprintf(buf, n, "%s#%u", ip, port);
}

int addr_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return !memcmp(a, b, sizeof(struct sockaddr_in));
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
		       16) &&
	       ((const struct sockaddr_in6 *)a)->sin6_port == ((const struct sockaddr_in6 *)b)->sin6_port &&
	       ((const struct sockaddr_in6 *)a)->sin6_scope_id == ((const struct sockaddr_in6 *)b)->sin6_scope_id;
}

/* One of our listen addresses (or a loopback address on our port when we
 * listen on the defaults)? */
static int is_self(const struct config *cfg, const struct sockaddr_storage *ss)
{
	struct sockaddr_storage l;

	for (int i = 0; i < cfg->n_listen; i++) {
		l = cfg->listen[i];
		if (l.ss_family == AF_INET)
			((struct sockaddr_in *)&l)->sin_port = htons(cfg->port);
		else
			((struct sockaddr_in6 *)&l)->sin6_port = htons(cfg->port);
		if (addr_same(&l, ss))
			return 1;
	}
	return 0;
}

/* The same upstream: address, port and the interface it is asked through. */
static int same_upstream(const struct upstream *a, const struct upstream *b)
{
	return addr_same(&a->addr, &b->addr) && !strcmp(a->ifname, b->ifname);
}

int upstreams_add(struct upstreams *ups, const struct config *cfg, const struct sockaddr_storage *ss,
		  const char *ifname)
{
	struct upstream *u, probe = { .addr = *ss };

	if (ifname)
		snprintf(probe.ifname, sizeof(probe.ifname), "%s", ifname);
	if (is_self(cfg, ss))
		return 0;
	for (int i = 0; i < ups->n; i++)
		if (same_upstream(ups->list[i], &probe))
			return 0;
	if (ups->n >= (int)(sizeof(ups->list) / sizeof(ups->list[0]))) {
		pr_warn("too many upstreams, ignoring the rest");
		return 0;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	ups->list[ups->n++] = u;
	u->refs = 1;
	u->addr = *ss;
	memcpy(u->ifname, probe.ifname, sizeof(u->ifname));
	addr_to_text(ss, u->name, sizeof(u->name));
	if (u->ifname[0])
		snprintf(u->name + strlen(u->name), sizeof(u->name) - strlen(u->name), "@%s", u->ifname);
	return 0;
}

int upstreams_load(struct upstreams **out, const struct config *cfg)
{
	struct upstreams *ups = calloc(1, sizeof(*ups));
	struct textfile tf;
	char *line;
	int err;

	if (!ups)
		return -ENOMEM;
	ups->refs = 1;
	for (int i = 0; i < cfg->n_servers; i++)
		upstreams_add(ups, cfg, &cfg->servers[i], cfg->server_if[i]);
	if (!cfg->no_resolv) {
		err = textfile_read(&tf, cfg->resolv_file);
		if (err == -ENOENT) {
			/* as dnsmasq: a file a hook writes later (/run is empty at
			 * boot); the watch reads it when it appears */
			pr_warn("resolv-file %s does not exist (yet): no upstreams from it until it does",
				cfg->resolv_file);
		} else if (err) {
			pr_err("cannot read resolv-file %s: %s", cfg->resolv_file, textfile_error(err));
			if (!ups->n) {
				free(ups);
				return err;
			}
		} else {
			/* whole lines: the tail of a long search or comment line
			 * is never read as a line of its own */
			while ((line = textfile_line(&tf))) {
				char addr[128];
				struct sockaddr_storage ss;

				if (sscanf(line, " nameserver %127s", addr) != 1)
					continue;
				if (config_parse_addr(addr, 53, &ss)) {
					pr_warn("%s: ignoring nameserver \"%s\"", cfg->resolv_file, addr);
					continue;
				}
				upstreams_add(ups, cfg, &ss, NULL);
			}
			textfile_free(&tf);
		}
	}
	/* as dnsmasq: local data (hosts files, address=, server=/d/IP) still
	 * answers; the rest gets SERVFAIL until the resolv-file names one */
	if (!ups->n)
		pr_warn("no default upstream servers (server=IP, or nameserver lines in %s): only local names%s "
			"are answered", cfg->no_resolv ? "the resolv-file" : cfg->resolv_file,
			cfg->n_routes ? " and those of server=/domain/IP lines" : "");
	*out = ups;
	return 0;
}

void upstreams_carry_stats(struct upstreams *ups, const struct upstreams *old)
{
	struct upstream_set known = { 0 };

	/* on -ENOMEM ups keeps objects of its own: counters start anew */
	if (!upstream_set_add(&known, old))
		upstreams_share(ups, &known);
	free(known.list);
}

/* Add u to set; 0 or -ENOMEM. */
static int set_push(struct upstream_set *set, struct upstream *u)
{
	if (set->n == set->cap) {
		int cap = set->cap ? set->cap * 2 : 16;
		struct upstream **grown = realloc(set->list, (size_t)cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		set->list = grown;
		set->cap = cap;
	}
	set->list[set->n++] = u;
	return 0;
}

/* u's object in set, or NULL. */
static struct upstream *set_find(const struct upstream_set *set, const struct upstream *u)
{
	for (int k = 0; k < set->n; k++)
		if (same_upstream(set->list[k], u))
			return set->list[k];
	return NULL;
}

int upstream_set_add(struct upstream_set *set, const struct upstreams *ups)
{
	for (int i = 0; i < ups->n; i++)
		if (!set_find(set, ups->list[i]) && set_push(set, ups->list[i]))
			return -ENOMEM;
	return 0;
}

int upstreams_share(struct upstreams *ups, struct upstream_set *known)
{
	for (int i = 0; i < ups->n; i++) {
		struct upstream *have = set_find(known, ups->list[i]);

		if (!have) {
			if (set_push(known, ups->list[i]))
				return -ENOMEM;
			continue;
		}
		if (have == ups->list[i])
			continue;
		/* one object per address: counters and health go on (ours
		 * may be shared already, by another list) */
		if (--ups->list[i]->refs == 0)
			free(ups->list[i]);
		ups->list[i] = have;
		have->refs++;
	}
	return 0;
}

void upstreams_text(const struct upstreams *ups, char *buf, size_t n)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < ups->n && at < n; i++)
		at += (size_t)snprintf(buf + at, n - at, "%s%s", i ? " " : "", ups->list[i]->name);
}

struct upstreams *upstreams_get(struct upstreams *ups)
{
	ups->refs++;
	return ups;
}

void upstreams_put(struct upstreams *ups)
{
	if (!ups || --ups->refs)
		return;
	for (int i = 0; i < ups->n; i++)
		if (--ups->list[i]->refs == 0)
			free(ups->list[i]);
	free(ups);
}
