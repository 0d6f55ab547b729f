// SPDX-License-Identifier: BSD-2-Clause
/*
 * The /dev/zircon-hv file descriptor and the ioctl transport.
 *
 * The device is opened on the first call that needs it.  Success is latched
 * for the life of the process (the module's handle table belongs to this
 * open file); a failure is not, so a call made after `modprobe zircon-hv`
 * succeeds without restarting the program.  Threads that race on the first
 * open each open the device, one wins the compare-and-swap, and the others
 * close their descriptor and use the winner's.
 *
 * The latch records the pid beside the descriptor.  A forked child inherits
 * the descriptor, but the module refuses (EACCES) handle calls from any
 * process other than the one that opened the file; so when a call is refused
 * and the latched pid is not ours, the child closes its copy of the
 * descriptor (the parent's table is untouched), opens the device again and
 * makes the call once more: the child starts with an empty handle table, as
 * a new Zircon process does.  The pid is asked for only then: glibc does not
 * cache it, and a getpid() on every call was a system call beside each
 * zx_vcpu_enter() (docs/benchmarks.md).  Calls that need no handle table
 * (the API version, zxhv_vmx_probe()) are answered on the inherited
 * descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <zircon-hv.h>
#include <zircon/hv.h>

#include "internal.h"

/*
 * 0 until an open with a usable API version succeeds; then the pid of the
 * process that opened it (high 32 bits) and the descriptor (low 32 bits).
 * Changes again only in a forked child.  One word, so one atomic load gives
 * a matching pair.
 */
static _Atomic uint64_t device_state;

static uint64_t state_make(pid_t pid, int fd)
{
	return (uint64_t)(uint32_t)pid << 32 | (uint32_t)fd;
}

/* The latched descriptor, or -1 if none is. */
static int state_fd(uint64_t state)
{
	return state ? (int)(uint32_t)state : -1;
}

/* Whether the latch was made by another process: this one's parent. */
static bool state_inherited(uint64_t state)
{
	return state && (pid_t)(state >> 32) != getpid();
}

/* The latched descriptor if this process opened it, else -1 (asks the pid). */
static int state_own_fd(uint64_t state)
{
	return state_inherited(state) ? -1 : state_fd(state);
}

/*
 * Drops a latch inherited from the parent: closes this process's copy of the
 * parent's descriptor, once, whichever thread gets here first.
 */
static void state_forget_parent(uint64_t state)
{
	if (state && atomic_compare_exchange_strong(&device_state, &state, 0))
		close((int)(uint32_t)state);
}

/* Linux errno -> zx status, for both open() and ioctl() failures. */
static const struct {
	int err;
	zx_status_t status;
} errno_map[] = {
	{ EFAULT, ZX_ERR_INVALID_ARGS },	/* argument block not accessible */
	{ ENOTTY, ZX_ERR_NOT_SUPPORTED },	/* ioctl unknown to this module */
	{ EINVAL, ZX_ERR_NOT_SUPPORTED },
	{ ENOENT, ZX_ERR_NOT_SUPPORTED },	/* module not loaded */
	{ ENODEV, ZX_ERR_NOT_SUPPORTED },
	{ ENXIO, ZX_ERR_NOT_SUPPORTED },
	{ EACCES, ZX_ERR_ACCESS_DENIED },	/* device node permissions */
	{ EPERM, ZX_ERR_ACCESS_DENIED },
	{ EMFILE, ZX_ERR_NO_RESOURCES },
	{ ENFILE, ZX_ERR_NO_RESOURCES },
	{ ENOMEM, ZX_ERR_NO_MEMORY },
};

zx_status_t zxhv_errno_to_status(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errno_map) / sizeof(errno_map[0]); i++) {
		if (errno_map[i].err == err)
			return errno_map[i].status;
	}
	return ZX_ERR_INTERNAL;
}

/* ioctl() restarted after EINTR: its result, errno set when it is < 0. */
static int fd_ioctl_raw(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret;
}

static zx_status_t ioctl_status(int ret)
{
	return ret < 0 ? zxhv_errno_to_status(errno) : ZXHV_STATUS(ret);
}

static zx_status_t fd_ioctl(int fd, unsigned long req, void *arg)
{
	return ioctl_status(fd_ioctl_raw(fd, req, arg));
}

/* Opens the device and reads its API version; on ZX_OK the caller owns *fdp. */
static zx_status_t device_open(int *fdp, struct zxhv_api_version *ver)
{
	zx_status_t status;
	int fd;

	do {
		fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return zxhv_errno_to_status(errno);

	memset(ver, 0, sizeof(*ver));
	status = fd_ioctl(fd, ZXHV_IOC_GET_API_VERSION, ver);
	if (status != ZX_OK) {
		close(fd);
		return status;
	}
	*fdp = fd;
	return ZX_OK;
}

/* Makes fd the process's device descriptor, unless another thread got there first. */
static int device_publish(int fd)
{
	uint64_t expected = 0;

	if (atomic_compare_exchange_strong(&device_state, &expected, state_make(getpid(), fd)))
		return fd;
	close(fd);
	return state_own_fd(expected);
}

static zx_status_t device_get(int *fdp)
{
	struct zxhv_api_version ver;
	zx_status_t status;
	uint64_t state;
	int fd;

	state = atomic_load_explicit(&device_state, memory_order_acquire);
	fd = state_own_fd(state);
	if (fd >= 0) {
		*fdp = fd;
		return ZX_OK;
	}
	state_forget_parent(state);

	status = device_open(&fd, &ver);
	if (status != ZX_OK)
		return status;
	if (ver.major != ZXHV_API_VERSION_MAJOR) {
		close(fd);
		return ZX_ERR_NOT_SUPPORTED;
	}
	fd = device_publish(fd);
	if (fd < 0)
		return ZX_ERR_BAD_STATE;	/* another thread forked meanwhile */
	*fdp = fd;
	return ZX_OK;
}

zx_status_t zxhv_ioctl(unsigned long req, void *arg)
{
	uint64_t state = atomic_load_explicit(&device_state, memory_order_acquire);
	zx_status_t status;
	int fd, ret;

	if (state) {
		ret = fd_ioctl_raw(state_fd(state), req, arg);
		/* Refused before it ran: a forked child's first handle call. */
		if (!(ret < 0 && errno == EACCES && state_inherited(state)))
			return ioctl_status(ret);
	}
	status = device_get(&fd);
	if (status != ZX_OK)
		return status;
	return fd_ioctl(fd, req, arg);
}

ZXHV_EXPORT zx_status_t zxhv_api_version(uint32_t *major, uint32_t *minor)
{
	struct zxhv_api_version ver;
	zx_status_t status;
	uint64_t state;
	int fd;

	if (!major || !minor)
		return ZX_ERR_INVALID_ARGS;

	state = atomic_load_explicit(&device_state, memory_order_acquire);
	fd = state_own_fd(state);
	if (fd < 0)
		state_forget_parent(state);
	if (fd >= 0) {
		memset(&ver, 0, sizeof(ver));
		status = fd_ioctl(fd, ZXHV_IOC_GET_API_VERSION, &ver);
		if (status != ZX_OK)
			return status;
	} else {
		/* Report even a version libzx cannot use, but latch only a usable one. */
		status = device_open(&fd, &ver);
		if (status != ZX_OK)
			return status;
		if (ver.major == ZXHV_API_VERSION_MAJOR)
			device_publish(fd);
		else
			close(fd);
	}

	*major = ver.major;
	*minor = ver.minor;
	return ZX_OK;
}
