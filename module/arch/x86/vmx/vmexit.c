// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM exits (spec §3.2, §3.5, §3.6): one table indexed by the basic exit
 * reason (SDM Vol. 3D, Appendix C), one handler per reason, each with the
 * contract of vcpu_priv.h (ZX_OK resumes the guest, ZX_ERR_NEXT returns the
 * packet, anything else is what zx_vcpu_enter returns).  This file holds the
 * exits about interrupts, traps and guest memory; emulate.c holds CPUID,
 * control registers, MSRs, XSETBV and VMCALL.
 *
 * An EPT violation looks for a MEM or BELL trap first, then faults the
 * guest-physical page in: the address space's read lock is held from the
 * lookup of the mapping until its translation is in the EPT, so an unmap or
 * protect (which hold the write lock and remove translations) cannot be
 * overtaken; concurrent faults of several VCPUs serialise on the guest's
 * fault mutex.  A translation that exists with fewer permissions than the
 * mapping now has (zx_vmar_protect granting more) is raised to them.  A
 * translation gets the mapping's permissions, as a 2 MiB
 * leaf when the mapping covers the whole aligned 2 MiB and the VMO backs it
 * with one contiguous block, else as a 4 KiB leaf.  A leaf that completes
 * a contiguous block of 512 (the last 4 KiB page of a block an unmap or
 * protect split, mapped again; the last 2 MiB of a 1 GiB-aligned range the
 * VMO happens to back contiguously) is merged into the next larger leaf,
 * 1 GiB ones only where the CPU offers them.  VMOs allocate contiguous
 * memory 2 MiB at a time, so 1 GiB leaves come only from such merges.
 */
#define pr_fmt(fmt) "zircon-hv: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <zircon/errors.h>
#include <zircon/syscalls/port.h>

#include "../../../gpas.h"
#include "../../../guest.h"
#include "../../../port.h"
#include "../../../trap_map.h"
#include "../../../vmo.h"
#include "ept.h"
#include "exit_qual.h"
#include "guest_priv.h"
#include "vcpu_priv.h"
#include "vmcs.h"
#include "vmx_cpu.h"

/* Basic exit reasons (SDM Vol. 3D, Table C-1) handled here. */
enum vmx_exit_reason {
	VMX_EXIT_EXCEPTION_NMI = 0,
	VMX_EXIT_EXTERNAL_INTERRUPT = 1,
	VMX_EXIT_TRIPLE_FAULT = 2,
	VMX_EXIT_INTERRUPT_WINDOW = 7,
	VMX_EXIT_CPUID = 10,
	VMX_EXIT_HLT = 12,
	VMX_EXIT_VMCALL = 18,
	VMX_EXIT_CR_ACCESS = 28,
	VMX_EXIT_IO = 30,
	VMX_EXIT_RDMSR = 31,
	VMX_EXIT_WRMSR = 32,
	VMX_EXIT_INVALID_GUEST_STATE = 33,
	VMX_EXIT_MSR_LOADING = 34,
	VMX_EXIT_PAUSE = 40,
	VMX_EXIT_MACHINE_CHECK = 41,
	VMX_EXIT_EPT_VIOLATION = 48,
	VMX_EXIT_EPT_MISCONFIG = 49,
	VMX_EXIT_PREEMPTION_TIMER = 52,
	VMX_EXIT_XSETBV = 55,
	VMX_EXIT_REASONS = 76
};

/* CS access rights: L (64-bit code) and D/B (32-bit default operands). */
#define VMX_AR_L	BIT(13)
#define VMX_AR_DB	BIT(14)

/*
 * An external interrupt already ran its host handler when the run loop
 * enabled interrupts; the interrupt window only had to open (the next
 * entry injects); the preemption-timer backstop only had to return control
 * to the run loop (vcpu.c).  Resume.
 */
static zx_status_t exit_resume(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			       zx_port_packet_t *pkt)
{
	return ZX_OK;
}

/* A host NMI (handled by the run loop); guest exceptions never exit. */
static zx_status_t exit_exception_nmi(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	if (exit_intr_info_decode(e->intr_info).type == ZXHV_INTR_TYPE_NMI)
		return ZX_OK;
	vmx_report_guest_failure(v, e, "unexpected exception exit");
	return ZX_ERR_NOT_SUPPORTED;
}

static zx_status_t exit_triple_fault(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				     zx_port_packet_t *pkt)
{
	vmx_report_guest_failure(v, e, "triple fault");
	return ZX_ERR_BAD_STATE;
}

