/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Speculative-execution hardening of VM entry and exit (docs/api.md §4 item 10).
 *
 * The choice is a pure function, zxhv_vmx_spec_choose(), of what the host
 * kernel decided at boot (its CPU feature and bug bits, the mitigations=,
 * l1tf= and KVM's vmentry_l1d_flush settings as they show in those bits and
 * in l1tf_mitigation / l1tf_vmx_mitigation), so zircon-hv guests get what
 * KVM guests get on the same host:
 *
 *  - mitigations=off: nothing at all.
 *  - L1TF: a CPU with X86_BUG_L1TF whose IA32_ARCH_CAPABILITIES does not say
 *    SKIP_VMENTRY_L1DFLUSH, with l1tf= not "off" and l1tf_vmx_mitigation not
 *    "never"/"not required"/"EPT disabled", flushes L1D before every entry:
 *    IA32_FLUSH_CMD when the CPU has X86_FEATURE_FLUSH_L1D, else by reading
 *    64 KiB of our own memory.  As KVM's default ("cond": l1tf=flush,
 *    vmentry_l1d_flush=cond, or AUTO with l1tf=flush*), the flush is then
 *    skipped on an entry that follows only the in-kernel exit handlers:
 *    it runs on the first entry of each zx_vcpu_enter (userspace ran), after
 *    the thread was switched out (HLT, preemption, migration) and after a
 *    host interrupt on this CPU (the per-CPU flag the kernel's interrupt
 *    entry sets for KVM; without CONFIG_KVM_INTEL there is no such flag and
 *    every entry flushes).  "always" (l1tf=full, vmentry_l1d_flush=always)
 *    flushes before every entry.
 *  - MDS/TAA/RFDS (and other VERW-based mitigations): VERW right before
 *    VMLAUNCH/VMRESUME when the host clears CPU buffers (X86_FEATURE_
 *    CLEAR_CPU_BUF or _VM), unless the MSR L1D flush runs on that entry: on
 *    CPUs with MD_CLEAR microcode it also overwrites those buffers.
 *  - RSB: 32 entries stuffed before the first RET after a VM exit when the
 *    host has X86_FEATURE_RSB_VMEXIT, one CALL retired (PBRSB) when it has
 *    X86_FEATURE_RSB_VMEXIT_LITE.
 *  - IBPB when zx_vcpu_enter returns to userspace, if the CPU has IBPB and
 *    the host mitigates VMSCAPE (X86_FEATURE_IBPB_EXIT_TO_USER or
 *    X86_FEATURE_IBPB_ON_VMEXIT): the guest must not steer the indirect
 *    branches of the process that runs it.
 */
#ifndef ZXHV_VMX_SPEC_H
#define ZXHV_VMX_SPEC_H

/* Flags of zxhv_vmx_run() (vmenter.S), as bit numbers for BT. */
#define ZXHV_RUN_RESUME_BIT	0	/* VMRESUME, else VMLAUNCH */
#define ZXHV_RUN_L1D_MSR_BIT	1	/* IA32_FLUSH_CMD.L1D_FLUSH before entry */
#define ZXHV_RUN_VERW_BIT	2	/* VERW right before entry */
#define ZXHV_RUN_RSB_FULL_BIT	3	/* stuff the RSB after exit */
#define ZXHV_RUN_RSB_ONE_BIT	4	/* retire one CALL after exit */
/* Not seen by vmenter.S: */
#define ZXHV_SPEC_L1D_SW_BIT	5	/* software L1D flush (C, before entry) */
#define ZXHV_SPEC_IBPB_BIT	6	/* IBPB when enter returns */
#define ZXHV_SPEC_L1D_COND_BIT	7	/* flush L1D only when host code ran */

#ifndef __ASSEMBLY__
#include <linux/bits.h>
#include <linux/types.h>
#include <asm/processor.h>
#include <asm/vmx.h>

