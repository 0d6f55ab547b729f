// SPDX-License-Identifier: GPL-2.0-only
/*
 * One handler per zx_* call.  A handler rejects bad options, looks up each
 * handle with the one right the call needs (zxhv_handle_lookup()), calls
 * the object, and publishes output handles last.  The dispatch table at the
 * end maps each ioctl request to its handler; the dispatcher copies the
 * argument block in (and back out for _IOR requests).
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <zircon/rights.h>
#include <zircon/syscalls/object.h>
#include <zircon-hv.h>

#include "file.h"
#include "guest.h"
#include "guest_vmar.h"
#include "handle.h"
#include "handle_fd.h"
#include "object.h"
#include "port.h"
#include "resource.h"
#include "status.h"
#include "syscalls.h"
#include "vcpu.h"
#include "vmar.h"
#include "vmo.h"

/*
 * Inserts @h into @t and writes its value to the user pointer @uout.  On
 * any failure the handle is gone again (closed) and the status says why.
 */
static zx_status_t zxhv_publish_handle(struct zxhv_handle_table *t, struct zxhv_handle *h,
				       u64 uout)
{
	zx_handle_t __user *out = u64_to_user_ptr(uout);
	zx_handle_t value;
	zx_status_t status;

	status = zxhv_handle_insert(t, h, &value);
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	if (put_user(value, out)) {
		zxhv_handle_close(t, value);
		return ZX_ERR_INVALID_ARGS;
	}
	return ZX_OK;
}

/* zxhv_handle_new() + zxhv_publish_handle(). */
static zx_status_t zxhv_publish_object(struct zxhv_handle_table *t, struct zxhv_object *obj,
				       zx_rights_t rights, u64 uout)
{
	struct zxhv_handle *h = zxhv_handle_new(obj, rights);

	if (!h)
		return ZX_ERR_NO_MEMORY;
	return zxhv_publish_handle(t, h, uout);
}

static zx_status_t zxhv_sys_handle_close(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_close *a = args;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_close(&zf->handles, a->handle);
}

/* Handles copied in per step of zx_handle_close_many(). */
#define ZXHV_CLOSE_MANY_CHUNK	16

/*
 * Closes every valid handle in the array; ZX_ERR_BAD_HANDLE if any entry
 * (other than ZX_HANDLE_INVALID) was not a handle, after closing the rest.
 */
static zx_status_t zxhv_sys_handle_close_many(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_close_many *a = args;
	const zx_handle_t __user *uh = u64_to_user_ptr(a->handles);
	zx_handle_t chunk[ZXHV_CLOSE_MANY_CHUNK];
	zx_status_t status = ZX_OK;
	u64 left = a->num_handles;

	while (left) {
		size_t n = min_t(u64, left, ZXHV_CLOSE_MANY_CHUNK);
		size_t i;

		if (copy_from_user(chunk, uh, n * sizeof(chunk[0])))
			return ZX_ERR_INVALID_ARGS;
		for (i = 0; i < n; i++) {
			if (zxhv_handle_close(&zf->handles, chunk[i]) != ZX_OK)
				status = ZX_ERR_BAD_HANDLE;
		}
		uh += n;
		left -= n;
		cond_resched();
	}
	return status;
}

