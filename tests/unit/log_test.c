// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log_test.c - syslog that never waits (log.c, syslogdg.c): a syslog
 * socket nobody reads fills up; logging goes on at once, the lines it
 * could not take are counted, and the count is sent once it takes lines
 * again; the datagrams are what libc's syslog() sends. No root. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "log.h"
#include "test.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The syslog reader's socket, at path; its fd. */
static int reader(const char path[64])
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)))
		return -1;
	return fd;
}

static char first[9000]; /* the first datagram drain read */

/* Read every datagram waiting; the last one into last (n bytes). How many. */
static int drain(int fd, char *last, size_t n)
{
	char buf[9000];
	int count = 0;
	ssize_t r;

	while ((r = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[r] = '\0';
		if (!count)
			snprintf(first, sizeof(first), "%s", buf);
		snprintf(last, n, "%s", buf);
		count++;
	}
	return count;
}

int main(void)
{
	char dir[] = "/tmp/bpfdns-log-test.XXXXXX", path[64], last[9000] = "";
	uint64_t t0;
	int fd, got;

	if (!mkdtemp(dir)) {
		test_fail("log: temporary directory", "%s", strerror(errno));
		return test_exit();
	}
	snprintf(path, sizeof(path), "%s/log", dir);
	fd = reader(path);
	if (fd < 0) {
		test_fail("log: a syslog socket", "%s", strerror(errno));
		return test_exit();
	}
	log_use_syslog(path, "bpfdnsd", LOG_DAEMON);
	pr_info("first line");
	got = drain(fd, last, sizeof(last));
	CHECK("syslog: a line is one datagram, as libc's syslog() sends it", got == 1 &&
	      !strncmp(last, "<30>", 4) && strstr(last, " bpfdnsd[") && strstr(last, "]: first line"),
	      "%d datagrams, last \"%s\"", got, last);

	t0 = now_ms();
	for (int i = 0; i < 20000; i++)
		pr_info("query[A] line%d.example.test from 127.0.0.1", i);
	CHECK("syslog: a reader that stalls never holds the daemon up (20000 lines)", now_ms() - t0 < 5000,
	      "took %llu ms", (unsigned long long)(now_ms() - t0));
	got = drain(fd, last, sizeof(last));
	CHECK("syslog: what the socket could take went through", got > 0 && got < 20000, "%d datagrams", got);
	pr_info("after");
	got = drain(fd, last, sizeof(last));
	CHECK("syslog: then the lines dropped are counted (a warning), before the next line",
	      got == 2 && !strncmp(first, "<28>", 4) && strstr(first, "log lines dropped") && strstr(last, "]: after"),
	      "%d datagrams: \"%s\" ... \"%s\"", got, first, last);
	pr_warn("warned");
	got = drain(fd, last, sizeof(last));
	CHECK("syslog: a warning has its priority", got == 1 && !strncmp(last, "<28>", 4), "last \"%s\"", last);
	close(fd);
	unlink(path);
	t0 = now_ms();
	pr_info("no reader at all");
	CHECK("syslog: no reader at all: dropped at once", now_ms() - t0 < 1000, "took %llu ms",
	      (unsigned long long)(now_ms() - t0));
	rmdir(dir);
	return test_exit();
}
