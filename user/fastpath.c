// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fastpath.c - load the BPF fast path, pin and feed its maps (the hook on an
 * interface is attach.c's); see fastpath.h. */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <sys/random.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "dnswire.h"
#include "entry.h"
#include "fastpath.h"
#include "fastpath_priv.h"
#include "fastpath.skel.h"
#include "log.h"
#include "cachemap.h"
#include "pindir.h"

const char *fastpath_hook_name(enum fastpath_hook hook)
{
	switch (hook) {
	case FASTPATH_XDP:
		return "xdp";
	case FASTPATH_XDP_GENERIC:
		return "xdp-generic";
	case FASTPATH_TC:
		return "tc";
	case FASTPATH_AUTO:
		return "auto";
	default:
		return "none";
	}
}

/* The layout map and the name hash's key, for whoever adopts the pins. */
static int write_layout(struct fastpath *fp)
{
	struct bpfdns_layout l = {
		.version = BPFDNS_LAYOUT_VERSION,
		.entry_size = sizeof(struct bpfdns_entry),
		.small_size = sizeof(struct bpfdns_entry_small),
		.key_size = sizeof(struct bpfdns_key),
	};
	struct bpfdns_name_key k = { { fp->hash_key[0], fp->hash_key[1] } };
	__u32 zero = 0;
	int err = 0;

	if (bpf_map_update_elem(bpf_map__fd(fp->skel->maps.bpfdns_name_key), &zero, &k, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(fp->skel->maps.bpfdns_layout), &zero, &l, BPF_ANY))
		err = -errno;
	if (err)
		pr_err("cannot write the layout map: %s", strerror(-err));
	return err;
}

/* The pinned maps, and the names of their pins: as the map's without its
 * "bpfdns_" (the directory says whose), what versions before the maps had
 * it pinned and bpftool users know. */
static struct bpf_map *pinned_maps(struct bpfdns *skel, int i, const char **pin)
{
	const struct {
		struct bpf_map *map;
		const char *pin;
	} maps[] = {
		{ skel->maps.bpfdns_cache, "cache" },	  { skel->maps.bpfdns_big, "cache_big" },
		{ skel->maps.bpfdns_listen, "listen_addrs" }, { skel->maps.bpfdns_ports, "listen_ports" },
		{ skel->maps.bpfdns_access, "access" },	  { skel->maps.bpfdns_counters, "counters" },
		{ skel->maps.bpfdns_name_key, "name_key" }, { skel->maps.bpfdns_layout, "layout" },
	};

	if (i >= (int)(sizeof(maps) / sizeof(maps[0])))
		return NULL;
	*pin = maps[i].pin;
	return maps[i].map;
}

static int set_pin_paths(struct bpfdns *skel, const char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	const char *pin;

	for (int i = 0; (map = pinned_maps(skel, i, &pin)); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin);
		int err = bpf_map__set_pin_path(map, path);

		if (err)
			return err;
	}
	return 0;
}

static void unpin_all(struct bpfdns *skel, const char *dir)
{
	char path[PATH_MAX];
	const char *pin;

	for (int i = 0; pinned_maps(skel, i, &pin); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, pin);
		unlink(path);
	}
}

/* Whether dir holds a pin of that name. */
static int pinned(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK);
}

/* Maps pinned by another build may have the same sizes and mean something
 * else, and a cache without its layout and name hash key (a crash while
 * pinning) cannot be read: they go. */
static void drop_other_layout(struct bpfdns *skel, const char *dir)
{
	char path[PATH_MAX];
	__u32 version = 0;
	int fd, same = 0;

	snprintf(path, sizeof(path), "%s/layout", dir);
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		same = fastpath_layout_fd(fd, &version);
		close(fd);
	} else if (!pinned(dir, "cache")) {
		return; /* nothing pinned yet */
	}
	if (same && pinned(dir, "name_key"))
		return;
	if (same)
		pr_warn("the maps pinned in %s have no name hash key: replacing them (the cache starts empty)", dir);
	else if (!version)
		pr_warn("the maps pinned in %s have no layout this build can read: replacing them (the cache starts "
			"empty)",
			dir);
	else
		pr_warn("the maps pinned in %s have layout version %u, this build %u: replacing them (the cache "
			"starts empty)",
			dir, version, BPFDNS_LAYOUT_VERSION);
	unpin_all(skel, dir);
}

