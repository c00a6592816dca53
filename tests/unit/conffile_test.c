// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* conffile_test.c - options read as dnsmasq reads them (quotes, comments,
 * conf-file and conf-dir, the command line's forms, unsupported options
 * listed together), and the answers that never go upstream (local.c). No
 * root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "answer.h"
#include "config.h"
#include "dnswire.h"
#include "local.h"
#include "log.h"
#include "test.h"
#include "testconf.h"

static char dir[] = "/tmp/bpfdns-conffile-test.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
	return testconf_write(dir, name, text);
}

static int parse(struct config *cfg, int argc, const char **argv)
{
	return testconf_parse(cfg, argc, argv);
}

static int parse_file(struct config *cfg, const char *text)
{
	const char *argv[] = { "bpfdnsd", "-C", write_file("t.conf", text) };

	return parse(cfg, 3, argv);
}

static void test_lines(void)
{
	struct config cfg;

	CHECK("conf: spaces around '=' and a trailing comment", !parse_file(&cfg, "  port = 5353   # dns\n") &&
	      cfg.port == 5353, "port %u", cfg.port);
	CHECK("conf: a quoted value keeps '#' and blanks", !parse_file(&cfg, "pid-file=\"/tmp/a #b\"\n") &&
	      !strcmp(cfg.pid_file, "/tmp/a #b"), "got \"%s\"", cfg.pid_file);
	CHECK("conf: escapes between quotes", !parse_file(&cfg, "pid-file=\"/tmp/q\\\"x\\\\y\"\n") &&
	      !strcmp(cfg.pid_file, "/tmp/q\"x\\y"), "got \"%s\"", cfg.pid_file);
	CHECK("conf: '#' inside a word is not a comment (server=IP#port)",
	      !parse_file(&cfg, "server=192.0.2.1#5353\n") && cfg.n_servers == 1, "%d servers", cfg.n_servers);
	CHECK("conf: a missing closing quote is an error", parse_file(&cfg, "pid-file=\"/tmp/x\n") < 0,
	      "accepted");
	CHECK("conf: '=' without a name is an error", parse_file(&cfg, " = 5\n") < 0, "accepted");
	CHECK("conf: CRLF lines", !parse_file(&cfg, "port=5300\r\ndomain-needed\r\n") && cfg.port == 5300 &&
	      cfg.domain_needed, "misread");
	CHECK("conf: accepted, no effect: bind-dynamic, proxy-dnssec, log-async, local-service",
	      !parse_file(&cfg, "bind-dynamic\nproxy-dnssec\nlog-async\nlog-async=10\nlocal-service\n"),
	      "refused");
	CHECK("conf: group=", !parse_file(&cfg, "group=dip\n") && !strcmp(cfg.group, "dip"), "not set");
	CHECK("conf: honoured: no-poll, clear-on-reload, no-ident, domain-needed, bogus-priv, no-hosts",
	      !parse_file(&cfg, "no-poll\nclear-on-reload\nno-ident\ndomain-needed\nbogus-priv\nno-hosts\n") &&
	      cfg.no_poll && cfg.clear_on_reload && cfg.no_ident && cfg.domain_needed && cfg.bogus_priv &&
	      cfg.no_hosts, "not set");
	CHECK("conf: listen-address=IP,IP (as dnsmasq)", !parse_file(&cfg, "listen-address=127.0.0.1,::1\n") &&
	      cfg.n_listen == 2, "%d", cfg.n_listen);
	CHECK("conf: log-queries=extra", !parse_file(&cfg, "log-queries=extra\n") && cfg.log_queries, "refused");
	CHECK("conf: rev-server with junk after the prefix is an error",
	      parse_file(&cfg, "rev-server=10.0.0.0/8x,192.0.2.1\n") < 0, "accepted");
	CHECK("conf: log-facility=LOCAL0 (any case)", !parse_file(&cfg, "log-facility=LOCAL0\n"), "refused");
	CHECK("conf: log-facility takes a facility, a path or -",
	      !parse_file(&cfg, "log-facility=local3\n") && !parse_file(&cfg, "log-facility=-\n") &&
	      !parse_file(&cfg, "log-facility=/tmp/x.log\n") && parse_file(&cfg, "log-facility=local9\n") < 0,
	      "wrong");
}

