// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX ownership (spec §4 item 1; Intel SDM Vol. 3C 24.7 "Enabling and
 * entering VMX operation", 24.8 "Restrictions on VMX operation").
 *
 * A mutex-protected reference count.  The first zxhv_vmx_get():
 *   1. reads the capability MSRs of the current CPU and computes the
 *      control values (caps.c); the CPU must have VMX;
 *   2. allocates one VMXON region per possible CPU;
 *   3. registers a reboot notifier and a panic notifier;
 *   4. installs a dynamic CPU hotplug state whose online callback turns VMX
 *      on for its CPU and whose offline callback turns it off.  Installing
 *      it runs the online callback on every online CPU; if one fails, the
 *      hotplug core runs the offline callback on the CPUs that succeeded
 *      and we undo 1-3 and return ZX_ERR_NOT_SUPPORTED.
 * The last zxhv_vmx_put() removes the hotplug state (VMXOFF on every online
 * CPU), unregisters the notifiers and frees the regions.  Loading the
 * module never touches VMX.
 *
 * Per CPU, with interrupts off (so nobody else's IPI can interleave):
 * CPUID.1:ECX.VMX; CR4.VMXE already set means another hypervisor owns the
 * CPU -> refuse, touch nothing; IA32_FEATURE_CONTROL locked without
 * VMXON-outside-SMX -> refuse, unlocked -> set that bit and the lock (as
 * Zircon does); the CPU's capabilities must give the same controls and
 * revision as step 1's; CR0 and CR4 | VMXE must satisfy the FIXED MSRs
 * (only CR4.VMXE is ever changed: the host's CR0 and other CR4 bits are
 * Linux's); cr4_set_bits(VMXE), VMXON, all-context INVEPT.
 *
 * Shutdown paths covered:
 *  - reboot, halt, power-off and kexec (kernel_kexec() runs the reboot
 *    notifiers): the reboot notifier turns VMX off on every online CPU by
 *    IPI; zxhv_vmx_get() refuses afterwards;
 *  - panic: the panic notifier turns VMX off on the panicking CPU only
 *    (the other CPUs are already stopped and stay in VMX root operation);
 *  - crash kexec (kdump) runs before the panic notifiers unless
 *    crash_kexec_post_notifiers is set: not covered here (the kernel's
 *    emergency VMXOFF only knows KVM); the kdump kernel starts from INIT
 *    only on the CPU that crashed.
 * A VCPU that runs on a CPU whose VMX was turned off by these paths faults
 * on its next VMX instruction; vmx_ops.h recovers from that fault.
 */
#define pr_fmt(fmt) "zircon-hv: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <zircon/errors.h>

#include "../../../arch.h"
#include "caps.h"
#include "vmcs.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

#define CPUID1_ECX_VMX			BIT(5)
#define FEATURE_CONTROL_LOCKED		BIT_ULL(0)
#define FEATURE_CONTROL_VMXON		BIT_ULL(2)	/* outside SMX */

struct vmx_pcpu {
	struct page *vmxon_page;	/* set while vmx_users > 0 */
	bool on;			/* VMXON done by us; this CPU only */
};

static DEFINE_PER_CPU(struct vmx_pcpu, vmx_pcpu);

static DEFINE_MUTEX(vmx_mutex);
static unsigned int vmx_users;		/* vmx_mutex */
static int vmx_hp_state;		/* vmx_mutex; the dynamic state while users > 0 */
static bool vmx_shut_down;		/* set by the reboot notifier, never cleared */
/* Written under vmx_mutex before any CPU turns VMX on; read-only after. */
static struct vmx_ctls vmx_ctls;
static u32 vmx_revision;

/* Enter VMX operation on this CPU.  Interrupts off.  *why names a refusal. */
static int vmx_cpu_enable_local(struct vmx_pcpu *pc, const char **why)
{
	struct vmx_caps caps;
	struct vmx_ctls ctls;
	enum vmx_insn_status st;
	unsigned long cr4;
	u64 feat;

	if (!(cpuid_ecx(1) & CPUID1_ECX_VMX)) {
		*why = zxhv_arch_probe_explain(ZXHV_VMX_NO_CPU_SUPPORT);
		return -EOPNOTSUPP;
	}
	cr4 = __read_cr4();
	if (cr4 & X86_CR4_VMXE) {
		*why = zxhv_arch_probe_explain(ZXHV_VMX_IN_USE);
		return -EOPNOTSUPP;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat)) {
		*why = "IA32_FEATURE_CONTROL cannot be read";
		return -EOPNOTSUPP;
	}
	if (feat & FEATURE_CONTROL_LOCKED) {
		if (!(feat & FEATURE_CONTROL_VMXON)) {
			*why = zxhv_arch_probe_explain(ZXHV_VMX_DISABLED_BY_FIRMWARE);
			return -EOPNOTSUPP;
		}
	} else if (wrmsrl_safe(MSR_IA32_FEAT_CTL, feat | FEATURE_CONTROL_LOCKED |
			       FEATURE_CONTROL_VMXON)) {
		*why = "IA32_FEATURE_CONTROL cannot be enabled and locked";
		return -EOPNOTSUPP;
	}

	vmx_caps_read(&caps);
	if (vmx_compute_ctls(&caps, &ctls, why))
		return -ENXIO;		/* *why names a missing feature */
	if (memcmp(&ctls, &vmx_ctls, sizeof(ctls)) ||
	    (caps.basic & VMXCAP_BASIC_REVISION_MASK) != vmx_revision) {
		*why = "VMX capabilities differ from the first CPU's";
		return -EOPNOTSUPP;
	}
	if (vmx_check_cr(&caps, read_cr0(), cr4 | X86_CR4_VMXE, why))
		return -EOPNOTSUPP;

	/* 24.11.5: the region starts with the revision id, bit 31 clear. */
	*(u32 *)page_address(pc->vmxon_page) = vmx_revision;

	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	st = vmx_vmxon(page_to_phys(pc->vmxon_page));
	if (st != VMX_INSN_OK) {
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
		*why = "VMXON failed";
		return -EIO;
	}
	pc->on = true;
	/* Nothing may survive from a previous owner's EPT translations. */
	st = vmx_invept(VMX_INVEPT_ALL_CONTEXT, 0);
	VMX_INSN_WARN(st, "invept all-context", 0);
	return 0;
}

/* Turn VMX off on this CPU if we turned it on.  Interrupts off. */
static void vmx_cpu_disable_local(bool quiet)
{
	struct vmx_pcpu *pc = this_cpu_ptr(&vmx_pcpu);
	enum vmx_insn_status st;

	if (!pc->on)
		return;
	st = vmx_vmxoff();
	if (!quiet)
		VMX_INSN_WARN(st, "vmxoff", 0);
	cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	pc->on = false;
}

/* CPU hotplug callbacks: run on @cpu, in its hotplug thread. */
static int vmx_cpu_online(unsigned int cpu)
{
	const char *why = "not running on the CPU being brought up";
	unsigned long flags;
	int ret = -EINVAL;

	local_irq_save(flags);
	if (!WARN_ON_ONCE(smp_processor_id() != cpu))
		ret = vmx_cpu_enable_local(per_cpu_ptr(&vmx_pcpu, cpu), &why);
	local_irq_restore(flags);
	if (ret == -ENXIO)
		pr_warn("CPU %u cannot run guests: it lacks %s\n", cpu, why);
	else if (ret)
		pr_warn("CPU %u: cannot turn VMX on: %s\n", cpu, why);
	return ret;
}

static int vmx_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	WARN_ON_ONCE(smp_processor_id() != cpu);
	zxhv_vmx_vcpus_clear_local();
	vmx_cpu_disable_local(false);
	local_irq_restore(flags);
	return 0;
}