static zx_status_t zxhv_sys_handle_duplicate(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_derive *a = args;
	struct zxhv_object *obj;
	zx_rights_t rights;
	zx_status_t status;

	status = zxhv_handle_lookup(&zf->handles, a->handle, ZXHV_OBJ_TYPE_ANY,
				    ZX_RIGHT_DUPLICATE, &obj, &rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_rights_derive(rights, a->rights, &rights);
	if (status == ZX_OK)
		status = zxhv_publish_object(&zf->handles, obj, rights, a->out);
	zxhv_object_put(obj);
	return status;
}

/* The source handle is closed whatever happens after it was found. */
static zx_status_t zxhv_sys_handle_replace(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_derive *a = args;
	struct zxhv_handle *h;
	zx_status_t status;

	status = zxhv_handle_take(&zf->handles, a->handle, 0, &h);
	if (status != ZX_OK)
		return status;
	status = zxhv_rights_derive(h->rights, a->rights, &h->rights);
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	return zxhv_publish_handle(&zf->handles, h, a->out);
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

static zx_status_t zxhv_sys_object_get_info(struct zxhv_file *zf, void *args)
{
	struct zxhv_object_get_info *a = args;
	zx_info_handle_basic_t info;
	struct zxhv_object *obj;
	zx_rights_t rights;
	zx_status_t status;

	switch (a->topic) {
	case ZX_INFO_HANDLE_VALID:
		status = zxhv_handle_lookup(&zf->handles, a->handle, ZXHV_OBJ_TYPE_ANY, 0,
					    &obj, NULL);
		if (status == ZX_OK)
			zxhv_object_put(obj);
		return status;
	case ZX_INFO_HANDLE_BASIC:
		status = zxhv_handle_lookup(&zf->handles, a->handle, ZXHV_OBJ_TYPE_ANY, 0,
					    &obj, &rights);
		if (status != ZX_OK)
			return status;
		memset(&info, 0, sizeof(info));
		info.koid = obj->koid;
		info.rights = rights;
		info.type = zxhv_object_type(obj);
		zxhv_object_put(obj);
		return zxhv_info_single_record(a, &info, sizeof(info));
	case ZX_INFO_VCPU: {
		zx_info_vcpu_t vinfo;

		status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VCPU,
					    ZX_RIGHT_INSPECT, &obj, NULL);
		if (status != ZX_OK)
			return status;
		memset(&vinfo, 0, sizeof(vinfo));
		vinfo.flags = zxhv_vcpu_info_flags(zxhv_vcpu_from_object(obj));
		zxhv_object_put(obj);
		return zxhv_info_single_record(a, &vinfo, sizeof(vinfo));
	}
	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

static zx_status_t zxhv_sys_resource_create(struct zxhv_file *zf, void *args)
{
	struct zxhv_resource_create *a = args;
	char name[ZX_MAX_NAME_LEN] = "";
	struct zxhv_resource *res;
	struct zxhv_object *parent;
	zx_rsrc_flags_t flags;
	zx_rsrc_kind_t kind;
	zx_status_t status;
	size_t len;

	status = zxhv_handle_lookup(&zf->handles, a->parent, ZX_OBJ_TYPE_RESOURCE,
				    ZX_RIGHT_WRITE, &parent, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_resource_parse_options(a->options, &kind, &flags);
	if (status != ZX_OK)
		goto out_put;
	/* The parent must be ROOT or cover the new range of the same kind. */
	if (zxhv_resource_validate_ranged(parent, kind, a->base, a->size) != ZX_OK) {
		status = ZX_ERR_ACCESS_DENIED;
		goto out_put;
	}
	len = min_t(u64, a->name_size, ZX_MAX_NAME_LEN - 1);
	if (len && copy_from_user(name, u64_to_user_ptr(a->name), len)) {
		status = ZX_ERR_INVALID_ARGS;
		goto out_put;
	}
	name[len] = '\0';
	status = zxhv_resource_create(kind, flags, a->base, a->size, name, &res);
	if (status != ZX_OK)
		goto out_put;
	status = zxhv_publish_object(&zf->handles, &res->obj, ZX_DEFAULT_RESOURCE_RIGHTS, a->out);
	zxhv_object_put(&res->obj);
out_put:
	zxhv_object_put(parent);
	return status;
}

static zx_status_t zxhv_sys_hypervisor_resource(struct zxhv_file *zf, void *args)
{
	struct zxhv_hypervisor_resource *a = args;
	struct zxhv_resource *res;
	zx_status_t status;

	if (!zxhv_hypervisor_resource_allowed())
		return ZX_ERR_ACCESS_DENIED;
	status = zxhv_resource_create(ZX_RSRC_KIND_SYSTEM, 0, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1,
				      "hypervisor", &res);
	if (status != ZX_OK)
		return status;
	status = zxhv_publish_object(&zf->handles, &res->obj, ZX_DEFAULT_RESOURCE_RIGHTS, a->out);
	zxhv_object_put(&res->obj);
	return status;
}

/* ZX_PORT_BIND_TO_INTERRUPT is accepted but inert: nothing can bind here. */
static zx_status_t zxhv_sys_port_create(struct zxhv_file *zf, void *args)
{
	struct zxhv_port_create *a = args;
	struct zxhv_port *port;
	zx_status_t status;

	if (a->reserved || (a->options & ~ZX_PORT_BIND_TO_INTERRUPT))
		return ZX_ERR_INVALID_ARGS;
	port = zxhv_port_create();
	if (!port)
		return ZX_ERR_NO_MEMORY;
	status = zxhv_publish_object(&zf->handles, zxhv_port_object(port),
				     ZX_DEFAULT_PORT_RIGHTS, a->out);
	zxhv_object_put(zxhv_port_object(port));
	return status;
}

static zx_status_t zxhv_sys_port_queue(struct zxhv_file *zf, void *args)
{
	struct zxhv_port_queue *a = args;
	struct zxhv_object *obj;
	zx_port_packet_t pkt;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_PORT,
				    ZX_RIGHT_WRITE, &obj, NULL);
	if (status != ZX_OK)
		return status;
	if (copy_from_user(&pkt, u64_to_user_ptr(a->packet), sizeof(pkt)))
		status = ZX_ERR_INVALID_ARGS;
	else
		status = zxhv_port_queue_user(zxhv_port_from_object(obj), &pkt);
	zxhv_object_put(obj);
	return status;
}

/*
 * A signal makes zxhv_port_wait() return ZX_ERR_INTERNAL_INTR_RETRY, which
 * the dispatcher turns into a restart of the whole call: the deadline is
 * absolute, so the restarted call waits until the same instant.
 */
static zx_status_t zxhv_sys_port_wait(struct zxhv_file *zf, void *args)
{
	struct zxhv_port_wait *a = args;
	struct zxhv_object *obj;
	zx_port_packet_t pkt;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_PORT,
				    ZX_RIGHT_READ, &obj, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_port_wait(zxhv_port_from_object(obj), a->deadline, &pkt);
	if (status == ZX_OK && copy_to_user(u64_to_user_ptr(a->packet), &pkt, sizeof(pkt)))
		status = ZX_ERR_INVALID_ARGS;
	zxhv_object_put(obj);
	return status;
}

static zx_status_t zxhv_sys_handle_export(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_export *a = args;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_export(&zf->handles, a->handle, u64_to_user_ptr(a->fd_out));
}

static zx_status_t zxhv_sys_handle_import(struct zxhv_file *zf, void *args)
{
	struct zxhv_handle_import *a = args;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	return zxhv_handle_import(&zf->handles, a->fd, u64_to_user_ptr(a->out));
}

/* --- VMOs and VMARs ------------------------------------------------------------ */

static zx_status_t zxhv_sys_vmo_create(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmo_create *a = args;
	struct zxhv_vmo *vmo;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_vmo_create(a->size, a->options, &vmo);
	if (status != ZX_OK)
		return status;
	status = zxhv_publish_object(&zf->handles, zxhv_vmo_object(vmo), ZX_DEFAULT_VMO_RIGHTS,
				     a->out);
	zxhv_vmo_put(vmo);
	return status;
}

static zx_status_t zxhv_sys_vmo_get_size(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmo_get_size *a = args;
	struct zxhv_object *obj;
	zx_status_t status;
	u64 size;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VMO, 0, &obj, NULL);
	if (status != ZX_OK)
		return status;
	size = zxhv_vmo_size(zxhv_vmo_from_object(obj));
	zxhv_object_put(obj);
	if (put_user(size, (u64 __user *)u64_to_user_ptr(a->size)))
		return ZX_ERR_INVALID_ARGS;
	return ZX_OK;
}

static zx_status_t zxhv_sys_vmo_rw(struct zxhv_file *zf, struct zxhv_vmo_rw *a, bool write)
{
	struct zxhv_object *obj;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VMO,
				    write ? ZX_RIGHT_WRITE : ZX_RIGHT_READ, &obj, NULL);
	if (status != ZX_OK)
		return status;
	if (write)
		status = zxhv_vmo_write(zxhv_vmo_from_object(obj), u64_to_user_ptr(a->buffer),
					a->offset, a->buffer_size);
	else
		status = zxhv_vmo_read(zxhv_vmo_from_object(obj), u64_to_user_ptr(a->buffer),
				       a->offset, a->buffer_size);
	zxhv_object_put(obj);
	return status;
}

static zx_status_t zxhv_sys_vmo_read(struct zxhv_file *zf, void *args)
{
	return zxhv_sys_vmo_rw(zf, args, false);
}

static zx_status_t zxhv_sys_vmo_write(struct zxhv_file *zf, void *args)
{
	return zxhv_sys_vmo_rw(zf, args, true);
}

/*
 * The vmex resource is checked first but its verdict given only after the
 * source was found (and removed) and is a VMO: like zx_handle_replace, the
 * source is closed whatever happens after it was found.
 */
static zx_status_t zxhv_sys_vmo_replace_as_executable(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmo_replace_as_executable *a = args;
	zx_status_t vmex_status = ZX_OK;
	struct zxhv_object *vmex;
	struct zxhv_handle *h;
	zx_status_t status;

	if (a->vmex != ZX_HANDLE_INVALID) {
		vmex_status = zxhv_handle_lookup(&zf->handles, a->vmex, ZXHV_OBJ_TYPE_ANY, 0,
						 &vmex, NULL);
		if (vmex_status == ZX_OK) {
			vmex_status = zxhv_resource_validate_ranged(vmex, ZX_RSRC_KIND_SYSTEM,
								    ZX_RSRC_SYSTEM_VMEX_BASE, 1);
			zxhv_object_put(vmex);
		}
	}
	status = zxhv_handle_take(&zf->handles, a->handle, 0, &h);
	if (status != ZX_OK)
		return status;
	if (zxhv_object_type(h->obj) != ZX_OBJ_TYPE_VMO)
		status = ZX_ERR_WRONG_TYPE;
	else
		status = vmex_status;
	if (status != ZX_OK) {
		zxhv_handle_free(h);
		return status;
	}
	h->rights |= ZX_RIGHT_EXECUTE;
	return zxhv_publish_handle(&zf->handles, h, a->out);
}

static zx_status_t zxhv_sys_vmar_root_self(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmar_root_self *a = args;
	struct zxhv_vmar *vmar;
	zx_status_t status;

	vmar = zxhv_vmar_create_root();
	if (!vmar)
		return ZX_ERR_NO_MEMORY;
	status = zxhv_publish_object(&zf->handles, zxhv_vmar_object(vmar), ZXHV_ROOT_VMAR_RIGHTS,
				     a->out);
	zxhv_object_put(zxhv_vmar_object(vmar));
	return status;
}

/* The VMAR is looked up first, then the VMO; the VMAR's ops check the rights. */
static zx_status_t zxhv_sys_vmar_map(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmar_map *a = args;
	zx_rights_t vmar_rights, vmo_rights;
	struct zxhv_object *vmar, *vmo;
	zx_status_t status;
	u64 addr = 0;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VMAR, 0, &vmar,
				    &vmar_rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_handle_lookup(&zf->handles, a->vmo, ZX_OBJ_TYPE_VMO, ZX_RIGHT_MAP, &vmo,
				    &vmo_rights);
	if (status != ZX_OK)
		goto out_vmar;
	status = zxhv_vmar_map(zxhv_vmar_from_object(vmar), vmar_rights, a->options,
			       a->vmar_offset, zxhv_vmo_from_object(vmo), vmo_rights,
			       a->vmo_offset, a->len, &addr);
	/* A mapped address that cannot be reported is unmapped again. */
	if (status == ZX_OK &&
	    put_user(addr, (u64 __user *)u64_to_user_ptr(a->mapped_addr))) {
		zxhv_vmar_unmap(zxhv_vmar_from_object(vmar), addr, a->len);
		status = ZX_ERR_INVALID_ARGS;
	}
	zxhv_object_put(vmo);
out_vmar:
	zxhv_object_put(vmar);
	return status;
}

static zx_status_t zxhv_sys_vmar_unmap(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmar_range *a = args;
	struct zxhv_object *vmar;
	zx_status_t status;

	if (a->options)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VMAR, 0, &vmar, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_vmar_unmap(zxhv_vmar_from_object(vmar), a->addr, a->len);
	zxhv_object_put(vmar);
	return status;
}

static zx_status_t zxhv_sys_vmar_protect(struct zxhv_file *zf, void *args)
{
	struct zxhv_vmar_range *a = args;
	struct zxhv_object *vmar;
	zx_rights_t rights;
	zx_status_t status;

	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_VMAR, 0, &vmar,
				    &rights);
	if (status != ZX_OK)
		return status;
	status = zxhv_vmar_protect(zxhv_vmar_from_object(vmar), rights, a->options, a->addr,
				   a->len);
	zxhv_object_put(vmar);
	return status;
}

