/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * acl.h - who may query us: source prefixes with allow, refuse or deny,
 * longest prefix wins, as Unbound's access-control. The daemon checks each
 * query against it and the fast path gets the same rules in its LPM map.
 */
#ifndef BPFDNS_ACL_H
#define BPFDNS_ACL_H

#include <stdint.h>
#include <sys/socket.h>
#include "bpfdns.h"

struct acl_rule {
	uint8_t family; /* 4 or 6 */
	uint8_t bits;	/* prefix length */
	uint8_t action; /* BPFDNS_ACL_* */
	uint8_t addr[16];
};

struct acl {
	struct acl_rule rules[BPFDNS_ACL_MAX];
	int n;
};

/* Loopback allowed (127.0.0.0/8, ::1), everyone else refused. */
void acl_defaults(struct acl *acl);
/* Add "PREFIX[/LEN][,allow|refuse|deny]" (a blank also separates the
 * action); a rule for the same prefix replaces it. 0 or -EINVAL/-ENOSPC. */
int acl_add(struct acl *acl, const char *text);
/* The same for a rule already made (bits past the prefix are ignored). */
int acl_add_rule(struct acl *acl, const struct acl_rule *rule);
/* The action for a source address (v4-mapped IPv6 counts as IPv4). */
int acl_check(const struct acl *acl, const struct sockaddr_storage *from);
/* The rule as the fast path's map key. */
void acl_rule_key(const struct acl_rule *r, struct bpfdns_acl_key *key);
/* 1 when a rule allows sources outside loopback. */
int acl_allows_remote(const struct acl *acl);
const char *acl_action_name(int action);

#endif /* BPFDNS_ACL_H */
