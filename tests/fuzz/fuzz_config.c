// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fuzz_config.c - libFuzzer: a config file, and the same bytes as a
 * resolv-file, through the parsers bpfdnsd reads them with. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "config.h"
#include "log.h"
#include "upstream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct upstreams *ups = NULL;
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
	config_load_file(&cfg, path);
	config_defaults(&cfg);
	snprintf(cfg.resolv_file, sizeof(cfg.resolv_file), "%s", path);
	if (!upstreams_load(&ups, &cfg))
		upstreams_put(ups);
	unlink(path);
	return 0;
}