/* --- guests ------------------------------------------------------------------ */

/*
 * Resource first, then options (the newest kernel's order), then the
 * guest itself (NOT_SUPPORTED without VMX) and its VMAR.  Both handles go into the
 * table before either value is written out; a value that cannot be written
 * closes both, so a faulting pointer leaves nothing behind.
 */
static zx_status_t zxhv_sys_guest_create(struct zxhv_file *zf, void *args)
{
	struct zxhv_guest_create *a = args;
	zx_handle_t guest_h, vmar_h;
	struct zxhv_guest *guest;
	struct zxhv_object *res;
	struct zxhv_vmar *vmar;
	zx_status_t status;

	status = zxhv_handle_lookup(&zf->handles, a->resource, ZXHV_OBJ_TYPE_ANY, 0, &res, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_resource_validate_ranged(res, ZX_RSRC_KIND_SYSTEM,
					       ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1);
	zxhv_object_put(res);
	if (status != ZX_OK)
		return status;
	if (a->options != ZX_GUEST_OPT_NORMAL)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_guest_create(&guest);
	if (status != ZX_OK)
		return status;
	vmar = zxhv_guest_vmar_create(guest);
	if (!vmar) {
		status = ZX_ERR_NO_MEMORY;
		goto out_guest;
	}
	status = zxhv_handle_add(&zf->handles, zxhv_guest_object(guest),
				 ZX_DEFAULT_GUEST_RIGHTS, &guest_h);
	if (status != ZX_OK)
		goto out_put;
	status = zxhv_handle_add(&zf->handles, zxhv_vmar_object(vmar), ZXHV_GUEST_VMAR_RIGHTS,
				 &vmar_h);
	if (status != ZX_OK) {
		zxhv_handle_close(&zf->handles, guest_h);
		goto out_put;
	}
	if (put_user(guest_h, (zx_handle_t __user *)u64_to_user_ptr(a->guest_out)) ||
	    put_user(vmar_h, (zx_handle_t __user *)u64_to_user_ptr(a->vmar_out))) {
		zxhv_handle_close(&zf->handles, vmar_h);
		zxhv_handle_close(&zf->handles, guest_h);
		status = ZX_ERR_INVALID_ARGS;
	}
out_put:
	zxhv_object_put(zxhv_vmar_object(vmar));
out_guest:
	zxhv_object_put(zxhv_guest_object(guest));
	return status;
}

/* The guest needs WRITE; a port, if given, WRITE too; then guest.c decides. */
static zx_status_t zxhv_sys_guest_set_trap(struct zxhv_file *zf, void *args)
{
	struct zxhv_guest_set_trap *a = args;
	struct zxhv_object *guest, *port = NULL;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->handle, ZX_OBJ_TYPE_GUEST, ZX_RIGHT_WRITE,
				    &guest, NULL);
	if (status != ZX_OK)
		return status;
	if (a->port != ZX_HANDLE_INVALID) {
		status = zxhv_handle_lookup(&zf->handles, a->port, ZX_OBJ_TYPE_PORT,
					    ZX_RIGHT_WRITE, &port, NULL);
		if (status != ZX_OK)
			goto out_guest;
	}
	status = zxhv_guest_set_trap(zxhv_guest_from_object(guest), a->kind, a->addr, a->size,
				     port ? zxhv_port_from_object(port) : NULL, a->key);
	if (port)
		zxhv_object_put(port);
out_guest:
	zxhv_object_put(guest);
	return status;
}

