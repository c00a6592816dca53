/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* upstream.h - the upstream servers: from server= and the resolv-file. */
#ifndef BPFDNS_UPSTREAM_H
#define BPFDNS_UPSTREAM_H

#include <stdint.h>
#include <sys/socket.h>
#include <net/if.h>
#include "config.h"

#define UPSTREAM_RTT_WINDOW 32 /* recent RTT samples kept for the p95 */
/* After a reply to our question with a wrong ID came from an upstream's
 * address and port (a forgery, most likely), ask it over TCP only, for
 * this long. */
#define UPSTREAM_TCP_ONLY_MS 60000

enum upstream_state { UPSTREAM_UP, UPSTREAM_SUSPECT, UPSTREAM_DOWN };

struct upstream {
	struct sockaddr_storage addr;
	char ifname[IF_NAMESIZE]; /* server=IP@interface: its sockets bound there; "" none */
	char name[96]; /* "IP[%zone]#port[@interface]" for logs */
	uint64_t queries, wins, failures;
	uint64_t unwanted;	/* UDP replies to our question with a wrong ID (forged?) */
	uint64_t tcp_only_until_ms; /* TCP only until then, after one of those */
	/* health (health.c) */
	uint32_t srtt_us; /* smoothed RTT; 0 before the first sample */
	/* the recent window's median (what the order goes by: one reply 2 s
	 * late moves it not, srtt by 250 ms), p95 (the hedge delay) and p99
	 * (past it, a query is overdue): sorted out once per sample, not on
	 * every miss that asks */
	uint32_t rtt_p50_us, rtt_p95_us, rtt_p99_us;
	uint32_t rtt[UPSTREAM_RTT_WINDOW];
	uint8_t rtt_n, rtt_at;
	uint64_t rtt_sum_us, rtt_count; /* every sample: the metric's _sum and _count */
	uint8_t state; /* enum upstream_state */
	uint32_t fails;	/* consecutive */
	uint32_t refusals; /* consecutive SERVFAIL, REFUSED... answers */
	uint32_t overdue;  /* consecutive queries unanswered past its p99 (health_slow) */
	uint32_t late_run; /* consecutive replies that came late (health.h), not samples */
	uint32_t early_run; /* consecutive replies far faster than its median */
	uint64_t trouble_ms; /* when it was last overdue, late or failed; 0: never */
	uint32_t p50_before_us; /* rtt_p50_us when that spell of trouble began */
	uint64_t probe_at_ms; /* when it may be probed next */
	uint64_t last_ok_ms;  /* its last reply in time (not late) */
	int refs;	      /* lists naming it: one object per address */
};

#define UPSTREAM_MAX (CONFIG_ADDR_MAX * 2)

/* A list of upstreams. Reference counted: a miss keeps the list it started
 * with, so a reload never pulls an upstream from under a query in flight.
 * An upstream's counters and health are one object per address, shared by
 * the lists that name it: what a query in flight learns after a reload
 * reaches the new list too. */
struct upstreams {
	struct upstream *list[UPSTREAM_MAX];
	int n;
	int refs;
};

/*
 * A new list (one reference) from cfg->servers and, unless no-resolv, the
 * nameserver lines of cfg->resolv_file, skipping our own listen addresses so
 * that we never ask ourselves. Returns 0 or -errno (logged); no upstream at
 * all is a warning, as in dnsmasq (local data still answers), but a
 * resolv-file that cannot be read with no server= is an error.
 */
int upstreams_load(struct upstreams **ups, const struct config *cfg);
/* Add ss (asked through interface ifname; NULL or "": any) to ups unless
 * it is there already, or one of our own addresses. 0 or -ENOMEM. */
int upstreams_add(struct upstreams *ups, const struct config *cfg, const struct sockaddr_storage *ss,
		  const char *ifname);
/* Make ups share old's upstream objects (counters and health) for the
 * addresses both name. */
void upstreams_carry_stats(struct upstreams *ups, const struct upstreams *old);
/* The upstream objects seen so far, one per address (routes.c builds many
 * lists at once). */
struct upstream_set {
	struct upstream **list;
	int n, cap;
};

/* Add the objects of ups to set (once each). 0 or -ENOMEM. */
int upstream_set_add(struct upstream_set *set, const struct upstreams *ups);
/* Make ups use known's object for each address known has, and add its
 * others to known (free known->list after). 0 or -ENOMEM. */
int upstreams_share(struct upstreams *ups, struct upstream_set *known);
/* "a#53 b#53 ..." into buf, for logs. */
void upstreams_text(const struct upstreams *ups, char *buf, size_t n);
struct upstreams *upstreams_get(struct upstreams *ups);
void upstreams_put(struct upstreams *ups);

/* "IP#port" text of an address. */
void addr_to_text(const struct sockaddr_storage *ss, char *buf, size_t n);
socklen_t addr_len(const struct sockaddr_storage *ss);
/* 1 when a and b are the same address, port and IPv6 scope. */
int addr_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

#endif /* BPFDNS_UPSTREAM_H */
