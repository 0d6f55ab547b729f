/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between the generic zircon-hv code and the architecture
 * backend (today only Intel VMX, under arch/x86/vmx/).  Generic code calls
 * these functions and never includes a VMX header.
 */
#ifndef ZXHV_ARCH_H
#define ZXHV_ARCH_H

#include <linux/types.h>
#include <zircon/types.h>
#include "../uapi/zircon-hv.h"

/*
 * zxhv_arch_probe - check on every online CPU whether guests can run.
 * @out: filled with the first CPU that cannot run guests, or with
 *       ZXHV_VMX_READY and the last CPU probed.
 *
 * Sleeps (takes the CPU hotplug lock and IPIs each CPU).
 */
void zxhv_arch_probe(struct zxhv_vmx_probe *out);

/*
 * zxhv_arch_probe_explain - one line saying what a probe result means for
 * the user and what to do about it.  Never returns NULL.
 */
const char *zxhv_arch_probe_explain(u32 result);

/*
 * The hardware side of one guest: VMX operation held for it (the first
 * guest turns on VMX on every CPU, the last one's destruction turns it
 * off), its EPT, and the INVEPTs that keep the EPT coherent with the
 * guest-physical address space.  Opaque to generic code.
 */
struct zxhv_arch_guest;

/*
 * zxhv_arch_guest_create - ZX_OK, ZX_ERR_NOT_SUPPORTED (no VMX on some
 * CPU, or another hypervisor owns it; dmesg says which), or
 * ZX_ERR_NO_MEMORY.  Sleeps.
 */
zx_status_t zxhv_arch_guest_create(struct zxhv_arch_guest **out);

/* Frees the EPT and drops VMX operation.  No VCPU may use it any more. */
void zxhv_arch_guest_destroy(struct zxhv_arch_guest *ag);

/*
 * zxhv_arch_guest_invalidate - [@gpa, @gpa + @len) (page aligned, below
 * 2^48) lost some or all of its access: remove its translations (they
 * fault back in on demand) and flush them from every CPU.  Called with
 * the guest's address space locked for writing.  Sleeps; cannot fail.
 */
void zxhv_arch_guest_invalidate(struct zxhv_arch_guest *ag, u64 gpa, u64 len);

#endif /* ZXHV_ARCH_H */