static void test_includes(void)
{
	char text[512];
	struct config cfg;

	snprintf(text, sizeof(text), "%s/d", dir);
	mkdir(text, 0700);
	write_file("d/b.conf", "server=192.0.2.2\n");
	write_file("d/a.conf", "server=192.0.2.1\n");
	write_file("d/c.bak", "server=192.0.2.3\n");
	write_file("d/e.conf~", "dhcp-range=1\n");
	write_file("d/.hidden", "dhcp-range=1\n");
	write_file("d/#x#", "dhcp-range=1\n");
	write_file("d/f.txt", "server=192.0.2.6\n");
	snprintf(text, sizeof(text), "%s/d/fifo.conf", dir);
	mkfifo(text, 0600); /* skipped: not a regular file, and never waited on */
	snprintf(text, sizeof(text), "no-resolv\nconf-dir=%s/d,*.conf\n", dir);
	CHECK("conf-dir: only *.conf, in alphabetical order", !parse_file(&cfg, text) && cfg.n_servers == 2 &&
	      ((struct sockaddr_in *)&cfg.servers[0])->sin_addr.s_addr == htonl(0xc0000201),
	      "%d servers", cfg.n_servers);
	snprintf(text, sizeof(text), "conf-dir=%s/d,.bak,.txt\n", dir);
	CHECK("conf-dir: .ext excludes; ~, dot files and #x# always skipped", !parse_file(&cfg, text) &&
	      cfg.n_servers == 2, "%d servers", cfg.n_servers);
	snprintf(text, sizeof(text), "conf-dir=%s/d\n", dir);
	CHECK("conf-dir: with no pattern, every file", !parse_file(&cfg, text) && cfg.n_servers == 4,
	      "%d servers", cfg.n_servers);
	CHECK("conf-dir: a missing directory is an error", parse_file(&cfg, "conf-dir=/nonexistent/bpfdns\n") < 0,
	      "accepted");
	snprintf(text, sizeof(text), "conf-file=%s/d/a.conf\nconf-file=/dev/null\n", dir);
	CHECK("conf-file inside a file; /dev/null is empty", !parse_file(&cfg, text) && cfg.n_servers == 1,
	      "%d servers", cfg.n_servers);
	snprintf(text, sizeof(text), "conf-file=%s/loop.conf\nserver=192.0.2.9\n", dir);
	write_file("loop.conf", text);
	snprintf(text, sizeof(text), "conf-file=%s/loop.conf\n", dir);
	CHECK("conf-file: a file that includes itself is read once, as dnsmasq does", !parse_file(&cfg, text) &&
	      cfg.n_servers == 1, "%d servers", cfg.n_servers);
	snprintf(text, sizeof(text), "conf-dir=%s/d,*.conf\nconf-file=%s/d/a.conf\nconf-dir=%s/d,.bak\n", dir, dir, dir);
	CHECK("conf-file, conf-dir: a file named twice is read once", !parse_file(&cfg, text) && cfg.n_servers == 3,
	      "%d servers", cfg.n_servers);
}

static void test_command_line(void)
{
	const char *nm[] = { "bpfdnsd", "--no-resolv", "--keep-in-foreground", "--no-hosts", "--bind-interfaces",
			     "--pid-file=/tmp/nm.pid", "--listen-address=127.0.0.1", "--cache-size=400",
			     "--clear-on-reload", "--conf-file=/dev/null", "--proxy-dnssec", "--server", "192.0.2.1" };
	const char *shorts[] = { "bpfdnsd", "-kDb", "-S", "192.0.2.1", "-S192.0.2.2#5353", "-p", "5300", "-h" };
	const char *bad[] = { "bpfdnsd", "--enable-dbus=org.freedesktop.NetworkManager.dnsmasq", "--port", "5300",
			      "-F", "192.168.1.2,192.168.1.9", "--enable-tftp" };
	const char *junk[] = { "bpfdnsd", "--port=5300", "stray" };
	const char *unknown[] = { "bpfdnsd", "--no-such-option" };
	const char *test_ok[] = { "bpfdnsd", "--test", "--port=5300" };
	const char *test_bad[] = { "bpfdnsd", "--test", "--port=0" };
	struct config cfg;

	CHECK("command line: NetworkManager's dnsmasq arguments (without D-Bus)",
	      !parse(&cfg, sizeof(nm) / sizeof(nm[0]), nm) && cfg.cache_size == 400 && cfg.clear_on_reload &&
	      cfg.foreground && cfg.n_servers == 1 && cfg.n_listen == 1, "refused or misread");
	CHECK("command line: short options, grouped, values in the same or the next word; -h is no-hosts",
	      !parse(&cfg, sizeof(shorts) / sizeof(shorts[0]), shorts) && cfg.foreground && cfg.domain_needed &&
	      cfg.bogus_priv && cfg.n_servers == 2 && cfg.port == 5300 && cfg.no_hosts, "refused or misread");
	{
		const char *first[] = { "bpfdnsd", "-C", write_file("u.conf", "no-such-option\ndhcp-range=1,2\n") };

		CHECK("conf: an unknown line stops reading before the unsupported list", parse(&cfg, 3, first) == -EINVAL,
		      "not -EINVAL");
	}
	CHECK("command line: unsupported options refused together (their values skipped)",
	      parse(&cfg, sizeof(bad) / sizeof(bad[0]), bad) == -EOPNOTSUPP && cfg.port == 5300, "got it wrong");
	CHECK("command line: a stray word is an error", parse(&cfg, 3, junk) < 0, "accepted");
	{
		const char *order[] = { "bpfdnsd", "-C", write_file("c.conf", "cache-size=1000\n"), "--cache-size=100" };

		CHECK("command line: options apply in the order given", !parse(&cfg, 4, order) && cfg.cache_size == 100,
		      "cache-size %u", cfg.cache_size);
	}
	CHECK("command line: an unknown option is an error", parse(&cfg, 2, unknown) < 0, "accepted");
	CHECK("--test: a good configuration says so (1: exit 0)", parse(&cfg, 3, test_ok) == 1, "not 1");
	CHECK("--test: a bad one is an error (exit 1)", parse(&cfg, 3, test_bad) < 0, "accepted");
}

