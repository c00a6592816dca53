/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* watch.h - notice when a file (the resolv-file, a hosts file) changes
 * (inotify on its directory). */
#ifndef BPFDNS_WATCH_H
#define BPFDNS_WATCH_H

struct watch;

/*
 * Watch path: written in place, replaced by rename, created or removed. The
 * directory is watched, so a file that does not exist yet is seen when it
 * appears; a symlink's target directory is watched too. Registers with
 * epfd; sets *changed when the file changed. Returns 0 or
 * -errno (logged as a warning: bpfdnsd runs on).
 */
int watch_open(int epfd, const char *path, int *changed, struct watch **w);
void watch_close(int epfd, struct watch *w);

#endif /* BPFDNS_WATCH_H */
