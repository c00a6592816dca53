/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * strategy.h - which upstream a miss asks, and when: the three upstream
 * modes as decisions, apart from sockets and events. Pure: the caller
 * passes the clock, the upstreams and their health, and acts on the
 * answers (miss.c starts the legs); tests/unit/strategy_test.c drives it
 * with a fake clock.
 *
 *   hedged (default)  the healthiest upstream first; the next one when no
 *                     answer came within the last one's recent p95 RTT
 *                     (within hedge-min..hedge-max), or at once when it
 *                     failed. An upstream that left a query unanswered
 *                     past its p99 counts as slower until it answers in
 *                     time (health.h); while it is still the best, it and
 *                     the next are asked at once. The best is asked
 *                     again before one far slower.
 *                     A token bucket (one hedge per 10
 *                     misses, a burst of 10) makes the wait four times the
 *                     p99 (at least 1 ms) once spent.
 *   all-servers       every upstream at once.
 *   hedged and all-servers ask the best once more when every upstream was
 *   asked and none answered far past when any should have.
 *   strict-order      one at a time, in configuration order; the next
 *                     when the last failed or step_ms passed.
 */
#ifndef BPFDNS_STRATEGY_H
#define BPFDNS_STRATEGY_H

#include <stdint.h>
#include "config.h"
#include "upstream.h"

#define HEDGE_TOKENS_MAX 10.0	  /* the hedge budget's burst (it starts full) */
#define HEDGE_TOKENS_PER_MISS 0.1 /* one hedge per 10 misses */
#define HEDGE_FAR_FACTOR 4	  /* hedged: the best is asked again before one this many times slower */
#define HEDGE_SPENT_FACTOR 4	  /* the budget spent: hedge past this many times the upstream's p99 */

struct strategy_cfg {
	enum upstream_mode mode;
	uint32_t hedge_min_ms, hedge_max_ms; /* hedged: bounds of the wait */
	uint32_t step_ms;		     /* strict-order: the wait before the next */
};

/* The hedge budget, shared by every miss. */
struct hedge_budget {
	double tokens;
};

/* One miss's way through its upstreams. */
struct plan {
	int order[UPSTREAM_MAX]; /* indices into the upstream list, first asked first */
	int n_order;
	int next;		 /* order[next] is the next to ask */
	uint64_t hedge_at_us;	 /* hedged: ask order[next] then; 0: no timer */
	uint64_t step_at_ms;	 /* strict-order: ask order[next] then */
	uint64_t resend_at_us;	 /* hedged, all-servers: when to ask the best once more */
	int best;		 /* the best upstream by health when the miss started */
	int probe, resent;
};

/* After a leg ended without a good answer. */
enum strategy_verdict {
	STRATEGY_WAIT,	   /* others are still out: wait for them */
	STRATEGY_ASK_NEXT, /* ask the next upstream now */
	STRATEGY_GIVE_UP,  /* nothing out, nothing left */
};

void strategy_cfg_from(struct strategy_cfg *sc, const struct config *cfg);
void hedge_budget_init(struct hedge_budget *b);

/* A new miss over ups: its order (hedged: by health; else configuration
 * order) and, hedged, one tenth of a hedge more in the budget. Returns how
 * many upstreams to ask at once: every one (all-servers), two (hedged, the
 * first in trouble: health_troubled), else one. */
int strategy_start(struct plan *p, const struct strategy_cfg *sc, const struct upstreams *ups,
		   struct hedge_budget *b);
/* A probe of upstream idx: that one only, no timers. */
void strategy_probe(struct plan *p, int idx);
/* The next upstream to ask (taken), or -1 when none is left. */
int strategy_take(struct plan *p);
/* Upstream u was just asked: arm the timer for the next one. */
void strategy_asked(struct plan *p, const struct strategy_cfg *sc, const struct hedge_budget *b,
		    const struct upstream *u, uint64_t now_us, uint64_t now_ms);
/* A leg ended without a good answer, open_legs still out (latest: it was
 * the one asked last; strict-order keeps the ones it stepped past open, to
 * hear a late answer, but goes on when the latest fails): what now. */
enum strategy_verdict strategy_after_loss(const struct plan *p, const struct strategy_cfg *sc, int open_legs,
					  int latest);
/* hedged: 1 when the hedge timer is due at now_us (it is cleared and a
 * token spent, if any is left): ask the next upstream. Hedged and
 * all-servers: 2 when every upstream was asked and none answered past
 * hedge-max and twice the p99 of each asked whose RTT is known (each query
 * lost on the way: with 5 % lost to each of three, one miss in 8000): the
 * best upstream when the miss started is next, asked once more, once (not
 * for a probe, nor when none asked was ever heard from: it may be slow). */
int strategy_hedge_due(struct plan *p, struct hedge_budget *b, uint64_t now_us);
/* strict-order: 1 when the step timer is due and an upstream is left. */
int strategy_step_due(const struct plan *p, const struct strategy_cfg *sc, uint64_t now_ms);

#endif /* BPFDNS_STRATEGY_H */
