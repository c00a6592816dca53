// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* routes_test.c - dnsmasq's per-domain lines parsed (server=/d/, local=,
 * address=, rev-server=) and where a name goes (routes.c). No root. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "dns.h"
#include "dnswire.h"
#include "log.h"
#include "routes.h"
#include "test.h"
#include "testconf.h"

static const char *const lines[] = {
	"--server=192.0.2.53",
	"--server=/corp.test/lab.test/192.0.2.1",
	"--server=/corp.test/192.0.2.2#5353",
	"--server=/pub.corp.test/#",
	"--server=/lan.test/",
	"--local=/home.test/",
	"--address=/ads.test/192.0.2.99",
	"--address=/ads.test/2001:db8::99",
	"--address=/block.test/",
	"--address=/zero.test/#",
	"--address=/v4.ads.test/192.0.2.7",
	"--rev-server=10.1.0.0/16,192.0.2.6",
	"--rev-server=fd12:3400::/24,192.0.2.7",
	"--server=//192.0.2.8",
	"--address=/Mixed.Case.test./192.0.2.10",
};

static struct route_match match(const struct routes *rt, const char *text, uint16_t qtype)
{
	uint8_t name[DNS_NAME_MAX + 1];
	int n = dns_name_from_text(text, name, sizeof(name));

	return routes_match(rt, name, n < 0 ? 0 : (size_t)n, qtype);
}

static int servers_are(const struct route_match *m, const char *text)
{
	char buf[256];

	if (m->action != ROUTE_SERVERS)
		return 0;
	upstreams_text(m->ups, buf, sizeof(buf));
	return !strcmp(buf, text);
}

static void test_lines(void)
{
	const char *argv[1 + sizeof(lines) / sizeof(lines[0])] = { "bpfdnsd" };
	const char *bad[] = { "bpfdnsd", "--server=/x.test" };
	const char *bad_addr[] = { "bpfdnsd", "--address=/x.test/not-an-ip" };
	const char *bad_rev[] = { "bpfdnsd", "--rev-server=10.1.0.0/12,192.0.2.1" };
	const char *bad_local[] = { "bpfdnsd", "--local=/x.test/192.0.2.1" };
	const char *wild[] = { "bpfdnsd", "--server=/*.x.test/192.0.2.1" };
	const char *iface[] = { "bpfdnsd", "--server=/x.test/192.0.2.1@eth0" };
	const char *source[] = { "bpfdnsd", "--server=/x.test/192.0.2.1@192.0.2.9" };
	struct config cfg;

	memcpy(argv + 1, lines, sizeof(lines));
	CHECK("route lines: every form parses", !testconf_parse(&cfg, 1 + (int)(sizeof(lines) / sizeof(lines[0])), argv),
	      "refused");
	CHECK("route lines: one per domain (server=/a/b/IP is two)", cfg.n_routes == 15, "%d", cfg.n_routes);
	config_free(&cfg);
	CHECK("route lines: no closing '/' is an error", testconf_parse(&cfg, 2, bad) < 0, "accepted");
	CHECK("route lines: address= needs an IP", testconf_parse(&cfg, 2, bad_addr) < 0, "accepted");
	CHECK("route lines: rev-server= needs whole labels (/8, /16, /24)", testconf_parse(&cfg, 2, bad_rev) < 0,
	      "accepted");
	CHECK("route lines: local= takes no server", testconf_parse(&cfg, 2, bad_local) < 0, "accepted");
	CHECK("route lines: *.domain is refused (not supported)", testconf_parse(&cfg, 2, wild) < 0, "accepted");
	CHECK("route lines: @interface", !testconf_parse(&cfg, 2, iface) && cfg.n_routes == 1 &&
	      !strcmp(cfg.routes[0].ifname, "eth0"), "refused or misread");
	config_free(&cfg);
	CHECK("route lines: @source-IP is refused (not supported)", testconf_parse(&cfg, 2, source) < 0, "accepted");
	config_free(&cfg);
}

