// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* sdnotify.c - see sdnotify.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "log.h"
#include "sdnotify.h"

static int notify_fd = -1;

int sdnotify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	int fd, err;

	if (!len)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path)) {
		pr_warn("NOTIFY_SOCKET=%s is not a socket path: systemd will not hear that we are ready", path);
		return -EINVAL;
	}
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0'; /* an abstract name */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* connected now: the permission check is made here, as root */
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		err = -errno;
		pr_warn("cannot reach systemd's notify socket %s: %s (systemd will not hear that we are ready)", path,
			strerror(-err));
		if (fd >= 0)
			close(fd);
		return err;
	}
	notify_fd = fd;
	return 0;
}

void sdnotify(const char *state)
{
	if (notify_fd >= 0 && state[0] && send(notify_fd, state, strlen(state), MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		pr_debug("cannot tell systemd %s: %s", state, strerror(errno));
}
