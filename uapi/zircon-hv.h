/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * zircon-hv: the ioctl ABI between libzx and /dev/zircon-hv.
 *
 * Every Zircon call that libzx implements is one ioctl on the file
 * descriptor of /dev/zircon-hv.  Two error domains are kept apart:
 *
 *  - The ioctl's own failure (return value -1 with errno set) means the
 *    transport failed: an unknown ioctl number (ENOTTY), an argument block
 *    that could not be copied (EFAULT), or a signal that must restart the
 *    call (never visible to libzx; the kernel restarts it).
 *  - Otherwise the ioctl returns a non-negative value, which is the Zircon
 *    status negated: 0 is ZX_OK, 10 is ZX_ERR_INVALID_ARGS, and so on.
 *    ZXHV_STATUS() turns it back into a zx_status_t.
 *
 * Structures use explicit widths and explicit padding; padding and reserved
 * fields must be zero on input (the kernel returns ZX_ERR_INVALID_ARGS
 * otherwise) and are zero on output.  Sizes are checked with static
 * assertions below so that the layout cannot drift.
 *
 * Versioning: ZXHV_IOC_GET_API_VERSION reports the ABI this module speaks.
 * The major number changes when an existing ioctl changes incompatibly;
 * the minor number grows when ioctls are added.  libzx refuses to talk to
 * a module with a different major number.
 */
#ifndef _UAPI_ZIRCON_HV_H
#define _UAPI_ZIRCON_HV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ZXHV_DEVICE_NAME	"zircon-hv"
#define ZXHV_DEVICE_PATH	"/dev/zircon-hv"

#define ZXHV_API_VERSION_MAJOR	0
#define ZXHV_API_VERSION_MINOR	1

/* ioctl magic: 0xB8 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define ZXHV_IOC_MAGIC		0xB8

/* Turns a non-negative ioctl return value back into a zx_status_t. */
#define ZXHV_STATUS(ret)	((__s32)-(ret))

/*
 * ZXHV_IOC_GET_API_VERSION: report the ABI version.  Never fails once the
 * argument block is writable; returns ZX_OK.
 */
struct zxhv_api_version {
	__u32 major;
	__u32 minor;
};

/*
 * ZXHV_IOC_VMX_PROBE: report whether this host can run guests, and if not,
 * why.  The probe runs at module load on every online CPU and again on
 * every call (the state can change, e.g. when kvm_intel is loaded).
 *
 * @result: one of enum zxhv_vmx_probe_result; when CPUs disagree, the
 *          first CPU whose result is not ZXHV_VMX_READY is reported.
 * @cpu:    the CPU that produced @result.
 * @ncpus:  number of online CPUs probed.
 * @feature_control: raw IA32_FEATURE_CONTROL of @cpu (0 if the CPU has no
 *          VMX, since the MSR may not exist then).
 */
enum zxhv_vmx_probe_result {
	ZXHV_VMX_READY = 0,		/* VMX usable: guests can run */
	ZXHV_VMX_NO_CPU_SUPPORT = 1,	/* CPUID.1:ECX.VMX[bit 5] = 0 */
	ZXHV_VMX_DISABLED_BY_FIRMWARE = 2, /* FEATURE_CONTROL locked, VMXON outside SMX clear */
	ZXHV_VMX_IN_USE = 3,		/* CR4.VMXE already set: another hypervisor owns VMX */
};

struct zxhv_vmx_probe {
	__u32 result;
	__u32 cpu;
	__u32 ncpus;
	__u32 reserved;
	__u64 feature_control;
};

#define ZXHV_IOC_GET_API_VERSION _IOR(ZXHV_IOC_MAGIC, 0x00, struct zxhv_api_version)
#define ZXHV_IOC_VMX_PROBE	 _IOR(ZXHV_IOC_MAGIC, 0x01, struct zxhv_vmx_probe)

#if defined(__cplusplus)
#define ZXHV_STATIC_ASSERT(c) static_assert(c, #c)
#else
#define ZXHV_STATIC_ASSERT(c) _Static_assert(c, #c)
#endif

ZXHV_STATIC_ASSERT(sizeof(struct zxhv_api_version) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmx_probe) == 24);

#endif /* _UAPI_ZIRCON_HV_H */
