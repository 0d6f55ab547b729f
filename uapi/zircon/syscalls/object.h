/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls/object.h: the zx_object_get_info() topics a VMM uses and
 * the records they return.  ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC
 * work on any handle; ZX_INFO_VCPU reports the sticky "kicked" flag that
 * zx_vcpu_kick() sets.  ZX_INFO_GUEST_STATS is reserved: its record is not
 * part of this ABI yet.
 */
#ifndef ZIRCON_SYSCALLS_OBJECT_H_
#define ZIRCON_SYSCALLS_OBJECT_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

typedef uint32_t zx_object_info_topic_t;

#define ZX_INFO_HANDLE_VALID		((zx_object_info_topic_t)1u)	/* no record */
#define ZX_INFO_HANDLE_BASIC		((zx_object_info_topic_t)2u)	/* zx_info_handle_basic_t */
#define ZX_INFO_GUEST_STATS		((zx_object_info_topic_t)29u)
#define ZX_INFO_VCPU			((zx_object_info_topic_t)32u)	/* zx_info_vcpu_t */

/*
 * Object properties.  Older ABIs reported them in zx_info_handle_basic_t
 * (the field now called reserved); kept for code written against those.
 */
typedef uint32_t zx_obj_props_t;

#define ZX_OBJ_PROP_NONE		((zx_obj_props_t)0u)
#define ZX_OBJ_PROP_WAITABLE		((zx_obj_props_t)1u)

typedef struct zx_info_handle_basic {
	zx_koid_t koid;
	zx_rights_t rights;
	zx_obj_type_t type;		/* ZX_OBJ_TYPE_* */
	zx_koid_t related_koid;
	uint32_t reserved;
	uint8_t padding1[4];
} zx_info_handle_basic_t;

/* zx_info_vcpu_t.flags */
#define ZX_INFO_VCPU_FLAG_KICKED	((uint32_t)(1u << 0))

typedef struct zx_info_vcpu {
	uint32_t flags;
} zx_info_vcpu_t;

ZX_ASSERT_SIZE(zx_object_info_topic_t, 4);

ZX_ASSERT_SIZE(zx_info_handle_basic_t, 32);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, koid, 0);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, rights, 8);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, type, 12);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, related_koid, 16);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, reserved, 24);
ZX_ASSERT_OFFSET(zx_info_handle_basic_t, padding1, 28);

ZX_ASSERT_SIZE(zx_info_vcpu_t, 4);
ZX_ASSERT_OFFSET(zx_info_vcpu_t, flags, 0);

#endif /* ZIRCON_SYSCALLS_OBJECT_H_ */
