/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VMX VCPU (module/arch.h: zxhv_arch_vcpu_*): its state, and vcpu.c's
 * helpers that every layer above uses: VMCS load and release, skip the
 * instruction, inject an exception, report a guest failure.
 *
 * Threads.  Only the bound thread (module/vcpu.c checks it) runs
 * zxhv_arch_vcpu_enter() and the state calls, so everything not marked
 * otherwise below is owned by that thread and needs no lock.  Any thread
 * may kick or interrupt: those touch only @irq, @kicked and @wq, and send
 * a reschedule IPI to the bound thread's CPU (kick_process()), which makes
 * a running guest exit (external-interrupt exiting).
 *
 * The VMCS.  It is active (VMPTRLD) on at most one CPU (@lv, vmx_cpu.h).
 * zxhv_vmx_vcpu_load() disables preemption and makes it current on this
 * CPU; zxhv_vmx_vcpu_put() enables preemption again.  One zx_vcpu_enter
 * loads it once and keeps it loaded through the exit handlers; only the
 * paths that sleep put it and load it again (zxhv_vmx_vcpu_reload()).
 * When the bound thread moved to another CPU, loading VMCLEARs the VMCS on
 * the old CPU by IPI, VMPTRLDs it here, rewrites the per-CPU host state
 * and invalidates the VPID's translations.
 *
 * Host state a VM exit leaves behind (the GDT limit, TR's limit, the
 * thread's segment selectors and LDT) matters only to user mode and to
 * other tasks, so it is put back once, when the VMCS is put (before
 * preemption is on again: before a sleep and at the end of enter), not
 * after every exit: in-kernel exits skip that work.  Likewise the guest's
 * FPU state stays in the registers from the first entry to the put
 * (inside kernel_fpu_begin(), so no other kernel code uses them).
 */
#ifndef ZXHV_VMX_VCPU_PRIV_H
#define ZXHV_VMX_VCPU_PRIV_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/rcuwait.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "arch.h"
#include "cpuid.h"
#include "irq_tracker.h"
#include "lapic.h"
#include "pvclock.h"
#include "vmx_compat.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

/* The bound thread's segments, as zx_vcpu_enter found them (vcpu.c). */
struct vmx_host_segs {
	u16 ds, es, fs, gs, ldt;
	unsigned long fs_base, kernel_gs_base;
};

struct zxhv_arch_guest;
struct zxhv_gpas;
struct zxhv_trap;
struct zxhv_trap_map;
struct task_struct;

/*
 * MSRs that the guest reads and writes directly (pass-through in the MSR
 * bitmap) but the VMCS does not switch: the VM-entry MSR-load list loads
 * the guest's values, the VM-exit MSR-store list saves them and the
 * VM-exit MSR-load list restores the host's.  Index order of both lists.
 */
enum vmx_swapped_msr {
	VMX_MSR_STAR,
	VMX_MSR_LSTAR,
	VMX_MSR_FMASK,
	VMX_MSR_KERNEL_GS_BASE,
	VMX_MSR_TSC_AUX,
	VMX_MSR_SWAPPED
};

/* The exit being handled, read once after the VM exit (run.c). */
struct vmx_exit {
	u32 reason;		/* basic exit reason, bits 15:0 */
	u32 full_reason;	/* the whole field (bit 31: entry failure) */
	u64 qual;		/* exit qualification */
	u32 insn_len;		/* VM-exit instruction length */
	u32 intr_info;		/* VM-exit interruption information */
	u64 rip;		/* guest RIP of the exiting instruction */
	u64 gpa;		/* guest-physical address (EPT exits) */
};

/*
 * The local APIC's state beside its register file (lapic_vmx.c).  The
 * bound thread owns all of it; the hrtimer callback reads regs.lvt_timer
 * and @period_ns and clears @deadline.  The bound thread changes
 * @period_ns and @deadline only with the hrtimer cancelled, and
 * regs.lvt_timer with WRITE_ONCE.  A mode change cancels the hrtimer
 * right after the write: a callback running in between sees the new mode
 * with the old, still valid @period_ns, and the cancel undoes whatever it
 * re-armed.
 */
struct vmx_lapic {
	struct zxhv_lapic_regs regs;
	struct hrtimer timer;
	ktime_t start;			/* when the count was last loaded */
	u64 period_ns;			/* of the loaded count, 0: stopped */
	u32 divisor;			/* the DCR's divisor when it was loaded */
	u64 deadline;			/* TSC-deadline armed, 0: none */
};

struct zxhv_arch_vcpu {
	/* The guest's parts; immutable, and they outlive the VCPU. */
	struct zxhv_arch_guest *ag;
	struct zxhv_gpas *gpas;
	struct zxhv_trap_map *traps;
	u16 vpid;			/* immutable; APIC ID = vpid - 1 */

	/* Guest GPRs for vmenter.S (RSP lives in the VMCS). */
	u64 gprs[VMX_GPR_COUNT];

	struct page *vmcs;		/* immutable */
	struct zxhv_vmx_loaded_vmcs lv;	/* where it is active */

	struct page *msr_bitmap;	/* immutable */
	struct page *vapic;		/* virtual-APIC page (TPR shadow) */
	struct vmx_msr_entry *msr_guest;	/* entry-load / exit-store list */
	struct vmx_msr_entry *msr_host;		/* exit-load list */

	/* Guest XCR0 (XSETBV) and the area holding guest x87/SSE/AVX state. */
	u64 xcr0;
	u64 xsave_mask;			/* components swapped: x87|SSE|AVX & host */
	void *fpu;			/* XSAVE (or FXSAVE) area, 64-byte aligned */
	bool halted;			/* in HLT until an interrupt or kick */
	/* A PAUSE-loop exit: yield to a sibling before the next entry (run.c). */
	bool pause_exit;
	u16 yield_last;			/* VPID last yielded to, 0: none yet */
	/*
	 * The nap after a refused yield (run.c): its length and when the
	 * last one ended (ktime ns); @pause_napping while in it, cleared by
	 * a sibling that goes to sleep in HLT (zxhv_vmx_vcpu_wake_nappers())
	 * to end it early.
	 */
	u32 pause_nap_ns;
	u64 pause_nap_end;
	bool pause_napping;
	bool zero_len_inject;		/* IA32_VMX_MISC[30] */
	u32 proc_ctls;			/* the VMCS's primary processor controls */
	u32 backstop_ticks;		/* VMX-preemption timer value, 0: none */
	/* An event an exit interrupted, injected again at the next entry. */
	u32 reinject_info, reinject_error, reinject_len;
	/*
	 * An exit handler wrote the VM-entry event (an exception for the
	 * guest); the injection step leaves it alone.  Cleared by the entry.
	 */
	bool entry_event;
	/* A BELL write whose packet is not queued yet (its port was full). */
	const struct zxhv_trap *bell_trap;
	u64 bell_addr;
	/*
	 * The arena the bound thread waits on for space, for a kick to wake
	 * (it lives as long as the guest); NULL when it does not wait.
	 */
	struct zxhv_port_arena *bell_wait;
	bool walked_host_mm;		/* zxhv_vmx_vmexit_walked_host_mm() */
	unsigned long cr2;		/* the guest's CR2 (run.c) */
	/* The guest's DR0-DR3 and DR6 (MOV DR exits); its DR7 is in the VMCS. */
	unsigned long dr[4], dr6;
	/* Host CR3/CR4 last written to the VMCS. */
	unsigned long host_cr3, host_cr4;
	/* The thread's segments, as the put gives them back. */
	struct vmx_host_segs host_segs;
	/*
	 * Set by the FPU load before the first entry after a VMCS load: the
	 * guest's x87/SSE/AVX state is in the registers and entries may
	 * have changed the host's segments, GDT and IDT limits and TR; the
	 * put saves the one and restores the others (vcpu.c).
	 */
	bool guest_regs_live;

	struct zxhv_cpuid_ctx cpuid;	/* xsave size follows @xcr0 */
	struct vmx_lapic lapic;
	struct zxhv_pvclock pv;		/* kvmclock (pvclock_vmx.c) */
	/*
	 * Counters for observers (arch.h); written with WRITE_ONCE so that
	 * zxhv_arch_vcpu_stats() reads each whole; kicks, state and guest_ns
	 * are filled in by the reader, guest_ns from guest_tsc.
	 */
	struct zxhv_arch_vcpu_stats stats;
	u64 guest_tsc;			/* TSC ticks between entries and exits */

	/* Any thread: */
	struct zxhv_irq_tracker irq;	/* vectors zx_vcpu_interrupt raised */
	atomic_t kicked;		/* sticky; enter turns it into CANCELED */
	atomic64_t kicks;		/* zxhv_arch_vcpu_kick() calls */
	struct rcuwait halt_wait;	/* the bound thread in HLT waits here */
	wait_queue_head_t wq;		/* ... and here in a PAUSE-loop nap */
	/*
	 * The bound thread while it is inside zxhv_arch_vcpu_enter(), else
	 * NULL; read under rcu_read_lock() (a task is freed after an RCU
	 * grace period, and it clears this before it can exit).
	 */
	struct task_struct *task;
	/*
	 * The bound thread, with a reference, whether or not it is inside
	 * enter or still alive; immutable.  Siblings read it through the
	 * guest's @vcpus under RCU (vcpu.c); released, with the VCPU's
	 * memory, after a grace period (vcpu_api.c).
	 */
	struct task_struct *bound;
	struct rcu_head rcu;
};

/*
 * vcpu.c.  zxhv_vmx_vcpu_load() at the start of enter and of the state
 * calls, zxhv_vmx_vcpu_put() at their end; a path that sleeps in between
 * puts the VMCS and takes it back with zxhv_vmx_vcpu_reload().  Both loads
 * count in the debugfs file vmcs_loads (zxhv_arch_debugfs_init()).
 */
void zxhv_vmx_vcpu_load(struct zxhv_arch_vcpu *v);
void zxhv_vmx_vcpu_reload(struct zxhv_arch_vcpu *v);
void zxhv_vmx_vcpu_put(struct zxhv_arch_vcpu *v);
/* The thread's segments into @host_segs, at the start of enter. */
void zxhv_vmx_vcpu_save_host_segs(struct zxhv_arch_vcpu *v);
/*
 * kernel_fpu_begin() and the guest's x87/SSE/AVX state into the registers
 * (run.c, at the first entry after a load), setting @guest_regs_live;
 * zxhv_vmx_vcpu_put() then saves it, calls kernel_fpu_end() and puts the
 * host's segments back.
 */
void zxhv_vmx_vcpu_fpu_load(struct zxhv_arch_vcpu *v);

/* DR6 bits (SDM Vol. 3B 18.2.3), for the #DBs the exit handlers raise. */
#define VMX_DR6_FIXED1		0xfffe0ff0ul	/* reads as 1 */
#define VMX_DR6_VOLATILE	0x0001e00ful	/* B0-B3, BD, BS, BT, RTM */
#define VMX_DR6_HITS		0xful		/* B0-B3 */
#define VMX_DR6_BD		BIT(13)
#define VMX_DR6_BS		BIT(14)
#define VMX_DR6_RTM		BIT(16)		/* 0: inside an RTM region */

/* DR6 as a #DB trap leaves it: B0-B3 replaced, @bits set, RTM as @in_rtm. */
static inline unsigned long zxhv_vmx_dr6_trap(unsigned long dr6, unsigned long bits,
					      bool in_rtm)
{
	return (dr6 & ~(VMX_DR6_HITS | VMX_DR6_RTM)) | bits | (in_rtm ? 0 : VMX_DR6_RTM);
}

/*
 * Loaded: RIP += the exit's instruction length; clears STI/MOV-SS
 * blocking; a guest single-stepping over the instruction gets its #DB.
 */
void zxhv_vmx_vcpu_skip_insn(struct zxhv_arch_vcpu *v, const struct vmx_exit *e);
/*
 * Loaded: VM-entry interruption information @info as the guest's mode
 * allows it (real mode takes no error code; issue 16, F6).
 */
u32 zxhv_vmx_vcpu_entry_info(u32 info);
/*
 * Loaded, from an exit handler: the event the next entry injects (@info
 * as the exit fields give it, passed through zxhv_vmx_vcpu_entry_info();
 * @error and @len written where @info needs them), ahead of the tracker's
 * vectors (entry_event).
 */
void zxhv_vmx_vcpu_inject_event(struct zxhv_arch_vcpu *v, u32 info, u32 error, u32 len);
/* Loaded: inject a hardware exception (#GP, #UD ...) with error code 0 if any. */
void zxhv_vmx_vcpu_inject_exception(struct zxhv_arch_vcpu *v, u8 vector);
/* Loaded: a guest failure, one rate-limited line with @what and the key state. */
void zxhv_vmx_vcpu_report_failure(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  const char *what);

/*
 * The state of a zeroed VCPU that zxhv_arch_vcpu_destroy() relies on (not
 * loaded on any CPU, interrupt tracker, wait queue); the local APIC
 * (lapic_vmx.h) and the KUnit suites start from it.
 */
void zxhv_vmx_vcpu_init_state(struct zxhv_arch_vcpu *v, u16 vpid);

/* Any context: wake the bound thread from HLT or make its guest exit. */
void zxhv_vmx_vcpu_poke(struct zxhv_arch_vcpu *v);

/*
 * Test builds only (ZXHV_TEST_HOOKS, with the KUnit suites): the debugfs
 * file late_event (zxhv_arch_debugfs_init()) arms one event that the next
 * entry of any VCPU makes happen on itself after the injection step has
 * looked and before interrupts go off, where another CPU's raise, kick or
 * signal can land: bit 8 raises the vector in bits 0-7, bit 9 kicks, bit
 * 10 sends SIGUSR1 to the bound thread (selftests/vcpu_irq_test.c).
 */
#ifdef ZXHV_TEST_HOOKS
void zxhv_vmx_vcpu_test_late_event(struct zxhv_arch_vcpu *v);
#else
static inline void zxhv_vmx_vcpu_test_late_event(struct zxhv_arch_vcpu *v)
{
}
#endif

/*
 * Directed yield after a PAUSE-loop exit (the guest spins waiting for
 * another VCPU: a lock holder, an IPI's answer).  zxhv_vmx_vcpu_pause_target()
 * picks a sibling VCPU of the guest whose bound thread is runnable and not
 * on a CPU (inside zx_vcpu_enter or handling a packet in the VMM), and
 * returns that thread with a reference, or
 * NULL (then the VCPU just enters again); any context of the bound
 * thread.  zxhv_vmx_vcpu_pause_yield() gives it the CPU with yield_to()
 * and drops the reference; the VMCS put (it may schedule).  It returns
 * true when the host scheduler refused: it ran this thread again without
 * switching (a sibling far ahead in its share of the CPU), and the caller
 * naps instead.  All count in the debugfs file pause_yields
 * (zxhv_arch_debugfs_init()).  zxhv_vmx_vcpu_wake_nappers(): a VCPU about
 * to sleep in HLT ends its siblings' naps (the CPU it leaves is theirs).
 */
struct task_struct *zxhv_vmx_vcpu_pause_target(struct zxhv_arch_vcpu *v);
bool zxhv_vmx_vcpu_pause_yield(struct task_struct *target);
void zxhv_vmx_vcpu_wake_nappers(struct zxhv_arch_vcpu *v);

#endif /* ZXHV_VMX_VCPU_PRIV_H */
