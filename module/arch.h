/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The contract between the generic zircon-hv code and the architecture
 * backend (today only Intel VMX, under arch/x86/vmx/).  Generic code calls
 * these functions and never includes a VMX header.
 */
#ifndef ZXHV_ARCH_H
#define ZXHV_ARCH_H

#include <linux/types.h>
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

#endif /* ZXHV_ARCH_H */
