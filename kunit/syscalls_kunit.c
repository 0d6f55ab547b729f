// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the dispatch table of the zx_* calls (module/syscalls.c).  The
 * expected table below is the one in uapi/zircon-hv.h, written out again
 * with each call's uapi struct: a row that drifts from the documented
 * rights, size or direction fails here.
 */
#include <kunit/test.h>
#include <linux/ioctl.h>
#include <linux/slab.h>
#include <zircon/rights.h>
#include <zircon-hv.h>

#include "../module/handle.h"
#include "../module/object.h"
#include "../module/sys_call.h"

struct expected_call {
	unsigned int cmd;
	size_t size;		/* sizeof the uapi struct */
	bool any_process;
	unsigned int nhandles;	/* handle arguments with a rule */
	zx_rights_t rights[ZXHV_SYS_MAX_HANDLES];
	bool any;		/* the first handle's rights are an any-of */
};

#define CALL(c, type, n, r0, r1) \
	{ .cmd = ZXHV_IOC_##c, .size = sizeof(struct type), .nhandles = (n), \
	  .rights = { (r0), (r1) } }

static const struct expected_call expected[] = {
	{ .cmd = ZXHV_IOC_GET_API_VERSION, .size = sizeof(struct zxhv_api_version),
	  .any_process = true },
	{ .cmd = ZXHV_IOC_VMX_PROBE, .size = sizeof(struct zxhv_vmx_probe),
	  .any_process = true },
	CALL(HANDLE_CLOSE, zxhv_handle_close, 0, 0, 0),
	CALL(HANDLE_CLOSE_MANY, zxhv_handle_close_many, 0, 0, 0),
	CALL(HANDLE_DUPLICATE, zxhv_handle_derive, 1, ZX_RIGHT_DUPLICATE, 0),
	CALL(HANDLE_REPLACE, zxhv_handle_derive, 1, 0, 0),
	CALL(OBJECT_GET_INFO, zxhv_object_get_info, 1, ZX_RIGHT_INSPECT, 0),
	CALL(RESOURCE_CREATE, zxhv_resource_create, 1, ZX_RIGHT_WRITE, 0),
	CALL(HYPERVISOR_RESOURCE, zxhv_hypervisor_resource, 0, 0, 0),
	CALL(HANDLE_EXPORT, zxhv_handle_export, 1, ZX_RIGHT_TRANSFER, 0),
	CALL(HANDLE_IMPORT, zxhv_handle_import, 0, 0, 0),
	CALL(PORT_CREATE, zxhv_port_create, 0, 0, 0),
	CALL(PORT_QUEUE, zxhv_port_queue, 1, ZX_RIGHT_WRITE, 0),
	CALL(PORT_WAIT, zxhv_port_wait, 1, ZX_RIGHT_READ, 0),
	CALL(VMO_CREATE, zxhv_vmo_create, 0, 0, 0),
	CALL(VMO_GET_SIZE, zxhv_vmo_get_size, 1, 0, 0),
	CALL(VMO_READ, zxhv_vmo_rw, 1, ZX_RIGHT_READ, 0),
	CALL(VMO_WRITE, zxhv_vmo_rw, 1, ZX_RIGHT_WRITE, 0),
	CALL(VMO_REPLACE_AS_EXECUTABLE, zxhv_vmo_replace_as_executable, 2, 0, 0),
	CALL(VMAR_ROOT_SELF, zxhv_vmar_root_self, 0, 0, 0),
	CALL(VMAR_MAP, zxhv_vmar_map, 2, 0, ZX_RIGHT_MAP),
	CALL(VMAR_UNMAP, zxhv_vmar_range, 1, 0, 0),
	CALL(VMAR_PROTECT, zxhv_vmar_range, 1, 0, 0),
	CALL(GUEST_CREATE, zxhv_guest_create, 1, 0, 0),
	CALL(GUEST_SET_TRAP, zxhv_guest_set_trap, 2, ZX_RIGHT_WRITE, ZX_RIGHT_WRITE),
	{ .cmd = ZXHV_IOC_VCPU_CREATE, .size = sizeof(struct zxhv_vcpu_create), .nhandles = 1,
	  .rights = { ZX_RIGHT_MANAGE_PROCESS | ZX_RIGHT_MANAGE_THREAD }, .any = true },
	CALL(VCPU_ENTER, zxhv_vcpu_enter, 1, ZX_RIGHT_EXECUTE, 0),
	CALL(VCPU_KICK, zxhv_vcpu_signal, 1, ZX_RIGHT_EXECUTE, 0),
	CALL(VCPU_INTERRUPT, zxhv_vcpu_signal, 1, ZX_RIGHT_SIGNAL, 0),
	CALL(VCPU_READ_STATE, zxhv_vcpu_state_rw, 1, ZX_RIGHT_READ, 0),
	CALL(VCPU_WRITE_STATE, zxhv_vcpu_state_rw, 1, ZX_RIGHT_WRITE, 0),
};

