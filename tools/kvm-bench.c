// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvm-bench: the twin of zxhv-bench on Linux KVM (/dev/kvm ioctls).
 *
 * The same guest program (tools/bench/bench_guest.h), started in the same state
 * zircon-hv gives its first VCPU (64-bit mode, CR3 = 0, x2APIC on), with
 * KVM's own mechanisms for each op: MMIO and PIO exits through KVM_RUN (a,
 * b; for i the IN's byte written into kvm_run), an ioeventfd on each
 * doorbell queue's address drained by a host thread each (c, h),
 * CPUID handled in KVM (d), an MSI to the in-kernel local APIC waking a
 * halted VCPU (e), KVM_CREATE_VM + memory region + KVM_CREATE_VCPU + first
 * KVM_RUN (f), transparent huge pages backing the touch region (g), and a
 * 1 GiB hugetlbfs page backing 1 GiB of it (j).  `kvm-bench --hugetlb-pool`
 * only fills op j's pool (huge_pool_fill()).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/mman.h>	/* MAP_HUGE_1GB */
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "bench/bench.h"

#define MSR_IA32_APICBASE	0x1bu
#define APIC_BASE_VALUE		(0xfee00000ull | (1u << 11) | (1u << 10) | (1u << 8))
#define APIC_SVR		0xf0u
#define DRAIN_STOP		(1ull << 40)	/* added by stop_drain; never a guest count */
#define HUGE_2M			(2ull << 20)
/* The pool of 1 GiB hugetlbfs pages (op j). */
#define HUGE_1G_POOL	"/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"

struct bvm {
	int vm, vcpu;
	int efd[BELL_QUEUES];	/* queue q's doorbell eventfd */
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint8_t *touch_map;	/* the mapping of the touch region (2 MiB-aligned) */
	uint64_t touch;
	bool giant;		/* op j: the region is one 1 GiB hugetlbfs page, pool filled */
};

static int kvm = -1;
static struct kvm_cpuid2 *cpuid;

/*
 * @size bytes of anonymous memory at a 2 MiB-aligned address, as a VMM
 * places guest RAM for transparent huge pages (QEMU aligns its RAM blocks
 * so): the image's first write (op f) then takes a huge page, as
 * zircon-hv's VMO commits a 2 MiB block.  Where mmap() happened to put it
 * used to decide that, and KVM's op f moved 2x between runs
 * (docs/benchmarks.md).  The touch region (op g) is placed the same way.
 * @flags: added to MAP_PRIVATE | MAP_ANONYMOUS.  MAP_FAILED on failure.
 */
static void *map_2m_aligned(size_t size, int flags)
{
	uint8_t *p = mmap(NULL, size + HUGE_2M, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		return p;
	a = (uint8_t *)(((uintptr_t)p + HUGE_2M - 1) & ~(uintptr_t)(HUGE_2M - 1));
	if (a > p)
		munmap(p, a - p);
	munmap(a + size, p + HUGE_2M - a);
	return a;
}

static void kvm_destroy(struct bvm *vm)
{
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->mem)
		munmap(vm->mem, MEM_SIZE);
	if (vm->touch_map)
		munmap(vm->touch_map, vm->touch);
	if (vm->giant) {
		unsigned int none = 0;

		sysfs_uint(HUGE_1G_POOL, &none, true);
	}
	for (unsigned int q = 0; q < BELL_QUEUES; q++)
		if (vm->efd[q] >= 0)
			close(vm->efd[q]);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	if (vm->vm >= 0)
		close(vm->vm);
	free(vm);
}

