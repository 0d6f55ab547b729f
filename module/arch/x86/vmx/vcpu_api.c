// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX side of the arch contract for VCPUs (module/arch.h:
 * zxhv_arch_vcpu_*, all but enter, which is run.c's): creation with the
 * VMCS's initial state (docs/api.md §3.4, §4 items 3, 4, 8, 9), destruction,
 * kick, interrupt and the register state.  The top of the VMX ladder
 * (docs/design.md): nothing below calls in here.
 *
 * The MSRs the guest uses directly and the VMCS does not switch (STAR,
 * LSTAR, FMASK, KERNEL_GS_BASE, TSC_AUX) are switched by the VM-entry and
 * VM-exit MSR lists, so the host never runs a single instruction with
 * guest values in them.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/time64.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>
#include <zircon/errors.h>
#include <zircon/syscalls/object.h>

#include "arch.h"
#include "caps.h"
#include "guest_priv.h"
#include "lapic_vmx.h"
#include "port.h"
#include "pvclock_vmx.h"
#include "trace.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

/* RFLAGS bits userspace may see and set (Zircon's X86_FLAGS_USER). */
#define VMX_RFLAGS_USER		0x244dd5ull
#define VMX_RFLAGS_RESERVED1	BIT_ULL(1)

/* Segment access rights (SDM Vol. 3C 25.4.1, Table 25-2). */
#define VMX_AR_DATA_RW_ACCESSED	0x93	/* present, S, read/write, accessed */
#define VMX_AR_CODE_ACCESSED	0x9b	/* present, S, execute/read, accessed */
#define VMX_AR_TSS64_BUSY	0x8b
#define VMX_AR_LDT		0x82

#define XFEATURE_X87	BIT_ULL(0)
#define XFEATURE_SSE	BIT_ULL(1)
#define XFEATURE_AVX	BIT_ULL(2)

/* Host fields that are the same on every CPU; the VMCS is current. */
static void vmx_write_host_const_state(void)
{
	u64 val;

	vmcs_writenat(HOST_CR0, read_cr0());
	vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	/* DS, ES, FS, GS need RPL = TI = 0; restored after exits if needed. */
	vmcs_write16(HOST_DS_SELECTOR, 0);
	vmcs_write16(HOST_ES_SELECTOR, 0);
	vmcs_write16(HOST_FS_SELECTOR, 0);
	vmcs_write16(HOST_GS_SELECTOR, 0);
	rdmsrl(MSR_IA32_SYSENTER_CS, val);
	vmcs_write32(HOST_IA32_SYSENTER_CS, val);
	rdmsrl(MSR_IA32_SYSENTER_EIP, val);
	vmcs_writenat(HOST_IA32_SYSENTER_EIP, val);
	rdmsrl(MSR_IA32_CR_PAT, val);
	vmcs_write64(HOST_IA32_PAT, val);
	rdmsrl(MSR_EFER, val);
	vmcs_write64(HOST_IA32_EFER, val);
	vmcs_writenat(HOST_RIP, (unsigned long)zxhv_vmx_exit_point);
}

static void vmx_msr_bitmap_pass(u8 *bitmap, u32 msr)
{
	/* Read bitmaps at 0 (low) and 1024 (high), write bitmaps at +2048. */
	u32 base = msr >= 0xc0000000 ? 1024 : 0;
	u32 bit = msr & 0x1fff;

	bitmap[base + bit / 8] &= ~BIT(bit % 8);
	bitmap[2048 + base + bit / 8] &= ~BIT(bit % 8);
}

static const u32 vmx_swapped_msr_index[VMX_MSR_SWAPPED] = {
	[VMX_MSR_STAR] = MSR_STAR,
	[VMX_MSR_LSTAR] = MSR_LSTAR,
	[VMX_MSR_FMASK] = MSR_SYSCALL_MASK,
	[VMX_MSR_KERNEL_GS_BASE] = MSR_KERNEL_GS_BASE,
	[VMX_MSR_TSC_AUX] = MSR_TSC_AUX,
};

