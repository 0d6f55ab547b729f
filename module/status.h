/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The two error domains.  Object code returns zx_status_t; the ioctl layer
 * returns it to userspace as a non-negative value (see uapi/zircon-hv.h),
 * and Linux errors only for transport failures.  Linux errors that arise
 * inside an object operation are translated once, here.
 */
#ifndef ZXHV_STATUS_H
#define ZXHV_STATUS_H

#include <linux/errno.h>
#include <zircon/errors.h>
#include <zircon/types.h>

/* The ioctl return value carrying @status to userspace. */
static inline long zxhv_ioctl_ret(zx_status_t status)
{
	return -(long)status;
}

/* Translate a Linux error from a kernel API into the nearest zx status. */
static inline zx_status_t zxhv_errno_to_status(int err)
{
	switch (err) {
	case 0:
		return ZX_OK;
	case -ENOMEM:
		return ZX_ERR_NO_MEMORY;
	case -EFAULT:
	case -EINVAL:
		return ZX_ERR_INVALID_ARGS;
	case -EPERM:
	case -EACCES:
		return ZX_ERR_ACCESS_DENIED;
	case -ENOSPC:
	case -EMFILE:
	case -ENFILE:
		return ZX_ERR_NO_RESOURCES;
	case -EOPNOTSUPP:
	case -ENODEV:
		return ZX_ERR_NOT_SUPPORTED;
	default:
		return ZX_ERR_INTERNAL;
	}
}

#endif /* ZXHV_STATUS_H */
