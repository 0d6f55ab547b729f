// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the decisions of the emulated exits (module/arch/x86/vmx/emulate.c,
 * docs/api.md §3.4 and §3.6): MSR reads and writes, MOV to CR0 (and its PAE
 * PDPTE load), XSETBV, CPL and 64-bit mode, the VMCALL results and the
 * CPUID bits that follow CR4 and the XSAVE mask; whom a PAUSE-loop exit
 * yields to.
 * Table-driven; values laid out by hand from the Intel SDM and the spec.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../../module/arch/x86/vmx/caps.h"
#include "../../module/arch/x86/vmx/emulate.h"

/* --- MSRs --------------------------------------------------------------- */

enum {
	OK = ZXHV_EMU_MSR_OK,
	GP = ZXHV_EMU_MSR_GP,
	INVAL = ZXHV_EMU_MSR_INVALID,
	LAPIC = ZXHV_EMU_MSR_LAPIC,
	PV = ZXHV_EMU_MSR_PARAVIRT,
};

/* A host IA32_MISC_ENABLE with fast strings (bit 0) and a few others. */
#define HOST_MISC	0x850089ULL

struct msr_case {
	const char *name;
	u32 index;
	u16 vpid;
	u64 host_misc;
	u64 value;		/* read: expected; write: written */
	int want;
};

#define RD(n, i, val, w)	{ n, i, 2, HOST_MISC, val, w }
#define RD0(n, i)		RD(n, i, 0, OK)

static const struct msr_case rdmsr_cases[] = {
	/* APIC base: 0xFEE00000 | enable | x2APIC, BSP flag on VPID 1. */
	{ "apic-base-bsp", 0x1b, 1, HOST_MISC, 0xfee00d00, OK },
	{ "apic-base-ap", 0x1b, 2, HOST_MISC, 0xfee00c00, OK },
	{ "apic-base-ap-last", 0x1b, 63, HOST_MISC, 0xfee00c00, OK },
	/* MISC_ENABLE: the host's fast-strings bit only. */
	{ "misc-enable-fast", 0x1a0, 1, HOST_MISC, 1, OK },
	{ "misc-enable-slow", 0x1a0, 1, 0x850088, 0, OK },
	{ "misc-enable-all", 0x1a0, 1, ~0ULL, 1, OK },
	/* Read as 0: MTRRs. */
	RD0("mtrrcap", 0xfe),
	RD0("mtrr-def-type", 0x2ff),
	RD0("mtrr-fix64k", 0x250),
	RD0("mtrr-fix16k-80000", 0x258),
	RD0("mtrr-fix16k-a0000", 0x259),
	RD0("mtrr-fix4k-c0000", 0x268),
	RD0("mtrr-fix4k-d8000", 0x26b),
	RD0("mtrr-fix4k-f8000", 0x26f),
	RD0("mtrr-physbase0", 0x200),
	RD0("mtrr-physmask0", 0x201),
	RD0("mtrr-physbase5", 0x20a),
	RD0("mtrr-physmask9", 0x213),
	/* Read as 0: identification, machine check, thermal, RAPL, PPERF. */
	RD0("platform-id", 0x17),
	RD0("bios-sign-id", 0x8b),
	RD0("mcg-cap", 0x179),
	RD0("mcg-status", 0x17a),
	RD0("temperature-target", 0x1a2),
	RD0("rapl-power-unit", 0x606),
	RD0("pkg-power-limit", 0x610),
	RD0("pkg-energy-status", 0x611),
	RD0("dram-power-limit", 0x618),
	RD0("dram-energy-status", 0x619),
	RD0("pp0-power-limit", 0x638),
	RD0("pp0-energy-status", 0x639),
	RD0("pp1-power-limit", 0x640),
	RD0("pp1-energy-status", 0x641),
	RD0("platform-energy-status", 0x64d),
	RD0("pperf", 0x64e),
	RD0("smi-count", 0x34),
	/* Unknown: #GP, including the write-only or write-ignored ones. */
	RD("msr-0", 0, 0, GP),
	RD("tsc", 0x10, 0, GP),
	RD("feature-control", 0x3a, 0, GP),
	RD("spec-ctrl", 0x48, 0, GP),
	RD("pred-cmd", 0x49, 0, GP),
	RD("cstar", 0xc0000083, 0, GP),
	RD("below-var-mtrrs", 0x1ff, 0, GP),
	RD("past-var-mtrrs", 0x214, 0, GP),
	RD("between-fix-mtrrs", 0x257, 0, GP),
	RD("past-fix16k", 0x25a, 0, GP),
	RD("before-fix4k", 0x267, 0, GP),
	RD("past-fix4k", 0x270, 0, GP),
	RD("pkg-perf-status", 0x613, 0, GP),
	RD("pkg-power-info", 0x614, 0, GP),
	RD("vmx-basic", 0x480, 0, GP),
	RD("all-ones", 0xffffffff, 0, GP),
	/* The local APIC's: x2APIC registers and the TSC deadline. */
	RD("x2apic-first", 0x800, 0, LAPIC),
	RD("x2apic-id", 0x802, 0, LAPIC),
	RD("x2apic-icr", 0x830, 0, LAPIC),
	RD("x2apic-last", 0x83f, 0, LAPIC),
	RD("tsc-deadline", 0x6e0, 0, LAPIC),
	RD("below-x2apic", 0x7ff, 0, GP),
	RD("past-x2apic", 0x840, 0, GP),
	/* The KVM clock's. */
	RD("kvm-wall-clock-old", 0x11, 0, PV),
	RD("kvm-system-time-old", 0x12, 0, PV),
	RD("kvm-wall-clock", 0x4b564d00, 0, PV),
	RD("kvm-system-time", 0x4b564d01, 0, PV),
	RD("kvm-async-pf", 0x4b564d02, 0, GP),
	RD("kvm-old-past", 0x13, 0, GP),
};