/* A wire name from text. */
static size_t wire(const char *text, uint8_t *out)
{
	int n = dns_name_from_text(text, out, DNS_NAME_MAX + 1);

	return n < 0 ? 0 : (size_t)n;
}

static void test_reverse(void)
{
	static const struct {
		const char *name;
		int private;
	} cases[] = {
		{ "1.0.168.192.in-addr.arpa", 1 },  { "168.192.in-addr.arpa", 1 },   { "192.in-addr.arpa", 0 },
		{ "5.10.in-addr.arpa", 1 },	     { "1.0.0.127.in-addr.arpa", 1 }, { "1.16.172.in-addr.arpa", 1 },
		{ "1.31.172.IN-ADDR.ARPA", 1 },     { "1.32.172.in-addr.arpa", 0 },  { "1.1.254.169.in-addr.arpa", 1 },
		{ "1.2.0.192.in-addr.arpa", 1 },    { "1.3.0.192.in-addr.arpa", 0 }, { "8.8.8.8.in-addr.arpa", 0 },
		{ "1.0.64.100.in-addr.arpa", 0 },   { "x.10.in-addr.arpa", 0 },	     { "256.10.in-addr.arpa", 0 },
		{ "in-addr.arpa", 0 },		     { "255.255.255.255.in-addr.arpa", 1 },
		{ "d.f.ip6.arpa", 1 },		     { "1.2.d.f.ip6.arpa", 1 },	     { "8.e.f.ip6.arpa", 1 },
		{ "B.E.F.ip6.arpa", 1 },	     { "c.e.f.ip6.arpa", 1 },	     { "e.f.ip6.arpa", 0 },
		{ "x.8.e.f.ip6.arpa", 0 },	     { "8.b.d.0.1.0.0.2.ip6.arpa", 1 }, { "0.0.ip6.arpa", 0 },
		{ "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", 1 },
		{ "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", 0 },
		{ "1.0.1.0.8.a.0.c.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", 1 },
		{ "8.0.8.0.8.0.8.0.f.f.f.f.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa", 0 },
		{ "0.0.c.f.ip6.arpa", 0 },
		{ "example.com", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t name[DNS_NAME_MAX + 1];
		size_t n = wire(cases[i].name, name);

		CHECK("bogus-priv: RFC 6303 zones", n && local_private_reverse(name, n) == cases[i].private,
		      "%s: %s", cases[i].name, cases[i].private ? "not private" : "private");
	}
}

static void test_local_rcode(void)
{
	struct client_query cq = { 0 };
	struct config cfg;
	int aa;

	config_defaults(&cfg);
	cq.q.qclass = DNS_CLASS_IN;
	cq.q.qtype = DNS_TYPE_A;
	cq.q.name_len = wire("host", cq.q.name);
	CHECK("domain-needed off: a plain name goes upstream", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cfg.domain_needed = 1;
	CHECK("domain-needed: plain A is NXDOMAIN, not authoritative",
	      local_rcode(&cfg, &cq, &aa) == DNS_RCODE_NXDOMAIN && !aa, "wrong");
	cq.q.qtype = DNS_TYPE_MX;
	CHECK("domain-needed: plain MX goes upstream (as dnsmasq)", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cq.q.qtype = DNS_TYPE_ANY;
	CHECK("domain-needed: plain ANY is NXDOMAIN", local_rcode(&cfg, &cq, &aa) == DNS_RCODE_NXDOMAIN, "wrong");
	cq.q.qtype = DNS_TYPE_A;
	cq.q.name_len = wire("host.lan", cq.q.name);
	CHECK("domain-needed: a dotted name goes upstream", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cq.q.name_len = wire(".", cq.q.name);
	CHECK("domain-needed: the root goes upstream", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cq.q.qtype = DNS_TYPE_PTR;
	cq.q.name_len = wire("1.1.168.192.in-addr.arpa", cq.q.name);
	CHECK("bogus-priv off: a private PTR goes upstream", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cfg.bogus_priv = 1;
	CHECK("bogus-priv: a private PTR is NXDOMAIN, authoritative",
	      local_rcode(&cfg, &cq, &aa) == DNS_RCODE_NXDOMAIN && aa, "wrong");
	cq.q.qtype = DNS_TYPE_TXT;
	CHECK("bogus-priv: only PTR (as dnsmasq)", local_rcode(&cfg, &cq, &aa) < 0, "answered");
	cq.q.qclass = DNS_CLASS_CH;
	CHECK("CHAOS: a name that is not ours is NOTIMP, never forwarded",
	      local_rcode(&cfg, &cq, &aa) == DNS_RCODE_NOTIMP, "forwarded");
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	log_set_level(LOG_LVL_QUIET);
	test_lines();
	test_includes();
	test_command_line();
	test_reverse();
	test_local_rcode();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return test_exit();
}