/* --- VCPUs ------------------------------------------------------------------- */

/* Options first (before the handle), then MANAGE_THREAD or MANAGE_PROCESS. */
static zx_status_t zxhv_sys_vcpu_create(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_create *a = args;
	struct zxhv_object *guest;
	struct zxhv_vcpu *vcpu;
	zx_rights_t rights;
	zx_status_t status;

	if (a->options)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_handle_lookup(&zf->handles, a->guest, ZX_OBJ_TYPE_GUEST, 0, &guest,
				    &rights);
	if (status != ZX_OK)
		return status;
	if (!(rights & (ZX_RIGHT_MANAGE_THREAD | ZX_RIGHT_MANAGE_PROCESS))) {
		status = ZX_ERR_ACCESS_DENIED;
		goto out;
	}
	status = zxhv_vcpu_create(zxhv_guest_from_object(guest), a->entry, &vcpu);
	if (status != ZX_OK)
		goto out;
	status = zxhv_publish_object(&zf->handles, zxhv_vcpu_object(vcpu),
				     ZX_DEFAULT_VCPU_RIGHTS, a->out);
	zxhv_object_put(zxhv_vcpu_object(vcpu));
out:
	zxhv_object_put(guest);
	return status;
}

static zx_status_t zxhv_vcpu_lookup(struct zxhv_file *zf, zx_handle_t h, zx_rights_t right,
				    struct zxhv_vcpu **vcpu)
{
	struct zxhv_object *obj;
	zx_status_t status;

