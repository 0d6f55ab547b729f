// SPDX-License-Identifier: GPL-2.0-only
/*
 * The run loop of zx_vcpu_enter (docs/api.md §1), interrupt injection (docs/api.md §4
 * item 5) and the guest FPU (docs/api.md §4 item 9).
 *
 * The VMCS is loaded once, at the start (zxhv_vmx_vcpu_load(): preemption
 * off, the VMCS current on this CPU), and stays loaded through the exit
 * handlers.  The loop puts it only to sleep: a BELL packet to queue on a
 * full port, HLT, a directed yield, or a reschedule; a handler that sleeps
 * puts and reloads it itself (vmexit.c).  Per entry:
 *   1. a pending BELL packet is queued; a pending signal returns
 *      ZX_ERR_INTERNAL_INTR_RETRY (the syscall restarts after the handler);
 *      a kick returns ZX_ERR_CANCELED once; a halted VCPU sleeps until an
 *      interrupt or kick (or signal) arrives; after a PAUSE-loop exit the
 *      host CPU goes to a sibling VCPU's thread that waits for one, if any
 *      (vcpu.c, the directed yield); the scheduler gets its turn;
 *   2. (the VMCS is loaded)
 *   3. an event the last exit interrupted is re-injected, else the highest
 *      pending interrupt (irq_tracker.h) if the guest can take it, else an
 *      interrupt window is requested;
 *   4. on the first entry after a load, kernel_fpu_begin() and the guest's
 *      x87/SSE/AVX state in (zxhv_vmx_vcpu_fpu_load(); it stays in the
 *      registers until the VMCS is put); the guest's XCR0 in, interrupts off,
 *      VMLAUNCH/VMRESUME (vmenter.S), host XCR0 back, interrupts on (a
 *      host interrupt that made the guest exit is taken here: the VM-exit
 *      controls do not acknowledge it, it stays pending in the local APIC);
 *   5. the exit's fields are read and the exit handled, VMCS loaded
 *      (vmexit.c): resume, deliver a packet, or fail.
 *
 * Host state that VM exits clobber: the GDT and IDT limits (0xffff), TR
 * (limit 0x67), and DS, ES, FS, GS and LDTR (loaded with 0) when the
 * thread had others, are put back when the VMCS is put, once per sleep
 * and at the end of enter (vcpu_priv.h), not after each exit.  VMX switches no
 * CR2: the guest's is written right before the entry and read right after
 * the exit, so neither the host's fault addresses nor another guest's CR2
 * reach this guest (issue 16, F2).
 */
#include <linux/bitfield.h>
#include <linux/ktime.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/smp.h>
#include <linux/wait.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
/* smp_send_reschedule() traces the IPI on 6.12: its event comes from here. */
#include <trace/events/ipi.h>
#include <zircon/errors.h>

#include "arch.h"
#include "caps.h"
#include "emulate.h"
#include "exit_qual.h"
#include "irq_tracker.h"
#include "pvclock_vmx.h"
#include "spec.h"
#include "trace.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmexit.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

/* --- the run loop ---------------------------------------------------------------------- */

