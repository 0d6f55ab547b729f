// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every allocation of every object-creating call fails once.
 *
 * For each call below, fail_nth(n) (the kernel's /proc/thread-self/fail-nth)
 * makes the n-th eligible slab or page allocation of this thread fail, for
 * n = 1, 2, ... until the call gets through with no failure injected.  Each
 * injected failure must end the call with ZX_ERR_NO_MEMORY (a call may also
 * succeed where it has a fallback), no handle it was to return may appear,
 * and the objects involved must work afterwards.  Leaks show in the kmemleak
 * scan tools/vmrun does after the run on the debug kernel in QEMU.  Needs
 * CONFIG_FAULT_INJECTION, FAILSLAB and FAIL_PAGE_ALLOC (the debug kernel);
 * elsewhere it skips.  The guest and VCPU calls need VMX (Bochs).
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "guest_vm.h"
#include "zxhv_handles.h"

/* A sweep that needs more steps than this has found a loop, not sites. */
#define MAX_SITES	4096

/* --- the fault-injection knobs ----------------------------------------------------- */

struct knob {
	const char *path, *value;
	char saved[32];
};

/*
 * By default both fault attributes skip sleeping (GFP_KERNEL) allocations,
 * failslab skips nothing else, fail_page_alloc skips highmem and order 0;
 * and each injection prints a stack trace, which the bench reads as a bug.
 */
static struct knob knobs[] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
};

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

static void knobs_restore(void)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (knobs[i].saved[0])
			write_file(knobs[i].path, knobs[i].saved);
}

/* 0 when every knob is set (and will be restored), -1 when this kernel lacks one. */
static int knobs_set(void)
{
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		if (read_file(knobs[i].path, knobs[i].saved, sizeof(knobs[i].saved)) ||
		    write_file(knobs[i].path, knobs[i].value)) {
			knobs[i].saved[0] = 0;
			knobs_restore();
			return -1;
		}
	}
	return 0;
}

/* This thread's fail-nth file, kept open so that the sweep allocates nothing of its own. */
static int nth_fd = -1;

static void fail_nth(unsigned int n)
{
	char s[16];

	snprintf(s, sizeof(s), "%u", n);
	if (pwrite(nth_fd, s, strlen(s), 0) != (ssize_t)strlen(s))
		abort();
}

/* Whether the failure asked for was injected; disarms what was not. */
static bool injected(void)
{
	char s[16] = "";
	bool done;

	if (pread(nth_fd, s, sizeof(s) - 1, 0) <= 0)
		abort();
	done = atoi(s) == 0;
	fail_nth(0);
	return done;
}

/* --- one call, swept ------------------------------------------------------------------ */

/*
 * @prep (may be NULL) readies @ctx with no failure armed; @call is the one
 * call under test; @after gets its status, checks what a call that ended
 * so must (and must not) have done, uses the objects to show they work,
 * and closes what the call made.  It logs and returns false on a fault.
 */
struct sweep {
	const char *name;
	bool (*prep)(void *ctx);
	zx_status_t (*call)(void *ctx);
	bool (*after)(void *ctx, zx_status_t s);
};

/* The number of allocation sites found, or -1 with the reason logged. */
static int sweep(struct __test_metadata *_metadata, const struct sweep *sw, void *ctx)
{
	for (unsigned int n = 1; n <= MAX_SITES; n++) {
		zx_status_t s;
		bool hit;

		if (sw->prep && !sw->prep(ctx)) {
			TH_LOG("%s: preparing step %u failed", sw->name, n);
			return -1;
		}
		fail_nth(n);
		s = sw->call(ctx);
		hit = injected();
		if (!hit && s != ZX_OK) {
			TH_LOG("%s: %s with no failure injected (step %u)", sw->name,
			       zx_status_get_string(s), n);
			return -1;
		}
		if (hit && s != ZX_OK && s != ZX_ERR_NO_MEMORY) {
			TH_LOG("%s: allocation %u failed: %s, want ZX_ERR_NO_MEMORY", sw->name, n,
			       zx_status_get_string(s));
			return -1;
		}
		if (!sw->after(ctx, s)) {
			TH_LOG("%s: after allocation %u failed (%s)", sw->name, n,
			       zx_status_get_string(s));
			return -1;
		}
		if (!hit) {
			ksft_print_msg("%s: %u allocation sites swept\n", sw->name, n - 1);
			return n - 1;
		}
	}
	TH_LOG("%s: still allocating after %d steps", sw->name, MAX_SITES);
	return -1;
}

