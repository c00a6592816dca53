// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* hosts.c - hosts files; see hosts.h. */
#include <arpa/inet.h>
#include <limits.h>
#include <sys/stat.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dns.h"
#include "dnswire.h"
#include "hosts.h"
#include "log.h"
#include "textfile.h"

struct host {
	uint8_t *name; /* lower-case wire form */
	size_t len;
	uint8_t *a, *aaaa; /* 4 and 16 bytes each, in file order */
	int n_a, n_aaaa;
	int file; /* index into files: where its first address is (the query log says) */
};

/* An address's name, for PTR: the first name on its first line. */
struct rev {
	uint8_t addr[16];
	int family;
	int host; /* index into list (which grows: no pointer) */
	int file; /* index into files: its line's */
};

struct hosts {
	struct host *list;
	int n, cap;
	uint32_t *by_name; /* open addressing: index + 1, 0 empty */
	struct rev *revs;
	int n_revs, cap_revs;
	uint32_t *by_addr;
	uint32_t mask; /* of both tables */
	char **files; /* the paths read, in order; the last is the one being read */
	int n_files;
};

static uint32_t hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t *name_slot(const struct hosts *h, const uint8_t *name, size_t len)
{
	for (uint32_t i = hash_bytes(name, len) & h->mask;; i = (i + 1) & h->mask) {
		uint32_t *slot = &h->by_name[i];
		const struct host *e = *slot ? &h->list[*slot - 1] : NULL;

		if (!e || (e->len == len && !memcmp(e->name, name, len)))
			return slot;
	}
}

static uint32_t *addr_slot(const struct hosts *h, int family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	for (uint32_t i = hash_bytes(addr, n) & h->mask;; i = (i + 1) & h->mask) {
		uint32_t *slot = &h->by_addr[i];
		const struct rev *r = *slot ? &h->revs[*slot - 1] : NULL;

		if (!r || (r->family == family && !memcmp(r->addr, addr, n)))
			return slot;
	}
}

/* Both tables at twice the entries, rebuilt (names and addresses are few
 * next to the lookups). */
static int rehash(struct hosts *h, uint32_t size)
{
	uint32_t *by_name = calloc(size, sizeof(*by_name)), *by_addr = calloc(size, sizeof(*by_addr));

	if (!by_name || !by_addr) {
		free(by_name);
		free(by_addr);
		return -ENOMEM;
	}
	free(h->by_name);
	free(h->by_addr);
	h->by_name = by_name;
	h->by_addr = by_addr;
	h->mask = size - 1;
	for (int i = 0; i < h->n; i++)
		*name_slot(h, h->list[i].name, h->list[i].len) = (uint32_t)i + 1;
	for (int i = 0; i < h->n_revs; i++)
		*addr_slot(h, h->revs[i].family, h->revs[i].addr) = (uint32_t)i + 1;
	return 0;
}

static int grow(void **arr, int *cap, int n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (size_t)(*cap ? *cap * 2 : 64) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? *cap * 2 : 64;
	return 0;
}

static int make_room(struct hosts *h)
{
	uint32_t want = (uint32_t)(h->n > h->n_revs ? h->n : h->n_revs) * 2 + 2;

	if (grow((void **)&h->list, &h->cap, h->n, sizeof(*h->list)) ||
	    grow((void **)&h->revs, &h->cap_revs, h->n_revs, sizeof(*h->revs)))
		return -ENOMEM;
	return want > h->mask + 1 ? rehash(h, (h->mask + 1) * 4) : 0;
}

/* The entry of name, made when new. */
static struct host *host_for(struct hosts *h, const uint8_t *name, size_t len)
{
	uint32_t *slot = name_slot(h, name, len);
	struct host *e;

	if (*slot)
		return &h->list[*slot - 1];
	e = &h->list[h->n];
	memset(e, 0, sizeof(*e));
	e->name = malloc(len);
	if (!e->name)
		return NULL;
	memcpy(e->name, name, len);
	e->len = len;
	*slot = (uint32_t)++h->n;
	return e;
}

static int add_address(uint8_t **list, int *n, size_t size, const uint8_t *addr)
{
	uint8_t *grown;

	for (int i = 0; i < *n; i++)
		if (!memcmp(*list + (size_t)i * size, addr, size))
			return 0;
	grown = realloc(*list, (size_t)(*n + 1) * size);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + (size_t)*n * size, addr, size);
	*list = grown;
	(*n)++;
	return 0;
}