/* Can the guest take an external interrupt (NMI) now?  VMCS loaded. */
static bool vmx_can_inject(u32 vector)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	if (vector == ZXHV_IRQ_NMI)
		return !(intr & (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS |
				 GUEST_INTR_STATE_STI));
	if (vector < ZXHV_IRQ_FIRST_EXTERNAL)
		return true;
	return (vmcs_readnat(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

static void vmx_set_window(struct zxhv_arch_vcpu *v, u32 control, bool on)
{
	u32 want = on ? v->proc_ctls | control : v->proc_ctls & ~control;

	if (want != v->proc_ctls) {
		v->proc_ctls = want;
		vmcs_write32(CPU_BASED_VM_EXEC_CONTROL, want);
	}
}

static void vmx_set_intr_window(struct zxhv_arch_vcpu *v, bool on)
{
	vmx_set_window(v, CPU_BASED_INTR_WINDOW_EXITING, on);
}

/*
 * Before an entry, VMCS loaded: the event an exit interrupted goes first,
 * then the tracker's next vector if deliverable.  ZX_ERR_NOT_SUPPORTED
 * for a vector in 21..31.
 */
static zx_status_t vmx_inject_pending(struct zxhv_arch_vcpu *v)
{
	u32 vector, info;
	zx_status_t status;
	bool nmi_blocked;

	if (v->reinject_info) {
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, zxhv_vmx_vcpu_entry_info(v->reinject_info));
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, v->reinject_error);
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, v->reinject_len);
		trace_zxhv_inject(v->vpid, v->reinject_info & 0xff, true);
		v->reinject_info = 0;
		return ZX_OK;
	}
	/*
	 * An exception an exit handler injected goes first; the tracker's
	 * vectors wait for the window after it.
	 */
	if (v->entry_event) {
		if (zxhv_irq_pending(&v->irq)) {
			vmx_set_intr_window(v, true);
			vmx_set_window(v, CPU_BASED_NMI_WINDOW_EXITING,
				       zxhv_irq_nmi_pending(&v->irq));
		}
		return ZX_OK;
	}
	/* The usual case, without the tracker's lock: nothing to inject. */
	if (!zxhv_irq_pending(&v->irq)) {
		vmx_set_window(v, CPU_BASED_NMI_WINDOW_EXITING, false);
		vmx_set_intr_window(v, false);
		return ZX_OK;
	}
	/*
	 * An NMI the guest blocks (virtual-NMI blocking until its handler's
	 * IRET, or STI/MOV-SS blocking) waits for the NMI window, and the
	 * other vectors go ahead of it (issue 16, F9).
	 */
	nmi_blocked = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) &
		      (GUEST_INTR_STATE_NMI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_STI);
	status = zxhv_irq_pop_masked(&v->irq, nmi_blocked, &vector);
	vmx_set_window(v, CPU_BASED_NMI_WINDOW_EXITING,
		       nmi_blocked && zxhv_irq_nmi_pending(&v->irq));
	if (status == ZX_ERR_SHOULD_WAIT) {
		vmx_set_intr_window(v, false);
		return ZX_OK;
	}
	if (status != ZX_OK)
		return status;
	if (!vmx_can_inject(vector)) {
		zxhv_irq_raise(&v->irq, vector);
		vmx_set_intr_window(v, true);
		return ZX_OK;
	}
	info = zxhv_vmx_vcpu_entry_info(zxhv_irq_entry_info(vector));
	if (info & ZXHV_INTR_INFO_ERROR_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	if (FIELD_GET(ZXHV_INTR_INFO_TYPE, info) == ZXHV_INTR_TYPE_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, v->zero_len_inject ? 0 : 1);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	trace_zxhv_inject(v->vpid, vector, false);
	zxhv_irq_injected(&v->irq);
	WRITE_ONCE(v->stats.injected, v->stats.injected + 1);
	/* More may be pending: exit again as soon as the guest can take one. */
	vmx_set_intr_window(v, zxhv_irq_pending(&v->irq));
	/* An NMI just injected blocks the next one until the guest's IRET. */
	if (vector == ZXHV_IRQ_NMI)
		vmx_set_window(v, CPU_BASED_NMI_WINDOW_EXITING, zxhv_irq_nmi_pending(&v->irq));
	return ZX_OK;
}

/* An event whose delivery the exit interrupted is delivered again (SDM 28.2.4). */
static void vmx_save_idt_vectoring(struct zxhv_arch_vcpu *v)
{
	u32 info = vmcs_read32(IDT_VECTORING_INFO_FIELD);
	struct exit_intr_info i = exit_intr_info_decode(info);

	if (!i.valid)
		return;
	v->reinject_info = info & ~ZXHV_INTR_INFO_NMI_UNBLOCK;
	v->reinject_error = i.error_code ? vmcs_read32(IDT_VECTORING_ERROR_CODE) : 0;
	v->reinject_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
}

