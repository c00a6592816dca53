/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* dnsmasq_opts.h - dnsmasq's options that bpfdns does not have. */
#ifndef BPFDNS_DNSMASQ_OPTS_H
#define BPFDNS_DNSMASQ_OPTS_H

#include "config.h"

#define ARG_NONE CONFIG_ARG_NONE
#define ARG_REQUIRED CONFIG_ARG_REQUIRED
#define ARG_OPTIONAL CONFIG_ARG_OPTIONAL

struct foreign_opt {
	const char *name;
	char letter; /* dnsmasq's short option; 0: none */
	enum config_arg arg;
};

/* The option by long name, or by letter when name is NULL; NULL: not one
 * of dnsmasq's (or one bpfdns has). */
const struct foreign_opt *foreign_option(const char *name, char letter);

#endif /* BPFDNS_DNSMASQ_OPTS_H */
