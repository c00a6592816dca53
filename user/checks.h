/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * checks.h - what bpfdnsd needs from the system, checked up front so that a
 * missing piece is named instead of surfacing as EPERM or EINVAL later.
 */
#ifndef BPFDNS_CHECKS_H
#define BPFDNS_CHECKS_H

/* Linux 5.8; older headers lack them */
#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* The oldest kernel the fast path loads on (bpf_xdp_load_bytes). */
#define CHECKS_KERNEL_MAJOR 5
#define CHECKS_KERNEL_MINOR 18

/* 1 when a uname release ("6.1.0-13-amd64") is new enough, 0 when not,
 * -1 when it cannot be read (then we try anyway). */
int checks_kernel_ok(const char *release);
/* Log what is missing for the fast path (kernel, CAP_BPF and CAP_PERFMON,
 * CAP_NET_ADMIN);
 * attach: whether the program will be attached. 0 or -EPERM/-ENOSYS. */
int checks_fastpath(int attach);

#endif /* BPFDNS_CHECKS_H */
