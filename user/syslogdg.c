// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* syslogdg.c - syslog without blocking; see syslogdg.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "syslogdg.h"

static struct {
	int fd; /* -1: not connected (yet) */
	struct sockaddr_un addr;
	char ident[32];
	int facility;
} sl = { .fd = -1 };

void syslogdg_open(const char *path, const char *ident, int facility)
{
	memset(&sl.addr, 0, sizeof(sl.addr));
	sl.addr.sun_family = AF_UNIX;
	snprintf(sl.addr.sun_path, sizeof(sl.addr.sun_path), "%s", path);
	snprintf(sl.ident, sizeof(sl.ident), "%s", ident);
	sl.facility = facility;
}

/* (Re)connect; 0 or -errno. The reader may come and go (journald restarts). */
static int syslogdg_connect(void)
{
	if (sl.fd < 0)
		sl.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sl.fd < 0)
		return -errno;
	if (connect(sl.fd, (struct sockaddr *)&sl.addr, sizeof(sl.addr))) {
		int err = -errno;

		close(sl.fd);
		sl.fd = -1;
		return err;
	}
	return 0;
}

int syslogdg_send(int prio, const char *msg)
{
	char buf[8192 + 128], when[32];
	time_t now = time(NULL);
	int n;

	/* RFC 3164, as libc writes it: <PRI>Mmm dd hh:mm:ss ident[pid]: msg */
	strftime(when, sizeof(when), "%b %e %H:%M:%S", localtime(&now));
	n = snprintf(buf, sizeof(buf), "<%d>%s %s[%d]: %s", sl.facility | prio, when, sl.ident, (int)getpid(), msg);
	if (n < 0)
		return 0;
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (sl.fd < 0 && syslogdg_connect())
			return 0;
		if (send(sl.fd, buf, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
			return 1;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return 0; /* a full queue: dropped, never waited for */
		close(sl.fd); /* the reader went away: connect again, once */
		sl.fd = -1;
	}
	return 0;
}
