// SPDX-License-Identifier: GPL-2.0-only
/*
 * A VMX VCPU's VMCS on this CPU, and the helpers every exit handler uses
 * (vcpu_priv.h): load and put, skip the instruction, inject an exception,
 * report a guest failure; waking the bound thread; the directed yield of
 * a PAUSE-loop exit to a sibling VCPU's thread.
 *
 * Loading makes the VMCS current here (vmx_cpu.c tracks where each VMCS is
 * active and VMCLEARs it on its old CPU first); when it moved, the host
 * fields that differ between CPUs are rewritten and the VPID's stale
 * translations flushed.  The loads are counted per CPU for the debugfs
 * file vmcs_loads: all of them, and those that follow a sleep.
 *
 * The directed yield.  A guest that spins in a PAUSE loop waits for
 * another of its VCPUs; when that VCPU's thread waits for a host CPU (the
 * usual case when there are fewer host CPUs than VCPUs) the spinner hands
 * it its own CPU with yield_to() instead of spinning out its time slice.
 * Candidates come from the guest's vcpus (guest_priv.h) under RCU;
 * emulate.c's zxhv_emu_pause_yield_pick() chooses among them, round-robin.
 * The fair scheduler honours a yield_to() only towards a thread not far
 * ahead of the yielder in CPU time; a guest whose lock holder had used
 * more of the CPU than its spinner (a 2-VCPU Linux boot on one host CPU:
 * 21,582 yields, nearly all of them run the spinner again at once) would
 * spin out the difference.  Such a refused yield is seen by the yielder's
 * context-switch counts not moving, and run.c then naps instead.
 */
#include <linux/debugfs.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/msr.h>
#include <asm/segment.h>
#include <asm/trapnr.h>

#include "arch.h"
#include "emulate.h"
#include "exit_qual.h"
#include "guest_priv.h"
#include "irq_tracker.h"
#include "trace.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

/* Loads of a VCPU's VMCS: all, and those after a sleep (reload). */
static DEFINE_PER_CPU(u64, vcpu_loads);
static DEFINE_PER_CPU(u64, vcpu_reloads);
/*
 * PAUSE-loop exits that yielded to a sibling, those that did not, and the
 * naps that followed a refused yield.
 */
static DEFINE_PER_CPU(u64, pause_yields);
static DEFINE_PER_CPU(u64, pause_stays);
static DEFINE_PER_CPU(u64, pause_naps);

static u64 vmx_tss_base(const struct desc_ptr *gdt)
{
	const struct ldttss_desc *tss;

	tss = (const struct ldttss_desc *)(gdt->address + GDT_ENTRY_TSS * 8);
	return tss->base0 | ((u64)tss->base1 << 16) | ((u64)tss->base2 << 24) |
	       ((u64)tss->base3 << 32);
}

/* Host fields that differ between CPUs; the VMCS is current here. */
static void vmx_write_host_cpu_state(struct zxhv_arch_vcpu *v)
{
	struct desc_ptr gdt, idt;
	u64 val;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write16(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_writenat(HOST_TR_BASE, vmx_tss_base(&gdt));
	vmcs_writenat(HOST_GDTR_BASE, gdt.address);
	vmcs_writenat(HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_GS_BASE, val);
	vmcs_writenat(HOST_GS_BASE, val);
	rdmsrl(MSR_IA32_SYSENTER_ESP, val);
	vmcs_writenat(HOST_IA32_SYSENTER_ESP, val);
	rdmsrl(MSR_TSC_AUX, v->msr_host[VMX_MSR_TSC_AUX].value);
}

static void vcpu_load(struct zxhv_arch_vcpu *v)
{
	preempt_disable();
	this_cpu_inc(vcpu_loads);
	if (zxhv_vmx_cpu_vmcs_load(&v->lv)) {
		vmx_write_host_cpu_state(v);
		/* This CPU may hold stale translations of the VPID. */
		VMX_INSN_WARN(vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, v->vpid, 0),
			      "invvpid", v->vpid);
	}
}

void zxhv_vmx_vcpu_load(struct zxhv_arch_vcpu *v)
{
	vcpu_load(v);
}

