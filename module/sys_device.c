// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls about the module itself, open to any process holding the file:
 * the ABI version and the VMX probe (cached for a second).  Both only copy
 * a result out.
 */
#include <zircon-hv.h>

#include "arch.h"
#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(GET_API_VERSION, get_api_version, zxhv_api_version)
{
	a->major = ZXHV_API_VERSION_MAJOR;
	a->minor = ZXHV_API_VERSION_MINOR;
	return ZX_OK;
}

/* Any opener may call it: the shared result, at most a second old (arch.h). */
ZXHV_SYSCALL_DEFINE(VMX_PROBE, vmx_probe, zxhv_vmx_probe)
{
	zxhv_arch_probe_shared(a);
	return ZX_OK;
}
