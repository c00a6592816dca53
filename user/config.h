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
#include "acl.h"
#include "hook.h"

#define CONFIG_ADDR_MAX 16

/* How a miss goes upstream (strategy.h says what each one decides). */
enum upstream_mode {
	UPSTREAM_HEDGED,       /* the healthiest first, the next after its p95 (default) */
	UPSTREAM_ALL_SERVERS,  /* race them all (dnsmasq's all-servers) */
	UPSTREAM_STRICT_ORDER, /* one at a time, in order */
};
/* A cache entry's kernel memory: key, entry and the LRU hash's own
 * element header, about 2.3 KiB (what cache-size= multiplies). */
#define CONFIG_ENTRY_BYTES (264 + 2048 + 64)
#define CONFIG_CACHE_MAX 1000000  /* cache-size at most: about 2.2 GiB */
#define CONFIG_CACHE_WARN 100000  /* above this, say how much it locks */

struct config {
	uint16_t port;				       /* port=, default 53 */
	struct sockaddr_storage listen[CONFIG_ADDR_MAX]; /* listen-address= */
	int n_listen;
	char interface[32];			       /* interface=, default lo */
	int bind_interfaces;			       /* accepted; we always bind addresses */
	struct sockaddr_storage servers[CONFIG_ADDR_MAX]; /* server=IP[#port] */
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
	int log_queries;
	int foreground;
	char pid_file[PATH_MAX];
	char user[64];
	enum fastpath_hook attach;
	char pin_path[PATH_MAX]; /* maps pinned here, reused on restart */
	int keep_fast_path;	 /* leave the hook attached on a clean stop */
	uint32_t timeout_ms; /* query-timeout=: SERVFAIL after this long */
	uint32_t forward_max; /* dns-forward-max=: misses in flight at once */
	int verbose;
	struct acl acl; /* access-control=: who may query (loopback only) */
	char control_socket[108];	 /* control-socket=, "" for none */
	struct sockaddr_storage metrics; /* metrics=IP:PORT; family 0: off */
	uint32_t prefetch_pct;	/* prefetch=: refresh hits in the last % of a TTL; 0: off */
	uint32_t stale_max_s;	/* use-stale-cache=: serve expired up to this long; 0: off */
};

void config_defaults(struct config *cfg);
/*
 * Apply one option; value is NULL for a flag. where ("file:line" or
 * "command line") goes into the message. Returns 0 or -EINVAL (logged).
 */
int config_set_option(struct config *cfg, const char *name, const char *value, const char *where);
/* Read a config file: "name=value" or "name" lines, '#' comments. */
int config_load_file(struct config *cfg, const char *path);
/* Parse argv (--name=value, --name, -C FILE, -k, -d, -h), then check the
 * options together (hedge-min <= hedge-max...); 1 when help was printed. */
int config_parse_args(struct config *cfg, int argc, char **argv);
/* Parse "IP" or "IP#port" into ss (port defaults to dflt). */
int config_parse_addr(const char *text, uint16_t dflt, struct sockaddr_storage *ss);

#endif /* BPFDNS_CONFIG_H */