/* The cache map holds n entries, cache_big a share of that (most answers
 * fit the small form). */
static int size_cache(struct bpfdns *skel, __u32 n)
{
	__u32 big = n / BPFDNS_BIG_SHARE;

	return bpf_map__set_max_entries(skel->maps.bpfdns_cache, n) ?:
	       bpf_map__set_max_entries(skel->maps.bpfdns_big, big < BPFDNS_BIG_MIN ? BPFDNS_BIG_MIN : big);
}

/* The name hash's key: that of the maps pinned in dir (first attempt:
 * drop_other_layout left only this build's pins), else a new random one. */
static int choose_hash_key(struct fastpath *fp, const char *dir, int attempt)
{
	struct bpfdns_name_key k;
	char path[PATH_MAX];
	__u32 zero = 0;
	int fd, found = 0;

	if (dir && attempt == 0) {
		snprintf(path, sizeof(path), "%s/name_key", dir);
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			found = !bpf_map_lookup_elem(fd, &zero, &k);
			close(fd);
		}
	}
	if (found) {
		memcpy(fp->hash_key, k.k, sizeof(fp->hash_key));
		return 0;
	}
	if (getrandom(fp->hash_key, sizeof(fp->hash_key), 0) != sizeof(fp->hash_key)) {
		int err = -errno;

		pr_err("cannot make a random key for the cache's name hash: %s", strerror(-err));
		return err;
	}
	return 0;
}

/* Open, size and load the skeleton; with a pin path, maps pinned there are
 * reused (a warm cache across restarts) or, when they do not match this
 * build or cache-size, replaced once. */
static int load_skel(struct fastpath *fp, const struct fastpath_opts *opts)
{
	const char *pin = opts ? opts->pin_path : NULL;
	int err;

	for (int attempt = 0;; attempt++) {
		fp->skel = bpfdns__open();
		if (!fp->skel) {
			err = -errno;
			pr_err("cannot open the BPF object: %s", strerror(-err));
			return err;
		}
		fp->skel->rodata->edns_udp_max = opts && opts->edns_udp_max ? opts->edns_udp_max
									    : DNS_UDP_DEFAULT;
		fp->skel->rodata->prefetch_pct = opts ? opts->prefetch_pct : 0;
		fp->skel->rodata->log_hits = opts && opts->log_hits;
		err = size_cache(fp->skel, opts && opts->cache_entries ? opts->cache_entries : BPFDNS_CACHE_DEFAULT);
		/* without log-queries nothing goes to the hit log: its smallest size */
		if (!err && !fp->skel->rodata->log_hits)
			err = bpf_map__set_max_entries(fp->skel->maps.bpfdns_hit_log, (__u32)sysconf(_SC_PAGESIZE));
		if (!err && pin) {
			if (attempt == 0)
				drop_other_layout(fp->skel, pin);
			err = set_pin_paths(fp->skel, pin);
		}
		if (err) {
			pr_err("cannot size or pin the maps: %s", strerror(-err));
			goto err_destroy;
		}
		err = choose_hash_key(fp, pin, attempt); /* says why itself */
		if (err)
			goto err_destroy;
		memcpy((void *)fp->skel->rodata->name_hash_key, fp->hash_key, sizeof(fp->hash_key));
		err = bpfdns__load(fp->skel);
		if (!err)
			return 0;
		/* a permission error says nothing about the pins: keep them */
		if (pin && attempt == 0 && err != -EPERM && err != -EACCES) {
			pr_warn("the maps pinned in %s do not fit (another version or cache-size?): replacing them",
				pin);
			unpin_all(fp->skel, pin);
			bpfdns__destroy(fp->skel);
			continue;
		}
		pr_err("cannot load the BPF programs: %s (needs root, or CAP_BPF, CAP_PERFMON and CAP_NET_ADMIN)",
		       strerror(-err));
		goto err_destroy;
	}
err_destroy:
	bpfdns__destroy(fp->skel);
	fp->skel = NULL;
	return err;
}

/* The TC program behind XDP hands what XDP could not grow to the answering
 * TC program: its tail call's target. */
