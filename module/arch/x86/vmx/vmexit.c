// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM exits (docs/api.md §3.2, §3.5, §3.6): one table indexed by the basic exit
 * reason (SDM Vol. 3D, Appendix C), one static handler per reason,
 * exit_<reason>.
 *
 * The contract of a handler.  It runs on the bound thread with the VMCS
 * loaded and preemption disabled (vcpu_priv.h), as the run loop left it
 * after the exit.  It returns ZX_OK to resume the guest, ZX_ERR_NEXT after
 * filling *@pkt (enter returns ZX_OK with it), or the status zx_vcpu_enter
 * returns.  It never sleeps with the VMCS loaded: the few that sleep (EPT
 * fault-in, guest-memory copies, kvmclock registration) put the VMCS and
 * reload it around the sleep; a BELL packet that finds its port full
 * waits in the run loop (v->bell_trap), as does the HLT wait.
 *
 * The device models (lapic_vmx.c, pvclock_vmx.c) decide the MSRs they own
 * and return an outcome; msr_complete() completes every MSR exit.
 *
 * Architectural facts are from the Intel SDM: Vol. 3C 26.1.3 (which
 * instructions exit in VMX non-root operation), Vol. 2 (MOV CR, XSETBV,
 * RDMSR/WRMSR).  The hypercall ABI is Linux's
 * Documentation/virt/kvm/x86/hypercalls.rst.
 */
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/timekeeping.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/trapnr.h>
#include <zircon/errors.h>
#include <zircon/syscalls/port.h>

#include "cpuid.h"
#include "emulate.h"
#include "ept_fault.h"
#include "exit_qual.h"
#include "gpas.h"
#include "lapic_vmx.h"
#include "port.h"
#include "pvclock_vmx.h"
#include "trace.h"
#include "trap_map.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmexit.h"
#include "vmx_ops.h"

/* Size of the exit-handler table: basic exit reasons 0-75 (SDM Vol. 3D, Table C-1). */
#define ZXHV_VMX_NR_EXIT_REASONS	76

/* CPUID leaf 0xD: the XSAVE features and sizes. */
#define LEAF_XSAVE	0xd

typedef zx_status_t (*exit_handler)(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				    zx_port_packet_t *pkt);

/* --- interrupts, failures, HLT, PAUSE ---------------------------------------------- */

/*
 * An external interrupt already ran its host handler when the run loop
 * enabled interrupts; the interrupt or NMI window only had to open (the
 * next entry injects); the preemption-timer backstop only had to return control
 * to the run loop.  Resume.
 */
static zx_status_t exit_resume(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt)
{
	return ZX_OK;
}

/* DR7.GD; MOV DR below uses it too (the DR6 bits: vcpu_priv.h). */
#define VMX_DR7_GD		BIT(13)

/*
 * A #DB or #AC, which exit only so that the host sees each one (caps.c):
 * a guest whose delivery of either raises it again (a data breakpoint on
 * its own stack or IDT, an #AC handler reached on a misaligned CPL-3
 * stack) would otherwise loop inside the CPU, where host interrupts, the
 * preemption timer, kicks and signals never get a turn; as exits, the
 * run loop sees them between two deliveries.  Each is delivered to the
 * guest as the CPU would have: #DB with the DR6 bits of the exit
 * qualification and DR7.GD cleared (SDM Vol. 3B 18.2.4), ICEBP as the
 * privileged software exception it is, #AC with its error code.  One that
 * came while another event was being delivered stops the VCPU instead
 * (docs/api.md §3.6): the event stays pending, as for a trap page.
 */
static zx_status_t exit_reflect(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				struct exit_intr_info i)
{
	if (v->reinject_info) {
		zxhv_vmx_vcpu_report_failure(v, e, "#DB or #AC during event delivery");
		return ZX_ERR_NOT_SUPPORTED;
	}
	/* A faulting IRET that unblocked NMIs runs again: block them again. */
	if (i.nmi_unblock)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);
	if (i.vector == X86_TRAP_DB && i.type == ZXHV_INTR_TYPE_HW_EXCEPTION) {
		struct exit_db d = exit_db_decode(e->qual);

		v->dr6 = zxhv_vmx_dr6_trap(v->dr6, d.hits | (d.bd ? VMX_DR6_BD : 0) |
					   (d.bs ? VMX_DR6_BS : 0), d.rtm);
		vmcs_writenat(GUEST_DR7, vmcs_readnat(GUEST_DR7) & ~VMX_DR7_GD);
	}
	zxhv_vmx_vcpu_inject_event(v, entry_intr_info(i.vector, i.type, i.error_code),
				   i.error_code ? vmcs_read32(VM_EXIT_INTR_ERROR_CODE) : 0,
				   e->insn_len);
	return ZX_OK;
}

