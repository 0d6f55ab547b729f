// SPDX-License-Identifier: GPL-2.0-only
/*
 * The CPU a guest sees (docs/api.md §3.4, §3.6): CPUID, the control registers,
 * the MSRs the module emulates, XCR0 through XSETBV, FPU/SSE/AVX state kept
 * apart from the host's, PAUSE-loop exits and KVM hypercalls (VMCALL).
 * make check's two-CPU boot runs only xsetbv and fpu_isolation, through
 * ZXHV_VCPU_TEST_ONLY (see main()).
 *
 * One of the vcpu_*_test programs, which split the VCPU tests by topic;
 * each behaviour runs a small guest program from vcpu_guest.h (memory
 * layout and port conventions are described there) in vcpu_vm.h's
 * fixture.  Where VMX is missing (ZXHV_VM=qemu, or a host whose probe is
 * not READY) every test that needs a guest is skipped.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * cpuid                         hypervisor + x2APIC bits, no VMX, APIC ID 0, SEP,
 *                               "KVMKVMKVM\0\0\0", 0x40000001 features
 * control_registers             CR0 reads PE|ET|WP|PG (NE hidden), CR4 hides VMXE
 * cr0_cd_nw_gp                  CR0 with CD=0 NW=1 -> #GP(0) in the guest
 * syscall_sysenter              guest's STAR/LSTAR/FMASK and SYSENTER MSRs work and
 *                               survive exits to userspace
 * msr_apic_base                 IA32_APIC_BASE = 0xFEE00D00 on the BSP; write rules
 * msr_unknown_gp                unknown RDMSR/WRMSR -> #GP(0) in the guest
 * fpu_isolation                 guest xmm/ymm and host ymm15 each keep their values
 * pause_exit                    a PAUSE loop (pause-loop exiting) runs to its end in the
 *                               kernel: enter returns only the guest's next OUT
 * xsetbv                        XCR0 starts x87|SSE|AVX (x87|SSE without AVX); XSETBV of
 *                               x87|SSE is kept and CPUID.(0xD,0).EBX follows XCR0; a bad
 *                               value -> enter INVALID_ARGS, RIP not advanced, no #GP
 * vmcall                        KVM hypercalls: unknown -> -1000; CLOCK_PAIRING fills
 *                               {sec, nsec, tsc, flags} at the GPA; clock type 1 -> -95;
 *                               unmapped GPA -> -14; from CPL 3 -> -1
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "zxhv_filter.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

/* --- CPUID, control registers, MSRs ------------------------------------------------ */

TEST(cpuid)
{
	uint32_t ecx, ebx, edx, sig[3];
	struct vm vm;

	VM_START(&vm, g_cpuid);
	ecx = NEXT_VALUE(&vm);
	ebx = NEXT_VALUE(&vm);
	edx = NEXT_VALUE(&vm);
	EXPECT_NE(0u, ecx & (1u << 31));	/* hypervisor */
	EXPECT_NE(0u, ecx & (1u << 21));	/* x2APIC */
	EXPECT_EQ(0u, ecx & (1u << 5));		/* VMX */
	EXPECT_EQ(0u, ecx & (1u << 3));		/* MONITOR */
	EXPECT_EQ(0u, ebx >> 24);		/* APIC ID of the BSP */
	EXPECT_NE(0u, edx & (1u << 11));	/* SEP */
	EXPECT_EQ(0x40000001u, NEXT_VALUE(&vm));
	sig[0] = NEXT_VALUE(&vm);
	sig[1] = NEXT_VALUE(&vm);
	sig[2] = NEXT_VALUE(&vm);
	EXPECT_EQ(0, memcmp(sig, "KVMKVMKVM\0\0\0", 12));
	EXPECT_EQ((1u << 0) | (1u << 1) | (1u << 3), NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc1);
	vm_close(&vm);
}

TEST(control_registers)
{
	uint32_t cr4;
	struct vm vm;

	VM_START(&vm, g_cr);
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	cr4 = NEXT_VALUE(&vm);
	EXPECT_EQ(0u, cr4 & (1u << 13));	/* VMXE hidden */
	EXPECT_NE(0u, cr4 & (1u << 5));		/* PAE */
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc0);
	vm_close(&vm);
}

