// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config.c - bpfdnsd options; see config.h. */
#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "dns.h"
#include "dnsmasq_opts.h"
#include "querylog.h"
#include "dnswire.h"
#include "log.h"

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->port = 53;
	snprintf(cfg->resolv_file, sizeof(cfg->resolv_file), "/etc/resolv.conf");
	snprintf(cfg->pin_path, sizeof(cfg->pin_path), "/sys/fs/bpf/bpfdns");
	cfg->cache_size = BPFDNS_CACHE_DEFAULT;
	cfg->max_cache_ttl = 86400;
	cfg->edns_packet_max = DNS_UDP_DEFAULT;
	cfg->attach = FASTPATH_AUTO;
	cfg->timeout_ms = 2000;
	cfg->forward_max = 4096;
	cfg->mode = UPSTREAM_HEDGED; /* measured: racing's latency at one query per miss */
	cfg->hedge_min_ms = 0;
	cfg->hedge_max_ms = 50; /* the chaos benchmark's bound on a lookup's wait */
	acl_defaults(&cfg->acl);
	cfg->prefetch_pct = BPFDNS_PREFETCH_DEFAULT;
	snprintf(cfg->control_socket, sizeof(cfg->control_socket), "/run/bpfdnsd.sock");
	cfg->control_gid = -1;
}

