// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* config_test.c - bpfdnsd's options, from a file and the command line, and
 * the upstream list built from them (no root). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "checks.h"
#include "config.h"
#include "log.h"
#include "test.h"
#include "testconf.h"
#include "upstream.h"

static char dir[] = "/tmp/bpfdns-config-test.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	return testconf_write(dir, name, text);
}

static int parse(struct config *cfg, int argc, const char **argv)
{
	return testconf_parse(cfg, argc, argv);
}

static void test_seed_config(void)
{
	const char *path = write_file("seed.conf", "interface=lo\nbind-interfaces\nall-servers\ncache-size=0\n"
						   "no-negcache\nresolv-file=/etc/resolv.dnsmasq\nlog-queries\n");
	const char *argv[] = { "bpfdnsd", "-C", path };
	struct config cfg;

	CHECK("config: the seed configuration parses", !parse(&cfg, 3, argv), "rejected");
	CHECK("config: seed values", cfg.n_interfaces == 1 && !strcmp(cfg.interfaces[0], "lo") && cfg.bind_interfaces &&
	      cfg.mode == UPSTREAM_ALL_SERVERS && cfg.cache_size == 0 && cfg.no_negcache && !strcmp(cfg.resolv_file, "/etc/resolv.dnsmasq") &&
	      cfg.log_queries, "wrong values");
}

static void test_values(void)
{
	const char *path = write_file("all.conf", "# comment\n  port=5353  \nserver=192.0.2.1#5300\n"
						  "server=2001:db8::1\nlisten-address=127.0.0.2\nstrict-order\n"
						  "min-cache-ttl=30 # trailing comment\nmax-cache-ttl=600\n"
						  "edns-packet-max=1400\nattach=tc\npin-path=/sys/fs/bpf/other\n");
	const char *argv[] = { "bpfdnsd", "-C", path, "--port=5354", "--query-timeout=500" };
	struct sockaddr_in6 *s6;
	struct config cfg;

	CHECK("config: a file with every kind of value", !parse(&cfg, 5, argv), "rejected");
	s6 = (struct sockaddr_in6 *)&cfg.servers[1];
	CHECK("config: values land where they belong",
	      cfg.port == 5354 && cfg.n_servers == 2 && ntohs(((struct sockaddr_in *)&cfg.servers[0])->sin_port) == 5300 &&
		      s6->sin6_family == AF_INET6 && ntohs(s6->sin6_port) == 53 && cfg.n_listen == 1 &&
		      cfg.mode == UPSTREAM_STRICT_ORDER && cfg.min_cache_ttl == 30 && cfg.max_cache_ttl == 600 &&
		      cfg.edns_packet_max == 1400 && cfg.attach == FASTPATH_TC && cfg.timeout_ms == 500 &&
		      !strcmp(cfg.pin_path, "/sys/fs/bpf/other"),
	      "wrong values");
}

static void test_modes(void)
{
	const char *hedged[] = { "bpfdnsd" }, *strict[] = { "bpfdnsd", "--all-servers", "--strict-order" },
		   *race[] = { "bpfdnsd", "--strict-order", "--all-servers" };
	struct config cfg;

	CHECK("config: hedged is the default upstream mode", !parse(&cfg, 1, hedged) && cfg.mode == UPSTREAM_HEDGED,
	      "mode %d", cfg.mode);
	CHECK("config: the last upstream mode given wins (strict-order)",
	      !parse(&cfg, 3, strict) && cfg.mode == UPSTREAM_STRICT_ORDER, "mode %d", cfg.mode);
	CHECK("config: the last upstream mode given wins (all-servers)",
	      !parse(&cfg, 3, race) && cfg.mode == UPSTREAM_ALL_SERVERS, "mode %d", cfg.mode);
}

static void test_interfaces(void)
{
	const char *same[] = { "bpfdnsd", "--interface=lo", "-i", "lo" },
		   *two[] = { "bpfdnsd", "--interface=lo", "--interface=eth0,veth*", "--except-interface=veth9,eth1" },
		   *empty[] = { "bpfdnsd", "--interface=" }, *longname[] = { "bpfdnsd", "--interface=a234567890123456" };
	struct config cfg;

	CHECK("config: the same interface= twice is one",
	      !parse(&cfg, 4, same) && cfg.n_interfaces == 1 && !strcmp(cfg.interfaces[0], "lo"), "refused");
	CHECK("config: interface= repeated and NAME,NAME: every one kept, as dnsmasq",
	      !parse(&cfg, 4, two) && cfg.n_interfaces == 3 && !strcmp(cfg.interfaces[2], "veth*") &&
		      cfg.n_except == 2 && !strcmp(cfg.except_interfaces[1], "eth1"),
	      "%d names, %d excepted", cfg.n_interfaces, cfg.n_except);
	CHECK("config: an empty interface= is given, naming none (lo only)",
	      !parse(&cfg, 2, empty) && cfg.interface_set && !cfg.n_interfaces, "refused");
	CHECK("config: a name longer than an interface's is refused", parse(&cfg, 2, longname) < 0, "accepted");
	CHECK("config: the default fast path hook is auto", !parse(&cfg, 1, same) && cfg.attach == FASTPATH_AUTO,
	      "hook %d", cfg.attach);
}

