// SPDX-License-Identifier: GPL-2.0-only
/*
 * Speculative-execution hardening of VM entry and exit (docs/api.md §4 item 10):
 * the policy (spec.h says which host settings lead to what), the software
 * L1D flush, IBPB, and how the choice is shown: one dmesg line the first
 * time VMX is turned on, and the read-only module parameter
 * /sys/module/zircon_hv/parameters/vmx_mitigations.
 *
 * The host kernel's own helpers are used where a module can: its feature
 * and bug bits, cpu_mitigations_off(), l1tf_mitigation and
 * l1tf_vmx_mitigation (exported for KVM), x86_verw_sel (VERW, vmenter.S)
 * and __FILL_RETURN_BUFFER / __FILL_ONE_RETURN (vmenter.S).  KVM's
 * software L1D flush is static to kvm-intel, so the one here is ours.
 */

#include <linux/cache.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/vmx.h>

#include "spec.h"

/*
 * The software flush reads 64 KiB: twice the L1D of every CPU with
 * X86_BUG_L1TF (32 KiB, 8-way), so every line holding host data is evicted
 * whatever the replacement policy left behind.
 */
#define VMX_L1D_FLUSH_ORDER	4
#define VMX_L1D_FLUSH_SIZE	(PAGE_SIZE << VMX_L1D_FLUSH_ORDER)

/* Set under vmx_mutex while no CPU runs a guest; read-only while one may. */
static u32 vmx_spec_active;
static bool vmx_spec_set;
static u8 *vmx_l1d_flush_buf;

/* KVM's "cond": its own setting, or its default for l1tf=flush*. */
static bool vmx_spec_l1d_cond(const struct vmx_spec_host *h)
{
	if (h->l1tf_vmx == VMENTER_L1D_FLUSH_COND)
		return true;
	if (h->l1tf_vmx != VMENTER_L1D_FLUSH_AUTO)
		return false;
	return h->l1tf == L1TF_MITIGATION_FLUSH_NOWARN || h->l1tf == L1TF_MITIGATION_FLUSH ||
	       h->l1tf == L1TF_MITIGATION_FLUSH_NOSMT;
}

u32 zxhv_vmx_spec_choose(const struct vmx_spec_host *h)
{
	u32 flags = 0;

	if (h->mitigations_off)
		return 0;

	if (h->bug_l1tf && !h->skip_l1dflush && h->l1tf != L1TF_MITIGATION_OFF &&
	    h->l1tf_vmx != VMENTER_L1D_FLUSH_NEVER &&
	    h->l1tf_vmx != VMENTER_L1D_FLUSH_NOT_REQUIRED &&
	    h->l1tf_vmx != VMENTER_L1D_FLUSH_EPT_DISABLED)
		flags |= h->flush_l1d ? ZXHV_RUN_L1D_MSR : ZXHV_SPEC_L1D_SW;
	if (flags && vmx_spec_l1d_cond(h))
		flags |= ZXHV_SPEC_L1D_COND;

	/*
	 * The L1D_FLUSH command also overwrites the buffers VERW clears: VERW
	 * is needed where it may not run.  zxhv_vmx_spec_entry() drops VERW
	 * from an entry that flushes by the MSR.
	 */
	if ((h->clear_cpu_buf || h->clear_cpu_buf_vm) &&
	    (!(flags & ZXHV_RUN_L1D_MSR) || (flags & ZXHV_SPEC_L1D_COND)))
		flags |= ZXHV_RUN_VERW;

	if (h->rsb_vmexit)
		flags |= ZXHV_RUN_RSB_FULL;
	else if (h->rsb_vmexit_lite)
		flags |= ZXHV_RUN_RSB_ONE;

	if (h->ibpb && (h->ibpb_exit_to_user || h->ibpb_on_vmexit))
		flags |= ZXHV_SPEC_IBPB;
	return flags;
}

void zxhv_vmx_spec_read_host(struct vmx_spec_host *h)
{
	u64 arch_caps = 0;

	memset(h, 0, sizeof(*h));
	h->mitigations_off = cpu_mitigations_off();
	h->bug_l1tf = boot_cpu_has_bug(X86_BUG_L1TF);
	h->flush_l1d = boot_cpu_has(X86_FEATURE_FLUSH_L1D);
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES) &&
	    !rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &arch_caps))
		h->skip_l1dflush = arch_caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH;
	h->l1tf = l1tf_mitigation;
	h->l1tf_vmx = l1tf_vmx_mitigation;
	h->clear_cpu_buf = boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF);
	h->clear_cpu_buf_vm = boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF_VM);
	h->rsb_vmexit = boot_cpu_has(X86_FEATURE_RSB_VMEXIT);
	h->rsb_vmexit_lite = boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE);
	h->ibpb = boot_cpu_has(X86_FEATURE_IBPB);
	h->ibpb_exit_to_user = boot_cpu_has(X86_FEATURE_IBPB_EXIT_TO_USER);
	h->ibpb_on_vmexit = boot_cpu_has(X86_FEATURE_IBPB_ON_VMEXIT);
}

