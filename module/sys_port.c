// SPDX-License-Identifier: GPL-2.0-only
/* Port calls: zx_port_create, zx_port_queue, zx_port_wait. */
#include <linux/uaccess.h>
#include <zircon/rights.h>

#include "sys_call.h"

/* ZX_PORT_BIND_TO_INTERRUPT is accepted but inert: nothing can bind here. */
ZXHV_SYSCALL_DEFINE(PORT_CREATE, port_create, zxhv_port_create)
{
	struct zxhv_port *port;
	zx_status_t status;

	if (a->reserved || (a->options & ~ZX_PORT_BIND_TO_INTERRUPT))
		return ZX_ERR_INVALID_ARGS;
	port = zxhv_port_create();
	if (!port)
		return ZX_ERR_NO_MEMORY;
	status = zxhv_sys_publish_object(c, zxhv_port_object(port), ZX_DEFAULT_PORT_RIGHTS,
					 a->out);
	zxhv_object_put(zxhv_port_object(port));
	return status;
}

ZXHV_SYSCALL_DEFINE(PORT_QUEUE, port_queue, zxhv_port_queue)
{
	struct zxhv_port *port;
	zx_port_packet_t pkt;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_port(c, 0, a->handle, &port, NULL);
	if (status != ZX_OK)
		return status;
	if (copy_from_user(&pkt, u64_to_user_ptr(a->packet), sizeof(pkt)))
		status = ZX_ERR_INVALID_ARGS;
	else
		status = zxhv_port_queue_user(port, &pkt);
	zxhv_object_put(zxhv_port_object(port));
	return status;
}

/*
 * A packet already queued is taken under the handle table's lock, without
 * a reference on the port (a VMM draining doorbells: docs/design.md); only
 * a wait takes one.  A signal makes zxhv_port_wait() return
 * ZX_ERR_INTERNAL_INTR_RETRY, which the dispatcher turns into a restart of
 * the whole call: the deadline is absolute, so the restarted call waits
 * until the same instant.
 */
ZXHV_SYSCALL_DEFINE(PORT_WAIT, port_wait, zxhv_port_wait)
{
	struct zxhv_port *port;
	zx_port_packet_t pkt;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_borrow(c, 0, a->handle, ZX_OBJ_TYPE_PORT, zxhv_port_take_object,
				 &pkt);
	if (status == ZX_ERR_SHOULD_WAIT) {
		status = zxhv_sys_get_port(c, 0, a->handle, &port, NULL);
		if (status != ZX_OK)
			return status;
		status = zxhv_port_wait(port, a->deadline, &pkt);
		zxhv_object_put(zxhv_port_object(port));
	}
	if (status == ZX_OK)
		status = zxhv_sys_put_packet(a->packet, &pkt);
	return status;
}
