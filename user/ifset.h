/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ifset.h - which interfaces bpfdnsd serves, read from interface=,
 * except-interface= and listen-address= as dnsmasq reads them:
 *   - interface= given: those (a '*' matches the rest of a name) and lo;
 *   - else listen-address= given: no interface's addresses, only those;
 *   - else except-interface= given: every interface;
 *   - else none: 127.0.0.1 and ::1 are listened on (bpfdns's default, a
 *     host-local cache; dnsmasq's is every interface);
 * less the except-interface= ones, always. The fast path goes on lo and
 * on each interface served or holding a listen-address.
 */
#ifndef BPFDNS_IFSET_H
#define BPFDNS_IFSET_H

#include "config.h"

/* dnsmasq's wildcard: pattern's '*' matches the rest of name (at least one
 * character); otherwise the two are equal. */
int ifset_match(const char *pattern, const char *name);
/* 1 when except-interface= names it. */
int ifset_excluded(const struct config *cfg, const char *name);
/* 1 when name's addresses are listened on. */
int ifset_serves(const struct config *cfg, const char *name);
/* 1 when none of those options is given: 127.0.0.1 and ::1 only. */
int ifset_default(const struct config *cfg);
/* 1 when the addresses listened on follow the interfaces (netlink), as
 * dnsmasq's bind-dynamic and its default; 0 with bind-interfaces alone. */
int ifset_dynamic(const struct config *cfg);

#endif /* BPFDNS_IFSET_H */