FIXTURE(faults) {
	const char *missing;	/* why this kernel cannot inject, or NULL */
};

/*
 * kselftest_harness.h of 6.1 cannot SKIP from a fixture's setup: the setup
 * notes what is missing and each test skips.
 */
FIXTURE_SETUP(faults)
{
	self->missing = NULL;
	/* A page fault of our own would take an injected failure (and the OOM path). */
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0) {
		self->missing = "no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)";
	} else if (knobs_set()) {
		close(nth_fd);
		nth_fd = -1;
		self->missing = "no failslab/fail_page_alloc in debugfs";
	}
}

#define NEED_FAULTS() do { if (self->missing) SKIP(return, "%s", self->missing); } while (0)

FIXTURE_TEARDOWN(faults)
{
	if (nth_fd >= 0) {
		fail_nth(0);
		close(nth_fd);
		nth_fd = -1;
		knobs_restore();
	}
}

/* Sweeps every call of @sw (on after a failing one): the number that failed. */
static int sweep_all(struct __test_metadata *_metadata, const struct sweep *sw, size_t n,
		     void *ctx)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += sweep(_metadata, &sw[i], ctx) < 0;
	return bad;
}

/* Closes @h if valid; false when it was not a handle any more. */
static bool close_ok(zx_handle_t *h)
{
	zx_status_t s = zx_handle_close(*h);

	*h = ZX_HANDLE_INVALID;
	return s == ZX_OK;
}

/* A call that returns one new handle in out: present exactly when it succeeded. */
static bool out_matches(zx_handle_t *out, zx_status_t s)
{
	if (s != ZX_OK)
		return *out == ZX_HANDLE_INVALID;
	return valid(*out) && close_ok(out);
}

/* A user packet goes through @port. */
static bool port_works(zx_handle_t port)
{
	zx_port_packet_t p, q;

	memset(&p, 0, sizeof(p));
	p.key = 77;
	p.type = ZX_PKT_TYPE_USER;
	p.user.u64[0] = 0x5eed;
	if (zx_port_queue(port, &p) != ZX_OK || zx_port_wait(port, 0, &q) != ZX_OK)
		return false;
	return q.key == 77 && q.user.u64[0] == 0x5eed;
}

/* --- handles, ports, VMOs --------------------------------------------------------------- */

struct objs {
	zx_handle_t port, res, vmo, root, in, out;
	zx_vaddr_t addr;
	int fd;
	uint8_t buf[3 * 4096], back[3 * 4096];
	unsigned int step;
};

static zx_status_t do_port_create(void *p)
{
	struct objs *o = p;

	return zx_port_create(0, &o->out);
}

static bool after_port_create(void *p, zx_status_t s)
{
	struct objs *o = p;

	if (s == ZX_OK && !port_works(o->out))
		return false;
	return out_matches(&o->out, s);
}

static zx_status_t do_vmo_create(void *p)
{
	struct objs *o = p;

	return zx_vmo_create(1 << 20, 0, &o->out);
}

static zx_status_t do_resource(void *p)
{
	struct objs *o = p;

	return zxhv_hypervisor_resource(&o->out);
}

static bool after_out(void *p, zx_status_t s)
{
	struct objs *o = p;

	return out_matches(&o->out, s);
}

static zx_status_t do_duplicate(void *p)
{
	struct objs *o = p;

	return zx_handle_duplicate(o->port, ZX_RIGHT_SAME_RIGHTS, &o->out);
}

static bool after_duplicate(void *p, zx_status_t s)
{
	struct objs *o = p;

	return out_matches(&o->out, s) && port_works(o->port);
}

static bool prep_replace(void *p)
{
	struct objs *o = p;

	return zx_handle_duplicate(o->port, ZX_RIGHT_SAME_RIGHTS, &o->in) == ZX_OK;
}

static zx_status_t do_replace(void *p)
{
	struct objs *o = p;

	return zx_handle_replace(o->in, ZX_RIGHT_SAME_RIGHTS, &o->out);
}

/* docs/api.md §2: the source handle is gone whatever the outcome. */
static bool after_replace(void *p, zx_status_t s)
{
	struct objs *o = p;
	bool gone = zx_handle_close(o->in) == ZX_ERR_BAD_HANDLE;

	o->in = ZX_HANDLE_INVALID;
	return gone && out_matches(&o->out, s) && port_works(o->port);
}

static zx_status_t do_port_queue(void *p)
{
	struct objs *o = p;
	zx_port_packet_t pkt;

	memset(&pkt, 0, sizeof(pkt));
	pkt.key = 99;
	pkt.type = ZX_PKT_TYPE_USER;
	return zx_port_queue(o->port, &pkt);
}

