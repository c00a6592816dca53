// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* ifset_test.c - which interfaces are served, as dnsmasq reads
 * interface=, except-interface= and listen-address= (no root). */
#include <string.h>
#include "ifset.h"
#include "log.h"
#include "test.h"
#include "testconf.h"

static struct config cfg;

static int parse(int argc, const char **argv)
{
	return testconf_parse(&cfg, argc, argv);
}

static void test_wildcards(void)
{
	CHECK("ifset: a name matches itself", ifset_match("eth0", "eth0"), "no");
	CHECK("ifset: ... and not a longer one", !ifset_match("eth0", "eth01") && !ifset_match("eth0", "eth"), "yes");
	CHECK("ifset: veth* matches veth0 and vethab12", ifset_match("veth*", "veth0") && ifset_match("veth*", "vethab12"),
	      "no");
	CHECK("ifset: veth* does not match veth itself (dnsmasq's '*' takes one or more)", !ifset_match("veth*", "veth"),
	      "yes");
	CHECK("ifset: cali* does not match eth0", !ifset_match("cali*", "eth0"), "yes");
	CHECK("ifset: * matches anything", ifset_match("*", "eth0"), "no");
}

static void test_modes(void)
{
	const char *none[] = { "bpfdnsd" }, *named[] = { "bpfdnsd", "--interface=eth0,pod*", "--except-interface=pod9" },
		   *addr[] = { "bpfdnsd", "--listen-address=192.0.2.1" }, *except[] = { "bpfdnsd", "-I", "eth1" },
		   *exlo[] = { "bpfdnsd", "-i", "eth0", "--except-interface=lo" }, *empty[] = { "bpfdnsd", "-i", "" };

	CHECK("ifset: by default 127.0.0.1 and ::1 only (a host-local cache), no interface's addresses",
	      !parse(1, none) && ifset_default(&cfg) && !ifset_serves(&cfg, "lo") && !ifset_serves(&cfg, "eth0"),
	      "wrong");
	CHECK("ifset: by default addresses follow the interfaces", ifset_dynamic(&cfg), "static");
	CHECK("ifset: interface= serves those and lo, wildcards included",
	      !parse(3, named) && ifset_serves(&cfg, "eth0") && ifset_serves(&cfg, "pod1") && ifset_serves(&cfg, "lo") &&
		      !ifset_serves(&cfg, "eth1"),
	      "wrong");
	CHECK("ifset: except-interface= wins over interface=", !ifset_serves(&cfg, "pod9") && ifset_excluded(&cfg, "pod9"),
	      "served");
	CHECK("ifset: listen-address= alone serves no interface's addresses",
	      !parse(2, addr) && !ifset_serves(&cfg, "lo") && !ifset_serves(&cfg, "eth0"), "wrong");
	CHECK("ifset: except-interface= alone serves every other interface",
	      !parse(3, except) && ifset_serves(&cfg, "eth0") && ifset_serves(&cfg, "lo") && !ifset_serves(&cfg, "eth1"),
	      "wrong");
	CHECK("ifset: except-interface=lo takes lo away from interface=",
	      !parse(4, exlo) && !ifset_serves(&cfg, "lo") && ifset_serves(&cfg, "eth0"), "wrong");
	CHECK("ifset: an empty interface= serves lo alone", !parse(3, empty) && ifset_serves(&cfg, "lo") &&
	      !ifset_serves(&cfg, "eth0") && !ifset_default(&cfg), "wrong");
}

static void test_binding(void)
{
	const char *bi[] = { "bpfdnsd", "--bind-interfaces" }, *bd[] = { "bpfdnsd", "--bind-dynamic" },
		   *both[] = { "bpfdnsd", "--bind-interfaces", "--bind-dynamic" };

	CHECK("ifset: bind-interfaces: the addresses of start-up only", !parse(2, bi) && !ifset_dynamic(&cfg), "dynamic");
	CHECK("ifset: bind-dynamic follows them", !parse(2, bd) && ifset_dynamic(&cfg), "static");
	CHECK("ifset: bind-dynamic overrides bind-interfaces, as in dnsmasq", !parse(3, both) && ifset_dynamic(&cfg),
	      "static");
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
	test_wildcards();
	test_modes();
	test_binding();
	return test_exit();
}
