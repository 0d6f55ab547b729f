/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decisions behind the emulated exits of emulate.c (docs/api.md §3.4, §3.6):
 * pure functions of the guest state they are given, so KUnit checks them
 * without VMX.  The exit handlers themselves (vmexit.c) read that state
 * from the VMCS, call these and apply the result.
 */
#ifndef ZXHV_VMX_EMULATE_H
#define ZXHV_VMX_EMULATE_H

#include <linux/types.h>

/* --- MSRs ------------------------------------------------------------- */

/* What RDMSR/WRMSR emulation depends on besides the MSR. */
struct zxhv_emu_msr_ctx {
	u16 vpid;		/* VPID 1 is the BSP */
	u64 host_misc_enable;	/* the host's IA32_MISC_ENABLE */
};

enum zxhv_emu_msr {
	ZXHV_EMU_MSR_OK,	/* read: value set; write: taken or ignored */
	ZXHV_EMU_MSR_GP,	/* unknown or read-only: inject #GP(0) */
	ZXHV_EMU_MSR_INVALID,	/* zx_vcpu_enter returns ZX_ERR_INVALID_ARGS */
	/* Outcomes of the device models (lapic_vmx.h, pvclock_vmx.h) only: */
	ZXHV_EMU_MSR_PACKET,	/* instruction done; enter returns the packet */
	ZXHV_EMU_MSR_UNSUPPORTED, /* zx_vcpu_enter returns ZX_ERR_NOT_SUPPORTED */
	/* x2APIC registers 0x800-0x83F and IA32_TSC_DEADLINE. */
	ZXHV_EMU_MSR_LAPIC,
	/* KVM clock MSRs: 0x11, 0x12, 0x4b564d00, 0x4b564d01. */
	ZXHV_EMU_MSR_PARAVIRT,
};

/* The IA32_APIC_BASE a VCPU reads: x2APIC mode at 0xFEE00000. */
u64 zxhv_emu_apic_base(u16 vpid);

/* RDMSR of @index; *@value is set (0 unless ZXHV_EMU_MSR_OK). */
enum zxhv_emu_msr zxhv_emu_rdmsr(const struct zxhv_emu_msr_ctx *ctx, u32 index,
				 u64 *value);
/* WRMSR of @value to @index. */
enum zxhv_emu_msr zxhv_emu_wrmsr(const struct zxhv_emu_msr_ctx *ctx, u32 index,
				 u64 value);

/* --- Control registers -------------------------------------------------- */

/* Guest state a MOV to CR0 reads and does not change. */
struct zxhv_emu_cr0_env {
	u64 mask;		/* CR0 guest/host mask */
	u64 fixed0, fixed1;	/* IA32_VMX_CR0_FIXED0/1 */
	u64 cr4;		/* guest CR4 */
	bool long_mode;		/* 64-bit mode: EFER.LMA and CS.L */
};

/* Guest state a MOV to CR0 changes. */
struct zxhv_emu_cr0 {
	u64 cr0;		/* guest CR0 (what the CPU runs with) */
	u64 shadow;		/* CR0 read shadow */
	u64 efer;		/* guest IA32_EFER */
	u32 entry_ctls;		/* VM-entry controls */
};

enum zxhv_emu_cr0_result {
	ZXHV_EMU_CR0_DONE,	/* *st updated */
	ZXHV_EMU_CR0_PAGING,	/* *st updated, CR0.PG changed: flush the VPID */
	ZXHV_EMU_CR0_GP,	/* *st untouched: inject #GP(0) */
};

/*
 * MOV to CR0 of @value (the whole source register).  The real CR0 gets
 * NE set and CD/NW clear, then IA32_VMX_CR0_FIXED0/1 applied except for
 * PE and PG (unrestricted guest); the read shadow keeps the mask bits as
 * written, ET always 1.
 */
enum zxhv_emu_cr0_result zxhv_emu_mov_to_cr0(const struct zxhv_emu_cr0_env *env,
					     u64 value, struct zxhv_emu_cr0 *st);

/*
 * Whether the MOV to CR0 that turned @old into @new loads the four PAE
 * PDPTEs from the PDPT at CR3 (SDM Vol. 3A 4.4.1): it changed PG, CD or
 * NW as the guest sees them, and PAE paging (not IA-32e) results.  With
 * EPT, VM entry then takes them from the VMCS (SDM Vol. 3C 28.3.2.4), so
 * the handler reads them into the GUEST_PDPTE fields.
 */