/* A queued packet is there once; a failed queue left nothing. */
static bool after_port_queue(void *p, zx_status_t s)
{
	struct objs *o = p;
	zx_port_packet_t q;

	if (s == ZX_OK && (zx_port_wait(o->port, 0, &q) != ZX_OK || q.key != 99))
		return false;
	return zx_port_wait(o->port, 0, &q) == ZX_ERR_TIMED_OUT && port_works(o->port);
}

static bool prep_vmo_write(void *p)
{
	struct objs *o = p;

	o->step++;
	memset(o->buf, o->step, sizeof(o->buf));
	return zx_vmo_create(1 << 16, 0, &o->in) == ZX_OK;
}

/* Three pages the VMO has not committed yet. */
static zx_status_t do_vmo_write(void *p)
{
	struct objs *o = p;

	return zx_vmo_write(o->in, o->buf, 4096 / 2, sizeof(o->buf));
}

/* After a failure the write is retried: the VMO must take it. */
static bool after_vmo_write(void *p, zx_status_t s)
{
	struct objs *o = p;

	if (s != ZX_OK && zx_vmo_write(o->in, o->buf, 4096 / 2, sizeof(o->buf)) != ZX_OK)
		return false;
	memset(o->back, 0, sizeof(o->back));
	if (zx_vmo_read(o->in, o->back, 4096 / 2, sizeof(o->back)) != ZX_OK ||
	    memcmp(o->back, o->buf, sizeof(o->buf)))
		return false;
	return close_ok(&o->in);
}

static zx_status_t do_resource_create(void *p)
{
	struct objs *o = p;

	return zx_resource_create(o->res, ZX_RSRC_KIND_SYSTEM, ZX_RSRC_SYSTEM_HYPERVISOR_BASE, 1,
				  "sweep", 5, &o->out);
}

static bool prep_new_vmo(void *p)
{
	struct objs *o = p;

	return zx_vmo_create(1 << 16, 0, &o->in) == ZX_OK;
}

static zx_status_t do_replace_exec(void *p)
{
	struct objs *o = p;

	return zx_vmo_replace_as_executable(o->in, ZX_HANDLE_INVALID, &o->out);
}

/* docs/api.md §2: as zx_handle_replace, the source is gone either way. */
static bool after_replace_exec(void *p, zx_status_t s)
{
	struct objs *o = p;
	bool gone = zx_handle_close(o->in) == ZX_ERR_BAD_HANDLE;

	o->in = ZX_HANDLE_INVALID;
	if (s == ZX_OK && !(basic(o->out).rights & ZX_RIGHT_EXECUTE))
		return false;
	return gone && out_matches(&o->out, s);
}

static zx_status_t do_map_self(void *p)
{
	struct objs *o = p;

	return zx_vmar_map(o->root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, o->vmo, 0, 3 * 4096,
			   &o->addr);
}

/* The mapping shows the VMO: a byte written through it is read through the VMO. */
static bool after_map_self(void *p, zx_status_t s)
{
	struct objs *o = p;
	uint8_t c = 0;

	if (s != ZX_OK)
		return true;
	((volatile uint8_t *)o->addr)[4097] = 0xa7;
	if (zx_vmo_read(o->vmo, &c, 4097, 1) != ZX_OK || c != 0xa7)
		return false;
	return zx_vmar_unmap(o->root, o->addr, 3 * 4096) == ZX_OK;
}

static bool prep_export(void *p)
{
	struct objs *o = p;

	o->fd = -1;
	return zx_handle_duplicate(o->port, ZX_RIGHT_SAME_RIGHTS, &o->in) == ZX_OK;
}

static zx_status_t do_export(void *p)
{
	struct objs *o = p;

	return zxhv_handle_export(o->in, &o->fd);
}

/* docs/api.md §5: a failed export leaves the handle where it was. */
static bool after_export(void *p, zx_status_t s)
{
	struct objs *o = p;
	bool ok;

	if (s != ZX_OK)
		return o->fd == -1 && close_ok(&o->in);
	ok = !valid(o->in) && o->fd >= 0 && zxhv_handle_import(o->fd, &o->out) == ZX_OK &&
	     port_works(o->out) && close_ok(&o->out);
	close(o->fd);
	o->in = ZX_HANDLE_INVALID;
	return ok;
}

static bool prep_import(void *p)
{
	struct objs *o = p;

	return prep_export(p) && zxhv_handle_export(o->in, &o->fd) == ZX_OK;
}

