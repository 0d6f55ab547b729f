// SPDX-License-Identifier: GPL-2.0-only
/*
 * Resources: zxhv_hypervisor_resource() and its privilege check (run as an
 * unprivileged uid in a forked child), and zx_resource_create().
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>
#include <zircon-hv.h>

#include "kselftest_harness.h"

#define BAD_PTR		((void *)8)
#define NOT_A_HANDLE	((zx_handle_t)0x12345678u)
#define NOBODY		65534

static zx_handle_t hyp(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	if (zxhv_hypervisor_resource(&h) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return h;
}

static zx_status_t create(zx_handle_t parent, uint32_t options, uint64_t base, size_t size)
{
	zx_handle_t r = ZX_HANDLE_INVALID;
	zx_status_t s = zx_resource_create(parent, options, base, size, "t", 1, &r);

	zx_handle_close(r);
	return s;
}

static zx_status_t hyp_ok(void)
{
	zx_handle_t h;
	zx_status_t s = zxhv_hypervisor_resource(&h);

	zx_handle_close(h);
	return s;
}

static zx_status_t hyp_out_fault(void)
{
	return zxhv_hypervisor_resource(BAD_PTR);
}

static zx_status_t create_same(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_bad_parent(void)
{
	return create(NOT_A_HANDLE, ZX_RSRC_KIND_SYSTEM, 0, 1);
}

static zx_status_t create_no_write(void)
{
	zx_handle_t p = hyp(), q;
	zx_status_t s;

	zx_handle_replace(p, ZX_DEFAULT_RESOURCE_RIGHTS & ~ZX_RIGHT_WRITE, &q);
	s = create(q, ZX_RSRC_KIND_SYSTEM, 0, 1);
	zx_handle_close(q);
	return s;
}

static zx_status_t create_bad_kind(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_COUNT, 0, 1);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_bad_flags(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_SYSTEM | 0x80000000u, 0, 1);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_not_covered(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_VMEX_BASE, 1);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_other_kind(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_MMIO, 0, 1);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_root_from_system(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = create(p, ZX_RSRC_KIND_ROOT, 0, 0);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_name_fault(void)
{
	zx_handle_t p = hyp(), r;
	zx_status_t s = zx_resource_create(p, ZX_RSRC_KIND_SYSTEM, 0, 1, BAD_PTR, 5, &r);

	zx_handle_close(p);
	return s;
}

static zx_status_t create_out_fault(void)
{
	zx_handle_t p = hyp();
	zx_status_t s = zx_resource_create(p, ZX_RSRC_KIND_SYSTEM, 0, 1, "n", 1, BAD_PTR);

	zx_handle_close(p);
	return s;
}

static const struct {
	const char *name;
	zx_status_t (*run)(void);
	zx_status_t want;
} error_table[] = {
	{ "zxhv_hypervisor_resource() as root", hyp_ok, ZX_OK },
	{ "zxhv_hypervisor_resource(faulting out)", hyp_out_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_resource_create(same range)", create_same, ZX_OK },
	{ "zx_resource_create(bad parent)", create_bad_parent, ZX_ERR_BAD_HANDLE },
	{ "zx_resource_create(parent without WRITE)", create_no_write, ZX_ERR_ACCESS_DENIED },
	{ "zx_resource_create(kind COUNT)", create_bad_kind, ZX_ERR_INVALID_ARGS },
	{ "zx_resource_create(unknown flag)", create_bad_flags, ZX_ERR_INVALID_ARGS },
	{ "zx_resource_create(range not covered)", create_not_covered, ZX_ERR_ACCESS_DENIED },
	{ "zx_resource_create(other kind)", create_other_kind, ZX_ERR_ACCESS_DENIED },
	{ "zx_resource_create(ROOT from SYSTEM)", create_root_from_system,
	  ZX_ERR_ACCESS_DENIED },
	{ "zx_resource_create(faulting name)", create_name_fault, ZX_ERR_INVALID_ARGS },
	{ "zx_resource_create(faulting out)", create_out_fault, ZX_ERR_INVALID_ARGS },
};

TEST(every_error_code)
{
	for (size_t i = 0; i < sizeof(error_table) / sizeof(error_table[0]); i++) {
		zx_status_t got = error_table[i].run();

		if (got != error_table[i].want)
			TH_LOG("%s: got %s, want %s", error_table[i].name,
			       zx_status_get_string(got), zx_status_get_string(error_table[i].want));
		EXPECT_EQ(error_table[i].want, got);
	}
}

/* WRONG_TYPE needs an object that is not a resource: a port, when ports exist. */
TEST(create_from_non_resource_is_wrong_type)
{
	zx_handle_t port;

	if (zx_port_create(0, &port) != ZX_OK)
		SKIP(return, "zx_port_create unavailable");
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, create(port, ZX_RSRC_KIND_SYSTEM, 0, 1));
	zx_handle_close(port);
}

