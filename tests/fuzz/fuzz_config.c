// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_config.c - libFuzzer: a config file (its per-domain lines built into
 * routes and looked up), and the same bytes as a resolv-file and as a
 * hosts file, through the parsers bpfdnsd reads them with. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "config.h"
#include "dns.h"
#include "dnswire.h"
#include "hosts.h"
#include "log.h"
#include "routes.h"
#include "upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = { "a.corp.test", "corp.test", "host", "1.0.168.192.in-addr.arpa",
				     "localhost", "x.y.z.example", "." };

/* Look each name up, as every type a query may be. */
static void lookups(const struct routes *rt, const struct hosts *h)
{
	static const uint16_t types[] = { DNS_TYPE_A, DNS_TYPE_AAAA, DNS_TYPE_ANY, DNS_TYPE_PTR, DNS_TYPE_MX };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		uint8_t name[DNS_NAME_MAX + 1];
		int len = dns_name_from_text(names[i], name, sizeof(name));

		for (size_t t = 0; len > 0 && t < sizeof(types) / sizeof(types[0]); t++) {
			struct hosts_answer ha;

			routes_match(rt, name, (size_t)len, types[t]);
			hosts_lookup(h, name, (size_t)len, types[t], &ha);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct upstreams *ups = NULL;
	struct routes *rt = NULL;
	struct hosts *h = NULL;
	struct config cfg;
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/bpfdns-fuzz-config.%d", (int)getpid());
		log_set_level(LOG_LVL_QUIET);
	}
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	config_defaults(&cfg);
	if (!config_load_file(&cfg, path) && !routes_build(&rt, &cfg, NULL)) {
		lookups(rt, NULL);
		routes_free(rt);
	}
	config_free(&cfg);
	config_defaults(&cfg);
	snprintf(cfg.resolv_file, sizeof(cfg.resolv_file), "%s", path);
	if (!upstreams_load(&ups, &cfg))
		upstreams_put(ups);
	cfg.no_hosts = 1;
	cfg.expand_hosts = 1;
	snprintf(cfg.domain, sizeof(cfg.domain), "lan.test");
	cfg.addn_hosts[cfg.n_addn_hosts++] = path;
	if (!hosts_load(&h, &cfg)) {
		lookups(NULL, h);
		hosts_free(h);
	}
	unlink(path);
	return 0;
}
