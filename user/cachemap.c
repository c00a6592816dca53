// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cachemap.c - the cache's two maps by fd; see cachemap.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cachemap.h"
#include "flushspec.h"
#include "namehash.h"

void cachemap_key(const struct bpfdns_question *qn, const __u64 hash_key[2], struct bpfdns_key *k)
{
	size_t len = entry_key_name_len(qn);
	struct namehash h;

	memset(k, 0, sizeof(*k));
	namehash_init(&h, hash_key[0], hash_key[1]);
	for (size_t i = 0; i < len; i += 8) {
		__u64 w;

		memcpy(&w, qn->name + i, sizeof(w)); /* zero-padded past len */
		namehash_word(&h, w);
	}
	k->name_hash = namehash_end(&h, (__u32)len);
	k->name_len = (__u8)len;
	k->qtype = qn->qtype;
	k->qclass = qn->qclass;
	k->flags = qn->flags;
}

/* Lay e out as a map value, the name after the records; 1 when it fits
 * the small form (the first sizeof(struct bpfdns_entry_small) bytes of v). */
static int pack(const struct entry *e, const uint8_t *name, size_t name_len, struct bpfdns_entry *v)
{
	size_t name_at = BPFDNS_NAME_AT(e->data_len);

	memset(v, 0, sizeof(*v));
	memcpy(v, e, BPFDNS_ENTRY_HEAD_LEN);
	for (unsigned i = 0; i < e->ttl_count; i++) {
		if (i < BPFDNS_TTL_SMALL)
			v->ttl_off[i] = e->ttl_off[i];
		else
			v->ttl_more[i - BPFDNS_TTL_SMALL] = e->ttl_off[i];
	}
	memcpy(v->data, e->data, e->data_len);
	memcpy(v->data + name_at, name, name_len);
	return e->ttl_count <= BPFDNS_TTL_SMALL && name_at + name_len <= BPFDNS_DATA_SMALL;
}

int cachemap_write(const struct cache_maps *m, const __u64 hash_key[2], const struct bpfdns_question *qn,
		   const struct entry *e)
{
	struct bpfdns_entry v;
	struct bpfdns_key k;
	int small;

	if (e->data_len > BPFDNS_DATA_MAX || e->ttl_count > BPFDNS_TTL_MAX)
		return -E2BIG;
	cachemap_key(qn, hash_key, &k);
	small = pack(e, qn->name, k.name_len, &v);
	if (!small) {
		/* the big entry first: a stub is never seen without it */
		if (bpf_map_update_elem(m->big_fd, &k, &v, BPF_ANY))
			return -errno;
		memset(v.ttl_off, 0, sizeof(v.ttl_off));
		memset(v.data, 0, BPFDNS_DATA_SMALL);
		v.flags |= BPFDNS_ENTRY_BIG;
		v.data_len = v.ttl_count = 0;
	}
	/* NOEXIST first, so that the caller can count insertions (and from
	 * them evictions, which the LRU map makes silently) */
	if (!bpf_map_update_elem(m->fd, &k, &v, BPF_NOEXIST))
		return 1;
	if (errno != EEXIST || bpf_map_update_elem(m->fd, &k, &v, BPF_ANY))
		return -errno;
	if (small) /* it may have been big before */
		bpf_map_delete_elem(m->big_fd, &k);
	return 0;
}

/* The daemon's form of a map value read for key k; -EINVAL when it holds
 * more than its form can (not written by us). */
static int unpack(const struct bpfdns_entry *v, const struct bpfdns_key *k, size_t area, struct entry *e,
		  struct bpfdns_question *qn)
{
	size_t name_at = BPFDNS_NAME_AT(v->data_len);

	if (v->data_len > BPFDNS_DATA_MAX || v->ttl_count > BPFDNS_TTL_MAX || name_at + k->name_len > area ||
	    k->name_len < 1)
		return -EINVAL;
	if (e) {
		memset(e, 0, sizeof(*e));
		memcpy(e, v, BPFDNS_ENTRY_HEAD_LEN);
		e->flags &= ~BPFDNS_ENTRY_BIG;
		for (unsigned i = 0; i < v->ttl_count; i++)
			e->ttl_off[i] = i < BPFDNS_TTL_SMALL ? v->ttl_off[i] : v->ttl_more[i - BPFDNS_TTL_SMALL];
		memcpy(e->data, v->data, v->data_len);
	}
	if (qn) {
		memset(qn, 0, sizeof(*qn));
		memcpy(qn->name, v->data + name_at, k->name_len);
		qn->qtype = k->qtype;
		qn->qclass = k->qclass;
		qn->flags = k->flags;
	}
	return 0;
}

int cachemap_read(const struct cache_maps *m, const struct bpfdns_key *k, struct entry *e,
		  struct bpfdns_question *qn)
{
	struct bpfdns_entry v;
	size_t area = BPFDNS_DATA_SMALL;

	memset(&v, 0, sizeof(v));
	if (bpf_map_lookup_elem(m->fd, k, &v))
		return -errno;
	if (v.flags & BPFDNS_ENTRY_BIG) {
		if (bpf_map_lookup_elem(m->big_fd, k, &v))
			return errno == ENOENT ? -ESTALE : -errno;
		area = BPFDNS_AREA_MAX;
	}
	return unpack(&v, k, area, e, qn);
}

