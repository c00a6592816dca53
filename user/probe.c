// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* probe.c - background probes of the upstreams; see probe.h. */
#include "health.h"
#include "miss.h"
#include "probe.h"

void probe_upstreams(struct server *srv, uint64_t now_ms)
{
	for (int i = 0; i < srv->ups->n; i++) {
		struct upstream *u = srv->ups->list[i];

		if (u->state == UPSTREAM_UP && now_ms < u->last_ok_ms + HEALTH_STALE_MS)
			continue;
		if (now_ms < u->probe_at_ms)
			continue;
		u->probe_at_ms = now_ms + HEALTH_PROBE_MS;
		miss_probe(srv, i);
	}
}
