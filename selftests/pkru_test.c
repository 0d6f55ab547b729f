// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest cannot reach the host thread's PKRU (issue 16, finding F1):
 * VMX does not switch PKRU, so the module owns CR4.PKE (CPUID hides PKU)
 * and a guest that sets it takes #GP; the host's PKRU and XCR0 are the
 * same after the guest tried.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * cr4_pke_gp                    MOV to CR4 with PKE set takes #GP(0); CR4 reads back
 *                               without PKE; a WRPKRU after it takes #UD
 * host_pkru_xcr0_unchanged      the host thread's PKRU (where the kernel enabled PKU)
 *                               and XCR0 (where OSXSAVE) are unchanged after that guest
 *                               and one that wrote XCR0 = x87 | SSE
 *
 * hoststate_test.c checks the same two (and the rest of the host's state)
 * around guests that disturb everything at once; this file keeps the
 * finding's own guest.
 */
#include <stdint.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"
#include "host_state.h"

#define PORT_UD		0x14u
#define CR4_PKE		(1u << 22)

/*
 * Sets CR4.PKE (#GP reported on PORT_GP), reports CR4, runs WRPKRU with
 * PKRU = 0xc (#UD reported on PORT_UD), sets XCR0 = x87 | SSE (#UD
 * without OSXSAVE), marks 1.
 */
GUEST_PROGRAM(g_pke,
	"PROLOGUE\n"
	"GATE 13, 20f\n"
	"GATE 6, 21f\n"
	"lea 1f(%rip), %r15\n"
	"mov %cr4, %rax\n or $" GUEST_STR(CR4_PKE) ", %rax\n mov %rax, %cr4\n"
	"1: mov %cr4, %rax\n out %eax, $0x10\n"
	"lea 2f(%rip), %r15\n"
	"xor %ecx, %ecx\n xor %edx, %edx\n mov $0xc, %eax\n wrpkru\n"
	"2: lea 3f(%rip), %r15\n"
	"xor %ecx, %ecx\n xor %edx, %edx\n mov $3, %eax\n xsetbv\n"
	"3: MARK $1\n"
	"9: jmp 9b\n"
	"20: GP_CATCH\n"
	"21: mov $6, %eax\n out %eax, $" GUEST_STR(PORT_UD) "\n"
	"mov %r15, (%rsp)\n iretq\n");

TEST(cr4_pke_gp)
{
	struct vm vm;

	VM_START(&vm, g_pke);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));
	EXPECT_EQ(0u, NEXT_VALUE(&vm) & CR4_PKE);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	vm_close(&vm);
}

TEST(host_pkru_xcr0_unchanged)
{
	bool ospke = hs_cpuid_bit(7, 2, 4), osxsave = hs_cpuid_bit(1, 2, 27);
	uint32_t pkru = 0;
	uint64_t xcr0 = 0;
	struct vm vm;

	if (!ospke && !osxsave)
		SKIP(return, "neither PKU nor XSAVE enabled by the host kernel");
	if (ospke)
		pkru = hs_rdpkru();
	if (osxsave)
		xcr0 = hs_xgetbv0();
	VM_START(&vm, g_pke);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));
	NEXT_VALUE(&vm);
	EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	if (!osxsave)
		EXPECT_EQ(6u, NEXT_OUT(&vm, PORT_UD, 4));
	EXPECT_MARK(&vm, 1);
	if (ospke)
		EXPECT_EQ(pkru, hs_rdpkru());
	if (osxsave)
		EXPECT_EQ(xcr0, hs_xgetbv0());
	vm_close(&vm);
}

TEST_HARNESS_MAIN