void zxhv_vmx_vcpu_reload(struct zxhv_arch_vcpu *v)
{
	vcpu_load(v);
	this_cpu_inc(vcpu_reloads);
}

void zxhv_vmx_vcpu_save_host_segs(struct zxhv_arch_vcpu *v)
{
	struct vmx_host_segs *h = &v->host_segs;

	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	asm volatile("sldt %0" : "=g"(h->ldt));
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
}

/*
 * What VM exits changed, put back (vcpu_priv.h): the GDT's limit (exits
 * set 0xffff), the IDT's likewise, TR's limit (0x67: the I/O bitmap cut
 * off; the kernel reloads TR before a task that uses one runs, or now if
 * this thread does), and the selectors and LDT the VMCS's host fields
 * zero.  FS base, GS base and KERNEL_GS_BASE come back with the exit.
 * Preemption is still off: the CPU is the one the exits happened on.
 */
static void vcpu_host_segs_back(struct zxhv_arch_vcpu *v)
{
	const struct vmx_host_segs *h = &v->host_segs;
	struct desc_ptr idt;

	load_fixmap_gdt(smp_processor_id());
	store_idt(&idt);
	idt.size = IDT_ENTRIES * sizeof(gate_desc) - 1;
	native_load_idt(&idt);
	invalidate_tss_limit();
	if (h->ldt)
		asm volatile("lldt %0" : : "rm"(h->ldt));
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->gs) {
		load_gs_index(h->gs);
		wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	}
}

static void vcpu_xsave_guest(struct zxhv_arch_vcpu *v)
{
	u32 lo = v->xsave_mask, hi = v->xsave_mask >> 32;

	if (v->xsave_mask)
		asm volatile("xsave64 %[area]" : [area] "=m"(*(u8 (*)[PAGE_SIZE])v->fpu)
			     : "a"(lo), "d"(hi) : "memory");
	else
		asm volatile("fxsave64 %[area]" : [area] "=m"(*(u8 (*)[512])v->fpu));
}

void zxhv_vmx_vcpu_fpu_load(struct zxhv_arch_vcpu *v)
{
	u32 lo = v->xsave_mask, hi = v->xsave_mask >> 32;

	kernel_fpu_begin();
	if (v->xsave_mask)
		asm volatile("xrstor64 %[area]" : : [area] "m"(*(u8 (*)[PAGE_SIZE])v->fpu),
			     "a"(lo), "d"(hi) : "memory");
	else
		asm volatile("fxrstor64 %[area]" : : [area] "m"(*(u8 (*)[512])v->fpu));
	v->guest_regs_live = true;
}

static void vcpu_fpu_put(struct zxhv_arch_vcpu *v)
{
	vcpu_xsave_guest(v);
	kernel_fpu_end();
}

void zxhv_vmx_vcpu_put(struct zxhv_arch_vcpu *v)
{
	if (v->guest_regs_live) {
		vcpu_fpu_put(v);
		vcpu_host_segs_back(v);
		v->guest_regs_live = false;
	}
	preempt_enable();
}

/*
 * The instruction was emulated, so the CPU raised none of the #DB traps it
 * would have after it.  The single-step one (RFLAGS.TF, SDM Vol. 3B
 * 18.3.1.4; DEBUGCTL.BTF, which would limit it to branches, stays 0: a
 * guest's WRMSR to IA32_DEBUGCTL takes #GP) is raised here: DR6.BS with
 * B0-B3 cleared, injected ahead of the tracker's vectors, as a trap goes
 * before an external interrupt (SDM Vol. 3A 6.9).
 */
void zxhv_vmx_vcpu_skip_insn(struct zxhv_arch_vcpu *v, const struct vmx_exit *e)
{
	u32 intr = vmcs_read32(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_writenat(GUEST_RIP, e->rip + e->insn_len);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
	if (unlikely(vmcs_readnat(GUEST_RFLAGS) & X86_EFLAGS_TF)) {
		v->dr6 = zxhv_vmx_dr6_trap(v->dr6, VMX_DR6_BS, false);
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_DB);
	}
}