#define ZXHV_RUN_RESUME		BIT(ZXHV_RUN_RESUME_BIT)
#define ZXHV_RUN_L1D_MSR	BIT(ZXHV_RUN_L1D_MSR_BIT)
#define ZXHV_RUN_VERW		BIT(ZXHV_RUN_VERW_BIT)
#define ZXHV_RUN_RSB_FULL	BIT(ZXHV_RUN_RSB_FULL_BIT)
#define ZXHV_RUN_RSB_ONE	BIT(ZXHV_RUN_RSB_ONE_BIT)
#define ZXHV_SPEC_L1D_SW	BIT(ZXHV_SPEC_L1D_SW_BIT)
#define ZXHV_SPEC_IBPB		BIT(ZXHV_SPEC_IBPB_BIT)
#define ZXHV_SPEC_L1D_COND	BIT(ZXHV_SPEC_L1D_COND_BIT)
#define ZXHV_RUN_SPEC_MASK	(ZXHV_RUN_L1D_MSR | ZXHV_RUN_VERW | \
				 ZXHV_RUN_RSB_FULL | ZXHV_RUN_RSB_ONE)

/* What the host kernel decided; zxhv_vmx_spec_read_host() fills it. */
struct vmx_spec_host {
	bool mitigations_off;		/* cpu_mitigations_off() */
	bool bug_l1tf;			/* X86_BUG_L1TF */
	bool flush_l1d;			/* X86_FEATURE_FLUSH_L1D */
	bool skip_l1dflush;		/* ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH */
	enum l1tf_mitigations l1tf;	/* l1tf= */
	/* KVM's vmentry_l1d_flush (l1tf_vmx_mitigation), or AUTO */
	enum vmx_l1d_flush_state l1tf_vmx;
	bool clear_cpu_buf;		/* X86_FEATURE_CLEAR_CPU_BUF */
	bool clear_cpu_buf_vm;		/* X86_FEATURE_CLEAR_CPU_BUF_VM */
	bool rsb_vmexit;		/* X86_FEATURE_RSB_VMEXIT */
	bool rsb_vmexit_lite;		/* X86_FEATURE_RSB_VMEXIT_LITE */
	bool ibpb;			/* X86_FEATURE_IBPB */
	bool ibpb_exit_to_user;		/* X86_FEATURE_IBPB_EXIT_TO_USER */
	bool ibpb_on_vmexit;		/* X86_FEATURE_IBPB_ON_VMEXIT */
};

/* The policy above: ZXHV_RUN_* | ZXHV_SPEC_* flags.  Pure. */
u32 zxhv_vmx_spec_choose(const struct vmx_spec_host *h);

/* The running kernel's decisions. */
void zxhv_vmx_spec_read_host(struct vmx_spec_host *h);

/*
 * When VMX is turned on (vmx_mutex held): compute the choice from the host,
 * allocate the software-flush buffer if it needs one, and print the choice
 * once.  -ENOMEM.  zxhv_vmx_spec_teardown() frees the buffer.
 */
int zxhv_vmx_spec_setup(void);
void zxhv_vmx_spec_teardown(void);

/* The choice in force: ZXHV_RUN_* | ZXHV_SPEC_* flags. */
u32 zxhv_vmx_spec_flags(void);

/* "l1d=msr verw rsb=full ibpb", or "none": the module parameter's text. */
int zxhv_vmx_spec_describe(u32 flags, char *buf, size_t size);

/*
 * Interrupts off, immediately before zxhv_vmx_run(): the software L1D
 * flush if chosen; returns the ZXHV_RUN_* flags for vmenter.S.
 */
u32 zxhv_vmx_spec_entry(bool l1d_dirty);

/*
 * The flags of one entry from the chosen @flags: with "cond", no L1D flush
 * unless @host_ran (host code other than the exit handlers ran on this CPU
 * since the last entry); no VERW where the MSR flush runs.  Pure.
 */
u32 zxhv_vmx_spec_entry_flags(u32 flags, bool host_ran);

/* zx_vcpu_enter is returning to userspace after running the guest. */
void zxhv_vmx_spec_leave(void);
#endif /* __ASSEMBLY__ */

#endif /* ZXHV_VMX_SPEC_H */