static void vmx_cpu_disable_ipi(void *unused)
{
	zxhv_vmx_vcpus_clear_local();
	vmx_cpu_disable_local(true);
}

static int vmx_reboot_notify(struct notifier_block *nb, unsigned long code,
			     void *unused)
{
	WRITE_ONCE(vmx_shut_down, true);
	on_each_cpu(vmx_cpu_disable_ipi, NULL, 1);
	return NOTIFY_DONE;
}

static int vmx_panic_notify(struct notifier_block *nb, unsigned long code,
			    void *unused)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_cpu_disable_local(true);
	local_irq_restore(flags);
	return NOTIFY_DONE;
}

static struct notifier_block vmx_reboot_nb = {
	.notifier_call = vmx_reboot_notify,
};

static struct notifier_block vmx_panic_nb = {
	.notifier_call = vmx_panic_notify,
};

static void vmx_free_regions(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct vmx_pcpu *pc = per_cpu_ptr(&vmx_pcpu, cpu);

		if (pc->vmxon_page)
			__free_page(pc->vmxon_page);
		pc->vmxon_page = NULL;
	}
}

static int vmx_alloc_regions(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page = alloc_pages_node(cpu_to_node(cpu),
						     GFP_KERNEL | __GFP_ZERO, 0);

		if (!page) {
			vmx_free_regions();
			return -ENOMEM;
		}
		per_cpu_ptr(&vmx_pcpu, cpu)->vmxon_page = page;
	}
	return 0;
}

