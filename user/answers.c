// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* answers.c - clients' answers counted; see answers.h. */
#include "answers.h"

/* from a cache answer's tens of µs to query-timeout's seconds */
const uint32_t answer_bucket_us[ANSWER_BUCKETS] = { 50,	   100,	   250,	   500,	    1000,    2500,    5000,
						    10000, 25000, 50000, 100000, 250000, 1000000, 2500000 };

const char *answer_where_name(enum answer_where where)
{
	static const char *const names[ANSWER_WHERES] = { "cache", "stale", "upstream", "local" };

	return where < ANSWER_WHERES ? names[where] : "?";
}

void answers_count(struct answer_stats *a, enum answer_where where, uint8_t rcode, uint64_t took_us)
{
	int b = 0;

	if (where >= ANSWER_WHERES)
		return;
	a->rcode[where][rcode & 15]++;
	while (b < ANSWER_BUCKETS && took_us > answer_bucket_us[b])
		b++;
	a->bucket[b]++;
	a->sum_us += took_us;
	a->count++;
}