void config_free(struct config *cfg)
{
	for (int i = 0; i < cfg->n_routes; i++)
		free(cfg->routes[i].name);
	free(cfg->routes);
	cfg->routes = NULL;
	for (int i = 0; i < cfg->n_addn_hosts; i++)
		free(cfg->addn_hosts[i]);
	cfg->n_addn_hosts = 0;
	cfg->n_routes = cfg->cap_routes = 0;
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

enum opt_kind {
	OPT_FLAG,
	OPT_U32,
	OPT_POSITIVE, /* a u32 of 1 or more */
	OPT_STRING,
	OPT_CUSTOM,
	OPT_NOTE,   /* dnsmasq's, with no effect here: accepted, help says why in the log */
	OPT_READER, /* conf-file, conf-dir, help...: conffile.c acts on them */
};

struct option_def {
	const char *name;
	enum opt_kind kind;
	size_t off;   /* into struct config */
	uint32_t max; /* OPT_U32: inclusive; OPT_STRING: buffer size */
	const char *help;
	char letter;	      /* dnsmasq's short option; 0: none */
	enum config_arg arg; /* OPT_CUSTOM, OPT_NOTE, OPT_READER: how it takes a value */
};

#define F(field) offsetof(struct config, field)

#define REQ 0, CONFIG_ARG_REQUIRED
#define NONE 0, CONFIG_ARG_NONE
#define OPTIONAL 0, CONFIG_ARG_OPTIONAL

/* dnsmasq's names where dnsmasq has the same meaning, and its short
 * letters; then bpfdns's own. */
static const struct option_def options[] = {
	{ "port", OPT_CUSTOM, 0, 0, "port to listen on (53)", 'p', CONFIG_ARG_REQUIRED },
	{ "listen-address", OPT_CUSTOM, 0, 0, "address to listen on; repeatable (127.0.0.1 and ::1)", 'a',
	  CONFIG_ARG_REQUIRED },
	{ "interface", OPT_CUSTOM, 0, 0,
	  "listen on this interface's addresses, with the fast path on it; repeatable, NAME[,NAME...], a trailing * "
	  "a wildcard; lo is always added (none: 127.0.0.1 and ::1 only)", 'i', CONFIG_ARG_REQUIRED },
	{ "except-interface", OPT_CUSTOM, 0, 0, "never this interface (wildcards too); alone: every other one", 'I',
	  CONFIG_ARG_REQUIRED },
	{ "bind-interfaces", OPT_FLAG, F(bind_interfaces), 0,
	  "only the addresses there at start-up, each one required (default: follow them as they come and go)", 'z',
	  0 },
	{ "bind-dynamic", OPT_FLAG, F(bind_dynamic), 0,
	  "follow addresses and interfaces as they come and go (the default; overrides bind-interfaces)", 0, 0 },
	{ "server", OPT_CUSTOM, 0, 0,
	  "upstream IP[#port][@interface]; /DOMAIN/.../IP[#port]: only for those domains (the longest wins); /DOMAIN/#: the "
	  "default ones; /DOMAIN/: never forwarded; repeatable", 'S', CONFIG_ARG_REQUIRED },
	{ "local", OPT_CUSTOM, 0, 0, "/DOMAIN/: never forwarded, NXDOMAIN unless answered locally", 0,
	  CONFIG_ARG_REQUIRED },
	{ "address", OPT_CUSTOM, 0, 0, "/DOMAIN/.../IP: this address for the domain and below (/#: 0.0.0.0 "
	  "and ::; /: NXDOMAIN)", 'A', CONFIG_ARG_REQUIRED },
	{ "rev-server", OPT_CUSTOM, 0, 0, "CIDR,IP[#port]: reverse lookups in CIDR go to IP", 0,
	  CONFIG_ARG_REQUIRED },
	{ "local-ttl", OPT_U32, F(local_ttl), 86400 * 7, "TTL of local answers, seconds (0)", 'T', 0 },
	{ "resolv-file", OPT_STRING, F(resolv_file), PATH_MAX, "upstreams' nameserver lines (/etc/resolv.conf)", 'r',
	  0 },
	{ "no-resolv", OPT_FLAG, F(no_resolv), 0, "do not read the resolv-file", 'R', 0 },
	{ "no-poll", OPT_FLAG, F(no_poll), 0, "do not watch the resolv-file for changes (SIGHUP re-reads it)", 'n',
	  0 },
	{ "clear-on-reload", OPT_FLAG, F(clear_on_reload), 0, "clear the cache whenever the resolv-file is re-read",
	  0, 0 },
	{ "all-servers", OPT_CUSTOM, 0, 0, "race every upstream at once", NONE },
	{ "strict-order", OPT_CUSTOM, 0, 0, "ask upstreams one at a time, in order", 'o', CONFIG_ARG_NONE },
	{ "domain-needed", OPT_FLAG, F(domain_needed), 0, "never forward A or AAAA queries for plain names "
	  "(without a dot): NXDOMAIN", 'D', 0 },
	{ "bogus-priv", OPT_FLAG, F(bogus_priv), 0, "answer reverse lookups of private ranges (RFC 6303) with "
	  "NXDOMAIN instead of forwarding them", 'b', 0 },
	{ "no-hosts", OPT_FLAG, F(no_hosts), 0, "do not read /etc/hosts", 'h', 0 },
	{ "addn-hosts", OPT_CUSTOM, 0, 0, "read this hosts file (or the files of this directory) too; repeatable",
	  'H', CONFIG_ARG_REQUIRED },
	{ "hostsdir", OPT_STRING, F(hostsdir), PATH_MAX, "read every file in this directory as a hosts file, "
	  "again when one changes", 0, 0 },
	{ "expand-hosts", OPT_FLAG, F(expand_hosts), 0, "add domain= to plain names in hosts files", 'E', 0 },
	{ "domain", OPT_CUSTOM, 0, 0, "the local domain (for expand-hosts)", 's', CONFIG_ARG_REQUIRED },
	{ "no-ident", OPT_FLAG, F(no_ident), 0, "answer CHAOS names (cachesize.bind...) NOTIMP", 0, 0 },
	{ "proxy-dnssec", OPT_NOTE, 0, 0, "accepted: DO, CD and AD already pass through, and are part of the "
	  "cache key", NONE },
	{ "log-async", OPT_NOTE, 0, 0, "accepted: logging never blocks", OPTIONAL },
	{ "local-service", OPT_NOTE, 0, 0, "accepted: without access-control, loopback and the subnets listened on "
	  "are answered", NONE },
	{ "group", OPT_STRING, F(group), 64, "with user=, run as this group (the user's own)", 'g', 0 },
	{ "log-facility", OPT_STRING, F(log_facility), PATH_MAX, "log to this syslog facility, to this file "
	  "(a path), or to stderr (-)", '8', 0 },
	{ "conf-file", OPT_READER, 0, 0, "read options from FILE (-C)", 'C', CONFIG_ARG_REQUIRED },
	{ "conf-dir", OPT_READER, 0, 0, "DIR[,.ext][,*.ext]: read the files in DIR (-7)", '7', CONFIG_ARG_REQUIRED },
	{ "test", OPT_READER, 0, 0, "check the options and exit: 0 when they are good, else 1", NONE },
	{ "help", OPT_READER, 0, 0, "print this and exit (-w)", 'w', CONFIG_ARG_NONE },
	{ "version", OPT_READER, 0, 0, "print the version and exit (-v)", 'v', CONFIG_ARG_NONE },
	{ "hedged", OPT_CUSTOM, 0, 0,
	  "ask the healthiest upstream; the next only if no answer within its recent p95 RTT (the default)", NONE },
	{ "hedge-min", OPT_U32, F(hedge_min_ms), 60000, "least wait before hedging, ms (0)", 0, 0 },
	{ "hedge-max", OPT_POSITIVE, F(hedge_max_ms), 60000, "most wait before hedging, ms, 1 or more (50)", 0, 0 },
	{ "cache-size", OPT_U32, F(cache_size), CONFIG_CACHE_MAX,
	  "cache entries, each about 0.6 KiB of locked kernel memory; 0 turns the cache off (8192; at most "
	  "1000000)", 'c', 0 },
	{ "cache-file", OPT_STRING, F(cache_file), PATH_MAX,
	  "keep the cache across restarts and reboots: written here on a clean stop, loaded at start with TTLs "
	  "aged by the wall clock (off)", 0, 0 },
	{ "no-negcache", OPT_FLAG, F(no_negcache), 0, "do not cache NXDOMAIN or NODATA", 'N', 0 },
	{ "neg-ttl", OPT_U32, F(neg_ttl), 86400 * 7, "seconds to cache negative replies without an SOA", 0, 0 },
	{ "min-cache-ttl", OPT_U32, F(min_cache_ttl), 3600, "lowest TTL cached, seconds", 0, 0 },
	{ "max-cache-ttl", OPT_U32, F(max_cache_ttl), 86400 * 7, "highest TTL cached, seconds (86400)", 0, 0 },
	{ "edns-packet-max", OPT_CUSTOM, 0, 0, "largest UDP answer we send (1232)", 'P',
	  CONFIG_ARG_REQUIRED },
	{ "log-queries", OPT_CUSTOM, 0, 0, "log each query and its fate, in dnsmasq's lines (=extra: with serial and client)", 'q',
	  CONFIG_ARG_OPTIONAL },
	{ "keep-in-foreground", OPT_FLAG, F(foreground), 0, "do not daemonize (-k)", 'k', 0 },
	{ "no-daemon", OPT_FLAG, F(foreground), 0, "do not daemonize (-d)", 'd', 0 },
	{ "pid-file", OPT_STRING, F(pid_file), PATH_MAX, "write our PID here", 'x', 0 },
	{ "user", OPT_STRING, F(user), 64, "drop privileges to this user after set-up", 'u', 0 },
	{ "attach", OPT_CUSTOM, 0, 0,
	  "fast path hook per interface: auto (default: xdp, tc on a veth, whose native xdp loses answers), "
	  "xdp, xdp-generic, tc or none; tc sits behind xdp for answers xdp cannot grow", REQ },
	{ "dns-forward-max", OPT_POSITIVE, F(forward_max), 1000000,
	  "misses in flight at once, 1 or more; more UDP ones are dropped, TCP ones wait (4096)", '0', 0 },
	{ "keep-fast-path", OPT_FLAG, F(keep_fast_path), 0,
	  "on SIGTERM leave the fast path attached (pinned) to answer cached names", 0, 0 },
	{ "pin-path", OPT_STRING, F(pin_path), PATH_MAX,
	  "pin the maps here; a bpffs is mounted on its parent if needed (/sys/fs/bpf/bpfdns)", 0, 0 },
	{ "query-timeout", OPT_POSITIVE, F(timeout_ms), 60000, "ms before a client gets SERVFAIL, 1 or more (2000)", 0, 0 },
	{ "access-control", OPT_CUSTOM, 0, 0,
	  "NET[/LEN],allow|refuse|deny: who may query; repeatable, the longest prefix wins "
	  "(127.0.0.0/8 and ::1 allowed, everyone else refused; without it, the subnets listened on too)", REQ },
	{ "control-socket", OPT_CUSTOM, 0, 0,
	  "Unix socket bpfdnsctl asks for statistics; none for no socket (/run/bpfdnsd.sock)", REQ },
	{ "control-group", OPT_STRING, F(control_group), 64,
	  "this group may read: the control socket's statistics and the pinned maps (flush and reset stay root's)",
	  0, 0 },
	{ "metrics", OPT_CUSTOM, 0, 0, "serve Prometheus metrics over HTTP on IP:PORT (e.g. 127.0.0.1:9153; off)", REQ },
	{ "prefetch", OPT_CUSTOM, 0, 0,
	  "refresh an entry the kernel serves in the last PERCENT of its TTL (on, 10)", OPTIONAL },
	{ "no-prefetch", OPT_CUSTOM, 0, 0, "do not refresh entries before they expire", NONE },
	{ "use-stale-cache", OPT_CUSTOM, 0, 0,
	  "when no upstream answers, answer from an entry expired up to SECONDS ago, TTL 30 (off; 86400 "
	  "without a value)", OPTIONAL },
	{ "verbose", OPT_FLAG, F(verbose), 0, "debug logging, libbpf's included", 0, 0 },
};

#undef REQ
#undef NONE
#undef OPTIONAL

static enum config_arg option_arg(const struct option_def *o)
{
	switch (o->kind) {
	case OPT_FLAG:
		return CONFIG_ARG_NONE;
	case OPT_U32:
	case OPT_POSITIVE:
	case OPT_STRING:
		return CONFIG_ARG_REQUIRED;
	default:
		return o->arg;
	}
}

static const struct option_def *find_option(const char *name, char letter)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (name ? !strcmp(options[i].name, name) : options[i].letter == letter)
			return &options[i];
	return NULL;
}