/* 33, 34, 41: the guest's state failed a VM-entry check (SDM 27.8). */
static zx_status_t exit_entry_failure(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	static const char *const what[] = {
		[VMX_EXIT_INVALID_GUEST_STATE] = "VM entry failed: invalid guest state",
		[VMX_EXIT_MSR_LOADING] = "VM entry failed: MSR loading",
		[VMX_EXIT_MACHINE_CHECK] = "VM entry failed: machine-check event",
	};

	vmx_report_guest_failure(v, e, what[e->reason]);
	return ZX_ERR_BAD_STATE;
}

static zx_status_t exit_ept_misconfig(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	/* Our EPT entries are never misconfigured: a bug, contained to the guest. */
	WARN_ONCE(1, "zircon-hv: EPT misconfiguration at GPA %#llx\n", e->gpa);
	vmx_report_guest_failure(v, e, "EPT misconfiguration");
	return ZX_ERR_BAD_STATE;
}

/* HLT: step over it and sleep in the run loop until an interrupt or kick. */
static zx_status_t exit_hlt(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt)
{
	vmx_vcpu_load(v);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	v->halted = true;
	return ZX_OK;
}

static zx_status_t exit_pause(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			      zx_port_packet_t *pkt)
{
	vmx_vcpu_load(v);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	return ZX_OK;
}