static void test_match(void)
{
	const char *argv[1 + sizeof(lines) / sizeof(lines[0])] = { "bpfdnsd" };
	struct routes *rt = NULL;
	struct route_match m;
	struct route_addrs ra;
	struct config cfg;

	memcpy(argv + 1, lines, sizeof(lines));
	testconf_parse(&cfg, 1 + (int)(sizeof(lines) / sizeof(lines[0])), argv);
	CHECK("routes: built", !routes_build(&rt, &cfg, NULL) && rt, "failed");
	if (!rt)
		return;
	m = match(rt, "www.corp.test", DNS_TYPE_A);
	CHECK("routes: a name under corp.test goes to its two servers", servers_are(&m, "192.0.2.1#53 192.0.2.2#5353"),
	      "action %d", m.action);
	m = match(rt, "CORP.TEST", DNS_TYPE_MX);
	CHECK("routes: the domain itself too, in any case", servers_are(&m, "192.0.2.1#53 192.0.2.2#5353"), "no");
	m = match(rt, "x.lab.test", DNS_TYPE_A);
	CHECK("routes: server=/a/b/IP: both domains", servers_are(&m, "192.0.2.1#53"), "no");
	m = match(rt, "a.pub.corp.test", DNS_TYPE_A);
	CHECK("routes: a longer domain wins (server=/pub.corp.test/#: the defaults)",
	      m.action == ROUTE_DEFAULT && m.route, "action %d", m.action);
	m = match(rt, "notcorp.test", DNS_TYPE_A);
	CHECK("routes: a name that only ends the same is not under it", m.action == ROUTE_DEFAULT && !m.route, "routed");
	m = match(rt, "x.lan.test", DNS_TYPE_TXT);
	CHECK("routes: server=/lan.test/: NXDOMAIN", m.action == ROUTE_NXDOMAIN, "action %d", m.action);
	m = match(rt, "home.test", DNS_TYPE_AAAA);
	CHECK("routes: local=/home.test/: NXDOMAIN", m.action == ROUTE_NXDOMAIN, "action %d", m.action);
	m = match(rt, "a.ads.test", DNS_TYPE_A);
	CHECK("routes: address=: A", m.action == ROUTE_ADDRESSES && route_addresses(m.route, DNS_TYPE_A, &ra) == 1 &&
	      !memcmp(ra.a, "\xc0\x00\x02\x63", 4), "wrong");
	m = match(rt, "a.ads.test", DNS_TYPE_MX);
	CHECK("routes: address=: other types go on (the defaults)", m.action == ROUTE_DEFAULT && !m.route, "routed");
	m = match(rt, "v4.ads.test", DNS_TYPE_AAAA);
	CHECK("routes: address=/v4.ads.test/IPv4: AAAA from the parent's address=",
	      m.action == ROUTE_ADDRESSES && route_addresses(m.route, DNS_TYPE_AAAA, &ra) == 1 &&
	      ra.aaaa[15] == 0x99, "action %d", m.action);
	m = match(rt, "block.test", DNS_TYPE_A);
	CHECK("routes: address=/block.test/: NXDOMAIN", m.action == ROUTE_NXDOMAIN, "action %d", m.action);
	m = match(rt, "zero.test", DNS_TYPE_ANY);
	CHECK("routes: address=/zero.test/#: ANY gets 0.0.0.0 and ::",
	      m.action == ROUTE_ADDRESSES && route_addresses(m.route, DNS_TYPE_ANY, &ra) == 2, "wrong");
	m = match(rt, "3.2.1.10.in-addr.arpa", DNS_TYPE_PTR);
	CHECK("routes: rev-server=10.1.0.0/16", servers_are(&m, "192.0.2.6#53"), "action %d", m.action);
	m = match(rt, "1.2.0.10.in-addr.arpa", DNS_TYPE_PTR);
	CHECK("routes: rev-server: outside the prefix, the defaults", m.action == ROUTE_DEFAULT, "routed");
	m = match(rt, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.3.2.1.d.f.ip6.arpa", DNS_TYPE_PTR);
	CHECK("routes: rev-server=fd12:3400::/24", servers_are(&m, "192.0.2.7#53"), "action %d", m.action);
	m = match(rt, "printer", DNS_TYPE_A);
	CHECK("routes: server=//IP takes plain names", servers_are(&m, "192.0.2.8#53"), "action %d", m.action);
	m = match(rt, "x.printer", DNS_TYPE_A);
	CHECK("routes: ... and only those", m.action == ROUTE_DEFAULT && !m.route, "routed");
	m = match(rt, "mixed.CASE.test", DNS_TYPE_A);
	CHECK("routes: a domain given in mixed case with a trailing dot", m.action == ROUTE_ADDRESSES, "no");
	m = match(rt, ".", DNS_TYPE_NS);
	CHECK("routes: the root goes to the defaults", m.action == ROUTE_DEFAULT && !m.route, "routed");
	routes_free(rt);
	config_free(&cfg);
}

/* One upstream object per address, however many domains name it (a
 * fuzzer found the third one freeing the first's). */
static void test_shared(void)
{
	const char *argv[] = { "bpfdnsd", "--server=192.0.2.1", "--server=/a.test/192.0.2.1",
			       "--server=/b.test/192.0.2.1", "--server=/c.test/192.0.2.1", "--server=/d.test/192.0.2.2" };
	struct upstreams *defaults = NULL;
	struct routes *rt = NULL;
	struct route_match a, b, c;
	struct config cfg;

	testconf_parse(&cfg, 6, argv);
	cfg.no_resolv = 1;
	if (upstreams_load(&defaults, &cfg) || routes_build(&rt, &cfg, defaults)) {
		CHECK("routes: shared servers built", 0, "failed");
		return;
	}
	a = match(rt, "x.a.test", DNS_TYPE_A);
	b = match(rt, "x.b.test", DNS_TYPE_A);
	c = match(rt, "x.c.test", DNS_TYPE_A);
	CHECK("routes: three domains and the defaults share one object for 192.0.2.1",
	      a.ups && b.ups && c.ups && a.ups->list[0] == defaults->list[0] && b.ups->list[0] == defaults->list[0] &&
	      c.ups->list[0] == defaults->list[0], "not shared");
	CHECK("routes: ... counted once per list", defaults->list[0]->refs == 4, "refs %d", defaults->list[0]->refs);
	routes_free(rt);
	CHECK("routes: freeing the routes leaves the defaults' object", defaults->list[0]->refs == 1, "refs %d",
	      defaults->list[0]->refs);
	upstreams_put(defaults);
	config_free(&cfg);
}

/* dnsmasq's special domains and how address lines of one domain combine. */
static void test_forms(void)
{
	const char *argv[] = { "bpfdnsd", "--address=/#/192.0.2.5", "--address=/.lead.test/192.0.2.6",
			       "--server=/./192.0.2.7", "--address=/nx1.test/", "--address=/nx1.test/192.0.2.1",
			       "--address=/z2.test/#", "--address=/z2.test/192.0.2.3", "--server=/corp.test/192.0.2.8" };
	struct routes *rt = NULL;
	struct route_match m;
	struct route_addrs ra;
	struct config cfg;

	CHECK("route forms: parsed", !testconf_parse(&cfg, 9, argv), "refused");
	CHECK("route forms: built", !routes_build(&rt, &cfg, NULL) && rt, "failed");
	if (!rt)
		return;
	m = match(rt, "anything.example", DNS_TYPE_A);
	CHECK("/#/: every name", m.action == ROUTE_ADDRESSES, "action %d", m.action);
	m = match(rt, "plain", DNS_TYPE_A);
	CHECK("/#/: plain names too", m.action == ROUTE_ADDRESSES, "action %d", m.action);
	m = match(rt, "x.corp.test", DNS_TYPE_A);
	CHECK("/#/: the least specific (corp.test's servers win)", m.action == ROUTE_SERVERS, "action %d", m.action);
	m = match(rt, "anything.example", DNS_TYPE_MX);
	CHECK("/#/: other types go to the defaults", m.action == ROUTE_DEFAULT, "action %d", m.action);
	m = match(rt, "lead.test", DNS_TYPE_A);
	CHECK("/.lead.test/ is /lead.test/", m.action == ROUTE_ADDRESSES && route_addresses(m.route, DNS_TYPE_A, &ra) &&
	      ra.a[3] == 6, "wrong");
	m = match(rt, "nx1.test", DNS_TYPE_A);
	CHECK("address=/d/ and address=/d/IP: A answered", m.action == ROUTE_ADDRESSES, "action %d", m.action);
	m = match(rt, "nx1.test", DNS_TYPE_AAAA);
	CHECK("address=/d/ and address=/d/IP: AAAA no data", m.action == ROUTE_NODATA, "action %d", m.action);
	m = match(rt, "z2.test", DNS_TYPE_A);
	CHECK("address=/d/# and address=/d/IP: the address only",
	      route_addresses(m.route, DNS_TYPE_A, &ra) == 1 && ra.a[3] == 3, "wrong");
	m = match(rt, "z2.test", DNS_TYPE_AAAA);
	CHECK("address=/d/# and address=/d/IP: :: for AAAA", route_addresses(m.route, DNS_TYPE_AAAA, &ra) == 1 &&
	      !ra.aaaa[15], "wrong");
	routes_free(rt);
	config_free(&cfg);
}

/* Forty address lines for one domain: all answered, the last first. */
static void test_many(void)
{
	char args[40][64];
	struct config cfg;
	struct routes *rt = NULL;
	struct route_match m;
	struct route_addrs ra;

	config_defaults(&cfg);
	for (int i = 0; i < 40; i++) {
		snprintf(args[i], sizeof(args[i]), "/many.test/192.0.2.%d", i + 1);
		config_set_option(&cfg, "address", args[i], "test");
	}
	CHECK("40 address lines: built", !routes_build(&rt, &cfg, NULL) && rt, "failed");
	if (!rt)
		return;
	m = match(rt, "many.test", DNS_TYPE_A);
	CHECK("40 address lines: 40 records, the last first",
	      route_addresses(m.route, DNS_TYPE_A, &ra) == 40 && ra.a[3] == 40 && ra.a[39 * 4 + 3] == 1, "wrong");
	routes_free(rt);
	config_free(&cfg);
}

int main(void)
{
	log_set_level(LOG_LVL_QUIET);
	test_forms();
	test_many();
	test_lines();
	test_match();
	test_shared();
	return test_exit();
}
