/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest programs for vcpu_smp_test.c, on the layout and the macros of
 * vcpu_guest.h (include that first).
 */
#ifndef ZXHV_SELFTESTS_VCPU_SMP_GUEST_H
#define ZXHV_SELFTESTS_VCPU_SMP_GUEST_H

#include "vcpu_guest.h"

#define PORT_SUM	0x12u	/* g_smp_count: the running sum in xmm2 */
#define PORT_ECHO	0x14u	/* g_smp_count: r14 as the host wrote it */
#define SMP_VECTOR	33u

/*
 * State that must survive every migration of the VCPU: per round, rbx
 * counts up, r12 adds rbx (the sum in a GPR), xmm2 adds rbx (the same sum
 * in the guest's FPU state), GPA_DATA gets rbx (memory); then three OUTs:
 * rbx to PORT_VALUE, the low half of xmm2 to PORT_SUM, r14 (which the
 * host writes with zx_vcpu_write_state) to PORT_ECHO.
 */
GUEST_PROGRAM(g_smp_count,
	"1: inc %rbx\n"
	"add %rbx, %r12\n"
	"movq %rbx, %xmm1\n"
	"paddq %xmm1, %xmm2\n"
	"mov %rbx, GPA_DATA\n"
	"mov %ebx, %eax\n out %eax, $" GUEST_STR(PORT_VALUE) "\n"
	"movq %xmm2, %rax\n out %eax, $" GUEST_STR(PORT_SUM) "\n"
	"mov %r14, %rax\n out %eax, $" GUEST_STR(PORT_ECHO) "\n"
	"jmp 1b");

/*
 * Interrupts on, counting at GPA_DATA forever; the handler of SMP_VECTOR
 * reports SMP_VECTOR and returns to the loop.  Marks 1 first.
 */
GUEST_PROGRAM(g_smp_irq,
	"PROLOGUE\n"
	"GATE " GUEST_STR(SMP_VECTOR) ", 20f\n"
	"MARK $1\n"
	"sti\n"
	"1: incq GPA_DATA\n"
	"jmp 1b\n"
	"20: REPORT $" GUEST_STR(SMP_VECTOR) "\n"
	"iretq");

/*
 * Halts with interrupts on, again and again: marks 1 once, then per
 * round halts, (the SMP_VECTOR handler reports SMP_VECTOR), marks 2.
 */
GUEST_PROGRAM(g_smp_hlt_loop,
	"PROLOGUE\n"
	"GATE " GUEST_STR(SMP_VECTOR) ", 20f\n"
	"MARK $1\n"
	"1: sti\n"
	"hlt\n"
	"MARK $2\n"
	"jmp 1b\n"
	"20: REPORT $" GUEST_STR(SMP_VECTOR) "\n"
	"iretq");

#endif /* ZXHV_SELFTESTS_VCPU_SMP_GUEST_H */