	status = zxhv_handle_lookup(&zf->handles, h, ZX_OBJ_TYPE_VCPU, right, &obj, NULL);
	if (status == ZX_OK)
		*vcpu = zxhv_vcpu_from_object(obj);
	return status;
}

static void zxhv_vcpu_put(struct zxhv_vcpu *vcpu)
{
	zxhv_object_put(zxhv_vcpu_object(vcpu));
}

/* The packet is written only on ZX_OK; a faulting pointer: INVALID_ARGS. */
static zx_status_t zxhv_sys_vcpu_enter(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_enter *a = args;
	zx_port_packet_t packet;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_vcpu_lookup(zf, a->handle, ZX_RIGHT_EXECUTE, &vcpu);
	if (status != ZX_OK)
		return status;
	status = zxhv_vcpu_enter(vcpu, &packet);
	zxhv_vcpu_put(vcpu);
	if (status == ZX_OK &&
	    copy_to_user(u64_to_user_ptr(a->packet), &packet, sizeof(packet)))
		status = ZX_ERR_INVALID_ARGS;
	return status;
}

static zx_status_t zxhv_sys_vcpu_kick(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_signal *a = args;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	if (a->arg)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_vcpu_lookup(zf, a->handle, ZX_RIGHT_EXECUTE, &vcpu);
	if (status != ZX_OK)
		return status;
	zxhv_vcpu_kick(vcpu);
	zxhv_vcpu_put(vcpu);
	return ZX_OK;
}

