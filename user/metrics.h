/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * metrics.h - every number bpfdnsd keeps, in the Prometheus text
 * exposition format: served on metrics= (HTTP) and on the control socket,
 * where bpfdnsctl reads it.
 */
#ifndef BPFDNS_METRICS_H
#define BPFDNS_METRICS_H

#include <stddef.h>
#include "stats.h"

/* Write the exposition into buf (NUL-terminated, cut at n); its length. */
size_t metrics_text(const struct stats_sources *src, char *buf, size_t n);

#endif /* BPFDNS_METRICS_H */
