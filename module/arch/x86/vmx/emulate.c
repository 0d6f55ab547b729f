// SPDX-License-Identifier: GPL-2.0-only
/*
 * The exits the kernel emulates by itself (spec §3.6): CPUID, MOV to CR0,
 * RDMSR/WRMSR, XSETBV and VMCALL.
 *
 * Each handler is split in two.  The decision (what the guest reads, which
 * exception it gets, what CR0/EFER become) is a pure function of values
 * declared in emulate.h, checked by KUnit (kunit/vmx/emulate_kunit.c).  The
 * handler around it reads those values from the VMCS and the GPRs, and
 * applies the result: it loads the VMCS only for that, never sleeping in
 * between (vcpu_priv.h).
 *
 * Architectural facts are from the Intel SDM: Vol. 3C 26.1.3 (which
 * instructions exit in VMX non-root operation), Vol. 2 (MOV CR, XSETBV,
 * RDMSR/WRMSR), Vol. 3A 2.5 (CR0), Vol. 4 (MSR indices).  The hypercall
 * ABI is Linux's Documentation/virt/kvm/x86/hypercalls.rst.
 */
#include <linux/bitfield.h>
#include <linux/bits.h>
#include <linux/highmem.h>
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <asm/apicdef.h>
#include <asm/fpu/types.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <zircon/errors.h>
#include <zircon/types.h>

#include "../../../gpas.h"
#include "../../../guest.h"
#include "../../../vmo.h"
#include "caps.h"
#include "cpuid.h"
#include "emulate.h"
#include "exit_qual.h"
#include "pvclock.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmx_ops.h"

enum { EAX, EBX, ECX, EDX };

/* ========================= pure decisions ============================ */

