/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VMX VCPU (module/arch.h: zxhv_arch_vcpu_*), shared by vcpu.c (life
 * cycle, VMCS set-up, the run loop), vmexit.c (the exit dispatch table and
 * the exits that touch traps, memory and interrupts) and emulate.c (CPUID,
 * control registers, MSRs, XSETBV, VMCALL).
 *
 * Threads.  Only the bound thread (module/vcpu.c checks it) runs
 * zxhv_arch_vcpu_enter() and the state calls, so everything not marked
 * otherwise below is owned by that thread and needs no lock.  Any thread
 * may kick or interrupt: those touch only @irq, @kicked and @wq, and send
 * a reschedule IPI to the bound thread's CPU (kick_process()), which makes
 * a running guest exit (external-interrupt exiting).
 *
 * The VMCS.  It is active (VMPTRLD) on at most one CPU, @cpu.  Exit
 * handlers and the state calls touch it only between vmx_vcpu_load() and
 * vmx_vcpu_unload() (preemption disabled); the run loop loads it once per
 * entry.  When the bound thread moved to another CPU, loading VMCLEARs the
 * VMCS on the old CPU by IPI, VMPTRLDs it here, rewrites the per-CPU host
 * state and invalidates the VPID's translations.
 */
#ifndef ZXHV_VMX_VCPU_PRIV_H
#define ZXHV_VMX_VCPU_PRIV_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

#include "cpuid.h"
#include "irq_tracker.h"
#include "lapic.h"
#include "pvclock.h"
#include "vmx_ops.h"

struct zxhv_guest;
struct zxhv_trap;
struct zxhv_arch_guest;
struct task_struct;

/* An entry of the VM-entry/VM-exit MSR lists (SDM Vol. 3C 25.7.2, 25.8.2). */
struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __aligned(16);

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

/* Guest interruptibility state (SDM Vol. 3C 25.4.2, Table 25-3). */
#define VMX_INTERRUPTIBILITY_STI	BIT(0)
#define VMX_INTERRUPTIBILITY_MOV_SS	BIT(1)
#define VMX_INTERRUPTIBILITY_NMI	BIT(3)

/* The exit being handled, read once after the VM exit (vmexit.c). */
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
	struct zxhv_guest *guest;	/* immutable; outlives the VCPU */
	struct zxhv_arch_guest *ag;	/* guest->arch; immutable */
	u16 vpid;			/* immutable; APIC ID = vpid - 1 */

	/* Guest GPRs for vmenter.S (RSP lives in the VMCS). */
	u64 gprs[VMX_GPR_COUNT];

	struct page *vmcs;		/* immutable */
	u64 vmcs_pa;
	/*
	 * CPU where the VMCS is active, or -1.  Written by the bound thread
	 * with preemption disabled, by the VMCLEAR IPI on that CPU, and read
	 * by zxhv_arch_vcpu_destroy() once nobody else uses the VCPU.
	 */
	int cpu;
	bool launched;			/* VMLAUNCH done since the last VMCLEAR */
	struct list_head cpu_node;	/* in that CPU's list of active VMCSes */

	struct page *msr_bitmap;	/* immutable */
	struct page *vapic;		/* virtual-APIC page (TPR shadow) */
	struct vmx_msr_entry *msr_guest;	/* entry-load / exit-store list */
	struct vmx_msr_entry *msr_host;		/* exit-load list */

	/* Guest XCR0 (XSETBV) and the area holding guest x87/SSE/AVX state. */
	u64 xcr0;
	u64 xsave_mask;			/* components swapped: x87|SSE|AVX & host */
	void *fpu;			/* XSAVE (or FXSAVE) area, 64-byte aligned */
	bool halted;			/* in HLT until an interrupt or kick */
	bool zero_len_inject;		/* IA32_VMX_MISC[30] */
	u32 backstop_ticks;		/* VMX-preemption timer value, 0: none */
	/* An event an exit interrupted, injected again at the next entry. */
	u32 reinject_info, reinject_error, reinject_len;
	/* A BELL write whose packet is not queued yet (its port was full). */
	const struct zxhv_trap *bell_trap;
	u64 bell_addr;
	/* Host CR3/CR4 last written to the VMCS. */
	unsigned long host_cr3, host_cr4;

	struct zxhv_cpuid_ctx cpuid;	/* xsave size follows @xcr0 */
	struct vmx_lapic lapic;
	struct zxhv_pvclock pv;		/* kvmclock (pvclock.c) */

	/* Any thread: */
	struct zxhv_irq_tracker irq;	/* vectors zx_vcpu_interrupt raised */
	atomic_t kicked;		/* sticky; enter turns it into CANCELED */
	wait_queue_head_t wq;		/* HLT waits here */
	/*
	 * The bound thread while it is inside zxhv_arch_vcpu_enter(), else
	 * NULL; read under rcu_read_lock() (a task is freed after an RCU
	 * grace period, and it clears this before it can exit).
	 */
	struct task_struct *task;
};

