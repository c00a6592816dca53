// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* textfile.c - small text files read whole; see textfile.h. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "textfile.h"

/* Read fd whole into tf->buf, up to max bytes; -EFBIG past that. */
static int read_all(struct textfile *tf, int fd, size_t size_hint, size_t max)
{
	size_t cap = size_hint > 65536 ? size_hint : 65536;

	if (cap > max)
		cap = max;
	for (;;) {
		char *grown = realloc(tf->buf, cap + 1);
		ssize_t n;

		if (!grown)
			return -ENOMEM;
		tf->buf = grown;
		/* the size may change while we read: to the cap, no further */
		while (tf->len < cap && (n = read(fd, tf->buf + tf->len, cap - tf->len)) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			tf->len += (size_t)n;
		}
		if (tf->len < cap)
			break;
		if (cap == max) {
			char c;

			if (read(fd, &c, 1) > 0)
				return -EFBIG;
			break;
		}
		cap = cap * 2 > max ? max : cap * 2;
	}
	tf->buf[tf->len] = '\0';
	return 0;
}

int textfile_read_max(struct textfile *tf, const char *path, size_t max)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err = 0;
	struct stat st;

	memset(tf, 0, sizeof(*tf));
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		err = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		goto out;
	}
	err = read_all(tf, fd, (size_t)st.st_size, max);
out:
	close(fd);
	if (err)
		textfile_free(tf);
	return err;
}

int textfile_read(struct textfile *tf, const char *path)
{
	return textfile_read_max(tf, path, TEXTFILE_MAX);
}

char *textfile_line(struct textfile *tf)
{
	char *line, *nl;

	if (!tf->buf || tf->at >= tf->len)
		return NULL;
	line = tf->buf + tf->at;
	nl = memchr(line, '\n', tf->len - tf->at);
	if (nl) {
		*nl = '\0';
		tf->at = (size_t)(nl - tf->buf) + 1;
	} else {
		tf->at = tf->len;
	}
	line[strcspn(line, "\r")] = '\0';
	return line;
}

void textfile_free(struct textfile *tf)
{
	free(tf->buf);
	memset(tf, 0, sizeof(*tf));
}

int textfile_dir(const char *dir, int (*want)(const char *name, void *ctx), int (*fn)(const char *path, void *ctx),
		 void *ctx)
{
	struct dirent **list = NULL;
	int count = scandir(dir, &list, NULL, alphasort), err = 0;

	if (count < 0)
		return -errno;
	for (int i = 0; i < count; i++) {
		char path[PATH_MAX];
		struct stat st;

		if (!err && (!want || want(list[i]->d_name, ctx)) &&
		    snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name) < (int)sizeof(path) && !stat(path, &st) &&
		    S_ISREG(st.st_mode))
			err = fn(path, ctx);
		free(list[i]);
	}
	free(list);
	return err;
}

const char *textfile_error(int err)
{
	switch (err) {
	case -EISDIR:
		return "it is a directory";
	case -EINVAL:
		return "not a regular file (a FIFO, device or socket)";
	case -EFBIG:
		return "too large (1 MiB for a resolv-file, 256 MiB for config and hosts files)";
	default:
		return strerror(-err);
	}
}
