// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* strategy_test.c - the three upstream modes' decisions (strategy.c), on a
 * fake clock: who is asked first, when the next one is, what a failure
 * does, and the hedge budget. No sockets, no root. */
#include <string.h>
#include "health.h"
#include "strategy.h"
#include "test.h"

#define MS 1000ULL /* µs */

static struct upstreams ups;
static struct upstream list[UPSTREAM_MAX];

/* n upstreams; rtt_us[i] its recent RTTs (0: never heard from). */
static void make_upstreams(int n, const uint32_t *rtt_us)
{
	memset(&ups, 0, sizeof(ups));
	memset(list, 0, sizeof(list));
	ups.n = n;
	for (int i = 0; i < n; i++) {
		struct upstream *u = ups.list[i] = &list[i];

		for (int k = 0; rtt_us && rtt_us[i] && k < 10; k++)
			health_ok(u, rtt_us[i], 1000);
	}
}

static struct strategy_cfg cfg(enum upstream_mode mode)
{
	return (struct strategy_cfg){ .mode = mode, .hedge_min_ms = 1, .hedge_max_ms = 200, .step_ms = 1000 };
}

static void test_hedged(void)
{
	const uint32_t rtt[] = { 30 * MS, 5 * MS, 0 };
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct hedge_budget b;
	struct plan p;
	uint64_t t = 1000000; /* µs */
	int first, n;

	hedge_budget_init(&b);
	make_upstreams(3, rtt);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("hedged: one upstream at a time", n == 1, "asks %d", n);
	first = strategy_take(&p);
	CHECK("hedged: the fastest known upstream first", first == 1, "asked %d", first);
	strategy_asked(&p, &sc, &b, ups.list[first], t, t / 1000);
	CHECK("hedged: the next one after the first's p95 (5 ms)", p.hedge_at_us == t + 5 * MS, "at +%llu us",
	      (unsigned long long)(p.hedge_at_us - t));
	CHECK("hedged: not due a moment before", !strategy_hedge_due(&p, &b, t + 5 * MS - 1), "due");
	CHECK("hedged: due then, and a token spent", strategy_hedge_due(&p, &b, t + 5 * MS) && b.tokens < 10,
	      "not due, or tokens %.1f", b.tokens);
	CHECK("hedged: the best again before one six times slower", strategy_take(&p) == 1, "another");
	strategy_asked(&p, &sc, &b, ups.list[1], t + 5 * MS, t / 1000 + 5);
	CHECK("hedged: ... and after its p95 again", strategy_hedge_due(&p, &b, t + 10 * MS), "not due");
	CHECK("hedged: then the slower known one", strategy_take(&p) == 0, "another");
	strategy_asked(&p, &sc, &b, ups.list[0], t + 10 * MS, t / 1000 + 10);
	CHECK("hedged: after its p95 (30 ms), the one never heard from", p.hedge_at_us == t + 40 * MS,
	      "at +%llu us", (unsigned long long)(p.hedge_at_us - t));
	CHECK("hedged: a failure asks the next at once, while others are out",
	      strategy_after_loss(&p, &sc, 1, 1) == STRATEGY_ASK_NEXT, "waits");
	CHECK("hedged: ... the last one", strategy_take(&p) == 2, "another");
	strategy_asked(&p, &sc, &b, ups.list[2], t + 11 * MS, t / 1000 + 11);
	CHECK("hedged: nothing left to hedge to: the resend's timer (hedge-max and twice the slowest's p99)",
	      p.hedge_at_us == t + 10 * MS + (200 + 1) * MS + 2 * 30 * MS, "at +%llu us",
	      (unsigned long long)(p.hedge_at_us - t));
	CHECK("hedged: a failure with others out waits for them", strategy_after_loss(&p, &sc, 1, 1) == STRATEGY_WAIT,
	      "does not wait");
	CHECK("hedged: the last failure gives up", strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_GIVE_UP,
	      "does not give up");
}

