// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * floor - attach the benchmark's floor program (floor.bpf.c) to an
 * interface until SIGTERM or SIGINT.
 *
 *   floor IFNAME [PORT]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include "floor.skel.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct floor_bpf *skel;
	struct bpf_link *link;
	unsigned ifindex;

	if (argc < 2 || !(ifindex = if_nametoindex(argv[1]))) {
		fprintf(stderr, "usage: floor IFNAME [PORT]\n");
		return EXIT_FAILURE;
	}
	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: cannot open the BPF object: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	skel->rodata->port = argc > 2 ? (__u16)atoi(argv[2]) : 53;
	if (floor_bpf__load(skel)) {
		fprintf(stderr, "floor: cannot load: %s\n", strerror(errno));
		goto err;
	}
	link = bpf_program__attach_xdp(skel->progs.floor_xdp, (int)ifindex);
	if (!link) {
		fprintf(stderr, "floor: cannot attach to %s: %s\n", argv[1], strerror(errno));
		goto err;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "floor ready on %s\n", argv[1]);
	while (!stop)
		pause();
	bpf_link__destroy(link);
	floor_bpf__destroy(skel);
	return EXIT_SUCCESS;
err:
	floor_bpf__destroy(skel);
	return EXIT_FAILURE;
}
