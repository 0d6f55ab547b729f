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

/*
 * The hypervisor resource, which zx_guest_create() needs: a new handle to a
 * ZX_RSRC_KIND_SYSTEM resource over [ZX_RSRC_SYSTEM_HYPERVISOR_BASE, +1) with
 * ZX_DEFAULT_RESOURCE_RIGHTS.  Only for a caller with CAP_SYS_ADMIN or in the
 * group whose gid is the module parameter hypervisor_gid (default -1: no
 * group; the DKMS install sets it to the zircon-hv group's gid);
 * everyone else gets ZX_ERR_ACCESS_DENIED.  A privileged process can hand
 * the resource to an unprivileged one with zxhv_handle_export().
 * ZX_ERR_INVALID_ARGS if @out is not writable.
 */
zx_status_t zxhv_hypervisor_resource(zx_handle_t *out);

/*
 * Handles crossing processes.  zxhv_handle_export() moves @handle, which
 * must hold ZX_RIGHT_TRANSFER (else ZX_ERR_ACCESS_DENIED), out of this
 * process's table into a new O_CLOEXEC file descriptor stored in *fd_out;
 * send it with SCM_RIGHTS (or clear FD_CLOEXEC and exec).  Closing the
 * descriptor closes the handle.  zxhv_handle_import() moves the handle
 * held by @fd into this process's table with the same rights and stores
 * its value in *out; @fd stays open and empty (close it), and importing it
 * again gives ZX_ERR_BAD_HANDLE, as does a descriptor that is not an
 * exported handle.  A pointer that cannot be written gives
 * ZX_ERR_INVALID_ARGS and leaves the handle where it was.
 */
zx_status_t zxhv_handle_export(zx_handle_t handle, int *fd_out);
zx_status_t zxhv_handle_import(int fd, zx_handle_t *out);

__END_CDECLS

#endif /* ZIRCON_HV_H_ */