/*
 * The counters of one entry (arch.h); @reason U32_MAX: the entry failed.
 * Guest time is kept in TSC ticks, converted when read (vcpu_api.c).
 */
static void vmx_count_entry(struct zxhv_arch_vcpu *v, u32 reason, u64 ticks)
{
	struct zxhv_arch_vcpu_stats *s = &v->stats;

	WRITE_ONCE(s->entries, s->entries + 1);
	WRITE_ONCE(v->guest_tsc, v->guest_tsc + ticks);
	WRITE_ONCE(s->last_cpu, smp_processor_id());
	if (reason < ZXHV_ARCH_EXIT_REASONS)
		WRITE_ONCE(s->exits[reason], s->exits[reason] + 1);
	else if (reason != U32_MAX)
		WRITE_ONCE(s->exits_other, s->exits_other + 1);
}

/*
 * A machine check that hit the guest (exception bitmap bit 18) or its
 * entry (exit reason 41) goes to the host's handler, still with interrupts
 * off, as if it had interrupted user mode: the guest is not kernel code
 * (issue 16, F4).  A kernel built without machine-check support has no
 * handler: then the exit is only absorbed.
 */
static bool vmx_exit_is_mce(const struct vmx_exit *e)
{
	struct exit_intr_info i = exit_intr_info_decode(e->intr_info);

	if (e->reason == EXIT_REASON_MCE_DURING_VMENTRY)
		return true;
	return e->reason == EXIT_REASON_EXCEPTION_NMI && i.valid &&
	       i.type == ZXHV_INTR_TYPE_HW_EXCEPTION && i.vector == X86_TRAP_MC;
}

static void vmx_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

/*
 * Debug registers (issue 16, F5).  MOV DR exits (vmexit.c), so the guest
 * never reads or writes the host's.  Every VM exit sets DR7 to 0x400 and
 * clears IA32_DEBUGCTL: the host's are put back after it, so perf and
 * ptrace breakpoints, LBR and bus-lock detection survive.  The guest's
 * DR0-DR3 are in the CPU only while its DR7 enables a breakpoint, and the
 * host's go back after the exit.  DR6 is switched on every entry: a #DB
 * the guest takes inside (single step, ICEBP) sets bits in the CPU's DR6
 * whatever its DR7 says, and a host #DB handler would read them as its
 * own (a stray single step).  Interrupts are off.
 */
#define RUN_DR7_FIXED1		0x400ul		/* DR7 after every VM exit */
#define RUN_DR7_ENABLES		0xfful		/* L0-L3, G0-G3 */

struct vmx_host_debug {
	unsigned long dr7, debugctl;
	unsigned long dr[4], dr6;
	bool guest_live;
};

static void vmx_debug_before(struct zxhv_arch_vcpu *v, struct vmx_host_debug *h)
{
	get_debugreg(h->dr7, 7);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
	get_debugreg(h->dr6, 6);
	if (h->dr6 != v->dr6)
		set_debugreg(v->dr6, 6);
	h->guest_live = vmcs_readnat(GUEST_DR7) & RUN_DR7_ENABLES;
	if (!h->guest_live)
		return;
	/* No host breakpoint may fire on the guest's addresses meanwhile. */
	if (h->dr7 & RUN_DR7_ENABLES)
		set_debugreg(RUN_DR7_FIXED1, 7);
	get_debugreg(h->dr[0], 0);
	get_debugreg(h->dr[1], 1);
	get_debugreg(h->dr[2], 2);
	get_debugreg(h->dr[3], 3);
	set_debugreg(v->dr[0], 0);
	set_debugreg(v->dr[1], 1);
	set_debugreg(v->dr[2], 2);
	set_debugreg(v->dr[3], 3);
}

