// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cachefile.c - the cache kept across reboots; see cachefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "cache.h"
#include "cachefile.h"
#include "cachemap.h"
#include "clock.h"
#include "dns.h"
#include "entry.h"
#include "fastpath.h"
#include "log.h"

/* the largest reply an entry makes */
#define ENTRY_MSG_MAX (DNS_HDR_LEN + DNS_NAME_MAX + 4 + BPFDNS_DATA_MAX)

struct saver {
	FILE *f;
	uint64_t now_ns;
	uLong crc; /* of the records so far */
	size_t len;
	uint32_t count;
};

static int save_one(const struct bpfdns_question *qn, const struct entry *e, void *ctx)
{
	struct saver *s = ctx;
	struct cachefile_rec r;
	uint8_t msg[ENTRY_MSG_MAX];
	size_t n;

	/* local data comes from the configuration; an expired entry is no answer */
	if ((e->flags & (BPFDNS_ENTRY_LOCAL | BPFDNS_ENTRY_AA)) || e->expire_ns <= s->now_ns)
		return 0;
	n = entry_to_reply(qn, e, msg, sizeof(msg));
	if (!n)
		return 0;
	memset(&r, 0, sizeof(r));
	r.age_ns = s->now_ns > e->stored_ns ? s->now_ns - e->stored_ns : 0;
	r.left_ns = e->expire_ns - s->now_ns;
	r.msg_len = (__u16)n;
	r.key_flags = qn->flags;
	if (fwrite(&r, sizeof(r), 1, s->f) != 1 || fwrite(msg, n, 1, s->f) != 1)
		return errno ? -errno : -EIO; /* ENOSPC, say */
	s->crc = crc32(s->crc, (const Bytef *)&r, sizeof(r));
	s->crc = crc32(s->crc, msg, (uInt)n);
	s->len += sizeof(r) + n;
	s->count++;
	return 0;
}

/* The records, then the header over its placeholder; flushed to disk. */
static int write_all(FILE *f, struct fastpath *fp)
{
	struct cache_maps m = fastpath_cache_maps(fp);
	/* both clocks at once: the entries' ages against the wall clock's */
	struct saver s = { .f = f, .now_ns = fastpath_now_ns(), .crc = crc32(0, NULL, 0) };
	struct cachefile_head h = { .written_ns = clock_wall_ns() };
	int err;

	errno = 0;
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		return errno ? -errno : -EIO;
	err = cachemap_each(&m, save_one, &s);
	if (err < 0)
		return err;
	memcpy(h.magic, CACHEFILE_MAGIC, sizeof(h.magic));
	h.version = CACHEFILE_VERSION;
	h.count = s.count;
	h.crc = (__u32)crc32_combine(crc32(0, (const Bytef *)&h, sizeof(h)), s.crc, (z_off_t)s.len);
	if (fseek(f, 0, SEEK_SET) || fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) || fsync(fileno(f)))
		return errno ? -errno : -EIO;
	return (int)s.count;
}

/* Is the regular file at path (size bytes) empty or one of ours? */
static int ours(const char *path, off_t size)
{
	char magic[sizeof(((struct cachefile_head *)0)->magic)];
	FILE *f = size ? fopen(path, "rbe") : NULL;
	int same = !size;

	if (f) {
		same = fread(magic, sizeof(magic), 1, f) == 1 && !memcmp(magic, CACHEFILE_MAGIC, sizeof(magic));
		fclose(f);
	}
	return same;
}

