// SPDX-License-Identifier: GPL-2.0-only
/*
 * An exit during event delivery (issue 16, finding F10): when delivering
 * an interrupt or exception touches a MEM trap page (its frame is pushed
 * there), no instruction caused the exit, so nothing may be emulated and
 * RIP must not move: zx_vcpu_enter returns ZX_ERR_NOT_SUPPORTED
 * (docs/api.md §3.2), every time it is entered again.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * int_frame_on_mem_trap         INT 0x40 with RSP in the MEM trap page: NOT_SUPPORTED,
 *                               twice, no MEM packet and no bogus RIP skip
 */
#include <stdint.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

GUEST_PROGRAM(g_int_on_trap,
	"PROLOGUE\n"
	"GATE 0x40, 5f\n"
	"MARK $1\n"
	"mov $" GUEST_STR(GPA_MEM_TRAP) " + 0x800, %rsp\n"
	"int $0x40\n"
	"mov $" GUEST_STR(STACK_TOP) ", %rsp\n"
	"MARK $0xbad\n"
	"5: MARK $0xbad2\n"
	"6: jmp 6b\n");

TEST(int_frame_on_mem_trap)
{
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_int_on_trap);
	EXPECT_MARK(&vm, 1);
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, zx_vcpu_enter(vm.vcpu, &p));
	EXPECT_EQ(0u, p.type);
	memset(&p, 0, sizeof(p));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, zx_vcpu_enter(vm.vcpu, &p));
	EXPECT_EQ(0u, p.type);
	vm_close(&vm);
}

TEST_HARNESS_MAIN
