/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * pindir.h - the pin directory (pin-path=): made on a bpffs, locked by the
 * one daemon that uses it, and cleared of the hooks a killed daemon left
 * attached that the next one will not take over.
 *
 * What a daemon pins there besides its maps: the XDP link, as
 * xdp_link_IFNAME (adopted by the next daemon on the same interface), and
 * the TC program, as tc_prog_IFNAME (a record of which interface carries
 * our TC filter, so that a daemon that attaches elsewhere can remove it).
 */
#ifndef BPFDNS_PINDIR_H
#define BPFDNS_PINDIR_H

#include <sys/types.h>
#include "hook.h"

#define PINDIR_XDP_LINK "xdp_link_" /* + interface name */
#define PINDIR_TC_PROG "tc_prog_"   /* + interface name */

/* mkdir -p dir, mounting a bpffs on its parent when that is not one.
 * Returns 0 or -errno (logged). */
int pindir_prepare(const char *dir);

/*
 * Lock dir for this process (flock, as libxdp locks its bpffs directory):
 * a second daemon on the same pin-path must fail before it touches a map
 * of the first. Returns the fd holding the lock (keep it open), or -EBUSY
 * (logged, naming the PID that holds it) or another -errno (logged).
 */
int pindir_lock(const char *dir);
/* Let group gid read the maps pinned in dir (dir 0710: they may pass, not
 * list nor lock it; pins 0640: bpfdnsctl opens them read-only, which a
 * kernel from 6.5 on allows without CAP_BPF), and warn when dir's parents
 * keep the group out; gid -1: root's alone again (0700, 0600). */
void pindir_share(const char *dir, long gid);

/*
 * Remove what a daemon of this pin-path left attached (after kill -9) that
 * the hooks now attached (kept, n of them) did not take over: XDP links
 * pinned for an interface that has no XDP hook now, our TC filters on an
 * interface that has no TC hook now: those it pinned, and those it could
 * not (as user=), known by the pinned counters map their program uses.
 * Each removal is logged.
 */
void pindir_drop_orphans(const char *dir, const struct fastpath_hook_info *kept, int n);

#endif /* BPFDNS_PINDIR_H */
