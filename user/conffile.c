// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * conffile.c - where options come from, read as dnsmasq reads them: config
 * files (quotes, comments, spaces around '='), conf-file= and conf-dir=
 * wherever they appear, and the command line (long and short options, a
 * value in the same word or the next). dnsmasq options that bpfdns does not
 * have are gathered and refused together, with every file and line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "config.h"
#include "log.h"
#include "textfile.h"

#define CONF_DEPTH_MAX 8 /* conf-file and conf-dir inside each other: deeper is a loop */
#define NOTSUP_MAX 2048	 /* the list of unsupported lines, in one message */

#define FILES_MAX 4096 /* files read, remembered so each is read once */

struct reader {
	struct config *cfg;
	int depth;
	int n_files;
	struct {
		dev_t dev;
		ino_t ino;
	} files[FILES_MAX];
	int done; /* help or the version printed */
	int n_notsup;
	size_t notsup_len;
	char notsup[NOTSUP_MAX];
};

static int read_file(struct reader *r, const char *path);
static int read_dir(struct reader *r, const char *spec);

/* Remember an option dnsmasq has and bpfdns does not. */
static void note_unsupported(struct reader *r, const char *where, const char *name)
{
	size_t room = sizeof(r->notsup) - r->notsup_len;
	int n = snprintf(r->notsup + r->notsup_len, room, "%s%s: %s", r->n_notsup ? ", " : "", where, name);

	if (n > 0 && (size_t)n < room)
		r->notsup_len += (size_t)n;
	else if (room > 4)
		strcpy(r->notsup + sizeof(r->notsup) - 4, "...");
	r->n_notsup++;
}

static int reader_option(struct reader *r, const char *name, const char *value, const char *where)
{
	int err;

	if (!strcmp(name, "conf-file") || !strcmp(name, "conf-dir")) {
		if (!value || !*value) {
			pr_err("%s: %s needs a path", where, name);
			return -EINVAL;
		}
		return name[5] == 'f' ? read_file(r, value) : read_dir(r, value);
	}
	if (!strcmp(name, "test")) {
		r->cfg->test_only = 1;
		return 0;
	}
	if (!strcmp(name, "help") || !strcmp(name, "version")) {
		if (name[0] == 'h')
			config_usage();
		else
			printf("bpfdnsd %s\n", BPFDNS_VERSION);
		r->done = 1;
		return 0;
	}
	err = config_set_option(r->cfg, name, value, where);
	if (err == -EOPNOTSUPP) {
		note_unsupported(r, where, name);
		return 0;
	}
	return err;
}

/* The escapes dnsmasq allows between quotes. */
static char unescape(char c)
{
	switch (c) {
	case 't':
		return '\t';
	case 'e':
		return '\033';
	case 'b':
		return '\b';
	case 'r':
		return '\r';
	case 'n':
		return '\n';
	default:
		return c; /* \\ and \" */
	}
}

/*
 * One config line, in place: quotes removed (between them '#', '=' and
 * blanks are plain characters; \\ \" \t \e \b \r \n are escapes), a comment
 * from a '#' at the start or after a blank, blanks around the name and
 * value trimmed. *name is NULL for an empty line; *value NULL for a flag.
 * -EINVAL for a missing closing quote.
 */
static int lex_line(char *line, char **name, char **value)
{
	char *out = line, *eq = NULL, *end;
	int white = 1;

	for (char *p = line; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				*out++ = (*p == '\\' && p[1] && strchr("\"\\tebrn", p[1])) ? unescape(*++p) : *p;
			if (!*p)
				return -EINVAL;
			white = 0;
		} else if (*p == ' ' || *p == '\t' || *p == '\r') {
			*out++ = ' ';
			white = 1;
		} else if (*p == '#' && white) {
			break;
		} else {
			if (*p == '=' && !eq)
				eq = out;
			*out++ = *p;
			white = 0;
		}
	}
	*out = '\0';
	*value = NULL;
	if (eq) {
		*eq = '\0';
		for (*value = eq + 1; **value == ' '; (*value)++)
			;
		for (end = *value + strlen(*value); end > *value && end[-1] == ' ';)
			*--end = '\0';
	}
	for (*name = line; **name == ' '; (*name)++)
		;
	for (end = *name + strlen(*name); end > *name && end[-1] == ' ';)
		*--end = '\0';
	if (!**name && !eq)
		*name = NULL;
	return 0;
}