/*
 * A host NMI, or a machine check (both handled by the run loop), or a #DB
 * or #AC to give back to the guest; no other guest exception exits.
 */
static zx_status_t exit_exception_nmi(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	struct exit_intr_info i = exit_intr_info_decode(e->intr_info);

	if (i.type == ZXHV_INTR_TYPE_NMI ||
	    (i.type == ZXHV_INTR_TYPE_HW_EXCEPTION && i.vector == X86_TRAP_MC))
		return ZX_OK;
	if (i.vector == X86_TRAP_DB || i.vector == X86_TRAP_AC)
		return exit_reflect(v, e, i);
	zxhv_vmx_vcpu_report_failure(v, e, "unexpected exception exit");
	return ZX_ERR_NOT_SUPPORTED;
}

static zx_status_t exit_triple_fault(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				     zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_report_failure(v, e, "triple fault");
	return ZX_ERR_BAD_STATE;
}

/* 33, 34, 41: the guest's state failed a VM-entry check (SDM 27.8). */
static zx_status_t exit_entry_failure(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	static const char *const what[] = {
		[EXIT_REASON_INVALID_STATE] = "VM entry failed: invalid guest state",
		[EXIT_REASON_MSR_LOAD_FAIL] = "VM entry failed: MSR loading",
		[EXIT_REASON_MCE_DURING_VMENTRY] = "VM entry failed: machine-check event",
	};

	zxhv_vmx_vcpu_report_failure(v, e, what[e->reason]);
	return ZX_ERR_BAD_STATE;
}

static zx_status_t exit_ept_misconfig(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	/* Our EPT entries are never misconfigured: a bug, contained to the guest. */
	WARN_ONCE(1, "zircon-hv: EPT misconfiguration at GPA %#llx\n", e->gpa);
	zxhv_vmx_vcpu_report_failure(v, e, "EPT misconfiguration");
	return ZX_ERR_BAD_STATE;
}

/* HLT: step over it and sleep in the run loop until an interrupt or kick. */
static zx_status_t exit_hlt(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_skip_insn(v, e);
	/* Single-stepped: the #DB the skip injected ends the halt at once. */
	v->halted = !v->entry_event;
	return ZX_OK;
}

/* WBINVD (below): nothing to do but step over the instruction. */
static zx_status_t exit_skip(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			     zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_skip_insn(v, e);
	return ZX_OK;
}

/*
 * PAUSE, with PAUSE-loop exiting: the guest spun in a PAUSE loop for longer
 * than the window, i.e. it waits for something, usually another VCPU that
 * holds a lock or has an IPI to answer.  Step over it; before the next
 * entry the run loop yields the host CPU to that VCPU's thread if it waits
 * for one (run.c, vcpu.c).
 */
static zx_status_t exit_pause(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_skip_insn(v, e);
	v->pause_exit = true;
	return ZX_OK;
}

/*
 * Instructions that would touch the host CPU (issue 16, F8; docs/api.md
 * §3.6): RDPMC takes #GP (the guest's CPUID shows no PMU), MONITOR and
 * MWAIT take #UD (CPUID.1:ECX.MONITOR is clear), WBINVD is a no-op (guest
 * memory is write-back and no device DMAs into it behind the caches).
 */
static zx_status_t exit_rdpmc(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_GP);
	return ZX_OK;
}

static zx_status_t exit_monitor_mwait(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_UD);
	return ZX_OK;
}

/* --- traps and guest memory ------------------------------------------------------------ */