#define KCHECK(expr) do { if ((expr) < 0) { \
	fprintf(stderr, "kvm-bench: %s: %s\n", #expr, strerror(errno)); goto fail; } } while (0)

static void set_seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/* The state zircon-hv gives its first VCPU (docs/api.md §3.4), with KVM's names. */
static int vcpu_init(struct bvm *vm, uint64_t entry)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} msrs;
	struct kvm_lapic_state lapic;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint32_t svr;

	KCHECK(ioctl(vm->vcpu, KVM_SET_CPUID2, cpuid));
	KCHECK(ioctl(vm->vcpu, KVM_GET_SREGS, &sregs));
	set_seg(&sregs.cs, 0x08, 0xb, true);
	set_seg(&sregs.ds, 0x10, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.tr.type = 0xb;	/* busy 64-bit TSS */
	sregs.tr.present = 1;
	sregs.tr.s = 0;
	sregs.tr.limit = 0x67;
	sregs.cr0 = 0x80050033;	/* PE MP ET NE WP PG */
	sregs.cr3 = GPA_PML4;
	sregs.cr4 = 0x620;	/* PAE OSFXSR OSXMMEXCPT */
	sregs.efer = 0x500;	/* LME LMA */
	KCHECK(ioctl(vm->vcpu, KVM_SET_SREGS, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2;
	KCHECK(ioctl(vm->vcpu, KVM_SET_REGS, &regs));
	/* x2APIC mode, as zircon-hv starts its VCPUs, and the APIC software-enabled. */
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.e[0].index = MSR_IA32_APICBASE;
	msrs.e[0].data = APIC_BASE_VALUE;
	if (ioctl(vm->vcpu, KVM_SET_MSRS, &msrs) != 1) {
		fprintf(stderr, "kvm-bench: KVM_SET_MSRS(APIC_BASE) failed\n");
		return -1;
	}
	KCHECK(ioctl(vm->vcpu, KVM_GET_LAPIC, &lapic));
	memcpy(&svr, lapic.regs + APIC_SVR, sizeof(svr));
	svr |= 0x1ff;
	memcpy(lapic.regs + APIC_SVR, &svr, sizeof(svr));
	KCHECK(ioctl(vm->vcpu, KVM_SET_LAPIC, &lapic));
	return 0;
fail:
	return -1;
}

/*
 * Op j's pool of one 1 GiB hugetlbfs page, outside the timed window, its cost
 * printed apart.  A gigantic page never comes from ZONE_MOVABLE (the 6.1
 * kernel allocates it without __GFP_MOVABLE), so a run that has used the
 * ordinary memory for a while may find no free GiB there: bench-vm.sh fills
 * the pool first (--hugetlb-pool) and op j then finds it full.
 */
static int huge_pool_fill(void)
{
	unsigned int pages;
	uint64_t t0;

	if (sysfs_uint(HUGE_1G_POOL, &pages, false))
		return -1;
	if (pages >= 1) {
		printf("# hugetlb pool already held %u 1 GiB page(s)\n", pages);
		return 0;
	}
	pages = 1;
	t0 = rdtsc();
	if (sysfs_uint(HUGE_1G_POOL, &pages, true) || sysfs_uint(HUGE_1G_POOL, &pages, false))
		return -1;
	printf("# hugetlb pool of one 1 GiB page filled in %llu ticks\n",
	       (unsigned long long)(rdtsc() - t0));
	if (pages != 1) {
		printf("# %s: no 1 GiB page could be had\n", HUGE_1G_POOL);
		return -1;
	}
	return 0;
}

static struct bvm *kvm_create(uint64_t entry, uint64_t touch, bool giant)
{
	struct kvm_userspace_memory_region region;
	struct bvm *vm = calloc(1, sizeof(*vm));
	struct kvm_ioeventfd ioev;
	void *p;
	int n;

	if (!vm)
		return NULL;
	vm->vm = vm->vcpu = -1;
	for (unsigned int q = 0; q < BELL_QUEUES; q++)
		vm->efd[q] = -1;
	KCHECK(vm->vm = ioctl(kvm, KVM_CREATE_VM, 0));
	KCHECK(ioctl(vm->vm, KVM_SET_TSS_ADDR, 0xfffbd000ul));
	KCHECK(ioctl(vm->vm, KVM_CREATE_IRQCHIP, 0));
	p = map_2m_aligned(MEM_SIZE, 0);
	KCHECK(p == MAP_FAILED ? -1 : 0);
	vm->mem = p;
	memset(&region, 0, sizeof(region));
	region.slot = 0;
	region.guest_phys_addr = 0;
	region.memory_size = MEM_SIZE;
	region.userspace_addr = (uintptr_t)vm->mem;
	KCHECK(ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region));
	if (giant) {
		vm->giant = true;
		if (huge_pool_fill())
			goto fail;
	}
	if (touch) {
		if (giant) {
			/* hugetlbfs maps it 1 GiB-aligned. */
			p = mmap(NULL, touch, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1, 0);
			KCHECK(p == MAP_FAILED ? -1 : 0);
		} else {
			/* Backed by transparent huge pages when the kernel has them. */
			p = map_2m_aligned(touch, MAP_NORESERVE);
			KCHECK(p == MAP_FAILED ? -1 : 0);
			if (madvise(p, touch, MADV_HUGEPAGE))
				printf("# madvise(MADV_HUGEPAGE): %s\n", strerror(errno));
		}
		vm->touch_map = p;
		vm->touch = touch;
		region.slot = 1;
		region.guest_phys_addr = GPA_TOUCH;
		region.memory_size = touch;
		region.userspace_addr = (uintptr_t)p;
		KCHECK(ioctl(vm->vm, KVM_SET_USER_MEMORY_REGION, &region));
	}
	bench_image(vm->mem);
	/*
	 * The doorbells: any write to queue q's address signals its eventfd
	 * (len 0: any size).
	 */
	for (unsigned int q = 0; q < BELL_QUEUES; q++) {
		KCHECK(vm->efd[q] = eventfd(0, EFD_CLOEXEC));
		memset(&ioev, 0, sizeof(ioev));
		ioev.addr = GPA_BELL + q * 4096ull;
		ioev.len = 0;
		ioev.fd = vm->efd[q];
		KCHECK(ioctl(vm->vm, KVM_IOEVENTFD, &ioev));
	}
	KCHECK(vm->vcpu = ioctl(vm->vm, KVM_CREATE_VCPU, 0));
	KCHECK(n = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0));
	vm->run_size = n;
	p = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	KCHECK(p == MAP_FAILED ? -1 : 0);
	vm->run = p;
	if (vcpu_init(vm, entry))
		goto fail;
	return vm;
fail:
	kvm_destroy(vm);
	return NULL;
}

