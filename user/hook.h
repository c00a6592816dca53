/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* hook.h - where the fast path attaches: what the loader (fastpath.c,
 * attach.c), the configuration and the pin directory's cleanup agree on. */
#ifndef BPFDNS_USER_HOOK_H
#define BPFDNS_USER_HOOK_H

#include <net/if.h>

enum fastpath_hook {
	FASTPATH_NONE, /* loaded, not attached (cache only) */
	FASTPATH_XDP,  /* native XDP where the driver has it, generic otherwise;
			* TC behind it answers what XDP cannot grow */
	FASTPATH_TC,   /* clsact ingress */
	FASTPATH_AUTO, /* XDP, unless the driver loses what XDP sends back (veth): TC there */
	FASTPATH_XDP_GENERIC, /* generic XDP (in the stack), whatever the driver has; TC behind it */
};

/* The fast path on one interface. */
struct fastpath_hook_info {
	int ifindex;
	char name[IF_NAMESIZE];
	enum fastpath_hook hook;
	int tc_behind;	 /* XDP, with the TC hook behind it for what XDP cannot grow */
	const char *why; /* why this hook, a few words ("auto: a veth") */
};

/* Our clsact ingress filter: its handle and priority. */
#define FASTPATH_TC_HANDLE 0xb9d5
#define FASTPATH_TC_PRIO 1

#endif /* BPFDNS_USER_HOOK_H */
