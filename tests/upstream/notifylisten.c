// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * notifylisten - the tests' systemd notify socket: bind an AF_UNIX datagram
 * socket at PATH (@NAME: an abstract name), and print each datagram that
 * comes, its lines joined by spaces, one datagram a line, until killed.
 *
 *   notifylisten PATH
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[4096];
	size_t len;
	int fd;

	if (argc != 2 || !(len = strlen(argv[1])) || len >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: notifylisten PATH|@NAME\n");
		return 2;
	}
	memcpy(sa.sun_path, argv[1], len);
	if (argv[1][0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len))) {
		perror("notifylisten");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0)
			return 1;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = ' ';
		printf("%s\n", buf);
	}
}