/* IN/OUT: a trapped port becomes a GUEST_IO packet (docs/api.md §3.2). */
static zx_status_t exit_io(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt)
{
	struct exit_io io = exit_io_decode(e->qual);
	const struct zxhv_trap *trap;

	if (io.string || io.rep)
		return ZX_ERR_NOT_SUPPORTED;
	trap = zxhv_trap_map_lookup(v->traps, ZX_GUEST_TRAP_IO, io.port);
	if (!trap)
		return ZX_ERR_NOT_FOUND;
	zxhv_vmx_vcpu_skip_insn(v, e);
	trace_zxhv_trap(v->vpid, ZX_GUEST_TRAP_IO, io.port, trap->key);
	pkt->key = trap->key;
	pkt->type = ZX_PKT_TYPE_GUEST_IO;
	pkt->guest_io.port = io.port;
	pkt->guest_io.access_size = io.size;
	pkt->guest_io.input = io.in;
	if (!io.in)
		memcpy(pkt->guest_io.data, &v->gprs[VMX_GPR_RAX], io.size);
	else if (io.size == 4)
		v->gprs[VMX_GPR_RAX] = 0;	/* a 32-bit IN zero-extends */
	return ZX_ERR_NEXT;
}

/* A MEM trap: RIP advanced first, then the packet (docs/api.md §3.2). */
static zx_status_t exit_mem_trap(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				 const struct zxhv_trap *trap, zx_port_packet_t *pkt)
{
	u32 cs_ar = vmcs_read32(GUEST_CS_AR_BYTES);

	pkt->guest_mem.cr3 = vmcs_readnat(GUEST_CR3);
	zxhv_vmx_vcpu_skip_insn(v, e);
	trace_zxhv_trap(v->vpid, ZX_GUEST_TRAP_MEM, e->gpa, trap->key);
	pkt->key = trap->key;
	pkt->type = ZX_PKT_TYPE_GUEST_MEM;
	pkt->guest_mem.addr = e->gpa;
	pkt->guest_mem.rip = e->rip;
	pkt->guest_mem.instruction_size = e->insn_len;
	pkt->guest_mem.default_operand_size = cs_ar & (VMX_AR_L_MASK | VMX_AR_DB_MASK) ? 4 : 2;
	return ZX_ERR_NEXT;
}

/* A BELL packet for @addr through @trap's arena: ZX_OK, SHOULD_WAIT, BAD_HANDLE. */
static zx_status_t bell_queue(const struct zxhv_trap *trap, u64 addr)
{
	zx_port_packet_t bell = { .type = ZX_PKT_TYPE_GUEST_BELL };

	bell.guest_bell.addr = addr;
	return zxhv_port_queue_kernel(trap->arena, &bell);
}

zx_status_t zxhv_vmx_vmexit_deliver_bell(struct zxhv_arch_vcpu *v)
{
	zx_status_t status;

	for (;;) {
		/*
		 * All 256 packets are queued: block until the VMM takes one.
		 * A kick wakes the wait through bell_wait; the full barrier
		 * orders its store before the wait's first look at the flag.
		 */
		smp_store_mb(v->bell_wait, v->bell_trap->arena);
		status = zxhv_port_arena_wait(v->bell_trap->arena, &v->kicked);
		WRITE_ONCE(v->bell_wait, NULL);
		if (status != ZX_OK)
			return status;	/* a signal or a kick: the bell stays pending */
		status = bell_queue(v->bell_trap, v->bell_addr);
		if (status != ZX_ERR_SHOULD_WAIT)
			break;
	}
	v->bell_trap = NULL;
	/* The port lost its last handle (docs/api.md §3.2: enter says BAD_STATE). */
	return status == ZX_ERR_BAD_HANDLE ? ZX_ERR_BAD_STATE : status;
}

/*
 * A BELL trap: writes queue a packet and the guest runs on; reads fail.
 * The packet is queued here (the port's lock is a spinlock); only when
 * the trap's packets are all queued does the run loop wait for one to
 * come back (it sleeps) and queue it before the next entry.
 */
