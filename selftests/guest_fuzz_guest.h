/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guests of guest_fuzz_test.c: per run, one of three modes, a small
 * fixed stub that reaches the mode, then random code (fz_code()) of random
 * bytes mixed with instructions that exit or touch state the host owns.
 *
 * Guest-physical layout (vcpu_guest.h's, plus):
 *   0x3000  IDT (long mode: 16-byte gates; protected mode: 8-byte gates)
 *   0x8000  FZ_STUBS: one 16-byte entry per vector: drop the error code
 *           where the CPU pushes one, EAX = vector, jump to FZ_COMMON
 *   0xA000  FZ_PD2: long mode's second page directory (linear [1, 2) GiB),
 *           2 MiB pages at random guest-physical addresses (high, trapped,
 *           unmapped, past 2^48)
 *   0xB000  FZ_COMMON: OUT of EAX to port 0x10, RIP of the frame + 1, IRET
 *           (real mode: OUT of AL, IP + 1)
 *   0x20000 FZ_CODE: the random code of long and protected mode
 *   AP_GPA  real mode: the stub and the random code right behind it
 */
#ifndef ZXHV_SELFTESTS_GUEST_FUZZ_GUEST_H
#define ZXHV_SELFTESTS_GUEST_FUZZ_GUEST_H

#include <stdint.h>
#include <string.h>

#include "vcpu_guest.h"

#define FZ_STUBS	0x8000u
#define FZ_PD2		0xa000u
#define FZ_COMMON	0xb000u
#define FZ_CODE		0x20000u
#define FZ_CODE_MAX	0x600u
#define FZ_IDTR32	(GPA_DATA + 0x100u)

enum fz_mode { FZ_REAL, FZ_PROT, FZ_LONG, FZ_MODES };

/* Long mode (the BSP at GPA_CODE): GDT, IDT, stack, segments, then FZ_CODE. */
GUEST_PROGRAM(g_fz_long,
	"PROLOGUE\n"
	"mov $" GUEST_STR(FZ_CODE) ", %eax\n"
	"jmp *%rax\n");

/*
 * Protected mode (an AP at AP_GPA, from real mode): GDT, CR0.PE, the
 * 32-bit code segment, data segments, stack, the 32-bit IDT, then FZ_CODE.
 */
GUEST_PROGRAM(g_fz_prot,
	".code16\n"
	"cli\n"
	"lgdtl %cs:(8f - 0b)\n"
	"mov %cr0, %eax\n or $1, %eax\n mov %eax, %cr0\n"
	"ljmpl $" GUEST_STR(SEL_CODE32) ", $(1f - 0b + " GUEST_STR(AP_GPA) ")\n"
	".code32\n"
	"1: mov $" GUEST_STR(SEL_DATA) ", %eax\n"
	"mov %eax, %ds\n mov %eax, %es\n mov %eax, %ss\n mov %eax, %fs\n mov %eax, %gs\n"
	"mov $" GUEST_STR(STACK_TOP) ", %esp\n"
	"lidt " GUEST_STR(FZ_IDTR32) "\n"
	"mov $" GUEST_STR(FZ_CODE) ", %eax\n"
	"jmp *%eax\n"
	".code16\n"
	"8: .word 0x27\n .long " GUEST_STR(GPA_GDT) "\n"
	".code64\n");

/* Real mode (an AP at AP_GPA): a stack; the random code follows. */
GUEST_PROGRAM(g_fz_real,
	".code16\n"
	"mov $0xf000, %sp\n"
	".code64\n");

/* --- the random code ------------------------------------------------------ */

struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return (uint32_t)(fz_next(r) % n);
}

/* A buffer of code being built. */
struct fz_buf {
	uint8_t *p;
	uint32_t len, max;
};

static inline void fz_emit(struct fz_buf *b, const void *bytes, uint32_t n)
{
	if (b->len + n <= b->max) {
		memcpy(b->p + b->len, bytes, n);
		b->len += n;
	}
}

