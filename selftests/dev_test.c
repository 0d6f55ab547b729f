// SPDX-License-Identifier: GPL-2.0-only
/*
 * /dev/zircon-hv itself: the device node, open/close, the API-version and
 * VMX-probe ioctls (raw and through libzx), and transport errors.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zircon/errors.h>
#include <zircon/hv.h>
#include <zircon-hv.h>

#include "kselftest_harness.h"

static bool cpu_has_vmx(void)
{
	unsigned int a, b, c, d;

	__cpuid(1, a, b, c, d);
	return c & (1u << 5);
}

/* "bochs" or "qemu" inside tools/vmrun; unset elsewhere. */
static const char *vm_kind(void)
{
	const char *vm = getenv("ZXHV_VM");

	return vm ? vm : "";
}

TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(ZXHV_DEVICE_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
}

TEST(open_close_repeatedly)
{
	for (int i = 0; i < 1000; i++) {
		int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

		ASSERT_GE(fd, 0);
		ASSERT_EQ(0, close(fd));
	}
}

TEST(api_version_ioctl)
{
	struct zxhv_api_version v;
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	memset(&v, 0xa5, sizeof(v));
	EXPECT_EQ(0, ioctl(fd, ZXHV_IOC_GET_API_VERSION, &v));
	EXPECT_EQ(ZXHV_API_VERSION_MAJOR, v.major);
	EXPECT_EQ(ZXHV_API_VERSION_MINOR, v.minor);
	close(fd);
}

TEST(api_version_bad_pointer_is_efault)
{
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, ZXHV_IOC_GET_API_VERSION, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, ZXHV_IOC_VMX_PROBE, (void *)-4096L));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST(unknown_ioctl_is_enotty)
{
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, _IO(ZXHV_IOC_MAGIC, 0x3f)));
	EXPECT_EQ(ENOTTY, errno);
	/* Right number, wrong direction/size: not the same request. */
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, _IOW(ZXHV_IOC_MAGIC, 0x00, struct zxhv_api_version), NULL));
	EXPECT_EQ(ENOTTY, errno);
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, _IO('T', 0x01)));
	EXPECT_EQ(ENOTTY, errno);
	close(fd);
}

TEST(libzx_api_version)
{
	uint32_t major = 99, minor = 99;

	EXPECT_EQ(ZX_OK, zxhv_api_version(&major, &minor));
	EXPECT_EQ(ZXHV_API_VERSION_MAJOR, major);
	EXPECT_EQ(ZXHV_API_VERSION_MINOR, minor);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxhv_api_version(NULL, &minor));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxhv_api_version(&major, NULL));
}

/* The module's verdict agrees with the CPU, and the bench's emulators. */
TEST(vmx_probe_matches_cpu)
{
	zxhv_vmx_probe_t p;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(ZX_OK, zxhv_vmx_probe(&p));
	EXPECT_EQ(ncpus, (long)p.ncpus);
	EXPECT_LT(p.cpu, (uint32_t)ncpus);
	EXPECT_EQ(0u, p.reserved);
	if (cpu_has_vmx()) {
		EXPECT_NE(ZXHV_VMX_NO_CPU_SUPPORT, p.result);
	} else {
		EXPECT_EQ(ZXHV_VMX_NO_CPU_SUPPORT, p.result);
	}
	/* Bochs (corei7_skylake_x, BIOS locks FEATURE_CONTROL with VMX on). */
	if (!strcmp(vm_kind(), "bochs")) {
		EXPECT_EQ(ZXHV_VMX_READY, p.result);
		EXPECT_EQ(0x5u, p.feature_control & 0x7);
	}
	/* QEMU TCG offers no VMX at all. */
	if (!strcmp(vm_kind(), "qemu")) {
		EXPECT_EQ(ZXHV_VMX_NO_CPU_SUPPORT, p.result);
		EXPECT_EQ(0u, p.feature_control);
	}
	TH_LOG("probe: %s", zxhv_vmx_probe_result_string(p.result));
	EXPECT_NE(NULL, strchr(zxhv_vmx_probe_result_string(p.result), ' '));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxhv_vmx_probe(NULL));
	/* A pointer that cannot be written: a status, not a crash in libzx. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxhv_vmx_probe((zxhv_vmx_probe_t *)8));
}

static void *hammer_version(void *arg)
{
	(void)arg;
	for (int i = 0; i < 500; i++) {
		int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		struct zxhv_api_version v;

		if (fd < 0 || ioctl(fd, ZXHV_IOC_GET_API_VERSION, &v) != 0 ||
		    v.major != ZXHV_API_VERSION_MAJOR)
			return (void *)1;
		close(fd);
	}
	return NULL;
}

TEST(concurrent_open_and_ioctl)
{
	pthread_t t[4];
	void *ret;

	for (int i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_version, NULL));
	for (int i = 0; i < 4; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
}

TEST_HARNESS_MAIN