static zx_status_t do_import(void *p)
{
	struct objs *o = p;

	return zxhv_handle_import(o->fd, &o->out);
}

/* A failed import leaves the handle in the descriptor: importing again works. */
static bool after_import(void *p, zx_status_t s)
{
	struct objs *o = p;
	bool ok = true;

	if (s != ZX_OK)
		ok = o->out == ZX_HANDLE_INVALID && zxhv_handle_import(o->fd, &o->out) == ZX_OK;
	ok = ok && port_works(o->out) && close_ok(&o->out);
	close(o->fd);
	o->in = ZX_HANDLE_INVALID;
	return ok;
}

static const struct sweep handle_sweeps[] = {
	{ "zx_port_create", NULL, do_port_create, after_port_create },
	{ "zx_vmo_create", NULL, do_vmo_create, after_out },
	{ "zxhv_hypervisor_resource", NULL, do_resource, after_out },
	{ "zx_handle_duplicate", NULL, do_duplicate, after_duplicate },
	{ "zx_handle_replace", prep_replace, do_replace, after_replace },
	{ "zx_port_queue", NULL, do_port_queue, after_port_queue },
	{ "zx_vmo_write", prep_vmo_write, do_vmo_write, after_vmo_write },
	{ "zx_resource_create", NULL, do_resource_create, after_out },
	{ "zx_vmo_replace_as_executable", prep_new_vmo, do_replace_exec, after_replace_exec },
	{ "zx_vmar_map (root VMAR)", NULL, do_map_self, after_map_self },
	{ "zxhv_handle_export", prep_export, do_export, after_export },
	{ "zxhv_handle_import", prep_import, do_import, after_import },
};

TEST_F(faults, handles_ports_vmos)
{
	struct objs o;

	NEED_FAULTS();
	memset(&o, 0, sizeof(o));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &o.port));
	ASSERT_EQ(ZX_OK, zx_vmo_create(1 << 16, 0, &o.vmo));
	o.res = hyp();
	ASSERT_TRUE(valid(o.res));
	/* libzx makes the root VMAR handle on first use: not inside the sweep. */
	o.root = zx_vmar_root_self();
	ASSERT_TRUE(valid(o.root));
	EXPECT_EQ(0, sweep_all(_metadata, handle_sweeps,
			       sizeof(handle_sweeps) / sizeof(handle_sweeps[0]), &o));
	EXPECT_TRUE(close_ok(&o.res));
	EXPECT_TRUE(close_ok(&o.vmo));
	EXPECT_TRUE(close_ok(&o.port));
}

/* --- guests, traps, mappings, VCPUs ------------------------------------------------------- */

struct guest_objs {
	struct vm vm;		/* a guest running g_done, no VCPU */
	zx_handle_t res, port, vmo, out, out2;
	zx_handle_t vcpu;
	struct vm fresh;	/* a guest made for one step */
	unsigned int step;
};

static zx_status_t do_guest_create(void *p)
{
	struct guest_objs *g = p;

	return zx_guest_create(g->res, 0, &g->out, &g->out2);
}

static bool after_guest_create(void *p, zx_status_t s)
{
	struct guest_objs *g = p;

	return out_matches(&g->out2, s) && out_matches(&g->out, s);
}

/* Runs the VCPU to g_done's OUT. */
static bool reaches_mark(zx_handle_t vcpu)
{
	zx_port_packet_t pkt;

	memset(&pkt, 0, sizeof(pkt));
	return zx_vcpu_enter(vcpu, &pkt) == ZX_OK && pkt.type == ZX_PKT_TYPE_GUEST_IO &&
	       pkt.guest_io.port == PORT_MARK && pkt.guest_io.u32 == 0x600d;
}

static zx_status_t do_vcpu_create(void *p)
{
	struct guest_objs *g = p;

	return zx_vcpu_create(g->vm.guest, 0, GPA_CODE, &g->out);
}

static bool after_vcpu_create(void *p, zx_status_t s)
{
	struct guest_objs *g = p;

	if (s == ZX_OK && !reaches_mark(g->out))
		return false;
	return out_matches(&g->out, s);
}

/* Each step its own range (traps stay until the guest goes): MEM steps below 1000. */
static bool prep_trap_mem(void *p)
{
	struct guest_objs *g = p;

	return ++g->step < 1000;
}

static zx_status_t do_trap_mem(void *p)
{
	struct guest_objs *g = p;

	return zx_guest_set_trap(g->vm.guest, ZX_GUEST_TRAP_MEM,
				 0x40000000ull + (uint64_t)g->step * 0x1000, 0x1000,
				 ZX_HANDLE_INVALID, g->step);
}

