// SPDX-License-Identifier: GPL-2.0-only
/*
 * VMX ownership (docs/api.md §4 item 1; Intel SDM Vol. 3C 24.7 "Enabling and
 * entering VMX operation", 24.8 "Restrictions on VMX operation").
 *
 * A mutex-protected reference count.  The first zxhv_vmx_cpu_get():
 *   1. reads the capability MSRs of the current CPU and computes the
 *      control values (caps.c); the CPU must have VMX;
 *   2. allocates one VMXON region per possible CPU;
 *   3. registers a reboot notifier and a panic notifier;
 *   4. installs a dynamic CPU hotplug state whose online callback turns VMX
 *      on for its CPU and whose offline callback turns it off.  Installing
 *      it runs the online callback on every online CPU; if one fails, the
 *      hotplug core runs the offline callback on the CPUs that succeeded
 *      and we undo 1-3 and return ZX_ERR_NOT_SUPPORTED.
 * The last zxhv_vmx_cpu_put() removes the hotplug state (VMXOFF on every online
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
 *    IPI; zxhv_vmx_cpu_get() refuses afterwards;
 *  - panic: the panic notifier turns VMX off on the panicking CPU (the
 *    others were stopped by NMI or IPI and went through the crash callback
 *    below, where the kernel offers one);
 *  - crash kexec (kdump), emergency reboot, panic's CPU stop: the kernel
 *    calls one "emergency virtualization" callback on every CPU it stops
 *    (crash NMI shootdown, smp_stop_nmi_callback, smp_reboot_interrupt)
 *    and on the CPU that crashes (native_machine_crash_shutdown), with
 *    interrupts off, possibly in NMI context, before the kdump kernel
 *    starts.  Ours, zxhv_vmx_cpu_emergency_disable_local(), VMCLEARs every
 *    VMCS active on the CPU (its data reaches memory, for the dump) and
 *    then does VMXOFF (VMX operation blocks INIT, which the kdump kernel
 *    needs to start the other CPUs).  What each kernel offers:
 *      Debian's 6.1.192 and 6.12.117 (read in their sources):
 *      cpu_emergency_register_virt_callback(), EXPORT_SYMBOL_GPL, one slot,
 *      called by crash.c, reboot.c and smp.c as above.  We take it while
 *      VMX is on.  On 6.12 it is only declared with CONFIG_KVM_X86 (else an
 *      empty inline, and nothing is called on a crash): without it crash
 *      kexec is not covered, and turning VMX on says so in dmesg.
 *      Older 6.1.y (before that backport of the upstream 6.4 interface)
 *      instead call cpu_emergency_vmxoff() (VMXOFF if CR4.VMXE is set, so
 *      our CPUs too) and crash_vmclear_loaded_vmcss, a pointer kvm-intel
 *      sets; this build does not use that pointer (no such tree was at
 *      hand to test against), so there our VMCSes get no VMCLEAR.
 *    The slot holds one callback and registering over another only WARNs.
 *    On 6.1 kvm-intel fills it when it loads: while KVM is loaded (kvm.ko's
 *    export resolves; kvm-intel exports nothing) we do not register, and
 *    kvm-intel's callback does VMXOFF on every CPU whose CR4.VMXE is set,
 *    ours included, but no VMCLEAR of our VMCSes;
 *    loading kvm_intel while zircon-hv has VMX on makes reboot.c WARN once
 *    and leaves ours in place.  On 6.12 KVM fills it only while it has VMX
 *    on itself, which excludes us (CR4.VMXE), so we always register; KVM
 *    turning VMX on while we hold it WARNs once in reboot.c and then
 *    fails, as it would anyway on our CR4.VMXE.
 *    The build selects the call by whether asm/reboot.h declares it
 *    (ZXHV_HAVE_EMERGENCY_VIRT_CB), and the KVM check by whether
 *    linux/kvm_host.h has kvm_arch_enable_virtualization()
 *    (ZXHV_KVM_REGISTERS_ON_ENABLE): both in Kbuild.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/panic_notifier.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <zircon/errors.h>

#include "arch.h"
#include "caps.h"
#include "spec.h"
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

	zxhv_vmx_caps_read(&caps);
	if (zxhv_vmx_caps_compute_ctls(&caps, &ctls, why))
		return -ENXIO;		/* *why names a missing feature */
	if (memcmp(&ctls, &vmx_ctls, sizeof(ctls)) ||
	    vmx_basic_vmcs_revision_id(caps.basic) != vmx_revision) {
		*why = "VMX capabilities differ from the first CPU's";
		return -EOPNOTSUPP;
	}
	if (zxhv_vmx_caps_check_cr(&caps, read_cr0(), cr4 | X86_CR4_VMXE, why))
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
	st = vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	VMX_INSN_WARN(st, "invept all-context", 0);
	return 0;
}