static void test_hedge_bounds_and_budget(void)
{
	const uint32_t fast[] = { 100, 100 }, slow[] = { 900 * MS, 900 * MS };
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct hedge_budget b;
	struct plan p;
	int hedges = 0;

	hedge_budget_init(&b);
	make_upstreams(2, fast);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
	CHECK("hedged: never sooner than hedge-min (1 ms)", p.hedge_at_us == 1 * MS, "at %llu us",
	      (unsigned long long)p.hedge_at_us);
	make_upstreams(2, slow);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
	CHECK("hedged: never later than hedge-max (200 ms)", p.hedge_at_us == 200 * MS, "at %llu us",
	      (unsigned long long)p.hedge_at_us);
	make_upstreams(2, NULL);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
	CHECK("hedged: an upstream never heard from: a quarter of hedge-max", p.hedge_at_us == 50 * MS,
	      "at %llu us", (unsigned long long)p.hedge_at_us);

	/* an outage: every miss hedges; the burst of 10 goes, then the wait
	 * is four times the upstream's p99 (past a reply still on its way)
	 * until misses earn tokens back (one per 10) */
	make_upstreams(2, (const uint32_t[]){ 2 * MS, 2 * MS });
	hedge_budget_init(&b);
	for (int i = 0, late = 0; i < 30; i++) {
		strategy_start(&p, &sc, &ups, &b);
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
		hedges += p.hedge_at_us == 2 * MS;
		late += p.hedge_at_us == 8 * MS;
		strategy_hedge_due(&p, &b, p.hedge_at_us);
		if (i == 29)
			CHECK("hedged: ... the rest four times its p99", hedges + late == 30, "%d", late);
	}
	/* 11 from the burst (it refills a little as it goes), then about one
	 * per 10 misses: 12 or 13, as 0.1 adds up in floating point */
	CHECK("hedged: an outage of 30 misses hedges at its p95 12 or 13 times", hedges >= 12 && hedges <= 13,
	      "%d times", hedges);
	make_upstreams(2, NULL);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
	CHECK("hedged: the budget spent, one never heard from: hedge-max", p.hedge_at_us == 200 * MS, "at %llu us",
	      (unsigned long long)p.hedge_at_us);
}

/* A query the best left unanswered past its p99 (another answered): it
 * counts as slower (four times, and 1 ms more) until it answers in time, so
 * the next one as fast takes its place; when it is still the best, it and
 * the next are asked at once. Each loss in a row moves it 1 ms further
 * back. Its hedge delay never grows. */
static void test_loss(void)
{
	const uint32_t rtt[] = { 100, 200, 30 * MS };
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct upstream *best;
	struct hedge_budget b;
	struct plan p;
	uint32_t p95;
	int n, a, c;

	hedge_budget_init(&b);
	make_upstreams(3, rtt);
	best = ups.list[0];
	p95 = health_p95(best);
	health_slow(best, 90, 1000);
	CHECK("loss: a race lost within its p99 is none", !best->overdue, "overdue %u", best->overdue);
	health_slow(best, HEALTH_OVERDUE_MIN_US, 1000);
	CHECK("loss: ... nor one lost within 250 µs (two asked at once)", !best->overdue, "overdue %u",
	      best->overdue);
	health_slow(best, 5 * MS, 1000);
	CHECK("loss: still out past its p99: overdue", best->overdue == 1, "overdue %u", best->overdue);
	CHECK("loss: not an RTT sample (its hedge delay stays)", health_p95(best) == p95, "p95 %u, was %u",
	      health_p95(best), p95);
	CHECK("loss: probed soon", best->probe_at_ms == 1000 + HEALTH_OVERDUE_PROBE_MS, "at %llu",
	      (unsigned long long)best->probe_at_ms);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("loss: the next one as fast takes its place, alone", n == 1 && strategy_take(&p) == 1 &&
	      strategy_take(&p) == 0, "asks %d", n);
	health_ok(best, 100, 1100);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("loss: an answer in time: it first again", n == 1 && strategy_take(&p) == 0, "asks %d", n);

	/* the next one is 30 ms away: the one that lost stays the best, asked beside it */
	make_upstreams(2, (const uint32_t[]){ 100, 30 * MS });
	health_slow(ups.list[0], 5 * MS, 1000);
	n = strategy_start(&p, &sc, &ups, &b);
	a = strategy_take(&p);
	c = strategy_take(&p);
	CHECK("loss: still the best by far: it and the next at once", n == 2 && a == 0 && c == 1, "%d: %d, %d", n,
	      a, c);
	/* a dark one: every query it leaves moves it 1 ms further back */
	for (int i = 1; i < 40; i++)
		health_slow(ups.list[0], 5 * MS, 1200);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("loss: forty in a row: the one 30 ms away first", n == 1 && strategy_take(&p) == 1, "asks %d", n);
	health_ok(ups.list[0], 100, 1400);
	CHECK("loss: back first once it answers", strategy_start(&p, &sc, &ups, &b) == 1 && strategy_take(&p) == 0,
	      "not first");
	/* lost datagrams time out after later ones were answered: no failure */
	health_timeout(ups.list[0], 1300, 3300);
	CHECK("loss: a timeout of a query sent before its last answer is no failure",
	      !ups.list[0]->fails && ups.list[0]->state == UPSTREAM_UP, "fails %u", ups.list[0]->fails);
	health_timeout(ups.list[0], 1450, 3450);
	CHECK("loss: one sent after it is", ups.list[0]->fails == 1, "fails %u", ups.list[0]->fails);
	health_ok(ups.list[0], 100, 1500);
	health_late(ups.list[0], 1500);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("loss: unanswered by query-timeout: suspect, and asked beside the next", n == 2 &&
	      ups.list[0]->state == UPSTREAM_SUSPECT && strategy_take(&p) == 0, "asks %d", n);
}

