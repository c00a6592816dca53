/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hosts.h - names from hosts files, answered as dnsmasq answers them:
 * /etc/hosts unless no-hosts, each addn-hosts= file (or directory), and
 * hostsdir= (a directory, watched);
 * a name's A or AAAA records (other types, and a type the name has no
 * address of, go upstream), ANY both, and PTR for each address (the first
 * name on its line). expand-hosts adds domain= to plain names. localhost
 * and the names below it are always local (RFC 6761): 127.0.0.1 and ::1
 * unless a hosts file names it (then its addresses only), no data for
 * other types.
 */
#ifndef BPFDNS_HOSTS_H
#define BPFDNS_HOSTS_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"

#define HOSTS_FILES_MAX 18 /* /etc/hosts, addn-hosts lines, hostsdir */

struct hosts;

/* What a hosts lookup found. */
struct hosts_answer {
	const uint8_t *a; /* 4 bytes each */
	int n_a;
	const uint8_t *aaaa; /* 16 bytes each */
	int n_aaaa;
	const uint8_t *ptr; /* PTR: a wire name */
	size_t ptr_len;
	int nodata; /* localhost, another type: no records, NOERROR */
	const char *source; /* the file the records came from; NULL: built in (localhost) */
};

/* Read the hosts files cfg names. A file that cannot be read is logged and
 * skipped (as dnsmasq does). 0 or -ENOMEM. */
int hosts_load(struct hosts **h, const struct config *cfg);
void hosts_free(struct hosts *h);
/* The answer to name (wire form, any case) of qtype from the hosts files;
 * 0 when they have none for it (it goes on: routes, cache, upstream). */
int hosts_lookup(const struct hosts *h, const uint8_t *name, size_t len, uint16_t qtype, struct hosts_answer *out);
/* The files read (for watching): how many, into paths. */
int hosts_files(const struct config *cfg, const char **paths, int max);
/* Names with addresses held. */
int hosts_count(const struct hosts *h);
/* 1 when name, or a name below it, is in a hosts file. */
int hosts_has(const struct hosts *h, const uint8_t *name, size_t len);

#endif /* BPFDNS_HOSTS_H */
