// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fastpath_e2e.c - the fast path on a real lo, asked by real dig and kdig.
 *
 * Re-executes itself under `unshare -n -m`: the program is attached to the
 * private namespace's lo only, and everything goes with the namespace when
 * the test exits, pass or fail. Nothing listens on port 53 in there, so
 * every answer the clients print came from the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <net/if.h>
#include "dns.h"
#include "fastpath.h"
#include "log.h"
#include "pkt.h"
#include "seed.h"
#include "test.h"

#define NS 1000000000ULL

static struct fastpath *fp;

/* Store an upstream-style reply for name/type made of the given records. */
static int store(const char *name, uint16_t qtype, uint8_t rcode, const struct trr *rrs, int an, int ns,
		 int age, uint8_t key_flags)
{
	uint64_t now = fastpath_now_ns();
	struct msg r;

	msg_init(&r, 1, DNS_QR | DNS_RD, DNS_RA | rcode);
	msg_counts(&r, 1, an, ns, 0);
	msg_question(&r, name, qtype, DNS_CLASS_IN);
	for (int i = 0; i < an + ns; i++)
		msg_rr(&r, &rrs[i], 0);
	return seed_reply(fp, &r, seed_clock_ago(age * NS), now + 3600 * NS, key_flags);
}

/* Run a command; its stdout into out. Returns the exit status. */
static int run(const char *cmd, char *out, size_t n)
{
	FILE *p = popen(cmd, "r");
	size_t got = 0;
	int st;

	out[0] = '\0';
	if (!p)
		return -1;
	while (got + 1 < n) {
		size_t r = fread(out + got, 1, n - 1 - got, p);

		if (!r)
			break;
		got += r;
	}
	out[got] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Ask with a client command; every needle must be in its output. */
static void ask(const char *hook, const char *desc, const char *cmd, const char *const *needles)
{
	char name[256], out[8192];
	int st;

	snprintf(name, sizeof(name), "%s: %s", hook, desc);
	st = run(cmd, out, sizeof(out));
	if (st != 0) {
		test_fail(name, "`%s` exited %d:\n%s", cmd, st, out);
		return;
	}
	for (int i = 0; needles[i]; i++) {
		if (!strstr(out, needles[i])) {
			test_fail(name, "`%s` printed no \"%s\":\n%s", cmd, needles[i], out);
			return;
		}
	}
	test_pass(name);
}

static const uint8_t a1[] = { 192, 0, 2, 1 }, a7[] = { 192, 0, 2, 7 };
static const uint8_t aaaa1[] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t txt[] = { 11, 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd' };
static const uint8_t soa_tail[] = { 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08,
				    0, 0x12, 0x75, 0, 0, 0, 0x01, 0x2c };

static int seed(void)
{
	const struct trr a[] = { { "@q", DNS_TYPE_A, 300, a1, 4 } };
	const struct trr aaaa[] = { { "@q", DNS_TYPE_AAAA, 300, aaaa1, 16 } };
	const struct trr t[] = { { "@q", DNS_TYPE_TXT, 60, txt, sizeof(txt) } };
	const struct trr chain[] = { { "@q", DNS_TYPE_CNAME, 300, .names = { "target.example.net." } },
				     { "@t0", DNS_TYPE_A, 300, a7, 4 } };
	const struct trr soa[] = { { "example.com.", DNS_TYPE_SOA, 300, .names = { "ns1.@o0", "hostmaster.@o0" },
				     .post = soa_tail, .post_len = sizeof(soa_tail) } };
	const struct trr aged[] = { { "@q", DNS_TYPE_A, 300, a1, 4 } };
	int err = 0;

	/* dig sends EDNS with DO clear, so plain keys serve both clients */
	err = err ?: store("www.example.com.", DNS_TYPE_A, 0, a, 1, 0, 0, 0);
	err = err ?: store("www.example.com.", DNS_TYPE_AAAA, 0, aaaa, 1, 0, 0, 0);
	err = err ?: store("txt.example.com.", DNS_TYPE_TXT, 0, t, 1, 0, 0, 0);
	err = err ?: store("alias.example.com.", DNS_TYPE_A, 0, chain, 2, 0, 0, 0);
	err = err ?: store("nope.example.com.", DNS_TYPE_A, DNS_RCODE_NXDOMAIN, soa, 0, 1, 0, 0);
	err = err ?: store("old.example.com.", DNS_TYPE_A, 0, aged, 1, 0, 100, 0);
	return err;
}

#define DIG "dig +tries=1 +time=2 "
#define KDIG "kdig +retry=0 +timeout=2 "

static void ask_all(const char *hook)
{
	ask(hook, "dig A over IPv4 (EDNS with a cookie)", DIG "@127.0.0.1 www.example.com A",
	    (const char *[]){ "status: NOERROR", "flags: qr rd ra;", "www.example.com.\t300\tIN\tA\t192.0.2.1",
			      "EDNS: version: 0", "udp: 1232", NULL });
	ask(hook, "dig AAAA over IPv6", DIG "@::1 www.example.com AAAA",
	    (const char *[]){ "status: NOERROR", "www.example.com.\t300\tIN\tAAAA\t2001:db8::1", NULL });
	ask(hook, "dig keeps the client's letter case", DIG "@127.0.0.1 WwW.ExAmPlE.CoM A",
	    (const char *[]){ ";WwW.ExAmPlE.CoM.\t\tIN\tA", "WwW.ExAmPlE.CoM.\t300\tIN\tA\t192.0.2.1", NULL });
	ask(hook, "dig TXT", DIG "@127.0.0.1 txt.example.com TXT",
	    (const char *[]){ "status: NOERROR", "\"hello world\"", NULL });
	ask(hook, "dig CNAME chain", DIG "@::1 alias.example.com A",
	    (const char *[]){ "CNAME\ttarget.example.net.", "target.example.net.\t300\tIN\tA\t192.0.2.7", NULL });
	ask(hook, "dig NXDOMAIN with SOA", DIG "@127.0.0.1 nope.example.com A",
	    (const char *[]){ "status: NXDOMAIN", "IN\tSOA\tns1.example.com. hostmaster.example.com.", NULL });
	ask(hook, "dig sees the TTL aged by 100 s", DIG "@127.0.0.1 old.example.com A",
	    (const char *[]){ "old.example.com.\t200\tIN\tA", NULL });
	ask(hook, "kdig A without EDNS over IPv4", KDIG "@127.0.0.1 www.example.com A",
	    (const char *[]){ "status: NOERROR", "www.example.com.    \t300\tIN\tA\t192.0.2.1", NULL });
	ask(hook, "kdig with EDNS over IPv6", KDIG "+edns @::1 www.example.com AAAA",
	    (const char *[]){ "EDNS PSEUDOSECTION", "2001:db8::1", NULL });
}

/* Run again inside a private network and mount namespace. */
static int reexec_in_namespace(void)
{
	char self[4096];
	ssize_t n;

	if (getenv("BPFDNS_TEST_NETNS"))
		return 0;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "cannot find my own path: %s\n", strerror(errno));
		return -1;
	}
	self[n] = '\0';
	setenv("BPFDNS_TEST_NETNS", "1", 1);
	execlp("unshare", "unshare", "-n", "-m", "--", self, (char *)NULL);
	fprintf(stderr, "cannot re-exec under unshare: %s\n", strerror(errno));
	return -1;
}

