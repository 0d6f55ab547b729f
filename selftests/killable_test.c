// SPDX-License-Identifier: GPL-2.0-only
/*
 * Long calls end on a fatal signal, and the VMX probe cannot be used to
 * storm IPIs (issue 16, finding F11).
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * close_many_killable           SIGKILL ends zx_handle_close_many over 2^30 invalid
 *                               handles (minutes of work) within seconds
 * probe_no_ipi_storm            1000 zx_vmx_probe calls send fewer than 100 function-call
 *                               IPIs (the result is cached)
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_ipis.h"
#include "zxhv_vm.h"

TEST(close_many_killable)
{
	const size_t n = 1ul << 30;
	int status = 0, i;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		void *zeros = mmap(NULL, n * sizeof(zx_handle_t), PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (zeros == MAP_FAILED)
			_exit(2);
		zx_handle_close_many(zeros, n);
		_exit(0);
	}
	sleep_ms(500);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	/* 10 s: the whole call takes minutes; a killable loop ends at once. */
	for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++)
		sleep_ms(100);
	EXPECT_GT(100, i);
	if (i == 100)
		waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

TEST(probe_no_ipi_storm)
{
	zxhv_vmx_probe_t p;
	long before, after;
	int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: the probe sends no IPIs");
	before = zxhv_call_ipis();
	if (before < 0)
		SKIP(return, "no CAL line in /proc/interrupts");
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(ZX_OK, zxhv_vmx_probe(&p));
	after = zxhv_call_ipis();
	TH_LOG("function-call IPIs during 1000 probes: %ld", after - before);
	EXPECT_GT(100, after - before);
}

TEST_HARNESS_MAIN