static void test_errors(void)
{
	static const char *const bad[] = { "--no-such-option", "--port=0", "--port=65536", "--cache-size=-1",
					   "--server=not-an-ip", "--server=192.0.2.1#0", "--attach=bogus",
					   "--log-queries=yes", "--edns-packet-max=100", "stray",
					   "--access-control=10.0.0.0/33", "--access-control=10.0.0.0/8,maybe",
					   "--access-control=::1/129", "--access-control=example.com",
					   "--access-control", "--prefetch=0", "--prefetch=100", "--no-prefetch=1",
					   "--use-stale-cache=0", "--metrics=127.0.0.1", "--metrics=::1:9153",
					   "--metrics=127.0.0.1:0", "--query-timeout=0", "--dns-forward-max=0",
					   "--hedge-max=0", "--cache-size=1000001" };
	const char *path = write_file("bad.conf", "port=53\nfrobnicate=1\n");
	const char *argv_file[] = { "bpfdnsd", "-C", path };
	struct config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[] = { "bpfdnsd", bad[i] };
		char name[96];

		snprintf(name, sizeof(name), "config: refused: %s", bad[i]);
		CHECK(name, parse(&cfg, 2, argv) < 0, "accepted");
	}
	CHECK("config: an unknown option in a file is refused", parse(&cfg, 3, argv_file) < 0, "accepted");
}

/* Bounds that hold between options, whatever their order. */
static void test_pairs(void)
{
	static const char *const bad[][3] = { { "bpfdnsd", "--hedge-min=50", "--hedge-max=20" },
					      { "bpfdnsd", "--hedge-max=20", "--hedge-min=50" },
					      { "bpfdnsd", "--min-cache-ttl=600", "--max-cache-ttl=60" } };
	const char *good[] = { "bpfdnsd", "--hedge-min=20", "--hedge-max=20", "--cache-size=1000000" };
	struct config cfg;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char name[96];

		snprintf(name, sizeof(name), "config: refused: %s %s", bad[i][1], bad[i][2]);
		CHECK(name, parse(&cfg, 3, (const char **)bad[i]) < 0, "accepted");
	}
	CHECK("config: hedge-min equal to hedge-max, cache-size at its bound", !parse(&cfg, 4, good), "refused");
}

/* Config files that are not files, or lines longer than any buffer. */
static void test_files(void)
{
	char fifo[200], arg[300], text[256], *big;
	const char *argv[] = { "bpfdnsd", "-C", NULL };
	const char *rargv[] = { "bpfdnsd", arg, "--no-resolv" };
	struct upstreams *ups = NULL;
	struct config cfg;
	size_t n = 5000;
	FILE *f;

	argv[2] = dir;
	CHECK("config: -C DIR is an error", parse(&cfg, 3, argv) < 0, "accepted");
	argv[2] = "/dev/zero";
	CHECK("config: -C /dev/zero is an error, at once", parse(&cfg, 3, argv) < 0, "accepted");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	mkfifo(fifo, 0600);
	argv[2] = fifo;
	CHECK("config: -C FIFO is an error, at once (no writer needed)", parse(&cfg, 3, argv) < 0, "accepted");

	/* a line of 5000 bytes: refused whole as one line, never split */
	big = malloc(n + 64);
	memset(big, 'x', n);
	memcpy(big, "# ", 2);
	strcpy(big + n, "\nport=5353\n");
	argv[2] = write_file("long.conf", big);
	CHECK("config: a 5000-byte comment line is one line", !parse(&cfg, 3, argv) && cfg.port == 5353,
	      "refused or misread");
	free(big);

	/* resolv-file: a long search line ending in "nameserver 6.6.6.6" */
	f = fopen(write_file("resolv-long", ""), "w");
	fprintf(f, "search");
	for (int i = 0; i < 200; i++)
		fprintf(f, " d%03d.example.com", i);
	fprintf(f, " nameserver 6.6.6.6\nnameserver 192.0.2.53\n");
	fclose(f);
	snprintf(arg, sizeof(arg), "--resolv-file=%s/resolv-long", dir);
	parse(&cfg, 2, rargv);
	CHECK("resolv-file: the tail of a long search line is not a nameserver", !upstreams_load(&ups, &cfg),
	      "failed");
	if (ups) {
		upstreams_text(ups, text, sizeof(text));
		CHECK("resolv-file: only the real nameserver", !strcmp(text, "192.0.2.53#53"), "got \"%s\"", text);
		upstreams_put(ups);
		ups = NULL;
	}
	snprintf(arg, sizeof(arg), "--resolv-file=%s", fifo);
	parse(&cfg, 2, rargv);
	CHECK("resolv-file: a FIFO is an error, at once", upstreams_load(&ups, &cfg) < 0, "accepted");
	snprintf(arg, sizeof(arg), "--resolv-file=/dev/zero");
	parse(&cfg, 2, rargv);
	CHECK("resolv-file: /dev/zero is an error, at once", upstreams_load(&ups, &cfg) < 0, "accepted");
	(void)rargv[2];
}

