/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* clock.h - the daemon's clock (CLOCK_MONOTONIC), in µs and ms; the fast
 * path's is CLOCK_BOOTTIME in ns (fastpath_now_ns); the wall clock for the
 * cache file. Locals carry the unit: now_us, now_ms, now_ns. */
#ifndef BPFDNS_CLOCK_H
#define BPFDNS_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NS_PER_S 1000000000ULL

static inline uint64_t clock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static inline uint64_t clock_now_ms(void)
{
	return clock_now_us() / 1000;
}

/* The wall clock (CLOCK_REALTIME): only for what outlives a boot. */
static inline uint64_t clock_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif /* BPFDNS_CLOCK_H */
