/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A test filter for the kselftest harness of Linux 6.1, which has no -t
 * option: zxhv_filter_tests(VAR) keeps only the tests whose names the
 * environment variable VAR lists (comma-separated), so one boot can run a
 * few tests of a binary (e.g. `make check`'s two-CPU boot runs
 * vcpu_cpu_test's XSAVE tests only).  VAR unset or empty: every test
 * runs.  Call it from main() before test_harness_run(); include after
 * kselftest_harness.h.
 */
#ifndef ZXHV_SELFTEST_FILTER_H
#define ZXHV_SELFTEST_FILTER_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static inline bool zxhv_name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p; ) {
		const char *end = strchrnul(p, ',');

		if ((size_t)(end - p) == n && !strncmp(p, name, n))
			return true;
		p = *end ? end + 1 : end;
	}
	return false;
}

static inline void zxhv_filter_tests(const char *var)
{
	const char *only = getenv(var);
	struct __fixture_metadata *f;

	if (!only || !*only)
		return;
	for (f = __fixture_list; f; f = f->next) {
		struct __test_metadata *t, *next, *head = NULL, *tail = NULL;

		/* The harness's lists: next-linked, head->prev is the tail. */
		for (t = f->tests; t; t = next) {
			next = t->next;
			if (!zxhv_name_listed(only, t->name))
				continue;
			t->next = NULL;
			t->prev = tail ? tail : t;
			if (tail)
				tail->next = t;
			else
				head = t;
			tail = t;
			head->prev = tail;
		}
		f->tests = head;
	}
}

#endif /* ZXHV_SELFTEST_FILTER_H */
