/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* consts.h - fast-path tunables and the few protocol numbers only BPF needs
 * (DNS ones are in include/dnswire.h, shared with userspace). */
#ifndef BPFDNS_CONSTS_H
#define BPFDNS_CONSTS_H

#include "dnswire.h"

/* IPv4 fragment bits: MF and the offset (network order mask on frag_off) */
#define IP_MF_OFFSET 0x3fff

/* TTL of the IP header of an answer. */
#ifndef ANSWER_HOP_LIMIT
#define ANSWER_HOP_LIMIT 64
#endif

/* Upper bound on EDNS options walked in a query before leaving it to the daemon. */
#ifndef EDNS_OPTIONS_MAX
#define EDNS_OPTIONS_MAX 16
#endif

#define NS_PER_SEC 1000000000ULL
#define BPFDNS_LOOPBACK_IFINDEX 1 /* lo, in every network namespace (the kernel's LOOPBACK_IFINDEX) */

#endif /* BPFDNS_CONSTS_H */