/* Vectors above 255: OUT_OF_RANGE (the docs' answer, spec §1). */
static zx_status_t zxhv_sys_vcpu_interrupt(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_signal *a = args;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	status = zxhv_vcpu_lookup(zf, a->handle, ZX_RIGHT_SIGNAL, &vcpu);
	if (status != ZX_OK)
		return status;
	status = zxhv_vcpu_interrupt(vcpu, a->arg);
	zxhv_vcpu_put(vcpu);
	return status;
}

static zx_status_t zxhv_sys_vcpu_read_state(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_state_rw *a = args;
	zx_vcpu_state_t state;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	status = zxhv_vcpu_lookup(zf, a->handle, ZX_RIGHT_READ, &vcpu);
	if (status != ZX_OK)
		return status;
	if (a->kind != ZX_VCPU_STATE || a->buffer_size != sizeof(state)) {
		status = ZX_ERR_INVALID_ARGS;
		goto out;
	}
	memset(&state, 0, sizeof(state));
	status = zxhv_vcpu_read_state(vcpu, &state);
	if (status == ZX_OK && copy_to_user(u64_to_user_ptr(a->buffer), &state, sizeof(state)))
		status = ZX_ERR_INVALID_ARGS;
out:
	zxhv_vcpu_put(vcpu);
	return status;
}

