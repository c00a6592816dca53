// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* seed.c - see seed.h. */
#include <stdio.h>
#include <time.h>
#include "entry.h"
#include "seed.h"

uint64_t seed_clock_ago(uint64_t ago_ns)
{
	uint64_t now = fastpath_now_ns(), need = ago_ns + 1000000000ULL;

	if (now < need) {
		struct timespec ts = { .tv_sec = (time_t)((need - now) / 1000000000ULL),
				       .tv_nsec = (long)((need - now) % 1000000000ULL) };

		fprintf(stderr, "booted %.1f s ago: waiting %.1f s, so that a time %.1f s ago exists\n", now / 1e9,
			(need - now) / 1e9, ago_ns / 1e9);
		while (nanosleep(&ts, &ts))
			;
		now = fastpath_now_ns();
	}
	return now - ago_ns;
}

int seed_reply(struct fastpath *fp, const struct msg *reply, uint64_t stored_ns, uint64_t expire_ns,
	       uint8_t key_flags)
{
	return seed_reply_flags(fp, reply, stored_ns, expire_ns, key_flags, 0);
}

int seed_reply_flags(struct fastpath *fp, const struct msg *reply, uint64_t stored_ns, uint64_t expire_ns,
		     uint8_t key_flags, uint8_t entry_flags)
{
	struct reply_info info;
	struct entry e;
	int err;

	err = entry_from_reply(reply->buf, reply->len, &e, &info);
	if (err)
		return err;
	e.flags |= entry_flags;
	e.stored_ns = stored_ns;
	e.expire_ns = expire_ns;
	info.key.flags = key_flags;
	err = fastpath_store(fp, &info.key, &e);
	return err < 0 ? err : 0;
}
