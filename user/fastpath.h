/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* fastpath.h - load, attach and feed the BPF fast path (the skeleton's owner). */
#ifndef BPFDNS_FASTPATH_H
#define BPFDNS_FASTPATH_H

#include <stdint.h>
#include "acl.h"
#include "bpfdns.h"
#include "hook.h"
#include "cachemap.h"
#include "mapops.h"

struct fastpath_opts {
	uint32_t cache_entries; /* LRU map size; 0: BPFDNS_CACHE_DEFAULT */
	uint16_t edns_udp_max;	/* server UDP payload limit; 0: DNS_UDP_DEFAULT */
	const char *pin_path;	/* pin the maps in this directory (bpffs mounted on
				 * its parent if needed) and reuse pins found there;
				 * NULL: no pinning */
	int keep_attached;	/* on close, leave the hook attached (XDP: pinned) */
	const struct acl *acl;	/* who is answered; NULL: loopback only */
	uint32_t prefetch_pct;	/* hits in the last % of a TTL ask for a refresh; 0: never */
	int log_hits;		/* report each hit (fastpath_hits_open): log-queries */
};

/* Called with the question of an entry the fast path wants refreshed. */
typedef void (*fastpath_prefetch_fn)(void *ctx, const struct bpfdns_question *qn);
/* Called with a hit the fast path answered (opts.log_hits). */
typedef void (*fastpath_hit_fn)(void *ctx, const struct bpfdns_hit *hit);

struct fastpath;

/* Open and load the programs and maps. Returns 0 or -errno (logged). */
int fastpath_open(struct fastpath **fp, const struct fastpath_opts *opts);
/* The hook to attach to ifname with, given attach= (wanted): auto is XDP,
 * except on drivers whose native XDP_TX answers are lost (veth: unless its
 * peer runs XDP too), TC there; explicit xdp there is kept, with a warning.
 * *why: the reason in a few words (a static string). */
enum fastpath_hook fastpath_pick_hook(const char *ifname, enum fastpath_hook wanted, const char **why);
/* Attach to an interface (one hook each: a second attach replaces the
 * first); detached again by fastpath_detach or close. why: for reports
 * (a static string, or NULL). */
int fastpath_attach(struct fastpath *fp, int ifindex, enum fastpath_hook hook, const char *why);
/* Detach from ifindex (gone: the interface was deleted, and its hooks
 * with it: only our pins are left to remove). */
void fastpath_detach(struct fastpath *fp, int ifindex, int gone);
void fastpath_detach_all(struct fastpath *fp);

/* Where the fast path is attached (for reports, and pindir): up to max
 * of them into out (NULL with 0: none); returns how many there are (more
 * than max: some left out). */
int fastpath_hooks(const struct fastpath *fp, struct fastpath_hook_info *out, int max);
void fastpath_close(struct fastpath *fp);

/* Answer on addr (4 or 16 bytes for family 4 or 6; NULL: any) and port. */
int fastpath_listen_add(struct fastpath *fp, int family, const void *addr, uint16_t port);
/* Stop answering there (an address that went away). */
int fastpath_listen_del(struct fastpath *fp, int family, const void *addr, uint16_t port);
/* Store an entry for a question; returns 1 when the key is new, 0 when it
 * replaced one, or -errno. */
int fastpath_store(struct fastpath *fp, const struct bpfdns_question *qn, const struct entry *e);
/* Copy the entry for a question into e; 0 or -ENOENT. */
int fastpath_lookup(struct fastpath *fp, const struct bpfdns_question *qn, struct entry *e);
/* A step of a sweep (cachemap.h): entries that expired before now_ns
 * (CLOCK_BOOTTIME) deleted, at most max keys judged; returns how many. */
int fastpath_sweep(struct fastpath *fp, uint64_t now_ns, struct cachemap_sweeper *s, int max);
/* Entries in the cache map now (walks it; under heavy churn an
 * overestimate, never above the map's size). */
int fastpath_count(struct fastpath *fp);
/* Replace the access list map's rules with acl's. */
int fastpath_acl_set(struct fastpath *fp, const struct acl *acl);
/* Forget every listen address (ones a pinned map kept from an earlier run). */
int fastpath_listen_clear(struct fastpath *fp);
/* Counters summed over CPUs, and over hooks... */
int fastpath_counters(struct fastpath *fp, struct bpfdns_counters *out);
/* ... or of one hook (BPFDNS_COUNTERS_XDP or _TC). */
int fastpath_counters_hook(struct fastpath *fp, int hook, struct bpfdns_counters *out);
/* Every counter back to zero (bpfdnsctl stats --reset). */
int fastpath_counters_reset(struct fastpath *fp);

/* Take refresh requests: returns an fd to poll for them (epoll), or
 * -errno; fastpath_prefetch_poll then calls fn for each one waiting. */
int fastpath_prefetch_open(struct fastpath *fp, fastpath_prefetch_fn fn, void *ctx);
void fastpath_prefetch_poll(struct fastpath *fp);
/* The same for the hits the fast path answered, with opts.log_hits. */
int fastpath_hits_open(struct fastpath *fp, fastpath_hit_fn fn, void *ctx);
void fastpath_hits_poll(struct fastpath *fp);

/* Program fds, for BPF_PROG_TEST_RUN. */
int fastpath_prog_fd(struct fastpath *fp, enum fastpath_hook hook);
struct cache_maps fastpath_cache_maps(struct fastpath *fp);

const char *fastpath_hook_name(enum fastpath_hook hook);

#endif /* BPFDNS_FASTPATH_H */
