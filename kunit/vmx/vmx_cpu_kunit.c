// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: VMX ownership (module/arch/x86/vmx/vmx_cpu.c) and the VMX
 * instruction wrappers (vmx_ops.h, vmcs.h) on the real CPU.  Needs VMX
 * (Bochs' corei7_skylake_x); skipped where CPUID offers none (QEMU TCG) or
 * another hypervisor already owns it.
 */
#include <kunit/test.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <zircon/errors.h>

#include "../../module/arch.h"
#include "../../module/arch/x86/vmx/lapic_vmx.h"
#include "../../module/arch/x86/vmx/vcpu_priv.h"
#include "../../module/arch/x86/vmx/vmcs.h"
#include "../../module/arch/x86/vmx/vmx_cpu.h"
#include "../../module/arch/x86/vmx/vmx_ops.h"

static void vmx_cpu_need_vmx(struct kunit *test)
{
	if (!(cpuid_ecx(1) & BIT(5)))
		kunit_skip(test, "no VMX on this CPU (CPUID.1:ECX.VMX = 0)");
	if (__read_cr4() & X86_CR4_VMXE)
		kunit_skip(test, "another hypervisor owns VMX (CR4.VMXE = 1)");
}

struct cpu_state {
	bool vmxe;
	bool ours;
};

static void read_cpu_state(void *arg)
{
	struct cpu_state *s = arg;

	s[smp_processor_id()].vmxe = __read_cr4() & X86_CR4_VMXE;
	s[smp_processor_id()].ours = zxhv_vmx_cpu_on();
}

/* Every online CPU is (or is not) in VMX operation by us. */
static void expect_all_cpus(struct kunit *test, bool on)
{
	struct cpu_state *s;
	unsigned int cpu;

	s = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	cpus_read_lock();
	on_each_cpu(read_cpu_state, s, 1);
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_EQ_MSG(test, s[cpu].vmxe, on, "CPU %u CR4.VMXE", cpu);
		KUNIT_EXPECT_EQ_MSG(test, s[cpu].ours, on, "CPU %u VMXON", cpu);
	}
	cpus_read_unlock();
}

static void vmx_cpu_get_put(struct kunit *test)
{
	vmx_cpu_need_vmx(test);
	expect_all_cpus(test, false);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	expect_all_cpus(test, true);
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, false);
}

static void vmx_cpu_nested_refcount(struct kunit *test)
{
	vmx_cpu_need_vmx(test);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, true);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	zxhv_vmx_cpu_put();
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, false);
	/* And again from scratch. */
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	expect_all_cpus(test, true);
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, false);
}

static void set_vmxe(void *unused)
{
	cr4_set_bits(X86_CR4_VMXE);
}

static void clear_vmxe(void *unused)
{
	cr4_clear_bits(X86_CR4_VMXE);
}

/*
 * A CPU whose CR4.VMXE is already set belongs to another hypervisor: get
 * fails with NOT_SUPPORTED, leaves that CPU's CR4 alone and no CPU in VMX
 * operation; once the CPU is free again, get succeeds.
 */
static void vmx_cpu_refuses_foreign_vmxe(struct kunit *test)
{
	struct cpu_state *s;
	unsigned int victim, cpu;

	vmx_cpu_need_vmx(test);
	s = kunit_kcalloc(test, nr_cpu_ids, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);

	cpus_read_lock();
	victim = cpumask_last(cpu_online_mask);
	smp_call_function_single(victim, set_vmxe, NULL, 1);
	cpus_read_unlock();

	KUNIT_EXPECT_EQ(test, zxhv_vmx_cpu_get(), ZX_ERR_NOT_SUPPORTED);

	cpus_read_lock();
	on_each_cpu(read_cpu_state, s, 1);
	for_each_online_cpu(cpu) {
		KUNIT_EXPECT_EQ_MSG(test, s[cpu].vmxe, cpu == victim, "CPU %u", cpu);
		KUNIT_EXPECT_FALSE_MSG(test, s[cpu].ours, "CPU %u", cpu);
	}
	smp_call_function_single(victim, clear_vmxe, NULL, 1);
	cpus_read_unlock();

	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	expect_all_cpus(test, true);
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, false);
}