#define WR(n, i, val, w)	{ n, i, 2, HOST_MISC, val, w }
#define WR_BSP(n, i, val, w)	{ n, i, 1, HOST_MISC, val, w }

static const struct msr_case wrmsr_cases[] = {
	/* APIC base: only the value read, the BSP flag ignored. */
	WR_BSP("apic-base-bsp", 0x1b, 0xfee00d00, OK),
	WR_BSP("apic-base-bsp-flag-clear", 0x1b, 0xfee00c00, OK),
	WR("apic-base-ap", 0x1b, 0xfee00c00, OK),
	WR("apic-base-ap-flag-set", 0x1b, 0xfee00d00, OK),
	WR_BSP("apic-base-xapic-mode", 0x1b, 0xfee00900, INVAL),
	WR("apic-base-xapic-mode-ap", 0x1b, 0xfee00800, INVAL),
	WR_BSP("apic-base-disabled", 0x1b, 0xfee00500, INVAL),
	WR("apic-base-zero", 0x1b, 0, INVAL),
	WR("apic-base-moved", 0x1b, 0xfed00c00, INVAL),
	WR("apic-base-high", 0x1b, 0x1fee00c00ULL, INVAL),
	WR("apic-base-reserved", 0x1b, 0xfee00c01, INVAL),
	/* Ignored: MTRRs (not MTRRCAP), BIOS_SIGN_ID, power limits, ... */
	WR("mtrr-def-type", 0x2ff, 0xc06, OK),
	WR("mtrr-fix64k", 0x250, 0x0606060606060606ULL, OK),
	WR("mtrr-fix16k-80000", 0x258, ~0ULL, OK),
	WR("mtrr-fix16k-a0000", 0x259, 0, OK),
	WR("mtrr-fix4k-c0000", 0x268, 5, OK),
	WR("mtrr-fix4k-f8000", 0x26f, 5, OK),
	WR("mtrr-physbase0", 0x200, 0x6, OK),
	WR("mtrr-physmask9", 0x213, 0xff800000800ULL, OK),
	WR("mtrrcap", 0xfe, 0, GP),
	WR("bios-sign-id", 0x8b, 0, OK),
	WR("pkg-power-limit", 0x610, 0x42816000dd8280ULL, OK),
	WR("dram-power-limit", 0x618, 1, OK),
	WR("pp0-power-limit", 0x638, 1, OK),
	WR("pp1-power-limit", 0x640, 1, OK),
	WR("spec-ctrl", 0x48, 1, OK),
	WR("pred-cmd", 0x49, 1, OK),
	WR("cstar", 0xc0000083, 0xffffffff81a00000ULL, OK),
	/* Read-only or unknown: #GP. */
	WR("misc-enable", 0x1a0, 1, GP),
	WR("platform-id", 0x17, 0, GP),
	WR("mcg-cap", 0x179, 0, GP),
	WR("mcg-status", 0x17a, 0, GP),
	WR("temperature-target", 0x1a2, 0, GP),
	WR("rapl-power-unit", 0x606, 0, GP),
	WR("pkg-energy-status", 0x611, 0, GP),
	WR("platform-energy-status", 0x64d, 0, GP),
	WR("pperf", 0x64e, 0, GP),
	WR("smi-count", 0x34, 0, GP),
	WR("tsc", 0x10, 0, GP),
	WR("msr-0", 0, 0, GP),
	WR("past-var-mtrrs", 0x214, 0, GP),
	WR("all-ones", 0xffffffff, 0, GP),
	/* Owned elsewhere. */
	WR("x2apic-eoi", 0x80b, 0, LAPIC),
	WR("x2apic-icr", 0x830, 0x4000, LAPIC),
	WR("x2apic-last", 0x83f, 0, LAPIC),
	WR("tsc-deadline", 0x6e0, 1, LAPIC),
	WR("past-x2apic", 0x840, 0, GP),
	WR("kvm-system-time", 0x4b564d01, 0x1001, PV),
	WR("kvm-wall-clock", 0x4b564d00, 0x2000, PV),
	WR("kvm-system-time-old", 0x12, 0x1001, PV),
	WR("kvm-wall-clock-old", 0x11, 0x2000, PV),
	WR("kvm-steal-time", 0x4b564d03, 0, GP),
};