u32 zxhv_vmx_vcpu_entry_info(u32 info)
{
	/* SDM Vol. 3C 27.2.1.3: no error code while the guest's CR0.PE is 0. */
	if (!(vmcs_readnat(GUEST_CR0) & X86_CR0_PE))
		info &= ~ZXHV_INTR_INFO_ERROR_CODE;
	return info;
}

void zxhv_vmx_vcpu_inject_event(struct zxhv_arch_vcpu *v, u32 info, u32 error, u32 len)
{
	info = zxhv_vmx_vcpu_entry_info(info);
	if (info & ZXHV_INTR_INFO_ERROR_CODE)
		vmcs_write32(VM_ENTRY_EXCEPTION_ERROR_CODE, error);
	if (FIELD_GET(ZXHV_INTR_INFO_TYPE, info) == ZXHV_INTR_TYPE_PRIV_SW_EXCEPTION)
		vmcs_write32(VM_ENTRY_INSTRUCTION_LEN, len);
	vmcs_write32(VM_ENTRY_INTR_INFO_FIELD, info);
	v->entry_event = true;
	trace_zxhv_inject(v->vpid, FIELD_GET(ZXHV_INTR_INFO_VECTOR, info), false);
}

void zxhv_vmx_vcpu_inject_exception(struct zxhv_arch_vcpu *v, u8 vector)
{
	zxhv_vmx_vcpu_inject_event(v, zxhv_irq_entry_info(vector), 0, 0);
}

void zxhv_vmx_vcpu_report_failure(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  const char *what)
{
	static DEFINE_RATELIMIT_STATE(rs, 5 * HZ, 10);

	trace_zxhv_guest_fail(v->vpid, e->full_reason, e->qual, e->rip);
	if (!__ratelimit(&rs))
		return;
	pr_warn("guest VCPU %u (pid %d) failed: %s (exit reason %u, qualification %#llx) rip %#llx rsp %#lx rflags %#lx cr0 %#lx cr3 %#lx cr4 %#lx efer %#llx cs.ar %#x interruptibility %#x\n",
		v->vpid, task_pid_nr(current), what, e->full_reason, e->qual, e->rip,
		vmcs_readnat(GUEST_RSP), vmcs_readnat(GUEST_RFLAGS),
		vmcs_readnat(GUEST_CR0), vmcs_readnat(GUEST_CR3),
		vmcs_readnat(GUEST_CR4), vmcs_read64(GUEST_IA32_EFER),
		vmcs_read32(GUEST_CS_AR_BYTES),
		vmcs_read32(GUEST_INTERRUPTIBILITY_INFO));
}

void zxhv_vmx_vcpu_init_state(struct zxhv_arch_vcpu *v, u16 vpid)
{
	v->vpid = vpid;
	zxhv_vmx_cpu_vmcs_init(&v->lv, 0);
	zxhv_irq_init(&v->irq);
	rcuwait_init(&v->halt_wait);
	init_waitqueue_head(&v->wq);
}

/*
 * Make the bound thread notice: wake it from HLT or a nap, or make its
 * guest exit.  The HLT wait is an rcuwait (one waiter, no wait-queue lock
 * on either side); a thread it woke was asleep, so no guest of it runs and
 * it needs no kick.  Both wakes order the caller's raise before their look
 * at the waiter (full barriers), as the waiter arms before its check.
 */
void zxhv_vmx_vcpu_poke(struct zxhv_arch_vcpu *v)
{
	struct task_struct *task;

	if (rcuwait_wake_up(&v->halt_wait))
		return;
	if (wq_has_sleeper(&v->wq))
		wake_up(&v->wq);
	rcu_read_lock();
	task = READ_ONCE(v->task);
	if (task)
		kick_process(task);
	rcu_read_unlock();
}

/* Runnable and not on a CPU: it waits for one (yield_to() checks again). */
static bool pause_task_waits(struct task_struct *t)
{
	if (!task_is_running(t))
		return false;
#ifdef CONFIG_SMP
	return !READ_ONCE(t->on_cpu);
#else
	return true;	/* the caller is the one task on the one CPU */
#endif
}