int cachemap_each(const struct cache_maps *m,
		  int (*fn)(const struct bpfdns_question *qn, const struct entry *e, void *ctx), void *ctx)
{
	struct bpfdns_key key, next;
	struct bpfdns_question qn;
	struct entry e;
	int n = 0, err;

	for (void *prev = NULL; !bpf_map_get_next_key(m->fd, prev, &next); prev = &key) {
		key = next;
		if (cachemap_read(m, &key, &e, &qn))
			continue;
		if ((err = fn(&qn, &e, ctx)) < 0)
			return err;
		n++;
	}
	return n;
}

/* What a walk does with a key. */
enum verdict { KEEP, DELETE, DELETE_UNCOUNTED };

/* Walk map fd from where c says (NULL: all of it, in one go) and delete
 * the keys judge() says to, judging at most max; how many it counted.
 * Deleting behind the iterator keeps get_next_key's place; c keeps the
 * next key to judge, which is still there (if it goes meanwhile, the next
 * call starts the map over). */
static int delete_keys(int fd, enum verdict (*judge)(const struct bpfdns_key *key, const void *ctx), const void *ctx,
		       struct cachemap_cursor *c, int max)
{
	struct cachemap_cursor all = { 0 };
	struct bpfdns_key next;
	int removed = 0;

	if (!c) {
		c = &all;
		max = INT_MAX;
	}
	if (!c->at)
		c->at = !bpf_map_get_next_key(fd, NULL, &c->key);
	for (int judged = 0; c->at && judged < max; judged++) {
		int more = !bpf_map_get_next_key(fd, &c->key, &next);
		enum verdict v = judge(&c->key, ctx);

		if (v != KEEP && !bpf_map_delete_elem(fd, &c->key))
			removed += v == DELETE;
		c->at = more;
		c->key = next;
	}
	return removed;
}

struct doom {
	const struct cache_maps *m;
	int (*doomed)(const struct bpfdns_question *qn, const struct entry *e, const void *ctx);
	const void *ctx;
};

static enum verdict judge_entry(const struct bpfdns_key *key, const void *ctx)
{
	const struct doom *d = ctx;
	struct bpfdns_question qn;
	struct entry e;
	int err = cachemap_read(d->m, key, &e, &qn);

	/* a stub whose answer was evicted answers nothing: an eviction */
	if (err == -ESTALE)
		return DELETE_UNCOUNTED;
	if (err || !d->doomed(&qn, &e, d->ctx))
		return KEEP;
	bpf_map_delete_elem(d->m->big_fd, key); /* if it was big */
	return DELETE;
}

int cachemap_delete_where(const struct cache_maps *m,
			  int (*doomed)(const struct bpfdns_question *qn, const struct entry *e, const void *ctx),
			  const void *ctx)
{
	struct doom d = { m, doomed, ctx };

	return delete_keys(m->fd, judge_entry, &d, NULL, 0);
}

static int flushed(const struct bpfdns_question *qn, const struct entry *e, const void *ctx)
{
	return flush_spec_matches(ctx, qn, e);
}

static enum verdict judge_any(const struct bpfdns_key *key, const void *ctx)
{
	(void)key;
	(void)ctx;
	return DELETE;
}

int cachemap_flush(const struct cache_maps *m, const struct flush_spec *f)
{
	int removed;

	if (!flush_spec_all(f))
		return cachemap_delete_where(m, flushed, f);
	/* everything: no entry needs reading */
	removed = delete_keys(m->fd, judge_any, NULL, NULL, 0);
	delete_keys(m->big_fd, judge_any, NULL, NULL, 0);
	return removed;
}

static int expired_before(const struct bpfdns_question *qn, const struct entry *e, const void *ctx)
{
	(void)qn;
	return e->expire_ns <= *(const uint64_t *)ctx;
}

/* A big entry whose stub the LRU evicted (or replaced): nothing reaches it. */
static enum verdict judge_orphan(const struct bpfdns_key *k, const void *ctx)
{
	const struct cache_maps *m = ctx;
	struct bpfdns_entry_small stub;

	if (bpf_map_lookup_elem(m->fd, k, &stub))
		return errno == ENOENT ? DELETE : KEEP;
	return stub.flags & BPFDNS_ENTRY_BIG ? KEEP : DELETE;
}

int cachemap_sweep(const struct cache_maps *m, uint64_t now_ns, struct cachemap_sweeper *s, int max)
{
	struct doom d = { m, expired_before, &now_ns };
	int gone = 0;

	if (!s->big) {
		gone = delete_keys(m->fd, judge_entry, &d, &s->small, max);
		s->big = !s->small.at;
	} else {
		delete_keys(m->big_fd, judge_orphan, m, &s->big_at, max);
		s->big = s->big_at.at;
	}
	return gone;
}

int cachemap_count(const struct cache_maps *m, int max)
{
	struct bpfdns_key key, next;
	int n = 0;

	/* a key evicted under the walk restarts it from the first key: stop
	 * at what the map can hold, so that churn cannot keep us here */
	for (void *prev = NULL; n < max && !bpf_map_get_next_key(m->fd, prev, &next); prev = &key) {
		key = next;
		n++;
	}
	return n;
}
