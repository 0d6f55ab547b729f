/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest half of tools/bench/bench.h: the program both zxhv-bench and
 * kvm-bench run, byte for byte, and the guest-physical image it runs in.
 *
 * Guest-physical layout (the VCPU starts in 64-bit mode, CR3 = 0):
 *   0x0000 PML4, 0x1000 PDPT, 0x2000 PD of [0, 1 GiB), 0x7000 PD of
 *   [1 GiB, 2 GiB), all 2 MiB pages; 0x3000 IDT; 0x4000 GDT (0x08 64-bit
 *   code, 0x10 data); 0x5000 GDTR, 0x5010 IDTR; 0x6000 data shared with the
 *   host (D_*); 0x10000 the program; stack below 0x1F0000.
 *   RAM: [0, 16 MiB).  MEM trap page 0x1000000, BELL pages 0x1100000 +
 *   q * 4 KiB for queue q < BELL_QUEUES (all outside RAM).  Touch region
 *   (op g): [1 GiB, 1 GiB + touch size).
 *   IO ports: 0x10 the IO-trap target (OUT and IN), 0x11 phase marks, 0x12
 *   block ticks, 0x14 "about to halt".
 */
#ifndef ZXHV_TOOLS_BENCH_GUEST_H
#define ZXHV_TOOLS_BENCH_GUEST_H

#include <stdint.h>
#include <string.h>

#define MEM_SIZE	(16ull << 20)
#define GPA_PML4	0x0000u
#define GPA_PDPT	0x1000u
#define GPA_PD0		0x2000u
#define GPA_IDT		0x3000u
#define GPA_GDT		0x4000u
#define GPA_GDTR	0x5000u
#define GPA_IDTR	0x5010u
#define GPA_DATA	0x6000u
#define GPA_PD1		0x7000u
#define GPA_CODE	0x10000u
#define STACK_TOP	0x1F0000u
#define GPA_MEM_TRAP	0x1000000u
#define GPA_BELL	0x1100000u
#define BELL_QUEUES	4u	/* op h: doorbells of this many queues, a waiter each */
#define GPA_TOUCH	0x40000000ull
#define TOUCH_MAX	(1ull << 30)

/* The data page: what the host tells the guest and what the guest records. */
#define D_IRQ_TSC	0x00	/* guest TSC read first thing in the interrupt handler */
#define D_IRQ_RIP	0x08	/* the RIP the interrupt returned to */
#define D_IRQ_COUNT	0x10	/* interrupts taken */
#define D_TOUCH_SIZE	0x18	/* bytes the touch program writes, one byte per 4 KiB */
#define D_K		0x28	/* guest operations per block (ops c, d) */
/* How often each op of the main program runs; 0 skips the op. */
#define D_N_MEM		0x40	/* op a: round trips */
#define D_N_IO		0x48	/* op b: round trips */
#define D_R_BELL	0x50	/* op c: blocks */
#define D_R_CPUID	0x58	/* op d: blocks */
#define D_R_HLT		0x60	/* op e: wake-ups */
#define D_R_BELL4	0x68	/* op h: blocks */
#define D_N_IN		0x70	/* op i: round trips */
#define D_IN_SUM	0x78	/* op i: the sum of the bytes the guest read */
#define IN_ANSWER	0x5au	/* op i: what every IN reads */

#define PORT_IO		0x10u
#define PORT_MARK	0x11u
#define PORT_TICK	0x12u
#define PORT_READY	0x14u
#define IRQ_VECTOR	0x40u

#define MARK_MEM	1u
#define MARK_IO		2u
#define MARK_BELL	3u
#define MARK_CPUID	4u
#define MARK_HLT	5u
#define MARK_BELL4	6u
#define MARK_IN		7u
#define MARK_END	0xffu
#define MARK_SETUP	0x20u
#define MARK_TOUCH0	0x30u
#define MARK_TOUCH1	0x31u

#define BSTR_(x)	#x
#define BSTR(x)		BSTR_(x)

/*
 * The guest program: three entry points.  bench_main runs ops a-e, h and
 * i in phases (a, b, i, c, h, d, e), each announced by an OUT to PORT_MARK; bench_setup makes one IO
 * exit (op f); bench_touch writes one byte in each 4 KiB page of the touch
 * region between two marks (op g).  64-bit code with RIP-relative or
 * absolute addressing only, so it runs at GPA_CODE as copied.
 */
extern const uint8_t bench_guest[], bench_guest_end[], bench_main[], bench_setup[],
	bench_touch[], bench_hlt_after[];
