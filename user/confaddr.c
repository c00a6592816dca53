// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* confaddr.c - addresses in options: IP[#port], fe80::1%eth0, IP:PORT. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

/* "IP:PORT", "[IPv6]:PORT" or "IP#PORT" into ss. */
int config_parse_host_port(const char *v, struct sockaddr_storage *ss)
{
	char text[INET6_ADDRSTRLEN + 16];
	const char *colon = v ? strrchr(v, ':') : NULL;

	if (!v || strlen(v) >= sizeof(text))
		return -EINVAL;
	if (strchr(v, '#'))
		return config_parse_addr(v, 0, ss);
	if (!colon)
		return -EINVAL;
	if (v[0] == '[') { /* [v6]:port */
		if (colon[-1] != ']')
			return -EINVAL;
		snprintf(text, sizeof(text), "%.*s#%s", (int)(colon - v - 2), v + 1, colon + 1);
	} else if (strchr(v, ':') == colon) { /* v4:port */
		snprintf(text, sizeof(text), "%.*s#%s", (int)(colon - v), v, colon + 1);
	} else {
		return -EINVAL; /* a bare IPv6 address: which colon is the port's? */
	}
	return config_parse_addr(text, 0, ss);
}

int config_parse_addr(const char *text, uint16_t dflt, struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 8], *zone;
	const char *hash = strchr(text, '#');
	size_t n = hash ? (size_t)(hash - text) : strlen(text);
	unsigned long port = dflt;
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, text, n);
	host[n] = '\0';
	if (hash) {
		char *end;

		errno = 0;
		port = strtoul(hash + 1, &end, 10);
		if (errno || *end || !hash[1] || port == 0 || port > 65535)
			return -EINVAL;
	}
	memset(ss, 0, sizeof(*ss));
	if (!strchr(host, '%') && inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	zone = strchr(host, '%');
	if (zone)
		*zone++ = '\0';
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		/* fe80::1%eth0: a link-local address is only one on its link */
		if (zone && !(s6->sin6_scope_id = if_nametoindex(zone)))
			return -ENODEV;
		return 0;
	}
	return -EINVAL;
}

int config_parse_server(const char *text, struct sockaddr_storage *ss, char *ifname)
{
	char addr[INET6_ADDRSTRLEN + IF_NAMESIZE + 16];
	const char *at = strchr(text, '@');
	struct sockaddr_storage src;
	size_t n = at ? (size_t)(at - text) : strlen(text);

	ifname[0] = '\0';
	if (n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, n);
	addr[n] = '\0';
	if (at) {
		/* @interface; @IP would be a source address: not supported */
		if (!at[1] || strlen(at + 1) >= IF_NAMESIZE || strchr(at + 1, '@') ||
		    !config_parse_addr(at + 1, 0, &src))
			return -EINVAL;
		snprintf(ifname, IF_NAMESIZE, "%s", at + 1);
	}
	return config_parse_addr(addr, 53, ss);
}