static inline void fz_b(struct fz_buf *b, uint8_t v)
{
	fz_emit(b, &v, 1);
}

static inline void fz_u16(struct fz_buf *b, uint16_t v)
{
	fz_emit(b, &v, 2);
}

static inline void fz_u32(struct fz_buf *b, uint32_t v)
{
	fz_emit(b, &v, 4);
}

/* MOV imm32 into r32 @reg (0-7); in real mode with the 0x66 prefix. */
static inline void fz_mov32(struct fz_buf *b, enum fz_mode m, int reg, uint32_t v)
{
	if (m == FZ_REAL)
		fz_b(b, 0x66);
	fz_b(b, 0xb8 + reg);
	fz_u32(b, v);
}

/* MSRs worth writing: emulated, passed through, x2APIC, KVM's, unknown. */
static const uint32_t fz_msrs[] = {
	0x10, 0x1b, 0x3a, 0x48, 0x49, 0x8b, 0xfe, 0x174, 0x175, 0x176, 0x179, 0x17a,
	0x1a0, 0x1d9, 0x1f2, 0x200, 0x250, 0x277, 0x2ff, 0x480, 0x6e0, 0x802, 0x808,
	0x80b, 0x80f, 0x830, 0x832, 0x838, 0x83e, 0x83f, 0xc0000080, 0xc0000081,
	0xc0000082, 0xc0000083, 0xc0000084, 0xc0000100, 0xc0000101, 0xc0000102,
	0xc0000103, 0x4b564d00, 0x4b564d01, 0x11, 0x12, 0x40000000,
};

/* An interesting 32-bit value for an operand. */
static inline uint32_t fz_value(struct fz_rng *r)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 7, 0xff, 0x80000000u, 0xffffffffu, 0x7fffffff, 0xfee00900,
		0x400, 0x1f80, GPA_MEM_TRAP, GPA_BELL_TRAP, GPA_UNMAPPED, GPA_DATA + 1,
	};

	return fz_below(r, 3) ? v[fz_below(r, sizeof(v) / sizeof(v[0]))] : (uint32_t)fz_next(r);
}

/* A guest address to touch: traps, holes, the second directory, RAM. */
static inline uint32_t fz_addr(struct fz_rng *r, enum fz_mode m)
{
	uint32_t off = fz_below(r, 0x1000) & ~3u;

	switch (fz_below(r, 7)) {
	case 0: return GPA_MEM_TRAP + off;
	case 1: return GPA_BELL_TRAP + off;
	case 2: return GPA_UNMAPPED + off;
	case 3: return m == FZ_LONG ? 0x40000000u + fz_below(r, 512) * 0x200000u + off :
			0xfee00000u + off;
	case 4: return 0x30000u + fz_below(r, 0x100000);	/* guest RAM */
	case 5: return 0x7ffff000u + off;
	default: return (uint32_t)fz_next(r);
	}
}

/* MOV EAX to (or from) an absolute address: disp32 where the mode has it. */
static inline void fz_memop(struct fz_buf *b, struct fz_rng *r, enum fz_mode m)
{
	uint8_t op = fz_below(r, 2) ? 0x89 : 0x8b;
	uint32_t a = fz_addr(r, m);

	if (m == FZ_REAL) {			/* addr32 with DS base 0 */
		fz_b(b, 0x67);
		fz_b(b, 0x66);
		fz_b(b, op);
		fz_b(b, 0x05);
	} else if (m == FZ_PROT) {
		fz_b(b, op);
		fz_b(b, 0x05);
	} else {
		fz_b(b, op);
		fz_b(b, 0x04);
		fz_b(b, 0x25);
	}
	fz_u32(b, a);
}

