// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* textfile.c - small text files read whole; see textfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "textfile.h"

int textfile_read(struct textfile *tf, const char *path)
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
	if (st.st_size > TEXTFILE_MAX) {
		err = -EFBIG;
		goto out;
	}
	tf->buf = malloc(TEXTFILE_MAX + 1);
	if (!tf->buf) {
		err = -ENOMEM;
		goto out;
	}
	/* the size may have changed since fstat: read to the cap, no further */
	while (tf->len < TEXTFILE_MAX) {
		ssize_t n = read(fd, tf->buf + tf->len, TEXTFILE_MAX - tf->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0)
			break;
		tf->len += (size_t)n;
	}
	if (tf->len == TEXTFILE_MAX) {
		char c;

		if (read(fd, &c, 1) > 0)
			err = -EFBIG;
	}
	tf->buf[tf->len] = '\0';
out:
	close(fd);
	if (err)
		textfile_free(tf);
	return err;
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

const char *textfile_error(int err)
{
	switch (err) {
	case -EISDIR:
		return "it is a directory";
	case -EINVAL:
		return "not a regular file (a FIFO, device or socket)";
	case -EFBIG:
		return "larger than 1 MiB";
	default:
		return strerror(-err);
	}
}
