/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* querylog.h - log-queries: a line per step of a query's life, as dnsmasq
 * writes them ("query[A] www.example.com. from 127.0.0.1", "... forwarded
 * hedged", "... is NOERROR from 192.0.2.53#53"). */
#ifndef BPFDNS_QUERYLOG_H
#define BPFDNS_QUERYLOG_H

#include <stddef.h>
#include <stdint.h>

/* "query[TYPE] NAME WHAT WHO", when on (log-queries). */
void querylog(int on, const uint8_t *name, size_t name_len, uint16_t qtype, const char *what, const char *who);

#endif /* BPFDNS_QUERYLOG_H */