int config_option_arg(const char **name, char letter, enum config_arg *arg)
{
	const struct option_def *o = find_option(*name, letter);
	const struct foreign_opt *f;

	if (o) {
		*name = o->name;
		*arg = option_arg(o);
		return 0;
	}
	f = foreign_option(*name, letter);
	if (!f)
		return -ENOENT;
	*name = f->name;
	*arg = f->arg;
	return 0;
}

/* listen-address=IP[,IP...], as dnsmasq takes it. */
static int listen_addresses(struct config *cfg, const char *v)
{
	char buf[CONFIG_ADDR_MAX * 48], *save = NULL;

	if (!v || !*v || strlen(v) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		if (cfg->n_listen >= CONFIG_ADDR_MAX || config_parse_addr(a, 0, &cfg->listen[cfg->n_listen]))
			return -EINVAL;
		cfg->n_listen++;
	}
	return 0;
}

/* interface=NAME[,NAME...] (and except-interface=), as dnsmasq takes it:
 * repeats kept once; an empty interface= adds nothing (lo only). */
static int interface_names(char (*list)[IF_NAMESIZE], int *n, const char *v)
{
	char buf[CONFIG_IF_MAX * IF_NAMESIZE], *save = NULL;

	if (!v || strlen(v) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", v);
	for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
		int dup = 0;

		if (strlen(a) >= IF_NAMESIZE || strpbrk(a, "/ \t")) {
			pr_err("%s: not an interface name", a);
			return -EINVAL;
		}
		for (int i = 0; i < *n; i++)
			dup |= !strcmp(list[i], a);
		if (dup)
			continue;
		if (*n >= CONFIG_IF_MAX) {
			pr_err("%s: at most %d interface names", a, CONFIG_IF_MAX);
			return -ENOSPC;
		}
		snprintf(list[(*n)++], IF_NAMESIZE, "%s", a);
	}
	return 0;
}

