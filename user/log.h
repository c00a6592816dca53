/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* log.h - leveled logging to stderr (foreground) or syslog (background). */
#ifndef BPFDNS_LOG_H
#define BPFDNS_LOG_H

#include <sys/types.h>

enum log_level { LOG_LVL_QUIET = -1, LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Messages above this level are dropped; default LOG_LVL_INFO (QUIET: all). */
void log_set_level(enum log_level level);
/* Send messages to syslog instead of stderr (after daemonizing): to the
 * socket at path (_PATH_LOG, /dev/log), as ident, with facility
 * (LOG_DAEMON...); never waiting for a stalled reader (syslogdg.h). */
void log_use_syslog(const char *path, const char *ident, int facility);
/* Append messages to the file at path (log-facility=/path). 0 or -errno. */
int log_use_file(const char *path);
/* Open that file again (after logrotate moved it: SIGUSR2); the old one
 * stays in use when it cannot be. */
void log_reopen(void);
/* Give that file to the user the daemon runs as (user=), as dnsmasq does. */
void log_chown(uid_t uid, gid_t gid);
/* The syslog facility named name ("daemon", "local0"...), or -1. */
int log_facility_code(const char *name);
/* Route libbpf's messages through log_msg, its debug output only when verbose. */
void log_route_libbpf(int verbose);
/* While quiet, libbpf's warnings are left out (the caller logs what
 * matters: the kernel's own words for an expected EEXIST are noise). */
void log_libbpf_quiet(int quiet);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* on: info lines to stderr or a file wait for log_flush (the event loop
 * calls it every turn); off: flushed, and each line goes out at once. */
void log_batch(int on);
void log_flush(void);

#define pr_err(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* BPFDNS_LOG_H */