bool zxhv_emu_cr0_loads_pdptes(const struct zxhv_emu_cr0_env *env,
			       const struct zxhv_emu_cr0 *old,
			       const struct zxhv_emu_cr0 *new);

/*
 * PAE PDPTEs a MOV to CR0 may load: a present one with a reserved bit set
 * (2:1, 8:5, @maxphyaddr..63) makes it #GP(0) (SDM Vol. 3A Table 4-8).
 */
bool zxhv_emu_pdptes_ok(const u64 pdpte[4], u8 maxphyaddr);

/* --- CPUID, XSETBV, privilege ---------------------------------------------- */

/* What the guest's CPUID depends on besides the host and cpuid.c. */
struct zxhv_emu_cpuid_env {
	u64 cr4;		/* guest CR4 */
	u64 xsave_mask;		/* the XCR0 bits XSETBV accepts */
	u32 xsave_max;		/* XSAVE area size for all of @xsave_mask */
};

/*
 * After zxhv_cpuid_edit(): the bits of the leaf the host answered
 * (@host_leaf, @subleaf) that mirror the guest's CR4 (OSXSAVE in 1:ECX,
 * OSPKE in 7.0:ECX), and leaf 0xD limited to @env->xsave_mask: 0xD.0
 * EAX/EDX list only those components and ECX is @env->xsave_max; the
 * subleaves of other user components (2 .. 63) read as 0.
 */
void zxhv_emu_cpuid_guest_bits(u32 host_leaf, u32 subleaf,
			       const struct zxhv_emu_cpuid_env *env, u32 regs[4]);

/* XSETBV with ECX = @ecx and EDX:EAX = @value is allowed for the guest. */
bool zxhv_emu_xsetbv_ok(u32 ecx, u64 value, u64 xsave_mask);

/* CPL: the DPL of the guest's SS access rights (SDM Vol. 3A 5.5). */
u8 zxhv_emu_cpl(u32 ss_ar);

/* 64-bit mode: IA32_EFER.LMA and the L bit of the CS access rights. */
bool zxhv_emu_long_mode(u64 efer, u32 cs_ar);

/* --- VMCALL (KVM hypercall ABI) --------------------------------------------- */

enum zxhv_emu_hc {
	ZXHV_EMU_HC_RETURN,		/* RAX = the result given */
	ZXHV_EMU_HC_CLOCK_PAIRING,	/* fill the struct at RBX's GPA */
};

/* A hypercall number or argument register: 32 bits outside 64-bit mode. */
u64 zxhv_emu_hc_arg(bool long_mode, u64 reg);

/*
 * The VMCALL with number @nr and clock type @a1 (RCX; the GPA in RBX is
 * the glue's) at privilege level @cpl, both already passed through
 * zxhv_emu_hc_arg().  With ZXHV_EMU_HC_RETURN *@ret is the value for RAX.
 */
enum zxhv_emu_hc zxhv_emu_vmcall(u8 cpl, u64 nr, u64 a1, s64 *ret);

/* --- PAUSE (PAUSE-loop exiting) ----------------------------------------------- */

/*
 * Whom a VCPU that spun in a PAUSE loop yields its host CPU to: of the
 * VPIDs whose bits are set in @ready (siblings whose threads wait for a
 * CPU), not @self and not 0, the first after @last in the cyclic order
 * 1, 2, ..., 63, 1, ..., so that repeated picks go round the siblings.
 * 0: none.  @self and @last are below 64.
 */
u16 zxhv_emu_pause_yield_pick(u64 ready, u16 self, u16 last);

/*
 * How long a VCPU whose yield the host scheduler refused sleeps instead
 * (run.c), in ns: a wait's first nap is ZXHV_EMU_PAUSE_NAP_MIN_NS; a nap
 * that starts within ZXHV_EMU_PAUSE_NAP_SAME_WAIT_NS of the end of the
 * last (@since_ns, the time between them) continues the same wait and
 * lasts twice @last_ns, at most ZXHV_EMU_PAUSE_NAP_MAX_NS.
 */
#define ZXHV_EMU_PAUSE_NAP_MIN_NS	16000u
#define ZXHV_EMU_PAUSE_NAP_MAX_NS	256000u
#define ZXHV_EMU_PAUSE_NAP_SAME_WAIT_NS	100000u
u32 zxhv_emu_pause_nap_ns(u32 last_ns, u64 since_ns);

#endif /* ZXHV_VMX_EMULATE_H */