/* A reply far past its p99 (an upstream answering 2 s late for a while) is
 * a loss that came back, not an RTT sample: replies 2 s late would fill
 * its window, and keep it behind an upstream 30 ms away long after it
 * answers in time again. A window's worth of them in a row is how slow it
 * is now. */
static void test_late(void)
{
	const uint32_t rtt[] = { 100, 200, 30 * MS };
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct upstream *u;
	struct hedge_budget b;
	struct plan p;
	uint32_t p50, p95;
	int a, c, d, e;

	hedge_budget_init(&b);
	make_upstreams(3, rtt);
	u = ups.list[0];
	p50 = u->rtt_p50_us;
	p95 = health_p95(u);
	for (int i = 0; i < 20; i++)
		health_ok(u, 2000 * MS, 3000 + (uint64_t)i * 100);
	CHECK("late: not RTT samples", u->rtt_p50_us == p50 && health_p95(u) == p95, "p50 %u p95 %u", u->rtt_p50_us,
	      health_p95(u));
	CHECK("late: from the second in a row, overdue, probed soon",
	      u->overdue == 19 && u->probe_at_ms == 3100 + HEALTH_OVERDUE_PROBE_MS, "overdue %u, probe at %llu",
	      u->overdue, (unsigned long long)u->probe_at_ms);
	strategy_start(&p, &sc, &ups, &b);
	a = strategy_take(&p);
	c = strategy_take(&p);
	d = strategy_take(&p);
	e = strategy_take(&p);
	CHECK("late: behind the next as fast (asked again before it), still before the one 30 ms away",
	      a == 1 && c == 1 && d == 0 && e == 2, "order %d %d %d %d", a, c, d, e);
	health_ok(u, 100, 5100);
	CHECK("late: first again once it answers in time", strategy_start(&p, &sc, &ups, &b) == 1 &&
	      strategy_take(&p) == 0 && !u->overdue, "overdue %u", u->overdue);
	health_ok(u, 2000 * MS, 5200);
	health_ok(u, 2000 * MS, 5300);
	CHECK("late: replies to ones asked before its last in time are old news", !u->overdue, "overdue %u",
	      u->overdue);
	/* a recursive resolver: a cache miss now and then among its hits */
	health_ok(u, 100, 5400);
	for (int i = 0; i < 50; i++)
		health_ok(u, i % 10 ? 100 : 80 * MS, 6000 + (uint64_t)i * 10);
	CHECK("late: one at a time among replies in time is no trouble", !u->overdue && !health_troubled(u),
	      "overdue %u", u->overdue);
	for (int i = 0; i < UPSTREAM_RTT_WINDOW; i++)
		health_ok(u, 2000 * MS, 8000 + (uint64_t)i * 100);
	CHECK("late: a window's worth in a row: that slow now", u->rtt_p50_us == 2000 * MS && !u->overdue,
	      "p50 %u overdue %u", u->rtt_p50_us, u->overdue);
	make_upstreams(1, (const uint32_t[]){ 0 });
	for (int i = 0; i < HEALTH_LATE_KNOWN - 1; i++)
		health_ok(ups.list[0], 100, 1000);
	health_ok(ups.list[0], 2000 * MS, 3000);
	CHECK("late: none before its p99 is known", ups.list[0]->rtt_p99_us == 2000 * MS, "p99 %u",
	      ups.list[0]->rtt_p99_us);
	/* ... so a fault from the start fills its window: watched after its
	 * trouble, and its replies in time start a new window */
	make_upstreams(1, (const uint32_t[]){ 0 });
	u = ups.list[0];
	for (int i = 0; i < 3; i++)
		health_ok(u, 100, 3000);
	health_slow(u, 5 * MS, 4000);
	for (int i = 0; i < UPSTREAM_RTT_WINDOW; i++)
		health_ok(u, 2000 * MS, 4100);
	CHECK("late: a window of replies 2 s late, after trouble: slowed, probed soon", u->rtt_p50_us == 2000 * MS &&
	      health_slowed(u, 4100) && u->probe_at_ms == 4100 + HEALTH_SLOWED_PROBE_MS,
	      "p50 %u slowed %d probe at %llu", u->rtt_p50_us, health_slowed(u, 4100),
	      (unsigned long long)u->probe_at_ms);
	CHECK("late: ... for a while", !health_slowed(u, 4000 + HEALTH_SLOWED_MS), "still");
	health_ok(u, 150, 5000);
	CHECK("late: one reply far faster than its median may be luck", u->rtt_p50_us == 2000 * MS, "p50 %u",
	      u->rtt_p50_us);
	health_ok(u, 160, 5100);
	CHECK("late: two in a row: a new window", u->rtt_n == 1 && u->rtt_p50_us == 160 &&
	      !health_slowed(u, 5100) && !u->probe_at_ms, "n %u p50 %u", u->rtt_n, u->rtt_p50_us);
	make_upstreams(1, (const uint32_t[]){ 30 * MS });
	CHECK("late: one always 30 ms away, never in trouble, is not watched", !health_slowed(ups.list[0], 1000),
	      "slowed");
	health_slow(ups.list[0], 100 * MS, 1000);
	CHECK("late: ... nor in trouble, as slow as before it", !health_slowed(ups.list[0], 1000), "slowed");
}

