// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* health.c - upstream health; see health.h. */
#include <stdlib.h>
#include <string.h>
#include "health.h"
#include "log.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The window sorted into v (rtt_n values). */
static void sorted(const struct upstream *u, uint32_t *v)
{
	memcpy(v, u->rtt, u->rtt_n * sizeof(v[0]));
	qsort(v, u->rtt_n, sizeof(v[0]), cmp_u32);
}

static uint32_t pct_of(const uint32_t *v, unsigned n, unsigned pct)
{
	return n ? v[(n * pct + 99) / 100 - 1] : 0;
}

/* The window's percentiles the misses use, after it changed. */
static void pcts(struct upstream *u)
{
	uint32_t v[UPSTREAM_RTT_WINDOW];

	sorted(u, v);
	u->rtt_p50_us = pct_of(v, u->rtt_n, 50) ?: 1;
	u->rtt_p95_us = pct_of(v, u->rtt_n, 95);
	u->rtt_p99_us = pct_of(v, u->rtt_n, 99);
}

static void sample(struct upstream *u, uint32_t rtt_us)
{
	u->rtt[u->rtt_at] = rtt_us;
	u->rtt_at = (uint8_t)((u->rtt_at + 1) % UPSTREAM_RTT_WINDOW);
	if (u->rtt_n < UPSTREAM_RTT_WINDOW)
		u->rtt_n++;
	/* RFC 6298's smoothing: srtt += (sample - srtt) / 8 */
	if (!u->srtt_us)
		u->srtt_us = rtt_us ? rtt_us : 1;
	else
		u->srtt_us = (uint32_t)((int64_t)u->srtt_us + ((int64_t)rtt_us - u->srtt_us) / 8);
	pcts(u);
}

/* Trouble now: its median before this spell of trouble (spells less than
 * HEALTH_SLOWED_MS apart are one) tells whether the trouble slowed it. */
static void trouble(struct upstream *u, uint64_t now_ms)
{
	if (!u->trouble_ms || now_ms >= u->trouble_ms + HEALTH_SLOWED_MS || !u->p50_before_us)
		u->p50_before_us = u->rtt_n ? u->rtt_p50_us : 0;
	u->trouble_ms = now_ms;
}

static void overdue(struct upstream *u, uint64_t now_ms)
{
	u->overdue++;
	trouble(u, now_ms);
	/* soon, to have it back; a down one at the usual pace */
	if (u->state != UPSTREAM_DOWN && (!u->probe_at_ms || u->probe_at_ms > now_ms + HEALTH_OVERDUE_PROBE_MS))
		u->probe_at_ms = now_ms + HEALTH_OVERDUE_PROBE_MS;
}

/* A reply far past what its window says (HEALTH_LATE_*): one a client
 * would have counted lost, from an upstream that answers late for now. */
static int late(const struct upstream *u, uint32_t rtt_us)
{
	return u->rtt_n >= HEALTH_LATE_KNOWN && rtt_us > HEALTH_LATE_MIN_US &&
	       rtt_us / HEALTH_LATE_FACTOR > u->rtt_p99_us;
}

/* A reply far faster than its median, which is slow: HEALTH_EARLY_RUN of
 * them in a row say the slowness its window remembers (replies late while
 * a fault lasted, taken before their p99 was known) is over. */
static int early(const struct upstream *u, uint32_t rtt_us)
{
	return u->rtt_n >= HEALTH_LATE_KNOWN && u->rtt_p50_us > HEALTH_LATE_MIN_US &&
	       rtt_us < u->rtt_p50_us / HEALTH_LATE_FACTOR;
}

/* It answered: reachable, and in time unless late. */
static void reached(struct upstream *u, uint32_t rtt_us, uint64_t now_ms)
{
	if (u->state == UPSTREAM_DOWN)
		pr_info("upstream %s is back", u->name);
	u->rtt_sum_us += rtt_us;
	u->rtt_count++;
	u->fails = 0;
	if (late(u, rtt_us) && ++u->late_run < UPSTREAM_RTT_WINDOW) {
		/* replies 2 s late for two seconds would fill the window, and
		 * put it behind a far upstream long after it answers in time
		 * again. Late twice in a row, it is in trouble, probed until it
		 * answers in time: once is a recursive resolver's cache miss
		 * among its hits. One asked before its last reply in time is
		 * old news. */
		if (u->state == UPSTREAM_DOWN)
			u->state = UPSTREAM_SUSPECT;
		u->early_run = 0;
		if (u->late_run >= HEALTH_LATE_TROUBLE && now_ms - rtt_us / 1000 >= u->last_ok_ms)
			overdue(u, now_ms);
		return;
	}
	u->last_ok_ms = now_ms;
	u->early_run = early(u, rtt_us) ? u->early_run + 1 : 0;
	/* a window's worth late in a row: it is this slow now; or it is
	 * fast again */
	if (u->late_run >= UPSTREAM_RTT_WINDOW || u->early_run >= HEALTH_EARLY_RUN) {
		u->rtt_n = u->rtt_at = 0;
		u->early_run = 0;
	}
	u->late_run = 0;
	sample(u, rtt_us);
	u->overdue = 0;
	u->state = UPSTREAM_UP;
	u->probe_at_ms = health_slowed(u, now_ms) ? now_ms + HEALTH_SLOWED_PROBE_MS : 0;
}

