/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest programs for linux_needs_test.c: what a Linux kernel reads and
 * relies on at boot (CPUID topology and features, the MSRs it probes, the
 * syscall MSRs and TSC_AUX of each CPU, x2APIC cluster-mode IPIs).  They
 * use vcpu_guest.h's layout and macros and lapic_guest.h's WRMSR_IMM and
 * RDMSR_IMM.  Programs at GPA_CODE run on the BSP in long mode; the ones
 * copied to AP_GPA are 16-bit code for an AP (real mode).
 */
#ifndef ZXHV_SELFTESTS_LINUX_NEEDS_GUEST_H
#define ZXHV_SELFTESTS_LINUX_NEEDS_GUEST_H

#include "lapic_guest.h"

/* Values TOPOLOGY reports, in order. */
#define TOPO_VALUES	(2 + 3 * 4 + 5 + 2)
/* Values MSR_READBACK reports, in order. */
#define READBACK_VALUES	10

/*
 * The syscall MSRs and TSC_AUX each VCPU writes (low, high).  LSTAR and
 * KERNEL_GS_BASE are canonical; STAR holds selectors, FMASK flag bits.
 */
#define BSP_LSTAR	0xb1b1b000, 0xffffb1b1
#define BSP_STAR	0, 0x00330018
#define BSP_FMASK	0x4300, 0
#define BSP_KGSBASE	0xb2b2b000, 0x00007fb2
#define BSP_TSC_AUX	0xb3, 0
#define AP_LSTAR	0xa1a1a000, 0xffffa1a1
#define AP_STAR		0, 0x00230010
#define AP_FMASK	0x4700, 0
#define AP_KGSBASE	0xa2a2a000, 0x00007fa2
#define AP_TSC_AUX	0xa3, 0

/* A macro holding "lo, hi" as a string (GUEST_STR takes one argument). */
#define PAIR_STR_(...)	#__VA_ARGS__
#define PAIR_STR(...)	PAIR_STR_(__VA_ARGS__)

/*
 * TOPOLOGY: CPUID.1 EBX and EDX; CPUID.0xB subleaves 0, 1, 2 (EAX, EBX,
 * ECX, EDX each); CPUID.4 subleaves 0-4 (EAX); the x2APIC ID and LDR.
 * CPUID_FEATURES: CPUID.7.0 EBX, ECX, EDX; CPUID.0xD.1 EAX, ECX, EDX;
 * CPUID.0x80000001 EDX.  SYSCALL_MSRS_WRITE lo/hi pairs for LSTAR, STAR,
 * FMASK, KERNEL_GS_BASE, TSC_AUX.  MSR_READBACK: each of those read back
 * (low, high; TSC_AUX low only), then RDTSCP's ECX.  Each works in 16-bit
 * and 64-bit code.
 */
__asm__(
	".macro OUT_REG reg\n"
	"	mov \\reg, %eax\n"
	"	out %eax, $0x10\n"
	".endm\n"
	".macro CPUID_REPORT leaf, sub\n"
	"	mov $\\leaf, %eax\n"
	"	mov $\\sub, %ecx\n"
	"	cpuid\n"
	"	mov %eax, %esi\n"
	"	OUT_REG %esi\n"
	"	OUT_REG %ebx\n"
	"	OUT_REG %ecx\n"
	"	OUT_REG %edx\n"
	".endm\n"
	".macro TOPOLOGY\n"
	"	mov $1, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	OUT_REG %ebx\n"
	"	OUT_REG %edx\n"
	"	CPUID_REPORT 0xb, 0\n"
	"	CPUID_REPORT 0xb, 1\n"
	"	CPUID_REPORT 0xb, 2\n"
	"	.irp sub, 0, 1, 2, 3, 4\n"
	"	mov $4, %eax\n"
	"	mov $\\sub, %ecx\n"
	"	cpuid\n"
	"	out %eax, $0x10\n"
	"	.endr\n"
	"	RDMSR_IMM 0x802\n"
	"	out %eax, $0x10\n"
	"	RDMSR_IMM 0x80d\n"
	"	out %eax, $0x10\n"
	".endm\n"
	".macro CPUID_FEATURES\n"
	"	mov $7, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	OUT_REG %ebx\n"
	"	OUT_REG %ecx\n"
	"	OUT_REG %edx\n"
	"	mov $0xd, %eax\n"
	"	mov $1, %ecx\n"
	"	cpuid\n"
	"	out %eax, $0x10\n"
	"	OUT_REG %ecx\n"
	"	OUT_REG %edx\n"
	"	mov $0x80000001, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	OUT_REG %edx\n"
	".endm\n"
	".macro SYSCALL_MSRS_WRITE lstar_lo, lstar_hi, star_lo, star_hi, fmask_lo, fmask_hi, "
	"kgs_lo, kgs_hi, aux_lo, aux_hi\n"
	"	WRMSR_IMM 0xc0000082, \\lstar_lo, \\lstar_hi\n"
	"	WRMSR_IMM 0xc0000081, \\star_lo, \\star_hi\n"
	"	WRMSR_IMM 0xc0000084, \\fmask_lo, \\fmask_hi\n"
	"	WRMSR_IMM 0xc0000102, \\kgs_lo, \\kgs_hi\n"
	"	WRMSR_IMM 0xc0000103, \\aux_lo, \\aux_hi\n"
	".endm\n"
	".macro MSR_READBACK\n"
	"	.irp msr, 0xc0000082, 0xc0000081, 0xc0000084, 0xc0000102\n"
	"	RDMSR_IMM \\msr\n"
	"	mov %edx, %esi\n"
	"	out %eax, $0x10\n"
	"	OUT_REG %esi\n"
	"	.endr\n"
	"	RDMSR_IMM 0xc0000103\n"
	"	out %eax, $0x10\n"
	"	rdtscp\n"
	"	OUT_REG %ecx\n"
	".endm\n");

