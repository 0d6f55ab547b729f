/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest programs and the guest-physical layout for the vcpu_*_test.c
 * programs (and the guests of lapic_test.c, paravirt_test.c and
 * vcpu_smp_test.c, which start from the same layout).
 *
 * The programs are x86 machine code assembled by gcc from top-level asm:
 * GUEST_PROGRAM(name, text) places `text` (AT&T syntax, starting in
 * .code64) between the symbols name and name_end in .rodata, so C sees
 * each program as a byte array it copies to guest-physical GPA_CODE.  The
 * label `0:` is the program's first byte: `X - 0b + GPA_CODE` is the
 * absolute guest address of label X, which 16/32-bit code needs; 64-bit
 * code uses RIP-relative `lea`, so it is position-independent anyway.
 * Programs never define `0:` themselves.
 *
 * Layout (docs/api.md §3.4: the BSP starts in long mode with CR3 = 0, RSP = 0,
 * GDTR/IDTR base 0 limit 0xFFFF, so the VMM provides the page tables at
 * GPA 0 and the guest loads its own GDT and IDT):
 *
 *   0x0000  PML4 -> 0x1000 PDPT -> 0x2000 PD: 512 2-MiB pages, identity
 *           map of [0, 1 GiB).  Only [0, GUEST_MEM_SIZE) is backed by the
 *           VMO; the rest reaches the traps or nothing.
 *   0x3000  IDT, 256 16-byte gates (zero: not present), filled by GATE.
 *   0x4000  GDT: 0x08 64-bit code, 0x10 flat data, 0x18 32-bit code,
 *           0x20 16-bit code with base GPA_CODE.
 *   0x5000  GDTR pseudo-descriptor, 0x5010 IDTR, 0x5020 an empty IDTR.
 *   0x6000  scratch data shared with the host.
 *   0x9000  AP_GPA: entry of a real-mode AP (CS.base = entry, IP = 0).
 *   0x10000 GPA_CODE: the BSP program.
 *   0x1F0000 STACK_TOP.
 *   0x400000 GPA_UNMAPPED: in the page tables, no VMO, no trap.
 *   0x800000 GPA_MEM_TRAP (one page, ZX_GUEST_TRAP_MEM).
 *   0x900000 GPA_BELL_TRAP (one page, ZX_GUEST_TRAP_BELL on a port).
 *   IO ports 0x10..0x1f are trapped (ZX_GUEST_TRAP_IO); 0x80 is not.
 *
 * Port conventions of the programs: 0x10 reports a value (usually a 4-byte
 * OUT), 0x11 marks a phase ("ready"/"done"), 0x13 reports the error code
 * from the #GP handler.
 */
#ifndef ZXHV_SELFTESTS_VCPU_GUEST_H
#define ZXHV_SELFTESTS_VCPU_GUEST_H

#include <stdint.h>
#include <string.h>

#define GUEST_MEM_SIZE	0x200000ull
#define GPA_PML4	0x0000u
#define GPA_PDPT	0x1000u
#define GPA_PD		0x2000u
#define GPA_IDT		0x3000u
#define GPA_GDT		0x4000u
#define GPA_GDTR	0x5000u
#define GPA_IDTR	0x5010u
#define GPA_IDTR_EMPTY	0x5020u
#define GPA_DATA	0x6000u
#define AP_GPA		0x9000u
#define GPA_CODE	0x10000u
#define STACK_TOP	0x1F0000u
#define GPA_UNMAPPED	0x400000u
#define GPA_MEM_TRAP	0x800000u
#define GPA_BELL_TRAP	0x900000u

#define PORT_BASE	0x10u	/* trapped: [PORT_BASE, PORT_BASE + PORT_COUNT) */
#define PORT_COUNT	0x10u
#define PORT_VALUE	0x10u
#define PORT_MARK	0x11u
#define PORT_GP		0x13u
#define PORT_UNTRAPPED	0x80u

#define BELL_WRITES	10
#define BELL_MANY	300	/* more than the 256 packets a BELL trap has */

#define SEL_CODE64	0x08u
#define SEL_DATA	0x10u
#define SEL_CODE32	0x18u
#define SEL_CODE16	0x20u

#define GUEST_STR_(x)	#x
#define GUEST_STR(x)	GUEST_STR_(x)

/*
 * Symbols and macros shared by every program (gas keeps .equ and .macro
 * definitions for the rest of the file; gcc emits top-level asm in order).
 *
 * PROLOGUE: load the GDT and IDT, reload CS with 0x08 by lretq, load the
 * data segments, set RSP.  GATE vec, label: an interrupt gate (CS 0x08,
 * DPL 0, type 0xE) for vector vec pointing at label.  GP_CATCH: a #GP
 * handler body that reports the error code on PORT_GP and resumes at the
 * address in %r15.
 */
