// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handle tables and processes, through the raw ioctls and libzx: one
 * table per open of the device, a forked child's table of its own, and
 * zxhv_handle_export()/zxhv_handle_import() moving a handle into an
 * unprivileged, fork+exec'd child over SCM_RIGHTS.  The calls' error
 * table: handle_test.c.  The objects are hypervisor resources, so these
 * tests run as root.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * raw_reserved_must_be_zero     HANDLE_CLOSE's reserved field must be 0; a faulting
 *                               argument -> EFAULT
 * raw_tables_are_separate       two opens of the device are two handle tables
 * forked_child_gets_its_own_table
 *                               a forked child: EACCES on the inherited descriptor,
 *                               a table of its own, the parent's handle survives
 * export_import_roundtrip       export moves the handle into a CLOEXEC descriptor,
 *                               import brings it back; closing the descriptor closes it
 * raw_export_reserved_must_be_zero
 *                               EXPORT/IMPORT's reserved fields must be 0
 * export_to_unprivileged_exec_child
 *                               an exec'd child running as nobody is refused the
 *                               resource, imports it over SCM_RIGHTS and uses it
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>
#include <zircon-hv.h>

#include "kselftest_harness.h"
#include "zxhv_handles.h"

/* --- the raw ABI ------------------------------------------------------------- */

TEST(raw_reserved_must_be_zero)
{
	struct zxhv_handle_close c = { .handle = ZX_HANDLE_INVALID, .reserved = 1 };
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_HANDLE_CLOSE, &c));
	c.reserved = 0;
	EXPECT_EQ(ZX_OK, ioctl(fd, ZXHV_IOC_HANDLE_CLOSE, &c));
	errno = 0;
	EXPECT_EQ(-1, ioctl(fd, ZXHV_IOC_HANDLE_CLOSE, BAD_PTR));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

/* Two opens are two tables: a value from one means nothing in the other. */
TEST(raw_tables_are_separate)
{
	struct zxhv_hypervisor_resource r;
	struct zxhv_handle_close c = { 0 };
	int a = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int b = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	zx_handle_t h = 0;

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	r.out = (uintptr_t)&h;
	ASSERT_EQ(ZX_OK, ioctl(a, ZXHV_IOC_HYPERVISOR_RESOURCE, &r));
	c.handle = h;
	EXPECT_EQ(-ZX_ERR_BAD_HANDLE, ioctl(b, ZXHV_IOC_HANDLE_CLOSE, &c));
	EXPECT_EQ(ZX_OK, ioctl(a, ZXHV_IOC_HANDLE_CLOSE, &c));
	/* Handles still open at close() are released with the table. */
	ASSERT_EQ(ZX_OK, ioctl(a, ZXHV_IOC_HYPERVISOR_RESOURCE, &r));
	close(a);
	close(b);
}

/*
 * A forked child: the inherited descriptor refuses it (-1/EACCES), and
 * libzx gives it a table of its own where the parent's values mean nothing.
 */
TEST(forked_child_gets_its_own_table)
{
	struct zxhv_handle_close c = { 0 };
	zx_handle_t h = new_object();
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	int status;
	pid_t pid;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_GE(fd, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		zx_handle_t mine;
		int bad = 0;

		errno = 0;
		if (ioctl(fd, ZXHV_IOC_HANDLE_CLOSE, &c) != -1 || errno != EACCES)
			bad |= 1;
		if (valid(h))
			bad |= 2;
		if (zx_handle_close(h) != ZX_ERR_BAD_HANDLE)
			bad |= 4;
		mine = new_object();
		if (mine == ZX_HANDLE_INVALID || !valid(mine))
			bad |= 8;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The parent's handle survived the child. */
	EXPECT_TRUE(valid(h));
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
	close(fd);
}

/* --- crossing processes ----------------------------------------------------- */

TEST(export_import_roundtrip)
{
	zx_info_handle_basic_t a, b;
	zx_handle_t h = object_with_rights(ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT), back;
	zx_status_t s;
	int fd;

	a = basic_info(h, &s);
	ASSERT_EQ(ZX_OK, s);
	ASSERT_EQ(ZX_OK, zxhv_handle_export(h, &fd));
	EXPECT_FALSE(valid(h));
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(ZX_OK, zxhv_handle_import(fd, &back));
	b = basic_info(back, &s);
	EXPECT_EQ(a.koid, b.koid);
	EXPECT_EQ(a.rights, b.rights);
	EXPECT_EQ(ZX_OK, zx_handle_close(back));
	close(fd);

	/* Closing an exported descriptor closes the handle with it. */
	for (int i = 0; i < 1000; i++) {
		ASSERT_EQ(ZX_OK, zxhv_handle_export(new_object(), &fd));
		ASSERT_EQ(0, close(fd));
	}
}

TEST(raw_export_reserved_must_be_zero)
{
	struct zxhv_handle_export e = { .handle = NOT_A_HANDLE, .reserved = 1 };
	struct zxhv_handle_import i = { .fd = -1, .reserved = 1 };
	int fd = open(ZXHV_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	ASSERT_GE(fd, 0);
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_HANDLE_EXPORT, &e));
	EXPECT_EQ(-ZX_ERR_INVALID_ARGS, ioctl(fd, ZXHV_IOC_HANDLE_IMPORT, &i));
	e.reserved = 0;
	i.reserved = 0;
	EXPECT_EQ(-ZX_ERR_BAD_HANDLE, ioctl(fd, ZXHV_IOC_HANDLE_EXPORT, &e));
	EXPECT_EQ(-ZX_ERR_BAD_HANDLE, ioctl(fd, ZXHV_IOC_HANDLE_IMPORT, &i));
	close(fd);
}

