// SPDX-License-Identifier: GPL-2.0-only
/*
 * The decisions behind the exits the kernel emulates by itself (docs/api.md
 * §3.6): CPUID, MOV to CR0, RDMSR/WRMSR, XSETBV and VMCALL; and whom a
 * PAUSE-loop exit yields to.
 *
 * Each is a pure function of values declared in emulate.h, checked by
 * KUnit (kunit/vmx/emulate_kunit.c).  The exit handlers (vmexit.c) read
 * those values from the VMCS and the GPRs, and apply the result.
 *
 * Architectural facts are from the Intel SDM: Vol. 3C 26.1.3 (which
 * instructions exit in VMX non-root operation), Vol. 2 (MOV CR, XSETBV,
 * RDMSR/WRMSR), Vol. 3A 2.5 (CR0), Vol. 4 (MSR indices).  The hypercall
 * ABI is Linux's Documentation/virt/kvm/x86/hypercalls.rst.
 */
#include <linux/bitfield.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/minmax.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <zircon/errors.h>
#include <zircon/types.h>

#include "caps.h"
#include "emulate.h"

enum { EAX, EBX, ECX, EDX };

/* --- MSRs (docs/api.md §3.6 "MSRs") --- */

/* IA32_MTRR_PHYSBASE0 .. IA32_MTRR_PHYSMASK9: ten base/mask pairs. */
#define MSR_MTRR_VAR_FIRST	0x200
#define MSR_MTRR_VAR_LAST	0x213
/* The x2APIC register space (SDM Vol. 3A 11.12.1.2). */
#define MSR_X2APIC_FIRST	APIC_BASE_MSR
#define MSR_X2APIC_LAST		(APIC_BASE_MSR + 0x3f)

u64 zxhv_emu_apic_base(u16 vpid)
{
	u64 base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
		   X2APIC_ENABLE;

	return vpid == 1 ? base | MSR_IA32_APICBASE_BSP : base;
}

/* The MTRRs a guest may write (and have ignored); MTRRCAP is read-only. */
static bool msr_is_mtrr(u32 index)
{
	switch (index) {
	case MSR_MTRRdefType:
	case MSR_MTRRfix64K_00000:
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
	case MSR_MTRR_VAR_FIRST ... MSR_MTRR_VAR_LAST:
		return true;
	}
	return false;
}

/* RAPL power limits: read as 0, writes ignored. */
static bool msr_is_power_limit(u32 index)
{
	switch (index) {
	case MSR_PKG_POWER_LIMIT:
	case MSR_DRAM_POWER_LIMIT:
	case MSR_PP0_POWER_LIMIT:
	case MSR_PP1_POWER_LIMIT:
		return true;
	}
	return false;
}

/* The MSRs whose emulation lives with the VCPU state they touch. */
static enum zxhv_emu_msr msr_owner(u32 index)
{
	switch (index) {
	case MSR_X2APIC_FIRST ... MSR_X2APIC_LAST:
	case MSR_IA32_TSC_DEADLINE:
		return ZXHV_EMU_MSR_LAPIC;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK_NEW:
	case MSR_KVM_SYSTEM_TIME_NEW:
		return ZXHV_EMU_MSR_PARAVIRT;
	}
	return ZXHV_EMU_MSR_GP;
}

enum zxhv_emu_msr zxhv_emu_rdmsr(const struct zxhv_emu_msr_ctx *ctx, u32 index,
				 u64 *value)
{
	*value = 0;
	if (msr_is_mtrr(index) || msr_is_power_limit(index))
		return ZXHV_EMU_MSR_OK;

	switch (index) {
	case MSR_IA32_APICBASE:
		*value = zxhv_emu_apic_base(ctx->vpid);
		return ZXHV_EMU_MSR_OK;
	case MSR_IA32_MISC_ENABLE:
		*value = ctx->host_misc_enable & MSR_IA32_MISC_ENABLE_FAST_STRING;
		return ZXHV_EMU_MSR_OK;
	case MSR_MTRRcap:
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_UCODE_REV:	/* IA32_BIOS_SIGN_ID */
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_TEMPERATURE_TARGET:
	case MSR_RAPL_POWER_UNIT:
	case MSR_PKG_ENERGY_STATUS:
	case MSR_DRAM_ENERGY_STATUS:
	case MSR_PP0_ENERGY_STATUS:
	case MSR_PP1_ENERGY_STATUS:
	case MSR_PLATFORM_ENERGY_STATUS:
	case MSR_PPERF:
	case MSR_SMI_COUNT:
		return ZXHV_EMU_MSR_OK;
	}
	return msr_owner(index);
}

