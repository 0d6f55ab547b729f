// SPDX-License-Identifier: GPL-2.0-only
/*
 * VCPU objects: creation (VPID, thread binding, arch VCPU), the thread
 * registry that enforces one VCPU per thread, the calls, and teardown.
 * See vcpu.h.
 */
#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <zircon/errors.h>

#include "arch.h"
#include "guest.h"
#include "notify.h"
#include "vcpu.h"

/*
 * The threads that have a VCPU, keyed by their struct pid (which cannot be
 * reused while a VCPU holds a reference to it).
 */
#define ZXHV_VCPU_THREAD_BITS	6
static DEFINE_HASHTABLE(zxhv_vcpu_threads, ZXHV_VCPU_THREAD_BITS);
static DEFINE_SPINLOCK(zxhv_vcpu_threads_lock);

static bool zxhv_vcpu_thread_has_vcpu(struct pid *pid)
{
	struct zxhv_vcpu *vcpu;

	lockdep_assert_held(&zxhv_vcpu_threads_lock);
	hash_for_each_possible(zxhv_vcpu_threads, vcpu, thread_node, (unsigned long)pid)
		if (vcpu->thread == pid)
			return true;
	return false;
}

/* Registers @vcpu for the calling thread, unless it already has one. */
static bool zxhv_vcpu_bind(struct zxhv_vcpu *vcpu)
{
	struct pid *pid = task_pid(current);
	bool ok;

	spin_lock(&zxhv_vcpu_threads_lock);
	ok = !zxhv_vcpu_thread_has_vcpu(pid);
	if (ok) {
		vcpu->thread = get_pid(pid);
		hash_add(zxhv_vcpu_threads, &vcpu->thread_node, (unsigned long)pid);
	}
	spin_unlock(&zxhv_vcpu_threads_lock);
	return ok;
}

static void zxhv_vcpu_unbind(struct zxhv_vcpu *vcpu)
{
	spin_lock(&zxhv_vcpu_threads_lock);
	hash_del(&vcpu->thread_node);
	spin_unlock(&zxhv_vcpu_threads_lock);
	put_pid(vcpu->thread);
}

bool zxhv_vcpu_is_bound_thread(const struct zxhv_vcpu *vcpu)
{
	return task_pid(current) == vcpu->thread;
}

/* The last handle went: a thread inside enter leaves it (vcpu.h). */
static void zxhv_vcpu_on_zero_handles(struct zxhv_object *obj)
{
	struct zxhv_vcpu *vcpu = zxhv_vcpu_from_object(obj);

	WRITE_ONCE(vcpu->closed, true);
	zxhv_arch_vcpu_kick(vcpu->arch);
}

static void zxhv_vcpu_destroy(struct zxhv_object *obj)
{
	struct zxhv_vcpu *vcpu = zxhv_vcpu_from_object(obj);
	struct zxhv_guest *guest = vcpu->guest;

	zxhv_notify(ZXHV_EVENT_VCPU_DESTROYED, obj->koid);
	atomic_dec(&guest->vcpus);
	zxhv_arch_vcpu_destroy(vcpu->arch);
	zxhv_vcpu_unbind(vcpu);
	zxhv_id_alloc_put(&guest->vpids, vcpu->vpid);
	kfree(vcpu);
	zxhv_object_put(zxhv_guest_object(guest));
}

static const struct zxhv_object_ops zxhv_vcpu_ops = {
	.type = ZX_OBJ_TYPE_VCPU,
	.on_zero_handles = zxhv_vcpu_on_zero_handles,
	.destroy = zxhv_vcpu_destroy,
};

