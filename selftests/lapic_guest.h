/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest programs for lapic_test.c: the in-kernel x2APIC, its timer, IPIs
 * and an SMP guest.  They use the layout, GUEST_PROGRAM and the PROLOGUE,
 * GATE, GP_CATCH, REPORT and MARK macros of vcpu_guest.h.
 *
 * Shared data (in GPA_DATA, which the host sees too):
 *   TICKS   GPA_DATA + 0x100  interrupts the counting handler took
 *   COUNTER GPA_DATA          the SMP guest's shared counter
 *   IPIS    GPA_DATA + 0x8    IPIs the SMP BSP took
 *   APS     GPA_DATA + 0x10   APs that finished counting
 *
 * Programs at GPA_CODE run on the BSP in long mode; the ones the test
 * copies to AP_GPA are 16-bit code for APs, which start in real mode.
 */
#ifndef ZXHV_SELFTESTS_LAPIC_GUEST_H
#define ZXHV_SELFTESTS_LAPIC_GUEST_H

#include "vcpu_guest.h"

/* Plain numbers: the programs' assembler text uses them as well. */
#define GPA_TICKS	0x6100
#define GPA_COUNTER	0x6000
#define GPA_IPIS	0x6008
#define GPA_APS		0x6010

/* Timer counts (TSC ticks at divide-by-1). */
#define ONESHOT_COUNT	2000000
#define PERIODIC_COUNT	1000000
#define PERIODIC_TICKS	5
#define DEADLINE_DELTA	2000000
#define SMP_COUNT	10000
#define SMP_IPI_VECTOR	0x60

/*
 * ICR values in the programs are written out in hex (gas splits macro
 * arguments at spaces): vector | delivery mode << 8 (4 NMI, 5 INIT,
 * 6 STARTUP) | logical << 11 | shorthand << 18 (1 self, 2 all, 3 all but
 * self), destination in the high half (SDM Vol. 3A Figure 11-28).
 */

/*
 * WRMSR_IMM msr, lo, hi: WRMSR of hi:lo.  RDMSR_IMM msr: EDX:EAX.
 * TICK_HANDLER: an interrupt handler that counts in TICKS and writes 0 to
 * EOI.  WAIT_TICKS n: halt until TICKS >= n, without losing a wake-up
 * (interrupts are off between the check and STI; HLT follows STI in its
 * interrupt shadow).  SPIN_TSC n: busy-wait n TSC ticks.
 */
__asm__(
	".equ GPA_TICKS, " GUEST_STR(GPA_TICKS) "\n"
	".macro WRMSR_IMM msr, lo, hi\n"
	"	mov $\\msr, %ecx\n"
	"	mov $\\lo, %eax\n"
	"	mov $\\hi, %edx\n"
	"	wrmsr\n"
	".endm\n"
	".macro RDMSR_IMM msr\n"
	"	mov $\\msr, %ecx\n"
	"	rdmsr\n"
	".endm\n"
	".macro TICK_HANDLER\n"
	"	lock incl GPA_TICKS\n"
	"	push %rax\n push %rcx\n push %rdx\n"
	"	WRMSR_IMM 0x80b, 0, 0\n"
	"	pop %rdx\n pop %rcx\n pop %rax\n"
	"	iretq\n"
	".endm\n"
	".macro WAIT_TICKS n\n"
	"98:	cli\n"
	"	cmpl $\\n, GPA_TICKS\n"
	"	jae 99f\n"
	"	sti\n"
	"	hlt\n"
	"	jmp 98b\n"
	"99:	sti\n"
	".endm\n"
	".macro SPIN_TSC n\n"
	"	rdtsc\n shl $32, %rdx\n or %rdx, %rax\n mov %rax, %r8\n"
	"97:	pause\n"
	"	rdtsc\n shl $32, %rdx\n or %rdx, %rax\n sub %r8, %rax\n"
	"	cmp $\\n, %rax\n"
	"	jb 97b\n"
	".endm\n");

/*
 * APIC registers: ID, VERSION, SVR, LVT timer, LINT0, ISR0, TPR, the
 * low half of IA32_APIC_BASE, then a SELF_IPI of vector 0x44 with
 * interrupts on and TICKS (1: the handler ran); mark 1.
 */
