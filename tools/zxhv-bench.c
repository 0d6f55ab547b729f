// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv-bench: exit and setup costs of zircon-hv, through libzx.
 *
 * Runs the guest program of tools/bench/bench_guest.h (the same bytes
 * kvm-bench runs on /dev/kvm) and prints one "result" line per op; see
 * bench.h and bench_guest.h for the ops, the layout and the units, and
 * docs/benchmarks.md for how to run it.  Exit status: 0 when every op ran, 1 on a failure, 2 when the
 * machine cannot run guests.
 */
#include <inttypes.h>

#include <zircon/hv.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "bench/bench.h"
#include "zxhv/zxhv_nl.h"

#define KEY_MEM		1u
#define KEY_IO		3u
#define KEY_BELL	0x10u	/* + the queue */

struct bvm {
	zx_handle_t guest, vmar, vmo, touch_vmo, vcpu;
	zx_handle_t port[BELL_QUEUES];	/* queue q's doorbell packets */
	uint8_t *mem;
	bool giant;			/* vmo_1g_blocks raised: restore @giant_saved */
	unsigned int giant_saved;
};

/* The module's budget of 1 GiB VMO blocks (man/zircon-hv.4). */
#define GIANT_PARAM "/sys/module/zircon_hv/parameters/vmo_1g_blocks"


static zx_handle_t rsrc = ZX_HANDLE_INVALID;

static bool zx_failed(const char *what, zx_status_t s)
{
	if (s == ZX_OK)
		return false;
	fprintf(stderr, "zxhv-bench: %s failed: %s\n", what, zx_status_get_string(s));
	return true;
}

#define ZXCHECK(call) do { if (zx_failed(#call, (call))) goto fail; } while (0)

static void zx_destroy(struct bvm *vm)
{
	if (vm->mem)
		zx_vmar_unmap(zx_vmar_root_self(), (zx_vaddr_t)vm->mem, MEM_SIZE);
	zx_handle_close(vm->vcpu);
	for (unsigned int q = 0; q < BELL_QUEUES; q++)
		zx_handle_close(vm->port[q]);
	zx_handle_close(vm->touch_vmo);
	zx_handle_close(vm->vmo);
	zx_handle_close(vm->vmar);
	zx_handle_close(vm->guest);
	if (vm->giant)
		sysfs_uint(GIANT_PARAM, &vm->giant_saved, true);
	free(vm);
}

static struct bvm *zx_create(uint64_t entry, uint64_t touch, bool giant)
{
	const zx_vm_option_t rwx = ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
				   ZX_VM_SPECIFIC;
	struct bvm *vm = calloc(1, sizeof(*vm));
	zx_vaddr_t addr;

	if (!vm)
		return NULL;
	vm->guest = vm->vmar = vm->vmo = vm->touch_vmo = ZX_HANDLE_INVALID;
	vm->vcpu = ZX_HANDLE_INVALID;
	for (unsigned int q = 0; q < BELL_QUEUES; q++)
		vm->port[q] = ZX_HANDLE_INVALID;
	ZXCHECK(zx_guest_create(rsrc, 0, &vm->guest, &vm->vmar));
	ZXCHECK(zx_vmo_create(MEM_SIZE, 0, &vm->vmo));
	ZXCHECK(zx_vmo_replace_as_executable(vm->vmo, ZX_HANDLE_INVALID, &vm->vmo));
	ZXCHECK(zx_vmar_map(vm->vmar, rwx, 0, vm->vmo, 0, MEM_SIZE, &addr));
	ZXCHECK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vm->vmo,
			    0, MEM_SIZE, &addr));
	vm->mem = (uint8_t *)addr;
	if (giant) {
		unsigned int one;

		if (sysfs_uint(GIANT_PARAM, &vm->giant_saved, false))
			goto fail;
		one = vm->giant_saved + 1;
		if (sysfs_uint(GIANT_PARAM, &one, true))
			goto fail;
		vm->giant = true;
	}
	if (touch) {
		ZXCHECK(zx_vmo_create(touch, 0, &vm->touch_vmo));
		ZXCHECK(zx_vmar_map(vm->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
				    GPA_TOUCH, vm->touch_vmo, 0, touch, &addr));
	}
	bench_image(vm->mem);
	ZXCHECK(zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_MEM, GPA_MEM_TRAP, 4096,
				  ZX_HANDLE_INVALID, KEY_MEM));
	/* A port and a BELL trap per queue, as a VMM with a device thread each. */
	for (unsigned int q = 0; q < BELL_QUEUES; q++) {
		ZXCHECK(zx_port_create(0, &vm->port[q]));
		ZXCHECK(zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_BELL, GPA_BELL + q * 4096ull,
					  4096, vm->port[q], KEY_BELL + q));
	}
	ZXCHECK(zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_IO, PORT_IO, PORT_READY - PORT_IO + 1,
				  ZX_HANDLE_INVALID, KEY_IO));
	ZXCHECK(zx_vcpu_create(vm->guest, 0, entry, &vm->vcpu));
	return vm;
fail:
	zx_destroy(vm);
	return NULL;
}

static uint8_t *zx_mem(struct bvm *vm)
{
	return vm->mem;
}