static void vmx_init_msrs(struct zxhv_arch_vcpu *v)
{
	u8 *bitmap = page_address(v->msr_bitmap);
	unsigned int i;

	memset(bitmap, 0xff, PAGE_SIZE);
	vmx_msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_CS);
	vmx_msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_ESP);
	vmx_msr_bitmap_pass(bitmap, MSR_IA32_SYSENTER_EIP);
	vmx_msr_bitmap_pass(bitmap, MSR_IA32_CR_PAT);
	vmx_msr_bitmap_pass(bitmap, MSR_EFER);
	vmx_msr_bitmap_pass(bitmap, MSR_FS_BASE);
	vmx_msr_bitmap_pass(bitmap, MSR_GS_BASE);
	for (i = 0; i < VMX_MSR_SWAPPED; i++) {
		vmx_msr_bitmap_pass(bitmap, vmx_swapped_msr_index[i]);
		v->msr_guest[i].index = vmx_swapped_msr_index[i];
		v->msr_guest[i].value = 0;
		v->msr_host[i].index = vmx_swapped_msr_index[i];
		/* Constant host values now; per-CPU and per-thread ones later. */
		if (i != VMX_MSR_TSC_AUX && i != VMX_MSR_KERNEL_GS_BASE)
			rdmsrl(vmx_swapped_msr_index[i], v->msr_host[i].value);
	}
}

static void vmx_init_segment(u32 sel_field, u16 sel, u64 base, u32 limit, u32 ar)
{
	/* Selector, limit, AR bytes and base fields are laid out in step. */
	u32 n = (sel_field - GUEST_ES_SELECTOR) / 2;

	__vmcs_write(sel_field, sel);
	__vmcs_write(GUEST_ES_BASE + 2 * n, base);
	__vmcs_write(GUEST_ES_LIMIT + 2 * n, limit);
	__vmcs_write(GUEST_ES_AR_BYTES + 2 * n, ar);
}