static void vmx_debug_after(struct zxhv_arch_vcpu *v, const struct vmx_host_debug *h)
{
	get_debugreg(v->dr6, 6);
	if (v->dr6 != h->dr6)
		set_debugreg(h->dr6, 6);
	if (h->guest_live) {
		set_debugreg(h->dr[0], 0);
		set_debugreg(h->dr[1], 1);
		set_debugreg(h->dr[2], 2);
		set_debugreg(h->dr[3], 3);
	}
	if (h->dr7 != RUN_DR7_FIXED1)
		set_debugreg(h->dr7, 7);
	if (h->debugctl)
		wrmsrl(MSR_IA32_DEBUGCTLMSR, h->debugctl);
}

/*
 * Interrupts off, just before an entry: whether something arrived that
 * the steps before did not see.  A raise, kick, signal or reschedule
 * pokes this thread with an IPI; one that reached this CPU while
 * interrupts were still on found no guest running and was absorbed.  A
 * pending vector counts when no window is armed for it: the injection
 * step leaves none only when it saw nothing more to inject.
 */
static bool vmx_event_after_look(struct zxhv_arch_vcpu *v)
{
	/* signal_pending() and need_resched() in one load of the flags. */
	if (read_thread_flags() & (_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED))
		return true;
	if (atomic_read(&v->kicked))
		return true;
	if (v->proc_ctls & (CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING))
		return false;
	return zxhv_irq_pending(&v->irq);
}

/*
 * One entry and exit, VMCS loaded.  ZX_OK with *@e filled, or the status
 * of a failed entry.  @l1d_dirty: host code other than the exit handlers
 * ran on this CPU since the last entry (spec.h, the "cond" L1D flush).
 */
static zx_status_t vmx_run_once(struct zxhv_arch_vcpu *v, struct vmx_exit *e, bool l1d_dirty)
{
	u64 host_xcr0 = 0, t0;
	bool swap_xcr0;
	struct vmx_host_debug dbg;
	unsigned int flags;
	int fail;

	if (v->host_cr3 != __read_cr3()) {
		v->host_cr3 = __read_cr3();
		vmcs_writenat(HOST_CR3, v->host_cr3);
	}
	if (v->host_cr4 != cr4_read_shadow()) {
		v->host_cr4 = cr4_read_shadow();
		vmcs_writenat(HOST_CR4, v->host_cr4);
	}

	if (!v->guest_regs_live)
		zxhv_vmx_vcpu_fpu_load(v);
	swap_xcr0 = v->xsave_mask && (vmcs_readnat(GUEST_CR4) & X86_CR4_OSXSAVE);
	zxhv_vmx_vcpu_test_late_event(v);
	local_irq_disable();
	/* The reboot IPI or the crash callback turned VMX off here: stop. */
	if (unlikely(!zxhv_vmx_cpu_on())) {
		local_irq_enable();
		return ZX_ERR_BAD_STATE;
	}
	/*
	 * Such an event would wait for the guest's next exit: an IPI to this
	 * CPU, pending until the entry, makes the guest exit at once (after
	 * delivering whatever this entry injects), and the loop sees it.
	 */
	if (unlikely(vmx_event_after_look(v)))
		smp_send_reschedule(smp_processor_id());
	if (swap_xcr0) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (host_xcr0 != v->xcr0)
			xsetbv(XCR_XFEATURE_ENABLED_MASK, v->xcr0);
	}
	vmx_debug_before(v, &dbg);
	flags = zxhv_vmx_spec_entry(l1d_dirty) | v->lv.launched;
	t0 = rdtsc();
	/* CR2 is the guest's while it runs (nothing below can fault). */
	if (native_read_cr2() != v->cr2)
		native_write_cr2(v->cr2);
	fail = zxhv_vmx_run(v->gprs, flags);
	v->entry_event = false;
	v->cr2 = native_read_cr2();
	vmx_debug_after(v, &dbg);
	if (swap_xcr0 && host_xcr0 != v->xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	t0 = rdtsc() - t0;
	if (!fail) {
		e->full_reason = vmcs_read32(VM_EXIT_REASON);
		e->reason = e->full_reason & 0xffff;
		/*
		 * A VM entry that failed its guest-state or MSR-load checks
		 * (bit 31) leaves the launch state clear (SDM Vol. 3C 31.3,
		 * VMLAUNCH's operation): the next entry is a VMLAUNCH again.
		 */
		if (!(e->full_reason & VMX_EXIT_REASONS_FAILED_VMENTRY))
			v->lv.launched = true;
		e->intr_info = vmcs_read32(VM_EXIT_INTR_INFO);
		/* A host NMI made the guest exit: run the host's handler now. */
		if (e->reason == 0 && exit_intr_info_decode(e->intr_info).type ==
				      ZXHV_INTR_TYPE_NMI)
			asm volatile("int $2");
		if (vmx_exit_is_mce(e))
			vmx_machine_check();
	}
	vmx_count_entry(v, fail ? U32_MAX : e->reason, t0);
	local_irq_enable();

	if (fail) {
		/* An event the entry refused would refuse every later entry too. */
		vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, 0);
		pr_err_ratelimited("VM entry of VCPU %u failed: VM-instruction error %u\n",
				   v->vpid, vmx_insn_error());
		return ZX_ERR_INTERNAL;
	}
	e->qual = vmcs_readnat(EXIT_QUALIFICATION);
	e->insn_len = vmcs_read32(VM_EXIT_INSTRUCTION_LEN);
	e->rip = vmcs_readnat(GUEST_RIP);
	/* Only EPT exits define the guest-physical address (SDM Vol. 3C 28.2.1). */
	if (e->reason == EXIT_REASON_EPT_VIOLATION || e->reason == EXIT_REASON_EPT_MISCONFIG)
		e->gpa = vmcs_read64(GUEST_PHYSICAL_ADDRESS);
	else
		e->gpa = 0;
	vmx_save_idt_vectoring(v);
	return ZX_OK;
}