/* IN/OUT: a trapped port becomes a GUEST_IO packet (spec §3.2). */
static zx_status_t exit_io(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			   zx_port_packet_t *pkt)
{
	struct exit_io io = exit_io_decode(e->qual);
	const struct zxhv_trap *trap;

	if (io.string || io.rep)
		return ZX_ERR_NOT_SUPPORTED;
	trap = zxhv_trap_map_lookup(&v->guest->traps, ZX_GUEST_TRAP_IO, io.port);
	if (!trap)
		return ZX_ERR_NOT_FOUND;
	vmx_vcpu_load(v);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
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

/* A MEM trap: RIP advanced first, then the packet (spec §3.2). */
static zx_status_t exit_mem_trap(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				 const struct zxhv_trap *trap, zx_port_packet_t *pkt)
{
	u32 cs_ar;

	vmx_vcpu_load(v);
	pkt->guest_mem.cr3 = vmcs_readnat(VMCS_GUEST_CR3);
	cs_ar = vmcs_read32(VMCS_GUEST_CS_AR_BYTES);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	pkt->key = trap->key;
	pkt->type = ZX_PKT_TYPE_GUEST_MEM;
	pkt->guest_mem.addr = e->gpa;
	pkt->guest_mem.rip = e->rip;
	pkt->guest_mem.instruction_size = e->insn_len;
	pkt->guest_mem.default_operand_size = cs_ar & (VMX_AR_L | VMX_AR_DB) ? 4 : 2;
	return ZX_ERR_NEXT;
}

zx_status_t vmx_deliver_bell(struct zxhv_arch_vcpu *v)
{
	zx_port_packet_t bell = { .type = ZX_PKT_TYPE_GUEST_BELL };
	zx_status_t status;

	bell.guest_bell.addr = v->bell_addr;
	for (;;) {
		status = zxhv_port_queue_kernel(v->bell_trap->arena, &bell);
		if (status != ZX_ERR_SHOULD_WAIT)
			break;
		/* All 256 packets are queued: block until the VMM takes one. */
		status = zxhv_port_arena_wait(v->bell_trap->arena);
		if (status != ZX_OK)
			return status;	/* a signal: the bell stays pending */
	}
	v->bell_trap = NULL;
	/* The port lost its last handle (spec §3.2: enter says BAD_STATE). */
	return status == ZX_ERR_BAD_HANDLE ? ZX_ERR_BAD_STATE : status;
}

/* A BELL trap: writes queue a packet and the guest runs on; reads fail. */
static zx_status_t exit_bell_trap(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				  const struct zxhv_trap *trap)
{
	struct exit_ept q = exit_ept_decode(e->qual);

	if (!q.write)
		return ZX_ERR_NOT_SUPPORTED;
	vmx_vcpu_load(v);
	vmx_advance_rip(v, e);
	vmx_vcpu_unload(v);
	v->bell_trap = trap;
	v->bell_addr = e->gpa;
	return vmx_deliver_bell(v);
}

static u64 vmx_ept_perms(u32 zx_perms)
{
	return (zx_perms & ZX_VM_PERM_READ ? ZXHV_EPT_R : 0) |
	       (zx_perms & ZX_VM_PERM_WRITE ? ZXHV_EPT_W : 0) |
	       (zx_perms & ZX_VM_PERM_EXECUTE ? ZXHV_EPT_X : 0);
}

/* zxhv_ept_merge()'s invalidation between clearing and refilling an entry. */
static void vmx_ept_merge_flush(void *arg)
{
	struct zxhv_arch_guest *ag = arg;

	zxhv_vmx_invept_all_cpus(ag->eptp);
}

/*
 * After a leaf went in at @gpa: fold the block around it into one larger
 * leaf where the EPT now holds a complete, contiguous set (zxhv_ept_merge()
 * checks): 4 KiB leaves into 2 MiB (@from 4K), then 2 MiB leaves into
 * 1 GiB when the CPU has 1 GiB EPT pages (IA32_VMX_EPT_VPID_CAP bit 17).
 */
static void vmx_ept_merge(struct zxhv_arch_vcpu *v, u64 gpa, enum zxhv_ept_level from)
{
	const struct vmx_ctls *ctls = zxhv_vmx_ctls();

	if (from == ZXHV_EPT_4K &&
	    (!ctls->ept_2m_pages ||
	     !zxhv_ept_merge(&v->ag->ept, gpa, ZXHV_EPT_2M, vmx_ept_merge_flush, v->ag)))
		return;
	if (ctls->ept_1g_pages)
		zxhv_ept_merge(&v->ag->ept, gpa, ZXHV_EPT_1G, vmx_ept_merge_flush, v->ag);
}

/*
 * The translation of @gpa exists but the access faulted: the mapping was
 * given more permissions since (zx_vmar_protect only invalidates what
 * loses access), or another VCPU installed it first.  Give the leaf the
 * mapping's permissions: the whole leaf when the mapping covers it, else
 * this page, splitting the leaf.  Granting needs no INVEPT; a leaf that
 * had a permission the mapping lacks (not expected: losing one
 * invalidates) gets one.
 */
static zx_status_t vmx_ept_upgrade(struct zxhv_arch_vcpu *v, u64 gpa,
				   const struct zxhv_gpas_lookup *l, u64 perms)
{
	struct zxhv_ept_change chg;
	struct zxhv_ept_walk w;
	zx_status_t status;
	u64 start, size;

	status = zxhv_ept_lookup(&v->ag->ept, gpa, &w);
	if (status != ZX_OK || w.perms == perms)
		return status;
	size = ZXHV_EPT_SIZE_4K << (9 * w.level);
	start = round_down(gpa, size);
	if (start < l->map_start || start + size > l->map_end) {
		start = round_down(gpa, ZXHV_EPT_SIZE_4K);
		size = ZXHV_EPT_SIZE_4K;
	}
	zxhv_ept_change_init(&chg);
	status = zxhv_ept_protect(&v->ag->ept, start, size, perms, &chg);
	if (chg.flush)
		zxhv_vmx_invept_all_cpus(v->ag->eptp);
	zxhv_ept_change_finish(&v->ag->ept, &chg);
	return status;
}

/*
 * Install the translation of @gpa from mapping @l, whose VMO page there is
 * @page, part of a contiguous 2 MiB block when @order says so.  Address
 * space read-locked, fault mutex held.
 */
static zx_status_t vmx_ept_install(struct zxhv_arch_vcpu *v, u64 gpa,
				   const struct zxhv_gpas_lookup *l, struct page *page,
				   unsigned int order)
{
	u64 perms = vmx_ept_perms(l->perms);
	u64 base = round_down(gpa, ZXHV_EPT_SIZE_2M);
	zx_status_t status;

	if (order == ZXHV_VMO_RUN_ORDER && zxhv_vmx_ctls()->ept_2m_pages &&
	    base >= l->map_start && base + ZXHV_EPT_SIZE_2M <= l->map_end &&
	    (gpa & (ZXHV_EPT_SIZE_2M - 1)) == (l->vmo_offset & (ZXHV_EPT_SIZE_2M - 1))) {
		u64 first = page_to_pfn(page) -
			    ((l->vmo_offset & (ZXHV_EPT_SIZE_2M - 1)) >> PAGE_SHIFT);

		status = zxhv_ept_map(&v->ag->ept, base, PFN_PHYS(first), ZXHV_EPT_SIZE_2M,
				      perms);
		if (status == ZX_OK)
			vmx_ept_merge(v, gpa, ZXHV_EPT_2M);
		if (status != ZX_ERR_ALREADY_EXISTS)
			return status;
		/* Some 4 KiB leaves are there already: add this page alone. */
	}
	status = zxhv_ept_map(&v->ag->ept, round_down(gpa, PAGE_SIZE), page_to_phys(page),
			      ZXHV_EPT_SIZE_4K, perms);
	if (status == ZX_ERR_ALREADY_EXISTS)
		status = vmx_ept_upgrade(v, gpa, l, perms);
	/* Only a contiguous run can complete a mergeable 2 MiB block. */
	if (status == ZX_OK && order == ZXHV_VMO_RUN_ORDER)
		vmx_ept_merge(v, gpa, ZXHV_EPT_4K);
	return status;
}

/* Guest memory touched for the first time: fault it into the EPT. */
static zx_status_t vmx_ept_fault_in(struct zxhv_arch_vcpu *v, const struct vmx_exit *e)
{
	struct exit_ept q = exit_ept_decode(e->qual);
	struct zxhv_gpas *gpas = v->guest->gpas;
	struct zxhv_gpas_lookup l;
	unsigned int order;
	struct page *page;
	zx_status_t status;

	zxhv_gpas_read_lock(gpas);
	status = zxhv_gpas_lookup_locked(gpas, e->gpa, &l);
	if (status != ZX_OK)
		goto out;
	if ((q.read && !(l.perms & ZX_VM_PERM_READ)) ||
	    (q.write && !(l.perms & ZX_VM_PERM_WRITE)) ||
	    (q.fetch && !(l.perms & ZX_VM_PERM_EXECUTE))) {
		status = ZX_ERR_ACCESS_DENIED;
		goto out;
	}
	status = zxhv_vmo_get_run(l.vmo, round_down(l.vmo_offset, PAGE_SIZE), &page, &order);
	if (status != ZX_OK)
		goto out;
	mutex_lock(&v->ag->fault_lock);
	status = vmx_ept_install(v, e->gpa, &l, page, order);
	mutex_unlock(&v->ag->fault_lock);
	put_page(page);
out:
	zxhv_gpas_read_unlock(gpas);
	if (status == ZX_ERR_NOT_FOUND || status == ZX_ERR_ACCESS_DENIED)
		vmx_report_guest_failure(v, e, "access to guest memory that is not mapped");
	return status;
}

static zx_status_t exit_ept_violation(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				      zx_port_packet_t *pkt)
{
	const struct zxhv_trap *trap;

	trap = zxhv_trap_map_lookup(&v->guest->traps, ZX_GUEST_TRAP_MEM, e->gpa);
	if (trap && trap->kind == ZX_GUEST_TRAP_BELL)
		return exit_bell_trap(v, e, trap);
	if (trap)
		return exit_mem_trap(v, e, trap, pkt);
	return vmx_ept_fault_in(v, e);
}

static const vmx_exit_handler vmx_exit_handlers[VMX_EXIT_REASONS] = {
	[VMX_EXIT_EXCEPTION_NMI] = exit_exception_nmi,
	[VMX_EXIT_EXTERNAL_INTERRUPT] = exit_resume,
	[VMX_EXIT_TRIPLE_FAULT] = exit_triple_fault,
	[VMX_EXIT_INTERRUPT_WINDOW] = exit_resume,
	[VMX_EXIT_CPUID] = vmx_exit_cpuid,
	[VMX_EXIT_HLT] = exit_hlt,
	[VMX_EXIT_VMCALL] = vmx_exit_vmcall,
	[VMX_EXIT_CR_ACCESS] = vmx_exit_cr_access,
	[VMX_EXIT_IO] = exit_io,
	[VMX_EXIT_RDMSR] = vmx_exit_rdmsr,
	[VMX_EXIT_WRMSR] = vmx_exit_wrmsr,
	[VMX_EXIT_INVALID_GUEST_STATE] = exit_entry_failure,
	[VMX_EXIT_MSR_LOADING] = exit_entry_failure,
	[VMX_EXIT_PAUSE] = exit_pause,
	[VMX_EXIT_MACHINE_CHECK] = exit_entry_failure,
	[VMX_EXIT_EPT_VIOLATION] = exit_ept_violation,
	[VMX_EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[VMX_EXIT_PREEMPTION_TIMER] = exit_resume,
	[VMX_EXIT_XSETBV] = vmx_exit_xsetbv,
};

bool vmx_exit_walks_host_mm(const struct vmx_exit *e)
{
	return e->reason == VMX_EXIT_EPT_VIOLATION || e->reason == VMX_EXIT_EPT_MISCONFIG;
}

zx_status_t vmx_handle_exit(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
			    zx_port_packet_t *pkt)
{
	vmx_exit_handler h = NULL;

	if (e->reason < VMX_EXIT_REASONS)
		h = vmx_exit_handlers[e->reason];
	if (h)
		return h(v, e, pkt);
	/* Everything else reaches userspace as NOT_SUPPORTED (spec §3.6). */
	vmx_report_guest_failure(v, e, "exit zircon-hv does not handle");
	return ZX_ERR_NOT_SUPPORTED;
}
