// SPDX-License-Identifier: GPL-2.0-only
/*
 * Handle calls: zx_handle_close/close_many/duplicate/replace,
 * zx_object_get_info, and moving handles through file descriptors.
 */
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>

#include "handle_fd.h"
#include "sys_call.h"

ZXHV_SYSCALL_DEFINE(HANDLE_CLOSE, handle_close, zxhv_handle_close)
{
	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_close(c->handles, a->handle);
}

/* Handles copied in per step of zx_handle_close_many(). */
#define ZXHV_CLOSE_MANY_CHUNK	16

/*
 * Closes every valid handle in the array; ZX_ERR_BAD_HANDLE if any entry
 * (other than ZX_HANDLE_INVALID) was not a handle, after closing the rest.
 */
ZXHV_SYSCALL_DEFINE(HANDLE_CLOSE_MANY, handle_close_many, zxhv_handle_close_many)
{
	const zx_handle_t __user *uh = u64_to_user_ptr(a->handles);
	zx_handle_t chunk[ZXHV_CLOSE_MANY_CHUNK];
	zx_status_t status = ZX_OK;
	u64 left = a->num_handles;

	while (left) {
		size_t n = min_t(u64, left, ZXHV_CLOSE_MANY_CHUNK);
		size_t i;

		/* 2^61 entries take forever: a dying process stops here (issue 16, F11). */
		if (fatal_signal_pending(current))
			return ZX_ERR_INTERNAL_INTR_KILLED;

		if (copy_from_user(chunk, uh, n * sizeof(chunk[0])))
			return ZX_ERR_INVALID_ARGS;
		for (i = 0; i < n; i++) {
			if (zxhv_handle_close(c->handles, chunk[i]) != ZX_OK)
				status = ZX_ERR_BAD_HANDLE;
		}
		uh += n;
		left -= n;
		cond_resched();
	}
	return status;
}

ZXHV_SYSCALL_DEFINE(HANDLE_DUPLICATE, handle_duplicate, zxhv_handle_derive)
{
	struct zxhv_object *obj;
	zx_rights_t rights;
	zx_status_t status;

	status = zxhv_sys_get(c, 0, a->handle, ZXHV_OBJ_TYPE_ANY, &obj, &rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_rights_derive(rights, a->rights, &rights);
	if (status == ZX_OK)
		status = zxhv_sys_publish_object(c, obj, rights, a->out);
	zxhv_object_put(obj);
	return status;
}

/* The source handle is closed whatever happens after it was found. */
ZXHV_SYSCALL_DEFINE(HANDLE_REPLACE, handle_replace, zxhv_handle_derive)
{
	struct zxhv_handle *h;
	zx_status_t status;

	status = zxhv_sys_take(c, 0, a->handle, &h);
	if (status != ZX_OK)
		return status;
	status = zxhv_rights_derive(h->rights, a->rights, &h->rights);
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	return zxhv_sys_publish_handle(c, h, a->out);
}

/*
 * Writes a one-record topic: the record if it fits, then *actual (0 or 1)
 * and *avail (1) where those pointers are not NULL; ZX_ERR_BUFFER_TOO_SMALL
 * if it did not fit.
 */
static zx_status_t zxhv_info_single_record(const struct zxhv_object_get_info *a,
					   const void *rec, size_t size)
{
	u64 actual = 0, avail = 1;

	if (a->buffer_size >= size) {
		if (copy_to_user(u64_to_user_ptr(a->buffer), rec, size))
			return ZX_ERR_INVALID_ARGS;
		actual = 1;
	}
	if (a->actual && put_user(actual, (u64 __user *)u64_to_user_ptr(a->actual)))
		return ZX_ERR_INVALID_ARGS;
	if (a->avail && put_user(avail, (u64 __user *)u64_to_user_ptr(a->avail)))
		return ZX_ERR_INVALID_ARGS;
	return actual ? ZX_OK : ZX_ERR_BUFFER_TOO_SMALL;
}

/*
 * The handle topics need no right (Zircon's exception, so that any handle
 * can be inspected for validity and its own rights); every other topic
 * needs the table's right (INSPECT).
 */
ZXHV_SYSCALL_DEFINE(OBJECT_GET_INFO, object_get_info, zxhv_object_get_info)
{
	zx_info_handle_basic_t info;
	struct zxhv_object *obj;
	zx_info_vcpu_t vinfo;
	struct zxhv_vcpu *vcpu;
	zx_rights_t rights;
	zx_status_t status;

	switch (a->topic) {
	case ZX_INFO_HANDLE_VALID:
		status = zxhv_handle_lookup(c->handles, a->handle, ZXHV_OBJ_TYPE_ANY, 0, &obj,
					    NULL);
		if (status == ZX_OK)
			zxhv_object_put(obj);
		return status;
	case ZX_INFO_HANDLE_BASIC:
		status = zxhv_handle_lookup(c->handles, a->handle, ZXHV_OBJ_TYPE_ANY, 0, &obj,
					    &rights);
		if (status != ZX_OK)
			return status;
		memset(&info, 0, sizeof(info));
		info.koid = obj->koid;
		info.rights = rights;
		info.type = zxhv_object_type(obj);
		zxhv_object_put(obj);
		return zxhv_info_single_record(a, &info, sizeof(info));
	case ZX_INFO_VCPU:
		status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
		if (status != ZX_OK)
			return status;
		memset(&vinfo, 0, sizeof(vinfo));
		vinfo.flags = zxhv_vcpu_info_flags(vcpu);
		zxhv_object_put(zxhv_vcpu_object(vcpu));
		return zxhv_info_single_record(a, &vinfo, sizeof(vinfo));
	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

ZXHV_SYSCALL_DEFINE(HANDLE_EXPORT, handle_export, zxhv_handle_export)
{
	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_export(c->handles, a->handle, zxhv_sys_req(c, 0),
				  u64_to_user_ptr(a->fd_out));
}

ZXHV_SYSCALL_DEFINE(HANDLE_IMPORT, handle_import, zxhv_handle_import)
{
	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_import(c->handles, a->fd, u64_to_user_ptr(a->out));
}