__asm__(
	".equ GPA_CODE, " GUEST_STR(GPA_CODE) "\n"
	".equ GPA_IDT, " GUEST_STR(GPA_IDT) "\n"
	".equ GPA_GDTR, " GUEST_STR(GPA_GDTR) "\n"
	".equ GPA_IDTR, " GUEST_STR(GPA_IDTR) "\n"
	".equ GPA_IDTR_EMPTY, " GUEST_STR(GPA_IDTR_EMPTY) "\n"
	".equ STACK_TOP, " GUEST_STR(STACK_TOP) "\n"
	".equ GPA_DATA, " GUEST_STR(GPA_DATA) "\n"
	".equ GPA_UNMAPPED, " GUEST_STR(GPA_UNMAPPED) "\n"
	".equ GPA_MEM_TRAP, " GUEST_STR(GPA_MEM_TRAP) "\n"
	".equ GPA_BELL_TRAP, " GUEST_STR(GPA_BELL_TRAP) "\n"
	".equ BELL_WRITES, " GUEST_STR(BELL_WRITES) "\n"
	".equ BELL_MANY, " GUEST_STR(BELL_MANY) "\n"
	".macro PROLOGUE\n"
	"	lgdt GPA_GDTR\n"
	"	lidt GPA_IDTR\n"
	"	mov $STACK_TOP, %rsp\n"
	"	pushq $" GUEST_STR(SEL_CODE64) "\n"
	"	lea 9f(%rip), %rax\n"
	"	pushq %rax\n"
	"	lretq\n"
	"9:	mov $" GUEST_STR(SEL_DATA) ", %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	mov %eax, %ss\n"
	"	xor %eax, %eax\n"
	".endm\n"
	".macro GATE vec, target\n"
	"	lea \\target(%rip), %rax\n"
	"	mov %ax, GPA_IDT + \\vec * 16\n"
	"	movw $" GUEST_STR(SEL_CODE64) ", GPA_IDT + \\vec * 16 + 2\n"
	"	movw $0x8e00, GPA_IDT + \\vec * 16 + 4\n"
	"	shr $16, %rax\n"
	"	mov %ax, GPA_IDT + \\vec * 16 + 6\n"
	"	movl $0, GPA_IDT + \\vec * 16 + 8\n"
	".endm\n"
	".macro GP_CATCH\n"
	"	pop %rax\n"
	"	out %eax, $" GUEST_STR(PORT_GP) "\n"
	"	mov %r15, (%rsp)\n"
	"	iretq\n"
	".endm\n"
	".macro REPORT val\n"
	"	mov \\val, %eax\n"
	"	out %eax, $" GUEST_STR(PORT_VALUE) "\n"
	".endm\n"
	".macro MARK val\n"
	"	mov \\val, %eax\n"
	"	out %eax, $" GUEST_STR(PORT_MARK) "\n"
	".endm\n");

#define GUEST_PROGRAM(name, text)						\
	extern const uint8_t name[], name##_end[];				\
	__asm__(".pushsection .rodata.zxhv_guest, \"a\"\n"			\
		".balign 16\n"							\
		".globl " #name "\n.hidden " #name "\n"				\
		".globl " #name "_end\n.hidden " #name "_end\n"			\
		#name ":\n0:\n.code64\n"					\
		text "\n"							\
		".code64\n" #name "_end:\n"					\
		".popsection\n")

/* --- the programs ------------------------------------------------------- */

/* Spins forever. */
GUEST_PROGRAM(g_spin, "1: jmp 1b");

/* Increments the quadword at GPA_DATA forever. */
GUEST_PROGRAM(g_spin_count, "1: incq GPA_DATA\n jmp 1b");

/* One OUT of 0x600d to PORT_MARK, then spins. */
GUEST_PROGRAM(g_done,
	"MARK $0x600d\n"
	"1: jmp 1b");

/*
 * Reports rax, rbx, the high half of r15, rflags, rsp and rdi as the host
 * wrote them (one 4-byte OUT each), then changes r9 and rax.
 */
GUEST_PROGRAM(g_state,
	"pushfq\n"			/* before anything changes the flags */
	"out %eax, $0x10\n"		/* rax (low half) */
	"mov %ebx, %eax\n out %eax, $0x10\n"
	"mov %r15, %rax\n shr $32, %rax\n out %eax, $0x10\n"
	"pop %rax\n out %eax, $0x10\n"	/* rflags */
	"mov %rsp, %rax\n out %eax, $0x10\n"
	"mov %rdi, %rax\n out %eax, $0x10\n"
	"mov $0x7777777777, %r9\n"
	"MARK $0x55\n"
	"1: jmp 1b");

/* OUT of each size, to an immediate port and through %dx. */
GUEST_PROGRAM(g_io_out,
	"mov $0x12345678, %eax\n"
	"out %al, $0x10\n"
	"out %ax, $0x12\n"
	"out %eax, $0x14\n"
	"mov $0x16, %dx\n"
	"mov $0x9abcdef0, %eax\n"
	"out %al, %dx\n"
	"out %ax, %dx\n"
	"out %eax, %dx\n"
	"MARK $0xd0\n"
	"1: jmp 1b");