static bool vmx_halt_ends(struct zxhv_arch_vcpu *v)
{
	return zxhv_irq_pending(&v->irq) || atomic_read(&v->kicked);
}

/* HLT: sleep until an interrupt is pending or a kick or signal arrives. */
static zx_status_t vmx_wait_halted(struct zxhv_arch_vcpu *v)
{
	int ret;

	if (!vmx_halt_ends(v))
		zxhv_vmx_vcpu_wake_nappers(v);
	ret = rcuwait_wait_event(&v->halt_wait, vmx_halt_ends(v), TASK_INTERRUPTIBLE);
	if (ret)
		return ZX_ERR_INTERNAL_INTR_RETRY;
	if (zxhv_irq_pending(&v->irq))
		v->halted = false;
	return ZX_OK;
}

/*
 * A yield after a PAUSE-loop exit that the host scheduler refused (vcpu.c):
 * the spinner sleeps so that the sibling it waits for gets the CPU, until
 * an interrupt or kick for it, a signal, a sibling going to sleep in HLT,
 * or the end of the nap, whose length grows while the same wait goes on
 * (emulate.c).  Entering again then finds the wait over or spins, exits
 * and yields again.
 */
static void vmx_pause_nap(struct zxhv_arch_vcpu *v)
{
	u64 start = ktime_get_ns();

	v->pause_nap_ns = zxhv_emu_pause_nap_ns(v->pause_nap_ns, start - v->pause_nap_end);
	WRITE_ONCE(v->pause_napping, true);
	wait_event_interruptible_hrtimeout(v->wq, vmx_halt_ends(v) || !READ_ONCE(v->pause_napping),
					   ns_to_ktime(v->pause_nap_ns));
	WRITE_ONCE(v->pause_napping, false);
	v->pause_nap_end = ktime_get_ns();
}