static zx_status_t exit_bell_trap(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  const struct zxhv_trap *trap)
{
	struct exit_ept q = exit_ept_decode(e->qual);
	zx_status_t status;

	if (!q.write)
		return ZX_ERR_NOT_SUPPORTED;
	zxhv_vmx_vcpu_skip_insn(v, e);
	trace_zxhv_trap(v->vpid, ZX_GUEST_TRAP_BELL, e->gpa, trap->key);
	status = bell_queue(trap, e->gpa);
	if (status == ZX_ERR_SHOULD_WAIT) {
		v->bell_trap = trap;
		v->bell_addr = e->gpa;
		return ZX_OK;
	}
	/* The port lost its last handle (docs/api.md §3.2: enter says BAD_STATE). */
	return status == ZX_ERR_BAD_HANDLE ? ZX_ERR_BAD_STATE : status;
}

/* Guest memory touched for the first time: fault it into the EPT (sleeps). */
static zx_status_t exit_ept_fault(struct zxhv_arch_vcpu *v, const struct vmx_exit *e)
{
	struct exit_ept q = exit_ept_decode(e->qual);
	u32 perms = (q.read ? ZX_VM_PERM_READ : 0) | (q.write ? ZX_VM_PERM_WRITE : 0) |
		    (q.fetch ? ZX_VM_PERM_EXECUTE : 0);
	zx_status_t status;

	zxhv_vmx_vcpu_put(v);
	status = zxhv_vmx_ept_fault_in(v->ag, v->gpas, e->gpa, perms);
	zxhv_vmx_vcpu_reload(v);
	v->walked_host_mm = true;
	trace_zxhv_ept_fault(v->vpid, e->gpa, perms, status);
	if (status == ZX_ERR_NOT_FOUND || status == ZX_ERR_ACCESS_DENIED)
		zxhv_vmx_vcpu_report_failure(v, e, "access to guest memory that is not mapped");
	return status;
}

static zx_status_t exit_ept_violation(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	const struct zxhv_trap *trap;

	/*
	 * The guest's IRET unblocked NMIs and then faulted here: it runs
	 * again, so NMIs are blocked again (SDM Vol. 3C 28.2.3, 29.3).
	 */
	if (exit_ept_decode(e->qual).nmi_unblock && !v->reinject_info)
		vmcs_write32(GUEST_INTERRUPTIBILITY_INFO,
			     vmcs_read32(GUEST_INTERRUPTIBILITY_INFO) | GUEST_INTR_STATE_NMI);

	trap = zxhv_trap_map_lookup(v->traps, ZX_GUEST_TRAP_MEM, e->gpa);
	/*
	 * The exit came while an event was being delivered (its frame or IDT
	 * entry on a trap page): no instruction made the access, so there is
	 * none to emulate or skip (issue 16, F10).  The event stays pending.
	 */
	if (trap && v->reinject_info) {
		zxhv_vmx_vcpu_report_failure(v, e, "trap page touched by event delivery");
		return ZX_ERR_NOT_SUPPORTED;
	}
	if (trap && trap->kind == ZX_GUEST_TRAP_BELL)
		return exit_bell_trap(v, e, trap);
	if (trap)
		return exit_mem_trap(v, e, trap, pkt);
	WRITE_ONCE(v->stats.ept_faults, v->stats.ept_faults + 1);
	return exit_ept_fault(v, e);
}

/* --- CPUID, control registers, XSETBV ----------------------------------------------- */

/* A GPR written with a 32-bit result (zero-extended, as the CPU does). */
static void set_gpr32(struct zxhv_arch_vcpu *v, enum vmx_gpr r, u32 val)
{
	v->gprs[r] = val;
}

static zx_status_t exit_cpuid(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	u32 leaf = lower_32_bits(v->gprs[VMX_GPR_RAX]);
	u32 subleaf = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	struct zxhv_cpuid_query q = zxhv_cpuid_host_leaf(leaf, &v->cpuid);
	struct zxhv_emu_cpuid_env env;
	u32 regs[4] = { 0 };

	if (q.query)
		cpuid_count(q.leaf, subleaf, &regs[0], &regs[1], &regs[2], &regs[3]);
	zxhv_cpuid_edit(leaf, subleaf, v->vpid, &v->cpuid, regs);

	env.xsave_mask = v->xsave_mask;
	env.xsave_max = 0;
	if (q.query && q.leaf == LEAF_XSAVE && subleaf == 0)
		env.xsave_max = zxhv_cpuid_host_xsave_size(v->xsave_mask);
	env.cr4 = vmcs_readnat(GUEST_CR4);
	if (q.query)
		zxhv_emu_cpuid_guest_bits(q.leaf, subleaf, &env, regs);

	set_gpr32(v, VMX_GPR_RAX, regs[0]);
	set_gpr32(v, VMX_GPR_RBX, regs[1]);
	set_gpr32(v, VMX_GPR_RCX, regs[2]);
	set_gpr32(v, VMX_GPR_RDX, regs[3]);
	zxhv_vmx_vcpu_skip_insn(v, e);
	return ZX_OK;
}