GUEST_PROGRAM(g_lapic_regs,
	"PROLOGUE\n"
	"GATE 0x44, 50f\n"
	"RDMSR_IMM 0x802\n REPORT %eax\n"
	"RDMSR_IMM 0x803\n REPORT %eax\n"
	"RDMSR_IMM 0x80f\n REPORT %eax\n"
	"RDMSR_IMM 0x832\n REPORT %eax\n"
	"RDMSR_IMM 0x835\n REPORT %eax\n"
	"RDMSR_IMM 0x810\n REPORT %eax\n"
	"RDMSR_IMM 0x808\n REPORT %eax\n"
	"RDMSR_IMM 0x1b\n REPORT %eax\n"
	"sti\n"
	"WRMSR_IMM 0x83f, 0x44, 0\n"
	"nop\n"
	"REPORT GPA_TICKS\n"
	"MARK $1\n"
	"1: jmp 1b\n"
	"50: TICK_HANDLER");

/*
 * Illegal writes and reads inject #GP(0) (reported on PORT_GP): EOI = 1,
 * ESR = 1; then EOI = 0 and ESR = 0 are accepted (0x600d); then TPR with
 * an upper half, a read of EOI, a write of ID, a read of 0x801, each
 * #GP; mark 0xc3.  A missing #GP reports 0xbad.
 */
GUEST_PROGRAM(g_lapic_gp,
	"PROLOGUE\n"
	"GATE 13, 40f\n"
	"lea 1f(%rip), %r15\n WRMSR_IMM 0x80b, 1, 0\n REPORT $0xbad\n"
	"1: lea 2f(%rip), %r15\n WRMSR_IMM 0x828, 1, 0\n REPORT $0xbad\n"
	"2: lea 3f(%rip), %r15\n WRMSR_IMM 0x80b, 0, 0\n WRMSR_IMM 0x828, 0, 0\n"
	"REPORT $0x600d\n"
	"3: lea 4f(%rip), %r15\n WRMSR_IMM 0x808, 0, 1\n REPORT $0xbad\n"
	"4: lea 5f(%rip), %r15\n RDMSR_IMM 0x80b\n REPORT $0xbad\n"
	"5: lea 6f(%rip), %r15\n WRMSR_IMM 0x802, 0, 0\n REPORT $0xbad\n"
	"6: lea 7f(%rip), %r15\n RDMSR_IMM 0x801\n REPORT $0xbad\n"
	"7: MARK $0xc3\n"
	"8: jmp 8b\n"
	"40: GP_CATCH");

/*
 * One-shot, vector 0x40, divide by 1.  Masked first: the current count
 * right after the load (reported), then it runs down to 0 and TICKS (0)
 * is reported.  Unmasked: halt until the interrupt, report TICKS (1);
 * wait 3 more periods and report TICKS (still 1) and the current count
 * (0); mark 1.
 */
GUEST_PROGRAM(g_timer_oneshot,
	"PROLOGUE\n"
	"GATE 0x40, 50f\n"
	"WRMSR_IMM 0x83e, 0xb, 0\n"
	"WRMSR_IMM 0x832, 0x10040, 0\n"
	"WRMSR_IMM 0x838, " GUEST_STR(ONESHOT_COUNT) ", 0\n"
	"RDMSR_IMM 0x839\n REPORT %eax\n"
	"sti\n"
	"1: RDMSR_IMM 0x839\n test %eax, %eax\n jnz 1b\n"
	"REPORT GPA_TICKS\n"
	"WRMSR_IMM 0x832, 0x40, 0\n"
	"WRMSR_IMM 0x838, " GUEST_STR(ONESHOT_COUNT) ", 0\n"
	"WAIT_TICKS 1\n"
	"REPORT GPA_TICKS\n"
	"SPIN_TSC 6000000\n"	/* 3 * ONESHOT_COUNT */
	"REPORT GPA_TICKS\n"
	"RDMSR_IMM 0x839\n REPORT %eax\n"
	"MARK $1\n"
	"2: jmp 2b\n"
	"50: TICK_HANDLER");