TEST(cr0_cd_nw_gp)
{
	struct vm vm;

	VM_START(&vm, g_cr0_gp);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* #GP(0) */
	EXPECT_EQ(CR0_PE | CR0_ET | CR0_WP | CR0_PG, NEXT_VALUE(&vm));
	EXPECT_MARK(&vm, 0xc2);
	vm_close(&vm);
}

TEST(syscall_sysenter)
{
	uint32_t rflags, r11, lstar;
	struct vm vm;

	VM_START(&vm, g_syscall);
	EXPECT_MARK(&vm, 1);
	/* The host made system calls between the exits (the test harness does). */
	rflags = NEXT_VALUE(&vm);
	r11 = NEXT_VALUE(&vm);
	EXPECT_EQ(0u, rflags & 0x200u);		/* FMASK cleared IF */
	EXPECT_NE(0u, r11 & 0x200u);		/* IF was set before */
	EXPECT_VALUE(&vm, 0x5c5c);
	lstar = NEXT_VALUE(&vm);
	EXPECT_VALUE(&vm, lstar);
	EXPECT_MARK(&vm, 2);
	EXPECT_VALUE(&vm, 0x1e0000);		/* SYSENTER_ESP */
	EXPECT_VALUE(&vm, 0x5e5e);
	EXPECT_MARK(&vm, 3);
	vm_close(&vm);
}

TEST(msr_apic_base)
{
	struct vm vm;

	VM_START(&vm, g_apic_base);
	EXPECT_VALUE(&vm, 0xfee00d00);
	EXPECT_VALUE(&vm, 0);
	/* The same value, and without the BSP bit, were accepted. */
	EXPECT_MARK(&vm, 1);
	/* Another base: the VMM cannot move the APIC. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, enter(&vm));
	vm_close(&vm);
}

TEST(msr_unknown_gp)
{
	struct vm vm;

	VM_START(&vm, g_msr_unknown);
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* RDMSR */
	EXPECT_EQ(0u, NEXT_OUT(&vm, PORT_GP, 4));	/* WRMSR */
	EXPECT_MARK(&vm, 0xc3);
	vm_close(&vm);
}

/* --- FPU ------------------------------------------------------------------------ */

static bool host_avx(void)
{
	uint32_t a, b, c, d;
	uint32_t xcr0_lo, xcr0_hi;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & (1u << 28)) || !(c & (1u << 27)))	/* AVX, OSXSAVE */
		return false;
	__asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 6) == 6;
}

TEST(fpu_isolation)
{
	static const uint8_t pattern[32] = {
		0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
		0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
		0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
		0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
	};
	uint8_t after[32];
	bool avx = host_avx();
	zx_vcpu_state_t st;
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_fpu);
	st = read_state(&vm);
	st.rbx = avx;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	if (!avx)
		TH_LOG("no AVX on this host: xmm only");
	EXPECT_MARK(&vm, 1);
	for (int round = 0; round < 4; round++) {
		zx_status_t s;

		memset(after, 0, sizeof(after));
		/* ymm15/xmm15 is not used by the code between these statements. */
		if (avx)
			__asm__ volatile("vmovdqu %0, %%ymm15" : : "m"(pattern) : "xmm15");
		else
			__asm__ volatile("movdqu %0, %%xmm15" : : "m"(pattern) : "xmm15");
		memset(&p, 0, sizeof(p));
		s = zx_vcpu_enter(vm.vcpu, &p);
		if (avx)
			__asm__ volatile("vmovdqu %%ymm15, %0" : "=m"(after));
		else
			__asm__ volatile("movdqu %%xmm15, %0" : "=m"(after));
		ASSERT_EQ(ZX_OK, s);
		ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
		EXPECT_EQ(PORT_VALUE, p.guest_io.port);
		EXPECT_EQ(1u, p.guest_io.u32);		/* guest xmm0/ymm0 kept */
		EXPECT_EQ(0, memcmp(after, pattern, avx ? 32 : 16));
		EXPECT_VALUE(&vm, 1);			/* guest xmm15/ymm15 kept */
		EXPECT_MARK(&vm, 1);
	}
	vm_close(&vm);
}

/* --- PAUSE, XSETBV, VMCALL -------------------------------------------------------- */

