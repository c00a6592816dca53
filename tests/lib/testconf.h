/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* testconf.h - for the option tests: files in a scratch directory, and
 * argv parsed from string literals (config_parse_args writes into argv). */
#ifndef BPFDNS_TESTCONF_H
#define BPFDNS_TESTCONF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

/* Write text to dir/name; its path (a static buffer). */
static inline const char *testconf_write(const char *dir, const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* Defaults, then argv (at most 16 words) as bpfdnsd's command line. */
static inline int testconf_parse(struct config *cfg, int argc, const char **argv)
{
	char *copy[16];
	int err;

	for (int i = 0; i < argc; i++)
		copy[i] = strdup(argv[i]);
	config_defaults(cfg);
	err = config_parse_args(cfg, argc, copy);
	for (int i = 0; i < argc; i++)
		free(copy[i]);
	return err;
}

#endif /* BPFDNS_TESTCONF_H */