int main(void)
{
	enum fastpath_hook hooks[] = { FASTPATH_XDP, FASTPATH_TC };
	const uint8_t lo4[4] = { 127, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	struct fastpath_opts opts = { 0 };
	char out[256];
	int err;

	if (!test_need_root("fastpath end to end (dig, kdig)"))
		return 0;
	if (reexec_in_namespace())
		return 1;
	if (run("command -v dig && command -v kdig", out, sizeof(out))) {
		test_skip("fastpath end to end (dig, kdig)", "dig or kdig missing: make test-deps installs them");
		return 0;
	}
	if (system("ip link set lo up")) {
		test_fail("bring up lo in the private namespace", "ip link failed");
		return 1;
	}
	log_route_libbpf(0);
	err = fastpath_open(&fp, &opts);
	if (err) {
		test_fail("load the fast path", "%s", strerror(-err));
		return 1;
	}
	if (fastpath_listen_add(fp, 4, lo4, 53) || fastpath_listen_add(fp, 6, lo6, 53) || seed()) {
		test_fail("seed the cache", "cannot store entries");
		goto out;
	}
	for (size_t h = 0; h < 2; h++) {
		struct bpfdns_counters before, after;
		const char *hook = fastpath_hook_name(hooks[h]);

		err = fastpath_attach(fp, (int)if_nametoindex("lo"), hooks[h], NULL);
		if (err) {
			test_fail(hook, "cannot attach to lo: %s", strerror(-err));
			continue;
		}
		fastpath_counters(fp, &before);
		ask_all(hook);
		fastpath_counters(fp, &after);
		CHECK(hook, after.hit - before.hit == 9, "in-kernel hits went from %llu to %llu, want +9",
		      (unsigned long long)before.hit, (unsigned long long)after.hit);
		fastpath_detach(fp, (int)if_nametoindex("lo"), 0);
	}
out:
	fastpath_close(fp);
	return test_exit();
}