static void msr_desc(const struct msr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rdmsr, rdmsr_cases, msr_desc);
KUNIT_ARRAY_PARAM(wrmsr, wrmsr_cases, msr_desc);

static void rdmsr_table(struct kunit *test)
{
	const struct msr_case *c = test->param_value;
	struct zxhv_emu_msr_ctx ctx = { .vpid = c->vpid,
					.host_misc_enable = c->host_misc };
	u64 value = 0x5a5a5a5a5a5a5a5aULL;

	KUNIT_EXPECT_EQ(test, (int)zxhv_emu_rdmsr(&ctx, c->index, &value),
			c->want);
	KUNIT_EXPECT_EQ(test, value, c->value);
}

static void wrmsr_table(struct kunit *test)
{
	const struct msr_case *c = test->param_value;
	struct zxhv_emu_msr_ctx ctx = { .vpid = c->vpid,
					.host_misc_enable = c->host_misc };

	KUNIT_EXPECT_EQ(test, (int)zxhv_emu_wrmsr(&ctx, c->index, c->value),
			c->want);
}

/* --- MOV to CR0 --------------------------------------------------------- */

#define PE	X86_CR0_PE
#define MP	X86_CR0_MP
#define ET	X86_CR0_ET
#define NE	X86_CR0_NE
#define WP	X86_CR0_WP
#define AM	X86_CR0_AM
#define NW	X86_CR0_NW
#define CD	X86_CR0_CD
#define PG	X86_CR0_PG
#define LME	EFER_LME
#define LMA	EFER_LMA

/* docs/api.md §3.4: the mask, the BSP's CR0 and EFER; a typical FIXED0/1. */
#define MASK		(ET | NE | NW | CD)
#define BSP_CR0		(PE | PG | ET | NE | WP)
#define BSP_EFER	(LME | LMA | EFER_NX | EFER_SCE)
#define FIXED0		0x80000021ULL
#define FIXED1		0xffffffffULL
#define CTLS		0xd1ffU		/* load EFER/PAT, ... */
#define IA32E		VM_ENTRY_IA32E_MODE
#define CR4_LONG	(X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR | X86_CR4_VMXE)

struct cr0_case {
	const char *name;
	struct zxhv_emu_cr0_env env;
	struct zxhv_emu_cr0 in;
	u64 value;
	enum zxhv_emu_cr0_result want;
	struct zxhv_emu_cr0 out;	/* for GP: must equal @in */
};

#define ENV_LONG	{ MASK, FIXED0, FIXED1, CR4_LONG, true }
#define ENV_PROT(cr4)	{ MASK, FIXED0, FIXED1, cr4, false }
#define BSP_STATE	{ BSP_CR0, ET, BSP_EFER, CTLS | IA32E }

