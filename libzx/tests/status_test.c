// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of the public libzx calls that need no guest, linked against
 * libzx.so: every status name, unknown statuses, probe-result strings,
 * argument checks, and (when the module is not loaded) the failure status
 * and that it is not latched.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/status.h>

static int failures;

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);\
		failures++;							\
	}									\
} while (0)

static const struct {
	zx_status_t status;
	const char *name;
} names[] = {
	{ 0, "ZX_OK" },
	{ -1, "ZX_ERR_INTERNAL" },
	{ -2, "ZX_ERR_NOT_SUPPORTED" },
	{ -3, "ZX_ERR_NO_RESOURCES" },
	{ -4, "ZX_ERR_NO_MEMORY" },
	{ -6, "ZX_ERR_INTERNAL_INTR_RETRY" },
	{ -10, "ZX_ERR_INVALID_ARGS" },
	{ -11, "ZX_ERR_BAD_HANDLE" },
	{ -12, "ZX_ERR_WRONG_TYPE" },
	{ -13, "ZX_ERR_BAD_SYSCALL" },
	{ -14, "ZX_ERR_OUT_OF_RANGE" },
	{ -15, "ZX_ERR_BUFFER_TOO_SMALL" },
	{ -20, "ZX_ERR_BAD_STATE" },
	{ -21, "ZX_ERR_TIMED_OUT" },
	{ -22, "ZX_ERR_SHOULD_WAIT" },
	{ -23, "ZX_ERR_CANCELED" },
	{ -24, "ZX_ERR_PEER_CLOSED" },
	{ -25, "ZX_ERR_NOT_FOUND" },
	{ -26, "ZX_ERR_ALREADY_EXISTS" },
	{ -27, "ZX_ERR_ALREADY_BOUND" },
	{ -28, "ZX_ERR_UNAVAILABLE" },
	{ -30, "ZX_ERR_ACCESS_DENIED" },
	{ -60, "ZX_ERR_STOP" },
	{ -61, "ZX_ERR_NEXT" },
	{ -502, "ZX_ERR_INTERNAL_INTR_KILLED" },
};

static int is_known(zx_status_t s)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].status == s)
			return 1;
	}
	return 0;
}

static void test_status_names(void)
{
	size_t i;
	int32_t s;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(strcmp(zx_status_get_string(names[i].status), names[i].name) == 0);

	/* Everything else in a generous window, plus the extremes, is unknown. */
	for (s = -1000; s <= 1000; s++) {
		if (!is_known(s))
			CHECK(strcmp(zx_status_get_string(s), "(UNKNOWN)") == 0);
	}
	CHECK(strcmp(zx_status_get_string(INT32_MIN), "(UNKNOWN)") == 0);
	CHECK(strcmp(zx_status_get_string(INT32_MAX), "(UNKNOWN)") == 0);
}

static void test_probe_strings(void)
{
	const char *unknown = zxhv_vmx_probe_result_string(UINT32_MAX);
	uint32_t r;

	CHECK(strstr(zxhv_vmx_probe_result_string(ZXHV_VMX_NO_CPU_SUPPORT), "CPUID.1:ECX.VMX"));
	CHECK(strstr(zxhv_vmx_probe_result_string(ZXHV_VMX_DISABLED_BY_FIRMWARE), "BIOS/UEFI"));
	CHECK(strstr(zxhv_vmx_probe_result_string(ZXHV_VMX_IN_USE), "rmmod kvm_intel"));
	for (r = ZXHV_VMX_READY; r <= ZXHV_VMX_IN_USE; r++) {
		const char *s = zxhv_vmx_probe_result_string(r);

		CHECK(s && *s && !strchr(s, '\n') && strcmp(s, unknown) != 0);
	}
	CHECK(strcmp(zxhv_vmx_probe_result_string(ZXHV_VMX_IN_USE + 1), unknown) == 0);
}

static void test_args(void)
{
	uint32_t v;

	CHECK(zxhv_api_version(NULL, &v) == ZX_ERR_INVALID_ARGS);
	CHECK(zxhv_api_version(&v, NULL) == ZX_ERR_INVALID_ARGS);
	CHECK(zxhv_vmx_probe(NULL) == ZX_ERR_INVALID_ARGS);
}

/* Without the module, calls fail NOT_SUPPORTED every time (nothing latched). */
static void test_device(void)
{
	zxhv_vmx_probe_t probe;
	uint32_t major, minor;
	int i;

	if (access(ZXHV_DEVICE_PATH, F_OK) == 0 || errno != ENOENT) {
		zx_status_t s = zxhv_api_version(&major, &minor);

		printf("status_test: %s present: api_version %s", ZXHV_DEVICE_PATH,
		       zx_status_get_string(s));
		if (s == ZX_OK)
			printf(" (%u.%u)", major, minor);
		s = zxhv_vmx_probe(&probe);
		printf(", vmx_probe %s", zx_status_get_string(s));
		if (s == ZX_OK)
			printf(" (%s)", zxhv_vmx_probe_result_string(probe.result));
		printf("\n");
		return;
	}
	for (i = 0; i < 2; i++) {
		CHECK(zxhv_api_version(&major, &minor) == ZX_ERR_NOT_SUPPORTED);
		CHECK(zxhv_vmx_probe(&probe) == ZX_ERR_NOT_SUPPORTED);
	}
}

int main(void)
{
	test_status_names();
	test_probe_strings();
	test_args();
	test_device();
	if (failures) {
		fprintf(stderr, "status_test: %d failure(s)\n", failures);
		return 1;
	}
	printf("status_test: ok\n");
	return 0;
}
