/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* metric_names.h - the names of bpfdnsd's metrics, once, for the daemon
 * that writes them (metrics.c) and bpfdnsctl that reads them. */
#ifndef BPFDNS_METRIC_NAMES_H
#define BPFDNS_METRIC_NAMES_H

#define METRIC_CACHE_SIZE "bpfdns_cache_size"
#define METRIC_CACHE_ENTRIES "bpfdns_cache_entries"
#define METRIC_CACHE_INSERTIONS "bpfdns_cache_insertions_total"
#define METRIC_CACHE_EVICTIONS "bpfdns_cache_evictions_total"
#define METRIC_CACHE_HITS "bpfdns_cache_hits_total" /* {where="kernel|daemon"} */
#define METRIC_ANSWERS "bpfdns_answers_total" /* {where="kernel|cache|stale|upstream|local",rcode=...} */
#define METRIC_ANSWER_SECONDS "bpfdns_answer_duration_seconds" /* histogram: _bucket{le=...}, _sum, _count */
#define METRIC_CACHE_MISSES "bpfdns_cache_misses_total"
#define METRIC_QUERIES "bpfdns_queries_total"
#define METRIC_SHARED "bpfdns_shared_total"
#define METRIC_DROPPED "bpfdns_dropped_total"
#define METRIC_REFUSED "bpfdns_refused_total"
#define METRIC_DENIED "bpfdns_denied_total"
#define METRIC_HEDGES "bpfdns_hedges_total"
#define METRIC_RESENDS "bpfdns_resends_total"
#define METRIC_KERNEL_PACKETS "bpfdns_kernel_packets_total" /* {outcome=...} */
#define METRIC_KERNEL_HOOK_PACKETS "bpfdns_kernel_hook_packets_total" /* {hook=xdp|tc,outcome=...} */
#define METRIC_KERNEL_PREFETCH "bpfdns_kernel_prefetch_requests_total"
#define METRIC_KERNEL_LOG_LOST "bpfdns_kernel_query_log_lost_total"
#define METRIC_HOOK "bpfdns_fast_path_hook"		 /* {interface=...,hook=xdp|tc} 1 */
#define METRIC_HOOK_WHY "bpfdns_fast_path_hook_reason" /* {interface=...,why=...} 1 */
#define METRIC_PREFETCHES "bpfdns_prefetches_total"
#define METRIC_STALE "bpfdns_stale_answers_total"
#define METRIC_UPSTREAM_PREFIX "bpfdns_upstream_"
#define METRIC_UPSTREAM_QUERIES "bpfdns_upstream_queries_total" /* {upstream=...} */
#define METRIC_UPSTREAM_WINS "bpfdns_upstream_wins_total"
#define METRIC_UPSTREAM_FAILURES "bpfdns_upstream_failures_total"
#define METRIC_UPSTREAM_UNWANTED "bpfdns_upstream_unwanted_replies_total"
#define METRIC_UPSTREAM_STATE "bpfdns_upstream_state"	      /* {upstream=...,state=...} */
#define METRIC_UPSTREAM_RTT "bpfdns_upstream_rtt_seconds" /* {upstream=...,quantile=...} */
/* {upstream=...,domain=...} 1: asked for names under domain ("." the
 * default servers: every other name; "#" server=/#/; "" plain names,
 * server=//IP) */
#define METRIC_UPSTREAM_DOMAIN "bpfdns_upstream_domain"

#endif /* BPFDNS_METRIC_NAMES_H */