int cachefile_save(const char *path, struct fastpath *fp)
{
	char tmp[PATH_MAX + 8];
	struct stat st;
	FILE *f = NULL;
	int fd, n;

	/* a device, a FIFO, a file of something else someone named: never
	 * replaced by ours */
	if (!stat(path, &st) && (!S_ISREG(st.st_mode) || !ours(path, st.st_size))) {
		pr_err("cannot write cache-file %s: %s, left as it is", path,
		       S_ISREG(st.st_mode) ? "not a bpfdns cache file" : "not a regular file");
		return -EEXIST;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		pr_err("cache-file=%s: name too long", path);
		return -ENAMETOOLONG;
	}
	/* a new file of ours alone (the cache tells which names were asked):
	 * never one left there, nor what a link there points to */
	unlink(tmp);
	errno = 0;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		n = -errno;
		pr_err("cannot write cache-file %s: %s%s", tmp, strerror(-n),
		       n == -EACCES ? " (its directory must be writable by the daemon's user)" : "");
		goto fail;
	}
	n = write_all(f, fp);
	if (fclose(f) && n >= 0)
		n = -errno;
	fd = -1;
	if (n >= 0 && rename(tmp, path))
		n = -errno;
	if (n < 0) {
		pr_err("cannot write cache-file %s: %s", path, strerror(-n));
		goto fail;
	}
	pr_info("cache-file %s: wrote %d entries", path, n);
	return n;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return n;
}

/* The crc32 of the rest of f after the header h (its crc field taken as 0). */
static uLong file_crc(FILE *f, struct cachefile_head h)
{
	static uint8_t buf[65536];
	uLong crc;
	size_t n;

	h.crc = 0;
	crc = crc32(0, (const Bytef *)&h, sizeof(h));
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		crc = crc32(crc, buf, (uInt)n);
	return crc;
}

/* Is f, after its header h, whole and ours? 0 or -errno. */
static int check_file(FILE *f, const struct cachefile_head *h, uint64_t wall_ns)
{
	if (memcmp(h->magic, CACHEFILE_MAGIC, sizeof(h->magic)) || h->version != CACHEFILE_VERSION)
		return -EPROTO;
	if (file_crc(f, *h) != h->crc)
		return -EBADMSG;
	/* the clock is not set yet (no RTC, no NTP): the time passed is unknown */
	if (h->written_ns > wall_ns)
		return -ETIME;
	return fseek(f, sizeof(*h), SEEK_SET) ? -errno : 0;
}

/* How to load: the clocks read together, the limits of now. */
struct loader {
	struct fastpath *fp;
	const struct config *cfg;
	uint64_t passed_ns; /* since the file was written (wall clock) */
	uint64_t now_ns;    /* CLOCK_BOOTTIME */
};

/* One record's entry into the cache, aged by the time passed since the
 * file was written and held to today's limits as a fresh reply is
 * (max-cache-ttl, no-negcache...): 1 when stored, 0 when expired or its
 * question has an entry already, -EINVAL when it makes none (skipped: the
 * checksum says the file is what was written). */
static int load_one(const struct loader *l, const struct cachefile_rec *r, const uint8_t *msg)
{
	uint64_t age_ns, age_s, left_ns, most_ns = (uint64_t)l->cfg->max_cache_ttl * NS_PER_S;
	struct bpfdns_question qn;
	struct reply_info ri;
	struct entry e, had;
	int err;

	if (r->left_ns <= l->passed_ns)
		return 0;
	/* what the daemon caches, and nothing else */
	if (entry_from_reply(msg, r->msg_len, &e, &ri) || r->age_ns > UINT64_MAX / 2 || !cache_ttl(l->cfg, &ri))
		return -EINVAL;
	age_ns = r->age_ns + l->passed_ns;
	age_s = age_ns / NS_PER_S;
	left_ns = r->left_ns - l->passed_ns;
	qn = ri.key;
	dns_name_lower(qn.name, entry_key_name_len(&qn));
	qn.flags = r->key_flags & (BPFDNS_KEY_DO | BPFDNS_KEY_CD);
	if (!fastpath_lookup(l->fp, &qn, &had))
		return 0;
	/* aged in the records themselves: CLOCK_BOOTTIME started again */
	for (unsigned i = 0; i < e.ttl_count; i++) {
		uint8_t *p = e.data + e.ttl_off[i];
		uint32_t ttl = dns_get32(p) > age_s ? dns_get32(p) - (uint32_t)age_s : 0;

		dns_put32(p, ttl < l->cfg->max_cache_ttl ? ttl : l->cfg->max_cache_ttl);
	}
	e.stored_ns = l->now_ns - (l->now_ns < age_ns % NS_PER_S ? l->now_ns : age_ns % NS_PER_S);
	e.expire_ns = l->now_ns + (left_ns < most_ns ? left_ns : most_ns);
	err = fastpath_store(l->fp, &qn, &e);
	return err < 0 ? err : 1;
}

