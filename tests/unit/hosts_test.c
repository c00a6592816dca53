// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* hosts_test.c - hosts files read as dnsmasq reads them, and what a lookup
 * finds (hosts.c). No root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "config.h"
#include "dns.h"
#include "dnswire.h"
#include "hosts.h"
#include "log.h"
#include "test.h"
#include "testconf.h"

static char dir[] = "/tmp/bpfdns-hosts-test.XXXXXX";

static int lookup(const struct hosts *h, const char *text, uint16_t qtype, struct hosts_answer *a)
{
	uint8_t name[DNS_NAME_MAX + 1];
	int n = dns_name_from_text(text, name, sizeof(name));

	return n < 0 ? -1 : hosts_lookup(h, name, (size_t)n, qtype, a);
}

static void test_lookup(void)
{
	char arg[300];
	const char *argv[] = { "bpfdnsd", "--no-hosts", arg, "--expand-hosts", "--domain=lan.test" };
	struct hosts *h = NULL;
	struct hosts_answer a;
	struct config cfg;
	char text[300];

	snprintf(arg, sizeof(arg), "--addn-hosts=%s", testconf_write(dir, "hosts",
		 "# comment\n"
		 "192.0.2.10 web web.lan.test # trailing comment\n"
		 "192.0.2.10 again\n"
		 "  192.0.2.11\tdb\n"
		 "2001:db8::12 web\n"
		 "192.0.2.10 web\n"
		 "not-an-ip bogus\n"
		 "192.0.2.99 bad..name ok.test\n"
		 "192.0.2.15\n"
		 "\n"));
	CHECK("hosts: options", !testconf_parse(&cfg, 5, argv), "refused");
	CHECK("hosts: loaded", !hosts_load(&h, &cfg) && h, "failed");
	if (!h)
		return;
	CHECK("hosts: a name's A", lookup(h, "web", DNS_TYPE_A, &a) == 1 && a.n_a == 1 && !memcmp(a.a, "\xc0\x00\x02\x0a", 4),
	      "wrong");
	CHECK("hosts: the same address twice is one record", a.n_a == 1, "%d", a.n_a);
	CHECK("hosts: any case", lookup(h, "WeB.LaN.TeSt", DNS_TYPE_A, &a) == 1, "not found");
	CHECK("hosts: AAAA from another line", lookup(h, "web", DNS_TYPE_AAAA, &a) == 1 && a.n_aaaa == 1, "wrong");
	CHECK("hosts: ANY both", lookup(h, "web", DNS_TYPE_ANY, &a) == 1 && a.n_a == 1 && a.n_aaaa == 1, "wrong");
	CHECK("hosts: MX goes on", lookup(h, "web", DNS_TYPE_MX, &a) == 0, "answered");
	CHECK("hosts: a type without an address goes on", lookup(h, "db", DNS_TYPE_AAAA, &a) == 0, "answered");
	CHECK("hosts: tabs and leading blanks", lookup(h, "db", DNS_TYPE_A, &a) == 1, "not found");
	CHECK("hosts: expand-hosts", lookup(h, "db.lan.test", DNS_TYPE_A, &a) == 1, "not found");
	CHECK("hosts: a bad line is skipped", lookup(h, "bogus", DNS_TYPE_A, &a) == 0, "found");
	CHECK("hosts: a bad name is skipped, the next one on the line kept",
	      lookup(h, "ok.test", DNS_TYPE_A, &a) == 1, "not found");
	CHECK("hosts: PTR names the first name of the address's first line (expanded)",
	      lookup(h, "10.2.0.192.in-addr.arpa", DNS_TYPE_PTR, &a) == 1 && a.ptr &&
	      (dns_name_to_text(a.ptr, a.ptr_len, text, sizeof(text)), !strcmp(text, "web.lan.test.")), "got %s", text);
	CHECK("hosts: PTR of an address not there goes on", lookup(h, "1.2.0.192.in-addr.arpa", DNS_TYPE_PTR, &a) == 0,
	      "answered");
	CHECK("hosts: PTR of a partial name goes on", lookup(h, "2.0.192.in-addr.arpa", DNS_TYPE_PTR, &a) == 0,
	      "answered");
	CHECK("localhost: A", lookup(h, "localhost", DNS_TYPE_A, &a) == 1 && a.n_a == 1 && a.a[0] == 127, "wrong");
	CHECK("localhost: below it too", lookup(h, "a.b.LOCALHOST", DNS_TYPE_AAAA, &a) == 1 && a.n_aaaa == 1 &&
	      a.aaaa[15] == 1, "wrong");
	CHECK("localhost: another type is no data", lookup(h, "localhost", DNS_TYPE_MX, &a) == 1 && a.nodata, "wrong");
	CHECK("localhost: notlocalhost is not", lookup(h, "notlocalhost", DNS_TYPE_A, &a) == 0, "answered");
	{
		/* a label that holds "\tlocalhost" as bytes is not the label localhost */
		uint8_t tricky[] = "\x0c" "ab\x09localhost";

		CHECK("localhost: by labels, not bytes", hosts_lookup(h, tricky, sizeof(tricky), DNS_TYPE_A, &a) == 0,
		      "answered");
	}
	hosts_free(h);
	config_free(&cfg);
}