/* --- MSRs (spec §3.6 "MSRs") --- */

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
		st->entry_ctls |= VMX_ENTRY_IA32E_MODE_GUEST;
	} else if (!new_pg) {
		st->efer &= ~EFER_LMA;
		st->entry_ctls &= ~VMX_ENTRY_IA32E_MODE_GUEST;
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

/* Segment access rights in the VMCS (SDM Vol. 3C 25.4.1, Table 25-2). */
#define VMX_AR_DPL		GENMASK(6, 5)
#define VMX_AR_L		BIT(13)

u8 zxhv_emu_cpl(u32 ss_ar)
{
	return FIELD_GET(VMX_AR_DPL, ss_ar);
}

bool zxhv_emu_long_mode(u64 efer, u32 cs_ar)
{
	return (efer & EFER_LMA) && (cs_ar & VMX_AR_L);
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

size_t zxhv_emu_page_chunk(u64 gpa, size_t len)
{
	return min_t(size_t, len, PAGE_SIZE - offset_in_page(gpa));
}

/* ============================ exit handlers ============================ */

/* Resume the guest after the instruction that exited. */
static zx_status_t emu_skip(struct zxhv_arch_vcpu *v, const struct vmx_exit *e)
{
	vmx_vcpu_load(v);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	return ZX_OK;
}

/* Resume the guest with #GP(0) on the instruction (RIP unchanged). */
static zx_status_t emu_inject_gp(struct zxhv_arch_vcpu *v)
{
	vmx_vcpu_load(v);
	vmx_inject_exception(v, X86_TRAP_GP);
	vmx_vcpu_unload(v);
	return ZX_OK;
}

/* A GPR written with a 32-bit result (zero-extended, as the CPU does). */
static void emu_set_gpr32(struct zxhv_arch_vcpu *v, enum vmx_gpr r, u32 val)
{
	v->gprs[r] = val;
}

zx_status_t vmx_exit_cpuid(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt)
{
	u32 leaf = lower_32_bits(v->gprs[VMX_GPR_RAX]);
	u32 subleaf = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	struct zxhv_cpuid_query q = zxhv_cpuid_host_leaf(leaf, &v->cpuid);
	struct zxhv_emu_cpuid_env env;
	u32 regs[4] = { 0 };

	if (q.query)
		cpuid_count(q.leaf, subleaf, &regs[EAX], &regs[EBX], &regs[ECX],
			    &regs[EDX]);
	zxhv_cpuid_edit(leaf, subleaf, v->vpid, &v->cpuid, regs);

	env.xsave_mask = v->xsave_mask;
	env.xsave_max = 0;
	if (q.query && q.leaf == LEAF_XSAVE && subleaf == 0)
		env.xsave_max = zxhv_cpuid_host_xsave_size(v->xsave_mask);

	vmx_vcpu_load(v);
	env.cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	if (q.query)
		zxhv_emu_cpuid_guest_bits(q.leaf, subleaf, &env, regs);

	emu_set_gpr32(v, VMX_GPR_RAX, regs[EAX]);
	emu_set_gpr32(v, VMX_GPR_RBX, regs[EBX]);
	emu_set_gpr32(v, VMX_GPR_RCX, regs[ECX]);
	emu_set_gpr32(v, VMX_GPR_RDX, regs[EDX]);
	return ZX_OK;
}

/*
 * Copies @len bytes between @buf and guest-physical @gpa (to the guest if
 * @write), page by page, through the VMOs mapped there with the needed
 * permission.  Returns 0 or -EFAULT.  Sleeps.
 */
int vmx_guest_rw(struct zxhv_arch_vcpu *v, u64 gpa, void *buf, size_t len, bool write)
{
	u32 perm = write ? ZX_VM_PERM_WRITE : ZX_VM_PERM_READ;
	u8 *p = buf;

	while (len) {
		size_t n = zxhv_emu_page_chunk(gpa, len);
		struct zxhv_gpas_lookup l;
		struct page *page;
		zx_status_t st;
		u8 *va;

		st = zxhv_gpas_lookup(v->guest->gpas, gpa, &l);
		if (st != ZX_OK)
			return -EFAULT;
		if (l.perms & perm)
			st = zxhv_vmo_get_page(l.vmo, l.vmo_offset, &page);
		else
			st = ZX_ERR_ACCESS_DENIED;
		/* The page reference keeps the page; the VMO's is not needed. */
		zxhv_vmo_put(l.vmo);
		if (st != ZX_OK)
			return -EFAULT;

		va = kmap_local_page(page);
		if (write)
			memcpy(va + offset_in_page(l.vmo_offset), p, n);
		else
			memcpy(p, va + offset_in_page(l.vmo_offset), n);
		kunmap_local(va);
		put_page(page);

		gpa += n;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Control-register exits.  The CR0 guest/host mask owns ET|NE|NW|CD and
 * the CR4 mask VMXE (spec §3.4), and there is no CR3/CR8 exiting, so by
 * SDM Vol. 3C 26.1.3 only MOV to CR0 changing an owned bit and MOV to CR4
 * changing VMXE exit: CLTS (TS not owned), LMSW (touches PE/MP/EM/TS only)
 * and MOV from CR0/CR4 (served from the read shadows) never do.  Everything
 * but MOV to CR0 is NOT_SUPPORTED (spec §3.6).
 */
zx_status_t vmx_exit_cr_access(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt)
{
	struct exit_cr c = exit_cr_decode(e->qual);
	struct zxhv_emu_cr0_env env;
	struct zxhv_emu_cr0 old, st;
	enum zxhv_emu_cr0_result r;
	enum vmx_insn_status err;
	u64 pdpte[4];
	bool pae;
	u64 value, cr3;

	if (c.type != ZXHV_EXIT_CR_MOV_TO || c.cr != 0) {
		vmx_report_guest_failure(v, e, "control-register access not emulated");
		return ZX_ERR_NOT_SUPPORTED;
	}

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, env.fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, env.fixed1);

	vmx_vcpu_load(v);
	if (c.gpr == VMX_GPR_RSP_UNUSED)
		value = vmcs_readnat(VMCS_GUEST_RSP);
	else
		value = v->gprs[c.gpr];
	env.mask = vmcs_readnat(VMCS_CR0_GUEST_HOST_MASK);
	env.cr4 = vmcs_readnat(VMCS_GUEST_CR4);
	old.cr0 = vmcs_readnat(VMCS_GUEST_CR0);
	old.shadow = vmcs_readnat(VMCS_CR0_READ_SHADOW);
	old.efer = vmcs_read64(VMCS_GUEST_IA32_EFER);
	old.entry_ctls = vmcs_read32(VMCS_VM_ENTRY_CONTROLS);
	env.long_mode = zxhv_emu_long_mode(old.efer,
					   vmcs_read32(VMCS_GUEST_CS_AR_BYTES));
	cr3 = vmcs_readnat(VMCS_GUEST_CR3);

	st = old;
	r = zxhv_emu_mov_to_cr0(&env, value, &st);
	pae = r != ZXHV_EMU_CR0_GP && zxhv_emu_cr0_loads_pdptes(&env, &old, &st);
	if (pae) {
		/* The PDPT is in guest memory: read it with the VMCS unloaded. */
		vmx_vcpu_unload(v);
		if (vmx_guest_rw(v, lower_32_bits(cr3) & ~0x1fU, pdpte,
				 sizeof(pdpte), false) ||
		    !zxhv_emu_pdptes_ok(pdpte, boot_cpu_data.x86_phys_bits))
			r = ZXHV_EMU_CR0_GP;
		vmx_vcpu_load(v);
	}
	if (r == ZXHV_EMU_CR0_GP) {
		vmx_inject_exception(v, X86_TRAP_GP);
		vmx_vcpu_unload(v);
		return ZX_OK;
	}

	err = vmcs_writenat(VMCS_GUEST_CR0, st.cr0);
	err |= vmcs_writenat(VMCS_CR0_READ_SHADOW, st.shadow);
	err |= vmcs_write64(VMCS_GUEST_IA32_EFER, st.efer);
	err |= vmcs_write32(VMCS_VM_ENTRY_CONTROLS, st.entry_ctls);
	if (pae) {
		err |= vmcs_write64(VMCS_GUEST_PDPTE0, pdpte[0]);
		err |= vmcs_write64(VMCS_GUEST_PDPTE1, pdpte[1]);
		err |= vmcs_write64(VMCS_GUEST_PDPTE2, pdpte[2]);
		err |= vmcs_write64(VMCS_GUEST_PDPTE3, pdpte[3]);
	}
	/* Translations cached with the old paging mode must go. */
	if (r == ZXHV_EMU_CR0_PAGING)
		VMX_INSN_WARN(vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, v->vpid, 0),
			      "invvpid", v->vpid);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	return err == VMX_INSN_OK ? ZX_OK : ZX_ERR_INTERNAL;
}

/* Ends an MSR exit whose emulation was decided here. */
static zx_status_t emu_msr_finish(struct zxhv_arch_vcpu *v,
				  const struct vmx_exit *e, enum zxhv_emu_msr r)
{
	switch (r) {
	case ZXHV_EMU_MSR_OK:
		return emu_skip(v, e);
	case ZXHV_EMU_MSR_INVALID:
		vmx_report_guest_failure(v, e, "MSR write zircon-hv does not accept");
		return ZX_ERR_INVALID_ARGS;
	default:
		return emu_inject_gp(v);
	}
}

/*
 * The emulation of the MSRs that belong to other VCPU state, by the class
 * zxhv_emu_rdmsr()/wrmsr() return for them.  An entry completes the exit
 * itself: EDX:EAX for a read, then RIP or #GP, or ZX_ERR_NEXT with *@pkt
 * (an x2APIC ICR write, spec §3.2), or a status for zx_vcpu_enter.
 *
 * ZXHV_EMU_MSR_LAPIC: x2APIC registers 0x800-0x83F and IA32_TSC_DEADLINE.
 * ZXHV_EMU_MSR_PARAVIRT: the KVM wall-clock and system-time MSRs
 * (kvmclock, pvclock.c).
 * The local APIC's entry is lapic_vmx.c's.
 */
typedef zx_status_t (*emu_msr_owner_fn)(struct zxhv_arch_vcpu *v,
					const struct vmx_exit *e,
					zx_port_packet_t *pkt, u32 index,
					bool write, u64 value);

/* The KVM clock MSRs (pvclock.c decides, this completes the exit). */
static zx_status_t emu_msr_paravirt(struct zxhv_arch_vcpu *v,
				    const struct vmx_exit *e,
				    zx_port_packet_t *pkt, u32 index,
				    bool write, u64 value)
{
	enum zxhv_emu_msr r = vmx_pvclock_msr(v, index, write, &value);

	if (r == ZXHV_EMU_MSR_OK && !write) {
		emu_set_gpr32(v, VMX_GPR_RAX, lower_32_bits(value));
		emu_set_gpr32(v, VMX_GPR_RDX, upper_32_bits(value));
	}
	return emu_msr_finish(v, e, r);
}

static const emu_msr_owner_fn emu_msr_owners[] = {
	[ZXHV_EMU_MSR_LAPIC] = vmx_lapic_msr,
	[ZXHV_EMU_MSR_PARAVIRT] = emu_msr_paravirt,
};

static zx_status_t emu_msr_owned(struct zxhv_arch_vcpu *v,
				 const struct vmx_exit *e,
				 zx_port_packet_t *pkt, enum zxhv_emu_msr r,
				 u32 index, bool write, u64 value)
{
	if (r >= ARRAY_SIZE(emu_msr_owners) || !emu_msr_owners[r])
		return emu_msr_finish(v, e, r);
	return emu_msr_owners[r](v, e, pkt, index, write, value);
}

static void emu_msr_ctx(struct zxhv_arch_vcpu *v, struct zxhv_emu_msr_ctx *ctx)
{
	ctx->vpid = v->vpid;
	if (rdmsrl_safe(MSR_IA32_MISC_ENABLE, &ctx->host_misc_enable))
		ctx->host_misc_enable = 0;
}

zx_status_t vmx_exit_rdmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt)
{
	u32 index = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	struct zxhv_emu_msr_ctx ctx;
	enum zxhv_emu_msr r;
	u64 value;

	emu_msr_ctx(v, &ctx);
	r = zxhv_emu_rdmsr(&ctx, index, &value);
	if (r != ZXHV_EMU_MSR_OK)
		return emu_msr_owned(v, e, pkt, r, index, false, 0);
	emu_set_gpr32(v, VMX_GPR_RAX, lower_32_bits(value));
	emu_set_gpr32(v, VMX_GPR_RDX, upper_32_bits(value));
	return emu_skip(v, e);
}

zx_status_t vmx_exit_wrmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt)
{
	u32 index = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	u64 value = (u64)lower_32_bits(v->gprs[VMX_GPR_RDX]) << 32 |
		    lower_32_bits(v->gprs[VMX_GPR_RAX]);
	struct zxhv_emu_msr_ctx ctx;

	emu_msr_ctx(v, &ctx);
	return emu_msr_owned(v, e, pkt, zxhv_emu_wrmsr(&ctx, index, value),
			     index, true, value);
}