/* --- where each VMCS is active ------------------------------------------------- */

/* The VMCSes active on each CPU, and the one current there (or NULL). */
static DEFINE_PER_CPU(struct list_head, vmx_active_vmcs);
static DEFINE_PER_CPU(bool, vmx_active_init);
static DEFINE_PER_CPU(struct zxhv_vmx_loaded_vmcs *, vmx_current_vmcs);

void zxhv_vmx_cpu_vmcs_init(struct zxhv_vmx_loaded_vmcs *lv, u64 pa)
{
	lv->pa = pa;
	lv->cpu = -1;
	lv->launched = false;
	INIT_LIST_HEAD(&lv->node);
}

/* On the CPU where @lv is active, interrupts off: VMCLEAR it. */
static void vmx_vmcs_clear_local(struct zxhv_vmx_loaded_vmcs *lv)
{
	lockdep_assert_irqs_disabled();
	if (READ_ONCE(lv->cpu) != smp_processor_id())
		return;
	VMX_INSN_WARN(vmx_vmclear(lv->pa), "vmclear", lv->pa);
	if (this_cpu_read(vmx_current_vmcs) == lv)
		this_cpu_write(vmx_current_vmcs, NULL);
	list_del_init(&lv->node);
	lv->launched = false;
	WRITE_ONCE(lv->cpu, -1);
}

static void vmx_vmcs_clear_ipi(void *arg)
{
	vmx_vmcs_clear_local(arg);
}

void zxhv_vmx_cpu_vmcs_clear(struct zxhv_vmx_loaded_vmcs *lv)
{
	int cpu = READ_ONCE(lv->cpu);

	/* A CPU that went offline cleared its VMCSes (below). */
	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_vmcs_clear_ipi, lv, 1);
}

/* VMCLEAR every VMCS active on this CPU, before VMXOFF.  Interrupts off. */
static void vmx_vmcs_clear_all_local(void)
{
	struct zxhv_vmx_loaded_vmcs *lv, *tmp;

	lockdep_assert_irqs_disabled();
	if (!this_cpu_read(vmx_active_init))
		return;
	list_for_each_entry_safe(lv, tmp, this_cpu_ptr(&vmx_active_vmcs), node)
		vmx_vmcs_clear_local(lv);
}

bool zxhv_vmx_cpu_vmcs_load(struct zxhv_vmx_loaded_vmcs *lv)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	lockdep_assert_preemption_disabled();
	if (READ_ONCE(lv->cpu) == cpu) {
		if (this_cpu_read(vmx_current_vmcs) != lv) {
			VMX_INSN_WARN(vmx_vmptrld(lv->pa), "vmptrld", lv->pa);
			this_cpu_write(vmx_current_vmcs, lv);
		}
		return false;
	}
	/* Active elsewhere: clear it there first (SDM 25.11.1). */
	zxhv_vmx_cpu_vmcs_clear(lv);
	if (!this_cpu_read(vmx_active_init)) {
		INIT_LIST_HEAD(this_cpu_ptr(&vmx_active_vmcs));
		this_cpu_write(vmx_active_init, true);
	}
	VMX_INSN_WARN(vmx_vmptrld(lv->pa), "vmptrld", lv->pa);
	this_cpu_write(vmx_current_vmcs, lv);
	local_irq_save(flags);
	list_add(&lv->node, this_cpu_ptr(&vmx_active_vmcs));
	WRITE_ONCE(lv->cpu, cpu);
	local_irq_restore(flags);
	lv->launched = false;
	return true;
}

static void vmx_invept_one(void *arg)
{
	u64 eptp = *(u64 *)arg;

	/* A CPU not (yet) in VMX operation flushes everything at VMXON. */
	if (zxhv_vmx_cpu_on())
		VMX_INSN_WARN(vmx_invept(VMX_EPT_EXTENT_CONTEXT, eptp),
			      "invept single-context", eptp);
}

void zxhv_vmx_cpu_invept_all(u64 eptp)
{
	on_each_cpu(vmx_invept_one, &eptp, 1);
}

/* --- VMX on and off ------------------------------------------------------------ */

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
	vmx_vmcs_clear_all_local();
	vmx_cpu_disable_local(false);
	local_irq_restore(flags);
	return 0;
}

