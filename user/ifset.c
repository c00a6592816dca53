// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* ifset.c - which interfaces bpfdnsd serves; see ifset.h. */
#include <string.h>
#include "ifset.h"

int ifset_match(const char *pattern, const char *name)
{
	for (; *pattern && *name; pattern++, name++) {
		if (*pattern == '*')
			return 1;
		if (*pattern != *name)
			return 0;
	}
	return *pattern == *name;
}

static int in_list(const char (*list)[IF_NAMESIZE], int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (ifset_match(list[i], name))
			return 1;
	return 0;
}

int ifset_excluded(const struct config *cfg, const char *name)
{
	return in_list(cfg->except_interfaces, cfg->n_except, name);
}

int ifset_serves(const struct config *cfg, const char *name)
{
	if (ifset_excluded(cfg, name))
		return 0;
	if (cfg->interface_set)
		return !strcmp(name, "lo") || in_list(cfg->interfaces, cfg->n_interfaces, name);
	return !cfg->n_listen && cfg->n_except;
}

int ifset_default(const struct config *cfg)
{
	return !cfg->interface_set && !cfg->n_listen && !cfg->n_except;
}

int ifset_dynamic(const struct config *cfg)
{
	return cfg->bind_dynamic || !cfg->bind_interfaces;
}
