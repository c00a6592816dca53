/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* holder.h - who holds a port: for "port 53 is taken" errors a user can act on. */
#ifndef BPFDNS_HOLDER_H
#define BPFDNS_HOLDER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Describe the process holding a socket bound to port (UDP or TCP, IPv4 or
 * IPv6), as "NAME (pid N)", into buf. Returns 0, or -ENOENT when no socket
 * or no process could be found (e.g. another network namespace's, or no
 * permission to look).
 */
int holder_of_port(int tcp, uint16_t port, char *buf, size_t n);

#endif /* BPFDNS_HOLDER_H */
