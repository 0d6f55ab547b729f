// SPDX-License-Identifier: GPL-2.0-only
/*
 * Calls about the module itself, open to any process holding the file:
 * the ABI version and the VMX probe (cached for a second).  Both only copy
 * a result out.
 */
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <zircon-hv.h>

#include "arch.h"
#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(GET_API_VERSION, get_api_version, zxhv_api_version)
{
	a->major = ZXHV_API_VERSION_MAJOR;
	a->minor = ZXHV_API_VERSION_MINOR;
	return ZX_OK;
}

/*
 * The probe runs a function on every online CPU (an IPI each), and any
 * opener may call it: callers share one result, at most a second old, so
 * a loop of calls cannot storm the other CPUs (issue 16, F11).
 */
static DEFINE_MUTEX(zxhv_probe_lock);
static struct zxhv_vmx_probe zxhv_probe_cached;
static unsigned long zxhv_probe_stamp;
static bool zxhv_probe_valid;

ZXHV_SYSCALL_DEFINE(VMX_PROBE, vmx_probe, zxhv_vmx_probe)
{
	mutex_lock(&zxhv_probe_lock);
	if (!zxhv_probe_valid || time_after(jiffies, zxhv_probe_stamp + HZ)) {
		zxhv_arch_probe(&zxhv_probe_cached);
		zxhv_probe_stamp = jiffies;
		zxhv_probe_valid = true;
	}
	*a = zxhv_probe_cached;
	mutex_unlock(&zxhv_probe_lock);
	return ZX_OK;
}
