/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flushspec.h - what a flush drops (bpfdnsctl flush, the control socket's
 * "flush"), as Unbound's flush, flush_zone, flush_type and flush_negative:
 *
 *   flush [--zone] [--negative] [NAME [TYPE]]
 *
 * Nothing: every entry. NAME: that name's entries (--zone: and every name
 * under it); TYPE: only that type's; --negative: only NXDOMAIN and NODATA
 * answers. Words, as split on spaces; the same parser on both sides.
 */
#ifndef BPFDNS_FLUSHSPEC_H
#define BPFDNS_FLUSHSPEC_H

#include <stddef.h>
#include <stdint.h>
#include "bpfdns.h"
#include "dnswire.h"

struct entry;

struct flush_spec {
	uint8_t name[DNS_NAME_MAX + 1]; /* lowercase wire form */
	size_t name_len;		/* 0: any name */
	int zone;			/* the name and every name under it */
	int negative;			/* NXDOMAIN and NODATA answers only */
	int qtype;			/* -1: any type */
};

#define FLUSH_SPEC_ALL ((struct flush_spec){ .qtype = -1 })
#define FLUSH_WORDS_MAX 4

/* Parse words (argv[0..argc)). 0, or -EINVAL with the reason in err. */
int flush_spec_parse(struct flush_spec *f, int argc, char *const *argv, char *err, size_t n);
/* Whether the entry of question qn is one to drop. */
int flush_spec_matches(const struct flush_spec *f, const struct bpfdns_question *qn, const struct entry *e);
/* Whether it drops every entry. */
int flush_spec_all(const struct flush_spec *f);

#endif /* BPFDNS_FLUSHSPEC_H */
