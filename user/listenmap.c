// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * listenmap.c - where the fast path answers: the listen address map, and
 * the bitmap of the ports in it, which lets the fast path pass everything
 * to other ports (on lo, every answer it sent, coming back) without a hash
 * lookup. See fastpath.h.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "fastpath.h"
#include "fastpath_priv.h"
#include "fastpath.skel.h"
#include "log.h"

static struct bpfdns_listen_key listen_key(int family, const void *addr, uint16_t port)
{
	struct bpfdns_listen_key k = { .port = port };

	k.family = family == 6 ? BPFDNS_AF_INET6 : BPFDNS_AF_INET;
	if (addr)
		memcpy(k.addr, addr, family == 6 ? 16 : 4);
	return k;
}

/* Set or clear port's bit in the port bitmap. */
static int port_mark(struct fastpath *fp, uint16_t port, int on)
{
	int fd = bpf_map__fd(fp->skel->maps.bpfdns_ports);
	__u32 word = port / 64;
	__u64 bits = 0;

	if (bpf_map_lookup_elem(fd, &word, &bits))
		return -errno;
	bits = on ? bits | 1ULL << (port % 64) : bits & ~(1ULL << (port % 64));
	return bpf_map_update_elem(fd, &word, &bits, BPF_ANY) ? -errno : 0;
}

/* Whether an address of the listen map still has this port. */
static int port_listened(struct fastpath *fp, uint16_t port)
{
	int fd = bpf_map__fd(fp->skel->maps.bpfdns_listen);
	struct bpfdns_listen_key key, next;

	for (void *prev = NULL; !bpf_map_get_next_key(fd, prev, &next); prev = &key) {
		key = next;
		if (key.port == port)
			return 1;
	}
	return 0;
}

int fastpath_listen_add(struct fastpath *fp, int family, const void *addr, uint16_t port)
{
	struct bpfdns_listen_key k = listen_key(family, addr, port);
	__u32 v = 0;
	int err = 0;

	if (bpf_map_update_elem(bpf_map__fd(fp->skel->maps.bpfdns_listen), &k, &v, BPF_ANY)) {
		err = -errno;
		pr_err("cannot add a listen address: %s", strerror(-err));
	} else if ((err = port_mark(fp, port, 1))) {
		pr_err("cannot add port %u to the fast path's port bitmap (its queries go to the daemon): %s", port,
		       strerror(-err));
	}
	return err;
}

int fastpath_listen_del(struct fastpath *fp, int family, const void *addr, uint16_t port)
{
	struct bpfdns_listen_key k = listen_key(family, addr, port);
	int err = 0;

	if (bpf_map_delete_elem(bpf_map__fd(fp->skel->maps.bpfdns_listen), &k) && errno != ENOENT) {
		err = -errno;
		pr_err("cannot remove a listen address: %s", strerror(-err));
	} else if (!port_listened(fp, port) && (err = port_mark(fp, port, 0))) {
		pr_err("cannot take port %u out of the fast path's port bitmap: %s", port, strerror(-err));
	}
	return err;
}

int fastpath_listen_clear(struct fastpath *fp)
{
	int fd = bpf_map__fd(fp->skel->maps.bpfdns_listen), pfd = bpf_map__fd(fp->skel->maps.bpfdns_ports);
	struct bpfdns_listen_key key;
	__u64 none = 0;
	int err = 0;

	while (!err && !bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key))
			err = -errno;
	for (__u32 word = 0; !err && word < BPFDNS_PORT_WORDS; word++)
		if (bpf_map_update_elem(pfd, &word, &none, BPF_ANY))
			err = -errno;
	if (err)
		pr_err("cannot clear the listen address map: %s", strerror(-err));
	return err;
}