/*
 * Periodic, vector 0x41, divide by 1: halt until PERIODIC_TICKS
 * interrupts came, report the current count; stop it (count 0), let
 * any tick already raised land, then report how many more came in 5
 * periods (0); mark 1.
 */
GUEST_PROGRAM(g_timer_periodic,
	"PROLOGUE\n"
	"GATE 0x41, 50f\n"
	"WRMSR_IMM 0x83e, 0xb, 0\n"
	"WRMSR_IMM 0x832, 0x20041, 0\n"
	"WRMSR_IMM 0x838, " GUEST_STR(PERIODIC_COUNT) ", 0\n"
	"WAIT_TICKS " GUEST_STR(PERIODIC_TICKS) "\n"
	"RDMSR_IMM 0x839\n REPORT %eax\n"
	"WRMSR_IMM 0x838, 0, 0\n"
	"SPIN_TSC " GUEST_STR(PERIODIC_COUNT) "\n"
	"mov GPA_TICKS, %ebx\n"
	"SPIN_TSC 5000000\n"	/* 5 * PERIODIC_COUNT */
	"mov GPA_TICKS, %eax\n sub %ebx, %eax\n REPORT %eax\n"
	"MARK $1\n"
	"1: jmp 1b\n"
	"50: TICK_HANDLER");

/*
 * TSC-deadline, vector 0x42: arm at TSC + DEADLINE_DELTA and report
 * whether IA32_TSC_DEADLINE reads it back (1); an initial-count write is
 * ignored in this mode (current count 0, reported); halt until the
 * interrupt, report IA32_TSC_DEADLINE (0 once fired) and TICKS (1); a
 * deadline already passed fires at once: TICKS 2; mark 1.
 */
GUEST_PROGRAM(g_timer_deadline,
	"PROLOGUE\n"
	"GATE 0x42, 50f\n"
	"WRMSR_IMM 0x832, 0x40042, 0\n"
	"rdtsc\n shl $32, %rdx\n or %rdx, %rax\n add $" GUEST_STR(DEADLINE_DELTA) ", %rax\n"
	"mov %rax, %rbx\n mov %rax, %rdx\n shr $32, %rdx\n mov $0x6e0, %ecx\n wrmsr\n"
	"RDMSR_IMM 0x6e0\n shl $32, %rdx\n or %rdx, %rax\n cmp %rax, %rbx\n sete %al\n"
	"movzbl %al, %eax\n REPORT %eax\n"
	"WRMSR_IMM 0x838, 1000, 0\n"
	"RDMSR_IMM 0x839\n REPORT %eax\n"
	"WAIT_TICKS 1\n"
	"RDMSR_IMM 0x6e0\n or %edx, %eax\n REPORT %eax\n"
	"REPORT GPA_TICKS\n"
	"rdtsc\n sub $1000, %eax\n sbb $0, %edx\n mov $0x6e0, %ecx\n wrmsr\n"
	"WAIT_TICKS 2\n"
	"REPORT GPA_TICKS\n"
	"MARK $1\n"
	"1: jmp 1b\n"
	"50: TICK_HANDLER");

/*
 * WRMSR of RDI:RSI to MSR RBX, then mark 1.  The host picks the write
 * with zx_vcpu_write_state.
 */
GUEST_PROGRAM(g_wrmsr,
	"mov %ebx, %ecx\n mov %esi, %eax\n mov %edi, %edx\n wrmsr\n"
	"MARK $1\n"
	"1: jmp 1b");

/*
 * A periodic timer (vector 0x45, the shortest period) and HLT forever:
 * for closing a VCPU whose hrtimer is armed.
 */
GUEST_PROGRAM(g_timer_forever,
	"PROLOGUE\n"
	"GATE 0x45, 50f\n"
	"WRMSR_IMM 0x83e, 0xb, 0\n"
	"WRMSR_IMM 0x832, 0x20045, 0\n"
	"WRMSR_IMM 0x838, 1, 0\n"
	"sti\n"
	"1: hlt\n jmp 1b\n"
	"50: TICK_HANDLER");