#define CHILD_ENV	"ZXHV_HANDLE_TEST_IMPORT_SOCK"
#define NOBODY		65534

static int recv_fd(int sock)
{
	char data, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

static int send_fd(int sock, int fd)
{
	char data = 'h', cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/* zx_guest_create() with @resource: ZX_OK if this host can run guests. */
static int guest_create_as_expected(zx_handle_t resource)
{
	zx_handle_t guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
	zxhv_vmx_probe_t probe;
	zx_status_t want, got;

	if (zxhv_vmx_probe(&probe) != ZX_OK)
		return -1;
	want = probe.result == ZXHV_VMX_READY ? ZX_OK : ZX_ERR_NOT_SUPPORTED;
	got = zx_guest_create(resource, 0, &guest, &vmar);
	zx_handle_close(guest);
	zx_handle_close(vmar);
	return got == want ? 0 : -1;
}

/*
 * The re-executed child: drops to nobody, is refused the hypervisor
 * resource, then receives it over the socket and uses it (deriving a
 * resource, creating a guest).  Exits with a bit per failed step.
 */
static int import_child(int sock)
{
	zx_info_handle_basic_t info;
	zx_handle_t h = ZX_HANDLE_INVALID, r, again;
	uint32_t major, minor;
	int bad = 0, fd;

	/* The node is 0660: open it as root, the check under test is the module's. */
	if (zxhv_api_version(&major, &minor) != ZX_OK)
		return 0x80;
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return 0x40;
	if (zxhv_hypervisor_resource(&h) != ZX_ERR_ACCESS_DENIED)
		bad |= 0x1;
	fd = recv_fd(sock);
	if (fd < 0)
		return bad | 0x2;
	if (zxhv_handle_import(fd, &h) != ZX_OK)
		return bad | 0x4;
	if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info), NULL, NULL) != ZX_OK ||
	    info.type != ZX_OBJ_TYPE_RESOURCE || info.rights != ZX_DEFAULT_RESOURCE_RIGHTS)
		bad |= 0x8;
	/* Delegation: the imported resource works for its new owner. */
	if (zx_resource_create(h, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1,
			       "delegated", 9, &r) != ZX_OK || zx_handle_close(r) != ZX_OK)
		bad |= 0x10;
	if (zxhv_handle_import(fd, &again) != ZX_ERR_BAD_HANDLE)
		bad |= 0x20;
	/*
	 * ... and creates guests: ZX_OK where guests can run, else the
	 * resource passes and VMX is what is missing (NOT_SUPPORTED).
	 */
	if (guest_create_as_expected(h))
		bad |= 0xc0;
	zx_handle_close(h);
	close(fd);
	return bad;
}

static void __attribute__((constructor)) maybe_import_child(void)
{
	const char *sock = getenv(CHILD_ENV);

	if (sock)
		_exit(import_child(atoi(sock)));
}

TEST(export_to_unprivileged_exec_child)
{
	zx_handle_t h = new_object();
	int sv[2], fd, status;
	char num[16];
	pid_t pid;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	ASSERT_EQ(ZX_OK, zxhv_handle_export(h, &fd));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(sv[0]);
		snprintf(num, sizeof(num), "%d", sv[1]);
		setenv(CHILD_ENV, num, 1);
		execl("/proc/self/exe", "handle_process_test", (char *)NULL);
		_exit(0x7f);
	}
	close(sv[1]);
	/* The exported descriptor is close-on-exec: the child has only the socket. */
	ASSERT_EQ(0, send_fd(sv[0], fd));
	close(fd);
	close(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The handle moved: the parent has nothing left. */
	EXPECT_FALSE(valid(h));
}

TEST_HARNESS_MAIN
