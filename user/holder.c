// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* holder.c - find the process behind a bound port through /proc; see holder.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "holder.h"

/* The socket inode bound to port in /proc/net/FILE, or 0. */
static unsigned long socket_inode(const char *file, uint16_t port)
{
	char path[64], line[512];
	unsigned long inode = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/net/%s", file);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!inode && fgets(line, sizeof(line), f)) {
		unsigned lport, state;
		unsigned long ino;
		char local[64];

		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*d: %63s %*s %x %*s %*s %*s %*u %*u %lu", local, &state, &ino) != 3)
			continue;
		if (!strchr(local, ':') || sscanf(strchr(local, ':') + 1, "%x", &lport) != 1)
			continue;
		/* TCP: the listener (state 0x0A); UDP: any bound socket */
		if (lport == port && (strncmp(file, "tcp", 3) || state == 0x0a))
			inode = ino;
	}
	fclose(f);
	return inode;
}

/* The PID with an fd on socket:[inode], or 0. */
static int socket_owner(unsigned long inode)
{
	char want[64], path[600], link[64];
	struct dirent *p, *fd;
	int pid = 0;
	DIR *procs = opendir("/proc"), *fds;

	if (!procs)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	while (!pid && (p = readdir(procs))) {
		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fd = readdir(fds))) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, fd->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = '\0', !strcmp(link, want))) {
				pid = atoi(p->d_name);
				break;
			}
		}
		closedir(fds);
	}
	closedir(procs);
	return pid;
}

int holder_of_port(int tcp, uint16_t port, char *buf, size_t n)
{
	const char *files[2] = { tcp ? "tcp" : "udp", tcp ? "tcp6" : "udp6" };
	char path[64], comm[64] = "?";
	unsigned long inode = 0;
	FILE *f;
	int pid;

	for (int i = 0; i < 2 && !inode; i++)
		inode = socket_inode(files[i], port);
	pid = inode ? socket_owner(inode) : 0;
	if (!pid)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	f = fopen(path, "r");
	if (f) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	snprintf(buf, n, "%s (pid %d)", comm, pid);
	return 0;
}
