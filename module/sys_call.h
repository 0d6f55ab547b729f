/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the call handlers (module/sys_*.c) share with the dispatcher
 * (module/syscalls.c): the table row of a call, the context a handler runs
 * in, the typed handle lookups that take their rights from the row, and
 * the helpers that publish output handles.
 *
 * A handler is written as
 *
 *	ZXHV_SYSCALL_DEFINE(PORT_WAIT, port_wait, zxhv_port_wait)
 *	{
 *		... a is the struct zxhv_port_wait copied in ...
 *	}
 *
 * which checks at build time that the struct is the ioctl's argument block
 * and defines zxhv_sys_port_wait(), the entry the table row
 * ZXHV_SYSCALL(PORT_WAIT, port_wait, ...) in syscalls.c points at.  The
 * handler decides when it looks up each handle (the order of checks is
 * part of the ABI); the rights each lookup demands come from the row.
 */
#ifndef ZXHV_SYS_CALL_H
#define ZXHV_SYS_CALL_H

#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/ioctl.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <zircon/errors.h>
#include <zircon/types.h>
#include <zircon-hv.h>

#include "guest.h"
#include "handle.h"
#include "object.h"
#include "port.h"
#include "status.h"
#include "vcpu.h"
#include "vmar.h"
#include "vmo.h"

struct zxhv_sys_ctx;

/* Handle arguments of one call that carry a rights rule. */
#define ZXHV_SYS_MAX_HANDLES	2

/* The rule for handle argument number n of a call (n in the table row's order). */
struct zxhv_sys_handle_rule {
	bool present;			/* the call has this handle argument */
	struct zxhv_rights_req req;	/* what its handle must hold */
};

/* One row of the dispatch table (module/syscalls.c), indexed by _IOC_NR(cmd). */
struct zxhv_syscall {
	const char *name;		/* zx_* call, for diagnostics and KUnit */
	unsigned int cmd;		/* the whole ioctl request; 0: no call */
	/* The whole ioctl: copies the block in and out, returns its value. */
	long (*fn)(const struct zxhv_sys_ctx *c, void __user *uarg);
	bool any_process;		/* needs no handle table (and no owner check) */
	struct zxhv_sys_handle_rule handle[ZXHV_SYS_MAX_HANDLES];
};

/* The call being run: the caller's handle table and the call's table row. */
struct zxhv_sys_ctx {
	struct zxhv_handle_table *handles;
	const struct zxhv_syscall *call;
};

/* The row of ioctl @cmd, or NULL if @cmd is no call of this module. */
const struct zxhv_syscall *zxhv_syscall_find(unsigned int cmd);

/*
 * The ioctl's return value for a handler's @status.  A signal interrupted
 * a blocking call (zx_port_wait): the kernel re-issues the ioctl with the
 * same argument block after the signal handler, whatever SA_RESTART says,
 * as Zircon restarts it transparently.  Deadlines are absolute, so nothing
 * drifts.
 */
static inline long zxhv_sys_ret(zx_status_t status)
{
	if (status == ZX_ERR_INTERNAL_INTR_RETRY)
		return -ERESTARTNOINTR;
	return zxhv_ioctl_ret(status);
}

/*
 * Reads a call's struct of @size bytes (a whole number of 8-byte words:
 * ZXHV_SYSCALL_DEFINE checks it) from @src into @dst (8-byte aligned): one
 * user-access window and a load per word, inlined for the call's constant
 * size, where copy_from_user() calls out to a generic copy.  False if a
 * word is not readable (the caller answers -EFAULT).
 */
static __always_inline bool zxhv_sys_copy_in(void *dst, const void __user *src, size_t size)
{
	const u64 __user *s = src;
	u64 *d = dst;
	size_t i;

	if (!user_access_begin(src, size))
		return false;
	for (i = 0; i < size / sizeof(u64); i++)
		unsafe_get_user(d[i], &s[i], fault);
	user_access_end();
	return true;
fault:
	user_access_end();
	return false;
}

/*
 * Writes @pkt to user address @uout (zx_vcpu_enter, zx_port_wait): ZX_OK,
 * or ZX_ERR_INVALID_ARGS if the address is not writable.  One user-access
 * window and six 8-byte stores, not copy_to_user()'s out-of-line checks.
 */
