// SPDX-License-Identifier: BSD-2-Clause
/*
 * zxhv_vmx_probe(): can this host run guests, and if not, what to do about it.
 */
#include <zircon-hv.h>
#include <zircon/hv.h>

#include "internal.h"

static const char *const probe_result_strings[] = {
	[ZXHV_VMX_READY] =
		"VMX is enabled and free on every online CPU: guests can run",
	[ZXHV_VMX_NO_CPU_SUPPORT] =
		"the CPU does not offer VMX (CPUID.1:ECX.VMX = 0): use an Intel CPU with "
		"VT-x, or enable nested virtualization for this VM",
	[ZXHV_VMX_DISABLED_BY_FIRMWARE] =
		"VMX is disabled in IA32_FEATURE_CONTROL by the firmware: enable Intel VT-x "
		"in the BIOS/UEFI setup",
	[ZXHV_VMX_IN_USE] =
		"another hypervisor (e.g. kvm_intel) has VMX enabled: unload it "
		"(rmmod kvm_intel) first",
};

ZXHV_EXPORT zx_status_t zxhv_vmx_probe(zxhv_vmx_probe_t *out)
{
	if (!out)
		return ZX_ERR_INVALID_ARGS;
	/* The module writes *out: a pointer it cannot write is INVALID_ARGS. */
	return zxhv_ioctl(ZXHV_IOC_VMX_PROBE, out);
}

ZXHV_EXPORT const char *zxhv_vmx_probe_result_string(uint32_t result)
{
	size_t n = sizeof(probe_result_strings) / sizeof(probe_result_strings[0]);

	if (result >= n || !probe_result_strings[result])
		return "unknown VMX probe result: the module is newer than libzx";
	return probe_result_strings[result];
}