__asm__(".pushsection .rodata.bench_guest, \"a\"\n"
	".globl bench_guest\n.hidden bench_guest\n"
	".globl bench_guest_end\n.hidden bench_guest_end\n"
	".globl bench_main\n.hidden bench_main\n"
	".globl bench_setup\n.hidden bench_setup\n"
	".globl bench_touch\n.hidden bench_touch\n"
	".globl bench_hlt_after\n.hidden bench_hlt_after\n"
	".code64\n"
	"bench_guest:\n"
	"bench_main:\n"
	"	lgdt " BSTR(GPA_GDTR) "\n"
	"	lidt " BSTR(GPA_IDTR) "\n"
	"	mov $" BSTR(STACK_TOP) ", %rsp\n"
	"	pushq $0x08\n"
	"	lea 1f(%rip), %rax\n"
	"	pushq %rax\n"
	"	lretq\n"
	"1:	mov $0x10, %eax\n"
	"	mov %eax, %ds\n"
	"	mov %eax, %es\n"
	"	mov %eax, %ss\n"
	/* The interrupt gate of IRQ_VECTOR: CS 0x08, DPL 0, type 0xE. */
	"	lea bench_irq(%rip), %rax\n"
	"	mov $" BSTR(GPA_IDT) " + " BSTR(IRQ_VECTOR) " * 16, %rdi\n"
	"	mov %ax, (%rdi)\n"
	"	movw $0x08, 2(%rdi)\n"
	"	movw $0x8e00, 4(%rdi)\n"
	"	shr $16, %rax\n"
	"	mov %ax, 6(%rdi)\n"
	"	shr $16, %rax\n"
	"	mov %eax, 8(%rdi)\n"
	"	movl $0, 12(%rdi)\n"
	/* (a) N writes to the MEM trap page. */
	"	mov $" BSTR(MARK_MEM) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_N_MEM) ", %r8\n"
	"	test %r8, %r8\n"
	"	jz 20f\n"
	"2:	movl %eax, " BSTR(GPA_MEM_TRAP) "\n"
	"	dec %r8\n"
	"	jnz 2b\n"
	"20:\n"
	/* (b) N OUTs to the trapped port. */
	"	mov $" BSTR(MARK_IO) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_N_IO) ", %r8\n"
	"	test %r8, %r8\n"
	"	jz 21f\n"
	"3:	out %al, $" BSTR(PORT_IO) "\n"
	"	dec %r8\n"
	"	jnz 3b\n"
	"21:\n"
	/* (i) N INs from the trapped port, adding up what they read. */
	"	mov $" BSTR(MARK_IN) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_N_IN) ", %r8\n"
	"	xor %r12, %r12\n"
	"	test %r8, %r8\n"
	"	jz 25f\n"
	"26:	xor %eax, %eax\n"
	"	in $" BSTR(PORT_IO) ", %al\n"
	"	add %rax, %r12\n"
	"	dec %r8\n"
	"	jnz 26b\n"
	"25:	mov %r12, " BSTR(GPA_DATA) " + " BSTR(D_IN_SUM) "\n"
	/* (c) doorbell blocks on one queue: bench_bells with mask 0. */
	"	mov $" BSTR(MARK_BELL) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_R_BELL) ", %r9\n"
	"	xor %r11, %r11\n"
	"	call bench_bells\n"
	/* (h) the same over BELL_QUEUES queues, one write to each in turn. */
	"	mov $" BSTR(MARK_BELL4) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_R_BELL4) ", %r9\n"
	"	mov $(" BSTR(BELL_QUEUES) " - 1) << 12, %r11\n"
	"	call bench_bells\n"
	/* (d) R blocks of K CPUIDs (leaf 0). */
	"	mov $" BSTR(MARK_CPUID) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_R_CPUID) ", %r9\n"
	"	test %r9, %r9\n"
	"	jz 23f\n"
	"6:	out %al, $" BSTR(PORT_TICK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_K) ", %r8\n"
	"7:	xor %eax, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	dec %r8\n"
	"	jnz 7b\n"
	"	dec %r9\n"
	"	jnz 6b\n"
	"	out %al, $" BSTR(PORT_TICK) "\n"
	"23:\n"
	/*
	 * (e) R times: say "about to halt", then halt until the handler has
	 * run.  CLI/STI;HLT: an interrupt can only arrive in HLT (STI's shadow
	 * covers the HLT), so no wake-up is lost between the check and HLT.
	 */
	"	mov $" BSTR(MARK_HLT) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_R_HLT) ", %r9\n"
	"	test %r9, %r9\n"
	"	jz 24f\n"
	"8:	mov " BSTR(GPA_DATA) " + " BSTR(D_IRQ_COUNT) ", %r10\n"
	"	out %al, $" BSTR(PORT_READY) "\n"
	"9:	cli\n"
	"	cmp " BSTR(GPA_DATA) " + " BSTR(D_IRQ_COUNT) ", %r10\n"
	"	jne 10f\n"
	"	sti\n"
	"	hlt\n"
	"bench_hlt_after:\n"
	"	jmp 9b\n"
	"10:	dec %r9\n"
	"	jnz 8b\n"
	"	out %al, $" BSTR(PORT_READY) "\n"
	"24:\n"
	"	mov $" BSTR(MARK_END) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"11:	cli\n"
	"	hlt\n"
	"	jmp 11b\n"
	/*
	 * Ops c and h: R9 blocks of K doorbell writes, a tick before each
	 * block and after the last; write i of a block goes to the BELL page
	 * of queue i & (R11 >> 12).
	 */
	"bench_bells:\n"
	"	test %r9, %r9\n"
	"	jz 32f\n"
	"30:	out %al, $" BSTR(PORT_TICK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_K) ", %r8\n"
	"	xor %r10, %r10\n"
	"31:	movl %eax, " BSTR(GPA_BELL) "(%r10)\n"
	"	add $0x1000, %r10\n"
	"	and %r11, %r10\n"
	"	dec %r8\n"
	"	jnz 31b\n"
	"	dec %r9\n"
	"	jnz 30b\n"
	"	out %al, $" BSTR(PORT_TICK) "\n"
	"32:	ret\n"
	/*
	 * The handler: TSC first, then where it interrupted, then the x2APIC
	 * EOI (both hypervisors emulate a local APIC).
	 */
	"bench_irq:\n"
	"	push %rax\n"
	"	push %rdx\n"
	"	push %rcx\n"
	"	rdtsc\n"
	"	shl $32, %rdx\n"
	"	or %rdx, %rax\n"
	"	mov %rax, " BSTR(GPA_DATA) " + " BSTR(D_IRQ_TSC) "\n"
	"	mov 24(%rsp), %rax\n"
	"	mov %rax, " BSTR(GPA_DATA) " + " BSTR(D_IRQ_RIP) "\n"
	"	incq " BSTR(GPA_DATA) " + " BSTR(D_IRQ_COUNT) "\n"
	"	mov $0x80b, %ecx\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	pop %rcx\n"
	"	pop %rdx\n"
	"	pop %rax\n"
	"	iretq\n"
	/* (f) one IO exit. */
	"bench_setup:\n"
	"	mov $" BSTR(MARK_SETUP) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"12:	cli\n"
	"	hlt\n"
	"	jmp 12b\n"
	/* (g) one byte in each 4 KiB page of the touch region. */
	"bench_touch:\n"
	"	mov $" BSTR(MARK_TOUCH0) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"	mov " BSTR(GPA_DATA) " + " BSTR(D_TOUCH_SIZE) ", %rcx\n"
	"	mov $" BSTR(GPA_TOUCH) ", %rdi\n"
	"13:	movb $1, (%rdi)\n"
	"	add $4096, %rdi\n"
	"	sub $4096, %rcx\n"
	"	jnz 13b\n"
	"	mov $" BSTR(MARK_TOUCH1) ", %eax\n"
	"	out %al, $" BSTR(PORT_MARK) "\n"
	"14:	cli\n"
	"	hlt\n"
	"	jmp 14b\n"
	"bench_guest_end:\n"
	".popsection\n");

