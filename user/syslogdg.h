/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * syslogdg.h - syslog without blocking: each message one datagram to the
 * syslog socket (/dev/log), sent with MSG_DONTWAIT. libc's syslog() waits
 * when the reader stalls, and every answer of the daemon would wait with it.
 */
#ifndef BPFDNS_SYSLOGDG_H
#define BPFDNS_SYSLOGDG_H

/* Send to the socket at path (/dev/log) as ident[pid], facility (LOG_DAEMON...). */
void syslogdg_open(const char *path, const char *ident, int facility);

/* Send msg with priority prio (LOG_INFO...): 1 sent, 0 dropped (the reader
 * is not keeping up, or there is none). */
int syslogdg_send(int prio, const char *msg);

#endif /* BPFDNS_SYSLOGDG_H */