/* One piece of the random code. */
static inline void fz_piece(struct fz_buf *b, struct fz_rng *r, enum fz_mode m)
{
	static const uint8_t ports[] = { 0x10, 0x11, 0x12, 0x13, 0x14, 0x18, 0x1c, 0x1f, 0x80,
					 0x20, 0x60, 0x92, 0xcf, 0xe9 };
	uint8_t port = fz_below(r, 4) ? ports[fz_below(r, sizeof(ports))] :
			(uint8_t)fz_next(r);
	int rex = m == FZ_LONG;

	switch (fz_below(r, 30)) {
	case 0: case 1: case 2: case 3:			/* random bytes */
		for (uint32_t n = 1 + fz_below(r, 6); n; n--)
			fz_b(b, (uint8_t)fz_next(r));
		break;
	case 4: fz_b(b, 0xf4); break;				/* HLT */
	case 5:							/* OUT imm8 */
		fz_mov32(b, m, 0, fz_value(r));
		fz_b(b, 0xe6 + fz_below(r, 2));
		fz_b(b, port);
		break;
	case 6:							/* IN imm8 */
		fz_b(b, 0xe4 + fz_below(r, 2));
		fz_b(b, port);
		break;
	case 7:							/* IN/OUT DX, strings */
		if (m != FZ_REAL)
			fz_b(b, 0x66);
		fz_b(b, 0xba);
		fz_u16(b, fz_below(r, 2) ? port : (uint16_t)fz_next(r));
		if (fz_below(r, 4) == 0)
			fz_b(b, 0xf3);
		fz_b(b, (const uint8_t[]){ 0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e,
					   0x6f }[fz_below(r, 8)]);
		break;
	case 8:							/* MOV to CRn */
		fz_mov32(b, m, 0, fz_value(r));
		if (rex && fz_below(r, 3) == 0)
			fz_b(b, 0x44);				/* CR8-CR15 */
		fz_b(b, 0x0f);
		fz_b(b, 0x22);
		fz_b(b, 0xc0 | fz_below(r, 8) << 3);
		break;
	case 9:							/* MOV from CRn */
		fz_b(b, 0x0f);
		fz_b(b, 0x20);
		fz_b(b, 0xc0 | fz_below(r, 8) << 3 | fz_below(r, 8));
		break;
	case 10: case 11:					/* WRMSR, RDMSR */
		fz_mov32(b, m, 1, fz_below(r, 4) ? fz_msrs[fz_below(r, sizeof(fz_msrs) / 4)] :
			 (uint32_t)fz_next(r));
		fz_mov32(b, m, 0, fz_value(r));
		fz_mov32(b, m, 2, fz_below(r, 2) ? 0 : fz_value(r));
		fz_b(b, 0x0f);
		fz_b(b, fz_below(r, 2) ? 0x30 : 0x32);
		break;
	case 12:						/* INT n, INT3, INTO, INT1 */
		if (fz_below(r, 2)) {
			fz_b(b, 0xcd);
			fz_b(b, (uint8_t)fz_next(r));
		} else {
			fz_b(b, (const uint8_t[]){ 0xcc, 0xce, 0xf1 }[fz_below(r, 3)]);
		}
		break;
	case 13: fz_b(b, 0x0f); fz_b(b, 0x0b); break;		/* UD2 */
	case 14:						/* IRET */
		if (rex)
			fz_b(b, 0x48);
		fz_b(b, 0xcf);
		break;
	case 15:						/* CPUID */
		fz_mov32(b, m, 0, fz_below(r, 2) ? fz_below(r, 0x20) :
			 0x40000000u + fz_below(r, 4));
		fz_b(b, 0x0f);
		fz_b(b, 0xa2);
		break;
	case 16:						/* XSETBV, XGETBV */
		fz_mov32(b, m, 1, fz_below(r, 4) ? 0 : fz_below(r, 3));
		fz_mov32(b, m, 0, fz_below(r, 2) ? fz_below(r, 8) : fz_value(r));
		fz_mov32(b, m, 2, 0);
		fz_b(b, 0x0f);
		fz_b(b, 0x01);
		fz_b(b, fz_below(r, 3) ? 0xd1 : 0xd0);
		break;
	case 17:						/* MOV to/from DRn */
		fz_mov32(b, m, 0, fz_value(r));
		fz_b(b, 0x0f);
		fz_b(b, fz_below(r, 2) ? 0x23 : 0x21);
		fz_b(b, 0xc0 | fz_below(r, 8) << 3);
		break;
	case 18:						/* VMCALL and VMX */
		fz_mov32(b, m, 0, fz_below(r, 2) ? 9 : fz_value(r));
		fz_mov32(b, m, 3, fz_addr(r, m));
		fz_b(b, 0x0f);
		fz_b(b, 0x01);
		fz_b(b, (const uint8_t[]){ 0xc1, 0xc1, 0xc1, 0xc2, 0xc3, 0xc4, 0xd9,
					   0xc8, 0xc9, 0xf9 }[fz_below(r, 10)]);
		break;
	case 19:				/* INVD WBINVD RDTSC RDPMC GETSEC RSM */
		fz_b(b, 0x0f);
		fz_b(b, (const uint8_t[]){ 0x08, 0x09, 0x31, 0x33, 0x37, 0xaa }[fz_below(r, 6)]);
		break;
	case 20: case 21: case 22:				/* memory */
		fz_mov32(b, m, 0, fz_value(r));
		fz_memop(b, r, m);
		break;
	case 23: fz_b(b, fz_below(r, 2) ? 0xfb : 0xfa); break;	/* STI, CLI */
	case 24:						/* PAUSE loop */
		fz_b(b, 0xf3);
		fz_b(b, 0x90);
		break;
	case 25:						/* LIDT/LGDT/INVLPG */
		if (m == FZ_REAL)
			fz_b(b, 0x67);
		fz_b(b, 0x0f);
		fz_b(b, 0x01);
		fz_b(b, (const uint8_t[]){ 0x15, 0x1d, 0x3d }[fz_below(r, 3)] & 0xff);
		if (m == FZ_LONG)
			fz_u32(b, fz_addr(r, m) - (b->len + 4));	/* RIP-relative, roughly */
		else
			fz_u32(b, fz_addr(r, m));
		break;
	case 26:						/* MOV to a segment */
		fz_mov32(b, m, 0, fz_below(r, 2) ? fz_below(r, 0x40) : fz_value(r));
		fz_b(b, 0x8e);
		fz_b(b, 0xc0 | (const uint8_t[]){ 0, 2, 3, 4, 5 }[fz_below(r, 5)] << 3);
		break;
	case 27:						/* a register */
		fz_mov32(b, m, fz_below(r, 8), fz_value(r));
		break;
	case 28:						/* REP STOS somewhere */
		fz_mov32(b, m, 7, fz_addr(r, m));
		fz_mov32(b, m, 1, fz_below(r, 64));
		if (m == FZ_REAL)
			fz_b(b, 0x67);
		fz_b(b, 0xf3);
		fz_b(b, 0xab);
		break;
	default:						/* a short jump */
		fz_b(b, 0xeb);
		fz_b(b, (uint8_t)(fz_below(r, 16) - 4));
		break;
	}
}

