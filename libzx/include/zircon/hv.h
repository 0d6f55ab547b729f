/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/hv.h: the Linux-specific part of libzx, prefixed zxhv_.  These
 * calls describe the host rather than a Zircon object: which ABI version the
 * zircon-hv module speaks and whether this machine can run guests at all
 * (and if not, why).  libzx opens /dev/zircon-hv on the first call that needs
 * it; a module whose major API version differs from ZXHV_API_VERSION_MAJOR in
 * <zircon-hv.h> makes every call fail with ZX_ERR_NOT_SUPPORTED, except
 * zxhv_api_version(), which reports the module's version so a tool can say
 * what is wrong.
 */
#ifndef ZIRCON_HV_H_
#define ZIRCON_HV_H_

#include <zircon-hv.h>
#include <zircon/compiler.h>
#include <zircon/types.h>

__BEGIN_CDECLS

/* The answer of zxhv_vmx_probe(); result is one of enum zxhv_vmx_probe_result. */
typedef struct zxhv_vmx_probe zxhv_vmx_probe_t;

/*
 * Reports the API version of the loaded module, even one libzx cannot use.
 * ZX_ERR_INVALID_ARGS if either pointer is NULL; ZX_ERR_NOT_SUPPORTED if the
 * module is not loaded; ZX_ERR_ACCESS_DENIED if the device cannot be opened.
 */
zx_status_t zxhv_api_version(uint32_t *major, uint32_t *minor);

/*
 * Asks the module whether VMX is usable on every online CPU.  ZX_OK means the
 * probe ran: out->result then says whether guests can run.
 */
zx_status_t zxhv_vmx_probe(zxhv_vmx_probe_t *out);

/* A one-line explanation of a probe result, with the fix where there is one. */
const char *zxhv_vmx_probe_result_string(uint32_t result);

__END_CDECLS

#endif /* ZIRCON_HV_H_ */