/* Step 1: the controls every CPU must match, from the current CPU. */
static zx_status_t vmx_compute_global_ctls(void)
{
	const char *missing = NULL;
	struct vmx_caps caps;
	unsigned int cpu;
	int ret = -EOPNOTSUPP;

	cpu = get_cpu();
	if (cpuid_ecx(1) & CPUID1_ECX_VMX) {
		vmx_caps_read(&caps);
		ret = vmx_compute_ctls(&caps, &vmx_ctls, &missing);
		vmx_revision = caps.basic & VMXCAP_BASIC_REVISION_MASK;
	} else {
		missing = "VMX (CPUID.1:ECX.VMX = 0)";
	}
	put_cpu();
	if (ret) {
		pr_warn("CPU %u cannot run guests: it lacks %s\n", cpu, missing);
		return ZX_ERR_NOT_SUPPORTED;
	}
	return ZX_OK;
}

static zx_status_t vmx_turn_on(void)
{
	zx_status_t status;
	int ret;

	lockdep_assert_held(&vmx_mutex);
	if (READ_ONCE(vmx_shut_down))
		return ZX_ERR_NOT_SUPPORTED;
	status = vmx_compute_global_ctls();
	if (status != ZX_OK)
		return status;
	if (vmx_alloc_regions())
		return ZX_ERR_NO_MEMORY;
	ret = register_reboot_notifier(&vmx_reboot_nb);
	if (ret)
		goto err_reboot;
	atomic_notifier_chain_register(&panic_notifier_list, &vmx_panic_nb);

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "zircon-hv/vmx:online",
				vmx_cpu_online, vmx_cpu_offline);
	if (ret < 0)
		goto err_hp;
	vmx_hp_state = ret;
	return ZX_OK;

err_hp:
	atomic_notifier_chain_unregister(&panic_notifier_list, &vmx_panic_nb);
	unregister_reboot_notifier(&vmx_reboot_nb);
err_reboot:
	vmx_free_regions();
	return ret == -ENOMEM ? ZX_ERR_NO_MEMORY : ZX_ERR_NOT_SUPPORTED;
}

static void vmx_turn_off(void)
{
	lockdep_assert_held(&vmx_mutex);
	cpuhp_remove_state(vmx_hp_state);
	vmx_hp_state = 0;
	atomic_notifier_chain_unregister(&panic_notifier_list, &vmx_panic_nb);
	unregister_reboot_notifier(&vmx_reboot_nb);
	vmx_free_regions();
}

zx_status_t zxhv_vmx_get(void)
{
	zx_status_t status = ZX_OK;

	mutex_lock(&vmx_mutex);
	if (!vmx_users)
		status = vmx_turn_on();
	if (status == ZX_OK)
		vmx_users++;
	mutex_unlock(&vmx_mutex);
	return status;
}

void zxhv_vmx_put(void)
{
	mutex_lock(&vmx_mutex);
	if (!WARN_ON_ONCE(!vmx_users) && !--vmx_users)
		vmx_turn_off();
	mutex_unlock(&vmx_mutex);
}

const struct vmx_ctls *zxhv_vmx_ctls(void)
{
	return &vmx_ctls;
}

u32 zxhv_vmx_revision(void)
{
	return vmx_revision;
}

bool zxhv_vmx_cpu_on(void)
{
	return this_cpu_read(vmx_pcpu.on);
}