/*
 * Control-register exits.  The CR0 guest/host mask owns ET|NE|NW|CD and
 * the CR4 mask VMXE and PKE (docs/api.md §3.4), and there is no CR3/CR8
 * exiting, so by SDM Vol. 3C 26.1.3 only MOV to CR0 changing an owned bit
 * and MOV to CR4 changing VMXE or PKE exit: CLTS (TS not owned), LMSW
 * (touches PE/MP/EM/TS only) and MOV from CR0/CR4 (served from the read
 * shadows) never do.  MOV to CR4 setting PKE is a #GP; everything else
 * but MOV to CR0 is NOT_SUPPORTED (docs/api.md §3.6).
 */
static zx_status_t exit_cr_access(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  zx_port_packet_t *pkt)
{
	struct exit_cr c = exit_cr_decode(e->qual);
	struct zxhv_emu_cr0_env env;
	struct zxhv_emu_cr0 old, st;
	enum zxhv_emu_cr0_result r;
	enum vmx_insn_status err;
	u64 pdpte[4];
	bool pae;
	u64 value, cr3;

	/* PKE: no PKU in the guest's CPUID, so it is a reserved bit (#GP). */
	if (c.type == ZXHV_EXIT_CR_MOV_TO && c.cr == 4 &&
	    ((c.gpr == VMX_GPR_RSP_UNUSED ? vmcs_readnat(GUEST_RSP) : v->gprs[c.gpr]) &
	     X86_CR4_PKE)) {
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_GP);
		return ZX_OK;
	}
	if (c.type != ZXHV_EXIT_CR_MOV_TO || c.cr != 0) {
		zxhv_vmx_vcpu_report_failure(v, e, "control-register access not emulated");
		return ZX_ERR_NOT_SUPPORTED;
	}

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, env.fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, env.fixed1);
	if (c.gpr == VMX_GPR_RSP_UNUSED)
		value = vmcs_readnat(GUEST_RSP);
	else
		value = v->gprs[c.gpr];
	env.mask = vmcs_readnat(CR0_GUEST_HOST_MASK);
	env.cr4 = vmcs_readnat(GUEST_CR4);
	old.cr0 = vmcs_readnat(GUEST_CR0);
	old.shadow = vmcs_readnat(CR0_READ_SHADOW);
	old.efer = vmcs_read64(GUEST_IA32_EFER);
	old.entry_ctls = vmcs_read32(VM_ENTRY_CONTROLS);
	env.long_mode = zxhv_emu_long_mode(old.efer, vmcs_read32(GUEST_CS_AR_BYTES));
	cr3 = vmcs_readnat(GUEST_CR3);

	st = old;
	r = zxhv_emu_mov_to_cr0(&env, value, &st);
	pae = r != ZXHV_EMU_CR0_GP && zxhv_emu_cr0_loads_pdptes(&env, &old, &st);
	if (pae) {
		/* The PDPT is in guest memory: read it with the VMCS put. */
		zxhv_vmx_vcpu_put(v);
		if (zxhv_gpas_copy(v->gpas, lower_32_bits(cr3) & ~0x1fU, pdpte, sizeof(pdpte),
				   false) != ZX_OK ||
		    !zxhv_emu_pdptes_ok(pdpte, boot_cpu_data.x86_phys_bits))
			r = ZXHV_EMU_CR0_GP;
		zxhv_vmx_vcpu_reload(v);
	}
	if (r == ZXHV_EMU_CR0_GP) {
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_GP);
		return ZX_OK;
	}

	err = vmcs_writenat(GUEST_CR0, st.cr0);
	err |= vmcs_writenat(CR0_READ_SHADOW, st.shadow);
	err |= vmcs_write64(GUEST_IA32_EFER, st.efer);
	err |= vmcs_write32(VM_ENTRY_CONTROLS, st.entry_ctls);
	if (pae) {
		err |= vmcs_write64(GUEST_PDPTR0, pdpte[0]);
		err |= vmcs_write64(GUEST_PDPTR1, pdpte[1]);
		err |= vmcs_write64(GUEST_PDPTR2, pdpte[2]);
		err |= vmcs_write64(GUEST_PDPTR3, pdpte[3]);
	}
	/* Translations cached with the old paging mode must go. */
	if (r == ZXHV_EMU_CR0_PAGING)
		VMX_INSN_WARN(vmx_invvpid(VMX_VPID_EXTENT_SINGLE_CONTEXT, v->vpid, 0),
			      "invvpid", v->vpid);
	zxhv_vmx_vcpu_skip_insn(v, e);
	return err == VMX_INSN_OK ? ZX_OK : ZX_ERR_INTERNAL;
}

