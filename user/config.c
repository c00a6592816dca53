// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config.c - bpfdnsd options; see config.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "dnswire.h"
#include "log.h"
#include "textfile.h"

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 53;
	snprintf(cfg->interface, sizeof(cfg->interface), "lo");
	snprintf(cfg->resolv_file, sizeof(cfg->resolv_file), "/etc/resolv.conf");
	snprintf(cfg->pin_path, sizeof(cfg->pin_path), "/sys/fs/bpf/bpfdns");
	cfg->cache_size = BPFDNS_CACHE_DEFAULT;
	cfg->max_cache_ttl = 86400;
	cfg->edns_packet_max = DNS_UDP_DEFAULT;
	cfg->attach = FASTPATH_XDP;
	cfg->timeout_ms = 2000;
	cfg->forward_max = 4096;
	cfg->mode = UPSTREAM_HEDGED; /* measured: racing's latency at one query per miss */
	cfg->hedge_min_ms = 1;
	cfg->hedge_max_ms = 200;
	acl_defaults(&cfg->acl);
	cfg->prefetch_pct = BPFDNS_PREFETCH_DEFAULT;
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "/run/bpfdnsd.sock");
}

/* "IP:PORT", "[IPv6]:PORT" or "IP#PORT" into ss. */
static int parse_host_port(const char *v, struct sockaddr_storage *ss)
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
	char host[INET6_ADDRSTRLEN + 8];
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
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return -EINVAL;
}

static int parse_u32(const char *v, uint32_t max, uint32_t *out)
{
	unsigned long long x;
	char *end;

	if (!v || !*v)
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || *end || x > max || v[0] == '-')
		return -EINVAL;
	*out = (uint32_t)x;
	return 0;
}

enum opt_kind { OPT_FLAG, OPT_U32, OPT_POSITIVE /* a u32 of 1 or more */, OPT_STRING, OPT_CUSTOM };

struct option_def {
	const char *name;
	enum opt_kind kind;
	size_t off;   /* into struct config */
	uint32_t max; /* OPT_U32: inclusive; OPT_STRING: buffer size */
	const char *help;
};

#define F(field) offsetof(struct config, field)

/* dnsmasq's names where dnsmasq has the same meaning. */
static const struct option_def options[] = {
	{ "port", OPT_CUSTOM, 0, 0, "port to listen on (53)" },
	{ "listen-address", OPT_CUSTOM, 0, 0, "address to listen on; repeatable (127.0.0.1 and ::1)" },
	{ "interface", OPT_STRING, F(interface), sizeof(((struct config *)0)->interface),
	  "interface the fast path attaches to (lo)" },
	{ "bind-interfaces", OPT_FLAG, F(bind_interfaces), 0, "accepted: bpfdnsd always binds its addresses" },
	{ "server", OPT_CUSTOM, 0, 0, "upstream IP[#port]; repeatable" },
	{ "resolv-file", OPT_STRING, F(resolv_file), PATH_MAX, "upstreams' nameserver lines (/etc/resolv.conf)" },
	{ "no-resolv", OPT_FLAG, F(no_resolv), 0, "do not read the resolv-file" },
	{ "all-servers", OPT_CUSTOM, 0, 0, "race every upstream at once" },
	{ "strict-order", OPT_CUSTOM, 0, 0, "ask upstreams one at a time, in order" },
	{ "hedged", OPT_CUSTOM, 0, 0,
	  "ask the healthiest upstream; the next only if no answer within its recent p95 RTT (the default)" },
	{ "hedge-min", OPT_U32, F(hedge_min_ms), 60000, "least wait before hedging, ms (1)" },
	{ "hedge-max", OPT_POSITIVE, F(hedge_max_ms), 60000, "most wait before hedging, ms, 1 or more (200)" },
	{ "cache-size", OPT_U32, F(cache_size), CONFIG_CACHE_MAX,
	  "cache entries, each about 2.3 KiB of locked kernel memory; 0 turns the cache off (8192; at most "
	  "1000000)" },
	{ "no-negcache", OPT_FLAG, F(no_negcache), 0, "do not cache NXDOMAIN or NODATA" },
	{ "neg-ttl", OPT_U32, F(neg_ttl), 86400 * 7, "seconds to cache negative replies without an SOA" },
	{ "min-cache-ttl", OPT_U32, F(min_cache_ttl), 3600, "lowest TTL cached, seconds" },
	{ "max-cache-ttl", OPT_U32, F(max_cache_ttl), 86400 * 7, "highest TTL cached, seconds (86400)" },
	{ "edns-packet-max", OPT_CUSTOM, 0, 0, "largest UDP answer we send (1232)" },
	{ "log-queries", OPT_FLAG, F(log_queries), 0, "log each query and its fate" },
	{ "keep-in-foreground", OPT_FLAG, F(foreground), 0, "do not daemonize (-k)" },
	{ "no-daemon", OPT_FLAG, F(foreground), 0, "do not daemonize (-d)" },
	{ "pid-file", OPT_STRING, F(pid_file), PATH_MAX, "write our PID here" },
	{ "user", OPT_STRING, F(user), 64, "drop privileges to this user after set-up" },
	{ "attach", OPT_CUSTOM, 0, 0, "fast path hook: xdp (default), tc or none" },
	{ "dns-forward-max", OPT_POSITIVE, F(forward_max), 1000000,
	  "misses in flight at once, 1 or more; more UDP ones are dropped, TCP ones wait (4096)" },
	{ "keep-fast-path", OPT_FLAG, F(keep_fast_path), 0,
	  "on SIGTERM leave the fast path attached (pinned) to answer cached names" },
	{ "pin-path", OPT_STRING, F(pin_path), PATH_MAX,
	  "pin the maps here; a bpffs is mounted on its parent if needed (/sys/fs/bpf/bpfdns)" },
	{ "query-timeout", OPT_POSITIVE, F(timeout_ms), 60000, "ms before a client gets SERVFAIL, 1 or more (2000)" },
	{ "access-control", OPT_CUSTOM, 0, 0,
	  "NET[/LEN],allow|refuse|deny: who may query; repeatable, the longest prefix wins "
	  "(127.0.0.0/8 and ::1 allowed, everyone else refused)" },
	{ "control-socket", OPT_CUSTOM, 0, 0,
	  "Unix socket bpfdnsctl asks for statistics; none for no socket (/run/bpfdnsd.sock)" },
	{ "metrics", OPT_CUSTOM, 0, 0, "serve Prometheus metrics over HTTP on IP:PORT (e.g. 127.0.0.1:9153; off)" },
	{ "prefetch", OPT_CUSTOM, 0, 0,
	  "refresh an entry the kernel serves in the last PERCENT of its TTL (on, 10)" },
	{ "no-prefetch", OPT_CUSTOM, 0, 0, "do not refresh entries before they expire" },
	{ "use-stale-cache", OPT_CUSTOM, 0, 0,
	  "when no upstream answers, answer from an entry expired up to SECONDS ago, TTL 30 (off; 86400 "
	  "without a value)" },
	{ "verbose", OPT_FLAG, F(verbose), 0, "debug logging, libbpf's included" },
};