void health_ok(struct upstream *u, uint32_t rtt_us, uint64_t now_ms)
{
	u->refusals = 0;
	reached(u, rtt_us, now_ms);
}

void health_refused(struct upstream *u, uint32_t rtt_us, uint64_t now_ms)
{
	if (++u->refusals >= HEALTH_REFUSALS_FAIL) {
		if (u->refusals == HEALTH_REFUSALS_FAIL)
			pr_warn("upstream %s answered %u queries in a row with an error: counting them as failures",
				u->name, u->refusals);
		health_fail(u, now_ms);
		return;
	}
	reached(u, rtt_us, now_ms);
}

void health_slow(struct upstream *u, uint32_t waited_us, uint64_t now_ms)
{
	if (waited_us > u->rtt_p99_us && waited_us > HEALTH_OVERDUE_MIN_US)
		overdue(u, now_ms);
}

void health_late(struct upstream *u, uint64_t now_ms)
{
	overdue(u, now_ms);
	if (u->state != UPSTREAM_UP)
		return;
	u->state = UPSTREAM_SUSPECT;
	if (!u->probe_at_ms)
		u->probe_at_ms = now_ms + HEALTH_PROBE_MS;
}

void health_fail(struct upstream *u, uint64_t now_ms)
{
	u->fails++;
	trouble(u, now_ms);
	if (u->fails == HEALTH_DOWN_AFTER)
		pr_warn("upstream %s is down (%u failures in a row)", u->name, u->fails);
	u->state = u->fails >= HEALTH_DOWN_AFTER ? UPSTREAM_DOWN : UPSTREAM_SUSPECT;
	if (!u->probe_at_ms)
		u->probe_at_ms = now_ms + HEALTH_PROBE_MS;
}

void health_timeout(struct upstream *u, uint64_t sent_ms, uint64_t now_ms)
{
	if (u->last_ok_ms && u->last_ok_ms >= sent_ms)
		return;
	health_fail(u, now_ms);
}

uint32_t health_rtt_pct(const struct upstream *u, unsigned pct)
{
	uint32_t v[UPSTREAM_RTT_WINDOW];

	sorted(u, v);
	return pct_of(v, u->rtt_n, pct);
}

uint32_t health_p95(const struct upstream *u)
{
	return u->rtt_p95_us;
}

/* What a query to u is worth waiting for: its recent median RTT; in trouble,
 * four times that and HEALTH_TROUBLE_US more for each loss in a row, for
 * being suspect, and three for being down. A loss may well be nothing (a
 * near upstream with 30 % of its queries lost, or back from an outage the
 * probes have not seen end yet, still beats one 30 ms away); a dark one
 * slips further back with every query it leaves. */
uint64_t health_expected_us(const struct upstream *u)
{
	uint32_t marks = u->overdue + (u->state == UPSTREAM_DOWN	  ? HEALTH_DOWN_AFTER
				       : u->state == UPSTREAM_SUSPECT ? 1
								      : 0);

	return marks ? (uint64_t)u->rtt_p50_us * 4 + (uint64_t)HEALTH_TROUBLE_US * marks : u->rtt_p50_us;
}

static int cmp_health(const void *a, const void *b, void *arg)
{
	const struct upstreams *ups = arg;
	const struct upstream *x = ups->list[*(const int *)a], *y = ups->list[*(const int *)b];
	uint64_t ex, ey;

	/* known RTTs first (0: not heard from yet; probes will tell) */
	if (!x->srtt_us != !y->srtt_us)
		return !x->srtt_us - !y->srtt_us;
	ex = health_expected_us(x);
	ey = health_expected_us(y);
	if (ex != ey)
		return ex < ey ? -1 : 1;
	return *(const int *)a - *(const int *)b;
}

int health_order(const struct upstreams *ups, int *order)
{
	for (int i = 0; i < ups->n; i++)
		order[i] = i;
	qsort_r(order, (size_t)ups->n, sizeof(order[0]), cmp_health, (void *)ups);
	return ups->n;
}

const char *health_state_name(uint8_t state)
{
	return state == UPSTREAM_UP ? "up" : state == UPSTREAM_SUSPECT ? "suspect" : "down";
}

int health_slowed(const struct upstream *u, uint64_t now_ms)
{
	return u->rtt_n && u->rtt_p50_us > HEALTH_LATE_MIN_US && u->trouble_ms &&
	       now_ms < u->trouble_ms + HEALTH_SLOWED_MS && u->rtt_p50_us / HEALTH_LATE_FACTOR > u->p50_before_us;
}

int health_troubled(const struct upstream *u)
{
	return u->overdue || u->state != UPSTREAM_UP;
}

int health_all_down(const struct upstreams *ups)
{
	for (int i = 0; i < ups->n; i++)
		if (ups->list[i]->state != UPSTREAM_DOWN)
			return 0;
	return ups->n > 0;
}
