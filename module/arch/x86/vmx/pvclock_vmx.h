/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX glue of kvmclock (pvclock.h has the ABI and the model): the
 * KVM clock MSRs and the structure's updates around each entry.  A device
 * model: the MSR call returns an outcome, the exit handler completes the
 * exit (vmexit.c).
 */
#ifndef ZXHV_VMX_PVCLOCK_VMX_H
#define ZXHV_VMX_PVCLOCK_VMX_H

#include <linux/types.h>

#include "emulate.h"

struct zxhv_arch_vcpu;

/*
 * RDMSR/WRMSR of a KVM clock MSR (ZXHV_EMU_MSR_PARAVIRT).  A write sleeps
 * (guest memory): the caller puts the VMCS around it (vcpu_priv.h). Reads
 * give the last value written.  System time with bit 0 set registers the
 * structure at the rest of the value (a GPA failing zxhv_pvclock_gpa_ok()
 * or not mapped writable: #GP), with bit 0 clear stops the clock.  Wall
 * clock zeroes the 12-byte {version, sec, nsec} at the GPA (boot time is
 * always 0; unmapped: #GP).  ZXHV_EMU_MSR_OK (*@value set for a read) or
 * ZXHV_EMU_MSR_GP.
 */
enum zxhv_emu_msr zxhv_vmx_pvclock_msr(struct zxhv_arch_vcpu *v, u32 index, bool write,
				       u64 *value);

/*
 * Run loop, VMCS loaded (preemption off) on the CPU about to enter: writes
 * the structure when it is not current (registration, or a host TSC that
 * is not stable: then before every entry, with this CPU's TSC).
 */
void zxhv_vmx_pvclock_before_entry(struct zxhv_arch_vcpu *v);
/* Run loop, right after the exit, same CPU. */
void zxhv_vmx_pvclock_after_exit(struct zxhv_arch_vcpu *v);
/* Drops the pinned page (VCPU destruction). */
void zxhv_vmx_pvclock_release(struct zxhv_arch_vcpu *v);

#endif /* ZXHV_VMX_PVCLOCK_VMX_H */
