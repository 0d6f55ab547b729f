// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory a caller makes in numbers is charged to its memory cgroup
 * (issue 16, finding F3).  A child in a cgroup v2 group with memory.max =
 * 2 MiB duplicates one VMO handle 400,000 times (about 10 MB of handle
 * table unless charged): the duplicates must stop with ZX_ERR_NO_MEMORY
 * long before that (not by the group's OOM killer).
 * Skipped where cgroup v2 or its memory controller is missing.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * handles_charged               400,000 handles do not fit in a 2 MiB memory cgroup:
 *                               NO_MEMORY
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/rights.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"

#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/zxhv-memcg-test"
#define HANDLES		400000

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A cgroup v2 group with memory.max = @max: 0, or -1 if not possible here. */
static int make_group(const char *max)
{
	struct stat st;

	if (stat(CG_ROOT "/cgroup.controllers", &st) &&
	    mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
		return -1;
	if (write_file(CG_ROOT "/cgroup.subtree_control", "+memory"))
		return -1;
	if (mkdir(CG, 0755) && errno != EEXIST)
		return -1;
	return write_file(CG "/memory.max", max);
}

/* The child: joins the group, then duplicates; exit 0 if all fit, 1 on NO_MEMORY. */
static void child(void)
{
	zx_handle_t vmo, h;
	char pid[32];
	long i;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(CG "/cgroup.procs", pid))
		_exit(3);
	if (zx_vmo_create(0, 0, &vmo) != ZX_OK)
		_exit(4);
	for (i = 0; i < HANDLES; i++) {
		zx_status_t s = zx_handle_duplicate(vmo, ZX_RIGHT_SAME_RIGHTS, &h);

		if (s == ZX_ERR_NO_MEMORY)
			_exit(1);
		if (s != ZX_OK)
			_exit(5);
	}
	_exit(0);
}

FIXTURE(memcg) {};
FIXTURE_SETUP(memcg) {}
FIXTURE_TEARDOWN(memcg) {}

/* Slow under KASAN in an emulator: up to 5 minutes. */
TEST_F_TIMEOUT(memcg, handles_charged, 300)
{
	int status = 0;
	pid_t pid;

	if (make_group("2M"))
		SKIP(return, "no cgroup v2 memory controller");
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		child();
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	if (WIFEXITED(status))
		TH_LOG("child exit status %d (0: all %d handles fit)", WEXITSTATUS(status),
		       HANDLES);
	else
		TH_LOG("child killed by signal %d", WTERMSIG(status));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	rmdir(CG);
}

TEST_HARNESS_MAIN