struct vmcs_results {
	enum vmx_insn_status clear, ptrld, write, read, read_bad, ptrld_bad_rev;
	enum vmx_insn_status read_after_clear, clear_again;
	unsigned long rip;
	u64 link;
	u32 err_bad_field, err_bad_rev;
};

/*
 * VMCLEAR and VMPTRLD of a fresh VMCS, VMWRITE/VMREAD round trips, and the
 * failures: an unsupported field (VMfailValid, error 12), a VMCS with the
 * wrong revision (error 11), no current VMCS (VMfailInvalid).
 */
static void vmx_cpu_vmcs_ops(struct kunit *test)
{
	struct page *vmcs, *bad;
	struct vmcs_results r;
	u64 pa, bad_pa;

	vmx_cpu_need_vmx(test);
	vmcs = alloc_page(GFP_KERNEL | __GFP_ZERO);
	bad = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vmcs || !bad) {
		if (vmcs)
			__free_page(vmcs);
		if (bad)
			__free_page(bad);
		KUNIT_FAIL(test, "no memory");
		return;
	}
	pa = page_to_phys(vmcs);
	bad_pa = page_to_phys(bad);

	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	*(u32 *)page_address(vmcs) = zxhv_vmx_cpu_revision();
	*(u32 *)page_address(bad) = zxhv_vmx_cpu_revision() ^ 1;

	memset(&r, 0, sizeof(r));
	preempt_disable();
	r.clear = vmx_vmclear(pa);
	r.ptrld = vmx_vmptrld(pa);
	r.write = vmcs_writenat(GUEST_RIP, 0x1234) |
		  vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	r.rip = vmcs_readnat(GUEST_RIP);
	r.link = vmcs_read64(VMCS_LINK_POINTER);
	r.read = vmx_vmread(GUEST_RIP, &r.rip);
	r.read_bad = vmx_vmread(0x6ffe, &r.rip);	/* no such field */
	r.err_bad_field = vmx_insn_error();
	r.ptrld_bad_rev = vmx_vmptrld(bad_pa);
	r.err_bad_rev = vmx_insn_error();
	r.clear_again = vmx_vmclear(pa);
	r.read_after_clear = vmx_vmread(GUEST_RIP, &r.rip);
	preempt_enable();

	zxhv_vmx_cpu_put();
	__free_page(vmcs);
	__free_page(bad);

	KUNIT_EXPECT_EQ(test, r.clear, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.ptrld, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.write, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.read, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.rip, 0x1234ul);
	KUNIT_EXPECT_EQ(test, r.link, ~0ULL);
	KUNIT_EXPECT_EQ(test, r.read_bad, VMX_INSN_FAIL_VALID);
	KUNIT_EXPECT_EQ(test, r.err_bad_field, (u32)VMXERR_UNSUPPORTED_VMCS_COMPONENT);
	KUNIT_EXPECT_EQ(test, r.ptrld_bad_rev, VMX_INSN_FAIL_VALID);
	KUNIT_EXPECT_EQ(test, r.err_bad_rev, (u32)VMXERR_VMPTRLD_INCORRECT_VMCS_REVISION_ID);
	KUNIT_EXPECT_EQ(test, r.clear_again, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.read_after_clear, VMX_INSN_FAIL_INVALID);
}

/* Without VMX operation VMX instructions fault; the wrappers report it. */
static void vmx_cpu_fault_outside_vmx(struct kunit *test)
{
	enum vmx_insn_status st;

	vmx_cpu_need_vmx(test);
	preempt_disable();
	st = vmx_vmclear(0);
	preempt_enable();
	KUNIT_EXPECT_EQ(test, st, VMX_INSN_FAULT);
}