static int set_custom(struct config *cfg, const struct option_def *o, const char *v)
{
	uint32_t x;

	if (!strcmp(o->name, "port")) {
		if (parse_u32(v, 65535, &x) || !x)
			return -EINVAL;
		cfg->port = (uint16_t)x;
	} else if (!strcmp(o->name, "listen-address") || !strcmp(o->name, "server")) {
		int is_listen = o->name[0] == 'l';
		struct sockaddr_storage *arr = is_listen ? cfg->listen : cfg->servers;
		int *n = is_listen ? &cfg->n_listen : &cfg->n_servers;

		if (!v || *n >= CONFIG_ADDR_MAX || config_parse_addr(v, is_listen ? 0 : 53, &arr[*n]))
			return -EINVAL;
		(*n)++;
	} else if (!strcmp(o->name, "all-servers") || !strcmp(o->name, "strict-order") ||
		   !strcmp(o->name, "hedged")) {
		/* one upstream mode: the last one given wins */
		if (v)
			return -EINVAL;
		cfg->mode = o->name[0] == 's' ? UPSTREAM_STRICT_ORDER
			    : o->name[0] == 'h' ? UPSTREAM_HEDGED
						: UPSTREAM_ALL_SERVERS;
	} else if (!strcmp(o->name, "edns-packet-max")) {
		if (parse_u32(v, 65535, &x) || x < 512)
			return -EINVAL;
		cfg->edns_packet_max = (uint16_t)x;
	} else if (!strcmp(o->name, "attach")) {
		if (!v)
			return -EINVAL;
		if (!strcmp(v, "xdp"))
			cfg->attach = FASTPATH_XDP;
		else if (!strcmp(v, "tc"))
			cfg->attach = FASTPATH_TC;
		else if (!strcmp(v, "none"))
			cfg->attach = FASTPATH_NONE;
		else
			return -EINVAL;
	} else if (!strcmp(o->name, "control-socket")) {
		if (!v || !*v || strlen(v) >= sizeof(cfg->control_socket))
			return -EINVAL;
		snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s", strcmp(v, "none") ? v : "");
	} else if (!strcmp(o->name, "metrics")) {
		struct sockaddr_storage ss;

		if (parse_host_port(v, &ss) || !((struct sockaddr_in *)&ss)->sin_port)
			return -EINVAL;
		cfg->metrics = ss;
	} else if (!strcmp(o->name, "prefetch")) {
		cfg->prefetch_pct = BPFDNS_PREFETCH_DEFAULT;
		if (v && (parse_u32(v, 99, &cfg->prefetch_pct) || !cfg->prefetch_pct))
			return -EINVAL;
	} else if (!strcmp(o->name, "no-prefetch")) {
		if (v)
			return -EINVAL;
		cfg->prefetch_pct = 0;
	} else if (!strcmp(o->name, "use-stale-cache")) {
		cfg->stale_max_s = 86400;
		if (v && (parse_u32(v, 86400 * 30, &cfg->stale_max_s) || !cfg->stale_max_s))
			return -EINVAL;
	} else if (!strcmp(o->name, "access-control")) {
		int err = acl_add(&cfg->acl, v);

		if (err == -ENOSPC)
			pr_err("access-control: at most %d rules", BPFDNS_ACL_MAX);
		return err;
	}
	return 0;
}

