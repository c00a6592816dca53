/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - bpfdnsd's options: one table, dnsmasq's names, used alike by
 * the config file (-C FILE, lines "name=value") and the command line
 * ("--name=value").
 */
#ifndef BPFDNS_CONFIG_H
#define BPFDNS_CONFIG_H

#include <limits.h>
#include <stdint.h>
#include <sys/socket.h>
#include <net/if.h>
#include "acl.h"
#include "bpfdns.h"
#include "hook.h"

#define CONFIG_ADDR_MAX 16
#define CONFIG_IF_MAX 32 /* interface= and except-interface= names each */
#ifndef BPFDNS_VERSION /* the Makefile's VERSION */
#define BPFDNS_VERSION "unknown"
#endif

/* How a miss goes upstream (strategy.h says what each one decides). */
enum upstream_mode {
	UPSTREAM_HEDGED,       /* the healthiest first, the next after its p95 (default) */
	UPSTREAM_ALL_SERVERS,  /* race them all (dnsmasq's all-servers) */
	UPSTREAM_STRICT_ORDER, /* one at a time, in order */
};
/* A cache entry's kernel memory (what cache-size= multiplies): key, small
 * entry and the LRU hash's own element header (about 48 bytes), and a
 * share of a big entry's (include/bpfdns.h), about 0.6 KiB. */
#define CONFIG_LRU_ELEM 48
#define CONFIG_ENTRY_BYTES                                                                               \
	(sizeof(struct bpfdns_key) + sizeof(struct bpfdns_entry_small) + CONFIG_LRU_ELEM +               \
	 (sizeof(struct bpfdns_key) + sizeof(struct bpfdns_entry) + CONFIG_LRU_ELEM) / BPFDNS_BIG_SHARE)
#define CONFIG_CACHE_MAX 1000000  /* cache-size at most: about 590 MiB */
#define CONFIG_CACHE_WARN 100000  /* above this, say how much it locks */

/* One domain line (server=/d/..., local=, address=, rev-server=), as
 * given; routes.c merges the lines of each domain. */
enum config_route_kind {
	ROUTE_LINE_SERVER,  /* server=/d/IP[#port]: ask these for d */
	ROUTE_LINE_DEFAULT, /* server=/d/#: the default servers for d */
	ROUTE_LINE_LOCAL,   /* server=/d/ or local=/d/: never forwarded, NXDOMAIN */
	ROUTE_LINE_ADDRESS, /* address=/d/IP: this address for d and below */
	ROUTE_LINE_ANY0,    /* address=/d/#: 0.0.0.0 and :: */
	ROUTE_LINE_NXDOMAIN, /* address=/d/: NXDOMAIN for every type */
};

struct config_route {
	uint8_t *name; /* lower-cased wire form; the root for /#/ (every name) */
	uint16_t name_len;
	uint8_t kind;		       /* enum config_route_kind */
	uint8_t plain;		       /* server=//IP: plain names (name is the root) */
	struct sockaddr_storage addr; /* SERVER: IP and port; ADDRESS: family and IP */
	char ifname[IF_NAMESIZE];      /* SERVER: @interface; "" none */
};