static inline uint64_t entry_gpa(const uint8_t *label)
{
	return GPA_CODE + (uint64_t)(label - bench_guest);
}

static inline void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

static inline uint64_t get64(const uint8_t *mem, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, mem + gpa, sizeof(v));
	return v;
}

/* The memory image both backends load: page tables, GDT, IDT, the program. */
static inline void bench_image(uint8_t *mem)
{
	uint64_t i;

	put64(mem, GPA_PML4, GPA_PDPT | 0x3);	/* present, writable */
	put64(mem, GPA_PDPT, GPA_PD0 | 0x3);
	put64(mem, GPA_PDPT + 8, GPA_PD1 | 0x3);
	for (i = 0; i < 512; i++) {
		put64(mem, GPA_PD0 + i * 8, (i << 21) | 0x83);	/* + 2 MiB page */
		put64(mem, GPA_PD1 + i * 8, (GPA_TOUCH + (i << 21)) | 0x83);
	}
	put64(mem, GPA_GDT + 0x08, 0x00209a0000000000ull);	/* 64-bit code */
	put64(mem, GPA_GDT + 0x10, 0x00cf92000000ffffull);	/* flat data */
	put64(mem, GPA_GDTR, 0x17 | ((uint64_t)GPA_GDT << 16));
	put64(mem, GPA_IDTR, 0xfff | ((uint64_t)GPA_IDT << 16));
	memcpy(mem + GPA_CODE, bench_guest, bench_guest_end - bench_guest);
}

#endif