static const struct cr0_case cr0_cases[] = {
	/* 64-bit BSP sets NE (owned): reads it back from then on. */
	{ "long-set-ne", ENV_LONG, BSP_STATE, BSP_CR0 | MP, ZXHV_EMU_CR0_DONE,
	  { BSP_CR0 | MP, ET | NE, BSP_EFER, CTLS | IA32E } },
	/* ET and NE written as 0: NE stays on, ET reads 1, NE reads 0. */
	{ "long-ne-forced", ENV_LONG, BSP_STATE, PE | PG | WP,
	  ZXHV_EMU_CR0_DONE,
	  { PE | PG | ET | NE | WP, ET, BSP_EFER, CTLS | IA32E } },
	{ "nw-without-cd", ENV_LONG, BSP_STATE, BSP_CR0 | NW, ZXHV_EMU_CR0_GP,
	  BSP_STATE },
	{ "nw-without-cd-real-mode", ENV_PROT(0), { ET | NE, ET, 0, CTLS },
	  ET | NW, ZXHV_EMU_CR0_GP, { ET | NE, ET, 0, CTLS } },
	/* CD/NW: shadowed only, the CPU keeps caching. */
	{ "cd-nw", ENV_LONG, BSP_STATE, BSP_CR0 | CD | NW, ZXHV_EMU_CR0_DONE,
	  { BSP_CR0, ET | NE | CD | NW, BSP_EFER, CTLS | IA32E } },
	{ "cd-only", ENV_LONG, BSP_STATE, PE | PG | ET | WP | CD,
	  ZXHV_EMU_CR0_DONE,
	  { BSP_CR0, ET | CD, BSP_EFER, CTLS | IA32E } },
	/* Protected mode with LME and PAE turns paging on: IA-32e mode. */
	{ "enter-long-mode", ENV_PROT(X86_CR4_PAE),
	  { PE | ET | NE, ET | NE, LME, CTLS }, PE | PG | ET | NE,
	  ZXHV_EMU_CR0_PAGING,
	  { PE | PG | ET | NE, ET | NE, LME | LMA, CTLS | IA32E } },
	{ "enter-long-mode-no-pae", ENV_PROT(0),
	  { PE | ET | NE, ET, LME, CTLS }, PE | PG | ET | NE, ZXHV_EMU_CR0_GP,
	  { PE | ET | NE, ET, LME, CTLS } },
	/* Paging without LME: 32-bit or PAE paging, no IA-32e mode. */
	{ "paging-32bit", ENV_PROT(0), { PE | ET | NE, ET, 0, CTLS },
	  PE | PG | ET, ZXHV_EMU_CR0_PAGING,
	  { PE | PG | ET | NE, ET, 0, CTLS } },
	/* Compatibility mode turns paging off: IA-32e mode ends. */
	{ "leave-long-mode", ENV_PROT(X86_CR4_PAE),
	  { PE | PG | ET | NE, ET, LME | LMA, CTLS | IA32E }, PE | ET,
	  ZXHV_EMU_CR0_PAGING, { PE | ET | NE, ET, LME, CTLS } },
	/* Paging off from 32-bit paging. */
	{ "paging-off-32bit", ENV_PROT(0), { PE | PG | ET | NE, ET, 0, CTLS },
	  PE | ET, ZXHV_EMU_CR0_PAGING, { PE | ET | NE, ET, 0, CTLS } },
	{ "paging-off-64bit-mode", ENV_LONG, BSP_STATE, PE | ET | NE | WP,
	  ZXHV_EMU_CR0_GP, BSP_STATE },
	{ "paging-off-pcide", ENV_PROT(X86_CR4_PAE | X86_CR4_PCIDE),
	  { PE | PG | ET | NE, ET, LME | LMA, CTLS | IA32E }, PE | ET,
	  ZXHV_EMU_CR0_GP, { PE | PG | ET | NE, ET, LME | LMA, CTLS | IA32E } },
	{ "pg-without-pe", ENV_PROT(0), { ET | NE, ET, 0, CTLS }, PG | ET | NE,
	  ZXHV_EMU_CR0_GP, { ET | NE, ET, 0, CTLS } },
	/* Bits 63:32: #GP in 64-bit mode, not part of the operand outside. */
	{ "upper-bits-64bit-mode", ENV_LONG, BSP_STATE, BSP_CR0 | BIT_ULL(32),
	  ZXHV_EMU_CR0_GP, BSP_STATE },
	{ "upper-bits-32bit-mode", ENV_PROT(0), { PE | ET | NE, ET, 0, CTLS },
	  BIT_ULL(40) | PE | ET | NE, ZXHV_EMU_CR0_DONE,
	  { PE | ET | NE, ET | NE, 0, CTLS } },
	/* Reserved bits in 31:0 are ignored. */
	{ "reserved-ignored", ENV_LONG, BSP_STATE,
	  BSP_CR0 | BIT(6) | BIT(17) | BIT(28), ZXHV_EMU_CR0_DONE,
	  { BSP_CR0, ET | NE, BSP_EFER, CTLS | IA32E } },
	/* Real mode (an AP): FIXED0's PE and PG are not forced. */
	{ "real-mode-ap", ENV_PROT(0), { ET | NE | WP, ET, 0, CTLS },
	  ET | WP | CD, ZXHV_EMU_CR0_DONE,
	  { ET | NE | WP, ET | CD, 0, CTLS } },
	/* Other FIXED0 bits forced on, FIXED1 zeros forced off. */
	{ "fixed-applied",
	  { MASK, FIXED0 | WP, FIXED1 & ~AM, CR4_LONG, true }, BSP_STATE,
	  PE | PG | ET | NE | AM, ZXHV_EMU_CR0_DONE,
	  { BSP_CR0, ET | NE, BSP_EFER, CTLS | IA32E } },
	/* The shadow holds only the mask's bits. */
	{ "narrow-mask", { ET | NE, FIXED0, FIXED1, CR4_LONG, true },
	  { BSP_CR0, ET, BSP_EFER, CTLS | IA32E }, BSP_CR0 | CD,
	  ZXHV_EMU_CR0_DONE, { BSP_CR0, ET | NE, BSP_EFER, CTLS | IA32E } },
};

static void cr0_desc(const struct cr0_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cr0, cr0_cases, cr0_desc);