/* INVEPT and INVVPID of every type we rely on succeed under VMXON. */
static void vmx_cpu_invalidations(struct kunit *test)
{
	enum vmx_insn_status st[5];

	vmx_cpu_need_vmx(test);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	preempt_disable();
	st[0] = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	st[1] = vmx_invvpid(VMX_VPID_EXTENT_ALL_CONTEXT, 0, 0);
	st[2] = vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, 1, 0);
	st[3] = vmx_invvpid(VMX_VPID_EXTENT_INDIVIDUAL_ADDR, 1, 0x1000);
	st[4] = vmx_invvpid(VMX_VPID_EXTENT_SINGLE_NON_GLOBAL, 1, 0);
	preempt_enable();
	zxhv_vmx_cpu_put();
	KUNIT_EXPECT_EQ(test, st[0], VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, st[1], VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, st[2], VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, st[3], VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, st[4], VMX_INSN_OK);
}

/* A 4-level EPT mapping guest-physical page 0 to @guest (SDM 28.3.2). */
#define EPT_RWX		0x7ull
#define EPT_LEAF_WB	(6ull << 3)

struct launch_pages {
	struct page *vmcs, *guest, *msr_bitmap, *vapic, *ept[4];
};

static void launch_free(struct launch_pages *p)
{
	unsigned int i;

	for (i = 0; i < sizeof(*p) / sizeof(struct page *); i++) {
		struct page **pg = (struct page **)p + i;

		if (*pg)
			__free_page(*pg);
	}
}

static bool launch_alloc(struct launch_pages *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(*p) / sizeof(struct page *); i++) {
		struct page **pg = (struct page **)p + i;

		*pg = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!*pg)
			return false;
	}
	return true;
}

static u64 launch_ept(struct launch_pages *p)
{
	unsigned int i;

	for (i = 0; i < 3; i++)
		*(u64 *)page_address(p->ept[i]) = page_to_phys(p->ept[i + 1]) | EPT_RWX;
	*(u64 *)page_address(p->ept[3]) = page_to_phys(p->guest) | EPT_RWX | EPT_LEAF_WB;
	/* EPTP: write-back, 4-level walk (length - 1 in bits 5:3). */
	return page_to_phys(p->ept[0]) | (3 << 3) | 6;
}

/* The host state: this CPU as it is now.  Preemption off. */
static enum vmx_insn_status launch_host_state(struct desc_ptr *gdt, struct desc_ptr *idt)
{
	const struct ldttss_desc *tss;
	enum vmx_insn_status err;
	u64 tr_base, v;
	u16 tr;

	native_store_gdt(gdt);
	store_idt(idt);
	tr = GDT_ENTRY_TSS * 8;
	tss = (const struct ldttss_desc *)(gdt->address + (tr & ~7));
	tr_base = tss->base0 | ((u64)tss->base1 << 16) | ((u64)tss->base2 << 24) |
		  ((u64)tss->base3 << 32);