/* The guest state of docs/api.md §3.4; the VMCS is current. */
static void vmx_init_guest_state(struct zxhv_arch_vcpu *v, u64 entry)
{
	static const u32 data_segs[] = {
		GUEST_ES_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR,
		GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};
	bool bsp = v->vpid == 1;
	u64 cr0 = X86_CR0_ET | X86_CR0_NE | X86_CR0_WP;
	u64 cr4 = X86_CR4_VMXE;
	u64 efer = 0, pat;
	u32 cs_ar = VMX_AR_CODE_ACCESSED;
	unsigned int i;

	if (bsp) {
		cr0 |= X86_CR0_PE | X86_CR0_PG;
		cr4 |= X86_CR4_PAE | X86_CR4_PGE | X86_CR4_OSFXSR;
		if (boot_cpu_has(X86_FEATURE_FSGSBASE))
			cr4 |= X86_CR4_FSGSBASE;
		if (boot_cpu_has(X86_FEATURE_XSAVE))
			cr4 |= X86_CR4_OSXSAVE;
		rdmsrl(MSR_EFER, efer);
		efer &= EFER_SCE | EFER_NX;
		efer |= EFER_LME | EFER_LMA;
		cs_ar |= VMX_AR_L_MASK;
	}
	for (i = 0; i < ARRAY_SIZE(data_segs); i++)
		vmx_init_segment(data_segs[i], 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	if (bsp)
		vmx_init_segment(GUEST_CS_SELECTOR, 0, 0, 0xffff, cs_ar);
	else
		vmx_init_segment(GUEST_CS_SELECTOR, entry >> 4, entry, 0xffff, cs_ar);
	vmx_init_segment(GUEST_TR_SELECTOR, 0, 0, 0xffff, VMX_AR_TSS64_BUSY);
	vmx_init_segment(GUEST_LDTR_SELECTOR, 0, 0, 0xffff, VMX_AR_LDT);
	vmcs_writenat(GUEST_GDTR_BASE, 0);
	vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_writenat(GUEST_IDTR_BASE, 0);
	vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);

	vmcs_writenat(GUEST_CR0, cr0);
	vmcs_writenat(GUEST_CR3, 0);
	vmcs_writenat(GUEST_CR4, cr4);
	/* The guest owns CR0 but ET, NE, NW, CD; it reads ET set, the rest clear. */
	vmcs_writenat(CR0_GUEST_HOST_MASK,
		      X86_CR0_ET | X86_CR0_NE | X86_CR0_NW | X86_CR0_CD);
	vmcs_writenat(CR0_READ_SHADOW, X86_CR0_ET);
	/*
	 * The guest owns CR4 but VMXE and PKE.  With PKE it could run WRPKRU,
	 * and VMX does not switch PKRU: the VMM thread would return to user
	 * mode with the guest's PKRU (issue 16, F1).  CPUID hides PKU, so
	 * setting PKE takes #GP (vmexit.c), as on a CPU without it.
	 */
	vmcs_writenat(CR4_GUEST_HOST_MASK, X86_CR4_VMXE | X86_CR4_PKE);
	vmcs_writenat(CR4_READ_SHADOW, 0);
	vmcs_write64(GUEST_IA32_EFER, efer);
	rdmsrl(MSR_IA32_CR_PAT, pat);
	vmcs_write64(GUEST_IA32_PAT, pat);
	vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	vmcs_writenat(GUEST_DR7, 0x400);
	vmcs_writenat(GUEST_RSP, 0);
	vmcs_writenat(GUEST_RIP, bsp ? entry : 0);
	vmcs_writenat(GUEST_RFLAGS, VMX_RFLAGS_RESERVED1);
	vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	vmcs_writenat(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write32(GUEST_SYSENTER_CS, 0);
	vmcs_writenat(GUEST_SYSENTER_ESP, 0);
	vmcs_writenat(GUEST_SYSENTER_EIP, 0);
	vmcs_writenat(GUEST_FS_BASE, 0);
	vmcs_writenat(GUEST_GS_BASE, 0);
	vmcs_write64(VMCS_LINK_POINTER, ~0ull);
}

/* The controls of docs/api.md §4 item 4; the VMCS is current. */
static void vmx_init_controls(struct zxhv_arch_vcpu *v)
{
	const struct vmx_ctls *c = zxhv_vmx_cpu_ctls();
	u32 entry = c->entry;

	if (v->vpid == 1)
		entry |= VM_ENTRY_IA32E_MODE;
	vmcs_write32(PIN_BASED_VM_EXEC_CONTROL,
		     c->pin | (v->backstop_ticks ? PIN_BASED_VMX_PREEMPTION_TIMER : 0));
	if (v->backstop_ticks)
		vmcs_write32(VMX_PREEMPTION_TIMER_VALUE, v->backstop_ticks);
	vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, c->proc);
	v->proc_ctls = c->proc;
	vmcs_write32(SECONDARY_VM_EXEC_CONTROL, c->proc2);
	/*
	 * No acknowledge-interrupt-on-exit: a host interrupt that makes the
	 * guest exit stays pending in the local APIC and is delivered through
	 * the host IDT as soon as the run loop enables interrupts.
	 */
	vmcs_write32(VM_EXIT_CONTROLS, c->exit & ~VM_EXIT_ACK_INTR_ON_EXIT);
	vmcs_write32(VM_ENTRY_CONTROLS, entry);
	if (c->pause_loop_exiting) {
		vmcs_write32(PLE_GAP, 128);
		vmcs_write32(PLE_WINDOW, 4096);
	}
	vmcs_write16(VIRTUAL_PROCESSOR_ID, v->vpid);
	vmcs_write64(EPT_POINTER, v->ag->eptp);
	vmcs_write64(MSR_BITMAP, page_to_phys(v->msr_bitmap));
	vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, page_to_phys(v->vapic));
	vmcs_write32(TPR_THRESHOLD, 0);
	vmcs_write32(EXCEPTION_BITMAP, c->exception_bitmap);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write32(CR3_TARGET_COUNT, 0);
	vmcs_write64(TSC_OFFSET, 0);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write64(VM_ENTRY_MSR_LOAD_ADDR, virt_to_phys(v->msr_guest));
	vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, VMX_MSR_SWAPPED);
	vmcs_write64(VM_EXIT_MSR_STORE_ADDR, virt_to_phys(v->msr_guest));
	vmcs_write32(VM_EXIT_MSR_STORE_COUNT, VMX_MSR_SWAPPED);
	vmcs_write64(VM_EXIT_MSR_LOAD_ADDR, virt_to_phys(v->msr_host));
	vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, VMX_MSR_SWAPPED);
}