int zxhv_vmx_spec_describe(u32 flags, char *buf, size_t size)
{
	static const struct {
		u32 flag;
		const char *name;
	} names[] = {
		{ ZXHV_RUN_L1D_MSR, "l1d=msr" },
		{ ZXHV_SPEC_L1D_SW, "l1d=sw" },
		{ ZXHV_SPEC_L1D_COND, "cond" },
		{ ZXHV_RUN_VERW, "verw" },
		{ ZXHV_RUN_RSB_FULL, "rsb=full" },
		{ ZXHV_RUN_RSB_ONE, "rsb=one" },
		{ ZXHV_SPEC_IBPB, "ibpb" },
	};
	unsigned int i;
	int len = 0;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].flag)
			len += scnprintf(buf + len, size - len, "%s%s", len ? " " : "",
					 names[i].name);
	if (!len)
		len = scnprintf(buf, size, "none");
	return len;
}

static u32 vmx_spec_current(void)
{
	struct vmx_spec_host h;

	zxhv_vmx_spec_read_host(&h);
	return zxhv_vmx_spec_choose(&h);
}

int zxhv_vmx_spec_setup(void)
{
	static bool printed;
	u32 flags = vmx_spec_current();
	char desc[64];

	if (flags & ZXHV_SPEC_L1D_SW) {
		struct page *page = alloc_pages(GFP_KERNEL, VMX_L1D_FLUSH_ORDER);

		if (!page)
			return -ENOMEM;
		vmx_l1d_flush_buf = page_address(page);
		/* Non-zero contents: no page of it can be the shared zero page. */
		memset(vmx_l1d_flush_buf, 0x5a, VMX_L1D_FLUSH_SIZE);
	}
	vmx_spec_active = flags;
	WRITE_ONCE(vmx_spec_set, true);
	if (!printed) {
		zxhv_vmx_spec_describe(flags, desc, sizeof(desc));
		pr_info("VM entry/exit mitigations: %s\n", desc);
		printed = true;
	}
	return 0;
}

void zxhv_vmx_spec_teardown(void)
{
	if (vmx_l1d_flush_buf)
		free_pages((unsigned long)vmx_l1d_flush_buf, VMX_L1D_FLUSH_ORDER);
	vmx_l1d_flush_buf = NULL;
}

u32 zxhv_vmx_spec_flags(void)
{
	return vmx_spec_active;
}

/*
 * Evict host data from L1D by reading our own buffer: one load per page
 * first, so the line loads that do the eviction do not stall on page walks
 * (which would fetch page-table lines in between), then one load per line.
 */
static void vmx_l1d_flush_sw(const u8 *buf)
{
	unsigned int i;

	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		(void)READ_ONCE(buf[i]);
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += L1_CACHE_BYTES)
		(void)READ_ONCE(buf[i]);
}

/* Whether a host interrupt ran on this CPU since the last flush. */
static bool vmx_spec_irq_ran(void)
{
#if IS_ENABLED(CONFIG_KVM_INTEL)
	bool ran = kvm_get_cpu_l1tf_flush_l1d();

	kvm_clear_cpu_l1tf_flush_l1d();
	return ran;
#else
	return true;
#endif
}

u32 zxhv_vmx_spec_entry_flags(u32 flags, bool host_ran)
{
	if (!(flags & (ZXHV_RUN_L1D_MSR | ZXHV_SPEC_L1D_SW)))
		return flags;
	if (!host_ran && (flags & ZXHV_SPEC_L1D_COND))
		return flags & ~(ZXHV_RUN_L1D_MSR | ZXHV_SPEC_L1D_SW);
	if (flags & ZXHV_RUN_L1D_MSR)
		return flags & ~ZXHV_RUN_VERW;
	return flags;
}

u32 zxhv_vmx_spec_entry(bool l1d_dirty)
{
	/* The interrupt flag is read and cleared on every entry. */
	bool irq_ran = vmx_spec_irq_ran();
	u32 flags = zxhv_vmx_spec_entry_flags(vmx_spec_active, irq_ran || l1d_dirty);

	if (flags & ZXHV_SPEC_L1D_SW)
		vmx_l1d_flush_sw(vmx_l1d_flush_buf);
	return flags & ZXHV_RUN_SPEC_MASK;
}

void zxhv_vmx_spec_leave(void)
{
	if (vmx_spec_active & ZXHV_SPEC_IBPB)
		wrmsrl(MSR_IA32_PRED_CMD, PRED_CMD_IBPB);
}

/*
 * vmx_mitigations (read-only): the choice in force since VMX was last
 * turned on, or the one the next turn-on makes.
 */
static int vmx_spec_param_get(char *buf, const struct kernel_param *kp)
{
	u32 flags = READ_ONCE(vmx_spec_set) ? vmx_spec_active : vmx_spec_current();
	int len = zxhv_vmx_spec_describe(flags, buf, PAGE_SIZE - 1);

	buf[len++] = '\n';
	return len;
}

static const struct kernel_param_ops vmx_spec_param_ops = {
	.get = vmx_spec_param_get,
};

module_param_cb(vmx_mitigations, &vmx_spec_param_ops, NULL, 0444);
MODULE_PARM_DESC(vmx_mitigations,
		 "VM entry/exit mitigations in force: l1d=msr|sw verw rsb=full|one ibpb, or none");