static void test_prefetch_stale_metrics(void)
{
	const char *a1[] = { "bpfdnsd", "--prefetch=25", "--use-stale-cache", "--metrics=[::1]:9153" };
	const char *a2[] = { "bpfdnsd", "--no-prefetch", "--use-stale-cache=60", "--metrics=127.0.0.1:9153",
			     "--control-socket=none" };
	const char *a3[] = { "bpfdnsd", "--no-prefetch", "--prefetch" };
	struct config cfg;

	config_defaults(&cfg);
	CHECK("config: prefetch on (10%), stale off, metrics off, control socket by default",
	      cfg.prefetch_pct == 10 && !cfg.stale_max_s && !cfg.metrics.ss_family &&
	      !strcmp(cfg.control_socket, "/run/bpfdnsd.sock"), "wrong defaults");
	CHECK("config: prefetch=25, use-stale-cache (86400), metrics=[::1]:9153",
	      !parse(&cfg, 4, a1) && cfg.prefetch_pct == 25 && cfg.stale_max_s == 86400 &&
	      cfg.metrics.ss_family == AF_INET6 && ntohs(((struct sockaddr_in6 *)&cfg.metrics)->sin6_port) == 9153,
	      "wrong values");
	CHECK("config: no-prefetch, use-stale-cache=60, metrics=127.0.0.1:9153, control-socket=none",
	      !parse(&cfg, 5, a2) && !cfg.prefetch_pct && cfg.stale_max_s == 60 &&
	      cfg.metrics.ss_family == AF_INET && !cfg.control_socket[0], "wrong values");
	CHECK("config: prefetch after no-prefetch turns it back on", !parse(&cfg, 3, a3) && cfg.prefetch_pct == 10,
	      "got %u", cfg.prefetch_pct);
}

static void test_kernel_check(void)
{
	CHECK("checks: kernel 5.17 is too old, 5.18 and 6.1 are new enough, junk is unknown",
	      checks_kernel_ok("5.17.15") == 0 && checks_kernel_ok("4.19.0-21-amd64") == 0 &&
	      checks_kernel_ok("5.18.0") == 1 && checks_kernel_ok("6.1.0-13-amd64") == 1 &&
	      checks_kernel_ok("10.0") == 1 && checks_kernel_ok("linux") == -1, "wrong verdicts");
}

static int check_from(const struct config *cfg, const char *addr)
{
	struct sockaddr_storage ss;

	if (config_parse_addr(addr, 53, &ss))
		abort();
	return acl_check(&cfg->acl, &ss);
}

static void test_access_control(void)
{
	const char *path = write_file("acl.conf", "access-control=10.0.0.0/8\naccess-control=10.1.0.0/16 refuse\n"
						  "access-control=10.1.2.3,deny\naccess-control=2001:db8::/32,allow\n"
						  "access-control=10.9.9.9/8,deny\n");
	const char *argv[] = { "bpfdnsd", "-C", path };
	static const struct {
		const char *from;
		int want;
	} cases[] = {
		{ "127.0.0.1", BPFDNS_ACL_ALLOW },     { "127.200.0.1", BPFDNS_ACL_ALLOW },
		{ "::1", BPFDNS_ACL_ALLOW },	       { "::2", BPFDNS_ACL_REFUSE },
		{ "192.0.2.1", BPFDNS_ACL_REFUSE },    { "10.1.2.4", BPFDNS_ACL_REFUSE },
		{ "10.1.2.3", BPFDNS_ACL_DENY },       { "2001:db8:1::5", BPFDNS_ACL_ALLOW },
		{ "::ffff:127.0.0.1", BPFDNS_ACL_ALLOW }, { "10.2.0.1", BPFDNS_ACL_DENY },
	};
	struct config cfg;

	config_defaults(&cfg);
	CHECK("access-control: defaults are loopback only", !acl_allows_remote(&cfg.acl) &&
	      check_from(&cfg, "127.0.0.1") == BPFDNS_ACL_ALLOW && check_from(&cfg, "::1") == BPFDNS_ACL_ALLOW &&
	      check_from(&cfg, "192.0.2.1") == BPFDNS_ACL_REFUSE, "wrong defaults");
	CHECK("access-control: rules parse", !parse(&cfg, 3, argv), "rejected");
	/* 10.9.9.9/8 is 10.0.0.0/8 once masked: it replaces the allow */
	CHECK("access-control: the same prefix replaces its rule", cfg.acl.n == 6, "%d rules", cfg.acl.n);
	CHECK("access-control: remote sources allowed is noticed", acl_allows_remote(&cfg.acl), "not noticed");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[96];
		int got = check_from(&cfg, cases[i].from);

		snprintf(name, sizeof(name), "access-control: %s is %s", cases[i].from,
			 acl_action_name(cases[i].want));
		CHECK(name, got == cases[i].want, "got %s", acl_action_name(got));
	}
}

