// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* seed.c - see seed.h. */
#include "entry.h"
#include "seed.h"

int seed_reply(struct fastpath *fp, const struct msg *reply, uint64_t stored_ns, uint64_t expire_ns,
	       uint8_t key_flags)
{
	struct reply_info info;
	struct bpfdns_entry e;
	int err;

	err = entry_from_reply(reply->buf, reply->len, &e, &info);
	if (err)
		return err;
	e.stored_ns = stored_ns;
	e.expire_ns = expire_ns;
	info.key.flags = key_flags;
	err = fastpath_store(fp, &info.key, &e);
	return err < 0 ? err : 0;
}
