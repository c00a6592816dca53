/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* rdata.h - a record's RDATA as text, as dig prints it (bpfdnsctl's dump
 * and lookup). */
#ifndef BPFDNS_RDATA_H
#define BPFDNS_RDATA_H

#include <stddef.h>
#include <stdint.h>
#include "dns.h"

/* RDATA of rr (in msg, len bytes: names may point into it) into out:
 * A, AAAA, NS, CNAME, PTR, MX, SOA, SRV, TXT, SPF and CAA in their
 * presentation form, anything else (or RDATA that does not parse) in RFC
 * 3597's generic one. Always NUL-terminated, cut to n. */
void rdata_text(const uint8_t *msg, size_t len, const struct dns_rr *rr, char *out, size_t n);

#endif /* BPFDNS_RDATA_H */
