// SPDX-License-Identifier: GPL-2.0-only
/*
 * Debug registers belong to whoever runs (issue 16, finding F5): MOV DR
 * exits and is emulated on the VCPU's own DR0-DR3, DR6 and DR7, and the
 * host's breakpoints (DR7, loaded by perf) and DEBUGCTL are back after
 * every exit.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * host_watchpoint_survives      a perf write watchpoint of this thread counts every
 *                               write made after a guest ran on the CPU
 * host_dr0_hidden               with that watchpoint armed (the host's DR0 holds its
 *                               address), the guest reads its own DR0 = 0
 * guest_dr_survive_exits        DR0 and DR7 the guest wrote read back the same after
 *                               an exit to userspace
 */
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* Reports DR0 (low half), then DR7. */
GUEST_PROGRAM(g_dr_read,
	"mov %dr0, %rax\n out %eax, $0x10\n"
	"mov %dr7, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

/* DR0 = 0x12345678, DR7 = G0 (execute breakpoint, never hit); mark; read back. */
GUEST_PROGRAM(g_dr_write,
	"mov $0x12345678, %rax\n mov %rax, %dr0\n"
	"mov $0x402, %rax\n mov %rax, %dr7\n"
	"MARK $1\n"
	"mov %dr0, %rax\n out %eax, $0x10\n"
	"mov %dr7, %rax\n out %eax, $0x10\n"
	"1: jmp 1b");

static volatile uint64_t watched;

/* A perf write watchpoint on @watched for this thread, or -1. */
static int watch(void)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_BREAKPOINT;
	a.size = sizeof(a);
	a.bp_type = HW_BREAKPOINT_W;
	a.bp_addr = (uintptr_t)&watched;
	a.bp_len = HW_BREAKPOINT_LEN_8;
	a.sample_period = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static uint64_t hits(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return ~0ull;
	return n;
}

TEST(host_watchpoint_survives)
{
	struct vm vm;
	int fd, i;

	VM_START(&vm, g_dr_read);
	fd = watch();
	if (fd < 0)
		SKIP(vm_close(&vm); return, "no hardware breakpoints (perf_event_open)");
	watched = 1;
	ASSERT_EQ(1u, hits(fd));
	NEXT_VALUE(&vm);
	for (i = 0; i < 8; i++)
		watched = i;
	EXPECT_EQ(9u, hits(fd));
	close(fd);
	vm_close(&vm);
}

TEST(host_dr0_hidden)
{
	struct vm vm;
	int fd;

	VM_START(&vm, g_dr_read);
	fd = watch();
	if (fd < 0)
		SKIP(vm_close(&vm); return, "no hardware breakpoints (perf_event_open)");
	watched = 1;
	EXPECT_EQ(0u, NEXT_VALUE(&vm));
	EXPECT_EQ(0x400u, NEXT_VALUE(&vm));
	close(fd);
	vm_close(&vm);
}

TEST(guest_dr_survive_exits)
{
	struct vm vm;

	VM_START(&vm, g_dr_write);
	EXPECT_MARK(&vm, 1);
	EXPECT_EQ(0x12345678u, NEXT_VALUE(&vm));
	EXPECT_EQ(0x402u, NEXT_VALUE(&vm));
	vm_close(&vm);
}

TEST_HARNESS_MAIN