/* Hundreds of names: the tables grow while PTRs name earlier entries (a
 * PTR once pointed into the array that grew; valgrind shows it). */
static void test_growth(void)
{
	const char *argv[] = { "bpfdnsd", "--no-hosts", NULL };
	char arg[300], line[64], text[300];
	struct hosts *h = NULL;
	struct hosts_answer a;
	struct config cfg;
	FILE *f;

	snprintf(arg, sizeof(arg), "--addn-hosts=%s", testconf_write(dir, "many", ""));
	f = fopen(arg + strlen("--addn-hosts="), "w");
	for (int i = 0; f && i < 600; i++)
		fprintf(f, "10.0.%d.%d host%d\n", i / 250, i % 250 + 1, i);
	if (f)
		fclose(f);
	argv[2] = arg;
	testconf_parse(&cfg, 3, argv);
	CHECK("hosts: 600 names loaded", !hosts_load(&h, &cfg) && hosts_count(h) == 600, "%d", hosts_count(h));
	text[0] = '\0';
	snprintf(line, sizeof(line), "1.0.0.10.in-addr.arpa");
	if (h && lookup(h, line, DNS_TYPE_PTR, &a) == 1)
		dns_name_to_text(a.ptr, a.ptr_len, text, sizeof(text));
	CHECK("hosts: the first address's PTR after the tables grew", !strcmp(text, "host0."), "got %s", text);
	CHECK("hosts: the last name", h && lookup(h, "host599", DNS_TYPE_A, &a) == 1, "not found");
	hosts_free(h);
	config_free(&cfg);
}

/* addn-hosts=DIR: its files, in order; dot files and backups skipped. */
static void test_dir(void)
{
	char arg[300], sub[280];
	const char *argv[] = { "bpfdnsd", "--no-hosts", arg };
	struct hosts *h = NULL;
	struct hosts_answer a;
	struct config cfg;

	snprintf(sub, sizeof(sub), "%s/hostsd", dir);
	mkdir(sub, 0700);
	testconf_write(dir, "hostsd/b", "192.0.2.2 b.test\n");
	testconf_write(dir, "hostsd/a", "192.0.2.1 a.test\n");
	testconf_write(dir, "hostsd/.hidden", "192.0.2.3 hidden.test\n");
	testconf_write(dir, "hostsd/c~", "192.0.2.4 backup.test\n");
	snprintf(arg, sizeof(arg), "--addn-hosts=%s", sub);
	testconf_parse(&cfg, 3, argv);
	CHECK("addn-hosts=DIR: its files read", !hosts_load(&h, &cfg) && lookup(h, "a.test", DNS_TYPE_A, &a) == 1 &&
	      lookup(h, "b.test", DNS_TYPE_A, &a) == 1, "not read");
	CHECK("addn-hosts=DIR: dot files and backups skipped", lookup(h, "hidden.test", DNS_TYPE_A, &a) == 0 &&
	      lookup(h, "backup.test", DNS_TYPE_A, &a) == 0, "read");
	hosts_free(h);
	config_free(&cfg);
}

/* Hosts files are not held to the resolv-file's 1 MiB: 60000 lines, about
 * 2.2 MiB, are read whole. */
static void test_big(void)
{
	char arg[300];
	const char *argv[] = { "bpfdnsd", "--no-hosts", arg };
	struct hosts *h = NULL;
	struct config cfg;
	FILE *f;

	snprintf(arg, sizeof(arg), "--addn-hosts=%s", testconf_write(dir, "big", ""));
	f = fopen(arg + strlen("--addn-hosts="), "w");
	for (int i = 0; f && i < 60000; i++)
		fprintf(f, "0.0.0.0 ad%06d.blocklist.example\n", i);
	if (f)
		fclose(f);
	testconf_parse(&cfg, 3, argv);
	CHECK("hosts: a 2 MiB file is read whole", !hosts_load(&h, &cfg) && hosts_count(h) == 60000, "%d",
	      hosts_count(h));
	hosts_free(h);
	config_free(&cfg);
}

static void test_missing(void)
{
	const char *argv[] = { "bpfdnsd", "--no-hosts", "--addn-hosts=/nonexistent/hosts" };
	struct hosts *h = NULL;
	struct config cfg;

	testconf_parse(&cfg, 3, argv);
	CHECK("hosts: a missing file is skipped (as dnsmasq)", !hosts_load(&h, &cfg) && h && !hosts_count(h), "failed");
	hosts_free(h);
	config_free(&cfg);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	log_set_level(LOG_LVL_QUIET);
	test_lookup();
	test_growth();
	test_dir();
	test_big();
	test_missing();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return test_exit();
}