struct task_struct *zxhv_vmx_vcpu_pause_target(struct zxhv_arch_vcpu *v)
{
	struct zxhv_arch_vcpu __rcu **vcpus = v->ag->vcpus;
	struct task_struct *t = NULL;
	struct zxhv_arch_vcpu *s;
	u64 ready = 0;
	u16 vpid;

	rcu_read_lock();
	for (vpid = 1; vpid < ZXHV_VMX_GUEST_VPIDS; vpid++) {
		s = rcu_dereference(vcpus[vpid]);
		if (s && s != v && pause_task_waits(s->bound))
			ready |= BIT_ULL(vpid);
	}
	vpid = zxhv_emu_pause_yield_pick(ready, v->vpid, v->yield_last);
	s = vpid ? rcu_dereference(vcpus[vpid]) : NULL;
	if (s) {
		t = get_task_struct(s->bound);
		v->yield_last = vpid;
	}
	rcu_read_unlock();
	if (!t)
		this_cpu_inc(pause_stays);
	return t;
}

bool zxhv_vmx_vcpu_pause_yield(struct task_struct *target)
{
	unsigned long switches = current->nvcsw + current->nivcsw;
	int ret = yield_to(target, true);

	put_task_struct(target);
	if (ret <= 0) {
		this_cpu_inc(pause_stays);
		return false;
	}
	this_cpu_inc(pause_yields);
	if (current->nvcsw + current->nivcsw != switches)
		return false;
	this_cpu_inc(pause_naps);	/* refused: the caller naps */
	return true;
}

void zxhv_vmx_vcpu_wake_nappers(struct zxhv_arch_vcpu *v)
{
	struct zxhv_arch_vcpu __rcu **vcpus = v->ag->vcpus;
	struct zxhv_arch_vcpu *s;
	u16 vpid;

	rcu_read_lock();
	for (vpid = 1; vpid < ZXHV_VMX_GUEST_VPIDS; vpid++) {
		s = rcu_dereference(vcpus[vpid]);
		if (s && s != v && READ_ONCE(s->pause_napping)) {
			WRITE_ONCE(s->pause_napping, false);
			wake_up_interruptible(&s->wq);
		}
	}
	rcu_read_unlock();
}

static u64 percpu_sum(u64 __percpu *c)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += *per_cpu_ptr(c, cpu);
	return n;
}

/* "NAME1 N1\nNAME2 N2\n": two per-CPU counters summed over the CPUs. */
static void show_pair(struct seq_file *m, const char *name1, u64 __percpu *c1,
		      const char *name2, u64 __percpu *c2)
{
	seq_printf(m, "%s %llu\n%s %llu\n", name1, percpu_sum(c1), name2, percpu_sum(c2));
}

static int vmcs_loads_show(struct seq_file *m, void *unused)
{
	show_pair(m, "loads", &vcpu_loads, "after_sleep", &vcpu_reloads);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmcs_loads);

static int pause_yields_show(struct seq_file *m, void *unused)
{
	show_pair(m, "yielded", &pause_yields, "stayed", &pause_stays);
	seq_printf(m, "napped %llu\n", percpu_sum(&pause_naps));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pause_yields);

#ifdef ZXHV_TEST_HOOKS
#define LATE_RAISE	BIT(8)
#define LATE_KICK	BIT(9)
#define LATE_SIGNAL	BIT(10)
static u32 late_event;

void zxhv_vmx_vcpu_test_late_event(struct zxhv_arch_vcpu *v)
{
	u32 what = xchg(&late_event, 0);

	if (what & LATE_RAISE)
		zxhv_irq_raise(&v->irq, what & 0xff);
	if (what & LATE_KICK)
		atomic_set(&v->kicked, 1);
	if (what & LATE_SIGNAL)
		send_sig(SIGUSR1, current, 0);
}
#endif

void zxhv_arch_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("vmcs_loads", 0444, dir, NULL, &vmcs_loads_fops);
	debugfs_create_file("pause_yields", 0444, dir, NULL, &pause_yields_fops);
#ifdef ZXHV_TEST_HOOKS
	debugfs_create_x32("late_event", 0600, dir, &late_event);
#endif
}
