/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cachefile.h - the cache kept across reboots (cache-file=PATH): written
 * on a clean stop, loaded at start before anything is answered.
 *
 * The file holds each entry as the reply it was made from (entry.h:
 * entry_to_reply), so that loading makes it with entry_from_reply as a
 * fresh reply is made, and the maps' layout may change between versions.
 * Times are kept relative to the wall clock when it was written: TTLs age
 * by the time that passed, however long the machine was off.
 *
 *   struct cachefile_head, then count records: struct cachefile_rec and
 *   msg_len bytes of DNS message. Host byte order.
 */
#ifndef BPFDNS_CACHEFILE_H
#define BPFDNS_CACHEFILE_H

#include <stdint.h>
#include <linux/types.h>

struct config;
struct fastpath;

#define CACHEFILE_MAGIC "bpfdns cache" /* 12 bytes, no NUL */
#define CACHEFILE_VERSION 1

struct cachefile_head {
	char magic[12];
	__u32 version;	  /* CACHEFILE_VERSION */
	__u64 written_ns; /* CLOCK_REALTIME when written */
	__u32 count;	  /* records */
	__u32 crc;	  /* zlib's crc32 of the whole file, this field 0 */
};

struct cachefile_rec {
	__u64 age_ns;  /* since the entry was stored, when written */
	__u64 left_ns; /* until it expires, when written */
	__u16 msg_len; /* bytes of reply that follow */
	__u8 key_flags; /* BPFDNS_KEY_* of its question */
	__u8 pad[5];
};

_Static_assert(sizeof(struct cachefile_head) == 32, "cache file header is 32 bytes");
_Static_assert(sizeof(struct cachefile_rec) == 24, "cache file record head is 24 bytes");

/* Write fp's cache but local data (which comes from the configuration
 * again) to path, atomically: a new path.tmp (0600), then renamed; never
 * over anything but a file of ours. How many entries, or -errno (logged). */
int cachefile_save(const char *path, struct fastpath *fp);
/* Load path's entries still valid by the wall clock into fp's cache, TTLs
 * aged by the time that passed and held to cfg's limits, unless pins that
 * outlived the daemon hold a newer cache; then remove the file (it holds
 * the cache from a clean stop to the next start: a flush, or a crash after
 * one, never brings an entry back). How many; 0 without a file; -errno for
 * a file that is not one of ours, corrupt or from the future, which is
 * ignored and left (logged as a warning). */
int cachefile_load(const char *path, struct fastpath *fp, const struct config *cfg);

#endif /* BPFDNS_CACHEFILE_H */