static void vmx_cpu_disable_ipi(void *unused)
{
	vmx_vmcs_clear_all_local();
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

/*
 * The kernel's emergency callback (see the top): interrupts off, maybe in
 * NMI context, on a CPU that will not run the VCPU loop again.  No locks.
 */
void zxhv_vmx_cpu_emergency_disable_local(void)
{
	if (!this_cpu_read(vmx_pcpu.on))
		return;
	vmx_vmcs_clear_all_local();
	vmx_cpu_disable_local(true);
}

#if defined(ZXHV_HAVE_EMERGENCY_VIRT_CB) && \
	(!defined(ZXHV_EMERGENCY_CB_NEEDS_KVM_X86) || IS_ENABLED(CONFIG_KVM_X86))
static bool vmx_emergency_registered;	/* vmx_mutex */

/*
 * 6.1: may kvm-intel hold the slot?  kvm-intel exports nothing to look
 * for, and cannot load without kvm.ko: kvm.ko's export kvm_rebooting
 * resolving means KVM is loaded (kvm.ko alone on an Intel host costs us
 * the registration; dmesg says so).  Where KVM registers only while it has
 * VMX on itself (ZXHV_KVM_REGISTERS_ON_ENABLE, 6.12) it cannot hold it.
 */
static bool vmx_kvm_may_hold_slot(void)
{
#ifdef ZXHV_KVM_REGISTERS_ON_ENABLE
	return false;
#else
	if (!__symbol_get("kvm_rebooting"))
		return false;
	__symbol_put("kvm_rebooting");
	return true;
#endif
}

static void vmx_emergency_register(void)
{
	if (vmx_kvm_may_hold_slot()) {
		pr_info("KVM is loaded and holds the crash callback: on a crash it turns VMX off, our VMCSes get no VMCLEAR\n");
		return;
	}
	cpu_emergency_register_virt_callback(zxhv_vmx_cpu_emergency_disable_local);
	vmx_emergency_registered = true;
}

static void vmx_emergency_unregister(void)
{
	if (vmx_emergency_registered)
		cpu_emergency_unregister_virt_callback(zxhv_vmx_cpu_emergency_disable_local);
	vmx_emergency_registered = false;
}

bool zxhv_vmx_cpu_emergency_cb_registered(void)
{
	return READ_ONCE(vmx_emergency_registered);
}
#else
static void vmx_emergency_register(void)
{
	pr_info_once("this kernel offers modules no crash callback: crash kexec leaves VMX on\n");
}

static void vmx_emergency_unregister(void)
{
}

bool zxhv_vmx_cpu_emergency_cb_registered(void)
{
	return false;
}
#endif

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
		zxhv_vmx_caps_read(&caps);
		ret = zxhv_vmx_caps_compute_ctls(&caps, &vmx_ctls, &missing);
		vmx_revision = vmx_basic_vmcs_revision_id(caps.basic);
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
	ret = zxhv_vmx_spec_setup();
	if (ret)
		goto err_spec;
	ret = register_reboot_notifier(&vmx_reboot_nb);
	if (ret)
		goto err_reboot;
	atomic_notifier_chain_register(&panic_notifier_list, &vmx_panic_nb);

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "zircon-hv/vmx:online",
				vmx_cpu_online, vmx_cpu_offline);
	if (ret < 0)
		goto err_hp;
	vmx_hp_state = ret;
	vmx_emergency_register();
	return ZX_OK;

err_hp:
	atomic_notifier_chain_unregister(&panic_notifier_list, &vmx_panic_nb);
	unregister_reboot_notifier(&vmx_reboot_nb);
err_reboot:
	zxhv_vmx_spec_teardown();
err_spec:
	vmx_free_regions();
	return ret == -ENOMEM ? ZX_ERR_NO_MEMORY : ZX_ERR_NOT_SUPPORTED;
}

static void vmx_turn_off(void)
{
	lockdep_assert_held(&vmx_mutex);
	vmx_emergency_unregister();
	cpuhp_remove_state(vmx_hp_state);
	vmx_hp_state = 0;
	atomic_notifier_chain_unregister(&panic_notifier_list, &vmx_panic_nb);
	unregister_reboot_notifier(&vmx_reboot_nb);
	zxhv_vmx_spec_teardown();
	vmx_free_regions();
}

zx_status_t zxhv_vmx_cpu_get(void)
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

void zxhv_vmx_cpu_put(void)
{
	mutex_lock(&vmx_mutex);
	if (!WARN_ON_ONCE(!vmx_users) && !--vmx_users)
		vmx_turn_off();
	mutex_unlock(&vmx_mutex);
}

const struct vmx_ctls *zxhv_vmx_cpu_ctls(void)
{
	return &vmx_ctls;
}

u32 zxhv_vmx_cpu_revision(void)
{
	return vmx_revision;
}

bool zxhv_vmx_cpu_on(void)
{
	return this_cpu_read(vmx_pcpu.on);
}
