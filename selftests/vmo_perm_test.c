// SPDX-License-Identifier: GPL-2.0-only
/*
 * A mapping grants only what the handles allowed, through every path
 * (issue 16, finding F7): a VMO mapped with no ZX_VM_PERM_* bits by a
 * handle that lacks ZX_RIGHT_READ cannot be read through /proc/self/mem
 * (FOLL_FORCE honours VM_MAYREAD, not VM_READ), nor made readable by
 * mprotect().
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * map_only_not_readable         a MAP-only handle maps with no perms; zx_vmo_read,
 *                               /proc/self/mem and mprotect(PROT_READ) all fail
 * readable_still_readable       with ZX_RIGHT_READ, /proc/self/mem reads the bytes
 */
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zircon/rights.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"

static const char secret[] = "zircon-hv-SECRET-0123456789";

/* A VMO holding the secret; *@h: a duplicate with @rights, mapped with @perms. */
static void map_secret(struct __test_metadata *_metadata, zx_rights_t rights, uint32_t perms,
		       zx_handle_t *vmo, zx_handle_t *h, zx_vaddr_t *addr)
{
	ASSERT_EQ(ZX_OK, zx_vmo_create(4096, 0, vmo));
	ASSERT_EQ(ZX_OK, zx_vmo_write(*vmo, secret, 0, sizeof(secret)));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(*vmo, rights, h));
	ASSERT_EQ(ZX_OK, zx_vmar_map(zx_vmar_root_self(), perms, 0, *h, 0, 4096, addr));
}

/* Reads @len bytes at @addr through /proc/self/mem: the byte count or -1. */
static ssize_t read_mem(zx_vaddr_t addr, void *buf, size_t len)
{
	int fd = open("/proc/self/mem", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -2;
	n = pread(fd, buf, len, (off_t)addr);
	close(fd);
	return n;
}

TEST(map_only_not_readable)
{
	zx_handle_t vmo, h;
	zx_vaddr_t addr;
	char buf[sizeof(secret)];

	map_secret(_metadata, ZX_RIGHT_MAP, 0, &vmo, &h, &addr);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_read(h, buf, 0, sizeof(buf)));
	memset(buf, 0, sizeof(buf));
	EXPECT_GT(0, read_mem(addr, buf, sizeof(buf)));
	EXPECT_NE(0, memcmp(buf, secret, sizeof(secret)));
	EXPECT_NE(0, mprotect((void *)addr, 4096, PROT_READ));
	EXPECT_NE(0, mprotect((void *)addr, 4096, PROT_WRITE));
	zx_vmar_unmap(zx_vmar_root_self(), addr, 4096);
	zx_handle_close(h);
	zx_handle_close(vmo);
}

TEST(readable_still_readable)
{
	zx_handle_t vmo, h;
	zx_vaddr_t addr;
	char buf[sizeof(secret)];

	map_secret(_metadata, ZX_RIGHT_MAP | ZX_RIGHT_READ, 0, &vmo, &h, &addr);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ((ssize_t)sizeof(buf), read_mem(addr, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, secret, sizeof(secret)));
	EXPECT_EQ(0, mprotect((void *)addr, 4096, PROT_READ));
	EXPECT_EQ(0, memcmp((void *)addr, secret, sizeof(secret)));
	zx_vmar_unmap(zx_vmar_root_self(), addr, 4096);
	zx_handle_close(h);
	zx_handle_close(vmo);
}

TEST_HARNESS_MAIN