static inline zx_status_t zxhv_sys_put_packet(u64 uout, const zx_port_packet_t *pkt)
{
	zx_port_packet_t __user *dst = u64_to_user_ptr(uout);

	if (!user_access_begin(dst, sizeof(*dst)))
		return ZX_ERR_INVALID_ARGS;
	unsafe_copy_to_user((char __user *)dst, (const char *)pkt, sizeof(*pkt), fault);
	user_access_end();
	return ZX_OK;
fault:
	user_access_end();
	return ZX_ERR_INVALID_ARGS;
}

/*
 * Defines the table entry zxhv_sys_<name>() of ioctl ZXHV_IOC_<CMD>, whose
 * argument block is struct <type>, and opens the body of the typed
 * handler, which sees the block as `a` and the context as `c`.  The entry
 * copies the block in (_IOC_WRITE) or out (_IOC_READ, unless the call is
 * to be restarted) with the struct's size, a constant: the copy needs no
 * run-time check of the kernel object it fills (hardened usercopy).
 */
#define ZXHV_SYSCALL_DEFINE(CMD, name, type)						\
	static_assert(sizeof(struct type) == _IOC_SIZE(ZXHV_IOC_##CMD));		\
	static_assert(sizeof(struct type) % sizeof(u64) == 0);				\
	static zx_status_t zxhv_sys_##name##_typed(const struct zxhv_sys_ctx *c,	\
						   struct type *a);			\
	long zxhv_sys_##name(const struct zxhv_sys_ctx *c, void __user *uarg)		\
	{										\
		struct type a __aligned(8);						\
		zx_status_t status;							\
											\
		if (!(_IOC_DIR(ZXHV_IOC_##CMD) & _IOC_WRITE))				\
			memset(&a, 0, sizeof(a));					\
		else if (!zxhv_sys_copy_in(&a, uarg, sizeof(a)))			\
			return -EFAULT;							\
		status = zxhv_sys_##name##_typed(c, &a);				\
		if ((_IOC_DIR(ZXHV_IOC_##CMD) & _IOC_READ) &&				\
		    status != ZX_ERR_INTERNAL_INTR_RETRY &&				\
		    copy_to_user(uarg, &a, sizeof(a)))					\
			return -EFAULT;							\
		return zxhv_sys_ret(status);						\
	}										\
	static zx_status_t zxhv_sys_##name##_typed(const struct zxhv_sys_ctx *c,	\
						   struct type *a)

/*
 * The one typed lookup: handle @value, argument number @arg of the call,
 * must name an object of @type (ZXHV_OBJ_TYPE_ANY: any) whose handle
 * satisfies the row's rule for @arg.  Zircon's precedence BAD_HANDLE >
 * WRONG_TYPE > ACCESS_DENIED (zxhv_handle_lookup_req()).  On ZX_OK *@obj
 * holds a reference and *@rights, if not NULL, the handle's rights.
 */
zx_status_t zxhv_sys_get(const struct zxhv_sys_ctx *c, unsigned int arg, zx_handle_t value,
			 zx_obj_type_t type, struct zxhv_object **obj, zx_rights_t *rights);

/* zxhv_handle_take_req() with the row's rule for argument @arg. */
zx_status_t zxhv_sys_take(const struct zxhv_sys_ctx *c, unsigned int arg, zx_handle_t value,
			  struct zxhv_handle **h);

/* The row's rule for argument @arg. */
const struct zxhv_rights_req *zxhv_sys_req(const struct zxhv_sys_ctx *c, unsigned int arg);

/*
 * zxhv_sys_get() that lends the object to @fn under the handle table's
 * lock instead of taking a reference (zxhv_handle_borrow_req()).
 */
static __always_inline zx_status_t
zxhv_sys_borrow(const struct zxhv_sys_ctx *c, unsigned int arg, zx_handle_t value,
		zx_obj_type_t type, zx_status_t (*fn)(struct zxhv_object *obj, void *ctx),
		void *ctx)
{
	return zxhv_handle_borrow_req(c->handles, value, type, zxhv_sys_req(c, arg), fn, ctx);
}

/*
 * zxhv_sys_get_<type>(c, arg, value, &ptr, &rights): zxhv_sys_get() for
 * ZX_OBJ_TYPE_<TYPE>, giving the object's own struct; drop it with
 * zxhv_object_put(zxhv_<type>_object(ptr)).
 */
#define ZXHV_SYS_DEFINE_GET(tname, objtype)						\
static inline zx_status_t zxhv_sys_get_##tname(const struct zxhv_sys_ctx *c,		\
					       unsigned int arg, zx_handle_t value,	\
					       struct zxhv_##tname **out,		\
					       zx_rights_t *rights)			\
{											\
	struct zxhv_object *obj;							\
	zx_status_t status;								\
											\
	status = zxhv_sys_get(c, arg, value, objtype, &obj, rights);			\
	if (status == ZX_OK)								\
		*out = zxhv_##tname##_from_object(obj);					\
	return status;									\
}

ZXHV_SYS_DEFINE_GET(guest, ZX_OBJ_TYPE_GUEST)
ZXHV_SYS_DEFINE_GET(port, ZX_OBJ_TYPE_PORT)
ZXHV_SYS_DEFINE_GET(vcpu, ZX_OBJ_TYPE_VCPU)
ZXHV_SYS_DEFINE_GET(vmar, ZX_OBJ_TYPE_VMAR)
ZXHV_SYS_DEFINE_GET(vmo, ZX_OBJ_TYPE_VMO)

/*
 * Inserts @h into the caller's table and writes its value to the user
 * pointer @uout.  On any failure the handle is gone again (closed) and the
 * status says why.
 */
zx_status_t zxhv_sys_publish_handle(const struct zxhv_sys_ctx *c, struct zxhv_handle *h,
				    u64 uout);
/* A new handle to @obj with @rights, published by zxhv_sys_publish_handle(). */
zx_status_t zxhv_sys_publish_object(const struct zxhv_sys_ctx *c, struct zxhv_object *obj,
				    zx_rights_t rights, u64 uout);

/* The entries of the table, one per call (module/sys_*.c). */
#define ZXHV_SYSCALL_DECLARE(name) \
	long zxhv_sys_##name(const struct zxhv_sys_ctx *c, void __user *uarg)

/* sys_device.c */
ZXHV_SYSCALL_DECLARE(get_api_version);
ZXHV_SYSCALL_DECLARE(vmx_probe);
/* sys_handle.c */
ZXHV_SYSCALL_DECLARE(handle_close);
ZXHV_SYSCALL_DECLARE(handle_close_many);
ZXHV_SYSCALL_DECLARE(handle_duplicate);
ZXHV_SYSCALL_DECLARE(handle_replace);
ZXHV_SYSCALL_DECLARE(object_get_info);
ZXHV_SYSCALL_DECLARE(handle_export);
ZXHV_SYSCALL_DECLARE(handle_import);
/* sys_resource.c */
ZXHV_SYSCALL_DECLARE(resource_create);
ZXHV_SYSCALL_DECLARE(hypervisor_resource);
/* sys_port.c */
ZXHV_SYSCALL_DECLARE(port_create);
ZXHV_SYSCALL_DECLARE(port_queue);
ZXHV_SYSCALL_DECLARE(port_wait);
/* sys_vmo.c */
ZXHV_SYSCALL_DECLARE(vmo_create);
ZXHV_SYSCALL_DECLARE(vmo_get_size);
ZXHV_SYSCALL_DECLARE(vmo_read);
ZXHV_SYSCALL_DECLARE(vmo_write);
ZXHV_SYSCALL_DECLARE(vmo_replace_as_executable);
/* sys_vmar.c */
ZXHV_SYSCALL_DECLARE(vmar_root_self);
ZXHV_SYSCALL_DECLARE(vmar_map);
ZXHV_SYSCALL_DECLARE(vmar_unmap);
ZXHV_SYSCALL_DECLARE(vmar_protect);
/* sys_guest.c */
ZXHV_SYSCALL_DECLARE(guest_create);
ZXHV_SYSCALL_DECLARE(guest_set_trap);
/* sys_vcpu.c */
ZXHV_SYSCALL_DECLARE(vcpu_create);
ZXHV_SYSCALL_DECLARE(vcpu_enter);
ZXHV_SYSCALL_DECLARE(vcpu_kick);
ZXHV_SYSCALL_DECLARE(vcpu_interrupt);
ZXHV_SYSCALL_DECLARE(vcpu_read_state);
ZXHV_SYSCALL_DECLARE(vcpu_write_state);

#endif /* ZXHV_SYS_CALL_H */