enum zxhv_emu_msr zxhv_emu_wrmsr(const struct zxhv_emu_msr_ctx *ctx, u32 index,
				 u64 value)
{
	if (msr_is_mtrr(index) || msr_is_power_limit(index))
		return ZXHV_EMU_MSR_OK;

	switch (index) {
	case MSR_IA32_APICBASE:
		/* Only the value it reads (the BSP flag aside) is accepted. */
		if ((value | MSR_IA32_APICBASE_BSP) !=
		    (zxhv_emu_apic_base(ctx->vpid) | MSR_IA32_APICBASE_BSP))
			return ZXHV_EMU_MSR_INVALID;
		return ZXHV_EMU_MSR_OK;
	case MSR_IA32_UCODE_REV:	/* IA32_BIOS_SIGN_ID */
	case MSR_IA32_SPEC_CTRL:
	case MSR_IA32_PRED_CMD:
	case MSR_CSTAR:
		return ZXHV_EMU_MSR_OK;
	}
	return msr_owner(index);
}

/* --- MOV to CR0 --- */

/* CR0's defined bits; writes to the others in 31:0 are ignored. */
#define CR0_DEFINED							\
	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | \
	 X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | \
	 X86_CR0_PG)
/* Unrestricted guest lets these two be 0 despite IA32_VMX_CR0_FIXED0. */
#define CR0_UNRESTRICTED	(X86_CR0_PE | X86_CR0_PG)

enum zxhv_emu_cr0_result zxhv_emu_mov_to_cr0(const struct zxhv_emu_cr0_env *env,
					     u64 value, struct zxhv_emu_cr0 *st)
{
	bool old_pg = st->cr0 & X86_CR0_PG;
	bool new_pg;
	u64 cr0;

	/* Outside 64-bit mode the source operand is 32 bits. */
	if (!env->long_mode)
		value = lower_32_bits(value);
	new_pg = value & X86_CR0_PG;

	/* The #GP(0) conditions of MOV to CR0 (SDM Vol. 2B "MOV CR"). */
	if (upper_32_bits(value))
		return ZXHV_EMU_CR0_GP;
	if ((value & X86_CR0_NW) && !(value & X86_CR0_CD))
		return ZXHV_EMU_CR0_GP;
	if (new_pg && !(value & X86_CR0_PE))
		return ZXHV_EMU_CR0_GP;
	/* Entering IA-32e mode needs PAE (SDM Vol. 3A 10.8.5). */
	if (!old_pg && new_pg && (st->efer & EFER_LME) &&
	    !(env->cr4 & X86_CR4_PAE))
		return ZXHV_EMU_CR0_GP;
	/* Paging cannot be turned off in 64-bit mode or with PCIDs on. */
	if (old_pg && !new_pg &&
	    (env->long_mode || (env->cr4 & X86_CR4_PCIDE)))
		return ZXHV_EMU_CR0_GP;

	/*
	 * What the CPU runs with: NE always (native x87 error reporting),
	 * ET is hardwired to 1, and caching stays on (CD = NW = 0: under EPT
	 * a guest's CD would make all its memory uncacheable; the guest
	 * still reads back the CD/NW it wrote through the shadow).
	 */
	cr0 = (value & CR0_DEFINED) | X86_CR0_ET | X86_CR0_NE;
	cr0 &= ~(X86_CR0_CD | X86_CR0_NW);
	cr0 |= env->fixed0 & ~CR0_UNRESTRICTED;
	cr0 &= env->fixed1;

	st->cr0 = cr0;
	/* The guest reads its own value of the owned bits, and ET = 1. */
	st->shadow = (value & env->mask & ~X86_CR0_ET) |
		     (env->mask & X86_CR0_ET);

	if (old_pg == new_pg)
		return ZXHV_EMU_CR0_DONE;
	/* IA32_EFER.LMA follows LME & PG (SDM Vol. 3A 10.8.5, 10.8.6). */
	if (new_pg && (st->efer & EFER_LME)) {
		st->efer |= EFER_LMA;
		st->entry_ctls |= VM_ENTRY_IA32E_MODE;
	} else if (!new_pg) {
		st->efer &= ~EFER_LMA;
		st->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	}
	return ZXHV_EMU_CR0_PAGING;
}

bool zxhv_emu_cr0_loads_pdptes(const struct zxhv_emu_cr0_env *env,
			       const struct zxhv_emu_cr0 *old,
			       const struct zxhv_emu_cr0 *new)
{
	bool changed = ((old->cr0 ^ new->cr0) & X86_CR0_PG) ||
		       ((old->shadow ^ new->shadow) & (X86_CR0_CD | X86_CR0_NW));

	return changed && (new->cr0 & X86_CR0_PG) && (env->cr4 & X86_CR4_PAE) &&
	       !(new->efer & EFER_LMA);
}

/* PAE PDPTE bits (SDM Vol. 3A Table 4-8). */
#define PDPTE_P			BIT_ULL(0)
#define PDPTE_RSVD_LOW		(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5))

bool zxhv_emu_pdptes_ok(const u64 pdpte[4], u8 maxphyaddr)
{
	u64 rsvd;
	int i;

	/* MAXPHYADDR is at most 52. */
	maxphyaddr = min_t(u8, maxphyaddr, 52);
	rsvd = PDPTE_RSVD_LOW | GENMASK_ULL(63, maxphyaddr);

	for (i = 0; i < 4; i++)
		if ((pdpte[i] & PDPTE_P) && (pdpte[i] & rsvd))
			return false;
	return true;
}

/* --- CPUID, XSETBV, privilege --- */