TEST(pause_exit)
{
	zx_port_packet_t p;
	struct vm vm;

	VM_START(&vm, g_pause);
	/* Every PAUSE exit stays in the kernel: the first packet is the OUT. */
	memset(&p, 0xa5, sizeof(p));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm.vcpu, &p));
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(KEY_IO, p.key);
	EXPECT_EQ(PORT_MARK, p.guest_io.port);
	EXPECT_EQ(4u, p.guest_io.access_size);
	EXPECT_FALSE(p.guest_io.input);
	/* Each PAUSE was skipped once: the loop ran all its iterations. */
	EXPECT_EQ((uint32_t)PAUSE_LOOPS, p.guest_io.u32);
	EXPECT_EQ(0u, read_state(&vm).rcx);
	vm_close(&vm);
}

#define XCR0_X87	(1u << 0)
#define XCR0_SSE	(1u << 1)
#define XCR0_AVX	(1u << 2)
#define XSAVE_SIZE_SSE	576u	/* legacy area + header */
#define XSAVE_SIZE_AVX	832u	/* + the 256-byte AVX component at 576 */

TEST(xsetbv)
{
	/*
	 * Each one refused: no x87, SSE without x87, AVX without x87 or SSE,
	 * AVX without SSE, bits CPUID 0xD does not offer, a high-half bit.
	 */
	static const uint64_t bad[] = { 0, 2, 4, 5, 0xe7, (1ull << 32) | 3 };
	uint32_t ecx, xcr0, size;
	zx_vcpu_state_t st;
	bool avx;
	struct vm vm;

	VM_START(&vm, g_xsetbv);
	ecx = NEXT_VALUE(&vm);
	if (!(ecx & (1u << 26))) {
		EXPECT_MARK(&vm, 0xe0);
		vm_close(&vm);
		SKIP(return, "no XSAVE in the guest's CPUID");
	}
	if (!(ecx & (1u << 27))) {
		/*
		 * The BSP starts with CR4.OSXSAVE only "with host XSAVE" (docs/api.md
		 * §3.4): a host kernel that turned XSAVE off (Bochs' CPU model
		 * fails Linux's XSAVE size check) leaves it clear, and the
		 * module then accepts no XCR0 at all.  The guest sets OSXSAVE
		 * itself; a bad value must still end enter with INVALID_ARGS.
		 */
		TH_LOG("guest CPUID has XSAVE%s but starts without CR4.OSXSAVE",
		       ecx & (1u << 28) ? " and AVX" : "");
		EXPECT_MARK(&vm, 0xe1);
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, enter(&vm));
		vm_close(&vm);
		SKIP(return, "host without XSAVE: no valid XCR0 to test");
	}
	avx = ecx & (1u << 28);
	xcr0 = avx ? XCR0_X87 | XCR0_SSE | XCR0_AVX : XCR0_X87 | XCR0_SSE;
	size = avx ? XSAVE_SIZE_AVX : XSAVE_SIZE_SSE;
	TH_LOG("guest AVX: %s", avx ? "yes" : "no");
	EXPECT_VALUE(&vm, xcr0);		/* as the guest starts (docs/api.md §3.4) */
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, size);		/* CPUID.(0xD,0).EBX */
	/* XSETBV of x87|SSE is stored, and the size follows. */
	EXPECT_VALUE(&vm, XCR0_X87 | XCR0_SSE);
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, XSAVE_SIZE_SSE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		zx_status_t s;

		if (i > 0) {
			st = read_state(&vm);
			st.rax = (uint32_t)bad[i];
			st.rdx = bad[i] >> 32;
			st.rflags = 0;		/* unchanged */
			ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st,
							     sizeof(st)));
		}
		/* No #GP in the guest: enter fails (docs/api.md §3.6). */
		s = enter(&vm);
		if (s != ZX_ERR_INVALID_ARGS)
			TH_LOG("XSETBV %#llx: zx_vcpu_enter returned %s",
			       (unsigned long long)bad[i], zx_status_get_string(s));
		ASSERT_EQ(ZX_ERR_INVALID_ARGS, s);
	}
	/*
	 * A valid value then.  The XSETBV did not complete before (each retry
	 * failed again), and it runs once more now: with AVX, XCR0 goes from
	 * x87|SSE back to x87|SSE|AVX.
	 */
	st = read_state(&vm);
	st.rax = xcr0;
	st.rdx = 0;
	st.rcx = 0;
	st.rflags = 0;
	ASSERT_EQ(ZX_OK, zx_vcpu_write_state(vm.vcpu, ZX_VCPU_STATE, &st, sizeof(st)));
	EXPECT_VALUE(&vm, xcr0);
	EXPECT_VALUE(&vm, 0);
	EXPECT_VALUE(&vm, size);
	EXPECT_MARK(&vm, 0xe5);
	vm_close(&vm);
}

