// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* strategy.c - which upstream a miss asks, and when; see strategy.h. */
#include <string.h>
#include "health.h"
#include "strategy.h"

void strategy_cfg_from(struct strategy_cfg *sc, const struct config *cfg)
{
	sc->mode = cfg->mode;
	sc->hedge_min_ms = cfg->hedge_min_ms;
	sc->hedge_max_ms = cfg->hedge_max_ms;
	sc->step_ms = cfg->timeout_ms / 2;
}

void hedge_budget_init(struct hedge_budget *b)
{
	b->tokens = HEDGE_TOKENS_MAX;
}

/* A near upstream is asked again before a far one (its expected time over
 * HEDGE_FAR_FACTOR times the best's and a hedge): with 5 % lost to each,
 * the best again answers in a hedge where the far one takes 30 ms, the
 * time a stub's retransmission would. */
static void again_before_far(struct plan *p, const struct upstreams *ups)
{
	uint64_t near = health_expected_us(ups->list[p->order[0]]) * HEDGE_FAR_FACTOR + HEALTH_TROUBLE_US;
	int k = 1;

	while (k < p->n_order && health_expected_us(ups->list[p->order[k]]) <= near)
		k++;
	if (k == p->n_order || p->n_order == UPSTREAM_MAX)
		return;
	memmove(&p->order[k + 1], &p->order[k], (size_t)(p->n_order - k) * sizeof(p->order[0]));
	p->order[k] = p->order[0];
	p->n_order++;
}

int strategy_start(struct plan *p, const struct strategy_cfg *sc, const struct upstreams *ups,
		   struct hedge_budget *b)
{
	memset(p, 0, sizeof(*p));
	if (sc->mode == UPSTREAM_HEDGED) {
		p->n_order = health_order(ups, p->order);
		p->best = p->order[0];
		if (p->n_order && !health_troubled(ups->list[p->best])) /* else it and the next at once */
			again_before_far(p, ups);
		b->tokens += HEDGE_TOKENS_PER_MISS;
		if (b->tokens > HEDGE_TOKENS_MAX)
			b->tokens = HEDGE_TOKENS_MAX;
		/* the first sign of loss (a query unanswered past its p99), or
		 * the best of a troubled lot: two at once, until it answers in
		 * time */
		return p->n_order > 1 && health_troubled(ups->list[p->order[0]]) ? 2 : 1;
	}
	if (sc->mode == UPSTREAM_ALL_SERVERS && health_order(ups, p->order))
		p->best = p->order[0];
	for (int i = 0; i < ups->n; i++)
		p->order[i] = i;
	p->n_order = ups->n;
	return sc->mode == UPSTREAM_ALL_SERVERS ? p->n_order : 1;
}

void strategy_probe(struct plan *p, int idx)
{
	memset(p, 0, sizeof(*p));
	p->order[0] = idx;
	p->n_order = 1;
	p->probe = 1;
}

int strategy_take(struct plan *p)
{
	return p->next < p->n_order ? p->order[p->next++] : -1;
}

void strategy_asked(struct plan *p, const struct strategy_cfg *sc, const struct hedge_budget *b,
		    const struct upstream *u, uint64_t now_us, uint64_t now_ms)
{
	uint64_t lo = (uint64_t)sc->hedge_min_ms * 1000, hi = (uint64_t)sc->hedge_max_ms * 1000, wait;

	p->hedge_at_us = 0;
	if (sc->mode == UPSTREAM_STRICT_ORDER) {
		p->step_at_ms = now_ms + sc->step_ms;
		return;
	}
	if (!p->probe && u->rtt_n) {
		/* when an answer is long overdue from every one asked so far
		 * whose RTT is known (one never heard from may just be slow;
		 * all-servers hears only from the winners) */
		uint64_t at = now_us + 1000ULL * (sc->hedge_max_ms + 1) + 2ULL * u->rtt_p99_us;

		if (at > p->resend_at_us)
			p->resend_at_us = at;
	}
	if (p->next >= p->n_order) {
		p->hedge_at_us = p->resent ? 0 : p->resend_at_us;
		return;
	}
	if (sc->mode != UPSTREAM_HEDGED)
		return;
	/* its recent p95; an upstream never heard from: a quarter of the
	 * most. When the budget is spent, later: HEDGE_SPENT_FACTOR times its
	 * p99 and at least a mark of trouble (hedge-max there put a lost
	 * query 50 ms back); one never heard from: the most */
	wait = u->rtt_n ? health_p95(u) : hi / 4;
	if (b->tokens < 1)
		wait = !u->rtt_n ? hi : u->rtt_p99_us * HEDGE_SPENT_FACTOR > HEALTH_TROUBLE_US
					    ? (uint64_t)u->rtt_p99_us * HEDGE_SPENT_FACTOR
					    : HEALTH_TROUBLE_US;
	wait = wait < lo ? lo : wait > hi ? hi : wait;
	p->hedge_at_us = now_us + wait;
}

enum strategy_verdict strategy_after_loss(const struct plan *p, const struct strategy_cfg *sc, int open_legs,
					  int latest)
{
	int left = p->next < p->n_order;

	/* hedged: a failure is a reason to ask the next one now, not after
	 * the hedge delay, even while an earlier one may still answer;
	 * strict-order: when the one it is waiting for failed */
	if (left && (sc->mode == UPSTREAM_HEDGED || (sc->mode == UPSTREAM_STRICT_ORDER && latest)))
		return STRATEGY_ASK_NEXT;
	if (open_legs)
		return STRATEGY_WAIT;
	return sc->mode != UPSTREAM_ALL_SERVERS && left ? STRATEGY_ASK_NEXT : STRATEGY_GIVE_UP;
}

int strategy_hedge_due(struct plan *p, struct hedge_budget *b, uint64_t now_us)
{
	if (!p->hedge_at_us || now_us < p->hedge_at_us)
		return 0;
	p->hedge_at_us = 0;
	if (b->tokens >= 1)
		b->tokens -= 1;
	if (p->next < p->n_order)
		return 1;
	/* every one asked, none answered long past when any should have */
	p->resent = 1;
	if (p->n_order == UPSTREAM_MAX)
		return 0;
	p->order[p->n_order++] = p->best;
	return 2;
}

int strategy_step_due(const struct plan *p, const struct strategy_cfg *sc, uint64_t now_ms)
{
	return sc->mode == UPSTREAM_STRICT_ORDER && now_ms >= p->step_at_ms && p->next < p->n_order;
}
