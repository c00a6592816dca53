// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* attach.c - the fast path's hook on an interface: XDP through a pinned
 * link, or a TC filter; see fastpath.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fastpath_priv.h"
#include "fastpath.skel.h"
#include "log.h"
#include "pindir.h"

/* Record which interface carries our TC filter: its program pinned as
 * tc_prog_IFNAME, for a next daemon that attaches elsewhere to remove it. */
static void pin_tc(struct fastpath *fp, struct fp_hook *h, int fd)
{
	if (!fp->pin_path[0] || snprintf(h->tc_pin, sizeof(h->tc_pin), "%s/%s%s", fp->pin_path, PINDIR_TC_PROG,
					 h->name) >= (int)sizeof(h->tc_pin)) {
		h->tc_pin[0] = '\0';
		return;
	}
	unlink(h->tc_pin); /* an earlier daemon's, replaced in place */
	if (bpf_obj_pin(fd, h->tc_pin)) {
		pr_warn("cannot pin the TC program at %s: %s (after a crash, a daemon attaching elsewhere "
			"will not find this filter)", h->tc_pin, strerror(errno));
		h->tc_pin[0] = '\0';
	}
}

/* TC alone (behind: 0), or behind XDP, where it answers only what XDP
 * could not grow. */
static int attach_tc(struct fastpath *fp, struct fp_hook *h, int behind)
{
	int prog = bpf_program__fd(behind ? fp->skel->progs.bpfdns_tc_behind : fp->skel->progs.bpfdns_tc), err;

	h->tc_hook = (struct bpf_tc_hook){ .sz = sizeof(h->tc_hook), .ifindex = h->ifindex,
					   .attach_point = BPF_TC_INGRESS };
	log_libbpf_quiet(1); /* a clsact already there (EEXIST) is no warning */
	err = bpf_tc_hook_create(&h->tc_hook);
	log_libbpf_quiet(0);
	if (err && err != -EEXIST) {
		pr_err("cannot create the clsact qdisc on %s: %s", h->name, strerror(-err));
		return err;
	}
	h->tc_hook_created = !err;
	/* our own handle and priority, replaced in place: a daemon restarted
	 * after a crash takes over the filter the old one left */
	h->tc_opts = (struct bpf_tc_opts){ .sz = sizeof(h->tc_opts), .handle = FASTPATH_TC_HANDLE,
					   .priority = FASTPATH_TC_PRIO,
					   .flags = BPF_TC_F_REPLACE,
					   .prog_fd = prog };
	err = bpf_tc_attach(&h->tc_hook, &h->tc_opts);
	if (err) {
		pr_err("cannot attach the TC program to %s: %s", h->name, strerror(-err));
		if (h->tc_hook_created)
			bpf_tc_hook_destroy(&h->tc_hook);
		h->tc_hook_created = 0;
		return err;
	}
	h->tc_attached = 1;
	pin_tc(fp, h, prog);
	return 0;
}

/* Take over the link an earlier daemon pinned at h->link_pin: 1 adopted. */
static int adopt_xdp(struct fastpath *fp, struct fp_hook *h)
{
	int fd = bpf_obj_get(h->link_pin);

	if (fd >= 0 && !bpf_link_update(fd, bpf_program__fd(fp->skel->progs.bpfdns_xdp), NULL)) {
		h->xdp_fd = fd;
		pr_info("adopted the fast path left attached to %s (pinned at %s)", h->name, h->link_pin);
		return 1;
	}
	if (fd >= 0) {
		/* another interface's, or a stale one: let it go */
		pr_warn("cannot adopt the link pinned at %s: replacing it", h->link_pin);
		close(fd);
	}
	unlink(h->link_pin);
	return 0;
}

/*
 * XDP through a link (the kernel picks native mode where the driver has
 * it; generic: the stack's generic XDP). With a pin path the link is
 * pinned, so the program keeps answering if the daemon dies; a link pinned
 * by an earlier daemon is adopted: its program replaced by ours,
 * atomically, with no moment unattached.
 */
