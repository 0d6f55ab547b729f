// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMX side of a guest: VMX ownership (a zxhv_vmx_cpu_get() reference for
 * the guest's lifetime), the EPT, and its invalidation.
 *
 * EPT entries are installed lazily by the EPT-violation path with the
 * mapping's maximum permissions, so an address-space change that removes
 * or reduces access simply removes the affected translations: the next
 * access faults them back in with whatever is mapped then.  Removing is
 * followed by a single-context INVEPT of the guest's EPTP on every CPU
 * (Intel SDM Vol. 3C 29.4.3.1: translations derived from an EPTP may be
 * cached on any logical processor that used it), and only then are the
 * page-table pages the removal emptied freed.
 */
#include <linux/bug.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <zircon/errors.h>

#include "arch.h"
#include "ept.h"
#include "guest_priv.h"
#include "vmcs.h"
#include "vmx_cpu.h"
#include "vmx_ops.h"

zx_status_t zxhv_arch_guest_create(struct zxhv_arch_guest **out)
{
	struct zxhv_arch_guest *ag;
	zx_status_t status;

	status = zxhv_vmx_cpu_get();
	if (status != ZX_OK)
		return status;
	ag = kzalloc(sizeof(*ag), GFP_KERNEL_ACCOUNT);
	if (!ag) {
		status = ZX_ERR_NO_MEMORY;
		goto err_put;
	}
	mutex_init(&ag->fault_lock);
	status = zxhv_ept_init(&ag->ept, NULL, NULL);
	if (status != ZX_OK)
		goto err_free;
	ag->eptp = zxhv_ept_eptp(&ag->ept, false);
	/*
	 * The root page may have been an earlier guest's, whose translations
	 * some CPU may still cache under the same EPTP.
	 */
	zxhv_vmx_cpu_invept_all(ag->eptp);
	*out = ag;
	return ZX_OK;

err_free:
	kfree(ag);
err_put:
	zxhv_vmx_cpu_put();
	return status;
}

void zxhv_arch_guest_destroy(struct zxhv_arch_guest *ag)
{
	/* No VCPU uses the EPT any more; drop what CPUs cached, then free. */
	zxhv_vmx_cpu_invept_all(ag->eptp);
	zxhv_ept_destroy(&ag->ept);
	kfree(ag);
	zxhv_vmx_cpu_put();
}

/* GPA space of the EPT; every range handed in lies below it. */
#define ZXHV_VMX_GPA_LIMIT	BIT_ULL(ZXHV_EPT_GPA_BITS)

void zxhv_arch_guest_invalidate(struct zxhv_arch_guest *ag, u64 gpa, u64 len)
{
	struct zxhv_ept_change chg;
	zx_status_t status;
	u64 start, end;

	zxhv_ept_change_init(&chg);
	status = zxhv_ept_unmap(&ag->ept, gpa, len, &chg);
	if (status == ZX_ERR_NO_MEMORY) {
		/*
		 * A large leaf straddling an edge could not be split.  Every
		 * translation is refaulted on demand, so removing more than
		 * asked is harmless: widen to 1 GiB boundaries, which no leaf
		 * straddles, so nothing needs splitting.
		 */
		start = round_down(gpa, ZXHV_EPT_SIZE_1G);
		end = min(round_up(gpa + len, ZXHV_EPT_SIZE_1G), ZXHV_VMX_GPA_LIMIT);
		status = zxhv_ept_unmap(&ag->ept, start, end - start, &chg);
	}
	WARN_ONCE(status != ZX_OK, "zircon-hv: EPT unmap [%#llx, +%#llx) failed: %d\n",
		  gpa, len, status);
	if (chg.flush)
		zxhv_vmx_cpu_invept_all(ag->eptp);
	zxhv_ept_change_finish(&ag->ept, &chg);
}

void zxhv_arch_guest_leaves(struct zxhv_arch_guest *ag,
			    unsigned long out[ZXHV_ARCH_LEAF_SIZES])
{
	BUILD_BUG_ON((int)ZXHV_ARCH_LEAF_4K != (int)ZXHV_EPT_4K ||
		     (int)ZXHV_ARCH_LEAF_2M != (int)ZXHV_EPT_2M ||
		     (int)ZXHV_ARCH_LEAF_1G != (int)ZXHV_EPT_1G ||
		     (int)ZXHV_ARCH_LEAF_SIZES != (int)ZXHV_EPT_LEAF_LEVELS);
	/* The fault path installs leaves under this mutex. */
	mutex_lock(&ag->fault_lock);
	memcpy(out, ag->ept.nr_leaves, sizeof(ag->ept.nr_leaves));
	mutex_unlock(&ag->fault_lock);
}