/*
 * IN of each size with rax preset to 0x1122334455667788; after each, an
 * OUT of %eax to port 0x18 (the host reads the whole rax there).
 */
GUEST_PROGRAM(g_io_in,
	"mov $0x1122334455667788, %rax\n"
	"in $0x10, %al\n"
	"out %eax, $0x18\n"
	"mov $0x1122334455667788, %rax\n"
	"in $0x12, %ax\n"
	"out %eax, $0x18\n"
	"mov $0x1122334455667788, %rax\n"
	"in $0x14, %eax\n"
	"out %eax, $0x18\n"
	"mov $0x1122334455667788, %rax\n"
	"mov $0x16, %dx\n"
	"in %dx, %eax\n"
	"out %eax, $0x18\n"
	"MARK $0xd1\n"
	"1: jmp 1b");

/* Exits that end zx_vcpu_enter() with an error status. */
GUEST_PROGRAM(g_out_untrapped, "out %al, $0x80\n 1: jmp 1b");
GUEST_PROGRAM(g_in_untrapped, "in $0x80, %al\n 1: jmp 1b");
GUEST_PROGRAM(g_outsb,
	"mov $0x10, %dx\n"
	"lea 8f(%rip), %rsi\n"
	"outsb\n"
	"1: jmp 1b\n"
	"8: .byte 0x41");
GUEST_PROGRAM(g_rep_insb,
	"mov $0x10, %dx\n"
	"mov $GPA_DATA, %edi\n"
	"mov $4, %ecx\n"
	"rep insb\n"
	"1: jmp 1b");
GUEST_PROGRAM(g_read_unmapped, "mov GPA_UNMAPPED, %eax\n 1: jmp 1b");
GUEST_PROGRAM(g_write_unmapped, "movl $1, GPA_UNMAPPED + 8\n 1: jmp 1b");
GUEST_PROGRAM(g_read_bell, "mov GPA_BELL_TRAP, %eax\n 1: jmp 1b");

/*
 * MEM trap: before each trapping instruction the guest reports its start
 * and end address (lea of the labels around it), so the host knows the
 * expected rip and instruction_size.  A store, a load into %ebx (the host
 * supplies the value), a 64-bit store.
 */
GUEST_PROGRAM(g_mem,
	"lea 1f(%rip), %rax\n out %eax, $0x10\n"
	"lea 2f(%rip), %rax\n out %eax, $0x10\n"
	"1: movl $0x1234, GPA_MEM_TRAP + 0x10\n"
	"2: lea 3f(%rip), %rax\n out %eax, $0x10\n"
	"lea 4f(%rip), %rax\n out %eax, $0x10\n"
	"3: mov GPA_MEM_TRAP + 0x20, %ebx\n"
	"4: mov %ebx, %eax\n out %eax, $0x10\n"
	"lea 5f(%rip), %rax\n out %eax, $0x10\n"
	"lea 6f(%rip), %rax\n out %eax, $0x10\n"
	"5: mov %rbx, GPA_MEM_TRAP + 0xff8\n"
	"6: MARK $0xd2\n"
	"1: jmp 1b");

/* BELL_WRITES writes to the BELL page (8 bytes apart), then one OUT. */
GUEST_PROGRAM(g_bell,
	"xor %ecx, %ecx\n"
	"1: mov %ecx, GPA_BELL_TRAP(, %rcx, 8)\n"
	"inc %ecx\n"
	"cmp $BELL_WRITES, %ecx\n"
	"jne 1b\n"
	"mov %ecx, %eax\n"
	"out %eax, $0x11\n"
	"1: jmp 1b");

/* BELL_MANY writes to the BELL page (8 bytes apart), then one OUT. */
GUEST_PROGRAM(g_bell_many,
	"xor %ecx, %ecx\n"
	"1: mov %ecx, GPA_BELL_TRAP(, %rcx, 8)\n"
	"inc %ecx\n"
	"cmp $BELL_MANY, %ecx\n"
	"jne 1b\n"
	"mov %ecx, %eax\n"
	"out %eax, $0x11\n"
	"1: jmp 1b");

/* One BELL write, then an OUT. */
GUEST_PROGRAM(g_bell_once,
	"movl $1, GPA_BELL_TRAP\n"
	"MARK $0xb0\n"
	"1: jmp 1b");

/*
 * Memory shared with the host: reads what the host wrote at GPA_DATA,
 * writes GPA_DATA + 0xc, fills [0x7000, 0x8000) with 0x5a and writes a
 * quadword at 0x150000; after a mark it reads GPA_DATA + 0x10 (which the
 * host wrote in between) and reports it.
 */
