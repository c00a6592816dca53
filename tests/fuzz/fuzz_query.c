// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_query.c - libFuzzer: a client's query, and every answer the daemon
 * builds for it without an upstream (errors, CHAOS-style TXT). */
#include <stdint.h>
#include <string.h>
#include "answer.h"
#include "dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const texts[] = { "one", "two" };
	struct client_query cq;
	uint8_t out[4096];
	int rc = query_parse(data, size, &cq);

	if (rc < 0)
		return 0;
	if (rc > 0 && !cq.q.end)
		cq.q.start = cq.q.end = DNS_HDR_LEN;
	if (cq.q.end > size)
		__builtin_trap(); /* the question must lie inside the message */
	answer_error(data, &cq, rc > 0 ? (uint8_t)rc : DNS_RCODE_SERVFAIL, 1232, out, sizeof(out));
	if (!rc) {
		answer_txt(data, &cq, 1232, texts, 2, out, sizeof(out));
		(void)query_udp_limit(&cq, 1232);
	}
	return 0;
}