zx_status_t zxhv_vcpu_create(struct zxhv_guest *guest, u64 entry, struct zxhv_vcpu **out)
{
	const struct zxhv_arch_vcpu_guest g = {
		.ag = guest->arch, .gpas = guest->gpas, .traps = &guest->traps,
	};
	struct zxhv_vcpu *vcpu;
	zx_status_t status;
	int vpid;

	vpid = zxhv_id_alloc_get(&guest->vpids);
	if (vpid < 0)
		return ZX_ERR_NO_RESOURCES;
	if (entry >= ZXHV_GUEST_PHYS_SIZE) {
		status = ZX_ERR_INVALID_ARGS;
		goto err_vpid;
	}
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu) {
		status = ZX_ERR_NO_MEMORY;
		goto err_vpid;
	}
	vcpu->guest = guest;
	vcpu->vpid = vpid;
	if (!zxhv_vcpu_bind(vcpu)) {
		status = ZX_ERR_BAD_STATE;
		goto err_free;
	}
	status = zxhv_arch_vcpu_create(&g, vpid, entry, &vcpu->arch);
	if (status != ZX_OK)
		goto err_unbind;
	zxhv_object_get(zxhv_guest_object(guest));
	zxhv_object_init(&vcpu->obj, &zxhv_vcpu_ops);
	atomic_inc(&guest->vcpus);
	zxhv_notify(ZXHV_EVENT_VCPU_CREATED, vcpu->obj.koid);
	*out = vcpu;
	return ZX_OK;

err_unbind:
	zxhv_vcpu_unbind(vcpu);
err_free:
	kfree(vcpu);
err_vpid:
	zxhv_id_alloc_put(&guest->vpids, vpid);
	return status;
}

zx_status_t zxhv_vcpu_enter(struct zxhv_vcpu *vcpu, zx_port_packet_t *packet)
{
	zx_status_t status;

	if (!zxhv_vcpu_is_bound_thread(vcpu))
		return ZX_ERR_BAD_STATE;
	if (READ_ONCE(vcpu->closed))
		return ZX_ERR_BAD_HANDLE;
	status = zxhv_arch_vcpu_enter(vcpu->arch, packet);
	if (status == ZX_ERR_CANCELED && READ_ONCE(vcpu->closed))
		return ZX_ERR_BAD_HANDLE;
	if (status != ZX_OK && status != ZX_ERR_CANCELED &&
	    status != ZX_ERR_INTERNAL_INTR_RETRY)
		zxhv_notify(ZXHV_EVENT_VCPU_FAILED, vcpu->obj.koid);
	return status;
}

void zxhv_vcpu_stats(struct zxhv_vcpu *vcpu, struct zxhv_arch_vcpu_stats *out)
{
	zxhv_arch_vcpu_stats(vcpu->arch, out);
}

void zxhv_vcpu_kick(struct zxhv_vcpu *vcpu)
{
	zxhv_arch_vcpu_kick(vcpu->arch);
}

zx_status_t zxhv_vcpu_interrupt(struct zxhv_vcpu *vcpu, u32 vector)
{
	return zxhv_arch_vcpu_interrupt(vcpu->arch, vector);
}

u32 zxhv_vcpu_info_flags(struct zxhv_vcpu *vcpu)
{
	return zxhv_arch_vcpu_info_flags(vcpu->arch);
}

zx_status_t zxhv_vcpu_read_state(struct zxhv_vcpu *vcpu, zx_vcpu_state_t *state)
{
	if (!zxhv_vcpu_is_bound_thread(vcpu))
		return ZX_ERR_BAD_STATE;
	zxhv_arch_vcpu_read_state(vcpu->arch, state);
	return ZX_OK;
}

zx_status_t zxhv_vcpu_write_state(struct zxhv_vcpu *vcpu, const zx_vcpu_state_t *state)
{
	if (!zxhv_vcpu_is_bound_thread(vcpu))
		return ZX_ERR_BAD_STATE;
	zxhv_arch_vcpu_write_state(vcpu->arch, state);
	return ZX_OK;
}

zx_status_t zxhv_vcpu_write_io(struct zxhv_vcpu *vcpu, const zx_vcpu_io_t *io)
{
	if (!zxhv_vcpu_is_bound_thread(vcpu))
		return ZX_ERR_BAD_STATE;
	return zxhv_arch_vcpu_write_io(vcpu->arch, io);
}
