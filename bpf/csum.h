/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * csum.h - Internet checksum pieces (BPF side).
 *
 * Sums are kept in native byte order in a 64-bit accumulator, like the
 * kernel's __wsum, and folded at the end (RFC 1071 byte-order independence).
 * A block that lands at an odd offset from the start of the checksummed
 * range contributes its even-offset sum byte-swapped, so each block is summed
 * as if it started at an even offset and placed with csum_place().
 */
#ifndef BPFDNS_CSUM_H
#define BPFDNS_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include "bpfdns.h"

static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* The native-order 16-bit word made of two bytes in memory order. */
static __always_inline __u32 csum_word(__u8 first, __u8 second)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return first | ((__u32)second << 8);
#else
	return ((__u32)first << 8) | second;
#endif
}

/*
 * Sum of a block that starts at an odd (odd == 1) or even (odd == 0) offset,
 * given its sum as if it started at an even one: the same sum byte-swapped.
 * Branch-free, for loops the verifier walks once per iteration.
 */
static __always_inline __u32 csum_place(__u64 block_sum, __u32 odd)
{
	__u32 s = csum_fold(block_sum), rot = (odd & 1) * 8;

	return ((s << rot) | (s >> rot)) & 0xffff;
}

/* Sum of host-order value v stored big-endian at an even offset. */
static __always_inline __u32 csum_be32(__u32 v)
{
	return csum_word(v >> 24, v >> 16) + csum_word(v >> 8, v);
}

/* Sum of host-order value v stored big-endian at an even or odd offset. */
static __always_inline __u32 csum_be32_at(__u32 v, __u32 odd)
{
	return csum_place(csum_be32(v), odd);
}

/* One's complement difference: what to add to a sum when 4 bytes at the
 * given parity change from old to new (host-order values). */
static __always_inline __u32 csum_be32_replace(__u32 old, __u32 new, __u32 odd)
{
	return csum_place(csum_fold(csum_be32(new)) + (0xffff ^ csum_fold(csum_be32(old))), odd);
}

static __always_inline __u64 csum_chunk(const __u8 *p, __u32 len)
{
	len &= ~3U; /* bpf_csum_diff takes whole 32-bit words */
	if (!len)
		return 0;
	return (__u32)bpf_csum_diff(NULL, 0, (__be32 *)p, len, 0);
}

/*
 * Sum of e->data[0..len), len <= BPFDNS_DATA_MAX, as a block at an even
 * offset. Chunks start at constant offsets so that the verifier can bound
 * every read; bytes past len are never read, whatever they hold.
 */
static __always_inline __u64 csum_entry_data(const struct bpfdns_entry *e, __u32 len)
{
	__u64 sum = 0;
	__u32 tail, i;

#define CSUM_DATA_CHUNK(start, cap)                                              \
	if (len > (start)) {                                                     \
		__u32 n = len - (start);                                         \
		if (n > (cap))                                                   \
			n = (cap);                                               \
		sum += csum_chunk(&e->data[start], n);                           \
	}
	CSUM_DATA_CHUNK(0, 512)
	CSUM_DATA_CHUNK(512, 512)
	CSUM_DATA_CHUNK(1024, 512)
	CSUM_DATA_CHUNK(1536, BPFDNS_DATA_MAX - 1536)
#undef CSUM_DATA_CHUNK
	_Static_assert(BPFDNS_DATA_MAX > 1536 && BPFDNS_DATA_MAX <= 2048, "csum chunks");

	/* the last 0-3 bytes, at an offset that is a multiple of 4 */
	tail = len & ~3U;
	for (i = 0; i < 3; i++) {
		__u32 idx = tail + i;

		if (idx >= len || idx >= BPFDNS_DATA_MAX)
			break;
		sum += (i & 1) ? csum_word(0, e->data[idx]) : csum_word(e->data[idx], 0);
	}
	return sum;
}

#endif /* BPFDNS_CSUM_H */