GUEST_PROGRAM(g_memory,
	"mov GPA_DATA, %eax\n out %eax, $0x10\n"
	"movl $0x12345678, GPA_DATA + 0xc\n"
	"mov $0x7000, %edi\n mov $0x5a, %al\n mov $4096, %ecx\n cld\n rep stosb\n"
	"mov $0x1122334455667788, %rax\n mov %rax, 0x150000\n"
	"MARK $1\n"
	"mov GPA_DATA + 0x10, %eax\n out %eax, $0x10\n"
	"MARK $2\n"
	"1: jmp 1b");

/*
 * HLT: a handler for vector 32 reports 32; the guest marks 1, enables
 * interrupts and halts; after the handler returns it marks 2.
 */
GUEST_PROGRAM(g_hlt,
	"PROLOGUE\n"
	"GATE 32, 20f\n"
	"MARK $1\n"
	"sti\n"
	"hlt\n"
	"MARK $2\n"
	"1: jmp 1b\n"
	"20: REPORT $32\n iretq");

/*
 * Events that land just before an entry (vcpu_irq_test late_*): a handler
 * for 0x40 reports the count at GPA_DATA; the guest enables interrupts,
 * marks 1, then increments GPA_DATA forever.
 */
GUEST_PROGRAM(g_late,
	"PROLOGUE\n"
	"GATE 0x40, 20f\n"
	"sti\n"
	"MARK $1\n"
	"1: incq GPA_DATA\n jmp 1b\n"
	"20: REPORT GPA_DATA\n iretq");

/* HLT with interrupts off: only a kick ends it. */
GUEST_PROGRAM(g_hlt_cli, "cli\n hlt\n 1: jmp 1b");

/*
 * Interrupt priority.  Handlers for 0 (#DE), 2 (NMI), 0x30, 0x40, 0x50
 * each report their vector.  Phases, separated by marks (the host raises
 * interrupts while the guest is stopped at a mark, interrupts off):
 *   mark 1: host raises 0, 0x40, 2; the guest then enables interrupts
 *   mark 2: host raises 0x30, 0x50; the guest then enables interrupts
 *   mark 3: host raises 0 alone
 *   mark 4: done.
 */
GUEST_PROGRAM(g_prio,
	"PROLOGUE\n"
	"GATE 0, 30f\n"
	"GATE 2, 31f\n"
	"GATE 0x30, 32f\n"
	"GATE 0x40, 33f\n"
	"GATE 0x50, 34f\n"
	"MARK $1\n"
	"sti\n nop\n nop\n cli\n"
	"MARK $2\n"
	"sti\n nop\n nop\n cli\n"
	"MARK $3\n"
	"nop\n"
	"MARK $4\n"
	"1: jmp 1b\n"
	"30: REPORT $0\n iretq\n"
	"31: REPORT $2\n iretq\n"
	"32: REPORT $0x30\n iretq\n"
	"33: REPORT $0x40\n iretq\n"
	"34: REPORT $0x50\n iretq");

/* CPUID leaves 1, 0x40000000, 0x40000001. */
GUEST_PROGRAM(g_cpuid,
	"mov $1, %eax\n xor %ecx, %ecx\n cpuid\n"
	"mov %edx, %esi\n mov %ebx, %edi\n"
	"mov %ecx, %eax\n out %eax, $0x10\n"
	"mov %edi, %eax\n out %eax, $0x10\n"
	"mov %esi, %eax\n out %eax, $0x10\n"
	"mov $0x40000000, %eax\n xor %ecx, %ecx\n cpuid\n"
	"mov %ecx, %esi\n mov %edx, %edi\n"
	"out %eax, $0x10\n"
	"mov %ebx, %eax\n out %eax, $0x10\n"
	"mov %esi, %eax\n out %eax, $0x10\n"
	"mov %edi, %eax\n out %eax, $0x10\n"
	"mov $0x40000001, %eax\n xor %ecx, %ecx\n cpuid\n"
	"out %eax, $0x10\n"
	"MARK $0xc1\n"
	"1: jmp 1b");

/* CR0 and CR4 as the guest sees them; CR0 written back unchanged. */
GUEST_PROGRAM(g_cr,
	"mov %cr0, %rax\n out %eax, $0x10\n"
	"mov %cr4, %rax\n out %eax, $0x10\n"
	"mov %cr0, %rax\n mov %rax, %cr0\n"
	"mov %cr0, %rax\n out %eax, $0x10\n"
	"MARK $0xc0\n"
	"1: jmp 1b");

/* CR0 with CD = 0 and NW = 1 must raise #GP(0) in the guest. */
GUEST_PROGRAM(g_cr0_gp,
	"PROLOGUE\n"
	"GATE 13, 40f\n"
	"lea 1f(%rip), %r15\n"
	"mov %cr0, %rax\n"
	"bts $29, %rax\n"
	"btr $30, %rax\n"
	"mov %rax, %cr0\n"
	"REPORT $0xbad\n"
	"1: mov %cr0, %rax\n out %eax, $0x10\n"
	"MARK $0xc2\n"
	"2: jmp 2b\n"
	"40: GP_CATCH");