static void test_all_servers(void)
{
	struct strategy_cfg sc = cfg(UPSTREAM_ALL_SERVERS);
	struct hedge_budget b;
	struct plan p;
	int n;

	hedge_budget_init(&b);
	make_upstreams(3, NULL);
	n = strategy_start(&p, &sc, &ups, &b);
	CHECK("all-servers: every upstream at once", n == 3, "asks %d", n);
	for (int i = 0; i < 3; i++)
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], 0, 0);
	CHECK("all-servers: no timers", !p.hedge_at_us && !strategy_step_due(&p, &sc, UINT64_MAX), "a timer");
	CHECK("all-servers: a failure waits for the others", strategy_after_loss(&p, &sc, 2, 1) == STRATEGY_WAIT,
	      "does not wait");
	CHECK("all-servers: the last failure gives up", strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_GIVE_UP,
	      "does not give up");
	CHECK("all-servers: the budget is not touched", b.tokens == HEDGE_TOKENS_MAX, "tokens %.1f", b.tokens);
}

/* Every upstream asked and none answered long past when any should have
 * (each query lost on the way): the best asked once more, once, on the
 * hedge timer. Not by strict-order (it steps), nor for a probe, nor while
 * one is left. */
/* No upstream at all (only local names): nothing to ask, no crash. */
static void test_none(void)
{
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct hedge_budget b;
	struct plan p;

	hedge_budget_init(&b);
	make_upstreams(0, NULL);
	strategy_start(&p, &sc, &ups, &b);
	CHECK("none: hedged has none to ask", strategy_take(&p) < 0, "asks");
	sc = cfg(UPSTREAM_ALL_SERVERS);
	CHECK("none: all-servers asks none", strategy_start(&p, &sc, &ups, &b) == 0 && strategy_take(&p) < 0, "asks");
}

