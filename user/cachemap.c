// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cachemap.c - the cache's two maps by fd; see cachemap.h. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "cachemap.h"
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
			return -errno;
		area = BPFDNS_AREA_MAX;
	}
	return unpack(&v, k, area, e, qn);
}

/* Whether the entry of key is doomed; deleted if so (1). */
static int delete_if(const struct cache_maps *m, const struct bpfdns_key *key,
		     int (*doomed)(const struct bpfdns_question *qn, const struct entry *e, const void *ctx),
		     const void *ctx)
{
	struct bpfdns_question qn;
	struct entry e;

	if (cachemap_read(m, key, &e, &qn) || !doomed(&qn, &e, ctx) || bpf_map_delete_elem(m->fd, key))
		return 0;
	bpf_map_delete_elem(m->big_fd, key); /* if it was big */
	return 1;
}

int cachemap_delete_where(const struct cache_maps *m,
			  int (*doomed)(const struct bpfdns_question *qn, const struct entry *e, const void *ctx),
			  const void *ctx)
{
	struct bpfdns_key key, next;
	void *prev = NULL;
	int removed = 0;

	/* delete behind the iterator so that get_next_key keeps its place */
	while (!bpf_map_get_next_key(m->fd, prev, &next)) {
		if (prev)
			removed += delete_if(m, &key, doomed, ctx);
		key = next;
		prev = &key;
	}
	if (prev)
		removed += delete_if(m, &key, doomed, ctx);
	return removed;
}

struct name_match {
	const uint8_t *name; /* NULL: every key */
	size_t len;
};

static int has_name(const struct bpfdns_question *qn, const struct entry *e, const void *ctx)
{
	const struct name_match *nm = ctx;

	(void)e;
	return !nm->name || (entry_key_name_len(qn) == nm->len && !memcmp(qn->name, nm->name, nm->len));
}

/* Delete every key of one map; how many. */
static int delete_all(int fd)
{
	struct bpfdns_key key, next;
	void *prev = NULL;
	int removed = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (prev)
			removed += !bpf_map_delete_elem(fd, &key);
		key = next;
		prev = &key;
	}
	if (prev)
		removed += !bpf_map_delete_elem(fd, &key);
	return removed;
}

int cachemap_flush(const struct cache_maps *m, const uint8_t *name, size_t name_len)
{
	struct name_match nm = { name, name_len };
	int removed;

	if (name)
		return cachemap_delete_where(m, has_name, &nm);
	/* everything: no entry needs reading */
	removed = delete_all(m->fd);
	delete_all(m->big_fd);
	return removed;
}

static int expired_before(const struct bpfdns_question *qn, const struct entry *e, const void *ctx)
{
	(void)qn;
	return e->expire_ns <= *(const uint64_t *)ctx;
}

/* A big entry whose stub the LRU evicted: nothing reaches it any more. */
static int orphan(const struct cache_maps *m, const struct bpfdns_key *k)
{
	struct bpfdns_entry_small stub;

	return bpf_map_lookup_elem(m->fd, k, &stub) ? errno == ENOENT : !(stub.flags & BPFDNS_ENTRY_BIG);
}

int cachemap_sweep(const struct cache_maps *m, uint64_t now_ns)
{
	int gone = cachemap_delete_where(m, expired_before, &now_ns);
	struct bpfdns_key key, next;
	void *prev = NULL;

	while (!bpf_map_get_next_key(m->big_fd, prev, &next)) {
		if (prev && orphan(m, &key))
			bpf_map_delete_elem(m->big_fd, &key);
		key = next;
		prev = &key;
	}
	if (prev && orphan(m, &key))
		bpf_map_delete_elem(m->big_fd, &key);
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
