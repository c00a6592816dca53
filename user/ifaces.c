// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ifaces.c - listen and attach where the configuration says, and keep
 * doing so as interfaces and addresses come and go; see ifaces.h.
 *
 * Each sync compares what the system has now (getifaddrs) with what we
 * listen on and where the fast path is, and changes only the difference:
 * netlink's events only say "look again", so a lost or merged event
 * (ENOBUFS) costs nothing but a later look.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include "ifaces.h"
#include "ifset.h"
#include "log.h"
#include "upstream.h"

struct view_link {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct view_addr {
	struct sockaddr_storage ss; /* port 0; IPv6 link-local: its scope */
	int ifindex;
	char label[IF_NAMESIZE]; /* the interface's name, or an IPv4 label (eth0:1) */
	uint8_t bits;		 /* prefix length */
};

/* The system's interfaces and addresses, as one sync sees them. */
struct view {
	struct view_link *links;
	int n_links;
	struct view_addr *addrs;
	int n_addrs;
};

static uint8_t mask_bits(const struct sockaddr *mask)
{
	const uint8_t *b = mask->sa_family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr
						       : (const uint8_t *)&((const struct sockaddr_in6 *)mask)->sin6_addr;
	int len = mask->sa_family == AF_INET ? 4 : 16, bits = 0;

	for (int i = 0; i < len; i++)
		bits += __builtin_popcount(b[i]);
	return (uint8_t)bits;
}

static void view_add_addr(struct view *v, const struct ifaddrs *i)
{
	struct view_addr *a = &v->addrs[v->n_addrs];
	char base[IF_NAMESIZE];

	memset(a, 0, sizeof(*a));
	snprintf(a->label, sizeof(a->label), "%s", i->ifa_name);
	snprintf(base, sizeof(base), "%s", i->ifa_name);
	base[strcspn(base, ":")] = '\0'; /* eth0:1 is eth0's */
	a->ifindex = (int)if_nametoindex(base);
	a->ss.ss_family = i->ifa_addr->sa_family;
	if (a->ss.ss_family == AF_INET) {
		((struct sockaddr_in *)&a->ss)->sin_addr = ((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
	} else {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)i->ifa_addr;

		((struct sockaddr_in6 *)&a->ss)->sin6_addr = s6->sin6_addr;
		((struct sockaddr_in6 *)&a->ss)->sin6_scope_id = s6->sin6_scope_id;
	}
	a->bits = i->ifa_netmask ? mask_bits(i->ifa_netmask) : (a->ss.ss_family == AF_INET ? 32 : 128);
	if (a->ifindex)
		v->n_addrs++;
}

static void view_free(struct view *v)
{
	free(v->links);
	free(v->addrs);
	*v = (struct view){ 0 };
}

/* What the system has now: every link and address (sized to them). */
static int view_scan(struct view *v)
{
	struct ifaddrs *ifs;
	size_t n = 0;

	*v = (struct view){ 0 };
	if (getifaddrs(&ifs)) {
		int err = -errno;

		pr_err("cannot list the interfaces: %s", strerror(-err));
		return err;
	}
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
		n++;
	v->links = calloc(n + 1, sizeof(*v->links));
	v->addrs = calloc(n + 1, sizeof(*v->addrs));
	if (!v->links || !v->addrs) {
		freeifaddrs(ifs);
		view_free(v);
		return -ENOMEM;
	}
	for (const struct ifaddrs *i = ifs; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;

		if (fam == AF_PACKET) {
			struct view_link *l = &v->links[v->n_links++];

			l->ifindex = ((const struct sockaddr_ll *)i->ifa_addr)->sll_ifindex;
			snprintf(l->name, sizeof(l->name), "%s", i->ifa_name);
		} else if (fam == AF_INET || fam == AF_INET6) {
			view_add_addr(v, i);
		}
	}
	freeifaddrs(ifs);
	return 0;
}

/* Where in list (n) addr is, or -1. */
static int addr_index(const struct sockaddr_storage *list, int n, const struct sockaddr_storage *addr)
{
	for (int i = 0; i < n; i++)
		if (addr_same(&list[i], addr))
			return i;
	return -1;
}

/* 1 when a is the address p names: the same IP and port and, where p
 * gives an IPv6 scope, the same scope (any_scope: whatever the scopes). */
static int addr_matches(const struct sockaddr_storage *p, const struct sockaddr_storage *a, int any_scope)
{
	struct sockaddr_storage x = *a;

	if (x.ss_family == AF_INET6 && p->ss_family == AF_INET6 &&
	    (any_scope || !((const struct sockaddr_in6 *)p)->sin6_scope_id))
		((struct sockaddr_in6 *)&x)->sin6_scope_id = ((const struct sockaddr_in6 *)p)->sin6_scope_id;
	return addr_same(p, &x);
}

/* 1 when an address of list (n) names a. */
static int matches_any(const struct sockaddr_storage *list, int n, const struct sockaddr_storage *a, int any_scope)
{
	for (int i = 0; i < n; i++)
		if (addr_matches(&list[i], a, any_scope))
			return 1;
	return 0;
}

/* The addresses to listen on: the served interfaces', then listen-address=
 * (by default 127.0.0.1 and ::1). */
static int wanted_addrs(const struct config *cfg, const struct view *v, struct sockaddr_storage *out)
{
	int n = 0;

	if (ifset_default(cfg)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&out[0];
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out[1];

		memset(out, 0, 2 * sizeof(*out));
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		n = 2;
	}

	for (int i = 0; i < v->n_addrs; i++) {
		const struct view_addr *a = &v->addrs[i];

		if (ifset_serves(cfg, a->label) && addr_index(out, n, &a->ss) < 0 && n < CLIENT_LISTEN_MAX)
			out[n++] = a->ss;
	}
	for (int i = 0; i < cfg->n_listen; i++)
		if (addr_index(out, n, &cfg->listen[i]) < 0 && n < CLIENT_LISTEN_MAX)
			out[n++] = cfg->listen[i];
	return n;
}

/* 1 when an interface has the address ss names. */
static int addr_present(const struct view *v, const struct sockaddr_storage *ss)
{
	for (int i = 0; i < v->n_addrs; i++)
		if (addr_matches(ss, &v->addrs[i].ss, 0))
			return 1;
	return 0;
}

static int fastpath_addr(struct ifaces *is, const struct sockaddr_storage *ss, int add)
{
	int fam = ss->ss_family == AF_INET ? 4 : 6;
	const void *ip = fam == 4 ? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
				  : (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (!is->fp)
		return 0;
	return add ? fastpath_listen_add(is->fp, fam, ip, is->cfg->port)
		   : fastpath_listen_del(is->fp, fam, ip, is->cfg->port);
}

/* Listen on what is wanted now, and no more. At start-up a failure is
 * the daemon's; later it is logged and tried again at the next change. */
static int sync_listen(struct ifaces *is, const struct view *v, int initial)
{
	struct sockaddr_storage want[CLIENT_LISTEN_MAX];
	int n = wanted_addrs(is->cfg, v, want);

	for (int i = 0; i < is->n_addrs;) {
		if (addr_index(want, n, &is->addrs[i]) >= 0) {
			i++;
			continue;
		}
		client_unlisten(is->cs, &is->addrs[i]);
		/* the fast path's listen map is keyed by address alone: the
		 * same IP on another link (Calico gives every pod veth the
		 * same link-local one) keeps it */
		if (!matches_any(want, n, &is->addrs[i], 1))
			fastpath_addr(is, &is->addrs[i], 0);
		is->addrs[i] = is->addrs[--is->n_addrs];
	}
	for (int i = 0; i < n; i++) {
		/* an address no interface has yet is bound all the same
		 * (IP_FREEBIND), unless bind-interfaces: then it is an error */
		int present = addr_present(v, &want[i]), err;

		if (addr_index(is->addrs, is->n_addrs, &want[i]) >= 0)
			continue;
		err = client_listen(is->cs, &want[i], present || ifset_dynamic(is->cfg));
		if (err && initial)
			return err;
		if (err)
			continue;
		/* the map full (logged): the daemon answers there, not the kernel */
		fastpath_addr(is, &want[i], 1);
		if (!present) {
			char text[80];

			addr_to_text(&want[i], text, sizeof(text));
			pr_info("listen-address %.*s is on no interface yet: listening for it", (int)strcspn(text, "#"),
				text);
		}
		is->addrs[is->n_addrs++] = want[i];
	}
	return 0;
}

/* 1 when the fast path belongs on l: lo, a served interface, or one
 * holding a listen-address=; never an excepted one. */
static int wants_hook(const struct config *cfg, const struct view *v, const struct view_link *l)
{
	if (ifset_excluded(cfg, l->name))
		return 0;
	if (!strcmp(l->name, "lo") || ifset_serves(cfg, l->name))
		return 1;
	for (int i = 0; i < v->n_addrs; i++)
		if (v->addrs[i].ifindex == l->ifindex && matches_any(cfg->listen, cfg->n_listen, &v->addrs[i].ss, 0))
			return 1;
	return 0;
}

/* The hook for l's driver; XDP that fails to attach falls back to TC. */
static int hook_on(struct ifaces *is, const struct view_link *l)
{
	const char *why;
	enum fastpath_hook hook = fastpath_pick_hook(l->name, is->cfg->attach, &why);
	int err = fastpath_attach(is->fp, l->ifindex, hook, why);

	if (err && hook != FASTPATH_TC && err != -EPERM) {
		pr_warn("falling back to the TC hook on %s (attach=tc says so up front)", l->name);
		err = fastpath_attach(is->fp, l->ifindex, FASTPATH_TC, "XDP would not attach");
	}
	return err;
}

static const struct view_link *view_link(const struct view *v, int ifindex)
{
	for (int i = 0; i < v->n_links; i++)
		if (v->links[i].ifindex == ifindex)
			return &v->links[i];
	return NULL;
}

/* Detach from interfaces gone or no longer wanted (renamed), attach to
 * the ones wanted and not attached yet. */
static int sync_hooks(struct ifaces *is, const struct view *v, int initial)
{
	int max = fastpath_hooks(is->fp, NULL, 0) + v->n_links + 1, n, err = 0;
	struct fastpath_hook_info *on = calloc((size_t)max, sizeof(*on));

	if (!on)
		return -ENOMEM;
	n = fastpath_hooks(is->fp, on, max);
	for (int i = 0; i < n; i++) {
		const struct view_link *l = view_link(v, on[i].ifindex);

		if (!l || strcmp(l->name, on[i].name) || !wants_hook(is->cfg, v, l))
			fastpath_detach(is->fp, on[i].ifindex, !l);
	}
	n = fastpath_hooks(is->fp, on, max);
	for (int i = 0; i < v->n_links && !err; i++) {
		const struct view_link *l = &v->links[i];
		int attached = 0;

		for (int j = 0; j < n; j++)
			attached |= on[j].ifindex == l->ifindex;
		if (!attached && wants_hook(is->cfg, v, l))
			err = hook_on(is, l);
		if (!initial)
			err = 0; /* logged; tried again at the next change */
	}
	free(on);
	return err;
}

/* cfg's rules; without access-control=, the subnets of the addresses
 * listened on too (an address on an interface that is not served, given
 * by listen-address=, counts). */
static void sync_acl(struct ifaces *is, const struct view *v)
{
	struct acl acl = is->cfg->acl;

	for (int i = 0; i < v->n_addrs && !is->cfg->acl_given; i++) {
		const struct view_addr *a = &v->addrs[i];
		struct acl_rule r = { .family = a->ss.ss_family == AF_INET ? 4 : 6, .bits = a->bits,
				      .action = BPFDNS_ACL_ALLOW };

		if (addr_index(is->addrs, is->n_addrs, &a->ss) < 0)
			continue; /* not listened on */
		if (r.family == 4)
			memcpy(r.addr, &((const struct sockaddr_in *)&a->ss)->sin_addr, 4);
		else
			memcpy(r.addr, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, 16);
		if (acl_add_rule(&acl, &r) == -ENOSPC) {
			pr_warn("more subnets than the access list holds (%d): %s's are not answered", BPFDNS_ACL_MAX,
				a->label);
			break;
		}
	}
	if (!memcmp(&acl, &is->acl, sizeof(acl)))
		return;
	is->acl = acl;
	if (is->fp)
		fastpath_acl_set(is->fp, &acl);
}

static int sync_all(struct ifaces *is, int initial)
{
	struct view v;
	int err = view_scan(&v);

	if (err)
		return err;
	err = sync_listen(is, &v, initial);
	if (!err)
		sync_acl(is, &v);
	if (!err && is->fp && is->cfg->attach != FASTPATH_NONE)
		err = sync_hooks(is, &v, initial);
	view_free(&v);
	return err;
}

void ifaces_sync(struct ifaces *is)
{
	if (!is->changed)
		return;
	is->changed = 0;
	sync_all(is, 0);
}

static void on_netlink(struct ev *ev, uint32_t events)
{
	struct ifaces *is = (struct ifaces *)((char *)ev - offsetof(struct ifaces, ev));
	char buf[8192];

	(void)events;
	/* drained: what they say is read again from the system (an
	 * overrun, ENOBUFS, too is a change) */
	while (recv(is->nl_fd, buf, sizeof(buf), 0) > 0 || errno == ENOBUFS)
		is->changed = 1;
}

static int netlink_open(struct ifaces *is)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &is->ev };
	int err;

	is->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (is->nl_fd < 0 || bind(is->nl_fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    epoll_ctl(is->epfd, EPOLL_CTL_ADD, is->nl_fd, &ev)) {
		err = -errno;
		pr_err("cannot follow interface changes (netlink): %s", strerror(-err));
		return err;
	}
	is->ev.fn = on_netlink;
	is->ev.background = 1;
	return 0;
}

int ifaces_open(struct ifaces *is, const struct config *cfg, int epfd, struct clients *cs, struct fastpath *fp)
{
	int err = 0;

	*is = (struct ifaces){ .cfg = cfg, .cs = cs, .fp = fp, .epfd = epfd, .nl_fd = -1, .acl = cfg->acl };
	/* following first: what changes while we set up is not missed */
	if (ifset_dynamic(cfg))
		err = netlink_open(is);
	return err ?: sync_all(is, 1);
}

void ifaces_close(struct ifaces *is)
{
	if (is->cfg && is->nl_fd >= 0) /* opened (a server that failed before has it zeroed) */
		close(is->nl_fd);
	is->nl_fd = -1;
}

int ifaces_check(const struct config *cfg)
{
	struct if_nameindex *all = if_nameindex();
	int err = 0;

	for (int i = 0; i < cfg->n_interfaces && all; i++) {
		int found = 0;

		for (const struct if_nameindex *x = all; x->if_index; x++)
			found |= ifset_match(cfg->interfaces[i], x->if_name);
		if (found)
			continue;
		if (ifset_dynamic(cfg)) {
			pr_warn("interface=%s: no such interface yet: served when it appears", cfg->interfaces[i]);
		} else {
			pr_err("interface=%s: no such interface (bind-interfaces takes only those there at start-up)",
			       cfg->interfaces[i]);
			err = -ENODEV;
		}
	}
	if (all)
		if_freenameindex(all);
	return err;
}