/* The options of where bpfdnsd listens and whom it asks or answers; 1 when
 * o is not one of them. */
static int set_network(struct config *cfg, const struct option_def *o, const char *v)
{
	uint32_t x;

	if (!strcmp(o->name, "port")) {
		if (parse_u32(v, 65535, &x) || !x)
			return -EINVAL;
		cfg->port = (uint16_t)x;
	} else if ((!strcmp(o->name, "server") && v && v[0] == '/') || !strcmp(o->name, "local") ||
		   !strcmp(o->name, "address") || !strcmp(o->name, "rev-server")) {
		return config_route_option(cfg, o->name, v);
	} else if (!strcmp(o->name, "listen-address")) {
		return listen_addresses(cfg, v);
	} else if (!strcmp(o->name, "interface")) {
		cfg->interface_set = 1;
		return interface_names(cfg->interfaces, &cfg->n_interfaces, v);
	} else if (!strcmp(o->name, "except-interface")) {
		return interface_names(cfg->except_interfaces, &cfg->n_except, v);
	} else if (!strcmp(o->name, "server")) {
		if (!v || cfg->n_servers >= CONFIG_ADDR_MAX ||
		    config_parse_server(v, &cfg->servers[cfg->n_servers], cfg->server_if[cfg->n_servers]))
			return -EINVAL;
		cfg->n_servers++;
	} else if (!strcmp(o->name, "control-socket")) {
		if (!v || !*v || strlen(v) >= sizeof(cfg->control_socket))
			return -EINVAL;
		snprintf(cfg->control_socket, sizeof(cfg->control_socket), "%s", strcmp(v, "none") ? v : "");
	} else if (!strcmp(o->name, "metrics")) {
		struct sockaddr_storage ss;

		if (config_parse_host_port(v, &ss) || !((struct sockaddr_in *)&ss)->sin_port)
			return -EINVAL;
		cfg->metrics = ss;
	} else if (!strcmp(o->name, "access-control")) {
		int err = acl_add(&cfg->acl, v);

		cfg->acl_given = 1;
		if (err == -ENOSPC)
			pr_err("access-control: at most %d rules", BPFDNS_ACL_MAX);
		return err;
	} else {
		return 1;
	}
	return 0;
}