/*
 * 16-bit, for an AP: ICR writes of each destination form and delivery
 * mode (lapic_test.c's ipi table), an INIT (no packet), a STARTUP, a
 * 2-byte mark 0x1234, then an IPI to logical destination 6 (cluster 0,
 * APIC IDs 1 and 2).
 */
GUEST_PROGRAM(g_ipi_ap,
	".code16\n"
	"WRMSR_IMM 0x830, 0x40030, 0\n"	/* self */
	"WRMSR_IMM 0x830, 0x80031, 0\n"	/* all */
	"WRMSR_IMM 0x830, 0xc0032, 0\n"	/* all but self */
	"WRMSR_IMM 0x830, 0x33, 5\n"
	"WRMSR_IMM 0x830, 0x34, 64\n"
	"WRMSR_IMM 0x830, 0x35, 0xffffffff\n"
	"WRMSR_IMM 0x830, 0x80400, 0\n"	/* NMI, all */
	"WRMSR_IMM 0x830, 0x400, 0\n"	/* NMI to 0 */
	"WRMSR_IMM 0x830, 0x500, 2\n"	/* INIT */
	"WRMSR_IMM 0x830, 0x69a, 3\n"	/* STARTUP */
	"mov $0x1234, %ax\n out %ax, $0x11\n"
	"WRMSR_IMM 0x830, 0x836, 6\n"	/* logical */
	"1: jmp 1b");

/*
 * The SMP BSP: INIT to all others (ignored), STARTUP to APIC IDs 1, 2, 3
 * at AP_GPA, then SMP_COUNT locked increments of COUNTER; waits (HLT)
 * until APS = 3, each AP having sent it an IPI (SMP_IPI_VECTOR, counted
 * in IPIS), then until COUNTER = 4 * SMP_COUNT; reports COUNTER, IPIS;
 * mark 1.
 */
GUEST_PROGRAM(g_smp_bsp,
	"PROLOGUE\n"
	"GATE " GUEST_STR(SMP_IPI_VECTOR) ", 50f\n"
	"WRMSR_IMM 0x830, 0xc0500, 0\n"	/* INIT, all but self */
	"WRMSR_IMM 0x830, 0x609, 1\n"	/* STARTUP at AP_GPA */
	"WRMSR_IMM 0x830, 0x609, 2\n"
	"WRMSR_IMM 0x830, 0x609, 3\n"
	"mov $" GUEST_STR(SMP_COUNT) ", %ecx\n"
	"1: lock incl " GUEST_STR(GPA_COUNTER) "\n dec %ecx\n jnz 1b\n"
	"2: cli\n cmpl $3, " GUEST_STR(GPA_APS) "\n jae 3f\n sti\n hlt\n jmp 2b\n"
	"3: sti\n"
	"4: pause\n cmpl $40000, " GUEST_STR(GPA_COUNTER) "\n jne 4b\n"	/* 4 * SMP_COUNT */
	"REPORT " GUEST_STR(GPA_COUNTER) "\n"
	"REPORT " GUEST_STR(GPA_IPIS) "\n"
	"MARK $1\n"
	"5: jmp 5b\n"
	"50: lock incl " GUEST_STR(GPA_IPIS) "\n"
	"push %rax\n push %rcx\n push %rdx\n"
	"WRMSR_IMM 0x80b, 0, 0\n"
	"pop %rdx\n pop %rcx\n pop %rax\n"
	"iretq");

/*
 * The SMP AP (16-bit, at AP_GPA): SMP_COUNT locked increments of
 * COUNTER, one of APS, a fixed IPI to APIC ID 0, then its APIC ID on
 * PORT_VALUE.
 */
GUEST_PROGRAM(g_smp_ap,
	".code16\n"
	"mov $" GUEST_STR(SMP_COUNT) ", %ecx\n"
	"1: lock incl " GUEST_STR(GPA_COUNTER) "\n dec %ecx\n jnz 1b\n"
	"lock incl " GUEST_STR(GPA_APS) "\n"
	"WRMSR_IMM 0x830, " GUEST_STR(SMP_IPI_VECTOR) ", 0\n"
	"RDMSR_IMM 0x802\n out %eax, $0x10\n"
	"2: jmp 2b");

#endif /* ZXHV_SELFTESTS_LAPIC_GUEST_H */