static int attach_xdp(struct fastpath *fp, struct fp_hook *h, int generic)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = generic ? XDP_FLAGS_SKB_MODE : 0);
	int err;

	if (fp->pin_path[0] &&
	    snprintf(h->link_pin, sizeof(h->link_pin), "%s/%s%s", fp->pin_path, PINDIR_XDP_LINK, h->name) >=
		    (int)sizeof(h->link_pin))
		h->link_pin[0] = '\0'; /* too long to pin: not pinned */
	if (h->link_pin[0] && !access(h->link_pin, F_OK) && adopt_xdp(fp, h))
		return 0;
	h->xdp_fd = bpf_link_create(bpf_program__fd(fp->skel->progs.bpfdns_xdp), h->ifindex, BPF_XDP, &opts);
	if (h->xdp_fd < 0) {
		err = -errno;
		h->xdp_fd = -1;
		pr_warn("cannot attach XDP to %s: %s%s", h->name, strerror(-err),
			err == -EBUSY ? " (another XDP program is attached: see `ip link show`)" : "");
		return err;
	}
	if (h->link_pin[0] && bpf_obj_pin(h->xdp_fd, h->link_pin)) {
		pr_warn("cannot pin the XDP link at %s: %s (a crash will detach the fast path)", h->link_pin,
			strerror(errno));
		h->link_pin[0] = '\0';
	}
	return 0;
}

/* The interface's driver ("veth", "virtio_net"...) into drv; "" unknown. */
static void driver_of(const char *ifname, char *drv, size_t n)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	drv[0] = '\0';
	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		snprintf(drv, n, "%s", info.driver);
	close(fd);
}

enum fastpath_hook fastpath_pick_hook(const char *ifname, enum fastpath_hook wanted, const char **why)
{
	char drv[32];

	*why = wanted == FASTPATH_XDP ? "attach=xdp" : wanted == FASTPATH_TC ? "attach=tc"
				: wanted == FASTPATH_XDP_GENERIC ? "attach=xdp-generic" : "auto";
	if (wanted != FASTPATH_AUTO && wanted != FASTPATH_XDP)
		return wanted;
	driver_of(ifname, drv, sizeof(drv));
	if (!drv[0] && strcmp(ifname, "lo"))
		pr_warn("cannot tell %s's driver: XDP (attach=tc if its answers do not arrive)", ifname);
	/* native XDP on veth: XDP_TX is lost unless the peer runs XDP too
	 * (a container's side never does), yet counted as a hit */
	if (strcmp(drv, "veth"))
		return FASTPATH_XDP;
	if (wanted == FASTPATH_XDP) {
		pr_warn("attach=xdp on %s (veth): answers are lost unless its peer runs an XDP program; "
			"attach=auto uses TC there", ifname);
		return FASTPATH_XDP;
	}
	/* generic XDP delivers there too, at about TC's cost per hit (measured),
	 * but copies every packet it cannot take as it is (a container's
	 * large TCP segments): TC leaves the container's other traffic alone */
	pr_info("%s is a veth, whose native XDP answers are lost unless its peer runs XDP: the TC hook", ifname);
	*why = "auto: a veth loses native XDP's answers";
	return FASTPATH_TC;
}

static struct fp_hook *hook_find(struct fastpath *fp, int ifindex)
{
	for (int i = 0; i < fp->n_hooks; i++)
		if (fp->hooks[i]->ifindex == ifindex)
			return fp->hooks[i];
	return NULL;
}

/* A new hook in fp's list, for ifindex; NULL: out of memory. */
static struct fp_hook *hook_new(struct fastpath *fp, int ifindex)
{
	struct fp_hook *h;