/* /dev/null (NetworkManager's conf-file=): an empty file, not a device. */
static int is_dev_null(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

/* 1 when path was read already (dnsmasq reads each file once, however
 * many conf-file and conf-dir lines name it); else remember it. */
static int read_before(struct reader *r, const char *path)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	for (int i = 0; i < r->n_files; i++)
		if (r->files[i].dev == st.st_dev && r->files[i].ino == st.st_ino)
			return 1;
	if (r->n_files < FILES_MAX) {
		r->files[r->n_files].dev = st.st_dev;
		r->files[r->n_files++].ino = st.st_ino;
	}
	return 0;
}

static int read_file(struct reader *r, const char *path)
{
	char where[PATH_MAX + 32], *line, *name, *value;
	struct textfile tf;
	int lineno = 0, err;

	if (read_before(r, path))
		return 0;
	if (r->depth >= CONF_DEPTH_MAX) {
		pr_err("%s: conf-file and conf-dir nested %d deep: a loop?", path, CONF_DEPTH_MAX);
		return -ELOOP;
	}
	err = textfile_read_max(&tf, path, TEXTFILE_LIST_MAX);
	if (err == -EINVAL && is_dev_null(path))
		return 0;
	if (err) {
		pr_err("cannot read config file %s: %s", path, textfile_error(err));
		return err;
	}
	r->depth++;
	while (!err && (line = textfile_line(&tf))) {
		snprintf(where, sizeof(where), "%s:%d", path, ++lineno);
		err = lex_line(line, &name, &value);
		if (err)
			pr_err("%s: missing closing \"", where);
		else if (name && !*name)
			err = -EINVAL, pr_err("%s: an option name is missing before '='", where);
		else if (name)
			err = reader_option(r, name, value, where);
	}
	r->depth--;
	textfile_free(&tf);
	return err;
}

/* dnsmasq's conf-dir filter: never backups (~), hidden files or #name#;
 * with "*.ext" patterns only those; never ".ext" ones. */
#define DIR_PATTERNS_MAX 16

/* A conf-dir's patterns, and the reader its files go to. */
struct conf_dir {
	struct reader *r;
	char *pats[DIR_PATTERNS_MAX];
	int n;
};

static int dir_wants(const char *name, void *ctx)
{
	const struct conf_dir *d = ctx;
	char *const *pats = d->pats;
	int n = d->n;
	size_t len = strlen(name);
	int include = 0, included = 0;

	if (name[0] == '.' || name[len - 1] == '~' || (name[0] == '#' && len > 1 && name[len - 1] == '#'))
		return 0;
	for (int i = 0; i < n; i++) {
		const char *ext = pats[i] + (pats[i][0] == '*');
		size_t elen = strlen(ext);
		int match = len >= elen && !strcmp(name + len - elen, ext);

		if (pats[i][0] == '*') {
			include = 1;
			included |= match;
		} else if (match) {
			return 0;
		}
	}
	return !include || included;
}

static int dir_read_file(const char *path, void *ctx)
{
	return read_file(((struct conf_dir *)ctx)->r, path);
}

