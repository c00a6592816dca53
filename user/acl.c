// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* acl.c - the access list; see acl.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include "acl.h"

static const char *const action_names[] = {
	[BPFDNS_ACL_ALLOW] = "allow",
	[BPFDNS_ACL_REFUSE] = "refuse",
	[BPFDNS_ACL_DENY] = "deny",
};

const char *acl_action_name(int action)
{
	if (action < BPFDNS_ACL_ALLOW || action > BPFDNS_ACL_DENY)
		return "?";
	return action_names[action];
}

void acl_defaults(struct acl *acl)
{
	memset(acl, 0, sizeof(*acl));
	acl_add(acl, "127.0.0.0/8,allow");
	acl_add(acl, "::1/128,allow");
}

/* Zero the bits past the prefix, so that equal prefixes compare equal. */
static void mask_prefix(struct acl_rule *r)
{
	int len = r->family == 4 ? 4 : 16;

	for (int i = 0; i < len; i++) {
		int keep = r->bits - i * 8;

		if (keep <= 0)
			r->addr[i] = 0;
		else if (keep < 8)
			r->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static int parse_rule(const char *text, struct acl_rule *r)
{
	char buf[INET6_ADDRSTRLEN + 16], *sep, *slash, *end;
	const char *action = "allow";
	unsigned long bits;
	int max;

	if (!text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	sep = strpbrk(buf, ", \t");
	if (sep) {
		*sep++ = '\0';
		while (*sep == ' ' || *sep == '\t')
			sep++;
		action = sep;
	}
	memset(r, 0, sizeof(*r));
	for (r->action = BPFDNS_ACL_ALLOW; r->action <= BPFDNS_ACL_DENY; r->action++)
		if (!strcmp(action, action_names[r->action]))
			break;
	if (r->action > BPFDNS_ACL_DENY)
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, r->addr) == 1)
		r->family = 4;
	else if (inet_pton(AF_INET6, buf, r->addr) == 1)
		r->family = 6;
	else
		return -EINVAL;
	max = r->family == 4 ? 32 : 128;
	bits = (unsigned long)max;
	if (slash) {
		errno = 0;
		bits = strtoul(slash + 1, &end, 10);
		if (errno || *end || !slash[1] || bits > (unsigned long)max)
			return -EINVAL;
	}
	r->bits = (uint8_t)bits;
	mask_prefix(r);
	return 0;
}

int acl_add_rule(struct acl *acl, const struct acl_rule *rule)
{
	struct acl_rule r = *rule;

	mask_prefix(&r);
	for (int i = 0; i < acl->n; i++) {
		struct acl_rule *o = &acl->rules[i];

		if (o->family == r.family && o->bits == r.bits && !memcmp(o->addr, r.addr, 16)) {
			o->action = r.action;
			return 0;
		}
	}
	if (acl->n >= BPFDNS_ACL_MAX)
		return -ENOSPC;
	acl->rules[acl->n++] = r;
	return 0;
}

int acl_add(struct acl *acl, const char *text)
{
	struct acl_rule r;
	int err = parse_rule(text, &r);

	return err ?: acl_add_rule(acl, &r);
}

static int prefix_match(const struct acl_rule *r, const uint8_t *addr)
{
	int full = r->bits / 8, rest = r->bits % 8;

	if (memcmp(r->addr, addr, full))
		return 0;
	return !rest || !((r->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest)));
}

int acl_check(const struct acl *acl, const struct sockaddr_storage *from)
{
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)from;
	const uint8_t *addr;
	int family, best_bits = -1, action = BPFDNS_ACL_REFUSE;

	if (from->ss_family == AF_INET) {
		family = 4;
		addr = (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		family = 4;
		addr = s6->sin6_addr.s6_addr + 12;
	} else {
		family = 6;
		addr = s6->sin6_addr.s6_addr;
	}
	for (int i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		if (r->family == family && r->bits > best_bits && prefix_match(r, addr)) {
			best_bits = r->bits;
			action = r->action;
		}
	}
	return action;
}

void acl_rule_key(const struct acl_rule *r, struct bpfdns_acl_key *key)
{
	memset(key, 0, sizeof(*key));
	key->prefixlen = 8u + r->bits;
	key->family = r->family == 4 ? BPFDNS_AF_INET : BPFDNS_AF_INET6;
	memcpy(key->addr, r->addr, r->family == 4 ? 4 : 16);
}

int acl_allows_remote(const struct acl *acl)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	for (int i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];
		int loopback = r->family == 4 ? r->bits >= 8 && r->addr[0] == 127
					      : r->bits == 128 && !memcmp(r->addr, lo6, 16);

		if (r->action == BPFDNS_ACL_ALLOW && !loopback)
			return 1;
	}
	return 0;
}
