/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * bpfdns.h - the contract between the BPF fast path and userspace.
 *
 * Everything here is shared by bpf/ and user/ and by tools such as bpftool
 * (the maps carry BTF, so `bpftool map dump` shows these field names).
 * Fixed-width types only, explicit padding, sizes asserted at the bottom.
 * Any change to a struct below must bump BPFDNS_LAYOUT_VERSION.
 *
 * How a cached answer is laid out
 * -------------------------------
 * A question (struct bpfdns_question) is the query name in wire format
 * (length-prefixed labels, ending with the root label), lowercased (ASCII
 * only) and zero-padded to BPFDNS_NAME_MAX, plus qtype, qclass and the DO/CD
 * bits of the query. The cache map is keyed by a short struct bpfdns_key:
 * a keyed hash of that name (namehash.h), its length, qtype, qclass and the
 * bits, since the map hashes and compares its whole key on every lookup. The
 * entry keeps the name, and a hit is only a hit when it is the same.
 *
 * Its value, struct bpfdns_entry_small (or, for a large answer, the
 * struct bpfdns_entry in cache_big it points to), holds what goes after the
 * question in the answer: the answer, authority and additional records of
 * the upstream reply (without its OPT record), in wire format, in
 * data[0..data_len), and after them the name. The fast path builds the
 * answer as
 *
 *     DNS header (12 bytes: client's ID, flags from the query and the entry)
 *     question   (copied from the query, so the client's letter case stays)
 *     data       (every TTL at ttl_off[i], ttl_more[i - 8], lowered by the entry's age)
 *     OPT        (11 bytes, only when the query had one)
 *
 * The question of the answer has the same length as the question of the
 * reply the entry was made from, so data[] starts at the same offset in both
 * (12 + question length) and compression pointers in data[] stay valid: they
 * are offsets from the start of the DNS message and may point into the
 * question or into earlier bytes of data[].
 */
#ifndef BPFDNS_H
#define BPFDNS_H

#include <linux/types.h>

/* Bumped on any change to the structs below; pinned with the maps. */
#define BPFDNS_LAYOUT_VERSION 7

/* A wire-format name is at most 255 bytes including the root label. */
#define BPFDNS_NAME_MAX 256
/* Records per entry whose TTL the fast path ages (answer+authority+additional). */
#define BPFDNS_TTL_MAX 64
/* Bytes of records per entry (struct bpfdns_entry is then 2 KiB and the name). */
#define BPFDNS_DATA_MAX 1888

/* Default number of cache entries (the LRU map's max_entries). */
#define BPFDNS_CACHE_DEFAULT 8192
/* cache_big holds 1 / BPFDNS_BIG_SHARE of as many entries, at least BPFDNS_BIG_MIN. */
#define BPFDNS_BIG_SHARE 8
#define BPFDNS_BIG_MIN 64
/* Maximum number of listen addresses the fast path answers on. */
#define BPFDNS_LISTEN_MAX 512
/* The ports of the listen addresses, as a bitmap: 64 ports per word. */
#define BPFDNS_PORT_WORDS (65536 / 64)

/* struct bpfdns_key.flags: query bits that select a different answer. */
#define BPFDNS_KEY_DO 0x01 /* EDNS DO: the client wants DNSSEC records */
#define BPFDNS_KEY_CD 0x02 /* header CD: checking disabled */

/* A question: name lowercased and zero-padded; qtype/qclass in host order.
 * What the daemon works with, and what a refresh request carries. */
struct bpfdns_question {
	__u8 name[BPFDNS_NAME_MAX];
	__u16 qtype;
	__u16 qclass;
	__u8 flags; /* BPFDNS_KEY_* */
	__u8 pad[3];
};

/* Cache key: a question, with its name as a keyed hash (namehash.h). */
struct bpfdns_key {
	__u64 name_hash;
	__u16 qtype;
	__u16 qclass;
	__u8 flags;    /* BPFDNS_KEY_* */
	__u8 name_len; /* of the wire name, root label included: 1..255 */
	__u8 pad[2];
};

/* struct bpfdns_entry.flags */
#define BPFDNS_ENTRY_AD 0x01 /* the upstream reply had AD set */
#define BPFDNS_ENTRY_AA 0x02 /* our own data (hosts files, address=): answered with AA, as dnsmasq does */
#define BPFDNS_ENTRY_LOCAL 0x04 /* answered locally, not upstream (daemon only: dropped when local data changes) */
#define BPFDNS_ENTRY_BIG 0x08 /* in the cache map: the answer is in cache_big, under the same key */

/*
 * An entry's first 32 bytes, the same in every form of it (the daemon's
 * struct entry too), so that they copy as one block.
 */
#define BPFDNS_ENTRY_HEAD                                                                                    \
	__u64 stored_ns; /* CLOCK_BOOTTIME when stored: TTLs age from here */                                \
	__u64 expire_ns; /* CLOCK_BOOTTIME from which it is no longer served */                              \
	__u8 rcode;	 /* RCODE of the reply (low 4 bits) */                                               \
	__u8 flags;	 /* BPFDNS_ENTRY_* */                                                                \
	__u16 ancount;	 /* records in data[]: answer section */                                             \
	__u16 nscount;	 /* authority section */                                                             \
	__u16 arcount;	 /* additional section, OPT not included */                                          \
	__u16 data_len;	 /* bytes of records in data[] */                                                    \
	__u16 ttl_count; /* TTLs in ttl_off[] (and ttl_more[]) */                                            \
	__u32 prefetch;	 /* zero when stored; the fast path counts it up when it asks for a refresh (only the \
			  * first asks) */
#define BPFDNS_ENTRY_HEAD_LEN 32

/* TTL offsets a small entry holds (ttl_off[]). */
#define BPFDNS_TTL_SMALL 8
/* Bytes of data[] in a small entry: records and name, see BPFDNS_NAME_AT. */
#define BPFDNS_DATA_SMALL 208
/* ... in a big one. */
#define BPFDNS_AREA_MAX (BPFDNS_DATA_MAX + BPFDNS_NAME_MAX)
/* Where the question's name (name_len bytes, zero-padded to 8) follows the
 * records in data[]: compared with the query's on every hit. */
#define BPFDNS_NAME_AT(data_len) (((data_len) + 7u) & ~7u)

/*
 * Cache values, in two sizes so that memory fits the answer: the cache map
 * holds struct bpfdns_entry_small; an answer that does not fit one (records
 * and name over BPFDNS_DATA_SMALL bytes, or more than BPFDNS_TTL_SMALL
 * records) goes to the cache_big map as a struct bpfdns_entry, and the
 * cache map holds a stub flagged BPFDNS_ENTRY_BIG. The small form is the
 * big one cut short: every field it has is at the same offset.
 */
struct bpfdns_entry {
	BPFDNS_ENTRY_HEAD
	__u16 ttl_off[BPFDNS_TTL_SMALL]; /* offset in data[] of each record's TTL, the first 8 */
	__u8 data[BPFDNS_AREA_MAX];	 /* the records (wire format), then the name */
	__u16 ttl_more[BPFDNS_TTL_MAX - BPFDNS_TTL_SMALL]; /* the other TTL offsets */
};

struct bpfdns_entry_small {
	BPFDNS_ENTRY_HEAD
	__u16 ttl_off[BPFDNS_TTL_SMALL];
	__u8 data[BPFDNS_DATA_SMALL];
};

/* Listen address families in struct bpfdns_listen_key */
#define BPFDNS_AF_INET 4
#define BPFDNS_AF_INET6 6

/*
 * An address and port the fast path answers on. IPv4 addresses take the
 * first 4 bytes of addr; an all-zero addr matches any address of that family.
 */
struct bpfdns_listen_key {
	__u8 addr[16];
	__u16 port;  /* host order */
	__u8 family; /* BPFDNS_AF_* */
	__u8 pad;
};

/* Access list: what happens to a query from a source address. */
#define BPFDNS_ACL_ALLOW 1  /* answered */
#define BPFDNS_ACL_REFUSE 2 /* left to the daemon, which answers REFUSED */
#define BPFDNS_ACL_DENY 3   /* dropped */
/* Rules in the access list map. */
#define BPFDNS_ACL_MAX 64

/*
 * Key of the access list (an LPM trie; the value is a __u32 BPFDNS_ACL_*).
 * The family is part of the matched data, so prefixlen is 8 + the prefix
 * length of addr; IPv4 takes the first 4 bytes of addr. A source that
 * matches no rule is refused.
 */
struct bpfdns_acl_key {
	__u32 prefixlen;
	__u8 family; /* BPFDNS_AF_* */
	__u8 addr[16];
	__u8 pad[3];
};

/*
 * Per-CPU counters of the fast path: one per outcome, an entry per hook
 * (BPFDNS_COUNTERS_XDP, _TC). Every packet a hook judges is counted exactly
 * once there; a query the XDP hook passed on with its verdict (struct
 * bpfdns_meta) is counted by XDP alone, unless TC answers it (no_room).
 */
struct bpfdns_counters {
	__u64 hit;	 /* answered from the cache */
	__u64 not_ours;	 /* not UDP to a listen address and port */
	__u64 not_plain; /* a query left to the daemon: opcode, counts, class,
			  * EDNS version or client subnet, name compression */
	__u64 miss;	 /* no entry for the key */
	__u64 expired;	 /* entry past its expiry */
	__u64 too_big;	 /* answer larger than the client accepts over UDP */
	__u64 no_room;	 /* the hook could not grow the packet to the answer */
	__u64 malformed; /* truncated or invalid headers, bad labels, trailing bytes */
	__u64 refused;	 /* source not allowed by the access list: to the daemon */
	__u64 denied;	 /* source denied by the access list: dropped */
	__u64 prefetch;	 /* hits that asked the daemon to refresh the entry */
	__u64 log_lost;	 /* hits not in the query log: its ring buffer was full */
	/* hits by the answer's RCODE: only NOERROR and NXDOMAIN are cached
	 * (two counters, not one and a difference, so that neither ever goes
	 * down when read while a hit counts) */
	__u64 hit_noerror;
	__u64 hit_nxdomain;
};

#define BPFDNS_COUNTERS_XDP 0
#define BPFDNS_COUNTERS_TC 1
#define BPFDNS_COUNTERS_HOOKS 2

/*
 * What the XDP hook tells the TC hook behind it (in the packet's metadata,
 * bpf_xdp_adjust_meta) about a query it passed to the stack: its verdict.
 * TC answers those XDP could not grow (no_room) and leaves the rest alone,
 * so a miss is never looked up twice.
 */
struct bpfdns_meta {
	__u32 magic;   /* BPFDNS_META_MAGIC */
	__u32 outcome; /* the XDP verdict (the fast path's OUT_*) */
};
#define BPFDNS_META_MAGIC 0xb9d5a7a1u

/* Default share of a TTL, at its end, in which a hit asks for a refresh. */
#define BPFDNS_PREFETCH_DEFAULT 10
/* Bytes of the ring buffer that carries refresh requests (questions). */
#define BPFDNS_PREFETCH_RING (64 * 1024)

/* Bytes of the ring buffer that carries hits to the query log (log-queries). */
#define BPFDNS_HIT_LOG_RING (256 * 1024)

/* A hit the fast path answered, for the daemon's query log (log-queries):
 * the question as the client wrote it, and who asked. */
struct bpfdns_hit {
	__u8 name[BPFDNS_NAME_MAX]; /* wire form, the client's case; name_len bytes used */
	__u8 addr[16];		    /* the client; IPv4 in the first 4 bytes */
	__u16 name_len;
	__u16 port;  /* the client's, host order */
	__u16 qtype; /* host order */
	__u8 family; /* BPFDNS_AF_* */
	__u8 flags;  /* BPFDNS_KEY_* of its cache key */
};

/* Whether a hit at now is in the last pct % of the life of an entry stored
 * at stored and expiring at expire (ns): the fast path and the daemon ask
 * for a refresh by this one rule. */
static inline __attribute__((always_inline)) int bpfdns_prefetch_due(__u64 stored, __u64 expire, __u64 now,
								     __u32 pct)
{
	return pct && expire > stored && now < expire && (expire - now) * 100 <= (expire - stored) * pct;
}

/* Identifies the layout of the pinned maps (single-entry array "layout"). */
struct bpfdns_layout {
	__u32 version;	   /* BPFDNS_LAYOUT_VERSION */
	__u32 entry_size;  /* sizeof(struct bpfdns_entry) */
	__u32 key_size;	   /* sizeof(struct bpfdns_key) */
	__u32 small_size;  /* sizeof(struct bpfdns_entry_small) */
};
/* Its size never changes: older builds read it to learn that pins are not theirs. */

/* The name hash's secret key (namehash.h), single-entry array "name_key":
 * the keys in the pinned cache were made with it. */
struct bpfdns_name_key {
	__u64 k[2];
};

_Static_assert(sizeof(struct bpfdns_question) == 264, "bpfdns_question layout");
_Static_assert(sizeof(struct bpfdns_key) == 16, "bpfdns_key layout");
_Static_assert(sizeof(struct bpfdns_entry) == 2304, "bpfdns_entry layout");
_Static_assert(sizeof(struct bpfdns_entry_small) == 256, "bpfdns_entry_small layout");
_Static_assert(__builtin_offsetof(struct bpfdns_entry, ttl_off) == BPFDNS_ENTRY_HEAD_LEN, "bpfdns_entry head");
_Static_assert(__builtin_offsetof(struct bpfdns_entry_small, data) == __builtin_offsetof(struct bpfdns_entry, data),
	       "the small entry is the big one cut short");
_Static_assert(sizeof(struct bpfdns_listen_key) == 20, "bpfdns_listen_key layout");
_Static_assert(sizeof(struct bpfdns_acl_key) == 24, "bpfdns_acl_key layout");
_Static_assert(sizeof(struct bpfdns_counters) == 112, "bpfdns_counters layout");
_Static_assert(sizeof(struct bpfdns_hit) == 280, "bpfdns_hit layout");
_Static_assert(sizeof(struct bpfdns_layout) == 16, "bpfdns_layout layout");
_Static_assert(sizeof(struct bpfdns_name_key) == 16, "bpfdns_name_key layout");
_Static_assert(sizeof(struct bpfdns_meta) == 8, "bpfdns_meta layout");

#endif /* BPFDNS_H */
