/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * test.h - minimal test reporting shared by the C tests.
 *
 * Each test prints one line: "PASS name", "FAIL name: why" or
 * "SKIP name: why"; tests/run counts them. test_exit() returns 1 when
 * anything failed.
 */
#ifndef BPFDNS_TEST_H
#define BPFDNS_TEST_H

#include <stdio.h>

extern int test_failures;

void test_pass(const char *name);
void test_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void test_skip(const char *name, const char *why);
/* Print a hex dump of a buffer to stderr, marking where it differs from ref. */
void test_hexdiff(const char *label, const void *got, size_t got_len, const void *want, size_t want_len);
int test_exit(void);

/* Skip the whole program (every test in it) unless running as root. */
int test_need_root(const char *what);

#define CHECK(name, cond, ...)                                                   \
	do {                                                                     \
		if (cond)                                                        \
			test_pass(name);                                         \
		else                                                             \
			test_fail(name, __VA_ARGS__);                            \
	} while (0)

#endif /* BPFDNS_TEST_H */
