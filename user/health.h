/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * health.h - what bpfdnsd knows of each upstream's health: smoothed RTT, a
 * recent p95, consecutive failures, a state. Every mode feeds it; hedged
 * mode orders upstreams by it and waits its p95 before asking the next.
 */
#ifndef BPFDNS_HEALTH_H
#define BPFDNS_HEALTH_H

#include <stdint.h>
#include "upstream.h"

#define HEALTH_DOWN_AFTER 3   /* consecutive failures */
#define HEALTH_PROBE_MS 1000  /* how often an upstream is probed, at most */
#define HEALTH_STALE_MS 5000  /* probe one not heard from for this long */
#define HEALTH_REFUSALS_FAIL 10 /* SERVFAIL/REFUSED answers in a row: it fails every name */
#define HEALTH_OVERDUE_PROBE_MS 100 /* probe an overdue upstream this soon: back once it answers */
/* Overdue means unanswered past its p99 and this, so that jitter of a few
 * µs on loopback is no loss; not 1 ms: a hedge at the p95 of a near
 * upstream ends a miss within 1 ms, so a dark one would never be overdue,
 * and stay first */
#define HEALTH_OVERDUE_MIN_US 250
#define HEALTH_TROUBLE_US 1000 /* what each mark of trouble costs in the order: a hedge's least wait */
/* A reply is late, not an RTT sample, past HEALTH_LATE_FACTOR times the
 * upstream's recent p99 and HEALTH_LATE_MIN_US, once HEALTH_LATE_KNOWN
 * samples say what its p99 is; a window's worth late in a row are samples
 * again (it is that slow now). */
#define HEALTH_LATE_FACTOR 4
#define HEALTH_LATE_MIN_US 10000
#define HEALTH_LATE_KNOWN 8
#define HEALTH_LATE_TROUBLE 2	     /* late in a row: in trouble (overdue) */
#define HEALTH_EARLY_RUN 2	     /* replies far faster than a slow median in a row: a new window */
#define HEALTH_SLOWED_MS 10000	     /* how long after trouble a slow median is watched */
#define HEALTH_SLOWED_PROBE_MS 250   /* and how often it is probed meanwhile */

/* A good reply after rtt_us: reachable; an RTT sample, in time, unless
 * late (HEALTH_LATE_*; HEALTH_LATE_TROUBLE in a row, asked after its last
 * reply in time: overdue, see health_slow). */
void health_ok(struct upstream *u, uint32_t rtt_us, uint64_t now_ms);
/* A SERVFAIL, REFUSED, FORMERR... after rtt_us: a validating upstream's
 * SERVFAIL for a bogus name, a REFUSED for a CHAOS probe, are correct
 * answers from a reachable, timely upstream, so this counts as reached;
 * only HEALTH_REFUSALS_FAIL in a row (every name fails) count as failures. */
void health_refused(struct upstream *u, uint32_t rtt_us, uint64_t now_ms);
/* A reply that lost the race, still not in after waited_us: past its
 * recent p99 and HEALTH_OVERDUE_MIN_US, the upstream is overdue, in trouble
 * until a reply in time (health_order counts it slower; hedged misses that
 * still ask it first ask the next at once), probed every
 * HEALTH_OVERDUE_PROBE_MS until it answers. Not an RTT sample: a lost
 * query says nothing of how fast its replies are, and would stretch its
 * hedge delay long after the loss. */
void health_slow(struct upstream *u, uint32_t waited_us, uint64_t now_ms);
/* No reply by query-timeout (clients got their answer): overdue, not a
 * failure, and up becomes suspect (the probes say whether it is down). */
void health_late(struct upstream *u, uint64_t now_ms);
/* Is u's recent median slow (over HEALTH_LATE_MIN_US), HEALTH_LATE_FACTOR
 * times what it was before, within HEALTH_SLOWED_MS of trouble (overdue,
 * late, a failure)? Its window may hold a fault's replies, and the order
 * puts it behind the others, so no query may reach it: it is probed each
 * HEALTH_SLOWED_PROBE_MS, and HEALTH_EARLY_RUN replies far faster than its
 * median in a row start a new window (health_ok) that puts it back in its
 * place. */
int health_slowed(const struct upstream *u, uint64_t now_ms);
/* Is u in trouble: overdue, suspect or down? */
int health_troubled(const struct upstream *u);
/* A failure: ICMP error, bad reply. */
void health_fail(struct upstream *u, uint64_t now_ms);
/* No reply by the deadline to a query sent at sent_ms: a failure, unless
 * the upstream answered since (a lost datagram: the failures that make it
 * down are in a row by when they were sent, not by when they time out). */
void health_timeout(struct upstream *u, uint64_t sent_ms, uint64_t now_ms);
/* The RTT within which pct % (1..100) of the recent replies came, in µs
 * (0: none yet); health_p95 is kept at each sample. */
uint32_t health_rtt_pct(const struct upstream *u, unsigned pct);
uint32_t health_p95(const struct upstream *u);
/* 1 when every upstream is down. */
int health_all_down(const struct upstreams *ups);
/* "up", "suspect" or "down". */
const char *health_state_name(uint8_t state);
/* Upstream indices, best first: known before never heard from, then by
 * the median of its recent RTTs (not the smoothed RTT, which one reply
 * seconds late sends up for long), one in trouble as four times slower and HEALTH_TROUBLE_US
 * more for each loss in a row, for being suspect, and three for being
 * down, then in configuration order. Returns how many. */
int health_order(const struct upstreams *ups, int *order);
/* What the order goes by: how long an answer from u is expected to take,
 * in µs (0: never heard from). */
uint64_t health_expected_us(const struct upstream *u);

#endif /* BPFDNS_HEALTH_H */