/*
 * Step 1 of an entry, VMCS loaded: ZX_OK to enter the guest, or the status
 * enter returns.  Puts the VMCS for whatever sleeps and reloads it after.
 */
static zx_status_t vmx_before_entry(struct zxhv_arch_vcpu *v)
{
	zx_status_t status = ZX_OK;

	for (;;) {
		if (v->bell_trap) {
			zxhv_vmx_vcpu_put(v);
			status = zxhv_vmx_vmexit_deliver_bell(v);
			zxhv_vmx_vcpu_reload(v);
			/* CANCELED: the kick, taken just below. */
			if (status != ZX_OK && status != ZX_ERR_CANCELED)
				return status;
		}
		if (signal_pending(current))
			return ZX_ERR_INTERNAL_INTR_RETRY;
		if (atomic_xchg(&v->kicked, 0))
			return ZX_ERR_CANCELED;
		if (v->halted) {
			zxhv_vmx_vcpu_put(v);
			status = vmx_wait_halted(v);
			zxhv_vmx_vcpu_reload(v);
			if (status != ZX_OK)
				return status;
			continue;
		}
		if (v->pause_exit) {
			struct task_struct *target = zxhv_vmx_vcpu_pause_target(v);

			v->pause_exit = false;
			if (target) {
				zxhv_vmx_vcpu_put(v);
				if (zxhv_vmx_vcpu_pause_yield(target))
					vmx_pause_nap(v);
				zxhv_vmx_vcpu_reload(v);
				continue;
			}
		}
		if (!need_resched())
			return ZX_OK;
		zxhv_vmx_vcpu_put(v);
		cond_resched();
		zxhv_vmx_vcpu_reload(v);
	}
}

zx_status_t zxhv_arch_vcpu_enter(struct zxhv_arch_vcpu *v, zx_port_packet_t *packet)
{
	struct vmx_exit e;
	zx_status_t status;
	bool ran = false;
	/*
	 * The L1D flush (spec.h): always before the first entry (userspace
	 * ran), after a context switch of this thread and after an exit whose
	 * handler walked host memory structures (EPT faults).
	 */
	unsigned long switches = current->nvcsw + current->nivcsw;
	bool l1d_dirty = true;

	zxhv_vmx_vcpu_save_host_segs(v);
	WRITE_ONCE(v->task, current);
	v->pause_exit = false;
	zxhv_vmx_vcpu_load(v);
	/* The thread's FS base and KERNEL_GS_BASE, as exits give them back. */
	vmcs_writenat(HOST_FS_BASE, v->host_segs.fs_base);
	v->msr_host[VMX_MSR_KERNEL_GS_BASE].value = v->host_segs.kernel_gs_base;
	for (;;) {
		status = vmx_before_entry(v);
		if (status != ZX_OK)
			break;
		status = vmx_inject_pending(v);
		if (status != ZX_OK)
			break;
		if (current->nvcsw + current->nivcsw != switches) {
			switches = current->nvcsw + current->nivcsw;
			l1d_dirty = true;
		}
		zxhv_vmx_pvclock_before_entry(v);
		if (trace_zxhv_entry_enabled())
			trace_zxhv_entry(v->vpid, vmcs_readnat(GUEST_RIP));
		status = vmx_run_once(v, &e, l1d_dirty);
		zxhv_vmx_pvclock_after_exit(v);
		ran = true;
		if (status != ZX_OK)
			break;
		memset(packet, 0, sizeof(*packet));
		status = zxhv_vmx_vmexit_handle(v, &e, packet);
		l1d_dirty = zxhv_vmx_vmexit_walked_host_mm(v);
		if (status == ZX_ERR_NEXT) {
			WRITE_ONCE(v->stats.packets, v->stats.packets + 1);
			status = ZX_OK;
			break;
		}
		if (status != ZX_OK)
			break;
	}
	zxhv_vmx_vcpu_put(v);
	WRITE_ONCE(v->task, NULL);
	if (ran)
		zxhv_vmx_spec_leave();
	return status;
}