/* The options of local names: hosts files, the local domain. */
static int set_names(struct config *cfg, const struct option_def *o, const char *v)
{
	uint8_t wire[DNS_NAME_MAX + 1];

	if (!strcmp(o->name, "addn-hosts")) {
		if (!v || !*v || cfg->n_addn_hosts == (int)(sizeof(cfg->addn_hosts) / sizeof(cfg->addn_hosts[0])))
			return -EINVAL;
		cfg->addn_hosts[cfg->n_addn_hosts] = strdup(v);
		return cfg->addn_hosts[cfg->n_addn_hosts++] ? 0 : -ENOMEM;
	}
	/* domain=NAME; dnsmasq's ",range" forms are for DHCP */
	if (!v || strchr(v, ',') || strlen(v) >= sizeof(cfg->domain) || dns_name_from_text(v, wire, sizeof(wire)) < 0)
		return -EINVAL;
	snprintf(cfg->domain, sizeof(cfg->domain), "%s", v);
	return 0;
}

static int set_custom(struct config *cfg, const struct option_def *o, const char *v)
{
	uint32_t x;
	int rc = set_network(cfg, o, v);

	if (rc != 1)
		return rc;
	if (!strcmp(o->name, "addn-hosts") || !strcmp(o->name, "domain"))
		return set_names(cfg, o, v);
	if (!strcmp(o->name, "all-servers") || !strcmp(o->name, "strict-order") || !strcmp(o->name, "hedged")) {
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
		if (!strcmp(v, "auto"))
			cfg->attach = FASTPATH_AUTO;
		else if (!strcmp(v, "xdp"))
			cfg->attach = FASTPATH_XDP;
		else if (!strcmp(v, "xdp-generic"))
			cfg->attach = FASTPATH_XDP_GENERIC;
		else if (!strcmp(v, "tc"))
			cfg->attach = FASTPATH_TC;
		else if (!strcmp(v, "none"))
			cfg->attach = FASTPATH_NONE;
		else
			return -EINVAL;
	} else if (!strcmp(o->name, "log-queries")) {
		/* extra: each line with the query's serial and client */
		if (v && strcmp(v, "extra") && strcmp(v, "proto"))
			return -EINVAL;
		cfg->log_queries = v && !strcmp(v, "extra") ? QUERYLOG_EXTRA : QUERYLOG_ON; /* proto: plain, as 2.90 */
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
	}
	return 0;
}