static uint8_t *kvm_mem(struct bvm *vm)
{
	return vm->mem;
}

static int kvm_enter(struct bvm *vm, struct exit_info *e)
{
	struct kvm_run *run = vm->run;

	memset(e, 0, sizeof(*e));
	while (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
		if (errno != EINTR && errno != EAGAIN) {
			fprintf(stderr, "kvm-bench: KVM_RUN: %s\n", strerror(errno));
			return -1;
		}
	}
	if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
		uint32_t v = 0;

		memcpy(&v, (uint8_t *)run + run->io.data_offset,
		       run->io.size < 4 ? run->io.size : 4);
		e->kind = EXIT_IO;
		e->port = run->io.port;
		e->value = v;
	} else if (run->exit_reason == KVM_EXIT_IO) {
		e->kind = EXIT_IO_IN;
		e->port = run->io.port;
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		e->kind = EXIT_MEM;
		e->addr = run->mmio.phys_addr;
	} else {
		e->kind = EXIT_OTHER;
		e->value = run->exit_reason;
		e->addr = run->exit_reason == KVM_EXIT_INTERNAL_ERROR ?
			  run->internal.suberror : run->fail_entry.hardware_entry_failure_reason;
	}
	return 0;
}

/* KVM completes the IN from the run structure at the next KVM_RUN. */
static int kvm_answer_in(struct bvm *vm, uint8_t value)
{
	struct kvm_run *run = vm->run;

	if (run->exit_reason != KVM_EXIT_IO || run->io.direction != KVM_EXIT_IO_IN ||
	    run->io.size != 1 || run->io.count != 1) {
		fprintf(stderr, "kvm-bench: no one-byte IN to answer\n");
		return -1;
	}
	*((uint8_t *)run + run->io.data_offset) = value;
	return 0;
}

