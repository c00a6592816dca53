/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* probe.h - background probes of the upstreams (hedged mode): a health
 * concern, apart from clients' misses. */
#ifndef BPFDNS_PROBE_H
#define BPFDNS_PROBE_H

#include <stdint.h>
#include "miss.h"

/* Probe the upstreams of ups that failed or were not heard from lately
 * (HEALTH_STALE_MS: an alternate's RTT goes stale while the best one takes
 * every query), each at most every HEALTH_PROBE_MS. */
void probe_upstreams(struct misses *ms, struct upstreams *ups, uint64_t now_ms);

#endif /* BPFDNS_PROBE_H */