static zx_status_t exit_xsetbv(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt)
{
	u32 ecx = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	u64 value = (u64)lower_32_bits(v->gprs[VMX_GPR_RDX]) << 32 |
		    lower_32_bits(v->gprs[VMX_GPR_RAX]);

	/* No #GP: a value CPUID does not allow stops the VCPU (docs/api.md §3.6). */
	if (!zxhv_emu_xsetbv_ok(ecx, value, v->xsave_mask)) {
		zxhv_vmx_vcpu_report_failure(v, e, "XSETBV of an XCR0 CPUID does not offer");
		return ZX_ERR_INVALID_ARGS;
	}
	v->xcr0 = value;
	v->cpuid.guest_xsave_size = zxhv_cpuid_host_xsave_size(v->xcr0);
	zxhv_vmx_vcpu_skip_insn(v, e);
	return ZX_OK;
}

/*
 * MOV DR (issue 16, F5): the guest's DR0-DR3 and DR6 live in the VCPU and
 * reach the CPU only while its DR7 enables a breakpoint (run.c); DR7 is
 * the VMCS's (loaded and saved by the debug-controls entry and exit
 * controls).  #UD (DR4/DR5 with CR4.DE) and #GP (CPL > 0) come before the
 * exit; DR7.GD is checked here (SDM Vol. 3B 18.2.4).
 */
#define VMX_DR7_FIXED1		0x400ul
#define VMX_DR7_RESERVED0	(BIT(11) | BIT(12) | BIT(14) | BIT(15))

static zx_status_t exit_dr_access(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  zx_port_packet_t *pkt)
{
	struct exit_dr d = exit_dr_decode(e->qual);
	bool long_mode = zxhv_emu_long_mode(vmcs_read64(GUEST_IA32_EFER),
					    vmcs_read32(GUEST_CS_AR_BYTES));
	unsigned long dr7 = vmcs_readnat(GUEST_DR7);
	unsigned int n = d.dr == 4 || d.dr == 5 ? d.dr + 2 : d.dr;
	u64 val;

	if (dr7 & VMX_DR7_GD) {
		v->dr6 |= VMX_DR6_BD;
		vmcs_writenat(GUEST_DR7, dr7 & ~VMX_DR7_GD);
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_DB);
		return ZX_OK;
	}
	if (d.from) {
		val = n < 4 ? v->dr[n] : n == 6 ? v->dr6 : dr7;
		if (!long_mode)
			val = lower_32_bits(val);
		if (d.gpr == VMX_GPR_RSP_UNUSED)
			vmcs_writenat(GUEST_RSP, val);
		else
			v->gprs[d.gpr] = val;
		zxhv_vmx_vcpu_skip_insn(v, e);
		return ZX_OK;
	}
	val = d.gpr == VMX_GPR_RSP_UNUSED ? vmcs_readnat(GUEST_RSP) : v->gprs[d.gpr];
	if (!long_mode)
		val = lower_32_bits(val);
	if (n >= 6 && upper_32_bits(val)) {
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_GP);
		return ZX_OK;
	}
	if (n < 4)
		v->dr[n] = val;
	else if (n == 6)
		v->dr6 = (val & VMX_DR6_VOLATILE) | VMX_DR6_FIXED1;
	else
		vmcs_writenat(GUEST_DR7, (val & ~VMX_DR7_RESERVED0) | VMX_DR7_FIXED1);
	zxhv_vmx_vcpu_skip_insn(v, e);
	return ZX_OK;
}