/* The guest's FPU state at reset: x87 and SSE in their init state. */
static void vmx_init_fpu(struct zxhv_arch_vcpu *v)
{
	u8 *area = v->fpu;

	/* FCW 0x37f (bytes 0-1), MXCSR 0x1f80 (bytes 24-27); XSTATE_BV 0. */
	area[0] = 0x7f;
	area[1] = 0x03;
	area[24] = 0x80;
	area[25] = 0x1f;
	v->xsave_mask = 0;
	v->xcr0 = XFEATURE_X87;
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		u64 host = xgetbv(XCR_XFEATURE_ENABLED_MASK);

		v->xsave_mask = host & (XFEATURE_X87 | XFEATURE_SSE | XFEATURE_AVX);
		/* docs/api.md §3.4: the guest starts with x87, SSE and AVX enabled. */
		v->xcr0 = v->xsave_mask;
	}
}

/*
 * The VMX-preemption timer as a backstop: a guest exits at least once per
 * millisecond of TSC time, even where host interrupts would not make it
 * exit (emulators that mask them while the guest runs with IF = 0), so
 * kicks, signals and the scheduler always get a turn.  On silicon host
 * interrupts exit the guest anyway; this adds at most 1000 exits a
 * second.  The timer counts TSC >> IA32_VMX_MISC[4:0].
 */
static u32 vmx_backstop_ticks(u64 misc)
{
	u64 ticks = (u64)tsc_khz >> (misc & 0x1f);

	return clamp_val(ticks, 1, U32_MAX);
}

static void vcpu_free_pages(struct zxhv_arch_vcpu *v)
{
	if (v->vmcs)
		__free_page(v->vmcs);
	if (v->msr_bitmap)
		__free_page(v->msr_bitmap);
	if (v->vapic)
		__free_page(v->vapic);
	free_page((unsigned long)v->msr_guest);
	free_page((unsigned long)v->msr_host);
	free_page((unsigned long)v->fpu);
}

/* The rest of a destroyed VCPU, once no sibling can be looking at it. */
static void vcpu_free_rcu(struct rcu_head *head)
{
	struct zxhv_arch_vcpu *v = container_of(head, struct zxhv_arch_vcpu, rcu);

	if (v->bound)
		put_task_struct(v->bound);
	kfree(v);
}

zx_status_t zxhv_arch_vcpu_create(const struct zxhv_arch_vcpu_guest *g, u16 vpid, u64 entry,
				  struct zxhv_arch_vcpu **out)
{
	const gfp_t gfp = GFP_KERNEL_ACCOUNT | __GFP_ZERO;
	struct zxhv_arch_vcpu *v;
	u64 misc, pin_caps;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return ZX_ERR_NO_MEMORY;
	v->ag = g->ag;
	v->gpas = g->gpas;
	v->traps = g->traps;
	zxhv_vmx_vcpu_init_state(v, vpid);
	zxhv_vmx_lapic_init(v);
	v->vmcs = alloc_page(gfp);
	v->msr_bitmap = alloc_page(gfp);
	v->vapic = alloc_page(gfp);
	v->msr_guest = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	v->msr_host = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	v->fpu = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcs || !v->msr_bitmap || !v->vapic || !v->msr_guest || !v->msr_host ||
	    !v->fpu) {
		vcpu_free_pages(v);
		kfree(v);
		return ZX_ERR_NO_MEMORY;
	}
	*(u32 *)page_address(v->vmcs) = zxhv_vmx_cpu_revision();
	zxhv_vmx_cpu_vmcs_init(&v->lv, page_to_phys(v->vmcs));
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	v->zero_len_inject = misc & VMX_MISC_ZERO_LEN_INS;
	rdmsrl(MSR_IA32_VMX_TRUE_PINBASED_CTLS, pin_caps);
	if ((pin_caps >> 32) & PIN_BASED_VMX_PREEMPTION_TIMER)
		v->backstop_ticks = vmx_backstop_ticks(misc);
	vmx_init_msrs(v);
	vmx_init_fpu(v);
	v->dr6 = 0xffff0ff0;	/* DR6 at reset (SDM Vol. 3A, Table 10-1) */
	v->cpuid.max_basic = cpuid_eax(0);
	v->cpuid.max_ext = cpuid_eax(0x80000000);
	v->cpuid.invpcid = zxhv_vmx_cpu_ctls()->invpcid;
	v->cpuid.guest_xsave_size = zxhv_cpuid_host_xsave_size(v->xcr0);

	zxhv_vmx_vcpu_load(v);
	vmx_write_host_const_state();
	vmx_init_controls(v);
	vmx_init_guest_state(v, entry);
	zxhv_vmx_vcpu_put(v);
	/* Siblings may yield to the bound thread from now on (vcpu.c). */
	v->bound = get_task_struct(current);
	if (vpid < ZXHV_VMX_GUEST_VPIDS)
		rcu_assign_pointer(v->ag->vcpus[vpid], v);
	*out = v;
	return ZX_OK;
}

