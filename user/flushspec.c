// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* flushspec.c - see flushspec.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "dns.h"
#include "entry.h"
#include "flushspec.h"

int flush_spec_parse(struct flush_spec *f, int argc, char *const *argv, char *err, size_t n)
{
	int i = 0, len;

	*f = FLUSH_SPEC_ALL;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--zone")) {
			f->zone = 1;
		} else if (!strcmp(argv[i], "--negative")) {
			f->negative = 1;
		} else {
			snprintf(err, n, "unknown flush option %.32s (--zone, --negative)", argv[i]);
			return -EINVAL;
		}
	}
	if (i < argc) {
		len = dns_name_from_text(argv[i], f->name, sizeof(f->name));
		if (len < 0) {
			snprintf(err, n, "bad name \"%.64s\"", argv[i]);
			return -EINVAL;
		}
		dns_name_lower(f->name, (size_t)len);
		f->name_len = (size_t)len;
		i++;
	}
	if (i < argc && (f->qtype = dns_type_from_text(argv[i++])) < 0) {
		snprintf(err, n, "bad type \"%.32s\"", argv[i - 1]);
		return -EINVAL;
	}
	if (i < argc || (f->zone && !f->name_len)) {
		snprintf(err, n, "usage: flush [--zone] [--negative] [NAME [TYPE]]%s",
			 f->zone && !f->name_len ? " (--zone needs a NAME)" : "");
		return -EINVAL;
	}
	return 0;
}

/* Whether name (len bytes, wire form) is f's name, or under it with --zone:
 * its name ends name at a label boundary. */
static int name_in(const struct flush_spec *f, const uint8_t *name, size_t len)
{
	for (size_t at = 0; at < len; at += 1u + name[at]) {
		if (len - at == f->name_len && !memcmp(name + at, f->name, f->name_len))
			return 1;
		if (!f->zone || !name[at])
			break;
	}
	return 0;
}

int flush_spec_matches(const struct flush_spec *f, const struct bpfdns_question *qn, const struct entry *e)
{
	if (f->name_len && !name_in(f, qn->name, entry_key_name_len(qn)))
		return 0;
	if (f->qtype >= 0 && qn->qtype != f->qtype)
		return 0;
	/* negative: a name that does not exist, or has no such records */
	if (f->negative && !((e->rcode & 0x0f) == DNS_RCODE_NXDOMAIN || ((e->rcode & 0x0f) == 0 && !e->ancount)))
		return 0;
	return 1;
}

int flush_spec_all(const struct flush_spec *f)
{
	return !f->name_len && !f->negative && f->qtype < 0;
}
