/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/errors.h: the zx_status_t values (docs/api.md §2.1).  ZX_OK is zero and
 * every error is negative.  Three of them never reach a caller of a zx_*
 * function: ZX_ERR_INTERNAL_INTR_RETRY and ZX_ERR_INTERNAL_INTR_KILLED steer
 * the kernel's syscall restart logic, and ZX_ERR_NEXT is the kernel's
 * "deliver this packet" result inside zx_vcpu_enter().  They are listed so
 * that zx_status_get_string() can name them.  This header has no includes,
 * so the kernel module can use it too.
 */
#ifndef ZIRCON_ERRORS_H_
#define ZIRCON_ERRORS_H_

#define ZX_OK				(0)

#define ZX_ERR_INTERNAL			(-1)
#define ZX_ERR_NOT_SUPPORTED		(-2)
#define ZX_ERR_NO_RESOURCES		(-3)
#define ZX_ERR_NO_MEMORY		(-4)
#define ZX_ERR_INTERNAL_INTR_RETRY	(-6)	/* internal */

#define ZX_ERR_INVALID_ARGS		(-10)
#define ZX_ERR_BAD_HANDLE		(-11)
#define ZX_ERR_WRONG_TYPE		(-12)
#define ZX_ERR_BAD_SYSCALL		(-13)
#define ZX_ERR_OUT_OF_RANGE		(-14)
#define ZX_ERR_BUFFER_TOO_SMALL		(-15)

#define ZX_ERR_BAD_STATE		(-20)
#define ZX_ERR_TIMED_OUT		(-21)
#define ZX_ERR_SHOULD_WAIT		(-22)
#define ZX_ERR_CANCELED			(-23)
#define ZX_ERR_PEER_CLOSED		(-24)
#define ZX_ERR_NOT_FOUND		(-25)
#define ZX_ERR_ALREADY_EXISTS		(-26)
#define ZX_ERR_ALREADY_BOUND		(-27)
#define ZX_ERR_UNAVAILABLE		(-28)

#define ZX_ERR_ACCESS_DENIED		(-30)

#define ZX_ERR_STOP			(-60)
#define ZX_ERR_NEXT			(-61)	/* internal: deliver a packet */

#define ZX_ERR_INTERNAL_INTR_KILLED	(-502)	/* internal */

#endif /* ZIRCON_ERRORS_H_ */