/*
 * SYSCALL and SYSENTER to the guest's own handlers.  The guest programs
 * EFER.SCE, STAR (SYSCALL CS 0x08), LSTAR, FMASK (IF) and exits to the
 * host (mark 1) before the syscall, so its MSRs must survive a trip to
 * userspace; the handler reports RFLAGS (IF cleared by FMASK), R11 (IF
 * was set) and 0x5c5c, and returns through RCX; the guest then reports
 * LSTAR as read back and the handler's address.  SYSENTER_CS/ESP/EIP
 * likewise (mark 2); that handler reports RSP and 0x5e5e.
 */
GUEST_PROGRAM(g_syscall,
	"PROLOGUE\n"
	"mov $0xc0000080, %ecx\n rdmsr\n or $1, %eax\n wrmsr\n"
	"mov $0xc0000081, %ecx\n xor %eax, %eax\n mov $0x8, %edx\n wrmsr\n"
	"mov $0xc0000082, %ecx\n lea 50f(%rip), %rax\n xor %edx, %edx\n wrmsr\n"
	"mov $0xc0000084, %ecx\n mov $0x200, %eax\n xor %edx, %edx\n wrmsr\n"
	"MARK $1\n"
	"sti\n"
	"syscall\n"
	"cli\n"
	"mov $0xc0000082, %ecx\n rdmsr\n out %eax, $0x10\n"
	"lea 50f(%rip), %rax\n out %eax, $0x10\n"
	"mov $0x174, %ecx\n mov $0x8, %eax\n xor %edx, %edx\n wrmsr\n"
	"mov $0x175, %ecx\n mov $0x1e0000, %eax\n xor %edx, %edx\n wrmsr\n"
	"mov $0x176, %ecx\n lea 51f(%rip), %rax\n xor %edx, %edx\n wrmsr\n"
	"MARK $2\n"
	"lea 3f(%rip), %r15\n"
	"sysenter\n"
	"3: MARK $3\n"
	"1: jmp 1b\n"
	"50: pushfq\n pop %rax\n out %eax, $0x10\n"
	"mov %r11, %rax\n out %eax, $0x10\n"
	"REPORT $0x5c5c\n"
	"jmp *%rcx\n"
	"51: mov %rsp, %rax\n out %eax, $0x10\n"
	"REPORT $0x5e5e\n"
	"mov $STACK_TOP, %rsp\n"
	"jmp *%r15");

/*
 * IA32_APIC_BASE: read (reported as two halves), written back unchanged
 * and without the BSP bit (both accepted), mark 1, then a write of
 * another base, which zx_vcpu_enter() refuses with INVALID_ARGS.
 */
GUEST_PROGRAM(g_apic_base,
	"mov $0x1b, %ecx\n rdmsr\n"
	"mov %edx, %esi\n out %eax, $0x10\n mov %esi, %eax\n out %eax, $0x10\n"
	"mov $0x1b, %ecx\n rdmsr\n wrmsr\n"
	"mov $0x1b, %ecx\n mov $0xfee00c00, %eax\n xor %edx, %edx\n wrmsr\n"
	"MARK $1\n"
	"mov $0x1b, %ecx\n mov $0xfed00d00, %eax\n xor %edx, %edx\n wrmsr\n"
	"MARK $2\n"
	"1: jmp 1b");

/* RDMSR and WRMSR of an MSR nobody emulates: #GP(0) inside the guest. */
GUEST_PROGRAM(g_msr_unknown,
	"PROLOGUE\n"
	"GATE 13, 40f\n"
	"lea 1f(%rip), %r15\n"
	"mov $0x1234, %ecx\n rdmsr\n"
	"REPORT $0xbad\n"
	"1: lea 2f(%rip), %r15\n"
	"mov $0x1234, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"
	"REPORT $0xbad\n"
	"2: MARK $0xc3\n"
	"3: jmp 3b\n"
	"40: GP_CATCH");

/*
 * FPU isolation.  The guest loads a pattern into xmm0 and xmm15 (ymm0 and
 * ymm15 when rbx != 0, which the host sets when it has AVX), then loops:
 * mark 1 (the host sets its own ymm15 and re-enters), then reports
 * whether xmm0/ymm0 and xmm15/ymm15 still hold the pattern (1 = yes).
 */