TEST(hypervisor_resource_info)
{
	zx_info_handle_basic_t info, info2;
	zx_handle_t h = hyp(), h2 = hyp(), r;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
					    NULL, NULL));
	EXPECT_EQ(ZX_OBJ_TYPE_RESOURCE, info.type);
	EXPECT_EQ(ZX_DEFAULT_RESOURCE_RIGHTS, info.rights);
	/* Each call makes a new object. */
	ASSERT_EQ(ZX_OK, zx_object_get_info(h2, ZX_INFO_HANDLE_BASIC, &info2, sizeof(info2),
					    NULL, NULL));
	EXPECT_NE(info.koid, info2.koid);
	/* A derived resource gets default rights; names of any length are fine. */
	ASSERT_EQ(ZX_OK, zx_resource_create(h, ZX_RSRC_KIND_SYSTEM | ZX_RSRC_FLAG_EXCLUSIVE, 0,
					    1, "a name that is much longer than thirty-one chars",
					    60, &r));
	ASSERT_EQ(ZX_OK, zx_object_get_info(r, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
					    NULL, NULL));
	EXPECT_EQ(ZX_DEFAULT_RESOURCE_RIGHTS, info.rights);
	EXPECT_EQ(ZX_OK, zx_handle_close(r));
	EXPECT_EQ(ZX_OK, zx_resource_create(h, ZX_RSRC_KIND_SYSTEM, 0, 1, NULL, 0, &r));
	EXPECT_EQ(ZX_OK, zx_handle_close(r));
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
	EXPECT_EQ(ZX_OK, zx_handle_close(h2));
}

TEST(create_close_cycles)
{
	zx_handle_t p = hyp(), r;

	ASSERT_NE(ZX_HANDLE_INVALID, p);
	for (int i = 0; i < 1000; i++) {
		ASSERT_EQ(ZX_OK, zx_resource_create(p, ZX_RSRC_KIND_SYSTEM, 0, 1, "c", 1, &r));
		ASSERT_EQ(ZX_OK, zx_handle_close(r));
		ASSERT_EQ(ZX_OK, zxhv_hypervisor_resource(&r));
		ASSERT_EQ(ZX_OK, zx_handle_close(r));
	}
	EXPECT_EQ(ZX_OK, zx_handle_close(p));
}

/*
 * Runs @fn in a child that opened the device as root, then dropped to uid
 * @uid, gid @gid and the supplementary groups @groups; returns its exit code.
 */
static int as_user(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups, int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		uint32_t major, minor;

		/* Open as root: the node is 0660, the check under test is the module's. */
		if (zxhv_api_version(&major, &minor) != ZX_OK)
			_exit(100);
		if (setgroups(ngroups, groups) || setgid(gid) || setuid(uid))
			_exit(101);
		_exit(fn());
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int expect_denied(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	return zxhv_hypervisor_resource(&h) == ZX_ERR_ACCESS_DENIED &&
	       h == ZX_HANDLE_INVALID ? 0 : 1;
}

static int expect_granted(void)
{
	zx_handle_t h;

	return zxhv_hypervisor_resource(&h) == ZX_OK && zx_handle_close(h) == ZX_OK ? 0 : 1;
}

TEST(unprivileged_is_denied)
{
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, NULL, 0, expect_denied));
}

#define GID_PARAM	"/sys/module/zircon_hv/parameters/hypervisor_gid"
#define MEMBER_GID	4242
#define STR_(x)		#x
#define STR(x)		STR_(x)

/* Writes @val to the hypervisor_gid parameter; 0 or -errno. */
static int set_gid_param(const char *val)
{
	int fd = open(GID_PARAM, O_WRONLY | O_CLOEXEC);
	ssize_t len = strlen(val), n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n != len) {
		n = n < 0 ? -errno : -EIO;
		close(fd);
		return n;
	}
	return close(fd) ? -errno : 0;
}

/*
 * Membership of the gid in the module parameter hypervisor_gid, checked at
 * each call.  Changes that machine-wide policy, so only inside tools/vmrun
 * (as root); the old value is put back.
 */
TEST(group_member_is_granted)
{
	static const gid_t member[] = { MEMBER_GID };
	const char *vm = getenv("ZXHV_VM");
	char old[32] = "";
	ssize_t n;
	int fd;

	if (!vm || !*vm)
		SKIP(return, "only inside tools/vmrun (changes " GID_PARAM ")");
	fd = open(GID_PARAM, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", GID_PARAM, strerror(errno));
	n = read(fd, old, sizeof(old) - 1);
	close(fd);
	ASSERT_LT(0, n);
	old[n] = '\0';

	ASSERT_EQ(0, set_gid_param(STR(MEMBER_GID)));
	/* Primary and supplementary, supplementary only, primary only; then neither. */
	EXPECT_EQ(0, as_user(NOBODY, MEMBER_GID, member, 1, expect_granted));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, member, 1, expect_granted));
	EXPECT_EQ(0, as_user(NOBODY, MEMBER_GID, NULL, 0, expect_granted));
	EXPECT_EQ(0, as_user(NOBODY, NOBODY, NULL, 0, expect_denied));
	/* Checked at each call: with no group the same member is denied. */
	EXPECT_EQ(0, set_gid_param("-1"));
	EXPECT_EQ(0, as_user(NOBODY, MEMBER_GID, member, 1, expect_denied));
	/* Root (CAP_SYS_ADMIN) needs no group. */
	EXPECT_EQ(ZX_OK, hyp_ok());

	EXPECT_EQ(0, set_gid_param(old));
}

TEST_HARNESS_MAIN