static void cr0_table(struct kunit *test)
{
	const struct cr0_case *c = test->param_value;
	struct zxhv_emu_cr0 st = c->in;

	KUNIT_EXPECT_EQ(test, zxhv_emu_mov_to_cr0(&c->env, c->value, &st),
			c->want);
	KUNIT_EXPECT_EQ(test, st.cr0, c->out.cr0);
	KUNIT_EXPECT_EQ(test, st.shadow, c->out.shadow);
	KUNIT_EXPECT_EQ(test, st.efer, c->out.efer);
	KUNIT_EXPECT_EQ(test, st.entry_ctls, c->out.entry_ctls);
}

/* --- XSETBV --------------------------------------------------------------- */

static void xsetbv_table(struct kunit *test)
{
	static const struct {
		u32 ecx;
		u64 value, mask;
		bool ok;
	} rows[] = {
		{ 0, 0x7, 0x7, true },		/* x87 | SSE | AVX */
		{ 0, 0x3, 0x7, true },
		{ 0, 0x1, 0x7, true },
		{ 0, 0x1, 0x1, true },
		{ 0, 0x0, 0x7, false },		/* x87 must be on */
		{ 0, 0x2, 0x7, false },
		{ 0, 0x6, 0x7, false },
		{ 0, 0x4, 0x7, false },
		{ 0, 0x5, 0x7, false },		/* AVX needs SSE */
		{ 0, 0x7, 0x3, false },		/* AVX not swapped */
		{ 0, 0x3, 0x1, false },
		{ 0, 0x207, 0x7, false },	/* PKRU */
		{ 0, 0xe7, 0x7, false },	/* AVX-512 */
		{ 0, BIT_ULL(63) | 0x7, 0x7, false },
		{ 1, 0x1, 0x7, false },		/* only XCR0 exists */
		{ 0xffffffff, 0x7, 0x7, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		KUNIT_EXPECT_EQ_MSG(test,
				    zxhv_emu_xsetbv_ok(rows[i].ecx, rows[i].value,
						       rows[i].mask),
				    rows[i].ok, "row %u: ecx %#x value %#llx mask %#llx",
				    i, rows[i].ecx, rows[i].value, rows[i].mask);
}

/* --- CPL and 64-bit mode ------------------------------------------------------ */

static void cpl_from_ss(struct kunit *test)
{
	static const struct { u32 ar; u8 cpl; } rows[] = {
		{ 0x0093, 0 }, { 0x00b3, 1 }, { 0x00d3, 2 }, { 0x00f3, 3 },
		{ 0xc093, 0 }, { 0xc0f3, 3 },
		{ 0x10000, 0 },			/* unusable, DPL 0 */
		{ 0x1fffff, 3 },
		{ 0xffffff9f, 0 },		/* only bits 6:5 count */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		KUNIT_EXPECT_EQ_MSG(test, zxhv_emu_cpl(rows[i].ar), rows[i].cpl,
				    "ar %#x", rows[i].ar);
}

static void long_mode(struct kunit *test)
{
	/* CS access rights: 64-bit code 0xa09b, 32-bit code 0xc09b. */
	KUNIT_EXPECT_TRUE(test, zxhv_emu_long_mode(LME | LMA, 0xa09b));
	KUNIT_EXPECT_TRUE(test, zxhv_emu_long_mode(LMA, 0x2000));
	KUNIT_EXPECT_FALSE(test, zxhv_emu_long_mode(LME | LMA, 0xc09b));
	KUNIT_EXPECT_FALSE(test, zxhv_emu_long_mode(LME, 0xa09b));
	KUNIT_EXPECT_FALSE(test, zxhv_emu_long_mode(0, 0xa09b));
	KUNIT_EXPECT_FALSE(test, zxhv_emu_long_mode(~(u64)LMA, ~0U));
}

/* --- VMCALL ---------------------------------------------------------------------- */

static void vmcall_table(struct kunit *test)
{
	static const struct {
		u8 cpl;
		u64 nr, a1;
		enum zxhv_emu_hc want;
		s64 ret;
	} rows[] = {
		{ 0, 9, 0, ZXHV_EMU_HC_CLOCK_PAIRING, 0 },
		{ 0, 9, 1, ZXHV_EMU_HC_RETURN, -95 },	/* not wall clock */
		{ 0, 9, ~0ULL, ZXHV_EMU_HC_RETURN, -95 },
		{ 3, 9, 0, ZXHV_EMU_HC_RETURN, -1 },	/* CPL != 0 first */
		{ 1, 0, 0, ZXHV_EMU_HC_RETURN, -1 },
		{ 2, 9, 1, ZXHV_EMU_HC_RETURN, -1 },
		{ 3, 12345, 0, ZXHV_EMU_HC_RETURN, -1 },
		{ 0, 0, 0, ZXHV_EMU_HC_RETURN, -1000 },
		{ 0, 1, 0, ZXHV_EMU_HC_RETURN, -1000 },	/* VAPIC_POLL_IRQ */
		{ 0, 5, 0, ZXHV_EMU_HC_RETURN, -1000 },	/* KICK_CPU */
		{ 0, 10, 0, ZXHV_EMU_HC_RETURN, -1000 },	/* SEND_IPI */
		{ 0, 0x100000009ULL, 0, ZXHV_EMU_HC_RETURN, -1000 },
		{ 0, ~0ULL, 0, ZXHV_EMU_HC_RETURN, -1000 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		s64 ret = 42;

		KUNIT_EXPECT_EQ_MSG(test, zxhv_emu_vmcall(rows[i].cpl, rows[i].nr,
							  rows[i].a1, &ret),
				    rows[i].want, "row %u", i);
		KUNIT_EXPECT_EQ_MSG(test, ret, rows[i].ret, "row %u", i);
	}
}

/* Number and arguments: 32 bits outside 64-bit mode. */
static void vmcall_args(struct kunit *test)
{
	s64 ret;

	KUNIT_EXPECT_EQ(test, zxhv_emu_hc_arg(false, 0xffffffff00000009ULL),
			9ULL);
	KUNIT_EXPECT_EQ(test, zxhv_emu_hc_arg(true, 0xffffffff00000009ULL),
			0xffffffff00000009ULL);
	KUNIT_EXPECT_EQ(test, zxhv_emu_hc_arg(false, 0x12345678ULL),
			0x12345678ULL);
	/* A 32-bit guest's clock pairing with junk above bit 31. */
	KUNIT_EXPECT_EQ(test,
			zxhv_emu_vmcall(0, zxhv_emu_hc_arg(false, 0xdead00000009ULL),
					zxhv_emu_hc_arg(false, 0xbeef00000000ULL),
					&ret),
			ZXHV_EMU_HC_CLOCK_PAIRING);
}

/* --- CPUID bits that follow CR4 and the XSAVE mask ---------------------------- */

static void cpuid_guest_bits(struct kunit *test)
{
	static const struct {
		u32 leaf, subleaf;
		struct zxhv_emu_cpuid_env env;
		u32 in[4], want[4];
	} rows[] = {
		{ 1, 0, { X86_CR4_OSXSAVE, 7, 0 }, { 1, 2, 0, 4 },
		  { 1, 2, BIT(27), 4 } },
		{ 1, 0, { 0, 7, 0 }, { 1, 2, ~0U, 4 }, { 1, 2, (u32)~BIT(27), 4 } },
		{ 1, 0, { ~(u64)X86_CR4_OSXSAVE, 7, 0 }, { 0, 0, BIT(27), 0 },
		  { 0, 0, 0, 0 } },
		{ 7, 0, { X86_CR4_PKE, 7, 0 }, { 0, 0, 0, 0 }, { 0, 0, BIT(4), 0 } },
		{ 7, 0, { X86_CR4_OSXSAVE, 7, 0 }, { ~0U, ~0U, ~0U, ~0U },
		  { ~0U, ~0U, (u32)~BIT(4), ~0U } },
		{ 7, 1, { 0, 7, 0 }, { ~0U, ~0U, ~0U, ~0U }, { ~0U, ~0U, ~0U, ~0U } },
		/* 0xD.0: only the swapped components, their maximum size. */
		{ 0xd, 0, { 0, 7, 0x340 }, { 0x2e7, 0x340, 0x2440, 0 },
		  { 0x7, 0x340, 0x340, 0 } },
		{ 0xd, 0, { 0, 3, 0x240 }, { 0x2ff, 0x240, 0x2440, 0xffff },
		  { 0x3, 0x240, 0x240, 0 } },
		/* 0xD.1 is cpuid.c's; 0xD.n (n >= 2) only for the mask's. */
		{ 0xd, 1, { 0, 7, 0 }, { 0x7, 0x2440, 0x1900, 0 },
		  { 0x7, 0x2440, 0x1900, 0 } },
		{ 0xd, 2, { 0, 7, 0 }, { 0x100, 0x240, 0, 0 }, { 0x100, 0x240, 0, 0 } },
		{ 0xd, 2, { 0, 3, 0 }, { 0x100, 0x240, 0, 0 }, { 0, 0, 0, 0 } },
		{ 0xd, 9, { 0, 7, 0 }, { 8, 0xa80, 0, 0 }, { 0, 0, 0, 0 } },
		{ 0xd, 63, { 0, 7, 0 }, { 1, 2, 3, 4 }, { 0, 0, 0, 0 } },
		{ 0xd, 64, { 0, 7, 0 }, { 1, 2, 3, 4 }, { 1, 2, 3, 4 } },
		{ 0x80000001, 0, { ~0ULL, 0, 0 }, { 5, 6, 7, 8 }, { 5, 6, 7, 8 } },
		/* A host without XSAVE (mask 0): XSAVE, AVX and friends hidden. */
		{ 1, 0, { X86_CR4_OSXSAVE, 0, 0 }, { 1, 2, ~0U, 4 },
		  { 1, 2, (u32)~(BIT(12) | BIT(26) | BIT(27) | BIT(28) | BIT(29)), 4 } },
		{ 7, 0, { 0, 0, 0 }, { ~0U, ~0U, ~0U, ~0U },
		  { ~0U, (u32)~BIT(5), (u32)~BIT(4), ~0U } },
		{ 0xd, 0, { 0, 0, 0 }, { 1, 2, 3, 4 }, { 0, 0, 0, 0 } },
		{ 0xd, 1, { 0, 0, 0 }, { 1, 2, 3, 4 }, { 0, 0, 0, 0 } },
	};
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		u32 regs[4];

		memcpy(regs, rows[i].in, sizeof(regs));
		zxhv_emu_cpuid_guest_bits(rows[i].leaf, rows[i].subleaf,
					  &rows[i].env, regs);
		for (r = 0; r < 4; r++)
			KUNIT_EXPECT_EQ_MSG(test, regs[r], rows[i].want[r],
					    "row %u register %d", i, r);
	}
}

/* --- PAE PDPTEs on MOV to CR0 ------------------------------------------------------ */

static void cr0_loads_pdptes(struct kunit *test)
{
	static const struct {
		u64 cr4;
		struct zxhv_emu_cr0 old, new;
		bool want;
	} rows[] = {
		/* Paging on with PAE, no LME: PAE paging. */
		{ X86_CR4_PAE, { PE | ET | NE, ET, 0, CTLS },
		  { PE | PG | ET | NE, ET, 0, CTLS }, true },
		/* ... with LME: IA-32e paging, no PDPTEs. */
		{ X86_CR4_PAE, { PE | ET | NE, ET, LME, CTLS },
		  { PE | PG | ET | NE, ET, LME | LMA, CTLS | IA32E }, false },
		/* 32-bit paging. */
		{ 0, { PE | ET | NE, ET, 0, CTLS },
		  { PE | PG | ET | NE, ET, 0, CTLS }, false },
		/* CD or NW changed under PAE paging. */
		{ X86_CR4_PAE, { PE | PG | ET | NE, ET, 0, CTLS },
		  { PE | PG | ET | NE, ET | CD, 0, CTLS }, true },
		{ X86_CR4_PAE, { PE | PG | ET | NE, ET | CD, 0, CTLS },
		  { PE | PG | ET | NE, ET | CD | NW, 0, CTLS }, true },
		/* Only NE changed. */
		{ X86_CR4_PAE, { PE | PG | ET | NE, ET, 0, CTLS },
		  { PE | PG | ET | NE, ET | NE, 0, CTLS }, false },
		/* Paging off. */
		{ X86_CR4_PAE, { PE | PG | ET | NE, ET, 0, CTLS },
		  { PE | ET | NE, ET, 0, CTLS }, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct zxhv_emu_cr0_env env = { MASK, FIXED0, FIXED1,
						rows[i].cr4, false };

		KUNIT_EXPECT_EQ_MSG(test,
				    zxhv_emu_cr0_loads_pdptes(&env, &rows[i].old,
							      &rows[i].new),
				    rows[i].want, "row %u", i);
	}
}

static void pdptes_ok(struct kunit *test)
{
	static const struct {
		u64 pdpte;
		u8 maxphyaddr;
		bool ok;
	} rows[] = {
		{ 0, 39, true },
		{ 0x1001, 39, true },
		{ 0x1019, 39, true },			/* PWT, PCD */
		{ 0xe01, 39, true },			/* 11:9 ignored */
		{ 0x1e6, 39, true },			/* not present */
		{ BIT_ULL(63) | 0x1000, 39, true },
		{ 0x1003, 39, false },			/* bit 1 */
		{ 0x1005, 39, false },			/* bit 2 */
		{ 0x1021, 39, false },			/* bit 5 */
		{ 0x1101, 39, false },			/* bit 8 */
		{ BIT_ULL(38) | 1, 39, true },
		{ BIT_ULL(39) | 1, 39, false },		/* above MAXPHYADDR */
		{ BIT_ULL(63) | 1, 39, false },		/* XD is reserved */
		{ BIT_ULL(51) | 1, 52, true },
		{ BIT_ULL(52) | 1, 52, false },
		{ BIT_ULL(60) | 1, 64, false },		/* clamped to 52 */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		u64 pdpte[4] = { 0x2001, 0, 0x3001, 0 };
		int slot = i % 4;

		pdpte[slot] = rows[i].pdpte;
		KUNIT_EXPECT_EQ_MSG(test, zxhv_emu_pdptes_ok(pdpte,
							     rows[i].maxphyaddr),
				    rows[i].ok, "row %u: pdpte%d %#llx", i, slot,
				    rows[i].pdpte);
	}
}

static void apic_base(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zxhv_emu_apic_base(1), 0xfee00d00ULL);
	KUNIT_EXPECT_EQ(test, zxhv_emu_apic_base(2), 0xfee00c00ULL);
	KUNIT_EXPECT_EQ(test, zxhv_emu_apic_base(0xffff), 0xfee00c00ULL);
}

/* Whom a PAUSE-loop exit yields to: after @last, cyclically, never self or 0. */
static void pause_yield_pick(struct kunit *test)
{
	static const struct {
		u64 ready;
		u16 self, last, want;
	} rows[] = {
		{ 0, 1, 0, 0 },				/* nobody waits */
		{ BIT_ULL(1), 1, 0, 0 },		/* only itself */
		{ BIT_ULL(0), 1, 0, 0 },		/* VPID 0 is no VCPU */
		{ BIT_ULL(0) | BIT_ULL(1), 1, 5, 0 },
		{ BIT_ULL(2), 1, 0, 2 },		/* the 2-VCPU guest */
		{ BIT_ULL(2), 1, 2, 2 },		/* again the same one */
		{ BIT_ULL(1), 2, 1, 1 },
		{ BIT_ULL(2) | BIT_ULL(3), 1, 0, 2 },	/* round-robin */
		{ BIT_ULL(2) | BIT_ULL(3), 1, 2, 3 },
		{ BIT_ULL(2) | BIT_ULL(3), 1, 3, 2 },	/* wraps */
		{ BIT_ULL(2) | BIT_ULL(5), 3, 2, 5 },	/* skips self on the way */
		{ BIT_ULL(3) | BIT_ULL(5), 3, 2, 5 },	/* self is never picked */
		{ BIT_ULL(3) | BIT_ULL(5), 3, 5, 5 },
		{ BIT_ULL(63), 1, 62, 63 },		/* the highest VPID */
		{ BIT_ULL(63) | BIT_ULL(4), 1, 63, 4 },	/* after 63: from 1 */
		{ BIT_ULL(63) | BIT_ULL(4), 63, 63, 4 },
		{ GENMASK_ULL(63, 0), 7, 7, 8 },	/* everyone waits */
		{ GENMASK_ULL(63, 0), 63, 62, 1 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		KUNIT_EXPECT_EQ_MSG(test, zxhv_emu_pause_yield_pick(rows[i].ready, rows[i].self,
								    rows[i].last),
				    rows[i].want, "row %u: ready %#llx self %u last %u", i,
				    rows[i].ready, rows[i].self, rows[i].last);
}

/* The nap after a refused yield: doubles within one wait, restarts after. */
static void pause_nap(struct kunit *test)
{
	static const struct {
		u32 last;
		u64 since;
		u32 want;
	} rows[] = {
		{ 0, 0, 16000 },			/* the first nap ever */
		{ 0, 5000000, 16000 },
		{ 16000, 0, 32000 },			/* the same wait */
		{ 16000, 3000, 32000 },
		{ 32000, 100000, 64000 },		/* at the window's edge */
		{ 64000, 100001, 16000 },		/* past it: a new wait */
		{ 128000, 2000, 256000 },
		{ 256000, 2000, 256000 },		/* the longest */
		{ 200000, 2000, 256000 },
		{ 1000, 2000, 32000 },			/* below the shortest */
		{ 256000, ~0ull, 16000 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++)
		KUNIT_EXPECT_EQ_MSG(test, zxhv_emu_pause_nap_ns(rows[i].last, rows[i].since),
				    rows[i].want, "row %u: last %u since %llu", i, rows[i].last,
				    rows[i].since);
}

static struct kunit_case emulate_cases[] = {
	KUNIT_CASE_PARAM(rdmsr_table, rdmsr_gen_params),
	KUNIT_CASE_PARAM(wrmsr_table, wrmsr_gen_params),
	KUNIT_CASE(apic_base),
	KUNIT_CASE_PARAM(cr0_table, cr0_gen_params),
	KUNIT_CASE(xsetbv_table),
	KUNIT_CASE(cpl_from_ss),
	KUNIT_CASE(long_mode),
	KUNIT_CASE(vmcall_table),
	KUNIT_CASE(vmcall_args),
	KUNIT_CASE(cr0_loads_pdptes),
	KUNIT_CASE(pdptes_ok),
	KUNIT_CASE(cpuid_guest_bits),
	KUNIT_CASE(pause_yield_pick),
	KUNIT_CASE(pause_nap),
	{}
};

static struct kunit_suite emulate_suite = {
	.name = "zxhv-vmx-emulate",
	.test_cases = emulate_cases,
};

kunit_test_suite(emulate_suite);
