/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* consts.h - protocol numbers and fast-path tunables (BPF side). */
#ifndef BPFDNS_CONSTS_H
#define BPFDNS_CONSTS_H

#define DNS_HDR_LEN 12
#define DNS_OPT_LEN 11 /* an OPT record without options */
#define DNS_TYPE_OPT 41
#define DNS_CLASS_IN 1
#define DNS_EDNS_CLIENT_SUBNET 8 /* option code, RFC 7871 */

/* Header byte 2: QR | Opcode(4) | AA | TC | RD */
#define DNS_F2_QR 0x80
#define DNS_F2_OPCODE 0x78
#define DNS_F2_TC 0x02
#define DNS_F2_RD 0x01
/* Header byte 3: RA | Z | AD | CD | RCODE(4) */
#define DNS_F3_RA 0x80
#define DNS_F3_AD 0x20
#define DNS_F3_CD 0x10
#define DNS_F3_RCODE 0x0f
/* High byte of the EDNS flags (the OPT's TTL, third byte) */
#define EDNS_F_DO 0x80

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