static int zx_enter(struct bvm *vm, struct exit_info *e)
{
	zx_port_packet_t p;

	memset(e, 0, sizeof(*e));
	if (zx_failed("zx_vcpu_enter", zx_vcpu_enter(vm->vcpu, &p)))
		return -1;
	if (p.type == ZX_PKT_TYPE_GUEST_IO && !p.guest_io.input) {
		e->kind = EXIT_IO;
		e->port = p.guest_io.port;
		e->value = p.guest_io.access_size == 1 ? p.guest_io.u8 :
			   p.guest_io.access_size == 2 ? p.guest_io.u16 : p.guest_io.u32;
	} else if (p.type == ZX_PKT_TYPE_GUEST_IO) {
		e->kind = EXIT_IO_IN;
		e->port = p.guest_io.port;
	} else if (p.type == ZX_PKT_TYPE_GUEST_MEM) {
		e->kind = EXIT_MEM;
		e->addr = p.guest_mem.addr;
	} else {
		e->kind = EXIT_OTHER;
		e->value = p.type;
	}
	return 0;
}

static int zx_answer_in(struct bvm *vm, uint8_t value)
{
	zx_vcpu_io_t io;

	memset(&io, 0, sizeof(io));
	io.access_size = 1;
	io.u8 = value;
	return zx_failed("zx_vcpu_write_state(ZX_VCPU_IO)",
			 zx_vcpu_write_state(vm->vcpu, ZX_VCPU_IO, &io, sizeof(io))) ? -1 : 0;
}

static int zx_interrupt(struct bvm *vm)
{
	return zx_failed("zx_vcpu_interrupt", zx_vcpu_interrupt(vm->vcpu, IRQ_VECTOR)) ? -1 : 0;
}

static uint64_t zx_drain(struct bvm *vm, unsigned int q)
{
	uint64_t n = 0;

	for (;;) {
		zx_port_packet_t p;

		if (zx_failed("zx_port_wait", zx_port_wait(vm->port[q], ZX_TIME_INFINITE, &p)))
			return n;
		if (p.type == ZX_PKT_TYPE_USER)
			return n;
		if (p.type == ZX_PKT_TYPE_GUEST_BELL && p.key == KEY_BELL + q &&
		    p.guest_bell.addr == GPA_BELL + q * 4096ull)
			n++;
	}
}

static void zx_stop_drain(struct bvm *vm, unsigned int q)
{
	zx_port_packet_t p;

	memset(&p, 0, sizeof(p));
	p.type = ZX_PKT_TYPE_USER;
	zx_failed("zx_port_queue", zx_port_queue(vm->port[q], &p));
}

/* zircon-hv does not offset the guest TSC (the guest reads the host TSC). */
static int zx_tsc_offset(struct bvm *vm, int64_t *offset)
{
	(void)vm;
	*offset = 0;
	return 0;
}

static int zx_ept_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	uint64_t *out = data;

	if (zxhv_nl_parse(nlh, tb) < 0 || !tb[ZXHV_A_EPT_4K] || !tb[ZXHV_A_EPT_2M] ||
	    !tb[ZXHV_A_EPT_1G])
		return MNL_CB_ERROR;
	out[0] = zxhv_nl_u64(tb[ZXHV_A_EPT_4K]);
	out[1] = zxhv_nl_u64(tb[ZXHV_A_EPT_2M]);
	out[2] = zxhv_nl_u64(tb[ZXHV_A_EPT_1G]);
	return MNL_CB_OK;
}

/* The EPT leaves zircon-hv reports through its netlink family (a GUEST_GET). */
static int zx_ept_pages(struct bvm *vm, uint64_t out[3])
{
	static char buf[ZXHV_NL_BUFSIZE];
	zx_info_handle_basic_t info;
	struct nlmsghdr *nlh;
	struct zxhv_nl nl;
	int ret;

	if (zx_failed("zx_object_get_info", zx_object_get_info(vm->guest, ZX_INFO_HANDLE_BASIC,
							       &info, sizeof(info), NULL, NULL)))
		return -1;
	ret = zxhv_nl_open(&nl);
	if (ret) {
		printf("# zircon-hv netlink family: %s\n", strerror(-ret));
		return -1;
	}
	nlh = zxhv_nl_msg(&nl, buf, ZXHV_CMD_GUEST_GET, 0);
	mnl_attr_put_u64(nlh, ZXHV_A_KOID, info.koid);
	ret = zxhv_nl_run(&nl, nlh, zx_ept_cb, out);
	zxhv_nl_close(&nl);
	if (ret)
		printf("# GUEST_GET %" PRIu64 ": %s\n", (uint64_t)info.koid, strerror(-ret));
	return ret ? -1 : 0;
}

static const struct backend zxhv_backend = {
	.name = "zxhv-bench",
	.create = zx_create,
	.destroy = zx_destroy,
	.mem = zx_mem,
	.enter = zx_enter,
	.interrupt = zx_interrupt,
	.answer_in = zx_answer_in,
	.drain = zx_drain,
	.stop_drain = zx_stop_drain,
	.tsc_offset = zx_tsc_offset,
	.ept_pages = zx_ept_pages,
};

int main(int argc, char **argv)
{
	zx_handle_t guest, vmar;
	zx_status_t s;

	if (access("/dev/zircon-hv", F_OK) != 0) {
		fprintf(stderr, "zxhv-bench: /dev/zircon-hv is missing: load zircon-hv\n");
		return 2;
	}
	if (zx_failed("zxhv_hypervisor_resource", zxhv_hypervisor_resource(&rsrc)))
		return 1;
	/* Can this machine run guests at all? */
	s = zx_guest_create(rsrc, 0, &guest, &vmar);
	if (s == ZX_ERR_NOT_SUPPORTED) {
		fprintf(stderr, "zxhv-bench: this machine cannot run guests (no usable VMX)\n");
		return 2;
	}
	if (zx_failed("zx_guest_create", s))
		return 1;
	zx_handle_close(vmar);
	zx_handle_close(guest);
	return bench_run(&zxhv_backend, argc, argv);
}
