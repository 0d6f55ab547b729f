// SPDX-License-Identifier: GPL-2.0-only
/*
 * NMIs the guest blocks wait for its IRET (issue 16, finding F9): an NMI
 * raised while the guest is in its NMI handler is delivered after the
 * handler's IRET (NMI-window exiting), and meanwhile external vectors
 * still reach a handler that enabled interrupts.  Before, the blocked
 * NMI asked for an interrupt window, which exits before every guest
 * instruction once the handler runs STI: the guest never reached its IRET.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * nmi_after_iret                a second NMI raised inside the NMI handler arrives after
 *                               the handler's IRET
 * external_inside_nmi_handler   vector 0x40 raised with that NMI reaches the guest while
 *                               the NMI handler runs with IF = 1; the NMI comes after
 */
#include <stdint.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/*
 * NMI handler: reports 2, STI, a few instructions, IRET.  Vector 0x40:
 * reports 0x40, IRET.  Main: STI, mark 1, spin (marking 3 each loop
 * would flood the host, so the spin is silent).
 */
GUEST_PROGRAM(g_nmi,
	"PROLOGUE\n"
	"GATE 2, 20f\n"
	"GATE 0x40, 21f\n"
	"sti\n"
	"MARK $1\n"
	"1: pause\n jmp 1b\n"
	"20: REPORT $2\n"
	"sti\n nop\n nop\n nop\n nop\n"
	"iretq\n"
	"21: REPORT $0x40\n"
	"iretq\n");

TEST(nmi_after_iret)
{
	struct vm vm;

	VM_START(&vm, g_nmi);
	EXPECT_MARK(&vm, 1);
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 2));
	EXPECT_EQ(2u, NEXT_VALUE(&vm));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 2));
	EXPECT_EQ(2u, NEXT_VALUE(&vm));
	vm_close(&vm);
}

TEST(external_inside_nmi_handler)
{
	struct vm vm;

	VM_START(&vm, g_nmi);
	EXPECT_MARK(&vm, 1);
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 2));
	EXPECT_EQ(2u, NEXT_VALUE(&vm));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 2));
	ASSERT_EQ(ZX_OK, zx_vcpu_interrupt(vm.vcpu, 0x40));
	EXPECT_EQ(0x40u, NEXT_VALUE(&vm));
	EXPECT_EQ(2u, NEXT_VALUE(&vm));
	vm_close(&vm);
}

TEST_HARNESS_MAIN
