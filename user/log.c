// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - leveled logging; see log.h. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "syslogdg.h"

#define LOG_LINE_MAX 8192
#define LOG_BATCH_MAX 65536

static enum log_level max_level = LOG_LVL_INFO;
static int to_syslog;
static FILE *to_file; /* log-facility=/path */
static char file_path[PATH_MAX];

/* Inside the event loop, info lines to stderr or a file wait for the end of
 * the loop's turn (log_flush): one write for a burst of query-log lines,
 * not one per line. Warnings and errors go out at once, after them. */
static struct {
	int on;
	size_t used;
	char buf[LOG_BATCH_MAX];
} batch;

/* Logging never blocks answering: lines a pipe or socket (journald) cannot
 * take now are dropped, counted, and the count said once it takes lines
 * again. */
static size_t dropped;

static size_t count_lines(const char *p, size_t n)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n';
	return lines;
}

/* Write n bytes; what would block is dropped. Pieces of at most PIPE_BUF
 * bytes, each after poll() says there is room: a pipe takes such a write
 * whole, never blocking. */
static void write_some(int fd, const char *p, size_t n)
{
	struct stat st;
	int may_block = fstat(fd, &st) || !S_ISREG(st.st_mode);

	while (n) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		size_t chunk = n < PIPE_BUF ? n : PIPE_BUF;
		ssize_t w;

		/* whole lines: a piece dropped later never leaves half a line */
		while (chunk < n && chunk > 1 && p[chunk - 1] != '\n')
			chunk--;
		if (chunk == 1 && n > 1)
			chunk = n < PIPE_BUF ? n : PIPE_BUF; /* one line over PIPE_BUF: in pieces */
		if (may_block && poll(&pfd, 1, 0) != 1)
			break;
		w = write(fd, p, chunk);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		n -= (size_t)w;
	}
	dropped += count_lines(p, n);
}

static void log_write(const char *p, size_t n)
{
	int fd = fileno(to_file ? to_file : stderr);

	if (dropped) {
		size_t had = dropped;
		char note[96];
		int len = snprintf(note, sizeof(note),
				   "warning: %zu log lines dropped: the log's reader is not keeping up\n", had);

		dropped = 0;
		write_some(fd, note, (size_t)len);
		if (dropped) { /* still full: the note waits, these lines are dropped too */
			dropped = had + count_lines(p, n);
			return;
		}
	}
	write_some(fd, p, n);
}

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_use_syslog(const char *path, const char *ident, int facility)
{
	syslogdg_open(path, ident, facility);
	to_syslog = 1;
}

/* One line to syslog; dropped (and counted) rather than waited for. */
static void syslog_line(int prio, const char *msg)
{
	if (dropped) {
		char note[96];

		snprintf(note, sizeof(note), "%zu log lines dropped: the log's reader is not keeping up", dropped);
		if (!syslogdg_send(LOG_WARNING, note)) {
			dropped++;
			return;
		}
		dropped = 0;
	}
	if (!syslogdg_send(prio, msg))
		dropped++;
}

int log_use_file(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	to_file = f;
	snprintf(file_path, sizeof(file_path), "%s", path);
	return 0;
}

void log_chown(uid_t uid, gid_t gid)
{
	if (to_file && fchown(fileno(to_file), uid, gid))
		pr_warn("cannot give the log file %s to the run user: %s (SIGUSR2 may not reopen it)", file_path,
			strerror(errno));
}

void log_reopen(void)
{
	FILE *f;

	if (!to_file)
		return;
	log_flush();
	f = fopen(file_path, "ae");
	if (!f) {
		pr_warn("cannot reopen the log file %s: %s (still writing to the old one)", file_path,
			strerror(errno));
		return;
	}
	fclose(to_file);
	to_file = f;
	pr_info("log file %s reopened", file_path);
}

int log_facility_code(const char *name)
{
	static const struct {
		const char *name;
		int code;
	} names[] = { { "kern", LOG_KERN },	{ "user", LOG_USER },	  { "mail", LOG_MAIL },
		      { "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },	  { "syslog", LOG_SYSLOG },
		      { "lpr", LOG_LPR },	{ "news", LOG_NEWS },	  { "uucp", LOG_UUCP },
		      { "cron", LOG_CRON },	{ "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
		      { "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		      { "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		      { "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(names[i].name, name))
			return names[i].code;
	return -1;
}

void log_flush(void)
{
	if (!batch.used)
		return;
	log_write(batch.buf, batch.used);
	batch.used = 0;
}

void log_batch(int on)
{
	log_flush();
	batch.on = on;
}

/* A file's time stamp, formatted once a second. */
static const char *stamp(void)
{
	static char when[32];
	static time_t last = -1;
	time_t now = time(NULL);

	if (now != last) {
		strftime(when, sizeof(when), "%b %e %H:%M:%S", localtime(&now));
		last = now;
	}
	return when;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };
	char line[LOG_LINE_MAX];
	int n = 0, m;

	if (level > max_level)
		return;
	if (to_syslog && !to_file) {
		vsnprintf(line, sizeof(line), fmt, ap);
		syslog_line(prio[level], line);
		return;
	}
	if (to_file)
		n = snprintf(line, sizeof(line), "%s bpfdnsd[%d]: ", stamp(), (int)getpid());
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s", tag[level]);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = m < 0 ? n : n + m >= (int)sizeof(line) - 1 ? (int)sizeof(line) - 2 : n + m;
	line[n++] = '\n';
	if (batch.on && level >= LOG_LVL_INFO) {
		if (batch.used + (size_t)n > sizeof(batch.buf))
			log_flush();
		memcpy(batch.buf + batch.used, line, (size_t)n);
		batch.used += (size_t)n;
		return;
	}
	log_flush(); /* the lines before it first */
	log_write(line, (size_t)n);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_verbose, libbpf_quiet;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if ((level == LIBBPF_DEBUG && !libbpf_verbose) || (libbpf_quiet && !libbpf_verbose))
		return 0;
	/* libbpf ends its lines with a newline; ours add one */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG, "libbpf: %s", buf);
	return 0;
}

void log_libbpf_quiet(int quiet)
{
	libbpf_quiet = quiet;
}

void log_route_libbpf(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}