/* Every documented call has its row: size, direction, rights as documented. */
static void syscalls_rows_match_uapi(struct kunit *test)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < ARRAY_SIZE(expected); i++) {
		const struct expected_call *x = &expected[i];
		const struct zxhv_syscall *e = zxhv_syscall_find(x->cmd);

		KUNIT_ASSERT_NOT_NULL_MSG(test, e, "no row for ioctl %#x", x->cmd);
		KUNIT_EXPECT_EQ_MSG(test, e->cmd, x->cmd, "%s", e->name);
		KUNIT_EXPECT_EQ_MSG(test, (size_t)_IOC_SIZE(e->cmd), x->size, "%s", e->name);
		KUNIT_EXPECT_EQ_MSG(test, e->any_process, x->any_process, "%s", e->name);
		/* zx_* calls only read their block; device questions only write theirs. */
		KUNIT_EXPECT_EQ_MSG(test, (unsigned int)_IOC_DIR(e->cmd),
				    x->any_process ? _IOC_READ : _IOC_WRITE, "%s", e->name);
		for (j = 0; j < ZXHV_SYS_MAX_HANDLES; j++) {
			const struct zxhv_sys_handle_rule *r = &e->handle[j];

			KUNIT_EXPECT_EQ_MSG(test, r->present, j < x->nhandles, "%s handle %u",
					    e->name, j);
			KUNIT_EXPECT_EQ_MSG(test, r->req.rights, x->rights[j], "%s handle %u",
					    e->name, j);
			KUNIT_EXPECT_EQ_MSG(test, r->req.any, j == 0 && x->any, "%s handle %u",
					    e->name, j);
		}
	}
}

/* No row beyond the documented ones, and only whole requests match. */
static void syscalls_find_exact(struct kunit *test)
{
	unsigned int nr, found = 0;
	size_t i;

	for (nr = 0; nr < 256; nr++) {
		const struct zxhv_syscall *e = NULL;

		for (i = 0; i < ARRAY_SIZE(expected) && !e; i++) {
			if (_IOC_NR(expected[i].cmd) == nr)
				e = zxhv_syscall_find(expected[i].cmd);
		}
		if (e)
			found++;
		/* Any request with this number but another size or direction: none. */
		KUNIT_EXPECT_NULL(test, zxhv_syscall_find(_IOW(ZXHV_IOC_MAGIC, nr, u8)));
		KUNIT_EXPECT_NULL(test, zxhv_syscall_find(_IO(ZXHV_IOC_MAGIC, nr)));
	}
	KUNIT_EXPECT_EQ(test, found, (unsigned int)ARRAY_SIZE(expected));
	/* Another magic with a known number and size. */
	KUNIT_EXPECT_NULL(test, zxhv_syscall_find(_IOW('Z', 0x10, struct zxhv_handle_close)));
}

