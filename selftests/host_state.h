/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host thread's CPU state, captured and compared around guest runs
 * (issue 16, item 2): what a guest must never change for the thread that
 * ran it.  Used by hoststate_test.c, guest_fuzz_test.c and pkru_test.c.
 *
 *   hs_init()       pins the thread to its CPU (MSRs are read on that CPU),
 *                   opens /dev/cpu/N/msr (loading msr.ko from /lib/modules
 *                   if the kernel has it as a module), learns what the CPU
 *                   and the kernel enabled (PKU, XSAVE, AVX, FSGSBASE)
 *   hs_snapshot()   PKRU, XCR0, FS/GS base as user mode sees them, and the
 *                   MSRs of hs_msrs[] (syscall MSRs, SPEC_CTRL, DEBUGCTL,
 *                   EFER, PAT, SYSENTER, the kernel's GS base, TSC_AUX)
 *   hs_diff()       names every field that differs between two snapshots
 *   hs_watch_*()    the debug registers, by what they do: a perf write
 *                   watchpoint of this thread in each free slot (DR0-DR3,
 *                   enabled in DR7) must count each write exactly once and
 *                   nothing else may trap (a guest's breakpoint left in the
 *                   host's DR0-DR3/DR7 would); user mode cannot read DRs
 *   hs_enter()      zx_vcpu_enter() as one raw `syscall` with the whole
 *                   x87/SSE/AVX state (FCW, MXCSR, ST0-7, XMM0-15, the YMM
 *                   upper halves) loaded from a random pattern right before
 *                   it and saved right after: the kernel must hand it back
 *                   unchanged (libzx cannot be used: the C calling
 *                   convention lets the compiler change those registers)
 *   hs_cr2_probe()  the host sees the address of its own page fault
 *
 * Include after kselftest_harness.h is not required: nothing here reports
 * through the harness; callers check the results.
 */
#ifndef ZXHV_SELFTESTS_HOST_STATE_H
#define ZXHV_SELFTESTS_HOST_STATE_H

#include <asm/prctl.h>
#include <cpuid.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zircon-hv.h>
#include <zircon/syscalls.h>

/* The MSRs compared (read with /dev/cpu/N/msr on the pinned CPU). */
static const struct {
	uint32_t msr;
	const char *name;
} hs_msrs[] = {
	{ 0x48, "SPEC_CTRL" },
	{ 0x174, "SYSENTER_CS" },
	{ 0x175, "SYSENTER_ESP" },
	{ 0x176, "SYSENTER_EIP" },
	{ 0x1d9, "DEBUGCTL" },
	{ 0x277, "PAT" },
	{ 0xc0000080, "EFER" },
	{ 0xc0000081, "STAR" },
	{ 0xc0000082, "LSTAR" },
	{ 0xc0000083, "CSTAR" },
	{ 0xc0000084, "SFMASK" },
	{ 0xc0000100, "FS_BASE" },
	{ 0xc0000101, "GS_BASE (the kernel's, read in the kernel)" },
	{ 0xc0000102, "KERNEL_GS_BASE (the user's GS base)" },
	{ 0xc0000103, "TSC_AUX" },
};
#define HS_NMSR		(sizeof(hs_msrs) / sizeof(hs_msrs[0]))
#define HS_MSR_DEBUGCTL	4

/* What this CPU and kernel offer; filled by hs_init(). */
struct hs_env {
	int cpu;
	int msr_fd;		/* -1 without the msr driver */
	bool pku, xsave, avx, fsgsbase;
	uint64_t xcr0;
	uint32_t xsave_size;	/* bytes of the XSAVE image for x87|SSE|AVX */
	uint32_t ymm_off;	/* offset of the YMM upper halves in it */
	uint32_t mxcsr_mask;
};

static struct hs_env hs;

struct hs_snap {
	uint32_t pkru;
	uint64_t xcr0, fsbase, gsbase;
	uint64_t msr[HS_NMSR];
	bool msr_ok[HS_NMSR];
};

static inline bool hs_cpuid_bit(unsigned int leaf, unsigned int reg, unsigned int bit)
{
	unsigned int r[4] = { 0 };

	if (__get_cpuid_max(0, NULL) < leaf)
		return false;
	__cpuid_count(leaf, 0, r[0], r[1], r[2], r[3]);
	return r[reg] & (1u << bit);
}

static inline uint32_t hs_rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static inline uint64_t hs_xgetbv0(void)
{
	uint32_t eax, edx;

	asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
	return (uint64_t)edx << 32 | eax;
}

/* 8 bytes of MSR @msr on the pinned CPU; false if it cannot be read. */
static inline bool hs_rdmsr(uint32_t msr, uint64_t *v)
{
	return hs.msr_fd >= 0 && pread(hs.msr_fd, v, 8, msr) == 8;
}

static inline bool hs_wrmsr(uint32_t msr, uint64_t v)
{
	return hs.msr_fd >= 0 && pwrite(hs.msr_fd, &v, 8, msr) == 8;
}

/* Opens /dev/cpu/@cpu/msr, loading /lib/modules/msr.ko first if needed. */
static inline int hs_open_msr(int cpu)
{
	char path[64];
	int fd, ko;

	snprintf(path, sizeof(path), "/dev/cpu/%d/msr", cpu);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	ko = open("/lib/modules/msr.ko", O_RDONLY | O_CLOEXEC);
	if (ko < 0)
		return -1;
	syscall(SYS_finit_module, ko, "", 0);
	close(ko);
	for (int i = 0; i < 50 && fd < 0; i++) {	/* devtmpfs makes the node */
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			usleep(20000);
	}
	return fd;
}

/* Pins the calling thread to the CPU it is on; call once, before any guest. */
static inline void hs_init(void)
{
	unsigned int a, b, c, d;
	cpu_set_t set;

	memset(&hs, 0, sizeof(hs));
	hs.cpu = sched_getcpu();
	if (hs.cpu < 0)
		hs.cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(hs.cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	hs.msr_fd = hs_open_msr(hs.cpu);
	hs.pku = hs_cpuid_bit(7, 2, 4);		/* OSPKE */
	hs.xsave = hs_cpuid_bit(1, 2, 27);	/* OSXSAVE */
	hs.fsgsbase = getauxval(AT_HWCAP2) & 2;	/* HWCAP2_FSGSBASE */
	hs.xsave_size = 512;
	if (hs.xsave) {
		hs.xcr0 = hs_xgetbv0();
		hs.avx = (hs.xcr0 & 6) == 6;
		hs.xsave_size = 576;
		if (hs.avx) {
			__cpuid_count(0xd, 2, a, b, c, d);
			hs.ymm_off = b;
			if (b + a > hs.xsave_size)
				hs.xsave_size = b + a;
		}
	}
}

static inline void hs_snapshot(struct hs_snap *s)
{
	memset(s, 0, sizeof(*s));
	if (hs.pku)
		s->pkru = hs_rdpkru();
	if (hs.xsave)
		s->xcr0 = hs_xgetbv0();
	if (hs.fsgsbase) {
		asm volatile("rdfsbase %0" : "=r"(s->fsbase));
		asm volatile("rdgsbase %0" : "=r"(s->gsbase));
	} else {
		syscall(SYS_arch_prctl, ARCH_GET_FS, &s->fsbase);
		syscall(SYS_arch_prctl, ARCH_GET_GS, &s->gsbase);
	}
	for (size_t i = 0; i < HS_NMSR; i++)
		s->msr_ok[i] = hs_rdmsr(hs_msrs[i].msr, &s->msr[i]);
}

/*
 * The differences between @a (before) and @b (after), as text in @buf;
 * the number of fields that differ.
 */
static inline int hs_diff(const struct hs_snap *a, const struct hs_snap *b, char *buf,
			  size_t size)
{
	int n = 0;
	size_t len = 0;

#define HS_DIFF(name, x, y) do {						\
	if ((x) != (y)) {							\
		n++;								\
		if (len < size)							\
			len += snprintf(buf + len, size - len, "%s %#llx -> %#llx; ",	\
					name, (unsigned long long)(x),		\
					(unsigned long long)(y));		\
	}									\
} while (0)
	buf[0] = 0;
	HS_DIFF("PKRU", a->pkru, b->pkru);
	HS_DIFF("XCR0", a->xcr0, b->xcr0);
	HS_DIFF("FS base", a->fsbase, b->fsbase);
	HS_DIFF("GS base", a->gsbase, b->gsbase);
	for (size_t i = 0; i < HS_NMSR; i++) {
		HS_DIFF(hs_msrs[i].name, a->msr_ok[i], b->msr_ok[i]);
		HS_DIFF(hs_msrs[i].name, a->msr[i], b->msr[i]);
	}
#undef HS_DIFF
	return n;
}

/* How many of hs_msrs[] the snapshot could read (0 without the msr driver). */
static inline int hs_msrs_read(const struct hs_snap *s)
{
	int n = 0;

	for (size_t i = 0; i < HS_NMSR; i++)
		n += s->msr_ok[i];
	return n;
}

/* --- debug registers ---------------------------------------------------- */

struct hs_watch {
	int fd[4];
	int n;				/* watchpoints armed */
	uint64_t count[4];		/* hits counted so far */
};

/* What the watchpoints watch, and decoys next to them nothing may watch. */
static volatile uint64_t hs_watched[4] __attribute__((aligned(64)));
static volatile uint64_t hs_decoy[4] __attribute__((aligned(64)));
static volatile sig_atomic_t hs_stray_traps;

static inline void hs_sigtrap(int sig)
{
	(void)sig;
	hs_stray_traps++;
}

static inline uint64_t hs_watch_read(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return ~0ull;
	return n;
}

/* Arms a write watchpoint on each hs_watched[i] where perf has a slot. */
static inline void hs_watch_arm(struct hs_watch *w)
{
	struct perf_event_attr a;
	struct sigaction sa;

	memset(w, 0, sizeof(*w));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hs_sigtrap;
	sigaction(SIGTRAP, &sa, NULL);
	hs_stray_traps = 0;
	for (int i = 0; i < 4; i++) {
		memset(&a, 0, sizeof(a));
		a.type = PERF_TYPE_BREAKPOINT;
		a.size = sizeof(a);
		a.bp_type = HW_BREAKPOINT_W;
		a.bp_addr = (uintptr_t)&hs_watched[i];
		a.bp_len = HW_BREAKPOINT_LEN_8;
		a.sample_period = 1;
		a.exclude_kernel = 1;
		a.exclude_hv = 1;
		w->fd[w->n] = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
		if (w->fd[w->n] < 0)
			break;
		w->n++;
	}
}

/*
 * Writes each watched word and each decoy once: every armed watchpoint
 * must count exactly one more hit and nothing may trap.  0 when so; else
 * a description in @buf.
 */
static inline int hs_watch_check(struct hs_watch *w, char *buf, size_t size)
{
	uint64_t c;
	int bad = 0;

	buf[0] = 0;
	for (int i = 0; i < 4; i++) {
		hs_watched[i] = hs_watched[i] + 1;
		hs_decoy[i] = hs_decoy[i] + 1;
	}
	for (int i = 0; i < w->n; i++) {
		c = hs_watch_read(w->fd[i]);
		if (c != w->count[i] + 1) {
			snprintf(buf + strlen(buf), size - strlen(buf),
				 "watchpoint %d counted %llu, want %llu; ", i,
				 (unsigned long long)c, (unsigned long long)w->count[i] + 1);
			bad++;
		}
		w->count[i] = c;
	}
	if (hs_stray_traps) {
		snprintf(buf + strlen(buf), size - strlen(buf), "%d stray SIGTRAPs; ",
			 (int)hs_stray_traps);
		hs_stray_traps = 0;
		bad++;
	}
	return bad;
}

static inline void hs_watch_close(struct hs_watch *w)
{
	for (int i = 0; i < w->n; i++)
		close(w->fd[i]);
	w->n = 0;
	signal(SIGTRAP, SIG_DFL);
}

/*
 * Host DEBUGCTL made non-zero (BTF, bit 1: only acts with EFLAGS.TF), so
 * that a VM exit's clearing of it shows; false where the CPU keeps 0.
 * hs_debugctl_put() restores the value @old.
 */
static inline bool hs_debugctl_set(uint64_t *old)
{
	uint64_t v;

	if (!hs_rdmsr(0x1d9, old) || !hs_wrmsr(0x1d9, *old | 2))
		return false;
	return hs_rdmsr(0x1d9, &v) && v == (*old | 2);
}

static inline void hs_debugctl_put(uint64_t old)
{
	hs_wrmsr(0x1d9, old);
}

/* --- FPU/SIMD across the enter syscall ------------------------------------ */

/* The /dev/zircon-hv descriptor libzx opened (after its first call), or -1. */
static inline int hs_device_fd(void)
{
	char link[300], target[64];
	struct dirent *e;
	int fd = -1;
	ssize_t n;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (fd < 0 && (e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = 0;
			if (!strcmp(target, ZXHV_DEVICE_PATH))
				fd = atoi(e->d_name);
		}
	}
	closedir(d);
	return fd;
}

/* Pattern and result images of one hs_enter(), XSAVE (or FXSAVE) layout. */
struct hs_fpu {
	uint8_t pat[4096] __attribute__((aligned(64)));
	uint8_t out[4096] __attribute__((aligned(64)));
	uint64_t seed;
};

static inline uint64_t hs_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A fresh random pattern: FCW, MXCSR, valid ST0-7, XMM0-15, YMM upper halves. */
static inline void hs_fpu_pattern(struct hs_fpu *f)
{
	static const uint16_t fcw[] = { 0x0b7f, 0x077f, 0x0f7f, 0x027f };
	static const uint32_t mxcsr[] = { 0xdf80, 0x3f80, 0x7f80, 0x9f80 };
	uint64_t r = hs_rand(&f->seed);
	uint16_t w = fcw[r & 3];
	uint32_t m = mxcsr[(r >> 2) & 3] & (hs.mxcsr_mask ? hs.mxcsr_mask : 0xffbf);
	uint64_t v;

	memset(f->pat, 0, sizeof(f->pat));
	memcpy(f->pat + 0, &w, 2);
	f->pat[4] = 0xff;			/* abridged FTW: all 8 valid */
	memcpy(f->pat + 24, &m, 4);
	for (int i = 0; i < 8; i++) {		/* normal extended-precision values */
		v = hs_rand(&f->seed) | 1ull << 63;
		memcpy(f->pat + 32 + i * 16, &v, 8);
		v = 0x3f00 + (hs_rand(&f->seed) & 0xff) + (i & 1 ? 0x8000 : 0);
		memcpy(f->pat + 40 + i * 16, &v, 2);
	}
	for (int i = 0; i < 16 * 2; i++) {
		v = hs_rand(&f->seed);
		memcpy(f->pat + 160 + i * 8, &v, 8);
	}
	if (hs.xsave) {
		v = hs.avx ? 7 : 3;		/* XSTATE_BV */
		memcpy(f->pat + 512, &v, 8);
	}
	if (hs.avx) {
		for (int i = 0; i < 16 * 2; i++) {
			v = hs_rand(&f->seed);
			memcpy(f->pat + hs.ymm_off + i * 8, &v, 8);
		}
	}
}

/* The MXCSR bits this CPU supports, from an FXSAVE image. */
static inline void hs_fpu_init(struct hs_fpu *f, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->seed = seed | 1;
	asm volatile("fxsave64 %0" : "=m"(*(uint8_t (*)[512])f->out));
	memcpy(&hs.mxcsr_mask, f->out + 28, 4);
}

static const uint32_t hs_mxcsr_default = 0x1f80;

/* What hs_enter()'s asm changes: the syscall's registers and every FPU/SIMD one. */
#define HS_FPU_CLOBBERS								\
	"rax", "rcx", "rdx", "r11", "memory", "cc",				\
	"st", "st(1)", "st(2)", "st(3)", "st(4)", "st(5)", "st(6)", "st(7)",	\
	"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7",		\
	"xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"

/*
 * One ZXHV_IOC_VCPU_ENTER with the FPU/SIMD state of a fresh pattern
 * loaded right before the `syscall` and saved right after it.  Returns
 * the zx status; *@fpu_bad is set when the state came back different
 * (a description goes to @buf).  The thread's FPU is reset (FNINIT, MXCSR
 * 0x1F80) after the save.
 */
static inline zx_status_t hs_enter(struct hs_fpu *f, int fd, zx_handle_t vcpu,
				   zx_port_packet_t *packet, bool *fpu_bad, char *buf, size_t size)
{
	struct zxhv_vcpu_enter a;
	uint32_t lo = hs.avx ? 7 : 3, hi = 0;
	unsigned long req = ZXHV_IOC_VCPU_ENTER;
	long ret;
	int off;

	memset(&a, 0, sizeof(a));
	a.handle = vcpu;
	a.packet = (uintptr_t)packet;
	hs_fpu_pattern(f);
	memset(f->out, 0, sizeof(f->out));
	asm volatile("mov %[lo], %%eax\n mov %[hi], %%edx\n"
		     "test %[xs], %[xs]\n jz 1f\n xrstor64 (%[pat])\n jmp 2f\n"
		     "1: fxrstor64 (%[pat])\n"
		     "2: mov %[nr], %%eax\n mov %[arg], %%rdx\n syscall\n"
		     "mov %%rax, %[ret]\n"
		     "mov %[lo], %%eax\n mov %[hi], %%edx\n"
		     "test %[xs], %[xs]\n jz 3f\n xsave64 (%[out])\n jmp 4f\n"
		     "3: fxsave64 (%[out])\n"
		     "4: fninit\n ldmxcsr %[mx]\n"
		     : [ret] "=&r"(ret)
		     : "D"((long)fd), "S"(req), [arg] "r"(&a), [pat] "r"(f->pat),
		       [out] "r"(f->out), [lo] "r"(lo), [hi] "r"(hi), [xs] "r"((long)hs.xsave),
		       [nr] "i"(SYS_ioctl), [mx] "m"(hs_mxcsr_default)
		     : HS_FPU_CLOBBERS);
	*fpu_bad = false;
	buf[0] = 0;
	if (memcmp(f->pat, f->out, 2)) {
		*fpu_bad = true;
		snprintf(buf, size, "x87 FCW %#x -> %#x", *(uint16_t *)f->pat,
			 *(uint16_t *)f->out);
	} else if (memcmp(f->pat + 24, f->out + 24, 4)) {
		*fpu_bad = true;
		snprintf(buf, size, "MXCSR %#x -> %#x", *(uint32_t *)(f->pat + 24),
			 *(uint32_t *)(f->out + 24));
	} else if (f->pat[4] != f->out[4]) {
		*fpu_bad = true;
		snprintf(buf, size, "x87 tag word %#x -> %#x", f->pat[4], f->out[4]);
	}
	for (off = 0; !*fpu_bad && off < 8; off++) {
		if (memcmp(f->pat + 32 + off * 16, f->out + 32 + off * 16, 10)) {
			*fpu_bad = true;
			snprintf(buf, size, "ST%d differs", off);
		}
	}
	for (off = 0; !*fpu_bad && off < 16; off++) {
		if (memcmp(f->pat + 160 + off * 16, f->out + 160 + off * 16, 16)) {
			*fpu_bad = true;
			snprintf(buf, size, "XMM%d differs", off);
		}
	}
	if (hs.avx && !*fpu_bad && !(f->out[512] & 4)) {
		*fpu_bad = true;
		snprintf(buf, size, "YMM upper halves in their init state");
	}
	for (off = 0; hs.avx && !*fpu_bad && off < 16; off++) {
		if (memcmp(f->pat + hs.ymm_off + off * 16, f->out + hs.ymm_off + off * 16, 16)) {
			*fpu_bad = true;
			snprintf(buf, size, "YMM%d upper half differs", off);
		}
	}
	if (ret < 0)
		return -ret == EFAULT ? ZX_ERR_INVALID_ARGS : ZX_ERR_INTERNAL;
	return ZXHV_STATUS(ret);
}

/* --- CR2 ------------------------------------------------------------------ */

static sigjmp_buf hs_segv_jmp;
static volatile uintptr_t hs_segv_addr;

static inline void hs_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	hs_segv_addr = (uintptr_t)si->si_addr;
	/* The kernel's copy of CR2 at the fault, as it reports it. */
	if (((ucontext_t *)uc)->uc_mcontext.gregs[REG_CR2] != (long long)hs_segv_addr)
		hs_segv_addr = ~(uintptr_t)0;
	siglongjmp(hs_segv_jmp, 1);
}

/*
 * Faults on a PROT_NONE page at offset @off: true when both si_addr and
 * the signal frame's CR2 give that address.
 */
static inline bool hs_cr2_probe(unsigned int off)
{
	struct sigaction sa, old;
	volatile uint8_t *p;
	bool ok = false;

	p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = hs_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, &old);
	hs_segv_addr = 0;
	if (!sigsetjmp(hs_segv_jmp, 1))
		(void)p[off & 0xfff];
	ok = hs_segv_addr == (uintptr_t)(p + (off & 0xfff));
	sigaction(SIGSEGV, &old, NULL);
	munmap((void *)p, 4096);
	return ok;
}

#endif /* ZXHV_SELFTESTS_HOST_STATE_H */