/* CPUID.1:ECX.OSXSAVE[27] and CPUID.(7,0):ECX.OSPKE[4]. */
#define CPUID_1_ECX_OSXSAVE	BIT(27)
#define CPUID_7_ECX_OSPKE	BIT(4)
/* CPUID.1:ECX FMA[12], XSAVE[26], OSXSAVE[27], AVX[28], F16C[29]. */
#define CPUID_1_ECX_XSAVE_FEATURES \
	(BIT(12) | BIT(26) | BIT(27) | BIT(28) | BIT(29))
#define CPUID_7_EBX_AVX2	BIT(5)
#define LEAF_XSAVE		0xd

static void mirror_bit(u32 *reg, u32 bit, bool set)
{
	*reg = set ? *reg | bit : *reg & ~bit;
}

void zxhv_emu_cpuid_guest_bits(u32 host_leaf, u32 subleaf,
			       const struct zxhv_emu_cpuid_env *env, u32 regs[4])
{
	switch (host_leaf) {
	case 1:
		mirror_bit(&regs[ECX], CPUID_1_ECX_OSXSAVE,
			   env->cr4 & X86_CR4_OSXSAVE);
		/* A host kernel without XSAVE swaps no XSAVE state: hide it all. */
		if (!env->xsave_mask)
			regs[ECX] &= ~CPUID_1_ECX_XSAVE_FEATURES;
		break;
	case 7:
		if (subleaf == 0) {
			mirror_bit(&regs[ECX], CPUID_7_ECX_OSPKE,
				   env->cr4 & X86_CR4_PKE);
			if (!env->xsave_mask)
				regs[EBX] &= ~CPUID_7_EBX_AVX2;
		}
		break;
	case LEAF_XSAVE:
		if (!env->xsave_mask) {
			memset(regs, 0, 4 * sizeof(regs[0]));
			break;
		}
		/* What XSETBV accepts is all the guest may enable. */
		if (subleaf == 0) {
			regs[EAX] &= lower_32_bits(env->xsave_mask);
			regs[EDX] &= upper_32_bits(env->xsave_mask);
			regs[ECX] = env->xsave_max;
		} else if (subleaf >= 2 && subleaf < 64 &&
			   !(env->xsave_mask & BIT_ULL(subleaf))) {
			regs[EAX] = 0;
			regs[EBX] = 0;
			regs[ECX] = 0;
			regs[EDX] = 0;
		}
		break;
	}
}

bool zxhv_emu_xsetbv_ok(u32 ecx, u64 value, u64 xsave_mask)
{
	/* XCR0 is the only extended control register. */
	if (ecx != 0)
		return false;
	/* x87 state is always enabled; AVX needs SSE (SDM Vol. 1 13.3). */
	if (!(value & XFEATURE_MASK_FP))
		return false;
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return false;
	/* Only what CPUID 0xD offers the guest: the swapped components. */
	return !(value & ~xsave_mask);
}

u8 zxhv_emu_cpl(u32 ss_ar)
{
	return VMX_AR_DPL(ss_ar);
}

bool zxhv_emu_long_mode(u64 efer, u32 cs_ar)
{
	return (efer & EFER_LMA) && (cs_ar & VMX_AR_L_MASK);
}

/* --- VMCALL --- */

u64 zxhv_emu_hc_arg(bool long_mode, u64 reg)
{
	return long_mode ? reg : lower_32_bits(reg);
}

enum zxhv_emu_hc zxhv_emu_vmcall(u8 cpl, u64 nr, u64 a1, s64 *ret)
{
	*ret = 0;
	if (cpl != 0) {
		*ret = -KVM_EPERM;
		return ZXHV_EMU_HC_RETURN;
	}
	switch (nr) {
	case KVM_HC_CLOCK_PAIRING:
		if (a1 != KVM_CLOCK_PAIRING_WALLCLOCK) {
			*ret = -KVM_EOPNOTSUPP;
			return ZXHV_EMU_HC_RETURN;
		}
		return ZXHV_EMU_HC_CLOCK_PAIRING;
	}
	*ret = -KVM_ENOSYS;
	return ZXHV_EMU_HC_RETURN;
}

u32 zxhv_emu_pause_nap_ns(u32 last_ns, u64 since_ns)
{
	if (!last_ns || since_ns > ZXHV_EMU_PAUSE_NAP_SAME_WAIT_NS)
		return ZXHV_EMU_PAUSE_NAP_MIN_NS;
	return min(2 * max(last_ns, ZXHV_EMU_PAUSE_NAP_MIN_NS), ZXHV_EMU_PAUSE_NAP_MAX_NS);
}

u16 zxhv_emu_pause_yield_pick(u64 ready, u16 self, u16 last)
{
	u64 after;

	ready &= ~(BIT_ULL(0) | BIT_ULL(self & 63));
	if (!ready)
		return 0;
	/* The VPIDs above @last first, then from the lowest one. */
	after = (last & 63) == 63 ? 0 : ready & GENMASK_ULL(63, (last & 63) + 1);
	return __ffs64(after ? after : ready);
}
