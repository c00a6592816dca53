/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * namehash.h - the cache key's name hash, one definition for the BPF fast
 * path and userspace: SipHash-1-3 (Aumasson and Bernstein) with a secret
 * 128-bit key, over the lowercased wire name as 8-byte words (native byte
 * order, the last one zero-padded), then a word holding the name's length.
 *
 * Keyed, so that no one who cannot read the key can make two names share
 * a cache slot (the entry's name is compared on every hit regardless: a
 * collision costs a miss, never a wrong answer). The key is made at random
 * when the maps are created, and kept with them (struct bpfdns_layout).
 */
#ifndef BPFDNS_NAMEHASH_H
#define BPFDNS_NAMEHASH_H

#include <linux/types.h>

#ifndef NAMEHASH_INLINE
#define NAMEHASH_INLINE static inline __attribute__((always_inline))
#endif

struct namehash {
	__u64 v0, v1, v2, v3;
};

NAMEHASH_INLINE __u64 namehash_rotl(__u64 x, int b)
{
	return (x << b) | (x >> (64 - b));
}

NAMEHASH_INLINE void namehash_round(struct namehash *h)
{
	h->v0 += h->v1;
	h->v1 = namehash_rotl(h->v1, 13);
	h->v1 ^= h->v0;
	h->v0 = namehash_rotl(h->v0, 32);
	h->v2 += h->v3;
	h->v3 = namehash_rotl(h->v3, 16);
	h->v3 ^= h->v2;
	h->v0 += h->v3;
	h->v3 = namehash_rotl(h->v3, 21);
	h->v3 ^= h->v0;
	h->v2 += h->v1;
	h->v1 = namehash_rotl(h->v1, 17);
	h->v1 ^= h->v2;
	h->v2 = namehash_rotl(h->v2, 32);
}

NAMEHASH_INLINE void namehash_init(struct namehash *h, __u64 k0, __u64 k1)
{
	h->v0 = k0 ^ 0x736f6d6570736575ULL;
	h->v1 = k1 ^ 0x646f72616e646f6dULL;
	h->v2 = k0 ^ 0x6c7967656e657261ULL;
	h->v3 = k1 ^ 0x7465646279746573ULL;
}

/* One 8-byte word of the name. */
NAMEHASH_INLINE void namehash_word(struct namehash *h, __u64 m)
{
	h->v3 ^= m;
	namehash_round(h);
	h->v0 ^= m;
}

/* The length word, and the result. */
NAMEHASH_INLINE __u64 namehash_end(struct namehash *h, __u32 name_len)
{
	namehash_word(h, (__u64)name_len << 56);
	h->v2 ^= 0xff;
	namehash_round(h);
	namehash_round(h);
	namehash_round(h);
	return h->v0 ^ h->v1 ^ h->v2 ^ h->v3;
}

#endif /* BPFDNS_NAMEHASH_H */