/* A fixed, edge-triggered MSI to APIC ID 0. */
static int kvm_interrupt(struct bvm *vm)
{
	struct kvm_msi msi;

	memset(&msi, 0, sizeof(msi));
	msi.address_lo = 0xfee00000u;
	msi.data = IRQ_VECTOR;
	if (ioctl(vm->vm, KVM_SIGNAL_MSI, &msi) < 0) {
		fprintf(stderr, "kvm-bench: KVM_SIGNAL_MSI: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static uint64_t kvm_drain(struct bvm *vm, unsigned int q)
{
	uint64_t sum = 0, v;

	while (sum < DRAIN_STOP) {
		if (read(vm->efd[q], &v, sizeof(v)) != sizeof(v)) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "kvm-bench: read(eventfd): %s\n", strerror(errno));
			return sum;
		}
		sum += v;
	}
	return sum - DRAIN_STOP;
}

static void kvm_stop_drain(struct bvm *vm, unsigned int q)
{
	uint64_t v = DRAIN_STOP;

	if (write(vm->efd[q], &v, sizeof(v)) != sizeof(v))
		fprintf(stderr, "kvm-bench: write(eventfd): %s\n", strerror(errno));
}

/* KVM starts the guest TSC near 0: read the offset it applies. */
static int kvm_tsc_offset(struct bvm *vm, int64_t *offset)
{
	struct kvm_device_attr attr;
	uint64_t off;

	memset(&attr, 0, sizeof(attr));
	attr.group = KVM_VCPU_TSC_CTRL;
	attr.attr = KVM_VCPU_TSC_OFFSET;
	attr.addr = (uintptr_t)&off;
	if (ioctl(vm->vcpu, KVM_GET_DEVICE_ATTR, &attr) < 0) {
		printf("# KVM_VCPU_TSC_OFFSET: %s\n", strerror(errno));
		return -1;
	}
	*offset = (int64_t)off;
	return 0;
}

/* KVM's per-VM debugfs statistics: /sys/kernel/debug/kvm/<pid>-<vm fd>/pages_*. */
static int kvm_ept_pages(struct bvm *vm, uint64_t out[3])
{
	static const char *const names[3] = { "pages_4k", "pages_2m", "pages_1g" };
	char path[128];
	unsigned long long n;
	int i, ok;
	FILE *f;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/kvm/%d-%d/%s", (int)getpid(),
			 vm->vm, names[i]);
		f = fopen(path, "r");
		if (!f) {
			printf("# %s: %s\n", path, strerror(errno));
			return -1;
		}
		ok = fscanf(f, "%llu", &n) == 1;
		fclose(f);
		if (!ok)
			return -1;
		out[i] = n;
	}
	return 0;
}

static const struct backend kvm_backend = {
	.name = "kvm-bench",
	.create = kvm_create,
	.destroy = kvm_destroy,
	.mem = kvm_mem,
	.enter = kvm_enter,
	.interrupt = kvm_interrupt,
	.answer_in = kvm_answer_in,
	.drain = kvm_drain,
	.stop_drain = kvm_stop_drain,
	.tsc_offset = kvm_tsc_offset,
	.ept_pages = kvm_ept_pages,
};

int main(int argc, char **argv)
{
	const int max = 256;

	/* Fills op j's pool and exits (no KVM needed): bench-vm.sh's first step. */
	if (argc == 2 && !strcmp(argv[1], "--hugetlb-pool"))
		return huge_pool_fill() ? 1 : 0;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		fprintf(stderr, "kvm-bench: /dev/kvm: %s (load kvm-intel)\n", strerror(errno));
		return 2;
	}
	cpuid = calloc(1, sizeof(*cpuid) + max * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return 1;
	cpuid->nent = max;
	if (ioctl(kvm, KVM_GET_SUPPORTED_CPUID, cpuid) < 0) {
		fprintf(stderr, "kvm-bench: KVM_GET_SUPPORTED_CPUID: %s\n", strerror(errno));
		return 1;
	}
	return bench_run(&kvm_backend, argc, argv);
}
