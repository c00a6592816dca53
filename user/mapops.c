// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* mapops.c - the fast path's maps by fd; see mapops.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "entry.h"
#include "mapops.h"
#include "namehash.h"

const struct fastpath_outcome fastpath_outcomes[] = {
#define O(f) { #f, offsetof(struct bpfdns_counters, f) }
	O(hit), O(not_ours), O(not_plain), O(miss), O(expired), O(too_big), O(no_room), O(malformed), O(refused),
	O(denied),
#undef O
};
const size_t fastpath_n_outcomes = sizeof(fastpath_outcomes) / sizeof(fastpath_outcomes[0]);
_Static_assert(sizeof(fastpath_outcomes) / sizeof(fastpath_outcomes[0]) == sizeof(struct bpfdns_counters) / 8 - 2,
	       "every outcome counter has a name (prefetch and log_lost are not outcomes)");

int fastpath_layout_fd(int fd, __u32 *version, __u64 hash_key[2])
{
	struct bpfdns_layout l = { 0 };
	__u32 zero = 0;
	int same = !bpf_map_lookup_elem(fd, &zero, &l) && l.version == BPFDNS_LAYOUT_VERSION &&
		   l.entry_size == sizeof(struct bpfdns_entry) && l.key_size == sizeof(struct bpfdns_key);

	*version = l.version;
	if (hash_key)
		memcpy(hash_key, l.hash_key, sizeof(l.hash_key));
	return same;
}

void fastpath_map_key(const struct bpfdns_question *qn, const __u64 hash_key[2], struct bpfdns_key *k)
{
	size_t len = entry_key_name_len(qn);
	struct namehash h;

	memset(k, 0, sizeof(*k));
	namehash_init(&h, hash_key[0], hash_key[1]);
	for (size_t i = 0; i < len; i += 8) {
		__u64 w;

		memcpy(&w, qn->name + i, sizeof(w)); /* zero-padded past len */
		namehash_word(&h, w);
	}
	k->name_hash = namehash_end(&h, (__u32)len);
	k->name_len = (__u8)len;
	k->qtype = qn->qtype;
	k->qclass = qn->qclass;
	k->flags = qn->flags;
}

void fastpath_entry_question(const struct bpfdns_key *k, const struct bpfdns_entry *e, struct bpfdns_question *qn)
{
	memset(qn, 0, sizeof(*qn));
	memcpy(qn->name, e->name, k->name_len);
	qn->qtype = k->qtype;
	qn->qclass = k->qclass;
	qn->flags = k->flags;
}

int fastpath_count_fd(int fd, int max)
{
	struct bpfdns_key key, next;
	int n = 0;

	/* a key evicted under the walk restarts it from the first key: stop
	 * at what the map can hold, so that churn cannot keep us here */
	for (void *prev = NULL; n < max && !bpf_map_get_next_key(fd, prev, &next); prev = &key) {
		key = next;
		n++;
	}
	return n;
}

uint64_t fastpath_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Whether the entry of key is doomed (and still there to delete). */
static int key_doomed(int fd, const struct bpfdns_key *key,
		      int (*doomed)(const struct bpfdns_question *qn, const struct bpfdns_entry *e, const void *ctx),
		      const void *ctx)
{
	struct bpfdns_question qn;
	struct bpfdns_entry e;

	if (bpf_map_lookup_elem(fd, key, &e))
		return 0;
	fastpath_entry_question(key, &e, &qn);
	return doomed(&qn, &e, ctx);
}

int fastpath_delete_where_fd(int fd,
			     int (*doomed)(const struct bpfdns_question *qn, const struct bpfdns_entry *e,
					   const void *ctx),
			     const void *ctx)
{
	struct bpfdns_key key, next;
	void *prev = NULL;
	int removed = 0;

	/* delete behind the iterator so that get_next_key keeps its place */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (prev)
			removed += key_doomed(fd, &key, doomed, ctx) && !bpf_map_delete_elem(fd, &key);
		key = next;
		prev = &key;
	}
	if (prev)
		removed += key_doomed(fd, &key, doomed, ctx) && !bpf_map_delete_elem(fd, &key);
	return removed;
}

static int expired_before(const struct bpfdns_question *qn, const struct bpfdns_entry *e, const void *ctx)
{
	(void)qn;
	return e->expire_ns <= *(const uint64_t *)ctx;
}

int fastpath_sweep_fd(int fd, uint64_t now_ns)
{
	return fastpath_delete_where_fd(fd, expired_before, &now_ns);
}

struct name_match {
	const uint8_t *name; /* NULL: every key */
	size_t len;
};

static int has_name(const struct bpfdns_question *qn, const struct bpfdns_entry *e, const void *ctx)
{
	const struct name_match *m = ctx;

	(void)e;
	return !m->name || (entry_key_name_len(qn) == m->len && !memcmp(qn->name, m->name, m->len));
}

int fastpath_flush_fd(int fd, const uint8_t *name, size_t name_len)
{
	struct name_match m = { name, name_len };

	return fastpath_delete_where_fd(fd, has_name, &m);
}

int fastpath_counters_fd(int fd, int ncpus, int hook, struct bpfdns_counters *out)
{
	struct bpfdns_counters *per_cpu;
	int err = 0;

	per_cpu = ncpus > 0 ? calloc((size_t)ncpus, sizeof(*per_cpu)) : NULL;
	if (!per_cpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	for (__u32 key = 0; key < BPFDNS_COUNTERS_HOOKS; key++) {
		if (hook >= 0 && key != (__u32)hook)
			continue;
		if (bpf_map_lookup_elem(fd, &key, per_cpu)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpus; c++) {
			__u64 *dst = (__u64 *)out, *src = (__u64 *)&per_cpu[c];

			for (size_t i = 0; i < sizeof(*out) / sizeof(__u64); i++)
				dst[i] += src[i];
		}
	}
	free(per_cpu);
	return err;
}

