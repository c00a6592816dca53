// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* checks.c - start-up checks; see checks.h. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include "checks.h"
#include "log.h"

int checks_kernel_ok(const char *release)
{
	int major, minor;

	if (sscanf(release, "%d.%d", &major, &minor) != 2)
		return -1;
	return major > CHECKS_KERNEL_MAJOR || (major == CHECKS_KERNEL_MAJOR && minor >= CHECKS_KERNEL_MINOR);
}

static int have_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1u << (cap % 32)));
}

int checks_fastpath(int attach)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	struct utsname u;

	if (!uname(&u) && !checks_kernel_ok(u.release)) {
		pr_err("Linux %s is too old for the fast path: it needs %d.%d or later; cache-size=0 runs "
		       "bpfdnsd without it", u.release, CHECKS_KERNEL_MAJOR, CHECKS_KERNEL_MINOR);
		return -ENOSYS;
	}
	if (syscall(SYS_capget, &hdr, d))
		return 0; /* cannot tell: let the kernel say */
	if (!have_cap(d, CAP_SYS_ADMIN) && (!have_cap(d, CAP_BPF) || !have_cap(d, CAP_PERFMON))) {
		pr_err("bpfdnsd needs CAP_BPF and CAP_PERFMON to load its fast path (and CAP_NET_ADMIN to attach "
		       "it): run it as root or from its systemd unit, or with cache-size=0 to run without the "
		       "kernel cache");
		return -EPERM;
	}
	if (attach && !have_cap(d, CAP_NET_ADMIN)) {
		pr_err("bpfdnsd needs CAP_NET_ADMIN to attach its fast path to an interface: run it as root or "
		       "from its systemd unit, or with attach=none");
		return -EPERM;
	}
	return 0;
}