static zx_status_t do_trap_bell(void *p)
{
	struct guest_objs *g = p;

	return zx_guest_set_trap(g->vm.guest, ZX_GUEST_TRAP_BELL,
				 0x80000000ull + (uint64_t)g->step * 0x1000, 0x1000,
				 g->port, g->step);
}

/* A trap that failed is not there: the same range can be trapped again. */
static bool after_trap(void *p, zx_status_t s)
{
	struct guest_objs *g = p;
	bool bell = g->step >= 1000;
	uint64_t addr = (bell ? 0x80000000ull : 0x40000000ull) + (uint64_t)g->step * 0x1000;

	if (s == ZX_OK)
		return port_works(g->port);
	return zx_guest_set_trap(g->vm.guest, bell ? ZX_GUEST_TRAP_BELL : ZX_GUEST_TRAP_MEM,
				 addr, 0x1000, bell ? g->port : ZX_HANDLE_INVALID,
				 g->step) == ZX_OK && port_works(g->port);
}

static bool prep_bell(void *p)
{
	struct guest_objs *g = p;

	if (g->step < 1000)
		g->step = 1000;
	g->step++;
	return true;
}

static zx_status_t do_vmar_map(void *p)
{
	struct guest_objs *g = p;
	zx_vaddr_t addr;

	return zx_vmar_map(g->vm.vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_SPECIFIC,
			   0x10000000, g->vmo, 0, 1 << 20, &addr);
}

/*
 * Mapped once, or not at all: a failed map left nothing in the range (it
 * maps now), a successful one is there (a second map overlaps it).
 */
static bool after_vmar_map(void *p, zx_status_t s)
{
	struct guest_objs *g = p;

	if (s != ZX_OK && do_vmar_map(g) != ZX_OK)
		return false;
	if (do_vmar_map(g) == ZX_OK)
		return false;
	return zx_vmar_unmap(g->vm.vmar, 0x10000000, 1 << 20) == ZX_OK;
}

/* A guest whose memory EPT has not seen yet, and its VCPU. */
static bool prep_enter(void *p)
{
	struct guest_objs *g = p;

	if (vm_create_base(&g->fresh, g_done, g_done_end) != ZX_OK)
		return false;
	return zx_vcpu_create(g->fresh.guest, 0, GPA_CODE, &g->fresh.vcpu) == ZX_OK;
}

static zx_status_t do_enter(void *p)
{
	struct guest_objs *g = p;
	zx_port_packet_t pkt;

	memset(&pkt, 0, sizeof(pkt));
	return zx_vcpu_enter(g->fresh.vcpu, &pkt);
}

/* After a failed fault-in the VCPU is entered again and must get there. */
static bool after_enter(void *p, zx_status_t s)
{
	struct guest_objs *g = p;
	bool ok = s == ZX_OK || reaches_mark(g->fresh.vcpu);

	vm_close(&g->fresh);
	return ok;
}

static const struct sweep guest_sweeps[] = {
	{ "zx_guest_create", NULL, do_guest_create, after_guest_create },
	{ "zx_vcpu_create", NULL, do_vcpu_create, after_vcpu_create },
	{ "zx_guest_set_trap MEM", prep_trap_mem, do_trap_mem, after_trap },
	{ "zx_guest_set_trap BELL", prep_bell, do_trap_bell, after_trap },
	{ "zx_vmar_map (guest)", NULL, do_vmar_map, after_vmar_map },
	{ "zx_vcpu_enter (EPT fault-in)", prep_enter, do_enter, after_enter },
};

TEST_F(faults, guests_vcpus)
{
	struct guest_objs g;

	NEED_FAULTS();
	NEED_VMX();
	memset(&g, 0, sizeof(g));
	ASSERT_EQ(ZX_OK, vm_create_base(&g.vm, g_done, g_done_end));
	g.res = hyp();
	ASSERT_TRUE(valid(g.res));
	ASSERT_EQ(ZX_OK, zx_port_create(0, &g.port));
	ASSERT_EQ(ZX_OK, zx_vmo_create(1 << 20, 0, &g.vmo));
	EXPECT_EQ(0, sweep_all(_metadata, guest_sweeps,
			       sizeof(guest_sweeps) / sizeof(guest_sweeps[0]), &g));
	EXPECT_TRUE(close_ok(&g.vmo));
	EXPECT_TRUE(close_ok(&g.port));
	EXPECT_TRUE(close_ok(&g.res));
	vm_close(&g.vm);
}

TEST_HARNESS_MAIN
