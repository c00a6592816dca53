// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* attach.c - the fast path's hook on an interface: XDP through a pinned
 * link, or a TC filter; see fastpath.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/ethtool.h>
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
static void pin_tc(struct fastpath *fp, const char *name)
{
	int fd = bpf_program__fd(fp->skel->progs.bpfdns_tc);

	if (!fp->pin_path[0] || snprintf(fp->tc_pin, sizeof(fp->tc_pin), "%s/%s%s", fp->pin_path, PINDIR_TC_PROG,
					 name) >= (int)sizeof(fp->tc_pin)) {
		fp->tc_pin[0] = '\0';
		return;
	}
	unlink(fp->tc_pin); /* an earlier daemon's, replaced in place */
	if (bpf_obj_pin(fd, fp->tc_pin)) {
		pr_warn("cannot pin the TC program at %s: %s (after a crash, a daemon attaching elsewhere "
			"will not find this filter)", fp->tc_pin, strerror(errno));
		fp->tc_pin[0] = '\0';
	}
}

static int attach_tc(struct fastpath *fp, int ifindex, const char *name)
{
	int err;

	fp->tc_hook = (struct bpf_tc_hook){ .sz = sizeof(fp->tc_hook), .ifindex = ifindex,
					    .attach_point = BPF_TC_INGRESS };
	err = bpf_tc_hook_create(&fp->tc_hook);
	if (err && err != -EEXIST) {
		pr_err("cannot create the clsact qdisc on ifindex %d: %s", ifindex, strerror(-err));
		return err;
	}
	fp->tc_hook_created = !err;
	/* our own handle and priority, replaced in place: a daemon restarted
	 * after a crash takes over the filter the old one left */
	fp->tc_opts = (struct bpf_tc_opts){ .sz = sizeof(fp->tc_opts), .handle = FASTPATH_TC_HANDLE,
					    .priority = FASTPATH_TC_PRIO,
					    .flags = BPF_TC_F_REPLACE,
					    .prog_fd = bpf_program__fd(fp->skel->progs.bpfdns_tc) };
	err = bpf_tc_attach(&fp->tc_hook, &fp->tc_opts);
	if (err) {
		pr_err("cannot attach the TC program on ifindex %d: %s", ifindex, strerror(-err));
		if (fp->tc_hook_created)
			bpf_tc_hook_destroy(&fp->tc_hook);
		fp->tc_hook_created = 0;
		return err;
	}
	fp->tc_attached = 1;
	pin_tc(fp, name);
	return 0;
}

/*
 * XDP through a link (the kernel picks native mode where the driver has
 * it). With a pin path the link is pinned, so the program keeps answering
 * if the daemon dies; a link pinned by an earlier daemon is adopted: its
 * program replaced by ours, atomically, with no moment unattached.
 */
static int attach_xdp(struct fastpath *fp, int ifindex, const char *name)
{
	struct bpf_program *prog = fp->skel->progs.bpfdns_xdp;
	int err;

	if (fp->pin_path[0] &&
	    snprintf(fp->link_pin, sizeof(fp->link_pin), "%s/%s%s", fp->pin_path, PINDIR_XDP_LINK, name) >=
		    (int)sizeof(fp->link_pin))
		fp->link_pin[0] = '\0'; /* too long to pin: not pinned */
	if (fp->link_pin[0] && !access(fp->link_pin, F_OK)) {
		struct bpf_link *old = bpf_link__open(fp->link_pin);

		if (old && !bpf_link__update_program(old, prog)) {
			fp->xdp_link = old;
			pr_info("adopted the fast path left attached to %s (pinned at %s)", name, fp->link_pin);
			return 0;
		}
		if (old) {
			/* another interface's, or a stale one: let it go */
			pr_warn("cannot adopt the link pinned at %s: replacing it", fp->link_pin);
			unlink(fp->link_pin);
			bpf_link__destroy(old);
		}
	}
	fp->xdp_link = bpf_program__attach_xdp(prog, ifindex);
	if (!fp->xdp_link) {
		err = -errno;
		pr_warn("cannot attach XDP to %s: %s%s", name, strerror(-err),
			err == -EBUSY ? " (another XDP program is attached: see `ip link show`)" : "");
		return err;
	}
	if (fp->link_pin[0] && (err = bpf_link__pin(fp->xdp_link, fp->link_pin))) {
		pr_warn("cannot pin the XDP link at %s: %s (a crash will detach the fast path)", fp->link_pin,
			strerror(-err));
		fp->link_pin[0] = '\0';
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

enum fastpath_hook fastpath_pick_hook(const char *ifname, enum fastpath_hook wanted)
{
	char drv[32];

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
	pr_info("%s is a veth, whose XDP answers are lost unless its peer runs XDP: the TC hook", ifname);
	return FASTPATH_TC;
}

int fastpath_attach(struct fastpath *fp, int ifindex, enum fastpath_hook hook)
{
	char name[IF_NAMESIZE] = "?";
	int err;

	if_indextoname(ifindex, name);
	switch (hook) {
	case FASTPATH_NONE:
		return 0;
	case FASTPATH_AUTO: /* fastpath_pick_hook resolves it first */
	case FASTPATH_XDP:
		err = attach_xdp(fp, ifindex, name);
		if (err)
			return err;
		break;
	case FASTPATH_TC:
		err = attach_tc(fp, ifindex, name);
		if (err)
			return err;
		break;
	}
	pr_info("fast path attached to %s (%s)", name, fastpath_hook_name(hook));
	return 0;
}

void fastpath_detach(struct fastpath *fp)
{
	if (fp->xdp_link) {
		if (fp->keep && fp->link_pin[0]) {
			/* the pin holds it attached; we only let go of our fd */
			bpf_link__disconnect(fp->xdp_link);
			pr_info("the fast path stays attached (pinned at %s)", fp->link_pin);
		} else if (fp->link_pin[0] && unlinkat(fp->pin_dirfd, strrchr(fp->link_pin, '/') + 1, 0)) {
			/* as user= the pins are root's: the pin would keep the
			 * link attached, so detach the link itself (the next
			 * daemon removes the pin of a detached link) */
			if (bpf_link__detach(fp->xdp_link))
				pr_warn("cannot remove %s nor detach the link, so the fast path stays attached: %s",
					fp->link_pin, strerror(errno));
		}
		bpf_link__destroy(fp->xdp_link);
		fp->xdp_link = NULL;
	}
	if (fp->tc_attached && fp->keep) {
		pr_info("the TC fast path stays attached");
		fp->tc_attached = fp->tc_hook_created = 0;
	}
	if (fp->tc_attached) {
		fp->tc_opts.flags = fp->tc_opts.prog_fd = fp->tc_opts.prog_id = 0;
		if (bpf_tc_detach(&fp->tc_hook, &fp->tc_opts))
			pr_warn("cannot detach the TC program from ifindex %d", fp->tc_hook.ifindex);
		else if (fp->tc_pin[0])
			unlinkat(fp->pin_dirfd, strrchr(fp->tc_pin, '/') + 1, 0);
		fp->tc_attached = 0;
	}
	if (fp->tc_hook_created) {
		bpf_tc_hook_destroy(&fp->tc_hook);
		fp->tc_hook_created = 0;
	}
}
