/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* fastpath_priv.h - struct fastpath, for the two files that make it:
 * fastpath.c (load, maps, pins) and attach.c (hooks on an interface). */
#ifndef BPFDNS_FASTPATH_PRIV_H
#define BPFDNS_FASTPATH_PRIV_H

#include <limits.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "fastpath.h"

/* The fast path on one interface. */
struct fp_hook {
	int ifindex;
	char name[IF_NAMESIZE];
	enum fastpath_hook hook; /* XDP, XDP_GENERIC or TC */
	const char *why;	 /* a static string, for reports */
	int xdp_fd;		 /* the XDP link; -1: none */
	char link_pin[PATH_MAX]; /* where the link is pinned, or "" */
	char tc_pin[PATH_MAX];	 /* where the TC program is pinned, or "" */
	struct bpf_tc_hook tc_hook;
	struct bpf_tc_opts tc_opts;
	int tc_attached;
	int tc_hook_created;
};

struct fastpath {
	struct bpfdns *skel;
	char pin_path[PATH_MAX]; /* "" without pinning */
	int pin_dirfd;		 /* pin_path, for unpinning after privileges are dropped */
	int lock_fd;		 /* holds pin_path's lock: one daemon per pin-path */
	int keep;		 /* leave the hooks attached on close */
	struct fp_hook **hooks;	 /* one per interface attached to */
	int n_hooks, cap_hooks;
	int ncpus;
	__u64 hash_key[2];	 /* the cache keys' name hash key (namehash.h) */
	struct ring_buffer *prefetch_rb;
	fastpath_prefetch_fn prefetch_fn;
	void *prefetch_ctx;
	struct ring_buffer *hits_rb;
	fastpath_hit_fn hit_fn;
	void *hit_ctx;
};

#endif /* BPFDNS_FASTPATH_PRIV_H */
