/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * hook.h - the few packet operations that differ between XDP and TC.
 *
 * The parsing and answering code is shared; it takes a compile-time
 * constant `xdp` and calls these, so each entry point inlines only its own
 * helpers. Offsets are from the start of the Ethernet header in both hooks.
 */
#ifndef BPFDNS_HOOK_H
#define BPFDNS_HOOK_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

static __always_inline void *hook_data(void *ctx, bool xdp)
{
	if (xdp)
		return (void *)(long)((struct xdp_md *)ctx)->data;
	return (void *)(long)((struct __sk_buff *)ctx)->data;
}

static __always_inline void *hook_data_end(void *ctx, bool xdp)
{
	if (xdp)
		return (void *)(long)((struct xdp_md *)ctx)->data_end;
	return (void *)(long)((struct __sk_buff *)ctx)->data_end;
}

/* The interface the packet came in on. */
static __always_inline __u32 hook_ifindex(void *ctx, bool xdp)
{
	if (xdp)
		return ((struct xdp_md *)ctx)->ingress_ifindex;
	return ((struct __sk_buff *)ctx)->ifindex;
}

static __always_inline long hook_load(void *ctx, bool xdp, __u32 off, void *buf, __u32 len)
{
	if (xdp)
		return bpf_xdp_load_bytes(ctx, off, buf, len);
	return bpf_skb_load_bytes(ctx, off, buf, len);
}

static __always_inline long hook_store(void *ctx, bool xdp, __u32 off, void *buf, __u32 len)
{
	if (xdp)
		return bpf_xdp_store_bytes(ctx, off, buf, len);
	return bpf_skb_store_bytes(ctx, off, buf, len, 0);
}

/*
 * Make the packet new_len bytes long (from the Ethernet header). Returns 0,
 * or -errno with the packet unchanged. A failure to make a TC answer linear
 * shows later as a failed bounds check, where the caller drops it.
 */
static __always_inline long hook_resize(void *ctx, bool xdp, __u32 old_len, __u32 new_len)
{
	long err;

	if (xdp)
		return new_len == old_len ? 0 : bpf_xdp_adjust_tail(ctx, (int)new_len - (int)old_len);
	err = bpf_skb_change_tail(ctx, new_len, 0);
	if (err)
		return err;
	/* answers are written with direct access: keep them in the linear part */
	if (hook_data_end(ctx, xdp) - hook_data(ctx, xdp) < new_len)
		bpf_skb_pull_data(ctx, new_len);
	return 0;
}

#endif /* BPFDNS_HOOK_H */