void zxhv_arch_vcpu_destroy(struct zxhv_arch_vcpu *v)
{
	/* Published at the end of zxhv_arch_vcpu_create(), with @bound. */
	if (v->bound && v->vpid < ZXHV_VMX_GUEST_VPIDS)
		RCU_INIT_POINTER(v->ag->vcpus[v->vpid], NULL);
	/* No timer callback may touch @v once it is freed. */
	zxhv_vmx_lapic_destroy(v);
	zxhv_vmx_pvclock_release(v);
	zxhv_vmx_cpu_vmcs_clear(&v->lv);
	vcpu_free_pages(v);
	/* A sibling's PAUSE exit may still read v->bound (vcpu.c). */
	call_rcu(&v->rcu, vcpu_free_rcu);
}

/* --- kick, interrupt, state -------------------------------------------------------- */

void zxhv_arch_vcpu_kick(struct zxhv_arch_vcpu *v)
{
	struct zxhv_port_arena *arena;

	atomic64_inc(&v->kicks);
	atomic_set(&v->kicked, 1);
	trace_zxhv_kick(v->vpid);
	zxhv_vmx_vcpu_poke(v);
	/*
	 * A thread waiting for BELL packet space: the flag's store before the
	 * look at bell_wait, as the waiter publishes bell_wait before its look
	 * at the flag (zxhv_vmx_vmexit_deliver_bell()).
	 */
	smp_mb();
	arena = READ_ONCE(v->bell_wait);
	if (arena)
		zxhv_port_arena_wake(arena);
}

zx_status_t zxhv_arch_vcpu_interrupt(struct zxhv_arch_vcpu *v, u32 vector)
{
	zx_status_t status = zxhv_irq_raise(&v->irq, vector);

	if (status == ZX_OK)
		zxhv_vmx_vcpu_poke(v);
	return status;
}

u32 zxhv_arch_vcpu_info_flags(struct zxhv_arch_vcpu *v)
{
	return atomic_read(&v->kicked) ? ZX_INFO_VCPU_FLAG_KICKED : 0;
}

void zxhv_arch_vcpu_read_state(struct zxhv_arch_vcpu *v, zx_vcpu_state_t *s)
{
	zxhv_vmx_vcpu_load(v);
	s->rsp = vmcs_readnat(GUEST_RSP);
	s->rflags = vmcs_readnat(GUEST_RFLAGS) & VMX_RFLAGS_USER;
	zxhv_vmx_vcpu_put(v);
	s->rax = v->gprs[VMX_GPR_RAX];
	s->rcx = v->gprs[VMX_GPR_RCX];
	s->rdx = v->gprs[VMX_GPR_RDX];
	s->rbx = v->gprs[VMX_GPR_RBX];
	s->rbp = v->gprs[VMX_GPR_RBP];
	s->rsi = v->gprs[VMX_GPR_RSI];
	s->rdi = v->gprs[VMX_GPR_RDI];
	s->r8 = v->gprs[VMX_GPR_R8];
	s->r9 = v->gprs[VMX_GPR_R9];
	s->r10 = v->gprs[VMX_GPR_R10];
	s->r11 = v->gprs[VMX_GPR_R11];
	s->r12 = v->gprs[VMX_GPR_R12];
	s->r13 = v->gprs[VMX_GPR_R13];
	s->r14 = v->gprs[VMX_GPR_R14];
	s->r15 = v->gprs[VMX_GPR_R15];
}

