/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* seed.h - put an upstream reply into the fast path's cache, for tests. */
#ifndef BPFDNS_TEST_SEED_H
#define BPFDNS_TEST_SEED_H

#include <stdint.h>
#include "fastpath.h"
#include "pkt.h"

/*
 * Make an entry of reply (entry_from_reply), stamp it stored_ns and
 * expire_ns (the fast path's clock) and store it under the key of the
 * reply's question with key_flags (BPFDNS_KEY_*). Returns 0 or -errno.
 */
int seed_reply(struct fastpath *fp, const struct msg *reply, uint64_t stored_ns, uint64_t expire_ns,
	       uint8_t key_flags);
/* The same, with entry_flags (BPFDNS_ENTRY_AA: our own data) added. */
int seed_reply_flags(struct fastpath *fp, const struct msg *reply, uint64_t stored_ns, uint64_t expire_ns,
		     uint8_t key_flags, uint8_t entry_flags);

/*
 * The fast path's clock ago_ns in the past. The clock is CLOCK_BOOTTIME,
 * so on a machine booted less than ago_ns (+1 s) ago that time does not
 * exist yet: wait until it does (once, at most ago_ns), never underflow.
 */
uint64_t seed_clock_ago(uint64_t ago_ns);

#endif /* BPFDNS_TEST_SEED_H */