/* --- MSRs ---------------------------------------------------------------------------- */

/*
 * Completes every MSR exit from its outcome: EDX:EAX for a read, then the
 * instruction skipped; #GP(0) with RIP unchanged; the packet; or a status
 * for zx_vcpu_enter.
 */
static zx_status_t msr_complete(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				enum zxhv_emu_msr r, bool write, u64 value)
{
	switch (r) {
	case ZXHV_EMU_MSR_OK:
		if (!write) {
			set_gpr32(v, VMX_GPR_RAX, lower_32_bits(value));
			set_gpr32(v, VMX_GPR_RDX, upper_32_bits(value));
		}
		zxhv_vmx_vcpu_skip_insn(v, e);
		return ZX_OK;
	case ZXHV_EMU_MSR_PACKET:
		zxhv_vmx_vcpu_skip_insn(v, e);
		return ZX_ERR_NEXT;
	case ZXHV_EMU_MSR_INVALID:
		return ZX_ERR_INVALID_ARGS;
	case ZXHV_EMU_MSR_UNSUPPORTED:
		return ZX_ERR_NOT_SUPPORTED;
	default:
		zxhv_vmx_vcpu_inject_exception(v, X86_TRAP_GP);
		return ZX_OK;
	}
}

/*
 * RDMSR and WRMSR: emulate.c decides, or names the device model that owns
 * the MSR (ZXHV_EMU_MSR_LAPIC: x2APIC registers 0x800-0x83F and
 * IA32_TSC_DEADLINE; ZXHV_EMU_MSR_PARAVIRT: the KVM clock MSRs, whose
 * writes touch guest memory and so run with the VMCS put).
 */
static zx_status_t exit_msr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt, bool write)
{
	u32 index = lower_32_bits(v->gprs[VMX_GPR_RCX]);
	u64 value = (u64)lower_32_bits(v->gprs[VMX_GPR_RDX]) << 32 |
		    lower_32_bits(v->gprs[VMX_GPR_RAX]);
	struct zxhv_emu_msr_ctx ctx;
	enum zxhv_emu_msr r;

	ctx.vpid = v->vpid;
	if (rdmsrl_safe(MSR_IA32_MISC_ENABLE, &ctx.host_misc_enable))
		ctx.host_misc_enable = 0;
	r = write ? zxhv_emu_wrmsr(&ctx, index, value) : zxhv_emu_rdmsr(&ctx, index, &value);
	switch (r) {
	case ZXHV_EMU_MSR_LAPIC:
		r = zxhv_vmx_lapic_msr(v, e, index, write, &value, pkt);
		break;
	case ZXHV_EMU_MSR_PARAVIRT:
		if (write)
			zxhv_vmx_vcpu_put(v);
		r = zxhv_vmx_pvclock_msr(v, index, write, &value);
		if (write)
			zxhv_vmx_vcpu_reload(v);
		break;
	case ZXHV_EMU_MSR_INVALID:
		zxhv_vmx_vcpu_report_failure(v, e, "MSR write zircon-hv does not accept");
		break;
	default:
		break;
	}
	return msr_complete(v, e, r, write, value);
}

static zx_status_t exit_rdmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	return exit_msr(v, e, pkt, false);
}

static zx_status_t exit_wrmsr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	return exit_msr(v, e, pkt, true);
}

/* --- VMCALL ---------------------------------------------------------------------------- */

/*
 * KVM_HC_CLOCK_PAIRING: CLOCK_REALTIME and the TSC at the same instant.
 * Interrupts are off around the clock read so the TSC reads bracketing it
 * are close; their midpoint is the TSC value reported.  Sleeps (the guest
 * memory write).  Returns the hypercall result.
 */