static void test_resend(void)
{
	const uint32_t rtt[] = { 30 * MS, 100, 200 };
	struct strategy_cfg sc = cfg(UPSTREAM_ALL_SERVERS);
	struct hedge_budget b;
	struct plan p;
	uint64_t t = 1000 * MS, at;
	int due, idx;

	hedge_budget_init(&b);
	make_upstreams(3, rtt);
	strategy_start(&p, &sc, &ups, &b);
	for (int i = 0; i < 3; i++)
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	/* hedge-max (200 ms), 1 ms, and twice the slowest's p99 (30 ms) */
	at = t + (200 + 1) * MS + 2 * 30 * MS;
	CHECK("resend: its timer at hedge-max and twice the slowest's p99", p.hedge_at_us == at, "at +%llu us",
	      (unsigned long long)(p.hedge_at_us - t));
	CHECK("resend: not due before", !strategy_hedge_due(&p, &b, at - 1), "due");
	due = strategy_hedge_due(&p, &b, at);
	idx = strategy_take(&p);
	CHECK("resend: then the best by health", due == 2 && idx == 1, "due %d, upstream %d", due, idx);
	strategy_asked(&p, &sc, &b, ups.list[idx], at, at / 1000);
	CHECK("resend: once", !p.hedge_at_us && !strategy_hedge_due(&p, &b, UINT64_MAX), "a timer");
	CHECK("resend: its failure gives up", strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_GIVE_UP, "does not");

	make_upstreams(3, (const uint32_t[]){ 0, 100, 0 });
	strategy_start(&p, &sc, &ups, &b);
	for (int i = 0; i < 3; i++)
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	CHECK("resend: those never heard from (they may be slow) count for nothing",
	      p.hedge_at_us == t + (200 + 1) * MS + 2 * 100, "at +%llu us", (unsigned long long)(p.hedge_at_us - t));
	make_upstreams(1, NULL);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	CHECK("resend: none when none asked was ever heard from", !p.hedge_at_us, "a timer");

	make_upstreams(3, rtt);
	sc = cfg(UPSTREAM_HEDGED);
	strategy_start(&p, &sc, &ups, &b);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	CHECK("resend: hedged, a hedge while one is left", p.hedge_at_us == t + 1 * MS, "at +%llu us",
	      (unsigned long long)(p.hedge_at_us - t));
	for (int i = 1; i < 4; i++) /* the second, the best again, the far one */
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t + i * MS, t / 1000 + i);
	CHECK("resend: hedged, once every one was asked", strategy_hedge_due(&p, &b, UINT64_MAX - 1) == 2 &&
	      strategy_take(&p) == 1, "not the best");

	strategy_probe(&p, 2);
	strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	CHECK("resend: not for a probe", !p.hedge_at_us, "a timer");
	sc = cfg(UPSTREAM_STRICT_ORDER);
	strategy_start(&p, &sc, &ups, &b);
	for (int i = 0; i < 3; i++)
		strategy_asked(&p, &sc, &b, ups.list[strategy_take(&p)], t, t / 1000);
	CHECK("resend: not by strict-order", !p.hedge_at_us, "a timer");
}

static void test_strict_order(void)
{
	const uint32_t rtt[] = { 90 * MS, 1 * MS };
	struct strategy_cfg sc = cfg(UPSTREAM_STRICT_ORDER);
	struct hedge_budget b;
	struct plan p;
	int n, first;

	hedge_budget_init(&b);
	make_upstreams(2, rtt);
	n = strategy_start(&p, &sc, &ups, &b);
	first = strategy_take(&p);
	CHECK("strict-order: one at a time, in configuration order (not by health)", n == 1 && first == 0,
	      "asks %d, first %d", n, first);
	strategy_asked(&p, &sc, &b, ups.list[first], 0, 5000);
	CHECK("strict-order: no hedge timer", !p.hedge_at_us, "a hedge timer");
	CHECK("strict-order: the next not before step_ms", !strategy_step_due(&p, &sc, 5999), "due");
	CHECK("strict-order: the next at step_ms", strategy_step_due(&p, &sc, 6000), "not due");
	CHECK("strict-order: the one it waits for failed: the next, though one it stepped past is out",
	      strategy_after_loss(&p, &sc, 1, 1) == STRATEGY_ASK_NEXT, "does not");
	CHECK("strict-order: one it stepped past failed, the latest is out: wait",
	      strategy_after_loss(&p, &sc, 1, 0) == STRATEGY_WAIT, "does not wait");
	CHECK("strict-order: a failure with none out asks the next",
	      strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_ASK_NEXT, "does not");
	CHECK("strict-order: the second", strategy_take(&p) == 1, "another");
	CHECK("strict-order: none left: not due", !strategy_step_due(&p, &sc, UINT64_MAX), "due");
	CHECK("strict-order: then the last failure gives up", strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_GIVE_UP,
	      "does not give up");
	CHECK("strict-order: and nothing is left", strategy_take(&p) == -1, "more");
}

static void test_probe(void)
{
	struct strategy_cfg sc = cfg(UPSTREAM_HEDGED);
	struct hedge_budget b;
	struct plan p;

	hedge_budget_init(&b);
	make_upstreams(3, NULL);
	strategy_probe(&p, 2);
	CHECK("probe: only the probed upstream", strategy_take(&p) == 2 && strategy_take(&p) == -1, "others");
	strategy_asked(&p, &sc, &b, ups.list[2], 0, 0);
	CHECK("probe: no hedge", !p.hedge_at_us, "a hedge timer");
	CHECK("probe: its failure gives up", strategy_after_loss(&p, &sc, 0, 1) == STRATEGY_GIVE_UP, "does not");
}

int main(void)
{
	test_hedged();
	test_hedge_bounds_and_budget();
	test_loss();
	test_late();
	test_all_servers();
	test_resend();
	test_none();
	test_strict_order();
	test_probe();
	return test_exit();
}
