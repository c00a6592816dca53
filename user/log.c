// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* log.c - leveled logging; see log.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "log.h"

static enum log_level max_level = LOG_LVL_INFO;
static int to_syslog;
static FILE *to_file; /* log-facility=/path */

void log_set_level(enum log_level level)
{
	max_level = level;
}

void log_use_syslog(const char *ident, int facility)
{
	openlog(ident, LOG_PID, facility);
	to_syslog = 1;
}

int log_use_file(const char *path)
{
	FILE *f = fopen(path, "ae");

	if (!f)
		return -errno;
	setvbuf(f, NULL, _IOLBF, 0);
	to_file = f;
	return 0;
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

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "error: ", "warning: ", "", "debug: " };

	if (level > max_level)
		return;
	if (to_file) {
		char when[32];
		time_t now = time(NULL);

		strftime(when, sizeof(when), "%b %e %H:%M:%S", localtime(&now));
		fprintf(to_file, "%s bpfdnsd[%d]: %s", when, (int)getpid(), tag[level]);
		vfprintf(to_file, fmt, ap);
		fputc('\n', to_file);
		return;
	}
	if (to_syslog) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	fputs(tag[level], stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

static int libbpf_verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024];
	size_t n;

	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	/* libbpf ends its lines with a newline; ours add one */
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_msg(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG, "libbpf: %s", buf);
	return 0;
}

void log_route_libbpf(int verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(libbpf_print);
}