/* name (text) has addr; first: the first name of its line (its PTR). */
static int add_name(struct hosts *h, const char *text, int family, const uint8_t *addr, int first)
{
	uint8_t name[DNS_NAME_MAX + 1];
	int len = dns_name_from_text(text, name, sizeof(name));
	struct host *e;
	uint32_t *slot;

	if (len <= 1)
		return 0; /* not a name: skipped, as dnsmasq does */
	dns_name_lower(name, (size_t)len);
	/* its parents exist too (no data of their own): dnsmasq answers them
	 * NOERROR, never NXDOMAIN, where it would answer locally */
	for (int at = 1 + name[0]; name[at]; at += 1 + name[at])
		if (make_room(h) || !host_for(h, name + at, (size_t)len - (size_t)at))
			return -ENOMEM;
	if (make_room(h) || !(e = host_for(h, name, (size_t)len)))
		return -ENOMEM;
	if (!e->n_a && !e->n_aaaa)
		e->file = h->n_files - 1;
	if (family == AF_INET ? add_address(&e->a, &e->n_a, 4, addr) : add_address(&e->aaaa, &e->n_aaaa, 16, addr))
		return -ENOMEM;
	slot = addr_slot(h, family, addr);
	if (first && !*slot) {
		struct rev *r = &h->revs[h->n_revs];

		memset(r, 0, sizeof(*r));
		memcpy(r->addr, addr, family == AF_INET ? 4 : 16);
		r->family = family;
		r->host = (int)(e - h->list);
		r->file = h->n_files - 1;
		*slot = (uint32_t)++h->n_revs;
	}
	return 0;
}

/* "IP name [alias...]" (a '#' starts a comment). */
static int add_line(struct hosts *h, const struct config *cfg, char *line)
{
	char *save = NULL, *ip, *name;
	uint8_t addr[16];
	int family, err = 0;

	line[strcspn(line, "#")] = '\0';
	ip = strtok_r(line, " \t\r", &save);
	if (!ip)
		return 0;
	family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, ip, addr) != 1)
		return 0;
	for (int first = 1; !err && (name = strtok_r(NULL, " \t\r", &save)); first = 0) {
		/* expand-hosts: a plain name also with the domain, which its
		 * address's PTR then names (as dnsmasq's) */
		int expand = cfg->expand_hosts && cfg->domain[0] && !strchr(name, '.');
		char full[DNS_NAME_MAX + 2];

		err = add_name(h, name, family, addr, first && !expand);
		if (!err && expand && snprintf(full, sizeof(full), "%s.%s", name, cfg->domain) < (int)sizeof(full))
			err = add_name(h, full, family, addr, first);
	}
	return err;
}

int hosts_files(const struct config *cfg, const char **paths, int max)
{
	int n = 0;

	if (!cfg->no_hosts && n < max)
		paths[n++] = "/etc/hosts";
	for (int i = 0; i < cfg->n_addn_hosts && n < max; i++)
		paths[n++] = cfg->addn_hosts[i];
	if (cfg->hostsdir[0] && n < max)
		paths[n++] = cfg->hostsdir;
	return n;
}

