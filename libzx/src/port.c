// SPDX-License-Identifier: BSD-2-Clause
/*
 * Ports: zx_port_create, zx_port_queue, zx_port_wait.  Each is one ioctl;
 * the module reads and writes the packet and the output handle itself, so
 * a bad pointer gives ZX_ERR_INVALID_ARGS rather than a crash here.
 */
#include <stdint.h>
#include <string.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

#include "internal.h"

ZXHV_EXPORT zx_status_t zx_port_create(uint32_t options, zx_handle_t *out)
{
	struct zxhv_port_create arg;

	memset(&arg, 0, sizeof(arg));
	arg.options = options;
	arg.out = (uintptr_t)out;
	return zxhv_ioctl(ZXHV_IOC_PORT_CREATE, &arg);
}

ZXHV_EXPORT zx_status_t zx_port_queue(zx_handle_t handle, const zx_port_packet_t *packet)
{
	struct zxhv_port_queue arg;

	memset(&arg, 0, sizeof(arg));
	arg.handle = handle;
	arg.packet = (uintptr_t)packet;
	return zxhv_ioctl(ZXHV_IOC_PORT_QUEUE, &arg);
}

ZXHV_EXPORT zx_status_t zx_port_wait(zx_handle_t handle, zx_time_t deadline,
				     zx_port_packet_t *packet)
{
	struct zxhv_port_wait arg;

	memset(&arg, 0, sizeof(arg));
	arg.handle = handle;
	arg.deadline = deadline;
	arg.packet = (uintptr_t)packet;
	return zxhv_ioctl(ZXHV_IOC_PORT_WAIT, &arg);
}