static int read_dir(struct reader *r, const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *dir;
	struct conf_dir d = { .r = r };
	struct stat st;
	int err;

	if (!copy)
		return -ENOMEM;
	dir = strtok_r(copy, ",", &save);
	for (char *p; d.n < DIR_PATTERNS_MAX && (p = strtok_r(NULL, ",", &save));)
		d.pats[d.n++] = p;
	/* the directory's own failure is said here; its files' by read_file */
	err = !dir ? -EINVAL : stat(dir, &st) ? -errno : !S_ISDIR(st.st_mode) ? -ENOTDIR : 0;
	if (err)
		pr_err("conf-dir=%s: %s", spec, strerror(-err));
	else
		err = textfile_dir(dir, dir_wants, dir_read_file, &d);
	free(copy);
	return err;
}

/* argv[*i]'s option named name (its value kind arg; inline: the value in
 * the same word, or NULL): the value from the next word when it needs one. */
static int cli_option(struct reader *r, const char *name, enum config_arg arg, const char *inline_value, int argc,
		      char **argv, int *i)
{
	const char *value = inline_value;

	if (!value && arg == CONFIG_ARG_REQUIRED) {
		if (*i + 1 >= argc) {
			pr_err("command line: %s needs a value", name);
			return -EINVAL;
		}
		value = argv[++*i];
	}
	return reader_option(r, name, value, "command line");
}

/* "--name[=value]" or "--name value". */
static int cli_long(struct reader *r, int argc, char **argv, int *i)
{
	char *a = argv[*i] + 2, *eq = strchr(a, '=');
	const char *name = a;
	enum config_arg arg;
	int err;

	if (eq)
		*eq = '\0';
	err = config_option_arg(&name, 0, &arg);
	if (err)
		pr_err("command line: unknown option \"--%.64s\"", a);
	else
		err = cli_option(r, name, arg, eq ? eq + 1 : NULL, argc, argv, i);
	if (eq)
		*eq = '=';
	return err;
}

/* "-kd", "-C FILE", "-CFILE": short options as getopt reads them. */
static int cli_short(struct reader *r, int argc, char **argv, int *i)
{
	for (const char *p = argv[*i] + 1; *p; p++) {
		const char *name = NULL;
		enum config_arg arg;

		if (config_option_arg(&name, *p, &arg)) {
			pr_err("command line: unknown option \"-%c\"", *p);
			return -EINVAL;
		}
		if (arg != CONFIG_ARG_NONE)
			return cli_option(r, name, arg, p[1] ? p + 1 : NULL, argc, argv, i);
		if (reader_option(r, name, NULL, "command line"))
			return -EINVAL;
	}
	return 0;
}

int config_load_file(struct config *cfg, const char *path)
{
	struct reader *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return -ENOMEM;
	r->cfg = cfg;
	err = read_file(r, path);
	if (!err && r->n_notsup) {
		pr_err("not supported by bpfdns: %s", r->notsup);
		err = -EOPNOTSUPP;
	}
	free(r);
	return err;
}

int config_parse_args(struct config *cfg, int argc, char **argv)
{
	struct reader *r = calloc(1, sizeof(*r));
	int err = r ? 0 : -ENOMEM;

	for (int i = 1; !err && i < argc; i++) {
		const char *a = argv[i];

		r->cfg = cfg;
		if (a[0] == '-' && a[1] == '-' && a[2])
			err = cli_long(r, argc, argv, &i);
		else if (a[0] == '-' && a[1] && a[1] != '-')
			err = cli_short(r, argc, argv, &i);
		else
			err = -EINVAL, pr_err("command line: unexpected \"%.64s\" (options are --name=value)", a);
	}
	if (!err && r->n_notsup) {
		pr_err("not supported by bpfdns (%d line%s): %s", r->n_notsup, r->n_notsup > 1 ? "s" : "",
		       r->notsup);
		err = -EOPNOTSUPP;
	}
	if (!err && r->done)
		err = 1;
	free(r);
	if (err)
		return err;
	err = config_check(cfg);
	if (!err && cfg->test_only) {
		printf("bpfdnsd: syntax check OK.\n");
		return 1;
	}
	return err;
}