	if (fp->n_hooks == fp->cap_hooks) {
		int cap = fp->cap_hooks ? 2 * fp->cap_hooks : 8;
		struct fp_hook **hs = realloc(fp->hooks, (size_t)cap * sizeof(*hs));

		if (!hs)
			return NULL;
		fp->hooks = hs;
		fp->cap_hooks = cap;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->ifindex = ifindex;
	h->xdp_fd = -1;
	snprintf(h->name, sizeof(h->name), "?");
	if_indextoname((unsigned int)ifindex, h->name);
	fp->hooks[fp->n_hooks++] = h;
	return h;
}

static void hook_free(struct fastpath *fp, struct fp_hook *h)
{
	for (int i = 0; i < fp->n_hooks; i++)
		if (fp->hooks[i] == h)
			fp->hooks[i] = fp->hooks[--fp->n_hooks];
	free(h);
}

int fastpath_attach(struct fastpath *fp, int ifindex, enum fastpath_hook hook, const char *why)
{
	struct fp_hook *h;
	int err;

	if (hook == FASTPATH_NONE)
		return 0;
	if (hook_find(fp, ifindex))
		fastpath_detach(fp, ifindex, 0);
	h = hook_new(fp, ifindex);
	if (!h)
		return -ENOMEM;
	/* FASTPATH_AUTO: fastpath_pick_hook resolves it first */
	h->hook = hook == FASTPATH_AUTO ? FASTPATH_XDP : hook;
	h->why = why ? why : "";
	err = h->hook == FASTPATH_TC ? attach_tc(fp, h, 0) : attach_xdp(fp, h, h->hook == FASTPATH_XDP_GENERIC);
	if (err) {
		hook_free(fp, h);
		return err;
	}
	pr_info("fast path attached to %s (%s)", h->name, fastpath_hook_name(h->hook));
	/* behind XDP, TC answers what XDP could not grow (no_room) */
	if (h->hook != FASTPATH_TC && !attach_tc(fp, h, 1))
		pr_info("... and TC behind XDP on %s, for the answers XDP cannot grow", h->name);
	else if (h->hook != FASTPATH_TC)
		pr_warn("answers XDP cannot grow on %s go to the daemon", h->name);
	return 0;
}

static void detach_xdp(struct fastpath *fp, struct fp_hook *h, int gone)
{
	if (fp->keep && h->link_pin[0] && !gone) {
		/* the pin holds it attached; we only let go of our fd */
		pr_info("the fast path stays attached to %s (pinned at %s)", h->name, h->link_pin);
	} else if (h->link_pin[0] && unlinkat(fp->pin_dirfd, strrchr(h->link_pin, '/') + 1, 0) && !gone) {
		/* as user= the pins are root's: the pin would keep the link
		 * attached, so detach the link itself (the next daemon
		 * removes the pin of a detached link) */
		if (bpf_link_detach(h->xdp_fd))
			pr_warn("cannot remove %s nor detach the link, so the fast path stays attached: %s",
				h->link_pin, strerror(errno));
	}
	close(h->xdp_fd); /* the last reference but a pin's: detached */
	h->xdp_fd = -1;
}

static void detach_tc(struct fastpath *fp, struct fp_hook *h, int gone)
{
	if (fp->keep && !gone) {
		pr_info("the TC fast path stays attached to %s", h->name);
		return;
	}
	/* a gone interface took its qdisc and filter with it */
	if (!gone) {
		h->tc_opts.flags = h->tc_opts.prog_fd = h->tc_opts.prog_id = 0;
		if (bpf_tc_detach(&h->tc_hook, &h->tc_opts))
			pr_warn("cannot detach the TC program from %s", h->name);
		/* our filter alone: the clsact qdisc stays, empty or with
		 * other tools' filters (destroying its ingress flushed theirs) */
	}
	if (h->tc_pin[0])
		unlinkat(fp->pin_dirfd, strrchr(h->tc_pin, '/') + 1, 0);
}

void fastpath_detach(struct fastpath *fp, int ifindex, int gone)
{
	struct fp_hook *h = hook_find(fp, ifindex);

	if (!h)
		return;
	if (h->xdp_fd >= 0)
		detach_xdp(fp, h, gone);
	if (h->tc_attached)
		detach_tc(fp, h, gone);
	if (gone)
		pr_info("%s is gone, and the fast path with it", h->name);
	hook_free(fp, h);
}

void fastpath_detach_all(struct fastpath *fp)
{
	while (fp->n_hooks)
		fastpath_detach(fp, fp->hooks[0]->ifindex, 0);
	free(fp->hooks);
	fp->hooks = NULL;
	fp->cap_hooks = 0;
}

int fastpath_hooks(const struct fastpath *fp, struct fastpath_hook_info *out, int max)
{
	for (int n = 0; n < fp->n_hooks && n < max; n++) {
		out[n] = (struct fastpath_hook_info){ .ifindex = fp->hooks[n]->ifindex, .hook = fp->hooks[n]->hook,
						      .tc_behind = fp->hooks[n]->hook != FASTPATH_TC &&
								   fp->hooks[n]->tc_attached,
						      .why = fp->hooks[n]->why };
		memcpy(out[n].name, fp->hooks[n]->name, sizeof(out[n].name));
	}
	return fp->n_hooks;
}
