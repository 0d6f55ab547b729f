/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/status.h: zx_status_get_string() turns a zx_status_t into its
 * symbolic name ("ZX_OK", "ZX_ERR_INVALID_ARGS", ...) for messages and logs.
 * Values that are not a known status give "(UNKNOWN)".  The returned string
 * is static; never free it.
 */
#ifndef ZIRCON_STATUS_H_
#define ZIRCON_STATUS_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

const char *zx_status_get_string(zx_status_t status);

__END_CDECLS

#endif /* ZIRCON_STATUS_H_ */