zx_status_t vmx_exit_xsetbv(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt)
{
	u32 ecx = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	u64 value = (u64)lower_32_bits(v->gprs[VMX_GPR_RDX]) << 32 |
		    lower_32_bits(v->gprs[VMX_GPR_RAX]);

	/* No #GP: a value CPUID does not allow stops the VCPU (spec §3.6). */
	if (!zxhv_emu_xsetbv_ok(ecx, value, v->xsave_mask)) {
		vmx_report_guest_failure(v, e, "XSETBV of an XCR0 CPUID does not offer");
		return ZX_ERR_INVALID_ARGS;
	}
	v->xcr0 = value;
	v->cpuid.guest_xsave_size = zxhv_cpuid_host_xsave_size(v->xcr0);
	return emu_skip(v, e);
}

/*
 * KVM_HC_CLOCK_PAIRING: CLOCK_REALTIME and the TSC at the same instant.
 * Interrupts are off around the clock read so the TSC reads bracketing it
 * are close; their midpoint is the TSC value reported.  Sleeps (the guest
 * memory write).  Returns the hypercall result.
 */
static s64 emu_clock_pairing(struct zxhv_arch_vcpu *v, u64 gpa)
{
	struct kvm_clock_pairing cp = { 0 };
	struct timespec64 ts;
	unsigned long flags;
	u64 t0, t1;

	BUILD_BUG_ON(sizeof(cp) != 64);
	local_irq_save(flags);
	t0 = rdtsc_ordered();
	ktime_get_real_ts64(&ts);
	t1 = rdtsc_ordered();
	local_irq_restore(flags);

	cp.sec = ts.tv_sec;
	cp.nsec = ts.tv_nsec;
	cp.tsc = t0 + (t1 - t0) / 2;
	cp.flags = 0;
	if (vmx_guest_rw(v, gpa, &cp, sizeof(cp), true))
		return -KVM_EFAULT;
	return 0;
}

