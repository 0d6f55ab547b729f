// SPDX-License-Identifier: GPL-2.0-only
/*
 * Instructions that must not run natively in a guest (issue 16, finding
 * F8; docs/api.md §3.6): RDPMC would read the host's performance counters
 * (no PMU in the guest's CPUID: #GP), MONITOR and MWAIT would idle the
 * host CPU (CPUID.1:ECX.MONITOR is clear: #UD), WBINVD would write back
 * and flush the host's caches (a no-op for the guest).
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * rdpmc_gp                      RDPMC at CPL 0 takes #GP(0) in the guest
 * monitor_mwait_ud              MONITOR and MWAIT take #UD in the guest
 * wbinvd_noop                   WBINVD completes and the guest runs on
 */
#include <stdint.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

#define PORT_UD		0x14u

/*
 * #GP reports its error code on PORT_GP, #UD 0x6 on PORT_UD; both resume
 * at %r15.  Marks 1 to 4 follow RDPMC, MONITOR, MWAIT and WBINVD; an
 * instruction that did not fault reports 0xbad on PORT_VALUE first.
 */
GUEST_PROGRAM(g_insns,
	"PROLOGUE\n"
	"GATE 13, 20f\n"
	"GATE 6, 21f\n"
	"lea 1f(%rip), %r15\n"
	"xor %ecx, %ecx\n rdpmc\n REPORT $0xbad\n"
	"1: MARK $1\n"
	"lea 2f(%rip), %r15\n"
	"mov $" GUEST_STR(GPA_DATA) ", %eax\n xor %ecx, %ecx\n xor %edx, %edx\n"
	"monitor\n REPORT $0xbad\n"
	"2: MARK $2\n"
	"lea 3f(%rip), %r15\n"
	"xor %eax, %eax\n xor %ecx, %ecx\n mwait\n REPORT $0xbad\n"
	"3: MARK $3\n"
	"wbinvd\n"
	"MARK $4\n"
	"9: jmp 9b\n"
	"20: GP_CATCH\n"
	"21: mov $6, %eax\n out %eax, $" GUEST_STR(PORT_UD) "\n"
	"mov %r15, (%rsp)\n iretq\n");

TEST(rdpmc_gp)
{
	struct vm vm;

	VM_START(&vm, g_insns);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));
	EXPECT_MARK(&vm, 1);
	vm_close(&vm);
}

TEST(monitor_mwait_ud)
{
	struct vm vm;

	VM_START(&vm, g_insns);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));
	EXPECT_MARK(&vm, 1);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	EXPECT_MARK(&vm, 2);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	EXPECT_MARK(&vm, 3);
	vm_close(&vm);
}

TEST(wbinvd_noop)
{
	struct vm vm;

	VM_START(&vm, g_insns);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));
	EXPECT_MARK(&vm, 1);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	EXPECT_MARK(&vm, 2);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	EXPECT_MARK(&vm, 3);
	EXPECT_MARK(&vm, 4);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
