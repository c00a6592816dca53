/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * local.h - queries answered here and never forwarded, as dnsmasq 2.90
 * answers them: hosts files (hosts.c), address=/domain/ and local=/domain/
 * (routes.c says which
 * domain), plain names (domain-needed), reverse lookups of the private and
 * special ranges of RFC 6303 (bogus-priv), and CHAOS names that are not
 * ours (NOTIMP). The CHAOS names with numbers are stats.c's, asked first.
 */
#ifndef BPFDNS_LOCAL_H
#define BPFDNS_LOCAL_H

#include <stdint.h>
#include "answer.h"
#include "config.h"
#include "hosts.h"
#include "routes.h"

/* The RCODE to answer cq with, setting *aa when the answer is
 * authoritative (as dnsmasq's for private reverse zones); -1: not a local
 * answer, go on to the cache and upstream. */
int local_rcode(const struct config *cfg, const struct client_query *cq, int *aa);

/* The local answer to cq (query: its bytes) from the hosts files h, or
 * its route m, into out; its length, or 0 when it goes on to the cache and
 * upstream. *source: where it came from, for the query log (a hosts
 * file's path, or "config"). */
size_t local_answer(const struct config *cfg, const struct hosts *h, const struct route_match *m,
		    const uint8_t *query, const struct client_query *cq, uint8_t *out, size_t outsz,
		    const char **source);

/* 1 when the cache key's query would be answered here (hosts h, routes
 * rt): its cached entry must go. */
int local_answers_key(const struct config *cfg, const struct hosts *h, const struct routes *rt,
		      const struct bpfdns_question *key);
/* 1 when the reverse name is at or below one of RFC 6303's zones. */
int local_private_reverse(const uint8_t *name, size_t len);

#endif /* BPFDNS_LOCAL_H */