	err = vmcs_writenat(HOST_CR0, read_cr0());
	err |= vmcs_writenat(HOST_CR3, __read_cr3());
	err |= vmcs_writenat(HOST_CR4, __read_cr4());
	err |= vmcs_write16(HOST_CS_SELECTOR, __KERNEL_CS);
	err |= vmcs_write16(HOST_SS_SELECTOR, __KERNEL_DS);
	/* DS, ES, FS, GS: RPL = TI = 0 required; 0 is what the kernel uses. */
	err |= vmcs_write16(HOST_DS_SELECTOR, 0);
	err |= vmcs_write16(HOST_ES_SELECTOR, 0);
	err |= vmcs_write16(HOST_FS_SELECTOR, 0);
	err |= vmcs_write16(HOST_GS_SELECTOR, 0);
	err |= vmcs_write16(HOST_TR_SELECTOR, tr);
	rdmsrl(MSR_FS_BASE, v);
	err |= vmcs_writenat(HOST_FS_BASE, v);
	rdmsrl(MSR_GS_BASE, v);
	err |= vmcs_writenat(HOST_GS_BASE, v);
	err |= vmcs_writenat(HOST_TR_BASE, tr_base);
	err |= vmcs_writenat(HOST_GDTR_BASE, gdt->address);
	err |= vmcs_writenat(HOST_IDTR_BASE, idt->address);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	err |= vmcs_write32(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	err |= vmcs_writenat(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	err |= vmcs_writenat(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	err |= vmcs_write64(HOST_IA32_PAT, v);
	err |= vmcs_write64(GUEST_IA32_PAT, v);
	rdmsrl(MSR_EFER, v);
	err |= vmcs_write64(HOST_IA32_EFER, v);
	err |= vmcs_writenat(HOST_RIP, (unsigned long)zxhv_vmx_exit_point);
	return err;
}

/* A real-mode guest at CS:IP = 0:0 (unrestricted guest), and the controls. */
static enum vmx_insn_status launch_guest_state(struct launch_pages *p)
{
	const struct vmx_ctls *c = zxhv_vmx_cpu_ctls();
	static const u32 seg_sel[] = {
		GUEST_ES_SELECTOR, GUEST_SS_SELECTOR,
		GUEST_DS_SELECTOR, GUEST_FS_SELECTOR, GUEST_GS_SELECTOR,
	};
	enum vmx_insn_status err = 0;
	unsigned int i;

	/* Seg i: selector at seg_sel[i]; limit, AR, base at fixed strides. */
	for (i = 0; i < ARRAY_SIZE(seg_sel); i++) {
		u32 n = (seg_sel[i] - GUEST_ES_SELECTOR) / 2;

		err |= __vmcs_write(seg_sel[i], 0);
		err |= __vmcs_write(GUEST_ES_LIMIT + 2 * n, 0xffff);
		err |= __vmcs_write(GUEST_ES_AR_BYTES + 2 * n, 0x93);
		err |= __vmcs_write(GUEST_ES_BASE + 2 * n, 0);
	}
	err |= vmcs_write16(GUEST_CS_SELECTOR, 0);
	err |= vmcs_write32(GUEST_CS_LIMIT, 0xffff);
	err |= vmcs_write32(GUEST_CS_AR_BYTES, 0x9b);
	err |= vmcs_writenat(GUEST_CS_BASE, 0);
	err |= vmcs_write16(GUEST_LDTR_SELECTOR, 0);
	err |= vmcs_write32(GUEST_LDTR_AR_BYTES, 0x10000);	/* unusable */
	err |= vmcs_write16(GUEST_TR_SELECTOR, 0);
	err |= vmcs_write32(GUEST_TR_LIMIT, 0xff);
	err |= vmcs_write32(GUEST_TR_AR_BYTES, 0x8b);	/* busy TSS */
	err |= vmcs_writenat(GUEST_TR_BASE, 0);
	err |= vmcs_write32(GUEST_GDTR_LIMIT, 0xffff);
	err |= vmcs_write32(GUEST_IDTR_LIMIT, 0xffff);
	err |= vmcs_writenat(GUEST_GDTR_BASE, 0);
	err |= vmcs_writenat(GUEST_IDTR_BASE, 0);
	err |= vmcs_writenat(GUEST_CR0, X86_CR0_NE | X86_CR0_ET);
	err |= vmcs_writenat(GUEST_CR3, 0);
	err |= vmcs_writenat(GUEST_CR4, X86_CR4_VMXE);
	err |= vmcs_writenat(CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	err |= vmcs_writenat(CR4_READ_SHADOW, 0);
	err |= vmcs_writenat(GUEST_DR7, 0x400);
	err |= vmcs_writenat(GUEST_RSP, 0);
	err |= vmcs_writenat(GUEST_RIP, 0);
	err |= vmcs_writenat(GUEST_RFLAGS, 0x2);
	err |= vmcs_write64(GUEST_IA32_EFER, 0);
	err |= vmcs_write64(GUEST_IA32_DEBUGCTL, 0);
	err |= vmcs_write64(VMCS_LINK_POINTER, ~0ULL);
	err |= vmcs_write32(GUEST_INTERRUPTIBILITY_INFO, 0);
	err |= vmcs_write32(GUEST_ACTIVITY_STATE, 0);
	err |= vmcs_writenat(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	err |= vmcs_write32(GUEST_SYSENTER_CS, 0);
	err |= vmcs_writenat(GUEST_SYSENTER_ESP, 0);
	err |= vmcs_writenat(GUEST_SYSENTER_EIP, 0);
	err |= vmcs_writenat(CR0_GUEST_HOST_MASK, 0);
	err |= vmcs_writenat(CR0_READ_SHADOW, 0);

	err |= vmcs_write32(EXCEPTION_BITMAP, 0);
	err |= vmcs_write32(PAGE_FAULT_ERROR_CODE_MASK, 0);
	err |= vmcs_write32(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	err |= vmcs_write32(CR3_TARGET_COUNT, 0);
	err |= vmcs_write32(VM_EXIT_MSR_STORE_COUNT, 0);
	err |= vmcs_write32(VM_EXIT_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VM_ENTRY_MSR_LOAD_COUNT, 0);
	err |= vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
	err |= vmcs_write32(TPR_THRESHOLD, 0);
	err |= vmcs_write64(TSC_OFFSET, 0);

	err |= vmcs_write32(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	err |= vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, c->proc);
	err |= vmcs_write32(SECONDARY_VM_EXEC_CONTROL, c->proc2);
	/* No acknowledge-on-exit: a host interrupt stays pending in the APIC. */
	err |= vmcs_write32(VM_EXIT_CONTROLS, c->exit & ~VM_EXIT_ACK_INTR_ON_EXIT);
	err |= vmcs_write32(VM_ENTRY_CONTROLS, c->entry);
	err |= vmcs_write16(VIRTUAL_PROCESSOR_ID, 1);
	err |= vmcs_write64(EPT_POINTER, launch_ept(p));
	err |= vmcs_write64(MSR_BITMAP, page_to_phys(p->msr_bitmap));
	err |= vmcs_write64(VIRTUAL_APIC_PAGE_ADDR, page_to_phys(p->vapic));
	return err;
}

struct launch_result {
	enum vmx_insn_status setup;
	int fail, tries;
	u32 reason, insn_len, insn_err;
	unsigned long rip;
	u64 gprs[VMX_GPR_COUNT];
};

/* VMLAUNCH a real-mode guest whose first instruction is HLT: exit 12. */
static void vmx_cpu_launch_hlt(struct kunit *test)
{
	struct desc_ptr gdt, idt;
	struct launch_pages p;
	struct launch_result r;
	unsigned long flags;
	unsigned int i;
	u64 pa;

	vmx_cpu_need_vmx(test);
	if (!launch_alloc(&p)) {
		launch_free(&p);
		KUNIT_FAIL(test, "no memory");
		return;
	}
	*(u8 *)page_address(p.guest) = 0xf4;	/* hlt */
	pa = page_to_phys(p.vmcs);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	*(u32 *)page_address(p.vmcs) = zxhv_vmx_cpu_revision();

	memset(&r, 0, sizeof(r));
	for (i = 0; i < VMX_GPR_COUNT; i++)
		r.gprs[i] = 0x1000 + i;
	preempt_disable();
	r.setup = vmx_vmclear(pa) | vmx_vmptrld(pa);
	if (r.setup == VMX_INSN_OK)
		r.setup = launch_guest_state(&p);
	/* A pending host interrupt exits first (reason 1): drain it, retry. */
	for (r.tries = 1; r.setup == VMX_INSN_OK && r.tries <= 10; r.tries++) {
		local_irq_save(flags);
		r.setup = launch_host_state(&gdt, &idt);
		if (r.setup == VMX_INSN_OK)
			r.fail = zxhv_vmx_run(r.gprs, r.tries > 1);
		/* The exit set the GDT and IDT limits to 0xffff and TR's to 0x67. */
		native_load_gdt(&gdt);
		native_load_idt(&idt);
		force_reload_TR();
		local_irq_restore(flags);
		if (r.setup != VMX_INSN_OK || r.fail)
			break;
		r.reason = vmcs_read32(VM_EXIT_REASON);
		if ((r.reason & 0xffff) != 1)
			break;
	}
	if (r.fail)
		r.insn_err = vmx_insn_error();
	r.insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	r.rip = vmcs_readnat(GUEST_RIP);
	vmx_vmclear(pa);
	preempt_enable();

	zxhv_vmx_cpu_put();
	launch_free(&p);

	KUNIT_ASSERT_EQ(test, r.setup, VMX_INSN_OK);
	KUNIT_ASSERT_EQ_MSG(test, r.fail, 0, "VM-instruction error %u", r.insn_err);
	KUNIT_EXPECT_EQ(test, r.reason, 12u);		/* HLT */
	KUNIT_EXPECT_EQ(test, r.insn_len, 1u);
	KUNIT_EXPECT_EQ(test, r.rip, 0ul);
	/* The guest's GPRs came back through vmenter.S unchanged. */
	for (i = 0; i < VMX_GPR_COUNT; i++)
		if (i != VMX_GPR_RSP_UNUSED)
			KUNIT_EXPECT_EQ_MSG(test, r.gprs[i], 0x1000ull + i, "GPR %u", i);
}

/*
 * The least of a VCPU that zxhv_vmx_vcpu_load() and zxhv_arch_vcpu_enter() touch
 * before they notice VMX is off: its VMCS, the host MSR list, the FPU area
 * (x87 and SSE in their init state), the interrupt tracker, the local
 * APIC's timer.  Freed by zxhv_arch_vcpu_destroy().
 */
static struct zxhv_arch_vcpu *fake_vcpu(void)
{
	struct zxhv_arch_vcpu *v = kzalloc(sizeof(*v), GFP_KERNEL);
	u8 *fpu;

	if (!v)
		return NULL;
	zxhv_vmx_vcpu_init_state(v, 1);
	zxhv_vmx_lapic_init(v);
	v->vmcs = alloc_page(GFP_KERNEL | __GFP_ZERO);
	v->msr_host = (void *)get_zeroed_page(GFP_KERNEL);
	v->fpu = (void *)get_zeroed_page(GFP_KERNEL);
	if (!v->vmcs || !v->msr_host || !v->fpu) {
		zxhv_arch_vcpu_destroy(v);
		return NULL;
	}
	*(u32 *)page_address(v->vmcs) = zxhv_vmx_cpu_revision();
	zxhv_vmx_cpu_vmcs_init(&v->lv, page_to_phys(v->vmcs));
	fpu = v->fpu;
	fpu[0] = 0x7f;		/* FCW 0x37f */
	fpu[1] = 0x03;
	fpu[24] = 0x80;		/* MXCSR 0x1f80 */
	fpu[25] = 0x1f;
	return v;
}

static void emergency_ipi(void *unused)
{
	zxhv_vmx_cpu_emergency_disable_local();
}

struct emergency_results {
	enum vmx_insn_status write_before, read_before, read, write, ptrld;
	bool on, vmxe, listed, launched;
	int cpu_before, cpu_after, this_cpu;
	unsigned long val, acc;
	u32 insn_err;
};

/*
 * The crash callback on a CPU with an active, current VMCS that has been
 * launched: it VMCLEARs it (the VCPU is off the CPU's list, not launched)
 * and turns VMX off; afterwards VMREAD, VMWRITE and VMPTRLD report the
 * fault instead of oopsing, the accessors return 0 without warning, and
 * the enter loop stops with ZX_ERR_BAD_STATE, again on a second call.
 */
static void vmx_cpu_emergency_off(struct kunit *test)
{
	struct emergency_results r;
	struct zxhv_arch_vcpu *v;
	zx_port_packet_t pkt;
	zx_status_t st1, st2;

	vmx_cpu_need_vmx(test);
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
#ifdef ZXHV_HAVE_EMERGENCY_VIRT_CB
	KUNIT_EXPECT_TRUE_MSG(test, zxhv_vmx_cpu_emergency_cb_registered(),
			      "crash callback not registered (kvm_intel loaded?)");
#endif
	v = fake_vcpu();
	if (!v) {
		zxhv_vmx_cpu_put();
		KUNIT_FAIL(test, "no memory");
		return;
	}

	memset(&r, 0, sizeof(r));
	zxhv_vmx_vcpu_load(v);
	v->lv.launched = true;
	r.this_cpu = smp_processor_id();
	r.cpu_before = v->lv.cpu;
	r.write_before = vmcs_writenat(GUEST_RIP, 0x1234);
	r.read_before = vmx_vmread(GUEST_RIP, &r.val);
	/* Every CPU, as a crash does: the thread may move once preemptible. */
	on_each_cpu(emergency_ipi, NULL, 1);
	r.on = zxhv_vmx_cpu_on();
	r.vmxe = __read_cr4() & X86_CR4_VMXE;
	r.cpu_after = v->lv.cpu;
	r.listed = !list_empty(&v->lv.node);
	r.launched = v->lv.launched;
	r.val = 0xdead;
	r.read = vmx_vmread(GUEST_RIP, &r.val);
	r.acc = vmcs_readnat(GUEST_RIP) | vmcs_read32(VM_EXIT_REASON);
	r.write = vmx_vmwrite(GUEST_RIP, 0);
	r.ptrld = vmx_vmptrld(v->lv.pa);
	r.insn_err = vmx_insn_error();
	zxhv_vmx_vcpu_put(v);

	st1 = zxhv_arch_vcpu_enter(v, &pkt);
	st2 = zxhv_arch_vcpu_enter(v, &pkt);
	zxhv_arch_vcpu_destroy(v);
	zxhv_vmx_cpu_put();

	KUNIT_EXPECT_EQ(test, r.cpu_before, r.this_cpu);
	KUNIT_EXPECT_EQ(test, r.write_before, VMX_INSN_OK);
	KUNIT_EXPECT_EQ(test, r.read_before, VMX_INSN_OK);
	KUNIT_EXPECT_FALSE(test, r.on);
	KUNIT_EXPECT_FALSE(test, r.vmxe);
	KUNIT_EXPECT_EQ(test, r.cpu_after, -1);
	KUNIT_EXPECT_FALSE(test, r.listed);
	KUNIT_EXPECT_FALSE(test, r.launched);
	KUNIT_EXPECT_EQ(test, r.read, VMX_INSN_FAULT);
	KUNIT_EXPECT_EQ(test, r.val, 0xdeadul);
	KUNIT_EXPECT_EQ(test, r.acc, 0ul);
	KUNIT_EXPECT_EQ(test, r.write, VMX_INSN_FAULT);
	KUNIT_EXPECT_EQ(test, r.ptrld, VMX_INSN_FAULT);
	KUNIT_EXPECT_EQ(test, r.insn_err, 0u);
	KUNIT_EXPECT_EQ(test, st1, ZX_ERR_BAD_STATE);
	KUNIT_EXPECT_EQ(test, st2, ZX_ERR_BAD_STATE);
	/* Once the last reference is gone, VMX comes back for the next user. */
	KUNIT_ASSERT_EQ(test, zxhv_vmx_cpu_get(), ZX_OK);
	expect_all_cpus(test, true);
	zxhv_vmx_cpu_put();
	expect_all_cpus(test, false);
}

/* Where there is no VMX, get fails cleanly (the QEMU path). */
static void vmx_cpu_no_vmx(struct kunit *test)
{
	if (cpuid_ecx(1) & BIT(5))
		kunit_skip(test, "this CPU has VMX");
	KUNIT_EXPECT_EQ(test, zxhv_vmx_cpu_get(), ZX_ERR_NOT_SUPPORTED);
	expect_all_cpus(test, false);
}

static struct kunit_case vmx_cpu_cases[] = {
	KUNIT_CASE(vmx_cpu_get_put),
	KUNIT_CASE(vmx_cpu_nested_refcount),
	KUNIT_CASE(vmx_cpu_refuses_foreign_vmxe),
	KUNIT_CASE(vmx_cpu_vmcs_ops),
	KUNIT_CASE(vmx_cpu_fault_outside_vmx),
	KUNIT_CASE(vmx_cpu_invalidations),
	KUNIT_CASE(vmx_cpu_launch_hlt),
	KUNIT_CASE(vmx_cpu_emergency_off),
	KUNIT_CASE(vmx_cpu_no_vmx),
	{}
};

static struct kunit_suite vmx_cpu_suite = {
	.name = "zxhv-vmx-cpu",
	.test_cases = vmx_cpu_cases,
};

kunit_test_suite(vmx_cpu_suite);