void zxhv_arch_vcpu_write_state(struct zxhv_arch_vcpu *v, const zx_vcpu_state_t *s)
{
	v->gprs[VMX_GPR_RAX] = s->rax;
	v->gprs[VMX_GPR_RCX] = s->rcx;
	v->gprs[VMX_GPR_RDX] = s->rdx;
	v->gprs[VMX_GPR_RBX] = s->rbx;
	v->gprs[VMX_GPR_RBP] = s->rbp;
	v->gprs[VMX_GPR_RSI] = s->rsi;
	v->gprs[VMX_GPR_RDI] = s->rdi;
	v->gprs[VMX_GPR_R8] = s->r8;
	v->gprs[VMX_GPR_R9] = s->r9;
	v->gprs[VMX_GPR_R10] = s->r10;
	v->gprs[VMX_GPR_R11] = s->r11;
	v->gprs[VMX_GPR_R12] = s->r12;
	v->gprs[VMX_GPR_R13] = s->r13;
	v->gprs[VMX_GPR_R14] = s->r14;
	v->gprs[VMX_GPR_R15] = s->r15;
	zxhv_vmx_vcpu_load(v);
	vmcs_writenat(GUEST_RSP, s->rsp);
	/* docs/api.md §1: RFLAGS only when its reserved-one bit is set, user bits only. */
	if (s->rflags & VMX_RFLAGS_RESERVED1) {
		u64 rflags = vmcs_readnat(GUEST_RFLAGS);

		rflags = (rflags & ~VMX_RFLAGS_USER) | (s->rflags & VMX_RFLAGS_USER);
		vmcs_writenat(GUEST_RFLAGS, rflags);
	}
	zxhv_vmx_vcpu_put(v);
}

zx_status_t zxhv_arch_vcpu_write_io(struct zxhv_arch_vcpu *v, const zx_vcpu_io_t *io)
{
	switch (io->access_size) {
	case 1:
	case 2:
	case 4:
		memcpy(&v->gprs[VMX_GPR_RAX], io->data, io->access_size);
		return ZX_OK;
	default:
		return ZX_ERR_INVALID_ARGS;
	}
}

/* --- observers (arch.h) -------------------------------------------------------------- */

/* TSC ticks to nanoseconds at the host's TSC rate (0 if it is unknown). */
static u64 vmx_tsc_to_ns(u64 ticks)
{
	return tsc_khz ? mul_u64_u32_div(ticks, NSEC_PER_MSEC, tsc_khz) : 0;
}

void zxhv_arch_vcpu_stats(struct zxhv_arch_vcpu *v, struct zxhv_arch_vcpu_stats *out)
{
	const struct zxhv_arch_vcpu_stats *s = &v->stats;
	int i;

	for (i = 0; i < ZXHV_ARCH_EXIT_REASONS; i++)
		out->exits[i] = READ_ONCE(s->exits[i]);
	out->exits_other = READ_ONCE(s->exits_other);
	out->entries = READ_ONCE(s->entries);
	out->guest_ns = vmx_tsc_to_ns(READ_ONCE(v->guest_tsc));
	out->injected = READ_ONCE(s->injected);
	out->ept_faults = READ_ONCE(s->ept_faults);
	out->packets = READ_ONCE(s->packets);
	out->last_cpu = READ_ONCE(s->last_cpu);
	out->kicks = atomic64_read(&v->kicks);
	if (atomic_read(&v->kicked))
		out->state = ZXHV_VCPU_STATE_KICKED;
	else if (!READ_ONCE(v->task))
		out->state = ZXHV_VCPU_STATE_USERSPACE;
	else if (READ_ONCE(v->halted))
		out->state = ZXHV_VCPU_STATE_HALTED;
	else
		out->state = ZXHV_VCPU_STATE_RUNNING;
}

/* Every basic exit reason <asm/vmx.h> names, by that name (as KVM and perf print them). */
static const struct {
	u32 reason;
	const char *name;
} vmx_exit_names[] = { VMX_EXIT_REASONS };

const char *zxhv_arch_vcpu_exit_name(u32 reason)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_exit_names); i++)
		if (vmx_exit_names[i].reason == reason)
			return vmx_exit_names[i].name;
	return NULL;
}
