// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* probe.c - background probes of the upstreams; see probe.h. */
#include "health.h"
#include "miss.h"
#include "probe.h"

/* ". NS": any upstream answers it, from its cache or the root's. */
static const uint8_t probe_query[] = { 0, 0, DNS_RD, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, DNS_TYPE_NS, 0, DNS_CLASS_IN };

void probe_upstreams(struct misses *ms, struct upstreams *ups, uint64_t now_ms)
{
	static const struct dns_question q = { .name_len = 1, .qtype = DNS_TYPE_NS, .qclass = DNS_CLASS_IN,
					       .start = DNS_HDR_LEN, .end = sizeof(probe_query) };
	for (int i = 0; i < ups->n; i++) {
		struct upstream *u = ups->list[i];

		if (u->state == UPSTREAM_UP && !u->overdue && !health_slowed(u, now_ms) &&
		    now_ms < u->last_ok_ms + HEALTH_STALE_MS)
			continue;
		if (now_ms < u->probe_at_ms)
			continue;
		/* one that just left a query unanswered: soon, to have it
		 * back (a down one at the usual pace) */
		if (u->overdue && u->state != UPSTREAM_DOWN)
			u->probe_at_ms = now_ms + HEALTH_OVERDUE_PROBE_MS;
		else
			u->probe_at_ms = now_ms + (health_slowed(u, now_ms) ? HEALTH_SLOWED_PROBE_MS : HEALTH_PROBE_MS);
		miss_probe(ms, ups, i, probe_query, sizeof(probe_query), &q);
	}
}
