// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test.c - see test.h. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>
#include "test.h"

int test_failures;

void test_pass(const char *name)
{
	printf("PASS %s\n", name);
	fflush(stdout);
}

void test_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	test_failures++;
}

void test_skip(const char *name, const char *why)
{
	printf("SKIP %s: %s\n", name, why);
	fflush(stdout);
}

void test_hexdiff(const char *label, const void *got, size_t got_len, const void *want, size_t want_len)
{
	const unsigned char *g = got, *w = want;
	size_t n = got_len > want_len ? got_len : want_len;

	fprintf(stderr, "  %s: got %zu bytes, want %zu (offset: got/want, * differs)\n", label, got_len,
		want_len);
	for (size_t i = 0; i < n; i += 16) {
		fprintf(stderr, "  %04zx:", i);
		for (size_t j = i; j < i + 16 && j < n; j++) {
			int diff = j >= got_len || j >= want_len || g[j] != w[j];

			if (j < got_len)
				fprintf(stderr, " %02x", g[j]);
			else
				fprintf(stderr, " --");
			if (j < want_len)
				fprintf(stderr, "/%02x%c", w[j], diff ? '*' : ' ');
			else
				fprintf(stderr, "/--*");
		}
		fprintf(stderr, "\n");
	}
}

int test_exit(void)
{
	return test_failures ? 1 : 0;
}

int test_need_root(const char *what)
{
	if (geteuid() == 0)
		return 1;
	test_skip(what, "needs root (CAP_BPF, CAP_NET_ADMIN); CI runs it as root");
	return 0;
}
