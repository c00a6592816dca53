/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dnswire.h - DNS wire-format numbers and the few rules both halves apply,
 * written once for the fast path (BPF) and userspace alike: header flag
 * bits by byte, the OPT record, the client's UDP size limit.
 *
 * Flags are byte masks, not bitfields (RFC 1035 4.1.1): DNS_QR...DNS_RD
 * are bits of header byte 2, DNS_RA...DNS_RCODE of byte 3.
 */
#ifndef BPFDNS_DNSWIRE_H
#define BPFDNS_DNSWIRE_H

#include <linux/types.h>

#define DNS_HDR_LEN 12
#define DNS_MSG_MAX 65535 /* RFC 1035 4.2.2: TCP's 16-bit length */
#define DNS_NAME_MAX 255 /* wire form, root label included */
#define DNS_OPT_LEN 11	 /* an OPT record without options: root, type, class, TTL, RDLENGTH */

#define DNS_TYPE_A 1
#define DNS_TYPE_NS 2
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_SOA 6
#define DNS_TYPE_PTR 12
#define DNS_TYPE_MX 15
#define DNS_TYPE_TXT 16
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_SPF 99
#define DNS_TYPE_ANY 255
#define DNS_TYPE_CAA 257
#define DNS_TYPE_OPT 41
#define DNS_CLASS_IN 1
#define DNS_CLASS_CH 3

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5
#define DNS_RCODE_BADVERS 16 /* RFC 6891: extended, in the OPT's upper bits */

/* Header byte 2: QR | Opcode(4) | AA | TC | RD */
#define DNS_QR 0x80
#define DNS_OPCODE 0x78
#define DNS_AA 0x04
#define DNS_TC 0x02
#define DNS_RD 0x01
/* Header byte 3: RA | Z | AD | CD | RCODE(4) */
#define DNS_RA 0x80
#define DNS_AD 0x20
#define DNS_CD 0x10
#define DNS_RCODE 0x0f

/* The OPT record's TTL field: extended RCODE, version, then the flags,
 * whose high byte holds DO (RFC 6891 6.1.3). */
#define EDNS_TTL_EXT_RCODE 0 /* byte offsets within the TTL */
#define EDNS_TTL_VERSION 1
#define EDNS_TTL_FLAGS_HI 2
#define EDNS_F_DO 0x80
#define EDNS_OPT_CLIENT_SUBNET 8 /* option code, RFC 7871 */

/* Smallest and default largest DNS payload over UDP (RFC 1035, DNS flag day 2020). */
#define DNS_UDP_MIN 512
#define DNS_UDP_DEFAULT 1232

/*
 * The largest answer a UDP client takes (RFC 6891 6.2.5): 512 without an
 * OPT, else the smaller of its size and ours, never under 512.
 */
static inline __attribute__((always_inline)) __u32 dns_udp_limit(int has_opt, __u16 client_udp, __u16 server_max)
{
	__u32 lim;

	if (!has_opt)
		return DNS_UDP_MIN;
	lim = client_udp < server_max ? client_udp : server_max;
	return lim < DNS_UDP_MIN ? DNS_UDP_MIN : lim;
}

#endif /* BPFDNS_DNSWIRE_H */