static void test_upstreams(void)
{
	const char *path = write_file("resolv", "# comment\nnameserver 192.0.2.53\nnameserver 127.0.0.1\n"
						"nameserver fe80::1%lo\nnameserver fe80::2%no-such-if0\nnameserver junk\n"
						"search example.com\n"
						"nameserver 192.0.2.53\n");
	char arg[300], text[256];
	const char *argv[] = { "bpfdnsd", arg, "--server=198.51.100.1#5300" };
	struct upstreams *ups = NULL;
	struct config cfg;

	snprintf(arg, sizeof(arg), "--resolv-file=%s", path);
	parse(&cfg, 3, argv);
	cfg.n_listen = 1; /* 127.0.0.1: ourselves */
	memset(&cfg.listen[0], 0, sizeof(cfg.listen[0]));
	cfg.listen[0].ss_family = AF_INET;
	((struct sockaddr_in *)&cfg.listen[0])->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK("upstreams: loaded", !upstreams_load(&ups, &cfg), "failed");
	if (!ups)
		return;
	upstreams_text(ups, text, sizeof(text));
	CHECK("upstreams: server= first, ourselves, junk, repeats and unknown links skipped, a link-local's zone kept",
	      !strcmp(text, "198.51.100.1#5300 192.0.2.53#53 fe80::1%lo#53"), "got \"%s\"", text);
	CHECK("upstreams: the zone is the link's index", ups->list[2]->addr.ss_family == AF_INET6 &&
	      ((struct sockaddr_in6 *)&ups->list[2]->addr)->sin6_scope_id == 1, "no scope");
	/* a reload: the new list shares the old one's upstreams, so what a
	 * query in flight on the old list learns reaches the new one */
	{
		struct upstreams *next = NULL;

		CHECK("upstreams: reloaded", !upstreams_load(&next, &cfg), "failed");
		if (next) {
			upstreams_carry_stats(next, ups);
			ups->list[1]->wins = 7;
			ups->list[1]->state = UPSTREAM_DOWN;
			upstreams_put(ups); /* the old list goes; its queries are done */
			ups = NULL;
			CHECK("upstreams: after a reload, the old list's news reach the new one",
			      next->list[1]->wins == 7 && next->list[1]->state == UPSTREAM_DOWN, "wins %" PRIu64,
			      next->list[1]->wins);
			upstreams_put(next);
		}
	}
	upstreams_put(ups);
	cfg.no_resolv = 1;
	cfg.n_servers = 0;
	CHECK("upstreams: none at all is an empty list, as in dnsmasq (local data still answers)",
	      !upstreams_load(&ups, &cfg) && ups && ups->n == 0, "refused");
	upstreams_put(ups);
	ups = NULL;
	snprintf(cfg.resolv_file, sizeof(cfg.resolv_file), "/nonexistent/resolv.conf");
	cfg.no_resolv = 0;
	CHECK("upstreams: a resolv-file not there yet is waited for, as in dnsmasq (a hook writes it later)",
	      !upstreams_load(&ups, &cfg) && ups && ups->n == 0, "refused");
	upstreams_put(ups);
	ups = NULL;
	snprintf(cfg.resolv_file, sizeof(cfg.resolv_file), "/");
	CHECK("upstreams: none, and a resolv-file that cannot be read (a directory), is an error",
	      upstreams_load(&ups, &cfg) < 0, "accepted");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	log_set_level(LOG_LVL_ERROR);
	test_seed_config();
	test_values();
	test_modes();
	test_interfaces();
	test_errors();
	test_pairs();
	test_files();
	test_access_control();
	test_prefetch_stale_metrics();
	test_kernel_check();
	test_upstreams();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return test_exit();
}