static zx_status_t zxhv_sys_vcpu_write_state(struct zxhv_file *zf, void *args)
{
	struct zxhv_vcpu_state_rw *a = args;
	union {
		zx_vcpu_state_t state;
		zx_vcpu_io_t io;
	} buf;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;
	size_t size;

	status = zxhv_vcpu_lookup(zf, a->handle, ZX_RIGHT_WRITE, &vcpu);
	if (status != ZX_OK)
		return status;
	switch (a->kind) {
	case ZX_VCPU_STATE:
		size = sizeof(buf.state);
		break;
	case ZX_VCPU_IO:
		size = sizeof(buf.io);
		break;
	default:
		status = ZX_ERR_INVALID_ARGS;
		goto out;
	}
	if (a->buffer_size != size ||
	    copy_from_user(&buf, u64_to_user_ptr(a->buffer), size)) {
		status = ZX_ERR_INVALID_ARGS;
		goto out;
	}
	if (a->kind == ZX_VCPU_STATE)
		status = zxhv_vcpu_write_state(vcpu, &buf.state);
	else
		status = zxhv_vcpu_write_io(vcpu, &buf.io);
out:
	zxhv_vcpu_put(vcpu);
	return status;
}

/* --- dispatch ------------------------------------------------------------------ */

/* Largest argument block of any call. */
#define ZXHV_SYSCALL_MAX_ARGS	64

struct zxhv_syscall_entry {
	unsigned int cmd;
	zx_status_t (*fn)(struct zxhv_file *zf, void *args);
};

/* One line per call; the dispatcher searches the (short) table by @cmd. */
#define ZXHV_SYSCALL(c, f)	{ .cmd = (c), .fn = (f) }

