/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest programs for paravirt_test.c, on the layout and macros of
 * vcpu_guest.h (page tables at GPA 0, code at GPA_CODE, ports 0x10..0x1f
 * trapped: PORT_VALUE reports, PORT_MARK marks phases, PORT_GP reports a
 * #GP's error code).
 *
 * Additions:
 *   0x6100  PV_CLOCK: the kvmclock structure (struct pvclock_vcpu_time_info).
 *   0x6200  PV_WALL: the wall-clock structure {version, sec, nsec}.
 *   0x7000  GPA_PD_BIG: a second page directory, 512 2-MiB pages mapping
 *           [GPA_BIG, GPA_BIG + BIG_SIZE) identically (PDPT entry 1).
 *   GPA_BIG: 1 GiB of guest memory from its own VMO.
 */
#ifndef ZXHV_SELFTESTS_PARAVIRT_GUEST_H
#define ZXHV_SELFTESTS_PARAVIRT_GUEST_H

#include "vcpu_guest.h"

#define PV_CLOCK	0x6100u
#define PV_WALL		0x6200u
#define GPA_PD_BIG	0x7000u
/* Without suffixes: gas reads them too.  C adds them as uint64_t. */
#define GPA_BIG		0x40000000
#define BIG_SIZE	0x40000000
/* The 4 KiB page unmapped in the middle, and the one made read-only. */
#define GPA_HOLE	(GPA_BIG + BIG_SIZE / 2 + 0x5000)
#define GPA_RO		(GPA_BIG + BIG_SIZE / 4 + 0x3000)

/* Linux's arch/x86/include/uapi/asm/kvm_para.h */
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00u
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01u

__asm__(
	".equ PV_CLOCK, " GUEST_STR(PV_CLOCK) "\n"
	".equ PV_WALL, " GUEST_STR(PV_WALL) "\n"
	".equ GPA_BIG, " GUEST_STR(GPA_BIG) "\n"
	".equ BIG_SIZE, " GUEST_STR(BIG_SIZE) "\n"
	".equ GPA_HOLE, " GUEST_STR(GPA_HOLE) "\n"
	".equ GPA_RO, " GUEST_STR(GPA_RO) "\n"
	".equ MSR_KVM_WALL_CLOCK_NEW, " GUEST_STR(MSR_KVM_WALL_CLOCK_NEW) "\n"
	".equ MSR_KVM_SYSTEM_TIME_NEW, " GUEST_STR(MSR_KVM_SYSTEM_TIME_NEW) "\n");

/*
 * kvmclock.  Registers the clock at PV_CLOCK, then twice reads the time
 * into r12 (then r13) as a Linux guest does (version even and unchanged
 * around the read; tsc_timestamp, shift, mul, system_time) and marks 1
 * (then 2); the host sleeps in between.  Zeroes the wall clock at PV_WALL
 * (mark 3), reports the system-time MSR read back, then registers at a
 * misaligned and at a page-crossing GPA: each a #GP (PORT_GP), mark 4.
 */
GUEST_PROGRAM(g_kvmclock,
	"PROLOGUE\n"
	"GATE 13, 8f\n"
	"mov $MSR_KVM_SYSTEM_TIME_NEW, %ecx\n"
	"mov $(PV_CLOCK | 1), %eax\n"
	"xor %edx, %edx\n"
	"wrmsr\n"
	"call 5f\n"
	"mov %rax, %r12\n"
	"MARK $1\n"
	"call 5f\n"
	"mov %rax, %r13\n"
	"MARK $2\n"
	"mov $MSR_KVM_WALL_CLOCK_NEW, %ecx\n"
	"mov $PV_WALL, %eax\n"
	"xor %edx, %edx\n"
	"wrmsr\n"
	"MARK $3\n"
	"mov $MSR_KVM_SYSTEM_TIME_NEW, %ecx\n"
	"rdmsr\n"
	"REPORT %eax\n"
	"lea 1f(%rip), %r15\n"
	"mov $MSR_KVM_SYSTEM_TIME_NEW, %ecx\n"
	"mov $(PV_CLOCK + 2 + 1), %eax\n"
	"xor %edx, %edx\n"
	"wrmsr\n"
	"1: lea 2f(%rip), %r15\n"
	"mov $(PV_CLOCK + 0xee4 + 1), %eax\n"
	"wrmsr\n"
	"2: MARK $4\n"
	"3: jmp 3b\n"
	/* rax = the guest's time in ns. */
	"5: mov PV_CLOCK, %esi\n"
	"test $1, %esi\n"
	"jnz 5b\n"
	"lfence\n"
	"rdtsc\n"
	"shl $32, %rdx\n"
	"or %rdx, %rax\n"
	"sub PV_CLOCK + 8, %rax\n"
	"movsbl PV_CLOCK + 28, %ecx\n"
	"test %ecx, %ecx\n"
	"js 6f\n"
	"shl %cl, %rax\n"
	"jmp 7f\n"
	"6: neg %ecx\n"
	"shr %cl, %rax\n"
	"7: mov PV_CLOCK + 24, %ecx\n"
	"mul %rcx\n"
	"shrd $32, %rdx, %rax\n"
	"add PV_CLOCK + 16, %rax\n"
	"cmp PV_CLOCK, %esi\n"
	"jne 5b\n"
	"ret\n"
	"8: GP_CATCH\n");

/*
 * Large EPT pages.  Mark 1; writes its own address into the first quadword
 * of every 4 KiB page of [GPA_BIG, +BIG_SIZE) (mark 2); reports the low
 * halves of the pages on either side of GPA_HOLE (mark 3), then reads
 * GPA_HOLE (unmapped by the host: enter fails until it is mapped again)
 * and reports it (mark 4); reports GPA_RO - 4 KiB after writing it, reads
 * and reports GPA_RO (read-only by then; mark 5), then writes GPA_RO (fails
 * until it is writable again) and reports it (mark 6).
 */
GUEST_PROGRAM(g_big_memory,
	"PROLOGUE\n"
	"MARK $1\n"
	"mov $GPA_BIG, %rax\n"
	"mov $(GPA_BIG + BIG_SIZE), %rcx\n"
	"1: mov %rax, (%rax)\n"
	"add $0x1000, %rax\n"
	"cmp %rcx, %rax\n"
	"jb 1b\n"
	"MARK $2\n"
	"mov GPA_HOLE - 0x1000, %rax\n"
	"REPORT %eax\n"
	"mov GPA_HOLE + 0x1000, %rax\n"
	"REPORT %eax\n"
	"MARK $3\n"
	"mov GPA_HOLE, %rax\n"
	"REPORT %eax\n"
	"MARK $4\n"
	"movq $0x5151, GPA_RO - 0x1000\n"
	"mov GPA_RO - 0x1000, %rax\n"
	"REPORT %eax\n"
	"mov GPA_RO, %rax\n"
	"REPORT %eax\n"
	"MARK $5\n"
	"movq $0x7171, GPA_RO\n"
	"mov GPA_RO, %rax\n"
	"REPORT %eax\n"
	"MARK $6\n"
	"2: jmp 2b\n");

/*
 * Three touches of the GiB at GPA_BIG: writes near its start and at its
 * end (mark 1 before), reads them back and the word in its middle, never
 * written (PORT_VALUE each), mark 2.
 */
GUEST_PROGRAM(g_giant,
	"PROLOGUE\n"
	"MARK $1\n"
	"movq $0x600d1, GPA_BIG + 0x5008\n"
	"movq $0x600d2, GPA_BIG + BIG_SIZE - 8\n"
	"mov GPA_BIG + 0x5008, %rax\n"
	"REPORT %eax\n"
	"mov GPA_BIG + BIG_SIZE - 8, %rax\n"
	"REPORT %eax\n"
	"mov GPA_BIG + BIG_SIZE / 2, %rax\n"
	"REPORT %eax\n"
	"MARK $2\n"
	"2: jmp 2b\n");

#endif /* ZXHV_SELFTESTS_PARAVIRT_GUEST_H */