/* @len bytes of random code for mode @m, ending in a jump to itself. */
static inline void fz_code(struct fz_rng *r, enum fz_mode m, uint8_t *at, uint32_t len)
{
	struct fz_buf b = { at, 0, len - 2 };

	while (b.len + 24 < b.max)
		fz_piece(&b, r, m);
	b.max = len;
	fz_b(&b, 0xeb);
	fz_b(&b, 0xfe);
}

/*
 * The vector stubs and the common handler for mode @m (FZ_REAL: an IVT),
 * and the IDT (a valid one, one of not-present gates, or random bytes:
 * @idt_kind 0, 1, 2).
 */
static inline void fz_tables(uint8_t *mem, struct fz_rng *r, enum fz_mode m, int idt_kind)
{
	static const uint8_t common64[] = { 0xe7, 0x10, 0x48, 0xff, 0x04, 0x24, 0x48, 0xcf };
	static const uint8_t common32[] = { 0xe7, 0x10, 0xff, 0x04, 0x24, 0xcf };
	static const uint8_t common16[] = { 0x55, 0x89, 0xe5, 0xff, 0x46, 0x02, 0x5d,
					    0xe6, 0x10, 0xcf };
	const uint32_t errcode = 1u << 8 | 0x7c00u | 1u << 17 | 1u << 21 | 1u << 29 | 1u << 30;
	uint8_t *s;
	uint32_t target;
	uint16_t limit = 0x7ff;

	if (m == FZ_REAL) {
		memcpy(mem + FZ_COMMON, common16, sizeof(common16));
		for (int v = 0; v < 256; v++) {
			uint16_t ivt[2] = { 0, FZ_COMMON >> 4 };

			if (idt_kind == 2)
				ivt[0] = (uint16_t)fz_next(r);
			memcpy(mem + v * 4, ivt, 4);
		}
		return;
	}
	if (m == FZ_LONG)
		memcpy(mem + FZ_COMMON, common64, sizeof(common64));
	else
		memcpy(mem + FZ_COMMON, common32, sizeof(common32));
	for (uint32_t v = 0; v < 256; v++) {
		s = mem + FZ_STUBS + v * 16;
		if (v < 32 && (errcode >> v & 1)) {
			if (m == FZ_LONG)
				*s++ = 0x48;
			*s++ = 0x83;
			*s++ = 0xc4;
			*s++ = m == FZ_LONG ? 8 : 4;
		}
		*s++ = 0xb8;
		memcpy(s, &v, 4);
		s += 4;
		*s = 0xe9;
		target = FZ_COMMON - (uint32_t)(s + 5 - mem);
		memcpy(s + 1, &target, 4);
		if (m == FZ_LONG) {
			uint64_t lo = (FZ_STUBS + v * 16) & 0xffff;

			lo |= (uint64_t)SEL_CODE64 << 16 | 0x8e00ull << 32;
			lo |= (uint64_t)((FZ_STUBS + v * 16) >> 16) << 48;
			guest_put64(mem, GPA_IDT + v * 16, idt_kind == 0 ? lo : 0);
			guest_put64(mem, GPA_IDT + v * 16 + 8, 0);
		} else {
			uint64_t g = (FZ_STUBS + v * 16) & 0xffff;

			g |= (uint64_t)SEL_CODE32 << 16 | 0x8e00ull << 32;
			g |= (uint64_t)((FZ_STUBS + v * 16) >> 16) << 48;
			guest_put64(mem, GPA_IDT + v * 8, idt_kind == 0 ? g : 0);
		}
		if (idt_kind == 2) {
			guest_put64(mem, GPA_IDT + v * 16, fz_next(r));
			guest_put64(mem, GPA_IDT + v * 16 + 8, fz_next(r));
		}
	}
	memcpy(mem + FZ_IDTR32, &limit, 2);
	target = GPA_IDT;
	memcpy(mem + FZ_IDTR32 + 2, &target, 4);
}

/* Long mode's second directory: linear [1, 2) GiB onto odd places. */
static inline void fz_pd2(uint8_t *mem, struct fz_rng *r)
{
	static const uint64_t where[] = {
		GPA_MEM_TRAP & ~0x1fffffull, GPA_UNMAPPED & ~0x1fffffull, 1ull << 32,
		1ull << 39, (1ull << 47) - 0x200000, 1ull << 48, 0xfee00000ull & ~0x1fffffull,
	};

	guest_put64(mem, GPA_PDPT + 8, FZ_PD2 | 0x3);
	for (int i = 0; i < 512; i++) {
		uint64_t a = fz_below(r, 2) ? where[fz_below(r, 7)] :
				(fz_next(r) & 0xfffffe00000ull);

		guest_put64(mem, FZ_PD2 + i * 8, a | 0x83);
	}
}

#endif /* ZXHV_SELFTESTS_GUEST_FUZZ_GUEST_H */