/* The records of a checked file into the cache: how many were stored; *err
 * -errno when it stopped early (those before it stay). */
static int load_records(FILE *f, const struct cachefile_head *h, const struct loader *l, int *err)
{
	static uint8_t msg[ENTRY_MSG_MAX];
	struct cachefile_rec r;
	int loaded = 0, n;

	*err = 0;
	for (uint32_t i = 0; i < h->count; i++) {
		if (fread(&r, sizeof(r), 1, f) != 1 || !r.msg_len || r.msg_len > sizeof(msg) ||
		    fread(msg, r.msg_len, 1, f) != 1) {
			*err = -EBADMSG;
			return loaded;
		}
		n = load_one(l, &r, msg);
		if (n < 0 && n != -EINVAL) {
			*err = n;
			return loaded;
		}
		loaded += n > 0;
	}
	if (fgetc(f) != EOF)
		*err = -EBADMSG;
	return loaded;
}

static const char *why_not(int err)
{
	switch (err) {
	case -EPROTO:
		return "not a bpfdns cache file of this version";
	case -EBADMSG:
		return "corrupt (checksum or length)";
	case -ETIME:
		return "written later than the clock says it is now (clock not set?)";
	case -EFBIG:
		return "not a regular file";
	default:
		return strerror(-err);
	}
}

/* The file at path, opened: a regular file, its header read and checked. */
static FILE *open_file(const char *path, struct cachefile_head *h, uint64_t wall_ns, int *err)
{
	/* O_NONBLOCK: a FIFO there must not hold the start-up */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;

	if (fd < 0 || fstat(fd, &st))
		*err = -errno;
	else if (!S_ISREG(st.st_mode))
		*err = S_ISDIR(st.st_mode) ? -EISDIR : -EFBIG;
	else if (!(f = fdopen(fd, "rb")))
		*err = -errno;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	*err = fread(h, sizeof(*h), 1, f) == 1 ? check_file(f, h, wall_ns) : -EPROTO;
	if (*err) {
		fclose(f);
		return NULL;
	}
	return f;
}

int cachefile_load(const char *path, struct fastpath *fp, const struct config *cfg)
{
	struct cache_maps m = fastpath_cache_maps(fp);
	/* both clocks at once: the ages against the wall clock's */
	struct loader l = { .fp = fp, .cfg = cfg, .now_ns = fastpath_now_ns() };
	uint64_t wall_ns = clock_wall_ns();
	struct cachefile_head h;
	int n = 0, err = 0, newer;
	FILE *f;

	if (access(path, F_OK) && errno == ENOENT) {
		pr_info("cache-file %s: none yet, starting cold", path);
		return 0;
	}
	f = open_file(path, &h, wall_ns, &err);
	/* pins that outlived the daemon (a restart, not a reboot) hold a newer cache */
	newer = f && cachemap_count(&m, 1) > 0;
	if (f && !newer) {
		l.passed_ns = wall_ns - h.written_ns;
		n = load_records(f, &h, &l, &err);
	}
	/* ours, read: it held the cache from a clean stop to this start, and
	 * a flush, or a crash after one, must never bring an entry back */
	if (f && unlink(path))
		pr_warn("cache-file %s: cannot remove it once read: %s", path, strerror(errno));
	if (f)
		fclose(f);
	if (newer)
		pr_info("cache-file %s: not loaded, the pinned cache is newer (a restart, not a reboot)", path);
	else if (err && n)
		pr_warn("cache-file %s: %s; the %d entries before that were loaded", path, why_not(err), n);
	else if (err)
		pr_warn("cache-file %s ignored: %s", path, why_not(err));
	else
		pr_info("cache-file %s: loaded %d of %u entries (%llu s old)", path, n, h.count,
			(unsigned long long)(l.passed_ns / NS_PER_S));
	return err ? err : n;
}