/* The BSP: TOPOLOGY, CPUID_FEATURES, mark 1. */
GUEST_PROGRAM(g_topology_bsp,
	"TOPOLOGY\n"
	"CPUID_FEATURES\n"
	"MARK $1\n"
	"1: jmp 1b");

/* An AP (16-bit): TOPOLOGY, mark 1. */
GUEST_PROGRAM(g_topology_ap,
	".code16\n"
	"TOPOLOGY\n"
	"MARK $1\n"
	"1: jmp 1b");

/*
 * The BSP writes its syscall MSRs and TSC_AUX, marks 1 (the host runs the
 * AP, which writes its own, in between), reads them back, marks 2.
 */
GUEST_PROGRAM(g_msrs_bsp,
	"SYSCALL_MSRS_WRITE " PAIR_STR(BSP_LSTAR) ", " PAIR_STR(BSP_STAR) ", "
	PAIR_STR(BSP_FMASK) ", " PAIR_STR(BSP_KGSBASE) ", " PAIR_STR(BSP_TSC_AUX) "\n"
	"MARK $1\n"
	"MSR_READBACK\n"
	"MARK $2\n"
	"1: jmp 1b");

/* The AP (16-bit): its own values, mark 1, read back, mark 2. */
GUEST_PROGRAM(g_msrs_ap,
	".code16\n"
	"SYSCALL_MSRS_WRITE " PAIR_STR(AP_LSTAR) ", " PAIR_STR(AP_STAR) ", "
	PAIR_STR(AP_FMASK) ", " PAIR_STR(AP_KGSBASE) ", " PAIR_STR(AP_TSC_AUX) "\n"
	"MARK $1\n"
	"MSR_READBACK\n"
	"MARK $2\n"
	"1: jmp 1b");

/*
 * The MSRs Linux reads at boot: MTRRcap (low, high), MTRRdefType, the
 * first fixed and variable MTRRs, MCG_CAP, MCG_STATUS, MISC_ENABLE (low,
 * high); IA32_PAT as the VCPU starts, then written and read back (low,
 * high each); writes Linux makes
 * that are accepted: MTRRdefType (then read back), SPEC_CTRL, PRED_CMD,
 * CSTAR.  Then reads that raise #GP (reported on PORT_GP): MC0_CTL,
 * TSC_ADJUST, SPEC_CTRL, ARCH_CAPABILITIES, PLATFORM_INFO, CORE_CAPS,
 * CSTAR.  Mark 0xc4.  A missing #GP reports 0xbad.
 */
GUEST_PROGRAM(g_boot_msrs,
	"PROLOGUE\n"
	"GATE 13, 40f\n"
	"RDMSR_IMM 0xfe\n mov %edx, %esi\n out %eax, $0x10\n OUT_REG %esi\n"
	".irp msr, 0x2ff, 0x250, 0x200, 0x179, 0x17a\n"
	"RDMSR_IMM \\msr\n out %eax, $0x10\n"
	".endr\n"
	"RDMSR_IMM 0x1a0\n mov %edx, %esi\n out %eax, $0x10\n OUT_REG %esi\n"
	"RDMSR_IMM 0x277\n mov %edx, %esi\n out %eax, $0x10\n OUT_REG %esi\n"
	"WRMSR_IMM 0x277, 0x00070406, 0x00070106\n"
	"RDMSR_IMM 0x277\n mov %edx, %esi\n out %eax, $0x10\n OUT_REG %esi\n"
	"WRMSR_IMM 0x2ff, 0xc06, 0\n"
	"RDMSR_IMM 0x2ff\n out %eax, $0x10\n"
	"WRMSR_IMM 0x48, 0, 0\n"
	"WRMSR_IMM 0x49, 1, 0\n"
	"WRMSR_IMM 0xc0000083, 0x1000, 0xffffffff\n"
	"MARK $0xc3\n"
	".irp msr, 0x400, 0x3b, 0x48, 0x10a, 0xce, 0xcf, 0xc0000083\n"
	"lea 1f(%rip), %r15\n"
	"RDMSR_IMM \\msr\n"
	"REPORT $0xbad\n"
	"1:\n"
	".endr\n"
	"MARK $0xc4\n"
	"2: jmp 2b\n"
	"40: GP_CATCH");

/*
 * x2APIC cluster mode as Linux uses it: the BSP reads its LDR and sends
 * vector 0x42 to that logical destination (itself); then vector 0x43 to
 * cluster 1, IDs 16 and 17; a logical broadcast NMI; vector 0x44 to
 * cluster 0 bits 0-3 with the "all excluding self" shorthand (the
 * shorthand wins); then a STARTUP to a logical destination, which
 * zx_vcpu_enter refuses (NOT_SUPPORTED).
 */
GUEST_PROGRAM(g_logical_ipi,
	"RDMSR_IMM 0x80d\n"
	"mov %eax, %edx\n mov $0x842, %eax\n mov $0x830, %ecx\n wrmsr\n"
	"WRMSR_IMM 0x830, 0x843, 0x10003\n"
	"WRMSR_IMM 0x830, 0xc00, 0xffffffff\n"
	"WRMSR_IMM 0x830, 0xc0844, 0xf\n"
	"WRMSR_IMM 0x830, 0xe09, 0x2\n"
	"MARK $0xbad\n"
	"1: jmp 1b");

#endif /* ZXHV_SELFTESTS_LINUX_NEEDS_GUEST_H */
