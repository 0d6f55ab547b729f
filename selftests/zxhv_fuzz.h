/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The syscall fuzzer's bookkeeping (zxhv_fuzz_test.c): statistics shared by
 * its worker processes, KCOV per thread, and the set of the module's PCs
 * seen so far.
 *
 * KCOV: the debug kernel has CONFIG_KCOV without KCOV_INSTRUMENT_ALL, and
 * the debug module is the only code built with KCOV_INSTRUMENT, so the PCs
 * a thread collects are the module's, plus nothing else.  They are kept
 * only inside the module's .text: [sections/.text, + the .text size of
 * the .ko file], one bit per byte offset in a bitmap shared by every
 * worker; a program that sets a new bit goes back into its worker's corpus.
 */
#ifndef ZXHV_FUZZ_H
#define ZXHV_FUZZ_H

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <linux/kcov.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define FZ_NOPS		36	/* the ioctls, a raw ioctl, and the process actions */
/* Status slots: 0..63 hold -zx_status_t, 64 the killed status, 65.. errno. */
#define FZ_ST_KILLED	64
#define FZ_ST_ERRNO	65
#define FZ_NSTAT	(FZ_ST_ERRNO + 64)
#define FZ_MAXFAIL	8
#define FZ_COVER_WORDS	(1 << 16)

struct fz_shared {
	uint64_t text_start;
	uint64_t text_size;
	_Atomic uint64_t calls;
	_Atomic uint64_t corpus_adds;
	_Atomic uint64_t stat[FZ_NOPS][FZ_NSTAT];
	_Atomic uint32_t nfail;
	_Atomic uint32_t stop;
	char fail[FZ_MAXFAIL][200];
	_Atomic uint8_t cov[];	/* text_size / 8 bytes */
};

static struct fz_shared *fz;

static inline int fz_stat_slot(long ret, int err)
{
	if (ret < 0)
		return err > 0 && err < 64 ? FZ_ST_ERRNO + err : FZ_NSTAT - 1;
	if (ret <= 63)
		return (int)ret;
	return ret == 502 ? FZ_ST_KILLED : FZ_NSTAT - 1;
}

static void __attribute__((format(printf, 1, 2))) fz_failf(const char *fmt, ...)
{
	uint32_t i = atomic_fetch_add(&fz->nfail, 1);
	va_list ap;

	if (i >= FZ_MAXFAIL)
		return;
	va_start(ap, fmt);
	vsnprintf(fz->fail[i], sizeof(fz->fail[i]), fmt, ap);
	va_end(ap);
}

/* .text's size in the module file @ko (0 if unreadable). */
static uint64_t fz_ko_text_size(const char *ko)
{
	uint64_t size = 0;
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	char *names = NULL;
	int fd = open(ko, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum)
		goto out;
	sh = calloc(eh.e_shnum, sizeof(*sh));
	if (!sh || pread(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff) !=
		   (ssize_t)(eh.e_shnum * sizeof(*sh)))
		goto out;
	names = calloc(1, sh[eh.e_shstrndx].sh_size + 1);
	if (!names || pread(fd, names, sh[eh.e_shstrndx].sh_size, sh[eh.e_shstrndx].sh_offset) !=
		      (ssize_t)sh[eh.e_shstrndx].sh_size)
		goto out;
	for (int i = 0; i < eh.e_shnum; i++) {
		if (sh[i].sh_name < sh[eh.e_shstrndx].sh_size &&
		    !strcmp(names + sh[i].sh_name, ".text"))
			size = sh[i].sh_size;
	}
out:
	free(names);
	free(sh);
	close(fd);
	return size;
}

/* The loaded module's .text address, from sysfs (0 if not readable). */
static uint64_t fz_module_text_start(void)
{
	unsigned long long a = 0;
	FILE *f = fopen("/sys/module/zircon_hv/sections/.text", "re");

	if (!f)
		return 0;
	if (fscanf(f, "%llx", &a) != 1)
		a = 0;
	fclose(f);
	return a;
}

