// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dispatch table of the zx_* calls and the dispatcher.  The table is
 * indexed by ioctl number (_IOC_NR); each row names the call's entry
 * (module/sys_<object>.c, which copies the argument block as the request's
 * size and direction say), whether the call needs the caller's handle
 * table, and the rights each handle argument must hold.  The rights
 * column is the one place the module states them; uapi/zircon-hv.h shows
 * the same table for callers.
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/kernel.h>
#include <zircon/rights.h>
#include <zircon-hv.h>

#include "file.h"
#include "handle.h"
#include "object.h"
#include "sys_call.h"
#include "syscalls.h"

/* Handle rule: the handle must hold every right in @r (0: none). */
#define ZXHV_NEEDS(r)		{ .present = true, .req = { .rights = (r) } }
/* Handle rule: the handle must hold at least one right in @r. */
#define ZXHV_NEEDS_ANY(r)	{ .present = true, .req = { .rights = (r), .any = true } }

#define ZXHV_SYSCALL_ROW(CMD, fname, anyproc, ...)					\
	[_IOC_NR(ZXHV_IOC_##CMD)] = {							\
		.name = #fname,								\
		.cmd = ZXHV_IOC_##CMD,							\
		.fn = zxhv_sys_##fname,							\
		.any_process = (anyproc),						\
		.handle = { __VA_ARGS__ },						\
	}

/* A zx_* call on the caller's handle table; then the rules of its handle arguments. */
#define ZXHV_SYSCALL(CMD, fname, ...)	ZXHV_SYSCALL_ROW(CMD, fname, false, __VA_ARGS__)
/* A question about the module itself: any process, no handle table. */
#define ZXHV_DEVICE_CALL(CMD, fname)	ZXHV_SYSCALL_ROW(CMD, fname, true)

/* ioctl numbers run 0x00-0x5f (uapi/zircon-hv.h). */
#define ZXHV_SYSCALL_NR		0x60

static const struct zxhv_syscall zxhv_syscalls[ZXHV_SYSCALL_NR] = {
	/* The module: 0x00-0x0f. */
	ZXHV_DEVICE_CALL(GET_API_VERSION, get_api_version),
	ZXHV_DEVICE_CALL(VMX_PROBE, vmx_probe),
	/* Handles, objects, resources: 0x10-0x2f. */
	ZXHV_SYSCALL(HANDLE_CLOSE, handle_close),
	ZXHV_SYSCALL(HANDLE_CLOSE_MANY, handle_close_many),
	ZXHV_SYSCALL(HANDLE_DUPLICATE, handle_duplicate, ZXHV_NEEDS(ZX_RIGHT_DUPLICATE)),
	ZXHV_SYSCALL(HANDLE_REPLACE, handle_replace, ZXHV_NEEDS(0)),
	/* ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC need no right (sys_handle.c). */
	ZXHV_SYSCALL(OBJECT_GET_INFO, object_get_info, ZXHV_NEEDS(ZX_RIGHT_INSPECT)),
	ZXHV_SYSCALL(RESOURCE_CREATE, resource_create, ZXHV_NEEDS(ZX_RIGHT_WRITE)),
	ZXHV_SYSCALL(HYPERVISOR_RESOURCE, hypervisor_resource),
	ZXHV_SYSCALL(HANDLE_EXPORT, handle_export, ZXHV_NEEDS(ZX_RIGHT_TRANSFER)),
	ZXHV_SYSCALL(HANDLE_IMPORT, handle_import),
	/* Ports: 0x30-0x3f. */
	ZXHV_SYSCALL(PORT_CREATE, port_create),
	ZXHV_SYSCALL(PORT_QUEUE, port_queue, ZXHV_NEEDS(ZX_RIGHT_WRITE)),
	ZXHV_SYSCALL(PORT_WAIT, port_wait, ZXHV_NEEDS(ZX_RIGHT_READ)),
	/* VMOs and VMARs: 0x40-0x4f. */
	ZXHV_SYSCALL(VMO_CREATE, vmo_create),
	ZXHV_SYSCALL(VMO_GET_SIZE, vmo_get_size, ZXHV_NEEDS(0)),
	ZXHV_SYSCALL(VMO_READ, vmo_read, ZXHV_NEEDS(ZX_RIGHT_READ)),
	ZXHV_SYSCALL(VMO_WRITE, vmo_write, ZXHV_NEEDS(ZX_RIGHT_WRITE)),
	/* The VMO handle, then the vmex resource (checked by its range). */
	ZXHV_SYSCALL(VMO_REPLACE_AS_EXECUTABLE, vmo_replace_as_executable, ZXHV_NEEDS(0),
		     ZXHV_NEEDS(0)),
	ZXHV_SYSCALL(VMAR_ROOT_SELF, vmar_root_self),
	/* The VMAR, then the VMO; ZX_VM_PERM_* also need their rights (vmar.h). */
	ZXHV_SYSCALL(VMAR_MAP, vmar_map, ZXHV_NEEDS(0), ZXHV_NEEDS(ZX_RIGHT_MAP)),
	ZXHV_SYSCALL(VMAR_UNMAP, vmar_unmap, ZXHV_NEEDS(0)),
	ZXHV_SYSCALL(VMAR_PROTECT, vmar_protect, ZXHV_NEEDS(0)),
	/* Guests: 0x50-0x57; the resource is checked by its range. */
	ZXHV_SYSCALL(GUEST_CREATE, guest_create, ZXHV_NEEDS(0)),
	/* The guest, then the port (if not ZX_HANDLE_INVALID). */
	ZXHV_SYSCALL(GUEST_SET_TRAP, guest_set_trap, ZXHV_NEEDS(ZX_RIGHT_WRITE),
		     ZXHV_NEEDS(ZX_RIGHT_WRITE)),
	/* VCPUs: 0x58-0x5f. */
	ZXHV_SYSCALL(VCPU_CREATE, vcpu_create,
		     ZXHV_NEEDS_ANY(ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_MANAGE_THREAD)),
	ZXHV_SYSCALL(VCPU_ENTER, vcpu_enter, ZXHV_NEEDS(ZX_RIGHT_EXECUTE)),
	ZXHV_SYSCALL(VCPU_KICK, vcpu_kick, ZXHV_NEEDS(ZX_RIGHT_EXECUTE)),
	ZXHV_SYSCALL(VCPU_INTERRUPT, vcpu_interrupt, ZXHV_NEEDS(ZX_RIGHT_SIGNAL)),
	ZXHV_SYSCALL(VCPU_READ_STATE, vcpu_read_state, ZXHV_NEEDS(ZX_RIGHT_READ)),
	ZXHV_SYSCALL(VCPU_WRITE_STATE, vcpu_write_state, ZXHV_NEEDS(ZX_RIGHT_WRITE)),
};

const struct zxhv_syscall *zxhv_syscall_find(unsigned int cmd)
{
	const struct zxhv_syscall *e;

	if (_IOC_TYPE(cmd) != ZXHV_IOC_MAGIC || _IOC_NR(cmd) >= ARRAY_SIZE(zxhv_syscalls))
		return NULL;
	e = &zxhv_syscalls[_IOC_NR(cmd)];
	/* The whole request must match: the direction and size bits too. */
	return e->fn && e->cmd == cmd ? e : NULL;
}

long zxhv_syscall(struct zxhv_file *zf, unsigned int cmd, void __user *uarg)
{
	struct zxhv_sys_ctx c = {
		.handles = &zf->handles,
		.call = zxhv_syscall_find(cmd),
	};

	if (!c.call)
		return -ENOTTY;
	if (!c.call->any_process && !zxhv_handle_table_is_owner(&zf->handles))
		return -EACCES;
	return c.call->fn(&c, uarg);
}
