/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sdnotify.h - tell systemd how start-up, reloads and the stop go (a
 * Type=notify service): a datagram to $NOTIFY_SOCKET, as sd_notify(3)
 * sends it, without libsystemd.
 */
#ifndef BPFDNS_SDNOTIFY_H
#define BPFDNS_SDNOTIFY_H

/* Connect to $NOTIFY_SOCKET, when set (a path, or @ for an abstract
 * name): at start, before privileges are dropped. 0 also without it;
 * -errno (logged) when it cannot be reached. */
int sdnotify_open(void);
/* Send state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=..."; lines
 * joined by \n; "": nothing), when connected. Never blocks. */
void sdnotify(const char *state);

#endif /* BPFDNS_SDNOTIFY_H */