static int link_tc_behind(struct fastpath *fp)
{
	__u32 zero = 0;
	int prog = bpf_program__fd(fp->skel->progs.bpfdns_tc);

	if (bpf_map_update_elem(bpf_map__fd(fp->skel->maps.bpfdns_tc_prog), &zero, &prog, BPF_ANY)) {
		int err = -errno;

		pr_err("cannot link the TC programs (tail call map): %s", strerror(-err));
		return err;
	}
	return 0;
}

int fastpath_open(struct fastpath **out, const struct fastpath_opts *opts)
{
	struct fastpath *fp;
	int err;

	fp = calloc(1, sizeof(*fp));
	if (!fp)
		return -ENOMEM;
	fp->pin_dirfd = fp->lock_fd = -1;
	fp->ncpus = libbpf_num_possible_cpus();
	if (fp->ncpus < 1) {
		err = fp->ncpus ? fp->ncpus : -EINVAL;
		pr_err("cannot count CPUs: %s", strerror(-err));
		goto err_free;
	}
	if (opts && opts->pin_path && (err = pindir_prepare(opts->pin_path)))
		goto err_free;
	/* before any map is touched: a second daemon on these pins fails
	 * here, and the first one's maps stay as they are */
	if (opts && opts->pin_path && (fp->lock_fd = err = pindir_lock(opts->pin_path)) < 0)
		goto err_free;
	if (opts && opts->pin_path) {
		snprintf(fp->pin_path, sizeof(fp->pin_path), "%s", opts->pin_path);
		/* as another user (user=) the bpffs above may not be searchable */
		fp->pin_dirfd = open(fp->pin_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	fp->keep = opts && opts->keep_attached;
	err = load_skel(fp, opts);
	if (err)
		goto err_free;
	err = write_layout(fp);
	err = err ?: link_tc_behind(fp);
	if (!err) {
		struct acl loopback;

		if (!opts || !opts->acl)
			acl_defaults(&loopback);
		err = fastpath_acl_set(fp, opts && opts->acl ? opts->acl : &loopback);
	}
	if (err)
		goto err_destroy;
	*out = fp;
	return 0;

err_destroy:
	bpfdns__destroy(fp->skel);
err_free:
	if (fp->pin_dirfd >= 0)
		close(fp->pin_dirfd);
	if (fp->lock_fd >= 0)
		close(fp->lock_fd);
	free(fp);
	return err;
}

void fastpath_close(struct fastpath *fp)
{
	if (!fp)
		return;
	fastpath_detach_all(fp);
	ring_buffer__free(fp->prefetch_rb);
	ring_buffer__free(fp->hits_rb);
	bpfdns__destroy(fp->skel);
	if (fp->pin_dirfd >= 0)
		close(fp->pin_dirfd);
	if (fp->lock_fd >= 0)
		close(fp->lock_fd);
	free(fp);
}

int fastpath_store(struct fastpath *fp, const struct bpfdns_question *qn, const struct entry *e)
{
	struct cache_maps m = fastpath_cache_maps(fp);

	return cachemap_write(&m, fp->hash_key, qn, e);
}

int fastpath_count(struct fastpath *fp)
{
	struct cache_maps m = fastpath_cache_maps(fp);

	return cachemap_count(&m, (int)bpf_map__max_entries(fp->skel->maps.bpfdns_cache));
}

int fastpath_acl_set(struct fastpath *fp, const struct acl *acl)
{
	int fd = bpf_map__fd(fp->skel->maps.bpfdns_access), err = 0;
	struct bpfdns_acl_key key;
	__u32 action;

	/* a pinned map keeps an earlier run's rules */
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			goto fail;
	for (int i = 0; i < acl->n; i++) {
		acl_rule_key(&acl->rules[i], &key);
		action = acl->rules[i].action;
		if (bpf_map_update_elem(fd, &key, &action, BPF_ANY))
			goto fail;
	}
	return 0;
fail:
	err = -errno;
	pr_err("cannot fill the access list map: %s", strerror(-err));
	return err;
}

int fastpath_lookup(struct fastpath *fp, const struct bpfdns_question *qn, struct entry *e)
{
	struct cache_maps m = fastpath_cache_maps(fp);
	struct bpfdns_question found;
	struct bpfdns_key k;
	int err;

	cachemap_key(qn, fp->hash_key, &k);
	err = cachemap_read(&m, &k, e, &found);
	if (err)
		return err == -EINVAL || err == -ESTALE ? -ENOENT : err;
	/* another name with the same hash: not this question's */
	return memcmp(found.name, qn->name, sizeof(found.name)) ? -ENOENT : 0;
}

int fastpath_sweep(struct fastpath *fp, uint64_t now_ns, struct cachemap_sweeper *s, int max)
{
	struct cache_maps m = fastpath_cache_maps(fp);

	return cachemap_sweep(&m, now_ns, s, max);
}

int fastpath_counters(struct fastpath *fp, struct bpfdns_counters *out)
{
	return fastpath_counters_fd(bpf_map__fd(fp->skel->maps.bpfdns_counters), fp->ncpus, -1, out);
}

int fastpath_counters_reset(struct fastpath *fp)
{
	return fastpath_counters_reset_fd(bpf_map__fd(fp->skel->maps.bpfdns_counters), fp->ncpus);
}

int fastpath_counters_hook(struct fastpath *fp, int hook, struct bpfdns_counters *out)
{
	return fastpath_counters_fd(bpf_map__fd(fp->skel->maps.bpfdns_counters), fp->ncpus, hook, out);
}

static int on_prefetch(void *ctx, void *data, size_t size)
{
	struct fastpath *fp = ctx;
	struct bpfdns_question qn;
	size_t len;

	if (size != sizeof(qn))
		return 0;
	/* the fast path leaves packet bytes after the name: zero them */
	memcpy(&qn, data, sizeof(qn));
	len = entry_key_name_len(&qn);
	memset(qn.name + len, 0, sizeof(qn.name) - len);
	memset(qn.pad, 0, sizeof(qn.pad));
	fp->prefetch_fn(fp->prefetch_ctx, &qn);
	return 0;
}

static int on_hit(void *ctx, void *data, size_t size)
{
	struct fastpath *fp = ctx;

	if (size == sizeof(struct bpfdns_hit))
		fp->hit_fn(fp->hit_ctx, data);
	return 0;
}

/* A reader of ring map (what: for the error); its fd to poll, or -errno. */
static int ring_open(struct fastpath *fp, struct bpf_map *map, ring_buffer_sample_fn fn, struct ring_buffer **rb,
		     const char *what)
{
	int err;

	*rb = ring_buffer__new(bpf_map__fd(map), fn, fp, NULL);
	if (!*rb) {
		err = -errno;
		pr_err("cannot read the %s ring buffer: %s", what, strerror(-err));
		return err;
	}
	return ring_buffer__epoll_fd(*rb);
}

int fastpath_prefetch_open(struct fastpath *fp, fastpath_prefetch_fn fn, void *ctx)
{
	fp->prefetch_fn = fn;
	fp->prefetch_ctx = ctx;
	return ring_open(fp, fp->skel->maps.bpfdns_prefetch, on_prefetch, &fp->prefetch_rb, "prefetch");
}

void fastpath_prefetch_poll(struct fastpath *fp)
{
	if (fp->prefetch_rb)
		ring_buffer__consume(fp->prefetch_rb);
}

int fastpath_hits_open(struct fastpath *fp, fastpath_hit_fn fn, void *ctx)
{
	fp->hit_fn = fn;
	fp->hit_ctx = ctx;
	return ring_open(fp, fp->skel->maps.bpfdns_hit_log, on_hit, &fp->hits_rb, "query log");
}

void fastpath_hits_poll(struct fastpath *fp)
{
	if (fp->hits_rb)
		ring_buffer__consume(fp->hits_rb);
}

int fastpath_prog_fd(struct fastpath *fp, enum fastpath_hook hook)
{
	if (hook == FASTPATH_XDP)
		return bpf_program__fd(fp->skel->progs.bpfdns_xdp);
	if (hook == FASTPATH_TC)
		return bpf_program__fd(fp->skel->progs.bpfdns_tc);
	return -EINVAL;
}

struct cache_maps fastpath_cache_maps(struct fastpath *fp)
{
	return (struct cache_maps){ bpf_map__fd(fp->skel->maps.bpfdns_cache), bpf_map__fd(fp->skel->maps.bpfdns_big) };
}
