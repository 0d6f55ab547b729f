// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit test of the device layer without the module.  It links the static
 * libzx.a and defines open() and ioctl() itself, so libzx's calls reach the
 * fakes below instead of the C library.  The steps run in order because
 * libzx latches the first successful open for the life of the process:
 * the errno table, open failures (not latched), a module with the wrong
 * major version (not latched), racing first opens (exactly one latched),
 * EINTR restarts, the mapping of ioctl results, no getpid() on the way of a
 * call, and a forked child's reopen.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#include "../src/internal.h"

static int failures;

#define EXPECT(got, want) do {							\
	zx_status_t g_ = (got), w_ = (want);					\
	if (g_ != w_) {								\
		fprintf(stderr, "%s:%d: %s: got %s, want %s\n", __FILE__,	\
			__LINE__, #got, zx_status_get_string(g_),		\
			zx_status_get_string(w_));				\
		failures++;							\
	}									\
} while (0)

#define CHECK(cond) do {							\
	if (!(cond)) {								\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);\
		failures++;							\
	}									\
} while (0)

/* What the fake device does next. */
static struct {
	int open_errno;		/* open() fails with this if non-zero */
	uint32_t major;		/* reported by ZXHV_IOC_GET_API_VERSION */
	int eintr;		/* this many ioctls fail with EINTR first */
	int ret;		/* ioctl return value for VMX_PROBE ... */
	int ret_errno;		/* ... and its errno when ret is -1 */
} fake;

static atomic_int opens, ioctls, getpids;
/* The process that opened each descriptor, as the module records it. */
static pid_t opener[1024];

static pid_t real_pid(void)
{
	return (pid_t)syscall(SYS_getpid);
}

/* libzx's getpid(): counted, so a test sees a call that asks for it. */
pid_t getpid(void)
{
	atomic_fetch_add(&getpids, 1);
	return real_pid();
}

int open(const char *path, int flags, ...)
{
	int fd;

	if (strcmp(path, ZXHV_DEVICE_PATH) != 0 || !(flags & O_CLOEXEC) ||
	    (flags & O_ACCMODE) != O_RDWR) {
		errno = EINVAL;
		return -1;
	}
	atomic_fetch_add(&opens, 1);
	if (fake.open_errno) {
		errno = fake.open_errno;
		return -1;
	}
	fd = dup(STDERR_FILENO);	/* a real descriptor that close() accepts */
	if (fd >= 0 && fd < (int)(sizeof(opener) / sizeof(opener[0])))
		opener[fd] = real_pid();
	return fd;
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	atomic_fetch_add(&ioctls, 1);
	if (fake.eintr > 0) {
		fake.eintr--;
		errno = EINTR;
		return -1;
	}
	if (req == ZXHV_IOC_GET_API_VERSION) {
		struct zxhv_api_version *v = arg;

		v->major = fake.major;
		v->minor = 7;
		return 0;
	}
	if (req == ZXHV_IOC_VMX_PROBE) {
		struct zxhv_vmx_probe *p = arg;

		if (fake.ret != 0) {
			errno = fake.ret_errno;
			return fake.ret;
		}
		/* The module writes the whole struct. */
		p->result = ZXHV_VMX_IN_USE;
		p->reserved = 0;
		p->cpu = 3;
		p->ncpus = 8;
		p->feature_control = 0x5;
		return 0;
	}
	if (req == ZXHV_IOC_HANDLE_CLOSE) {
		/* A handle call: only from the process that opened the file. */
		if (fd < 0 || fd >= (int)(sizeof(opener) / sizeof(opener[0])) ||
		    opener[fd] != real_pid()) {
			errno = EACCES;
			return -1;
		}
		return 0;
	}
	errno = ENOTTY;
	return -1;
}

static void test_errno_table(void)
{
	EXPECT(zxhv_errno_to_status(EFAULT), ZX_ERR_INVALID_ARGS);
	EXPECT(zxhv_errno_to_status(ENOTTY), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_errno_to_status(EINVAL), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_errno_to_status(ENOMEM), ZX_ERR_NO_MEMORY);
	EXPECT(zxhv_errno_to_status(ENOENT), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_errno_to_status(ENODEV), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_errno_to_status(ENXIO), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_errno_to_status(EACCES), ZX_ERR_ACCESS_DENIED);
	EXPECT(zxhv_errno_to_status(EPERM), ZX_ERR_ACCESS_DENIED);
	EXPECT(zxhv_errno_to_status(EMFILE), ZX_ERR_NO_RESOURCES);
	EXPECT(zxhv_errno_to_status(ENFILE), ZX_ERR_NO_RESOURCES);
	EXPECT(zxhv_errno_to_status(0), ZX_ERR_INTERNAL);
	EXPECT(zxhv_errno_to_status(EIO), ZX_ERR_INTERNAL);
	EXPECT(zxhv_errno_to_status(EBUSY), ZX_ERR_INTERNAL);
}

static void test_open_failures(void)
{
	zxhv_vmx_probe_t probe;
	uint32_t major, minor;

	fake.open_errno = ENOENT;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_api_version(&major, &minor), ZX_ERR_NOT_SUPPORTED);
	fake.open_errno = EACCES;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_ACCESS_DENIED);
	fake.open_errno = EMFILE;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NO_RESOURCES);
	CHECK(atomic_load(&opens) == 4);	/* every call tried again */
	fake.open_errno = 0;
}