struct config {
	uint16_t port;				       /* port=, default 53 */
	struct sockaddr_storage listen[CONFIG_ADDR_MAX]; /* listen-address= */
	int n_listen;
	char interfaces[CONFIG_IF_MAX][IF_NAMESIZE];   /* interface=: names, a '*' matches the rest */
	int n_interfaces;
	int interface_set;			       /* interface= given (an empty one: lo only) */
	char except_interfaces[CONFIG_IF_MAX][IF_NAMESIZE]; /* except-interface= */
	int n_except;
	int bind_interfaces; /* bind-interfaces: only the addresses there at start-up, each one required */
	int bind_dynamic;    /* bind-dynamic: follow addresses and interfaces (also the default here) */
	struct sockaddr_storage servers[CONFIG_ADDR_MAX]; /* server=IP[#port][@interface] */
	char server_if[CONFIG_ADDR_MAX][IF_NAMESIZE];	  /* their @interface; "" none */
	int n_servers;
	char resolv_file[PATH_MAX]; /* resolv-file=, default /etc/resolv.conf */
	int no_resolv;
	enum upstream_mode mode; /* hedged, all-servers, strict-order: the last given */
	uint32_t hedge_min_ms, hedge_max_ms; /* bounds of the hedge delay */
	uint32_t cache_size; /* entries; 0 turns caching and the fast path off */
	int no_negcache;
	uint32_t neg_ttl;	/* s, for negative replies without an SOA */
	uint32_t min_cache_ttl; /* s */
	uint32_t max_cache_ttl; /* s */
	uint16_t edns_packet_max;
	int log_queries; /* QUERYLOG_* (querylog.h) */
	int foreground;
	char pid_file[PATH_MAX];
	char cache_file[PATH_MAX]; /* cache-file=: the cache across reboots; "" none */
	char user[64];
	char group[64]; /* group=: with user=, this group instead of the user's own */
	enum fastpath_hook attach;
	char pin_path[PATH_MAX]; /* maps pinned here, reused on restart */
	int keep_fast_path;	 /* leave the hook attached on a clean stop */
	uint32_t timeout_ms; /* query-timeout=: SERVFAIL after this long */
	uint32_t forward_max; /* dns-forward-max=: misses in flight at once */
	int verbose;
	struct acl acl; /* access-control=: who may query (loopback only) */
	int acl_given;	/* access-control= given; else the subnets listened on are allowed too */
	char control_socket[108];	 /* control-socket=, "" for none */
	char control_group[64];		 /* control-group=: may read statistics and the pins; "" none */
	long control_gid;		 /* its gid (main.c), -1 without it */
	struct sockaddr_storage metrics; /* metrics=IP:PORT; family 0: off */
	uint32_t prefetch_pct;	/* prefetch=: refresh hits in the last % of a TTL; 0: off */
	uint32_t stale_max_s;	/* use-stale-cache=: serve expired up to this long; 0: off */
	int no_poll;		/* no-poll: do not watch the resolv-file (SIGHUP re-reads it) */
	int clear_on_reload;	/* clear-on-reload: flush the cache when the resolv-file is re-read */
	int no_ident;		/* no-ident: CHAOS names answered REFUSED */
	int domain_needed;	/* domain-needed: plain names never forwarded */
	int bogus_priv;		/* bogus-priv: reverse lookups of private ranges answered locally */
	int no_hosts;		/* no-hosts: do not read /etc/hosts */
	char log_facility[PATH_MAX]; /* log-facility=: a syslog facility, a file, or - for stderr */
	int test_only;		/* --test: check the options and exit */
	struct config_route *routes; /* per-domain lines, in order (heap: config_free) */
	int n_routes, cap_routes;
	uint32_t local_ttl;	/* local-ttl=: TTL of local answers (address=, hosts), s */
	char *addn_hosts[16];	/* addn-hosts=: more hosts files (heap: config_free) */
	int n_addn_hosts;
	char hostsdir[PATH_MAX]; /* hostsdir=: every file in it is a hosts file; "" none */
	int expand_hosts;	/* expand-hosts: domain= added to plain names in hosts files */
	char domain[256];	/* domain=: the local domain */
};

/* How an option takes its value on the command line ("--name value" is
 * only for ARG_REQUIRED, as getopt_long does). */
enum config_arg { CONFIG_ARG_NONE, CONFIG_ARG_REQUIRED, CONFIG_ARG_OPTIONAL };

void config_defaults(struct config *cfg);
/* Free what options allocated (the per-domain lines). */
void config_free(struct config *cfg);
/*
 * Apply one option; value is NULL for a flag. where ("file:line" or
 * "command line") goes into the message. Returns 0, -EINVAL (logged), or
 * -EOPNOTSUPP for a dnsmasq option bpfdns does not have (not logged: the
 * caller lists them all at once).
 */
int config_set_option(struct config *cfg, const char *name, const char *value, const char *where);
/* The long name and value kind of option name, or of short option letter
 * (name NULL); -ENOENT when there is none. */
int config_option_arg(const char **name, char letter, enum config_arg *arg);
/* Print the options and their help. */
void config_usage(void);
/* What single options cannot say: bounds that must keep their order.
 * 0 or -EINVAL (logged). */
int config_check(const struct config *cfg);

/* conffile.c: where options come from, read as dnsmasq reads them. */

/* Read a config file: "name=value" or "name" lines, '#' comments, quotes;
 * conf-file= and conf-dir= inside it are read in place. */
int config_load_file(struct config *cfg, const char *path);
/* Parse argv as dnsmasq does (--name=value, --name value, -X value, -C
 * FILE...), then check the options together. 1 when help or the version
 * was printed; 0 or -errno. */
int config_parse_args(struct config *cfg, int argc, char **argv);
/* confroute.c: a per-domain line (server=/d/..., local=, address=,
 * rev-server=) into cfg->routes. 0 or -EINVAL, -ENOMEM. */
int config_route_option(struct config *cfg, const char *opt, const char *value);
/* confaddr.c: "IP:PORT", "[IPv6]:PORT" or "IP#PORT" into ss. */
int config_parse_host_port(const char *text, struct sockaddr_storage *ss);
/* confaddr.c: a server's "IP[#port][@interface]": the address into ss, the
 * interface into ifname (IF_NAMESIZE bytes; "" without one). @source-IP
 * is not supported: -EINVAL. */
int config_parse_server(const char *text, struct sockaddr_storage *ss, char *ifname);
/* Parse "IP" or "IP#port" into ss (port defaults to dflt); an IPv6
 * address may name its link, "fe80::1%eth0" (-ENODEV: no such interface). */
int config_parse_addr(const char *text, uint16_t dflt, struct sockaddr_storage *ss);

#endif /* BPFDNS_CONFIG_H */
