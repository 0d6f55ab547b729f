/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/types.h: the scalar types of the Zircon ABI (status, handle, rights,
 * addresses, time) and the option bits of zx_vmar_map() and zx_vmo_create().
 * Values follow the contract in docs/api.md §2.3.  The header also builds inside the
 * Linux kernel (module/ shares it), where <linux/types.h> supplies the fixed
 * width integer types instead of <stdint.h>.
 */
#ifndef ZIRCON_TYPES_H_
#define ZIRCON_TYPES_H_

#if defined(__KERNEL__)
#include <linux/stddef.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#include <zircon/compiler.h>
#include <zircon/errors.h>

typedef int32_t zx_status_t;
typedef uint32_t zx_handle_t;
typedef uint32_t zx_rights_t;
typedef uint32_t zx_signals_t;
typedef uint32_t zx_obj_type_t;
typedef uint32_t zx_vm_option_t;
typedef uint32_t zx_rsrc_kind_t;
typedef uint32_t zx_rsrc_flags_t;
typedef uint64_t zx_koid_t;
typedef uint64_t zx_off_t;
typedef uintptr_t zx_vaddr_t;
typedef uintptr_t zx_paddr_t;
typedef uintptr_t zx_gpaddr_t;
typedef int64_t zx_time_t;	/* nanoseconds, monotonic clock */
typedef int64_t zx_duration_t;	/* nanoseconds */
typedef int64_t zx_ticks_t;

/* Handles: 0 is never valid; every valid value has the low two bits set. */
#define ZX_HANDLE_INVALID		((zx_handle_t)0)
#define ZX_HANDLE_FIXED_BITS_MASK	((zx_handle_t)0x3)

/* A deadline that never passes (INT64_MAX). */
#define ZX_TIME_INFINITE		((zx_time_t)0x7FFFFFFFFFFFFFFFLL)

/* Object names, including the terminating NUL (31 characters are kept). */
#define ZX_MAX_NAME_LEN			((size_t)32u)

/* Object types, as reported in zx_info_handle_basic_t.type. */
#define ZX_OBJ_TYPE_PROCESS		((zx_obj_type_t)1u)
#define ZX_OBJ_TYPE_THREAD		((zx_obj_type_t)2u)
#define ZX_OBJ_TYPE_VMO			((zx_obj_type_t)3u)
#define ZX_OBJ_TYPE_PORT		((zx_obj_type_t)6u)
#define ZX_OBJ_TYPE_RESOURCE		((zx_obj_type_t)15u)
#define ZX_OBJ_TYPE_VMAR		((zx_obj_type_t)18u)
#define ZX_OBJ_TYPE_GUEST		((zx_obj_type_t)20u)
#define ZX_OBJ_TYPE_VCPU		((zx_obj_type_t)21u)

/* zx_vmar_map() and zx_vmar_allocate() options. */
#define ZX_VM_PERM_READ			((zx_vm_option_t)(1u << 0))
#define ZX_VM_PERM_WRITE		((zx_vm_option_t)(1u << 1))
#define ZX_VM_PERM_EXECUTE		((zx_vm_option_t)(1u << 2))
#define ZX_VM_COMPACT			((zx_vm_option_t)(1u << 3))
#define ZX_VM_SPECIFIC			((zx_vm_option_t)(1u << 4))
#define ZX_VM_SPECIFIC_OVERWRITE	((zx_vm_option_t)(1u << 5))
#define ZX_VM_CAN_MAP_SPECIFIC		((zx_vm_option_t)(1u << 6))
#define ZX_VM_CAN_MAP_READ		((zx_vm_option_t)(1u << 7))
#define ZX_VM_CAN_MAP_WRITE		((zx_vm_option_t)(1u << 8))
#define ZX_VM_CAN_MAP_EXECUTE		((zx_vm_option_t)(1u << 9))
#define ZX_VM_MAP_RANGE			((zx_vm_option_t)(1u << 10))
#define ZX_VM_REQUIRE_NON_RESIZABLE	((zx_vm_option_t)(1u << 11))
#define ZX_VM_ALLOW_FAULTS		((zx_vm_option_t)(1u << 12))
#define ZX_VM_OFFSET_IS_UPPER_LIMIT	((zx_vm_option_t)(1u << 13))
#define ZX_VM_PERM_READ_IF_XOM_UNSUPPORTED ((zx_vm_option_t)(1u << 14))

/*
 * Alignment requests: the option bits from 24 up hold log2 of the
 * alignment.  Only 2^10 (1 KiB) to 2^32 (4 GiB) are valid.
 */
#define ZX_VM_ALIGN_BASE		24
#define ZX_VM_ALIGN_1KB			((zx_vm_option_t)(10u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2KB			((zx_vm_option_t)(11u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4KB			((zx_vm_option_t)(12u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8KB			((zx_vm_option_t)(13u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16KB		((zx_vm_option_t)(14u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32KB		((zx_vm_option_t)(15u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64KB		((zx_vm_option_t)(16u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128KB		((zx_vm_option_t)(17u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256KB		((zx_vm_option_t)(18u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512KB		((zx_vm_option_t)(19u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1MB			((zx_vm_option_t)(20u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2MB			((zx_vm_option_t)(21u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4MB			((zx_vm_option_t)(22u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_8MB			((zx_vm_option_t)(23u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_16MB		((zx_vm_option_t)(24u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_32MB		((zx_vm_option_t)(25u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_64MB		((zx_vm_option_t)(26u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_128MB		((zx_vm_option_t)(27u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_256MB		((zx_vm_option_t)(28u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_512MB		((zx_vm_option_t)(29u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_1GB			((zx_vm_option_t)(30u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_2GB			((zx_vm_option_t)(31u << ZX_VM_ALIGN_BASE))
#define ZX_VM_ALIGN_4GB			((zx_vm_option_t)(32u << ZX_VM_ALIGN_BASE))

/* zx_vmo_create() options. */
#define ZX_VMO_RESIZABLE		((uint32_t)(1u << 1))
#define ZX_VMO_DISCARDABLE		((uint32_t)(1u << 2))
#define ZX_VMO_TRAP_DIRTY		((uint32_t)(1u << 3))

ZX_ASSERT_SIZE(zx_status_t, 4);
ZX_ASSERT_SIZE(zx_handle_t, 4);
ZX_ASSERT_SIZE(zx_rights_t, 4);
ZX_ASSERT_SIZE(zx_koid_t, 8);
ZX_ASSERT_SIZE(zx_vaddr_t, 8);
ZX_ASSERT_SIZE(zx_gpaddr_t, 8);
ZX_ASSERT_SIZE(zx_time_t, 8);

#endif /* ZIRCON_TYPES_H_ */