/*
 * Exit handlers: return ZX_OK to resume the guest, ZX_ERR_NEXT after
 * filling *@pkt (enter returns ZX_OK with it), or the status enter returns.
 * They run preemptible with the VMCS not loaded; they load it (and
 * unload it before sleeping) with vmx_vcpu_load()/vmx_vcpu_unload().
 */
typedef zx_status_t (*vmx_exit_handler)(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
					zx_port_packet_t *pkt);

/* vcpu.c */
void vmx_vcpu_load(struct zxhv_arch_vcpu *v);
void vmx_vcpu_unload(struct zxhv_arch_vcpu *v);
/* Loaded: RIP += the exit's instruction length; clears STI/MOV-SS blocking. */
void vmx_advance_rip(struct zxhv_arch_vcpu *v, const struct vmx_exit *e);
/* Loaded: inject a hardware exception (#GP, #UD ...) with error code 0. */
void vmx_inject_exception(struct zxhv_arch_vcpu *v, u8 vector);
/* A guest failure: one rate-limited line with @what and the key state. */
void vmx_report_guest_failure(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      const char *what);

/*
 * vcpu.c: the state of a zeroed VCPU that zxhv_arch_vcpu_destroy() relies
 * on (not loaded on any CPU, interrupt tracker, wait queue, local APIC
 * timer); zxhv_arch_vcpu_create() and the KUnit suites start from it.
 */
void vmx_vcpu_init_state(struct zxhv_arch_vcpu *v, u16 vpid);

/* vcpu.c, any context: wake the bound thread from HLT or make its guest exit. */
void vmx_vcpu_poke(struct zxhv_arch_vcpu *v);

/* lapic_vmx.c: set-up at create, hrtimer cancelled at destroy. */
void vmx_lapic_init(struct zxhv_arch_vcpu *v);
void vmx_lapic_destroy(struct zxhv_arch_vcpu *v);
/*
 * lapic_vmx.c: RDMSR/WRMSR of an x2APIC register or IA32_TSC_DEADLINE
 * (emulate.c's owner of ZXHV_EMU_MSR_LAPIC); the exit handler's contract,
 * ZX_ERR_NEXT with a GUEST_VCPU packet for an ICR write.
 */
zx_status_t vmx_lapic_msr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			  zx_port_packet_t *pkt, u32 index, bool write, u64 value);

/*
 * vmexit.c: whether the handler of @e walks host memory-management
 * structures (an EPT fault-in): the next entry flushes L1D (spec.h).
 */
bool vmx_exit_walks_host_mm(const struct vmx_exit *e);

/* vmexit.c: the exit with @e->reason, via its table. */
zx_status_t vmx_handle_exit(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt);

/*
 * vmexit.c: queue the pending BELL packet (v->bell_trap), blocking while
 * the trap's packets are all queued.  ZX_OK; ZX_ERR_BAD_STATE when the port
 * has no handles left; ZX_ERR_INTERNAL_INTR_RETRY on a signal (still
 * pending).
 */
zx_status_t vmx_deliver_bell(struct zxhv_arch_vcpu *v);

/*
 * emulate.c: copies [@gpa, @gpa + @len) of guest-physical memory to or from
 * @buf through the guest's address space (mapped with the permission the
 * access needs); 0 or -EFAULT.  Sleeps.
 */
int vmx_guest_rw(struct zxhv_arch_vcpu *v, u64 gpa, void *buf, size_t len, bool write);

/* emulate.c: CPUID (10), MOV CR (28), RDMSR (31), WRMSR (32), VMCALL (18), XSETBV (55). */
zx_status_t vmx_exit_cpuid(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt);
zx_status_t vmx_exit_cr_access(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt);
zx_status_t vmx_exit_rdmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt);
zx_status_t vmx_exit_wrmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt);
zx_status_t vmx_exit_vmcall(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt);
zx_status_t vmx_exit_xsetbv(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt);

#endif /* ZXHV_VMX_VCPU_PRIV_H */
