/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/compiler.h: the few compiler helpers the other libzx headers share.
 * __BEGIN_CDECLS/__END_CDECLS give C linkage to declarations when a header is
 * read by a C++ compiler, and ZX_STATIC_ASSERT checks a constant expression
 * at compile time in C11, C++11 and in the Linux kernel, so every header can
 * pin the values and layouts that the Zircon ABI fixes.
 */
#ifndef ZIRCON_COMPILER_H_
#define ZIRCON_COMPILER_H_

#ifndef __BEGIN_CDECLS
#if defined(__cplusplus)
#define __BEGIN_CDECLS	extern "C" {
#define __END_CDECLS	}
#else
#define __BEGIN_CDECLS
#define __END_CDECLS
#endif
#endif

#if defined(__cplusplus)
#define ZX_STATIC_ASSERT(cond)	static_assert(cond, #cond)
#define ZX_ALIGNOF(type)	alignof(type)
#else
#define ZX_STATIC_ASSERT(cond)	_Static_assert(cond, #cond)
#define ZX_ALIGNOF(type)	_Alignof(type)
#endif

/* Layout pins: the size of a type, the offset of a member (needs <stddef.h>). */
#define ZX_ASSERT_SIZE(type, size)	ZX_STATIC_ASSERT(sizeof(type) == (size))
#define ZX_ASSERT_OFFSET(type, member, off) \
	ZX_STATIC_ASSERT(offsetof(type, member) == (off))

#endif /* ZIRCON_COMPILER_H_ */