/* path, as the file whose lines are read next. */
static int add_file(struct hosts *h, const char *path)
{
	char **grown = realloc(h->files, (size_t)(h->n_files + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	h->files = grown;
	if (!(h->files[h->n_files] = strdup(path)))
		return -ENOMEM;
	h->n_files++;
	return 0;
}

/* One hosts file; one that cannot be read is skipped, as dnsmasq does. */
static int read_hosts_file(struct hosts *h, const struct config *cfg, const char *path)
{
	struct textfile tf;
	char *line;
	int err = textfile_read_max(&tf, path, TEXTFILE_LIST_MAX);

	if (err) {
		pr_warn("cannot read hosts file %s: %s", path, textfile_error(err));
		return 0;
	}
	err = add_file(h, path);
	while (!err && (line = textfile_line(&tf)))
		err = add_line(h, cfg, line);
	textfile_free(&tf);
	return err;
}

struct hosts_dir {
	struct hosts *h;
	const struct config *cfg;
};

/* Dot files and backups (~) are not hosts files. */
static int hosts_dir_wants(const char *name, void *ctx)
{
	(void)ctx;
	return name[0] != '.' && name[strlen(name) - 1] != '~';
}

static int hosts_dir_file(const char *path, void *ctx)
{
	struct hosts_dir *d = ctx;

	return read_hosts_file(d->h, d->cfg, path);
}

/* A hosts file, or a directory of them (addn-hosts=DIR, hostsdir=): its
 * files in alphabetical order. */
static int read_hosts_path(struct hosts *h, const struct config *cfg, const char *path)
{
	struct hosts_dir d = { h, cfg };
	struct stat st;

	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return read_hosts_file(h, cfg, path);
	return textfile_dir(path, hosts_dir_wants, hosts_dir_file, &d);
}

int hosts_load(struct hosts **out, const struct config *cfg)
{
	struct hosts *h = calloc(1, sizeof(*h));
	const char *paths[HOSTS_FILES_MAX];
	int n = hosts_files(cfg, paths, HOSTS_FILES_MAX), err = h ? rehash(h, 64) : -ENOMEM;

	for (int i = 0; !err && i < n; i++)
		err = read_hosts_path(h, cfg, paths[i]);
	if (err) {
		hosts_free(h);
		return err;
	}
	*out = h;
	return 0;
}

void hosts_free(struct hosts *h)
{
	if (!h)
		return;
	for (int i = 0; i < h->n; i++) {
		free(h->list[i].name);
		free(h->list[i].a);
		free(h->list[i].aaaa);
	}
	for (int i = 0; i < h->n_files; i++)
		free(h->files[i]);
	free(h->files);
	free(h->list);
	free(h->revs);
	free(h->by_name);
	free(h->by_addr);
	free(h);
}

int hosts_count(const struct hosts *h)
{
	int n = 0;

	for (int i = 0; h && i < h->n; i++)
		n += h->list[i].n_a + h->list[i].n_aaaa > 0;
	return n;
}

int hosts_has(const struct hosts *h, const uint8_t *name, size_t len)
{
	uint8_t lower[DNS_NAME_MAX + 1];

	if (!h || len > sizeof(lower))
		return 0;
	memcpy(lower, name, len);
	dns_name_lower(lower, len);
	return *name_slot(h, lower, len) != 0;
}

/* localhost, or a name below it (RFC 6761 6.3). */
static int is_localhost(const uint8_t *name, size_t len)
{
	static const uint8_t lh[] = "\x09localhost"; /* and its root label */

	for (size_t at = 0; at < len && name[at]; at += 1u + name[at])
		if (len - at == sizeof(lh) && !memcmp(name + at, lh, sizeof(lh)))
			return 1;
	return 0;
}

static int lookup_ptr(const struct hosts *h, const uint8_t *name, size_t len, struct hosts_answer *out)
{
	uint8_t addr[16];
	int family, bits = dns_reverse_addr(name, len, &family, addr);
	uint32_t slot;

	if (bits != (family == AF_INET ? 32 : 128))
		return 0;
	slot = *addr_slot(h, family, addr);
	if (!slot)
		return 0;
	out->ptr = h->list[h->revs[slot - 1].host].name;
	out->ptr_len = h->list[h->revs[slot - 1].host].len;
	out->source = h->files[h->revs[slot - 1].file];
	return 1;
}

int hosts_lookup(const struct hosts *h, const uint8_t *name, size_t len, uint16_t qtype, struct hosts_answer *out)
{
	static const uint8_t loop4[4] = { 127, 0, 0, 1 }, loop6[16] = { [15] = 1 };
	uint8_t lower[DNS_NAME_MAX + 1];
	uint32_t slot;

	memset(out, 0, sizeof(*out));
	if (!h || len > sizeof(lower))
		return 0;
	memcpy(lower, name, len);
	dns_name_lower(lower, len);
	if (qtype == DNS_TYPE_PTR)
		return lookup_ptr(h, lower, len, out);
	slot = *name_slot(h, lower, len);
	if (slot) {
		const struct host *e = &h->list[slot - 1];

		if (qtype == DNS_TYPE_A || qtype == DNS_TYPE_ANY)
			out->a = e->a, out->n_a = e->n_a;
		if (qtype == DNS_TYPE_AAAA || qtype == DNS_TYPE_ANY)
			out->aaaa = e->aaaa, out->n_aaaa = e->n_aaaa;
		if (out->n_a + out->n_aaaa) {
			out->source = h->files[e->file];
			return 1;
		}
	}
	if (!is_localhost(lower, len))
		return 0;
	if (slot) { /* a hosts file has it: its data only, never upstream */
		out->nodata = 1;
		return 1;
	}
	if (qtype == DNS_TYPE_A || qtype == DNS_TYPE_ANY)
		out->a = loop4, out->n_a = 1;
	if (qtype == DNS_TYPE_AAAA || qtype == DNS_TYPE_ANY)
		out->aaaa = loop6, out->n_aaaa = 1;
	out->nodata = !out->n_a && !out->n_aaaa;
	return 1;
}
