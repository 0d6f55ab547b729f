// SPDX-License-Identifier: GPL-2.0-only
/*
 * kselftest: what a real Linux kernel needs from zircon-hv and the
 * project's other guest programs never asked for (docs/linux-guest.md).
 * Needs VMX (Bochs); skipped elsewhere.
 *
 * cpuid_topology       on the BSP (APIC ID 0) and an AP (APIC ID 1): leaf 1
 *                      APIC ID, 64 logical IDs per package and HTT; leaf 0xB
 *                      an SMT level of one thread and a 6-bit core level,
 *                      EDX the APIC ID at every level; leaf 4 caches L1/L2
 *                      per core and L3 per package; the x2APIC ID and LDR
 *                      registers agree with CPUID
 * cpuid_hidden         leaf 7 shows no feature the host lacks and none the
 *                      module does not virtualise (LA57, PKU, WAITPKG, CET,
 *                      SGX, MPX, RDT, AVX-512, AMX, the speculation MSRs);
 *                      XSAVE leaf 0xD.1 has no XSAVES/XFD/IA32_XSS; RDTSCP
 *                      is offered
 * boot_msrs            the MSRs Linux probes at boot read as the spec says
 *                      (MTRRs, MCG, MISC_ENABLE), IA32_PAT starts valid
 *                      with WB in entry 0 and is the guest's own, accepted
 *                      writes, and #GP for MSRs CPUID hides
 * syscall_msrs_per_vcpu two VCPUs on two host threads each keep their own
 *                      LSTAR, STAR, FMASK, KERNEL_GS_BASE and TSC_AUX
 *                      (RDTSCP returns it); the host's TSC_AUX (getcpu) is
 *                      intact afterwards
 * logical_ipi          x2APIC cluster-mode ICR writes become GUEST_VCPU
 *                      packets with the mask of the APIC IDs their logical
 *                      destination selects; a logical STARTUP is refused
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_vm.h"
#include "linux_needs_guest.h"
#include "guest_vm.h"

#define NEED_VMX() do { if (!have_vmx()) SKIP(return, "no VMX here"); } while (0)

#define BIT32(n)	(1u << (n))

/* The guest with @prog at GPA_CODE, @ap at AP_GPA, and the BSP VCPU. */
#define VM_START(vm, prog, ap) do {						\
	NEED_VMX();								\
	ASSERT_EQ(ZX_OK, vm_create_base(vm, prog, prog##_end));			\
	memcpy((vm)->mem + AP_GPA, ap, ap##_end - ap);				\
	ASSERT_EQ(ZX_OK, zx_vcpu_create((vm)->guest, 0, GPA_CODE, &(vm)->vcpu));	\
} while (0)

/*
 * Enters @vcpu until an OUT to @port: its 4-byte data, or 0xdead0000 |
 * the status when something else happened (logged).
 */
static uint32_t out_of(struct __test_metadata *_metadata, zx_handle_t vcpu, uint16_t port,
		       int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vcpu, &p);
	if (s != ZX_OK || p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port ||
	    p.guest_io.access_size != 4) {
		TH_LOG("line %d: enter %s, packet type %u port %#x size %u; want OUT to %#x",
		       line, zx_status_get_string(s), p.type, p.guest_io.port,
		       p.guest_io.access_size, port);
		_metadata->passed = 0;
		return 0xdead0000u | (uint16_t)s;
	}
	return p.guest_io.u32;
}

#define VALUE(vcpu)	out_of(_metadata, vcpu, PORT_VALUE, __LINE__)
#define EXPECT_MARK(vcpu, v)	EXPECT_EQ((uint32_t)(v), out_of(_metadata, vcpu, PORT_MARK, __LINE__))

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* --- CPUID --------------------------------------------------------------------------- */

/* Checks TOPOLOGY's values (linux_needs_guest.h) for APIC ID @id. */
static void check_topology(struct __test_metadata *_metadata, const uint32_t *v, uint32_t id)
{
	static const uint32_t want_b[3][3] = {
		{ 0, 1, 0x100 },	/* SMT: no APIC ID bits, one thread */
		{ 6, 64, 0x201 },	/* core: 6 bits to the package */
		{ 0, 0, 2 },		/* level 2: invalid */
	};
	uint32_t host[4];
	int i;

	TH_LOG("APIC ID %u", id);
	EXPECT_EQ(id, v[0] >> 24);		/* leaf 1 initial APIC ID */
	EXPECT_EQ(64u, (v[0] >> 16) & 0xff);	/* addressable IDs */
	EXPECT_NE(0u, v[1] & BIT32(28));	/* HTT */
	for (i = 0; i < 3; i++) {
		const uint32_t *r = v + 2 + 4 * i;

		EXPECT_EQ(want_b[i][0], r[0]);
		EXPECT_EQ(want_b[i][1], r[1]);
		EXPECT_EQ(want_b[i][2], r[2]);
		EXPECT_EQ(id, r[3]);		/* x2APIC ID */
	}
	host_cpuid(0, 0, host);
	for (i = 0; host[0] >= 4 && i < 5; i++) {
		uint32_t eax = v[14 + i];

		if (!(eax & 0x1f))
			break;
		/* Sharing: L1/L2 by one core, L3 by the package; 64 cores. */
		EXPECT_EQ(((eax >> 5) & 7) >= 3 ? 63u : 0u, (eax >> 14) & 0xfff);
		EXPECT_EQ(63u, eax >> 26);
	}
	EXPECT_EQ(id, v[19]);				/* x2APIC ID register */
	EXPECT_EQ((id >> 4) << 16 | BIT32(id & 15), v[20]);	/* LDR */
}

struct ap_run {
	struct vm *vm;
	zx_status_t create;
	uint32_t v[TOPO_VALUES];
	int nv;			/* values to collect before the first mark */
	uint32_t mark;
	struct __test_metadata *md;
};

static void *ap_topology(void *p)
{
	struct ap_run *a = p;
	struct __test_metadata *_metadata = a->md;
	zx_handle_t vcpu;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	for (int i = 0; i < a->nv; i++)
		a->v[i] = VALUE(vcpu);
	a->mark = out_of(_metadata, vcpu, PORT_MARK, __LINE__);
	zx_handle_close(vcpu);
	return NULL;
}

TEST(cpuid_topology)
{
	uint32_t v[TOPO_VALUES];
	struct ap_run a;
	pthread_t t;
	struct vm vm;
	int i;

	VM_START(&vm, g_topology_bsp, g_topology_ap);
	for (i = 0; i < TOPO_VALUES; i++)
		v[i] = VALUE(vm.vcpu);
	check_topology(_metadata, v, 0);

	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	a.md = _metadata;
	a.nv = TOPO_VALUES;
	ASSERT_EQ(0, pthread_create(&t, NULL, ap_topology, &a));
	pthread_join(t, NULL);
	ASSERT_EQ(ZX_OK, a.create);
	check_topology(_metadata, a.v, 1);
	EXPECT_EQ(1u, a.mark);
	vm_close(&vm);
}

TEST(cpuid_hidden)
{
	/* Leaf 7.0 EBX: SGX, TSC_ADJUST, RDT-M, MPX, RDT-A, AVX-512*, PT. */
	const uint32_t ebx_hidden = BIT32(1) | BIT32(2) | BIT32(12) | BIT32(14) | BIT32(15) |
				    BIT32(16) | BIT32(17) | BIT32(21) | BIT32(25) | BIT32(26) |
				    BIT32(27) | BIT32(28) | BIT32(30) | BIT32(31);
	/* ECX: AVX-512*, PKU, WAITPKG, CET_SS, TME, LA57, bus lock, ENQCMD, SGX_LC, PKS. */
	const uint32_t ecx_hidden = BIT32(1) | BIT32(3) | BIT32(5) | BIT32(6) | BIT32(7) |
				    BIT32(11) | BIT32(12) | BIT32(13) | BIT32(14) | BIT32(16) |
				    BIT32(24) | BIT32(29) | BIT32(30) | BIT32(31);
	/* EDX: AVX-512*, PCONFIG, IBT, AMX, IBRS/IBPB, STIBP, L1D, ARCH_CAP, CORE_CAP, SSBD. */
	const uint32_t edx_hidden = BIT32(2) | BIT32(3) | BIT32(8) | BIT32(18) | BIT32(20) |
				    BIT32(22) | BIT32(23) | BIT32(24) | BIT32(25) | BIT32(26) |
				    BIT32(27) | BIT32(28) | BIT32(29) | BIT32(30) | BIT32(31);
	uint32_t host7[4], hostx[4], ebx, ecx, edx, d1a, d1c, d1d, ext;
	struct vm vm;
	int i;

	VM_START(&vm, g_topology_bsp, g_topology_ap);
	for (i = 0; i < TOPO_VALUES; i++)
		VALUE(vm.vcpu);
	ebx = VALUE(vm.vcpu);
	ecx = VALUE(vm.vcpu);
	edx = VALUE(vm.vcpu);
	d1a = VALUE(vm.vcpu);
	d1c = VALUE(vm.vcpu);
	d1d = VALUE(vm.vcpu);
	ext = VALUE(vm.vcpu);
	EXPECT_MARK(vm.vcpu, 1);

	host_cpuid(7, 0, host7);
	host_cpuid(0x80000001, 0, hostx);
	TH_LOG("leaf 7: host %#x %#x %#x, guest %#x %#x %#x", host7[1], host7[2], host7[3],
	       ebx, ecx, edx);
	/* Nothing the host lacks, except OSPKE which mirrors the guest's CR4. */
	EXPECT_EQ(0u, ebx & ~host7[1]);
	EXPECT_EQ(0u, ecx & ~host7[2] & ~BIT32(4));
	EXPECT_EQ(0u, edx & ~host7[3]);
	EXPECT_EQ(0u, ebx & ebx_hidden);
	EXPECT_EQ(0u, ecx & ecx_hidden);
	EXPECT_EQ(0u, edx & edx_hidden);
	EXPECT_EQ(0u, d1a & (BIT32(3) | BIT32(4)));	/* XSAVES, XFD */
	EXPECT_EQ(0u, d1c);				/* no IA32_XSS components */
	EXPECT_EQ(0u, d1d);
	/* RDTSCP: the "enable RDTSCP" control is always on. */
	EXPECT_EQ(hostx[3] & BIT32(27), ext & BIT32(27));
	vm_close(&vm);
}

/* --- MSRs ---------------------------------------------------------------------------- */

TEST(boot_msrs)
{
	struct vm vm;
	uint64_t pat;
	int i;

	VM_START(&vm, g_boot_msrs, g_topology_ap);
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MTRRcap: no ranges, no fixed, no WC */
	EXPECT_EQ(0u, VALUE(vm.vcpu));
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MTRRdefType: disabled */
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MTRRfix64K_00000 */
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MTRRphysBase0 */
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MCG_CAP: no banks */
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MCG_STATUS */
	EXPECT_EQ(0u, VALUE(vm.vcpu) & ~1u);	/* MISC_ENABLE: fast strings at most */
	EXPECT_EQ(0u, VALUE(vm.vcpu));
	/*
	 * The initial IA32_PAT (the host's): Linux keeps it when MTRRs are
	 * disabled, so every entry must be a valid type, entry 0 WB.
	 */
	pat = VALUE(vm.vcpu);
	pat |= (uint64_t)VALUE(vm.vcpu) << 32;
	TH_LOG("initial IA32_PAT %#llx", (unsigned long long)pat);
	EXPECT_EQ(6u, pat & 0xff);
	for (i = 0; i < 8; i++) {
		uint8_t type = pat >> (8 * i);

		EXPECT_TRUE(type <= 7 && type != 2 && type != 3) TH_LOG("entry %d", i);
	}
	EXPECT_EQ(0x00070406u, VALUE(vm.vcpu));	/* IA32_PAT, the guest's own */
	EXPECT_EQ(0x00070106u, VALUE(vm.vcpu));
	EXPECT_EQ(0u, VALUE(vm.vcpu));		/* MTRRdefType write ignored */
	EXPECT_MARK(vm.vcpu, 0xc3);
	/* MC0_CTL, TSC_ADJUST, SPEC_CTRL, ARCH_CAPS, PLATFORM_INFO, CORE_CAPS, CSTAR. */
	for (i = 0; i < 7; i++)
		EXPECT_EQ(0u, out_of(_metadata, vm.vcpu, PORT_GP, __LINE__));
	EXPECT_MARK(vm.vcpu, 0xc4);
	vm_close(&vm);
}

static void *ap_msrs(void *p)
{
	struct ap_run *a = p;
	struct __test_metadata *_metadata = a->md;
	zx_handle_t vcpu;

	a->create = zx_vcpu_create(a->vm->guest, 0, AP_GPA, &vcpu);
	if (a->create != ZX_OK)
		return NULL;
	a->mark = out_of(_metadata, vcpu, PORT_MARK, __LINE__);
	for (int i = 0; i < READBACK_VALUES; i++)
		a->v[i] = VALUE(vcpu);
	if (a->mark == 1)
		a->mark = out_of(_metadata, vcpu, PORT_MARK, __LINE__);
	zx_handle_close(vcpu);
	return NULL;
}

static void check_readback(struct __test_metadata *_metadata, const uint32_t *v,
			   const uint32_t *want)
{
	for (int i = 0; i < READBACK_VALUES; i++) {
		EXPECT_EQ(want[i], v[i]) TH_LOG("value %d", i);
	}
}

/* On the host: RDTSCP's ECX is what Linux put in TSC_AUX: node << 12 | CPU. */
static bool host_tsc_aux_is_cpu(void)
{
	for (int tries = 0; tries < 100; tries++) {
		int before = sched_getcpu(), after;
		uint32_t lo, hi, aux;

		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
		after = sched_getcpu();
		if (before == after)
			return (aux & 0xfff) == (uint32_t)before;
	}
	return false;
}

TEST(syscall_msrs_per_vcpu)
{
	const uint32_t bsp[READBACK_VALUES] = { BSP_LSTAR, BSP_STAR, BSP_FMASK, BSP_KGSBASE,
						0xb3, 0xb3 };
	const uint32_t ap[READBACK_VALUES] = { AP_LSTAR, AP_STAR, AP_FMASK, AP_KGSBASE,
					       0xa3, 0xa3 };
	uint32_t hostx[4], v[READBACK_VALUES];
	struct ap_run a;
	pthread_t t;
	struct vm vm;
	int i;

	host_cpuid(0x80000001, 0, hostx);
	if (!(hostx[3] & BIT32(27)))
		SKIP(return, "no RDTSCP on this host");
	VM_START(&vm, g_msrs_bsp, g_msrs_ap);
	EXPECT_MARK(vm.vcpu, 1);		/* the BSP wrote its values */
	memset(&a, 0, sizeof(a));
	a.vm = &vm;
	a.md = _metadata;
	/* The AP, on another host thread, writes and reads back its own. */
	ASSERT_EQ(0, pthread_create(&t, NULL, ap_msrs, &a));
	pthread_join(t, NULL);
	ASSERT_EQ(ZX_OK, a.create);
	EXPECT_EQ(2u, a.mark);
	check_readback(_metadata, a.v, ap);
	/* The BSP still has its own. */
	for (i = 0; i < READBACK_VALUES; i++)
		v[i] = VALUE(vm.vcpu);
	check_readback(_metadata, v, bsp);
	EXPECT_MARK(vm.vcpu, 2);
	EXPECT_TRUE(host_tsc_aux_is_cpu());
	vm_close(&vm);
}

/* --- x2APIC cluster mode ----------------------------------------------------------------- */

static void expect_ipi(struct __test_metadata *_metadata, zx_handle_t vcpu, uint64_t mask,
		       uint8_t vector, int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vcpu, &p);
	ASSERT_EQ(ZX_OK, s) TH_LOG("line %d", line);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_VCPU, p.type) TH_LOG("line %d", line);
	EXPECT_EQ(ZX_PKT_GUEST_VCPU_INTERRUPT, p.guest_vcpu.type) TH_LOG("line %d", line);
	EXPECT_EQ(mask, p.guest_vcpu.interrupt.mask) TH_LOG("line %d: mask %#llx", line,
		(unsigned long long)p.guest_vcpu.interrupt.mask);
	EXPECT_EQ(vector, p.guest_vcpu.interrupt.vector) TH_LOG("line %d", line);
}

#define EXPECT_IPI(vcpu, mask, vector) expect_ipi(_metadata, vcpu, mask, vector, __LINE__)

TEST(logical_ipi)
{
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_logical_ipi, g_topology_ap);
	EXPECT_IPI(vm.vcpu, 1ull << 0, 0x42);			/* its own LDR */
	EXPECT_IPI(vm.vcpu, 3ull << 16, 0x43);			/* cluster 1, IDs 16, 17 */
	EXPECT_IPI(vm.vcpu, ~1ull, 2);				/* NMI, broadcast */
	EXPECT_IPI(vm.vcpu, ~1ull, 0x44);			/* shorthand */
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, zx_vcpu_enter(vm.vcpu, &p));	/* STARTUP */
	vm_close(&vm);
}

TEST_HARNESS_MAIN
