/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers the guest-running kselftests share: whether this machine can run
 * guests (and NEED_VMX() to skip a test where it cannot), the hypervisor
 * resource, a bare guest, killing a child that runs one, waiting for the
 * module to leave VMX operation, and reading its debugfs counters.
 */
#ifndef ZXHV_SELFTEST_VM_H
#define ZXHV_SELFTEST_VM_H

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

/* The guest-physical address space: [0, 2^48). */
#define GPA_LIMIT	(1ull << 48)

/* Does this machine have usable VMX?  Decided by the VM kind, else the probe. */
static inline bool have_vmx(void)
{
	const char *vm = getenv("ZXHV_VM");
	zxhv_vmx_probe_t p;

	if (vm && !strcmp(vm, "qemu"))
		return false;
	if (vm && !strcmp(vm, "bochs"))
		return true;
	memset(&p, 0, sizeof(p));
	return zxhv_vmx_probe(&p) == ZX_OK && p.result == ZXHV_VMX_READY;
}

/*
 * One of the module's two-counter debugfs files, /sys/kernel/debug/zircon-hv/
 * @file, read with @fmt (two %llu): 0, or -1 if it is missing or malformed.
 */
static inline int debugfs_counters(const char *file, const char *fmt, unsigned long long *a,
				   unsigned long long *b)
{
	char path[128];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/kernel/debug/zircon-hv/%s", file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, fmt, a, b);
	fclose(f);
	return n == 2 ? 0 : -1;
}

/* In a kselftest_harness.h test: skip it where guests cannot run. */
#define NEED_VMX() do { if (!have_vmx()) SKIP(return, "no VMX here"); } while (0)

/* The hypervisor resource, or ZX_HANDLE_INVALID. */
static inline zx_handle_t hyp(void)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	zxhv_hypervisor_resource(&h);
	return h;
}

/* A guest and its guest-physical VMAR, nothing mapped. */
struct guest {
	zx_handle_t guest, vmar;
};

static inline zx_status_t new_guest(struct guest *g)
{
	zx_handle_t r = hyp();
	zx_status_t s;

	g->guest = g->vmar = ZX_HANDLE_INVALID;
	s = zx_guest_create(r, 0, &g->guest, &g->vmar);
	zx_handle_close(r);
	return s;
}

static inline void close_guest(struct guest *g)
{
	zx_handle_close(g->guest);
	zx_handle_close(g->vmar);
}

static inline void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Forks a child that runs @child(@fd, @arg), which writes a byte to @fd
 * once it is where it should be killed, and never returns.  With @wait the
 * parent waits for that byte and @delay_ms more; then it SIGKILLs the
 * child and reaps it.  0 when the child died of SIGKILL; 100 + its exit
 * status if it exited before writing; negative when something else failed.
 */
static inline int fork_and_kill(void (*child)(int fd, void *arg), void *arg, bool wait,
				long delay_ms)
{
	int fds[2], status = 0;
	bool reaped;
	char c;
	pid_t pid;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], arg);
		_exit(0x7f);
	}
	close(fds[1]);
	if (wait) {
		if (read(fds[0], &c, 1) != 1) {
			waitpid(pid, &status, 0);
			close(fds[0]);
			return WIFEXITED(status) ? 100 + WEXITSTATUS(status) : -2;
		}
		sleep_ms(delay_ms);
	}
	kill(pid, SIGKILL);
	reaped = waitpid(pid, &status, 0) == pid;
	close(fds[0]);
	if (!reaped)
		return -3;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : -4;
}

/*
 * The module's VMX use has ended once every guest is gone: the probe says
 * READY.  Polls up to @tries times, 20 ms apart.
 */
static inline bool vmx_released(int tries)
{
	zxhv_vmx_probe_t p;

	for (int i = 0; i < tries; i++) {
		memset(&p, 0, sizeof(p));
		if (zxhv_vmx_probe(&p) == ZX_OK && p.result == ZXHV_VMX_READY)
			return true;
		sleep_ms(20);
	}
	return false;
}

#endif /* ZXHV_SELFTEST_VM_H */