/* The hypercall result the guest just reported: low half in the OUT, all of RAX. */
static void expect_hc(struct __test_metadata *_metadata, struct vm *vm, int64_t want,
		      int line)
{
	uint32_t low = next_out(_metadata, vm, PORT_VALUE, 4, line);
	uint64_t rax = read_state(vm).rax;

	if (rax != (uint64_t)want)
		TH_LOG("line %d: hypercall returned %lld, want %lld", line, (long long)rax,
		       (long long)want);
	EXPECT_EQ((uint32_t)want, low);
	EXPECT_EQ((uint64_t)want, rax);
}

#define EXPECT_HC(vm, want) expect_hc(_metadata, vm, want, __LINE__)

/* @len bytes at GPA @gpa still hold 0xa5. */
static bool untouched(struct vm *vm, uint64_t gpa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (vm->mem[gpa + i] != 0xa5)
			return false;
	return true;
}

TEST(vmcall)
{
	struct guest_clock_pairing cp;
	struct timespec before, after;
	zx_vcpu_state_t st;
	struct vm vm;

	VM_START(&vm, g_vmcall);
	guest_add_user_mode(vm.mem);
	memset(vm.mem + GPA_DATA, 0xa5, 0x200);
	/* (a) An unknown number: -KVM_ENOSYS, nothing written. */
	EXPECT_HC(&vm, KVM_ENOSYS_RET);
	EXPECT_TRUE(untouched(&vm, GPA_DATA, 0x200));
	/* (b) CLOCK_PAIRING with CLOCK_REALTIME (type 0). */
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &before));
	EXPECT_HC(&vm, 0);
	ASSERT_EQ(0, clock_gettime(CLOCK_REALTIME, &after));
	memcpy(&cp, vm.mem + GPA_DATA, sizeof(cp));
	TH_LOG("clock pairing: sec %lld nsec %lld tsc %#llx flags %#x; host %lld..%lld",
	       (long long)cp.sec, (long long)cp.nsec, (unsigned long long)cp.tsc, cp.flags,
	       (long long)before.tv_sec, (long long)after.tv_sec);
	/* The emulators are slow: minutes of slack either side. */
	EXPECT_LE((int64_t)before.tv_sec - 300, cp.sec);
	EXPECT_GE((int64_t)after.tv_sec + 300, cp.sec);
	EXPECT_LE(0, cp.nsec);
	EXPECT_GT(1000000000ll, cp.nsec);
	EXPECT_NE(0u, cp.tsc);
	EXPECT_EQ(0u, cp.flags);
	for (int i = 0; i < 9; i++)
		EXPECT_EQ(0u, cp.pad[i]);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + sizeof(cp), 0x200 - sizeof(cp)));
	/* The guest sees the host TSC (no offset): tsc is between its RDTSCs. */
	st = read_state(&vm);
	EXPECT_LE(st.r12, cp.tsc);
	EXPECT_GE(st.r13, cp.tsc);
	/* (c) Another clock type: -KVM_EOPNOTSUPP, nothing written. */
	EXPECT_HC(&vm, KVM_EOPNOTSUPP_RET);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + 0x100, 0x100));
	/* (d) A GPA with no memory behind it: -KVM_EFAULT. */
	EXPECT_HC(&vm, KVM_EFAULT_RET);
	EXPECT_MARK(&vm, 0x7c);
	/* (e) From CPL 3: -KVM_EPERM, nothing written. */
	EXPECT_HC(&vm, KVM_EPERM_RET);
	EXPECT_VALUE(&vm, SEL_UCODE64 | 3);
	EXPECT_TRUE(untouched(&vm, GPA_DATA + 0x100, 0x100));
	EXPECT_MARK(&vm, 0x7d);
	vm_close(&vm);
}

/* ZXHV_VCPU_TEST_ONLY=xsetbv,fpu_isolation runs only those (zxhv_filter.h). */
int main(int argc, char **argv)
{
	zxhv_filter_tests("ZXHV_VCPU_TEST_ONLY");
	return test_harness_run(argc, argv);
}