static s64 clock_pairing(struct zxhv_arch_vcpu *v, u64 gpa)
{
	struct kvm_clock_pairing cp = { 0 };
	struct timespec64 ts;
	unsigned long flags;
	u64 t0, t1;

	BUILD_BUG_ON(sizeof(cp) != 64);
	local_irq_save(flags);
	t0 = rdtsc_ordered();
	ktime_get_real_ts64(&ts);
	t1 = rdtsc_ordered();
	local_irq_restore(flags);

	cp.sec = ts.tv_sec;
	cp.nsec = ts.tv_nsec;
	cp.tsc = t0 + (t1 - t0) / 2;
	cp.flags = 0;
	if (zxhv_gpas_copy(v->gpas, gpa, &cp, sizeof(cp), true) != ZX_OK)
		return -KVM_EFAULT;
	return 0;
}

/*
 * VMCALL, KVM's hypercall ABI: number in RAX, arguments in RBX, RCX, RDX,
 * RSI, result in RAX.  The guest always continues after the VMCALL.
 */
static zx_status_t exit_vmcall(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt)
{
	u8 cpl = zxhv_emu_cpl(vmcs_read32(GUEST_SS_AR_BYTES));
	bool long_mode = zxhv_emu_long_mode(vmcs_read64(GUEST_IA32_EFER),
					    vmcs_read32(GUEST_CS_AR_BYTES));
	s64 ret;

	if (zxhv_emu_vmcall(cpl, zxhv_emu_hc_arg(long_mode, v->gprs[VMX_GPR_RAX]),
			    zxhv_emu_hc_arg(long_mode, v->gprs[VMX_GPR_RCX]),
			    &ret) == ZXHV_EMU_HC_CLOCK_PAIRING) {
		zxhv_vmx_vcpu_put(v);
		ret = clock_pairing(v, zxhv_emu_hc_arg(long_mode, v->gprs[VMX_GPR_RBX]));
		zxhv_vmx_vcpu_reload(v);
	}
	v->gprs[VMX_GPR_RAX] = (u64)ret;
	zxhv_vmx_vcpu_skip_insn(v, e);
	return ZX_OK;
}

/* --- the table ------------------------------------------------------------------------ */

static const exit_handler exit_handlers[ZXHV_VMX_NR_EXIT_REASONS] = {
	[EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = exit_resume,
	[EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_REASON_INTERRUPT_WINDOW] = exit_resume,
	[EXIT_REASON_NMI_WINDOW] = exit_resume,
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_HLT] = exit_hlt,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_CR_ACCESS] = exit_cr_access,
	[EXIT_REASON_DR_ACCESS] = exit_dr_access,
	[EXIT_REASON_IO_INSTRUCTION] = exit_io,
	[EXIT_REASON_MSR_READ] = exit_rdmsr,
	[EXIT_REASON_MSR_WRITE] = exit_wrmsr,
	[EXIT_REASON_INVALID_STATE] = exit_entry_failure,
	[EXIT_REASON_MSR_LOAD_FAIL] = exit_entry_failure,
	[EXIT_REASON_RDPMC] = exit_rdpmc,
	[EXIT_REASON_MWAIT_INSTRUCTION] = exit_monitor_mwait,
	[EXIT_REASON_MONITOR_INSTRUCTION] = exit_monitor_mwait,
	[EXIT_REASON_PAUSE_INSTRUCTION] = exit_pause,
	[EXIT_REASON_WBINVD] = exit_skip,
	[EXIT_REASON_MCE_DURING_VMENTRY] = exit_entry_failure,
	[EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_REASON_PREEMPTION_TIMER] = exit_resume,
	[EXIT_REASON_XSETBV] = exit_xsetbv,
};

bool zxhv_vmx_vmexit_walked_host_mm(struct zxhv_arch_vcpu *v)
{
	bool walked = v->walked_host_mm;

	v->walked_host_mm = false;
	return walked;
}

zx_status_t zxhv_vmx_vmexit_handle(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				   zx_port_packet_t *pkt)
{
	exit_handler h = NULL;

	trace_zxhv_exit(v->vpid, e->full_reason, e->qual, e->rip);
	if (e->reason < ZXHV_VMX_NR_EXIT_REASONS)
		h = exit_handlers[e->reason];
	if (h)
		return h(v, e, pkt);
	/* Everything else reaches userspace as NOT_SUPPORTED (docs/api.md §3.6). */
	zxhv_vmx_vcpu_report_failure(v, e, "exit zircon-hv does not handle");
	return ZX_ERR_NOT_SUPPORTED;
}