GUEST_PROGRAM(g_fpu,
	"movdqu 60f(%rip), %xmm0\n"
	"movdqu 60f(%rip), %xmm15\n"
	"test %rbx, %rbx\n jz 1f\n"
	"vmovdqu 61f(%rip), %ymm0\n"
	"vmovdqu 61f(%rip), %ymm15\n"
	"1: MARK $1\n"
	"test %rbx, %rbx\n jnz 2f\n"
	"movdqu 60f(%rip), %xmm1\n pcmpeqb %xmm0, %xmm1\n pmovmskb %xmm1, %eax\n"
	"cmp $0xffff, %eax\n sete %al\n movzbl %al, %eax\n out %eax, $0x10\n"
	"movdqu 60f(%rip), %xmm1\n pcmpeqb %xmm15, %xmm1\n pmovmskb %xmm1, %eax\n"
	"cmp $0xffff, %eax\n sete %al\n movzbl %al, %eax\n out %eax, $0x10\n"
	"jmp 1b\n"
	"2: vmovdqu 61f(%rip), %ymm1\n vxorps %ymm0, %ymm1, %ymm2\n vptest %ymm2, %ymm2\n"
	"setz %al\n movzbl %al, %eax\n out %eax, $0x10\n"
	"vxorps %ymm15, %ymm1, %ymm2\n vptest %ymm2, %ymm2\n"
	"setz %al\n movzbl %al, %eax\n out %eax, $0x10\n"
	"jmp 1b\n"
	".balign 16\n"
	"60: .quad 0x0123456789abcdef, 0xfedcba9876543210\n"
	"61: .quad 0x1111111122222222, 0x3333333344444444\n"
	"    .quad 0x5555555566666666, 0x7777777788888888");

/*
 * Compatibility mode and a 16-bit code segment.  The guest reports the
 * linear start/end of two MEM-trapping instructions, far-returns to the
 * 32-bit code segment (0x18) and reports 0xc0de32, stores to the MEM trap
 * (default operand size 4), far-jumps to the 16-bit segment (0x20, base
 * GPA_CODE) and does a 2-byte OUT of 0x1616 and a store to the MEM trap
 * (default operand size 2), then far-jumps back to 64-bit code and marks
 * 0x64.
 */
GUEST_PROGRAM(g_compat,
	"PROLOGUE\n"
	"lea 1f(%rip), %rax\n out %eax, $0x10\n"
	"lea 2f(%rip), %rax\n out %eax, $0x10\n"
	"lea 3f(%rip), %rax\n out %eax, $0x10\n"
	"lea 4f(%rip), %rax\n out %eax, $0x10\n"
	"pushq $" GUEST_STR(SEL_CODE32) "\n"
	"lea 5f(%rip), %rax\n pushq %rax\n"
	"lretq\n"
	".code32\n"
	"5: mov $0xc0de32, %eax\n out %eax, $0x10\n"
	"1: movl $0x32, GPA_MEM_TRAP\n"
	"2: ljmp $" GUEST_STR(SEL_CODE16) ", $(6f - 0b)\n"
	".code16\n"
	"6: mov $0x1616, %ax\n out %ax, $0x12\n"
	"3: addr32 movw $0x16, GPA_MEM_TRAP + 4\n"
	"4: ljmpl $" GUEST_STR(SEL_CODE64) ", $(7f - 0b + GPA_CODE)\n"
	".code64\n"
	"7: MARK $0x64\n"
	"8: jmp 8b");

/*
 * An AP in real mode, loaded at AP_GPA (CS.base = AP_GPA, IP = 0): byte
 * OUT of 0xa9, then CR0, CPUID.1:EBX and IA32_APIC_BASE (low half), then
 * a 2-byte mark 0xa9a9.
 */
GUEST_PROGRAM(g_ap,
	".code16\n"
	"mov $0xa9, %al\n out %al, $0x10\n"
	"mov %cr0, %eax\n out %eax, $0x10\n"
	"mov $1, %eax\n xor %ecx, %ecx\n cpuid\n mov %ebx, %eax\n out %eax, $0x10\n"
	"mov $0x1b, %ecx\n rdmsr\n out %eax, $0x10\n"
	"mov $0xa9a9, %ax\n out %ax, $0x11\n"
	"1: jmp 1b");

/* An IDT with limit 0 and an int3: #GP, #DF, triple fault. */
GUEST_PROGRAM(g_triple_fault,
	"lidt GPA_IDTR_EMPTY\n"
	"int3\n"
	"1: jmp 1b");

/* --- building the guest's memory --------------------------------------- */

static inline void guest_put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

/*
 * Page tables, GDT and the GDTR/IDTR pseudo-descriptors into @mem (the
 * host view of guest-physical [0, GUEST_MEM_SIZE), zero-filled).
 */