/*
 * VMCALL, KVM's hypercall ABI: number in RAX, arguments in RBX, RCX, RDX,
 * RSI, result in RAX.  The guest always continues after the VMCALL.
 */
zx_status_t vmx_exit_vmcall(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt)
{
	bool long_mode;
	u8 cpl;
	s64 ret;

	vmx_vcpu_load(v);
	cpl = zxhv_emu_cpl(vmcs_read32(VMCS_GUEST_SS_AR_BYTES));
	long_mode = zxhv_emu_long_mode(vmcs_read64(VMCS_GUEST_IA32_EFER),
				       vmcs_read32(VMCS_GUEST_CS_AR_BYTES));
	vmx_vcpu_unload(v);

	if (zxhv_emu_vmcall(cpl,
			    zxhv_emu_hc_arg(long_mode, v->gprs[VMX_GPR_RAX]),
			    zxhv_emu_hc_arg(long_mode, v->gprs[VMX_GPR_RCX]),
			    &ret) == ZXHV_EMU_HC_CLOCK_PAIRING)
		ret = emu_clock_pairing(v, zxhv_emu_hc_arg(long_mode,
							   v->gprs[VMX_GPR_RBX]));
	v->gprs[VMX_GPR_RAX] = (u64)ret;
	return emu_skip(v, e);
}
