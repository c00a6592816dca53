/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * textfile.h - read a small text file (config, resolv-file) whole and hand
 * out its lines. Only regular files are read, without blocking (a FIFO or
 * a device is refused at open) and up to a size cap, so that a bad path can
 * neither hang the daemon nor spin it; lines are never split, however long.
 */
#ifndef BPFDNS_TEXTFILE_H
#define BPFDNS_TEXTFILE_H

#include <stddef.h>

#define TEXTFILE_MAX (1 << 20) /* bytes; resolv files are far smaller */
/* config and hosts files: ad-block lists of a million names fit */
#define TEXTFILE_LIST_MAX (256u << 20)

struct textfile {
	char *buf;
	size_t len, at;
};

/*
 * Read path whole into tf. Returns 0, or -EISDIR (a directory), -EINVAL
 * (not a regular file: FIFO, device, socket), -EFBIG (over TEXTFILE_MAX),
 * or the -errno of open/read; nothing is logged (callers name the file's
 * role in their message; textfile_error() words the cause).
 */
int textfile_read(struct textfile *tf, const char *path);
/* The same, up to max bytes. */
int textfile_read_max(struct textfile *tf, const char *path, size_t max);
/* The next line, NUL-terminated in place, without its CR/LF; NULL at the end. */
char *textfile_line(struct textfile *tf);
void textfile_free(struct textfile *tf);
/* Call fn(path, ctx) for each regular file of dir, in alphabetical order,
 * whose name want(name, ctx) accepts (NULL: every one), until fn returns
 * non-zero: that, or 0, or -errno when dir cannot be read (not logged). */
int textfile_dir(const char *dir, int (*want)(const char *name, void *ctx), int (*fn)(const char *path, void *ctx),
		 void *ctx);
/* A user-readable cause for textfile_read's error. */
const char *textfile_error(int err);

#endif /* BPFDNS_TEXTFILE_H */