static inline void guest_build_layout(uint8_t *mem)
{
	static const uint64_t gdt[] = {
		0,
		0x00af9a000000ffffull,	/* 0x08: 64-bit code */
		0x00cf92000000ffffull,	/* 0x10: flat data */
		0x00cf9a000000ffffull,	/* 0x18: 32-bit code */
		0x00009a000000ffffull | ((uint64_t)(GPA_CODE & 0xffffff) << 16),
					/* 0x20: 16-bit code, base GPA_CODE */
	};
	uint16_t limit;
	uint64_t base;

	guest_put64(mem, GPA_PML4, GPA_PDPT | 0x3);
	guest_put64(mem, GPA_PDPT, GPA_PD | 0x3);
	for (uint64_t i = 0; i < 512; i++)
		guest_put64(mem, GPA_PD + i * 8, (i << 21) | 0x83);
	memcpy(mem + GPA_GDT, gdt, sizeof(gdt));
	limit = sizeof(gdt) - 1;
	base = GPA_GDT;
	memcpy(mem + GPA_GDTR, &limit, 2);
	memcpy(mem + GPA_GDTR + 2, &base, 8);
	limit = 256 * 16 - 1;
	base = GPA_IDT;
	memcpy(mem + GPA_IDTR, &limit, 2);
	memcpy(mem + GPA_IDTR + 2, &base, 8);
	limit = 0;
	memcpy(mem + GPA_IDTR_EMPTY, &limit, 2);
	memcpy(mem + GPA_IDTR_EMPTY + 2, &base, 8);
}

/* --- pause, XSETBV, VMCALL (appended) ----------------------------------- */

#define PAUSE_LOOPS	5000

/* User-mode segments guest_add_user_mode() adds to the GDT (DPL 3). */
#define SEL_UDATA	0x28u
#define SEL_UCODE64	0x30u

/* KVM hypercall ABI (include/uapi/linux/kvm_para.h). */
#define HC_CLOCK_PAIRING	9
#define HC_UNKNOWN		12345
#define KVM_EPERM_RET		(-1ll)
#define KVM_EFAULT_RET		(-14ll)
#define KVM_EOPNOTSUPP_RET	(-95ll)
#define KVM_ENOSYS_RET		(-1000ll)

/* struct kvm_clock_pairing, as the hypercall writes it. */
struct guest_clock_pairing {
	int64_t sec;
	int64_t nsec;
	uint64_t tsc;
	uint32_t flags;
	uint32_t pad[9];
};

__asm__(
	".equ PAUSE_LOOPS, " GUEST_STR(PAUSE_LOOPS) "\n"
	".equ HC_CLOCK_PAIRING, " GUEST_STR(HC_CLOCK_PAIRING) "\n"
	".equ HC_UNKNOWN, " GUEST_STR(HC_UNKNOWN) "\n"
	/* RDTSC into 64-bit \reg (clobbers rax and rdx). */
	".macro TSC64 reg\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rax, %rdx\n"
	"	mov %rdx, \\reg\n"
	".endm\n"
	/* VMCALL nr with RBX = a1, RCX = a2; the result stays in RAX. */
	".macro HYPERCALL nr, a1, a2\n"
	"	mov \\nr, %eax\n"
	"	mov \\a1, %ebx\n"
	"	mov \\a2, %ecx\n"
	"	vmcall\n"
	".endm\n"
	/* CPUID.(0xD, 0).EBX on PORT_VALUE. */
	".macro REPORT_XSAVE_SIZE\n"
	"	mov $0xd, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $" GUEST_STR(PORT_VALUE) "\n"
	".endm\n"
	/* XCR0 (XGETBV with ECX = 0), low then high half, on PORT_VALUE. */
	".macro REPORT_XCR0\n"
	"	xor %ecx, %ecx\n"
	"	xgetbv\n"
	"	out %eax, $" GUEST_STR(PORT_VALUE) "\n"
	"	mov %edx, %eax\n"
	"	out %eax, $" GUEST_STR(PORT_VALUE) "\n"
	".endm\n");

/*
 * PAUSE_LOOPS iterations of PAUSE (long enough for pause-loop exiting),
 * counting them in r8; then a mark carrying the count.
 */
GUEST_PROGRAM(g_pause,
	"mov $PAUSE_LOOPS, %ecx\n"
	"xor %r8d, %r8d\n"
	"1: pause\n"
	"inc %r8d\n"
	"dec %ecx\n"
	"jnz 1b\n"
	"mov %r8d, %eax\n"
	"out %eax, $0x11\n"
	"2: jmp 2b");

/*
 * XCR0.  Reports CPUID.1:ECX (without XSAVE it marks 0xe0 and stops;
 * started without CR4.OSXSAVE it sets it, marks 0xe1 and goes straight to
 * the invalid XSETBV at 5:).  Then
 * XCR0 as the guest starts (two halves) and CPUID.(0xD,0).EBX; sets XCR0
 * to x87|SSE and reports XCR0 and the size again; the XSETBV at 5: runs
 * with RAX = RCX = RDX = 0 (invalid: enter fails, the host rewrites RAX
 * and RDX and re-enters, until a valid value); after it succeeds, reports
 * XCR0 and the size once more and marks 0xe5.  #GP and #UD handlers report
 * on PORT_GP (the error code, or 6 for #UD) and stop.
 */
