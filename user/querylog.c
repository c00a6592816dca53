// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* querylog.c - log-queries; see querylog.h. */
#include "dns.h"
#include "log.h"
#include "querylog.h"

void querylog(int on, const uint8_t *name, size_t name_len, uint16_t qtype, const char *what, const char *who)
{
	char text[1024], tbuf[16];

	if (!on)
		return;
	dns_name_to_text(name, name_len, text, sizeof(text));
	pr_info("query[%s] %s %s %s", dns_type_name(qtype, tbuf, sizeof(tbuf)), text, what, who);
}