static const struct zxhv_syscall_entry zxhv_syscalls[] = {
	/* Handles, objects, resources: 0x10-0x2f. */
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_CLOSE, zxhv_sys_handle_close),
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_CLOSE_MANY, zxhv_sys_handle_close_many),
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_DUPLICATE, zxhv_sys_handle_duplicate),
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_REPLACE, zxhv_sys_handle_replace),
	ZXHV_SYSCALL(ZXHV_IOC_OBJECT_GET_INFO, zxhv_sys_object_get_info),
	ZXHV_SYSCALL(ZXHV_IOC_RESOURCE_CREATE, zxhv_sys_resource_create),
	ZXHV_SYSCALL(ZXHV_IOC_HYPERVISOR_RESOURCE, zxhv_sys_hypervisor_resource),
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_EXPORT, zxhv_sys_handle_export),
	ZXHV_SYSCALL(ZXHV_IOC_HANDLE_IMPORT, zxhv_sys_handle_import),
	/* Ports: 0x30-0x3f. */
	ZXHV_SYSCALL(ZXHV_IOC_PORT_CREATE, zxhv_sys_port_create),
	ZXHV_SYSCALL(ZXHV_IOC_PORT_QUEUE, zxhv_sys_port_queue),
	ZXHV_SYSCALL(ZXHV_IOC_PORT_WAIT, zxhv_sys_port_wait),
	/* VMOs and VMARs: 0x40-0x4f. */
	ZXHV_SYSCALL(ZXHV_IOC_VMO_CREATE, zxhv_sys_vmo_create),
	ZXHV_SYSCALL(ZXHV_IOC_VMO_GET_SIZE, zxhv_sys_vmo_get_size),
	ZXHV_SYSCALL(ZXHV_IOC_VMO_READ, zxhv_sys_vmo_read),
	ZXHV_SYSCALL(ZXHV_IOC_VMO_WRITE, zxhv_sys_vmo_write),
	ZXHV_SYSCALL(ZXHV_IOC_VMO_REPLACE_AS_EXECUTABLE, zxhv_sys_vmo_replace_as_executable),
	ZXHV_SYSCALL(ZXHV_IOC_VMAR_ROOT_SELF, zxhv_sys_vmar_root_self),
	ZXHV_SYSCALL(ZXHV_IOC_VMAR_MAP, zxhv_sys_vmar_map),
	ZXHV_SYSCALL(ZXHV_IOC_VMAR_UNMAP, zxhv_sys_vmar_unmap),
	ZXHV_SYSCALL(ZXHV_IOC_VMAR_PROTECT, zxhv_sys_vmar_protect),
	/* Guests: 0x50-0x5f. */
	ZXHV_SYSCALL(ZXHV_IOC_GUEST_CREATE, zxhv_sys_guest_create),
	ZXHV_SYSCALL(ZXHV_IOC_GUEST_SET_TRAP, zxhv_sys_guest_set_trap),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_CREATE, zxhv_sys_vcpu_create),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_ENTER, zxhv_sys_vcpu_enter),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_KICK, zxhv_sys_vcpu_kick),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_INTERRUPT, zxhv_sys_vcpu_interrupt),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_READ_STATE, zxhv_sys_vcpu_read_state),
	ZXHV_SYSCALL(ZXHV_IOC_VCPU_WRITE_STATE, zxhv_sys_vcpu_write_state),
};

long zxhv_syscall(struct zxhv_file *zf, unsigned int cmd, void __user *uarg)
{
	const struct zxhv_syscall_entry *e = NULL;
	u64 args[ZXHV_SYSCALL_MAX_ARGS / sizeof(u64)] = {};
	size_t size = _IOC_SIZE(cmd);
	zx_status_t status;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(zxhv_syscalls); i++) {
		if (zxhv_syscalls[i].cmd == cmd) {
			e = &zxhv_syscalls[i];
			break;
		}
	}
	/* An argument block larger than the buffer is a bug in this table. */
	if (!e || WARN_ON_ONCE(size > sizeof(args)))
		return -ENOTTY;
	if (!zxhv_handle_table_is_owner(&zf->handles))
		return -EACCES;
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(args, uarg, size))
		return -EFAULT;
	status = e->fn(zf, args);
	/*
	 * A signal interrupted a blocking call (zx_port_wait): after the
	 * handler runs, the kernel re-issues the ioctl with the same argument
	 * block, whatever SA_RESTART says, as Zircon restarts it
	 * transparently.  Deadlines are absolute, so nothing drifts.
	 */
	if (status == ZX_ERR_INTERNAL_INTR_RETRY)
		return -ERESTARTNOINTR;
	if ((_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, args, size))
		return -EFAULT;
	return zxhv_ioctl_ret(status);
}
