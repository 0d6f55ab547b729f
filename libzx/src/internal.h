/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libzx internals shared between source files.  Nothing here is exported
 * from libzx.so: the library is built with -fvisibility=hidden, only
 * definitions marked ZXHV_EXPORT are public, and libzx.map repeats that list.
 */
#ifndef LIBZX_INTERNAL_H_
#define LIBZX_INTERNAL_H_

#include <zircon/types.h>

#define ZXHV_EXPORT	__attribute__((visibility("default")))
#define ZXHV_HIDDEN	__attribute__((visibility("hidden")))

/*
 * Issues one ioctl on /dev/zircon-hv, opening it first if needed.  Returns
 * the zx status the module produced, or the status the transport failure
 * maps to (see zxhv_errno_to_status()).
 */
ZXHV_HIDDEN zx_status_t zxhv_ioctl(unsigned long req, void *arg);

/* The one place a Linux errno becomes a zx_status_t. */
ZXHV_HIDDEN zx_status_t zxhv_errno_to_status(int err);

#endif /* LIBZX_INTERNAL_H_ */