/* One thread's KCOV buffer; cover == NULL where the kernel has no KCOV. */
struct fz_kcov {
	int fd;
	_Atomic uint64_t *cover;
};

static void fz_kcov_open(struct fz_kcov *k)
{
	k->cover = NULL;
	k->fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (k->fd < 0)
		return;
	if (ioctl(k->fd, KCOV_INIT_TRACE, (unsigned long)FZ_COVER_WORDS))
		goto fail;
	k->cover = mmap(NULL, FZ_COVER_WORDS * sizeof(uint64_t), PROT_READ | PROT_WRITE,
			MAP_SHARED, k->fd, 0);
	if (k->cover == MAP_FAILED)
		goto fail;
	if (ioctl(k->fd, KCOV_ENABLE, KCOV_TRACE_PC) == 0) {
		atomic_store(&k->cover[0], 0);
		return;
	}
	munmap((void *)k->cover, FZ_COVER_WORDS * sizeof(uint64_t));
fail:
	k->cover = NULL;
	close(k->fd);
	k->fd = -1;
}

static inline void fz_kcov_reset(struct fz_kcov *k)
{
	if (k->cover)
		atomic_store_explicit(&k->cover[0], 0, memory_order_relaxed);
}

/* Merge the PCs of the last call into the shared set; returns the new ones. */
static unsigned int fz_kcov_collect(struct fz_kcov *k)
{
	uint64_t n, i, off;
	unsigned int fresh = 0;
	uint8_t bit, old;

	if (!k->cover || !fz->text_size)
		return 0;
	n = atomic_load_explicit(&k->cover[0], memory_order_relaxed);
	if (n >= FZ_COVER_WORDS)
		n = FZ_COVER_WORDS - 1;
	for (i = 1; i <= n; i++) {
		off = atomic_load_explicit(&k->cover[i], memory_order_relaxed) - fz->text_start;
		if (off >= fz->text_size)
			continue;
		bit = (uint8_t)(1u << (off & 7));
		if (atomic_load_explicit(&fz->cov[off >> 3], memory_order_relaxed) & bit)
			continue;
		old = atomic_fetch_or(&fz->cov[off >> 3], bit);
		fresh += !(old & bit);
	}
	return fresh;
}

static uint64_t fz_pcs_covered(void)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < fz->text_size / 8 + 1; i++)
		n += (uint64_t)__builtin_popcount(atomic_load(&fz->cov[i]));
	return n;
}

/* xorshift64*: every worker's sequence is a function of the seed. */
static inline uint64_t fz_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static const char *status_name(int slot, char *tmp, size_t n)
{
	static const char *const zx[64] = {
		[0] = "OK", [2] = "NOT_SUPPORTED", [3] = "NO_RESOURCES", [4] = "NO_MEMORY",
		[10] = "INVALID_ARGS", [11] = "BAD_HANDLE", [12] = "WRONG_TYPE",
		[13] = "BAD_SYSCALL", [14] = "OUT_OF_RANGE", [15] = "BUFFER_TOO_SMALL",
		[20] = "BAD_STATE", [21] = "TIMED_OUT", [22] = "SHOULD_WAIT", [23] = "CANCELED",
		[24] = "PEER_CLOSED", [25] = "NOT_FOUND", [26] = "ALREADY_EXISTS",
		[27] = "ALREADY_BOUND", [28] = "UNAVAILABLE", [30] = "ACCESS_DENIED",
	};

	if (slot < 64 && zx[slot])
		return zx[slot];
	if (slot >= FZ_ST_ERRNO && slot < FZ_NSTAT - 1) {
		const char *e = strerrorname_np(slot - FZ_ST_ERRNO);

		snprintf(tmp, n, "errno:%s", e ? e : "?");
		return tmp;
	}
	snprintf(tmp, n, "other:%d", slot);
	return tmp;
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

#endif /* ZXHV_FUZZ_H */
