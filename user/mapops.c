// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* mapops.c - the fast path's maps by fd; see mapops.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include "mapops.h"

const struct fastpath_outcome fastpath_outcomes[] = {
#define O(f) { #f, offsetof(struct bpfdns_counters, f) }
	O(hit), O(not_ours), O(not_plain), O(miss), O(expired), O(too_big), O(no_room), O(malformed), O(refused),
	O(denied),
#undef O
};
const size_t fastpath_n_outcomes = sizeof(fastpath_outcomes) / sizeof(fastpath_outcomes[0]);
_Static_assert(sizeof(fastpath_outcomes) / sizeof(fastpath_outcomes[0]) == sizeof(struct bpfdns_counters) / 8 - 4,
	       "every outcome counter has a name (prefetch, log_lost and the hits by RCODE are not)");

int fastpath_layout_fd(int fd, __u32 *version)
{
	struct bpf_map_info info = { 0 };
	__u32 ilen = sizeof(info), zero = 0;
	struct bpfdns_layout l = { 0 };
	int same;

	/* another build's may be any size: a lookup writes all of it */
	*version = 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen) || info.value_size != sizeof(l) || info.max_entries < 1 ||
	    bpf_map_lookup_elem(fd, &zero, &l))
		return 0;
	same = l.version == BPFDNS_LAYOUT_VERSION && l.entry_size == sizeof(struct bpfdns_entry) &&
	       l.small_size == sizeof(struct bpfdns_entry_small) && l.key_size == sizeof(struct bpfdns_key);
	*version = l.version;
	return same;
}

uint64_t fastpath_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int fastpath_counters_reset_fd(int fd, int ncpus)
{
	struct bpfdns_counters *zero = ncpus > 0 ? calloc((size_t)ncpus, sizeof(*zero)) : NULL;
	int err = 0;

	if (!zero)
		return -ENOMEM;
	for (__u32 key = 0; !err && key < BPFDNS_COUNTERS_HOOKS; key++)
		if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
			err = -errno;
	free(zero);
	return err;
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