int config_set_option(struct config *cfg, const char *name, const char *value, const char *where)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct option_def *o = &options[i];
		char *field = (char *)cfg + o->off;
		int err = 0;

		if (strcmp(o->name, name))
			continue;
		switch (o->kind) {
		case OPT_FLAG:
			if (value)
				err = -EINVAL;
			else
				*(int *)field = 1;
			break;
		case OPT_U32:
		case OPT_POSITIVE:
			err = parse_u32(value, o->max, (uint32_t *)field);
			if (!err && o->kind == OPT_POSITIVE && !*(uint32_t *)field)
				err = -EINVAL;
			break;
		case OPT_STRING:
			if (!value || !*value || strlen(value) >= o->max)
				err = -EINVAL;
			else
				snprintf(field, o->max, "%s", value);
			break;
		case OPT_CUSTOM:
			err = set_custom(cfg, o, value);
			break;
		}
		if (err)
			pr_err("%s: bad value for %s%s%.128s (%s)", where, name, value ? ": " : "", value ? value : "",
			       o->help);
		return err;
	}
	pr_err("%s: unknown option \"%.64s%s\"", where, name, strlen(name) > 64 ? "..." : "");
	return -EINVAL;
}

int config_load_file(struct config *cfg, const char *path)
{
	char where[PATH_MAX + 32], *line;
	struct textfile tf;
	int lineno = 0, err;

	err = textfile_read(&tf, path);
	if (err) {
		pr_err("cannot read config file %s: %s", path, textfile_error(err));
		return err;
	}
	while (!err && (line = textfile_line(&tf))) {
		char *s = line, *eq, *end;

		lineno++;
		/* a comment starts with '#' at the start or after a blank, as
		 * in dnsmasq: "server=192.0.2.1#5353" keeps its port */
		for (char *h = s; (h = strchr(h, '#')); h++) {
			if (h == s || h[-1] == ' ' || h[-1] == '\t') {
				*h = '\0';
				break;
			}
		}
		while (*s == ' ' || *s == '\t')
			s++;
		end = s + strlen(s);
		while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*s)
			continue;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		eq = strchr(s, '=');
		if (eq)
			*eq = '\0';
		err = config_set_option(cfg, s, eq ? eq + 1 : NULL, where);
	}
	textfile_free(&tf);
	return err;
}

static void usage(void)
{
	printf("usage: bpfdnsd [-C FILE] [-k] [-d] [--name[=value]]...\n\n"
	       "Options (also as name=value lines in a -C config file):\n");
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		printf("  --%-20s %s\n", options[i].name, options[i].help);
}

/* What single options cannot say: bounds that must keep their order. */
static int config_check(const struct config *cfg)
{
	if (cfg->hedge_min_ms > cfg->hedge_max_ms) {
		pr_err("hedge-min=%u is over hedge-max=%u", cfg->hedge_min_ms, cfg->hedge_max_ms);
		return -EINVAL;
	}
	if (cfg->min_cache_ttl > cfg->max_cache_ttl) {
		pr_err("min-cache-ttl=%u is over max-cache-ttl=%u", cfg->min_cache_ttl, cfg->max_cache_ttl);
		return -EINVAL;
	}
	if (cfg->cache_size > CONFIG_CACHE_WARN)
		pr_warn("cache-size=%u locks about %u MiB of kernel memory", cfg->cache_size,
			(unsigned)((uint64_t)cfg->cache_size * CONFIG_ENTRY_BYTES >> 20));
	return 0;
}

int config_parse_args(struct config *cfg, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *a = argv[i], *eq;
		int err;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage();
			return 1;
		}
		if (!strcmp(a, "-k") || !strcmp(a, "-d")) {
			cfg->foreground = 1;
			continue;
		}
		if (!strcmp(a, "-C") || !strncmp(a, "--conf-file=", 12)) {
			const char *path = a[1] == 'C' ? (i + 1 < argc ? argv[++i] : NULL) : a + 12;

			if (!path) {
				pr_err("command line: -C needs a file");
				return -EINVAL;
			}
			err = config_load_file(cfg, path);
			if (err)
				return err;
			continue;
		}
		if (strncmp(a, "--", 2)) {
			pr_err("command line: unexpected \"%s\" (options are --name=value)", a);
			return -EINVAL;
		}
		a += 2;
		eq = strchr(a, '=');
		if (eq)
			*eq = '\0';
		err = config_set_option(cfg, a, eq ? eq + 1 : NULL, "command line");
		if (eq)
			*eq = '=';
		if (err)
			return err;
	}
	return config_check(cfg);
}
