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
#include "cachefile.h"
#include "cachemap.h"
#include "clock.h"
#include "dns.h"
#include "entry.h"
#include "fastpath.h"
#include "log.h"

#define NS_PER_S 1000000000ULL
/* the largest reply an entry makes */
#define MSG_MAX (DNS_HDR_LEN + DNS_NAME_MAX + 4 + BPFDNS_DATA_MAX)

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
	uint8_t msg[MSG_MAX];
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
		return -EIO;
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
	struct saver s = { .f = f, .now_ns = fastpath_now_ns(), .crc = crc32(0, NULL, 0) };
	struct cachefile_head h;
	int err;

	memset(&h, 0, sizeof(h));
	if (fwrite(&h, sizeof(h), 1, f) != 1)
		return -EIO;
	err = cachemap_each(&m, save_one, &s);
	if (err < 0)
		return err;
	memcpy(h.magic, CACHEFILE_MAGIC, sizeof(h.magic));
	h.version = CACHEFILE_VERSION;
	h.written_ns = clock_wall_ns();
	h.count = s.count;
	h.crc = (__u32)crc32_combine(crc32(0, (const Bytef *)&h, sizeof(h)), s.crc, (z_off_t)s.len);
	if (fseek(f, 0, SEEK_SET) || fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) || fsync(fileno(f)))
		return -errno ?: -EIO;
	return (int)s.count;
}

int cachefile_save(const char *path, struct fastpath *fp)
{
	char tmp[PATH_MAX + 8];
	struct stat st;
	FILE *f = NULL;
	int fd, n;

	/* a device or a FIFO someone named: never replaced by a file */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		pr_err("cannot write cache-file %s: not a regular file, left as it is", path);
		return -EEXIST;
	}

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		pr_err("cache-file=%s: name too long", path);
		return -ENAMETOOLONG;
	}
	/* the cache tells which names were asked: for us alone */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		n = -errno;
		pr_err("cannot write cache-file %s: %s (its directory must be writable by the daemon's user)", tmp,
		       strerror(-n));
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

/* One record's entry into the cache, aged by passed_ns since the file was
 * written: 1 when stored, 0 when expired or its question has an entry
 * already (a pinned map's, newer), -EINVAL when it makes no entry (then
 * skipped: the checksum says the file is what was written). */
static int load_one(struct fastpath *fp, const struct cachefile_rec *r, const uint8_t *msg, uint64_t passed_ns,
		    uint64_t now_ns)
{
	uint64_t age_ns, age_s;
	struct bpfdns_question qn;
	struct reply_info ri;
	struct entry e, had;
	int err;

	if (r->left_ns <= passed_ns)
		return 0;
	/* what the daemon caches, and nothing else */
	if (entry_from_reply(msg, r->msg_len, &e, &ri) || r->age_ns > UINT64_MAX / 2 ||
	    (e.rcode != DNS_RCODE_NOERROR && e.rcode != DNS_RCODE_NXDOMAIN))
		return -EINVAL;
	age_ns = r->age_ns + passed_ns;
	age_s = age_ns / NS_PER_S;
	qn = ri.key;
	dns_name_lower(qn.name, entry_key_name_len(&qn));
	qn.flags = r->key_flags & (BPFDNS_KEY_DO | BPFDNS_KEY_CD);
	if (!fastpath_lookup(fp, &qn, &had))
		return 0;
	/* aged in the records themselves: CLOCK_BOOTTIME started again */
	for (unsigned i = 0; i < e.ttl_count; i++) {
		uint8_t *ttl = e.data + e.ttl_off[i];

		dns_put32(ttl, dns_get32(ttl) > age_s ? dns_get32(ttl) - (uint32_t)age_s : 0);
	}
	e.stored_ns = now_ns - (now_ns < age_ns % NS_PER_S ? now_ns : age_ns % NS_PER_S);
	e.expire_ns = now_ns + (r->left_ns - passed_ns);
	err = fastpath_store(fp, &qn, &e);
	return err < 0 ? err : 1;
}

/* The records of a checked file; how many were stored, or -errno. */
static int load_records(FILE *f, const struct cachefile_head *h, struct fastpath *fp, uint64_t passed_ns)
{
	static uint8_t msg[MSG_MAX];
	uint64_t now_ns = fastpath_now_ns();
	struct cachefile_rec r;
	int loaded = 0, err;

	for (uint32_t i = 0; i < h->count; i++) {
		if (fread(&r, sizeof(r), 1, f) != 1 || r.msg_len > sizeof(msg) || fread(msg, r.msg_len, 1, f) != 1)
			return -EBADMSG;
		err = load_one(fp, &r, msg, passed_ns, now_ns);
		if (err < 0 && err != -EINVAL)
			return err;
		loaded += err > 0;
	}
	return fgetc(f) == EOF ? loaded : -EBADMSG;
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
	default:
		return strerror(-err);
	}
}

int cachefile_load(const char *path, struct fastpath *fp)
{
	uint64_t wall_ns = clock_wall_ns();
	struct cachefile_head h;
	struct stat st = { 0 };
	/* O_NONBLOCK: a FIFO there must not hold the start-up */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), n;
	FILE *f;

	if (fd < 0 && errno == ENOENT) {
		pr_info("cache-file %s: none yet, starting cold", path);
		return 0;
	}
	/* not a device that never ends, a FIFO, a directory */
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "rb"))) {
		n = fd < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -EPROTO;
		if (fd >= 0)
			close(fd);
		goto fail;
	}
	n = fread(&h, sizeof(h), 1, f) == 1 ? check_file(f, &h, wall_ns) : -EPROTO;
	n = n ?: load_records(f, &h, fp, wall_ns - h.written_ns);
	fclose(f);
	if (n < 0)
		goto fail;
	pr_info("cache-file %s: loaded %d of %u entries (%llu s old)", path, n, h.count,
		(unsigned long long)((wall_ns - h.written_ns) / NS_PER_S));
	return n;
fail:
	pr_warn("cache-file %s ignored: %s", path, why_not(n));
	return n;
}
