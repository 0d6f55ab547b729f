/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls/resource.h: resource kinds and the ranges within the
 * SYSTEM kind (docs/api.md §2.3, newest generation).  zx_resource_create() takes
 * options = kind (low 16 bits) | flags (high 16 bits).  The hypervisor
 * resource is ZX_RSRC_KIND_SYSTEM over [ZX_RSRC_SYSTEM_HYPERVISOR_BASE, +1).
 * The older numbering (HYPERVISOR 3, ROOT 4, VMEX 5, SMC 6) is not offered:
 * its ZX_RSRC_KIND_HYPERVISOR (3) is today's ZX_RSRC_KIND_ROOT.
 */
#ifndef ZIRCON_SYSCALLS_RESOURCE_H_
#define ZIRCON_SYSCALLS_RESOURCE_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

#define ZX_RSRC_KIND_MMIO		((zx_rsrc_kind_t)0u)
#define ZX_RSRC_KIND_IRQ		((zx_rsrc_kind_t)1u)
#define ZX_RSRC_KIND_IOPORT		((zx_rsrc_kind_t)2u)
#define ZX_RSRC_KIND_ROOT		((zx_rsrc_kind_t)3u)
#define ZX_RSRC_KIND_SMC		((zx_rsrc_kind_t)4u)
#define ZX_RSRC_KIND_SYSTEM		((zx_rsrc_kind_t)5u)
#define ZX_RSRC_KIND_COUNT		((zx_rsrc_kind_t)6u)

#define ZX_RSRC_FLAG_EXCLUSIVE		((zx_rsrc_flags_t)0x00010000u)
#define ZX_RSRC_FLAGS_MASK		((zx_rsrc_flags_t)ZX_RSRC_FLAG_EXCLUSIVE)

#define ZX_RSRC_EXTRACT_KIND(x)		((zx_rsrc_kind_t)((x) & 0x0000FFFFu))
#define ZX_RSRC_EXTRACT_FLAGS(x)	((zx_rsrc_flags_t)((x) & 0xFFFF0000u))

/* Bases of the one-wide ranges inside ZX_RSRC_KIND_SYSTEM. */
#define ZX_RSRC_SYSTEM_HYPERVISOR_BASE	((uint64_t)0u)
#define ZX_RSRC_SYSTEM_VMEX_BASE	((uint64_t)1u)
#define ZX_RSRC_SYSTEM_DEBUG_BASE	((uint64_t)2u)
#define ZX_RSRC_SYSTEM_INFO_BASE	((uint64_t)3u)
#define ZX_RSRC_SYSTEM_CPU_BASE		((uint64_t)4u)
#define ZX_RSRC_SYSTEM_POWER_BASE	((uint64_t)5u)
#define ZX_RSRC_SYSTEM_MEXEC_BASE	((uint64_t)6u)
#define ZX_RSRC_SYSTEM_ENERGY_INFO_BASE	((uint64_t)7u)
#define ZX_RSRC_SYSTEM_IOMMU_BASE	((uint64_t)8u)
#define ZX_RSRC_SYSTEM_COUNT		((uint64_t)9u)

#endif /* ZIRCON_SYSCALLS_RESOURCE_H_ */