/* Apply the value of a known option o. */
static int set_known(struct config *cfg, const struct option_def *o, const char *value, const char *where)
{
	char *field = (char *)cfg + o->off;

	switch (o->kind) {
	case OPT_FLAG:
		if (value)
			return -EINVAL;
		*(int *)field = 1;
		return 0;
	case OPT_U32:
	case OPT_POSITIVE:
		if (parse_u32(value, o->max, (uint32_t *)field))
			return -EINVAL;
		return o->kind == OPT_POSITIVE && !*(uint32_t *)field ? -EINVAL : 0;
	case OPT_STRING:
		if (!value || !*value || strlen(value) >= o->max)
			return -EINVAL;
		snprintf(field, o->max, "%s", value);
		return 0;
	case OPT_CUSTOM:
		return set_custom(cfg, o, value);
	case OPT_NOTE:
		if (value && o->arg == CONFIG_ARG_NONE)
			return -EINVAL;
		pr_info("%s: %s: %s", where, o->name, o->help);
		return 0;
	case OPT_READER:
		break;
	}
	return -EINVAL; /* conffile.c's: never set here */
}

int config_set_option(struct config *cfg, const char *name, const char *value, const char *where)
{
	const struct option_def *o = find_option(name, 0);
	int err;

	if (!o && foreign_option(name, 0))
		return -EOPNOTSUPP;
	if (!o) {
		pr_err("%s: unknown option \"%.64s%s\"", where, name, strlen(name) > 64 ? "..." : "");
		return -EINVAL;
	}
	err = set_known(cfg, o, value, where);
	if (err)
		pr_err("%s: bad value for %s%s%.128s (%s)", where, name, value ? ": " : "", value ? value : "",
		       o->help);
	return err;
}

void config_usage(void)
{
	printf("usage: bpfdnsd [-C FILE] [-k] [-d] [--name[=value]]...\n\n"
	       "Options (also as name=value lines in a -C config file); dnsmasq's names and letters:\n");
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		char letter[8] = "    ";

		if (options[i].letter)
			snprintf(letter, sizeof(letter), "-%c, ", options[i].letter);
		printf("  %s--%-20s %s\n", letter, options[i].name, options[i].help);
	}
}

/* What single options cannot say: bounds that must keep their order. */
int config_check(const struct config *cfg)
{
	if (cfg->hedge_min_ms > cfg->hedge_max_ms) {
		pr_err("hedge-min=%u is over hedge-max=%u", cfg->hedge_min_ms, cfg->hedge_max_ms);
		return -EINVAL;
	}
	if (cfg->min_cache_ttl > cfg->max_cache_ttl) {
		pr_err("min-cache-ttl=%u is over max-cache-ttl=%u", cfg->min_cache_ttl, cfg->max_cache_ttl);
		return -EINVAL;
	}
	if (cfg->log_facility[0] && cfg->log_facility[0] != '/' && strcmp(cfg->log_facility, "-") &&
	    log_facility_code(cfg->log_facility) < 0) {
		pr_err("log-facility=%s: not a syslog facility (daemon, local0...), a file path or -",
		       cfg->log_facility);
		return -EINVAL;
	}
	if (cfg->cache_size > CONFIG_CACHE_WARN)
		pr_warn("cache-size=%u locks about %u MiB of kernel memory", cfg->cache_size,
			(unsigned)((uint64_t)cfg->cache_size * CONFIG_ENTRY_BYTES >> 20));
	return 0;
}
