// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* watch.c - the resolv-file watcher; see watch.h. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include "ev.h"
#include "log.h"
#include "watch.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)

struct watch {
	struct ev ev;
	int *changed; /* set when the file changed */
	int fd;
	int wd[2];		/* the path's directory, and its target's */
	char base[2][NAME_MAX + 1]; /* the names in them */
};

static int watch_add(struct watch *w, int i, const char *path)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat st;

	snprintf(a, sizeof(a), "%s", path);
	snprintf(b, sizeof(b), "%s", path);
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		/* a directory of files (hostsdir=): any of them */
		w->base[i][0] = '\0';
		w->wd[i] = inotify_add_watch(w->fd, path, WATCH_MASK);
	} else {
		snprintf(w->base[i], sizeof(w->base[i]), "%s", basename(a));
		w->wd[i] = inotify_add_watch(w->fd, dirname(b), WATCH_MASK);
	}
	if (w->wd[i] < 0) {
		int err = -errno;

		pr_warn("cannot watch %s for changes: %s (SIGHUP re-reads it)", path, strerror(-err));
		return err;
	}
	return 0;
}

static void watch_on_event(struct ev *ev, uint32_t events);

int watch_open(int epfd, const char *path, int *changed, struct watch **out)
{
	struct watch *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLIN };
	char real[PATH_MAX];
	int err;

	if (!w)
		return -ENOMEM;
	w->ev.fn = watch_on_event;
	w->changed = changed;
	w->wd[1] = -1;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		err = -errno;
		pr_err("inotify: %s", strerror(-err));
		goto err_free;
	}
	err = watch_add(w, 0, path);
	if (err)
		goto err_close;
	/* /etc/resolv.conf is often a symlink into /run: watch there too */
	if (realpath(path, real) && strcmp(real, path) && (err = watch_add(w, 1, real)))
		goto err_close;
	ev.data.ptr = w;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev)) {
		err = -errno;
		pr_err("epoll: %s", strerror(-err));
		goto err_close;
	}
	*out = w;
	return 0;

err_close:
	close(w->fd);
err_free:
	free(w);
	return err;
}

/* Read the pending events; 1 when they concern the file. */
static int watch_changed(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int changed = 0;
	ssize_t n;

	while ((n = read(w->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const struct inotify_event *)p;

			for (int i = 0; i < 2; i++)
				if (e->wd == w->wd[i] && e->len && (!w->base[i][0] || !strcmp(e->name, w->base[i])))
					changed = 1;
			p += sizeof(*e) + e->len;
		}
	}
	return changed;
}

void watch_close(int epfd, struct watch *w)
{
	if (!w)
		return;
	epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
	free(w);
}

static void watch_on_event(struct ev *ev, uint32_t events)
{
	struct watch *w = (struct watch *)ev;

	(void)events;
	*w->changed |= watch_changed(w);
}
