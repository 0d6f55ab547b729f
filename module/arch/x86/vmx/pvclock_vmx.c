// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX glue of kvmclock; see pvclock.h for the ABI, pvclock_vmx.h for
 * the contract.
 *
 * When the structure is written.  With a stable host TSC (invariant, and
 * not found unsynchronised between CPUs by the kernel's watchdog) the
 * guest's time is a fixed function of a TSC every CPU agrees on, so one
 * write at registration serves every later entry, on any host CPU: the
 * guest's clock advances with the TSC and cannot go back when the VCPU
 * moves.  Without one, each entry rewrites it from the CPU that enters
 * (preemption is off from the write to the entry), so the guest only ever
 * extrapolates from its own CPU's TSC.
 *
 * Monotonic for the guest.  Every rewrite starts system_time at the latest
 * time the guest can have read from the previous parameters: their value
 * at the TSC read right after the last exit, on the CPU the guest ran on.
 * A host clock that ran slower than the TSC extrapolation (NTP slewing, a
 * rounded tsc_khz) therefore never makes the guest's time go back.
 *
 * The version protocol: the version is odd while the fields change, with
 * write barriers around them, as a guest (even one on another VCPU
 * reading this VCPU's structure) expects.
 */
#include <linux/highmem.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/timekeeping.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include <zircon/errors.h>

#include "gpas.h"
#include "pvclock.h"
#include "pvclock_vmx.h"
#include "vcpu_priv.h"

/* MSR_KVM_SYSTEM_TIME(_NEW) bit 0: the clock is on. */
#define KVM_SYSTEM_TIME_ENABLE	BIT_ULL(0)

static bool host_tsc_stable(void)
{
	return boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	       boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable();
}

void zxhv_vmx_pvclock_release(struct zxhv_arch_vcpu *v)
{
	struct zxhv_pvclock *pv = &v->pv;

	if (pv->page)
		put_page(pv->page);
	pv->page = NULL;
}

/* Pins the page of @gpa for the clock; false if it is not guest RAM the guest may write. */
static bool pvclock_pin(struct zxhv_arch_vcpu *v, u64 gpa)
{
	struct zxhv_pvclock *pv = &v->pv;
	unsigned int offset;
	struct page *page;

	if (!zxhv_pvclock_gpa_ok(gpa) || !tsc_khz)
		return false;
	if (zxhv_gpas_get_page(v->gpas, gpa, ZX_VM_PERM_WRITE, &page, &offset) != ZX_OK)
		return false;
	zxhv_vmx_pvclock_release(v);
	pv->page = page;
	pv->offset = offset;
	/*
	 * The floor for the new structure is what the guest could read from
	 * the old one (pv->cur and pv->entered stay as they are).
	 */
	pv->written = false;
	return true;
}

enum zxhv_emu_msr zxhv_vmx_pvclock_msr(struct zxhv_arch_vcpu *v, u32 index, bool write,
				       u64 *value)
{
	struct pvclock_wall_clock boot_time = {};
	struct zxhv_pvclock *pv = &v->pv;
	bool system_time = index == MSR_KVM_SYSTEM_TIME || index == MSR_KVM_SYSTEM_TIME_NEW;

	if (!write) {
		*value = system_time ? pv->system_time_msr : pv->wall_clock_msr;
		return ZXHV_EMU_MSR_OK;
	}
	if (!system_time) {
		if (zxhv_gpas_copy(v->gpas, *value, &boot_time, sizeof(boot_time), true) != ZX_OK)
			return ZXHV_EMU_MSR_GP;
		pv->wall_clock_msr = *value;
		return ZXHV_EMU_MSR_OK;
	}
	if (!(*value & KVM_SYSTEM_TIME_ENABLE))
		zxhv_vmx_pvclock_release(v);
	else if (!pvclock_pin(v, *value & ~KVM_SYSTEM_TIME_ENABLE))
		return ZXHV_EMU_MSR_GP;
	pv->system_time_msr = *value;
	return ZXHV_EMU_MSR_OK;
}

static void pvclock_write(struct zxhv_pvclock *pv)
{
	u8 *va = kmap_local_page(pv->page);
	struct pvclock_vcpu_time_info *t = (void *)(va + pv->offset);

	WRITE_ONCE(t->version, pv->version + 1);
	/* The odd version is visible before any field changes... */
	smp_wmb();
	t->tsc_timestamp = pv->cur.tsc;
	t->system_time = pv->cur.ns;
	t->tsc_to_system_mul = pv->cur.mul;
	t->tsc_shift = pv->cur.shift;
	t->flags = pv->cur.flags;
	/* ...and every field before the even version. */
	smp_wmb();
	pv->version += 2;
	WRITE_ONCE(t->version, pv->version);
	kunmap_local(va);
}

void zxhv_vmx_pvclock_before_entry(struct zxhv_arch_vcpu *v)
{
	struct zxhv_pvclock *pv = &v->pv;
	bool stable = host_tsc_stable();
	unsigned long flags;
	u64 floor = 0, tsc, ns;

	if (!pv->page)
		return;
	if (pv->written && stable && (pv->cur.flags & PVCLOCK_TSC_STABLE_BIT))
		return;
	if (pv->entered)
		floor = zxhv_pvclock_guest_ns(&pv->cur, pv->exit_tsc);
	else if (pv->version)
		floor = pv->cur.ns;
	/* The two readings as close together as possible. */
	local_irq_save(flags);
	tsc = rdtsc_ordered();
	ns = ktime_get_ns();
	local_irq_restore(flags);
	zxhv_pvclock_next(&pv->cur, ns, tsc, floor, tsc_khz * 1000ULL, stable);
	pvclock_write(pv);
	pv->written = true;
	pv->entered = false;
}

void zxhv_vmx_pvclock_after_exit(struct zxhv_arch_vcpu *v)
{
	struct zxhv_pvclock *pv = &v->pv;

	if (!pv->written)
		return;
	pv->exit_tsc = rdtsc_ordered();
	pv->entered = true;
}
