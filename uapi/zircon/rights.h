/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/rights.h: handle rights (docs/api.md §2.2).  A handle carries a set of
 * these bits and every call checks the one right it needs, in the kernel.
 * The ZX_DEFAULT_*_RIGHTS values are the rights a freshly created object's
 * handle gets; each is composed from the bits here and pinned to the number
 * the spec computes, so a wrong bit fails the build.  Where Zircon changed a
 * default over time, the newest value is used (guest: MANAGE_THREAD instead of
 * MANAGE_PROCESS; VMAR: with OP_CHILDREN).
 */
#ifndef ZIRCON_RIGHTS_H_
#define ZIRCON_RIGHTS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

#define ZX_RIGHT_NONE			((zx_rights_t)0u)
#define ZX_RIGHT_DUPLICATE		((zx_rights_t)(1u << 0))
#define ZX_RIGHT_TRANSFER		((zx_rights_t)(1u << 1))
#define ZX_RIGHT_READ			((zx_rights_t)(1u << 2))
#define ZX_RIGHT_WRITE			((zx_rights_t)(1u << 3))
#define ZX_RIGHT_EXECUTE		((zx_rights_t)(1u << 4))
#define ZX_RIGHT_MAP			((zx_rights_t)(1u << 5))
#define ZX_RIGHT_GET_PROPERTY		((zx_rights_t)(1u << 6))
#define ZX_RIGHT_SET_PROPERTY		((zx_rights_t)(1u << 7))
#define ZX_RIGHT_ENUMERATE		((zx_rights_t)(1u << 8))
#define ZX_RIGHT_DESTROY		((zx_rights_t)(1u << 9))
#define ZX_RIGHT_SET_POLICY		((zx_rights_t)(1u << 10))
#define ZX_RIGHT_GET_POLICY		((zx_rights_t)(1u << 11))
#define ZX_RIGHT_SIGNAL			((zx_rights_t)(1u << 12))
#define ZX_RIGHT_SIGNAL_PEER		((zx_rights_t)(1u << 13))
#define ZX_RIGHT_WAIT			((zx_rights_t)(1u << 14))
#define ZX_RIGHT_INSPECT		((zx_rights_t)(1u << 15))
#define ZX_RIGHT_MANAGE_JOB		((zx_rights_t)(1u << 16))
#define ZX_RIGHT_MANAGE_PROCESS		((zx_rights_t)(1u << 17))
#define ZX_RIGHT_MANAGE_THREAD		((zx_rights_t)(1u << 18))
#define ZX_RIGHT_APPLY_PROFILE		((zx_rights_t)(1u << 19))
#define ZX_RIGHT_MANAGE_SOCKET		((zx_rights_t)(1u << 20))
#define ZX_RIGHT_OP_CHILDREN		((zx_rights_t)(1u << 21))
#define ZX_RIGHT_RESIZE			((zx_rights_t)(1u << 22))

/* Passed to zx_handle_duplicate()/zx_handle_replace(): keep the source's rights. */
#define ZX_RIGHT_SAME_RIGHTS		((zx_rights_t)(1u << 31))

#define ZX_RIGHTS_BASIC \
	(ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WAIT | ZX_RIGHT_INSPECT)
#define ZX_RIGHTS_IO			(ZX_RIGHT_READ | ZX_RIGHT_WRITE)
#define ZX_RIGHTS_PROPERTY		(ZX_RIGHT_GET_PROPERTY | ZX_RIGHT_SET_PROPERTY)

#define ZX_DEFAULT_GUEST_RIGHTS \
	(ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT | \
	 ZX_RIGHT_MANAGE_THREAD)
#define ZX_DEFAULT_VCPU_RIGHTS \
	(ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHT_EXECUTE | ZX_RIGHT_SIGNAL)
#define ZX_DEFAULT_VMO_RIGHTS \
	(ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY | ZX_RIGHT_MAP | ZX_RIGHT_SIGNAL)
#define ZX_DEFAULT_VMAR_RIGHTS \
	((ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHT_OP_CHILDREN)
#define ZX_DEFAULT_PORT_RIGHTS \
	((ZX_RIGHTS_BASIC & ~ZX_RIGHT_WAIT) | ZX_RIGHTS_IO)
#define ZX_DEFAULT_RESOURCE_RIGHTS \
	(ZX_RIGHT_TRANSFER | ZX_RIGHT_DUPLICATE | ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT)

ZX_STATIC_ASSERT(ZX_RIGHTS_BASIC == 0xC003u);
ZX_STATIC_ASSERT(ZX_RIGHTS_IO == 0xCu);
ZX_STATIC_ASSERT(ZX_DEFAULT_GUEST_RIGHTS == 0x4800Bu);
ZX_STATIC_ASSERT(ZX_DEFAULT_VCPU_RIGHTS == 0xD01Fu);
ZX_STATIC_ASSERT(ZX_DEFAULT_VMO_RIGHTS == 0xD0EFu);
ZX_STATIC_ASSERT(ZX_DEFAULT_VMAR_RIGHTS == 0x208003u);
ZX_STATIC_ASSERT(ZX_DEFAULT_PORT_RIGHTS == 0x800Fu);
ZX_STATIC_ASSERT(ZX_DEFAULT_RESOURCE_RIGHTS == 0x800Bu);

#endif /* ZIRCON_RIGHTS_H_ */