static void test_version_mismatch(void)
{
	zxhv_vmx_probe_t probe;
	uint32_t major = 0, minor = 0;

	fake.major = ZXHV_API_VERSION_MAJOR + 1;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NOT_SUPPORTED);
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NOT_SUPPORTED);
	/* The version itself is still reported, so a tool can explain. */
	EXPECT(zxhv_api_version(&major, &minor), ZX_OK);
	CHECK(major == ZXHV_API_VERSION_MAJOR + 1 && minor == 7);
	fake.major = ZXHV_API_VERSION_MAJOR;
}

static void *race_thread(void *arg)
{
	zxhv_vmx_probe_t probe;

	*(zx_status_t *)arg = zxhv_vmx_probe(&probe);
	return NULL;
}

/* Racing first calls: all succeed, and afterwards nobody opens again. */
static void test_race(void)
{
	enum { N = 8 };
	pthread_t t[N];
	zx_status_t st[N];
	zxhv_vmx_probe_t probe;
	int i, before;

	for (i = 0; i < N; i++)
		CHECK(pthread_create(&t[i], NULL, race_thread, &st[i]) == 0);
	for (i = 0; i < N; i++) {
		pthread_join(t[i], NULL);
		EXPECT(st[i], ZX_OK);
	}
	before = atomic_load(&opens);
	EXPECT(zxhv_vmx_probe(&probe), ZX_OK);
	CHECK(atomic_load(&opens) == before);
}

static void test_ioctl_results(void)
{
	zxhv_vmx_probe_t probe;
	uint32_t major, minor;
	int before;

	memset(&probe, 0xAA, sizeof(probe));
	fake.eintr = 3;
	before = atomic_load(&ioctls);
	EXPECT(zxhv_vmx_probe(&probe), ZX_OK);
	CHECK(atomic_load(&ioctls) == before + 4);
	CHECK(probe.result == ZXHV_VMX_IN_USE && probe.cpu == 3 && probe.ncpus == 8);
	CHECK(probe.reserved == 0 && probe.feature_control == 0x5);

	EXPECT(zxhv_api_version(&major, &minor), ZX_OK);
	CHECK(major == ZXHV_API_VERSION_MAJOR && minor == 7);

	/* A failed call leaves *out alone. */
	memset(&probe, 0x55, sizeof(probe));
	fake.ret = 10;				/* the module's ZX_ERR_INVALID_ARGS */
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_INVALID_ARGS);
	CHECK(probe.cpu == 0x55555555u);
	fake.ret = 30;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_ACCESS_DENIED);
	fake.ret = -1;
	fake.ret_errno = EFAULT;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_INVALID_ARGS);
	fake.ret_errno = ENOTTY;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NOT_SUPPORTED);
	fake.ret_errno = ENOMEM;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_NO_MEMORY);
	fake.ret_errno = EIO;
	EXPECT(zxhv_vmx_probe(&probe), ZX_ERR_INTERNAL);
	fake.ret = 0;
}

/*
 * Once the device is open a call is one ioctl and nothing else: no getpid()
 * (a system call with glibc) on the way of every zx_vcpu_enter().
 */
static void test_one_syscall(void)
{
	zxhv_vmx_probe_t probe;
	int i, before;

	EXPECT(zx_handle_close(5), ZX_OK);
	before = atomic_load(&ioctls);
	atomic_store(&getpids, 0);
	for (i = 0; i < 100; i++) {
		EXPECT(zx_handle_close(5), ZX_OK);
		EXPECT(zxhv_vmx_probe(&probe), ZX_OK);
	}
	CHECK(atomic_load(&ioctls) == before + 200);
	CHECK(atomic_load(&getpids) == 0);
}

/*
 * A forked child must not use the parent's descriptor (its handle table
 * belongs to the parent): the module refuses its first handle call there,
 * and libzx opens the device again, once, and makes the call on the new
 * descriptor.  A call that needs no table is answered on the inherited one.
 */
static void test_fork(void)
{
	zxhv_vmx_probe_t probe;
	int status, before;
	pid_t pid;

	EXPECT(zx_handle_close(5), ZX_OK);
	before = atomic_load(&opens);
	pid = fork();
	if (pid == 0) {
		int ok = zxhv_vmx_probe(&probe) == ZX_OK &&
			 atomic_load(&opens) == before;
		int calls = atomic_load(&ioctls);

		ok = ok && zx_handle_close(5) == ZX_OK &&
		     atomic_load(&opens) == before + 1 &&
		     atomic_load(&ioctls) == calls + 3 &&	/* refused, version, again */
		     zx_handle_close(5) == ZX_OK &&
		     zxhv_vmx_probe(&probe) == ZX_OK &&
		     atomic_load(&opens) == before + 1;
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The parent keeps its own descriptor. */
	EXPECT(zx_handle_close(5), ZX_OK);
	EXPECT(zxhv_vmx_probe(&probe), ZX_OK);
	CHECK(atomic_load(&opens) == before);
}

int main(void)
{
	test_errno_table();
	test_open_failures();
	test_version_mismatch();
	test_race();
	test_ioctl_results();
	test_one_syscall();
	test_fork();
	if (failures) {
		fprintf(stderr, "device_test: %d failure(s)\n", failures);
		return 1;
	}
	printf("device_test: ok (%d opens)\n", atomic_load(&opens));
	return 0;
}
