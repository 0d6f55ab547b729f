/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMX glue of the local APIC (lapic.h has the model): a device model
 * whose MSR call returns an outcome; vmexit.c completes the exit.
 */
#ifndef ZXHV_VMX_LAPIC_VMX_H
#define ZXHV_VMX_LAPIC_VMX_H

#include <linux/types.h>
#include <zircon/syscalls/port.h>

#include "emulate.h"

struct zxhv_arch_vcpu;
struct vmx_exit;

/* Set-up at create (after zxhv_vmx_vcpu_init_state()), hrtimer cancelled at destroy. */
void zxhv_vmx_lapic_init(struct zxhv_arch_vcpu *v);
void zxhv_vmx_lapic_destroy(struct zxhv_arch_vcpu *v);

/*
 * RDMSR/WRMSR of an x2APIC register or IA32_TSC_DEADLINE (emulate.h's
 * ZXHV_EMU_MSR_LAPIC), VMCS loaded, never sleeps.  *@value: the value
 * written, or set to the value read.  ZXHV_EMU_MSR_OK; ZXHV_EMU_MSR_GP;
 * ZXHV_EMU_MSR_INVALID (reported here, from @e); ZXHV_EMU_MSR_PACKET for
 * an ICR write with a GUEST_VCPU packet in *@pkt; ZXHV_EMU_MSR_UNSUPPORTED
 * for an ICR write of a kind that is not emulated.
 */
enum zxhv_emu_msr zxhv_vmx_lapic_msr(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				     u32 index, bool write, u64 *value,
				     zx_port_packet_t *pkt);

#endif /* ZXHV_VMX_LAPIC_VMX_H */
