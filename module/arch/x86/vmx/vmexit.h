/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VM exits (vmexit.c): the table and its handlers, called by the run loop
 * with the VMCS loaded.
 */
#ifndef ZXHV_VMX_VMEXIT_H
#define ZXHV_VMX_VMEXIT_H

#include <linux/types.h>
#include <zircon/syscalls/port.h>
#include <zircon/types.h>

struct zxhv_arch_vcpu;
struct vmx_exit;

/*
 * The exit @e, through its handler: ZX_OK resumes the guest, ZX_ERR_NEXT
 * returns *@pkt, anything else is what zx_vcpu_enter returns.  VMCS loaded
 * before and after (a handler that sleeps reloads it).
 */
zx_status_t zxhv_vmx_vmexit_handle(struct zxhv_arch_vcpu *v, const struct vmx_exit *e,
				   zx_port_packet_t *pkt);

/*
 * After zxhv_vmx_vmexit_handle(): whether the handler walked host
 * memory-management structures (an EPT fault-in), so that the next entry
 * flushes L1D (spec.h).  Trap exits (MEM, IO, BELL) do not: they touch
 * only the trap map and the port.
 */
bool zxhv_vmx_vmexit_walked_host_mm(struct zxhv_arch_vcpu *v);

/*
 * Queue the pending BELL packet (v->bell_trap), blocking while the trap's
 * packets are all queued; VMCS put.  ZX_OK; ZX_ERR_BAD_STATE when the port
 * has no handles left; ZX_ERR_INTERNAL_INTR_RETRY on a signal and
 * ZX_ERR_CANCELED on a kick (v->kicked, left set), the bell still pending.
 */
zx_status_t zxhv_vmx_vmexit_deliver_bell(struct zxhv_arch_vcpu *v);

#endif /* ZXHV_VMX_VMEXIT_H */
