// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPU calls: zx_vcpu_create, enter, kick, interrupt, read_state and
 * write_state.
 */
#include <linux/string.h>
#include <linux/uaccess.h>
#include <zircon/rights.h>

#include "sys_call.h"

static void zxhv_sys_vcpu_put(struct zxhv_vcpu *vcpu)
{
	zxhv_object_put(zxhv_vcpu_object(vcpu));
}

/* Options first (before the handle), then MANAGE_PROCESS or MANAGE_THREAD. */
ZXHV_SYSCALL_DEFINE(VCPU_CREATE, vcpu_create, zxhv_vcpu_create)
{
	struct zxhv_guest *guest;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	if (a->options)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_guest(c, 0, a->guest, &guest, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_vcpu_create(guest, a->entry, &vcpu);
	if (status == ZX_OK) {
		status = zxhv_sys_publish_object(c, zxhv_vcpu_object(vcpu),
						 ZX_DEFAULT_VCPU_RIGHTS, a->out);
		zxhv_sys_vcpu_put(vcpu);
	}
	zxhv_object_put(zxhv_guest_object(guest));
	return status;
}

/* The packet is written only on ZX_OK; a faulting pointer: INVALID_ARGS. */
ZXHV_SYSCALL_DEFINE(VCPU_ENTER, vcpu_enter, zxhv_vcpu_enter)
{
	zx_port_packet_t packet;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	if (a->reserved)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_vcpu_enter(vcpu, &packet);
	zxhv_sys_vcpu_put(vcpu);
	if (status == ZX_OK)
		status = zxhv_sys_put_packet(a->packet, &packet);
	return status;
}

ZXHV_SYSCALL_DEFINE(VCPU_KICK, vcpu_kick, zxhv_vcpu_signal)
{
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	if (a->arg)
		return ZX_ERR_INVALID_ARGS;
	status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
	if (status != ZX_OK)
		return status;
	zxhv_vcpu_kick(vcpu);
	zxhv_sys_vcpu_put(vcpu);
	return ZX_OK;
}

/* Vectors above 255: OUT_OF_RANGE (the docs' answer, docs/api.md §1). */
ZXHV_SYSCALL_DEFINE(VCPU_INTERRUPT, vcpu_interrupt, zxhv_vcpu_signal)
{
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
	if (status != ZX_OK)
		return status;
	status = zxhv_vcpu_interrupt(vcpu, a->arg);
	zxhv_sys_vcpu_put(vcpu);
	return status;
}

ZXHV_SYSCALL_DEFINE(VCPU_READ_STATE, vcpu_read_state, zxhv_vcpu_state_rw)
{
	zx_vcpu_state_t state;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
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
	zxhv_sys_vcpu_put(vcpu);
	return status;
}

/*
 * The buffer of a state write, @size bytes (the kind's struct): a size
 * that does not match or a faulting copy is INVALID_ARGS.  Inlined with
 * each kind's constant @size, so the copy needs no run-time check of @dst.
 */
static __always_inline zx_status_t vcpu_state_in(void *dst, const struct zxhv_vcpu_state_rw *a,
						 size_t size)
{
	if (a->buffer_size != size || copy_from_user(dst, u64_to_user_ptr(a->buffer), size))
		return ZX_ERR_INVALID_ARGS;
	return ZX_OK;
}

ZXHV_SYSCALL_DEFINE(VCPU_WRITE_STATE, vcpu_write_state, zxhv_vcpu_state_rw)
{
	union {
		zx_vcpu_state_t state;
		zx_vcpu_io_t io;
	} buf;
	struct zxhv_vcpu *vcpu;
	zx_status_t status;

	status = zxhv_sys_get_vcpu(c, 0, a->handle, &vcpu, NULL);
	if (status != ZX_OK)
		return status;
	switch (a->kind) {
	case ZX_VCPU_STATE:
		status = vcpu_state_in(&buf.state, a, sizeof(buf.state));
		if (status == ZX_OK)
			status = zxhv_vcpu_write_state(vcpu, &buf.state);
		break;
	case ZX_VCPU_IO:
		status = vcpu_state_in(&buf.io, a, sizeof(buf.io));
		if (status == ZX_OK)
			status = zxhv_vcpu_write_io(vcpu, &buf.io);
		break;
	default:
		status = ZX_ERR_INVALID_ARGS;
		break;
	}
	zxhv_sys_vcpu_put(vcpu);
	return status;
}