struct fake_obj {
	struct zxhv_object obj;
};

static void fake_destroy(struct zxhv_object *obj)
{
	kfree(container_of(obj, struct fake_obj, obj));
}

static const struct zxhv_object_ops fake_ops = {
	.type = ZX_OBJ_TYPE_PORT,
	.destroy = fake_destroy,
};

/* zxhv_sys_get() on a handle holding @have, for handle @arg of @e. */
static zx_status_t get_with(struct kunit *test, const struct zxhv_syscall *e, unsigned int arg,
			    zx_rights_t have)
{
	struct zxhv_handle_table t;
	struct zxhv_sys_ctx c = { .handles = &t, .call = e };
	struct zxhv_object *got;
	struct fake_obj *f;
	zx_status_t status;
	zx_handle_t value;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	zxhv_object_init(&f->obj, &fake_ops);
	zxhv_handle_table_init(&t);
	KUNIT_ASSERT_EQ(test, zxhv_handle_add(&t, &f->obj, have, &value), ZX_OK);
	zxhv_object_put(&f->obj);
	status = zxhv_sys_get(&c, arg, value, ZXHV_OBJ_TYPE_ANY, &got, NULL);
	if (status == ZX_OK)
		zxhv_object_put(got);
	zxhv_handle_table_destroy(&t);
	return status;
}

/*
 * Each row's rule is what a lookup enforces: the needed rights pass, and
 * for an all-of rule, lacking any one of them is ACCESS_DENIED; for the
 * any-of rule each right alone passes and none of them is ACCESS_DENIED.
 */
static void syscalls_lookup_enforces_rows(struct kunit *test)
{
	const zx_rights_t all = ZX_RIGHTS_BASIC | ZX_RIGHTS_IO | ZX_RIGHTS_PROPERTY |
				ZX_RIGHT_EXECUTE | ZX_RIGHT_MAP | ZX_RIGHT_MANAGE_PROCESS |
				ZX_RIGHT_MANAGE_THREAD | ZX_RIGHT_SIGNAL;
	unsigned int arg, bit;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(expected); i++) {
		const struct zxhv_syscall *e = zxhv_syscall_find(expected[i].cmd);

		KUNIT_ASSERT_NOT_NULL(test, e);
		for (arg = 0; arg < ZXHV_SYS_MAX_HANDLES; arg++) {
			zx_rights_t need = e->handle[arg].req.rights;

			if (!e->handle[arg].present)
				continue;
			KUNIT_EXPECT_EQ_MSG(test, get_with(test, e, arg, need), ZX_OK, "%s %u",
					    e->name, arg);
			for (bit = 0; bit < 32; bit++) {
				zx_rights_t r = BIT(bit);
				zx_status_t want;

				if (!(need & r))
					continue;
				want = e->handle[arg].req.any ? ZX_OK : ZX_ERR_ACCESS_DENIED;
				KUNIT_EXPECT_EQ_MSG(test, get_with(test, e, arg, all & ~r), want,
						    "%s %u without %#x", e->name, arg, r);
				if (e->handle[arg].req.any)
					KUNIT_EXPECT_EQ_MSG(test, get_with(test, e, arg, r), ZX_OK,
							    "%s %u with only %#x", e->name, arg,
							    r);
			}
			if (need)
				KUNIT_EXPECT_EQ_MSG(test, get_with(test, e, arg, all & ~need),
						    ZX_ERR_ACCESS_DENIED, "%s %u with none",
						    e->name, arg);
		}
	}
}

static struct kunit_case syscalls_cases[] = {
	KUNIT_CASE(syscalls_rows_match_uapi),
	KUNIT_CASE(syscalls_find_exact),
	KUNIT_CASE(syscalls_lookup_enforces_rows),
	{}
};

static struct kunit_suite syscalls_suite = {
	.name = "zxhv-syscalls",
	.test_cases = syscalls_cases,
};

kunit_test_suite(syscalls_suite);