GUEST_PROGRAM(g_xsetbv,
	"PROLOGUE\n"
	"GATE 13, 40f\n"
	"GATE 6, 41f\n"
	"lea 2f(%rip), %r15\n"
	"mov $1, %eax\n xor %ecx, %ecx\n cpuid\n"
	"mov %ecx, %eax\n out %eax, $0x10\n"
	"bt $26, %eax\n jnc 3f\n"
	"bt $27, %eax\n jc 4f\n"
	"mov %cr4, %rax\n bts $18, %rax\n mov %rax, %cr4\n"
	"MARK $0xe1\n"
	"xor %eax, %eax\n xor %edx, %edx\n xor %ecx, %ecx\n"
	"jmp 5f\n"
	"4: REPORT_XCR0\n"
	"REPORT_XSAVE_SIZE\n"
	"mov $3, %eax\n xor %edx, %edx\n xor %ecx, %ecx\n xsetbv\n"
	"REPORT_XCR0\n"
	"REPORT_XSAVE_SIZE\n"
	"xor %eax, %eax\n xor %edx, %edx\n xor %ecx, %ecx\n"
	"5: xsetbv\n"
	"REPORT_XCR0\n"
	"REPORT_XSAVE_SIZE\n"
	"MARK $0xe5\n"
	"2: jmp 2b\n"
	"3: MARK $0xe0\n"
	"jmp 2b\n"
	"40: GP_CATCH\n"
	"41: mov $6, %eax\n out %eax, $0x13\n"
	"jmp 2b");

/*
 * VMCALL, one report of RAX (4-byte OUT, RAX left intact for read_state)
 * after each:
 *   (a) HC_UNKNOWN, RBX = GPA_DATA
 *   (b) CLOCK_PAIRING, RBX = GPA_DATA, RCX = 0, between two RDTSCs kept in
 *       r12 and r13
 *   (c) CLOCK_PAIRING, RBX = GPA_DATA + 0x100, RCX = 1
 *   (d) CLOCK_PAIRING, RBX = GPA_UNMAPPED, RCX = 0
 * then mark 0x7c, IRETQ to CPL 3 (IOPL 3, so OUT still works; needs
 * guest_add_user_mode()) and
 *   (e) CLOCK_PAIRING, RBX = GPA_DATA + 0x100, RCX = 0
 * and reports CS, then mark 0x7d.
 */
GUEST_PROGRAM(g_vmcall,
	"PROLOGUE\n"
	"HYPERCALL $HC_UNKNOWN, $GPA_DATA, $0\n"
	"out %eax, $0x10\n"
	"TSC64 %r12\n"
	"HYPERCALL $HC_CLOCK_PAIRING, $GPA_DATA, $0\n"
	"mov %rax, %r14\n"
	"TSC64 %r13\n"
	"mov %r14, %rax\n"
	"out %eax, $0x10\n"
	"HYPERCALL $HC_CLOCK_PAIRING, $(GPA_DATA + 0x100), $1\n"
	"out %eax, $0x10\n"
	"HYPERCALL $HC_CLOCK_PAIRING, $GPA_UNMAPPED, $0\n"
	"out %eax, $0x10\n"
	"MARK $0x7c\n"
	"pushq $(" GUEST_STR(SEL_UDATA) " | 3)\n"
	"pushq $(STACK_TOP - 0x1000)\n"
	"pushq $0x3002\n"
	"pushq $(" GUEST_STR(SEL_UCODE64) " | 3)\n"
	"lea 6f(%rip), %rax\n"
	"pushq %rax\n"
	"iretq\n"
	"6: HYPERCALL $HC_CLOCK_PAIRING, $(GPA_DATA + 0x100), $0\n"
	"out %eax, $0x10\n"
	"mov %cs, %eax\n"
	"out %eax, $0x10\n"
	"MARK $0x7d\n"
	"7: jmp 7b");

/*
 * CPL 3 for g_vmcall: DPL-3 data (SEL_UDATA) and 64-bit code (SEL_UCODE64)
 * descriptors after guest_build_layout()'s, the GDTR limit grown to cover
 * them, and the U/S bit on the page-table entries mapping [0, 2 MiB).
 */
static inline void guest_add_user_mode(uint8_t *mem)
{
	uint16_t limit = SEL_UCODE64 + 7;

	guest_put64(mem, GPA_GDT + SEL_UDATA, 0x00cff2000000ffffull);
	guest_put64(mem, GPA_GDT + SEL_UCODE64, 0x00affa000000ffffull);
	memcpy(mem + GPA_GDTR, &limit, 2);
	mem[GPA_PML4] |= 0x4;
	mem[GPA_PDPT] |= 0x4;
	mem[GPA_PD] |= 0x4;
}

#endif /* ZXHV_SELFTESTS_VCPU_GUEST_H */
