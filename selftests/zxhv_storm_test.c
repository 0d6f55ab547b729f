// SPDX-License-Identifier: GPL-2.0-only
/*
 * A storm of processes that make objects and are SIGKILLed at random
 * points, round after round: each child opens its own handle table, makes
 * a port, a VMO it maps and writes, and (where VMX runs) a guest whose two
 * VCPUs spin on two threads, then keeps queueing packets and writing the
 * VMO until it dies.  Some children are killed once they are running,
 * others wherever they are (often still creating objects or VCPUs).
 *
 * Test                        What it proves
 * --------------------------  --------------------------------------------------
 * storm                       every child dies of SIGKILL and is reaped; afterwards
 *                             the module's reference count is back where it was (no
 *                             object outlives its process) and VMX is released
 * unload_refused_while_live   delete_module() fails (EWOULDBLOCK or EBUSY) while a
 *                             process holds a guest (or a VMO mapping); once it is
 *                             killed the count comes back
 *
 * The unload itself, and kmemleak's scan after it, happen when tools/vmrun
 * ends the boot (rmmod must succeed; the QEMU debug boot scans for leaks).
 * Environment: ZXHV_STORM_ROUNDS (default 30, 8 in Bochs), ZXHV_STORM_SECONDS
 * (no new round after that many seconds; 0: no limit), ZXHV_STORM_SEED.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "vcpu_guest.h"
#include "vcpu_vm.h"

#define CHILDREN	3

static long module_refcnt(void)
{
	long n = -1;
	FILE *f = fopen("/sys/module/zircon_hv/refcnt", "re");

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Polls (up to ~5 s) until the module's count is @want again. */
static bool refcnt_back(long want)
{
	for (int i = 0; i < 250; i++) {
		if (module_refcnt() == want)
			return true;
		sleep_ms(20);
	}
	return false;
}

static void *spin_vcpu(void *arg)
{
	struct vm *vm = arg;
	zx_handle_t vcpu;
	zx_port_packet_t pkt;

	if (zx_vcpu_create(vm->guest, 0, GPA_CODE, &vcpu) != ZX_OK)
		_exit(3);
	for (;;)
		zx_vcpu_enter(vcpu, &pkt);
	return NULL;
}

/* A storm child: objects, then busy until the SIGKILL. */
static void storm_child(int fd, bool vmx)
{
	zx_handle_t port, vmo, root = zx_vmar_root_self();
	zx_port_packet_t pkt = { .key = 1, .type = ZX_PKT_TYPE_USER };
	struct vm vm;
	pthread_t th[2];
	zx_vaddr_t addr;

	if (zx_port_create(0, &port) != ZX_OK || zx_vmo_create(1 << 20, 0, &vmo) != ZX_OK ||
	    zx_vmar_map(root, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0, 1 << 20,
			&addr) != ZX_OK)
		_exit(2);
	memset((void *)addr, 0x5a, 1 << 20);
	if (vmx) {
		if (vm_create(&vm, g_spin, g_spin_end) != ZX_OK)
			_exit(4);
		for (int i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, spin_vcpu, &vm);
	}
	if (write(fd, "r", 1) != 1)
		_exit(5);
	for (uint64_t i = 0;; i++) {
		if (zx_port_queue(port, &pkt) != ZX_OK)
			zx_port_wait(port, 0, &pkt);
		zx_vmo_write(vmo, &i, (i * 4096) % (1 << 20), sizeof(i));
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

FIXTURE(storm) {
	long base;
	bool vmx;
};

FIXTURE_SETUP(storm)
{
	zxhv_vmx_probe_t p;

	/* This process's own table first, so that the count includes it. */
	zxhv_vmx_probe(&p);
	self->vmx = have_vmx();
	self->base = module_refcnt();
	ASSERT_LE(0, self->base);
}

FIXTURE_TEARDOWN(storm)
{
}

TEST_F_TIMEOUT(storm, storm, 14400)
{
	const char *secs_env = getenv("ZXHV_STORM_SECONDS");
	time_t end = secs_env && atol(secs_env) ? time(NULL) + atol(secs_env) : 0;
	const char *e = getenv("ZXHV_STORM_ROUNDS"), *vm = getenv("ZXHV_VM");
	int rounds = e ? atoi(e) : vm && !strcmp(vm, "bochs") ? 8 : 30;
	uint64_t seed = getenv("ZXHV_STORM_SEED") ? strtoull(getenv("ZXHV_STORM_SEED"), NULL, 0) : 1;
	int killed = 0, early = 0;

	for (int r = 0; r < rounds; r++) {
		pid_t pid[CHILDREN];

		if (end && time(NULL) >= end) {
			rounds = r;
			break;
		}
		int fds[CHILDREN][2];

		for (int c = 0; c < CHILDREN; c++) {
			ASSERT_EQ(0, pipe(fds[c]));
			pid[c] = fork();
			ASSERT_LE(0, pid[c]);
			if (pid[c] == 0) {
				close(fds[c][0]);
				storm_child(fds[c][1], self->vmx);
			}
			close(fds[c][1]);
		}
		for (int c = 0; c < CHILDREN; c++) {
			uint64_t x = rnd(&seed) + 1;
			int status;
			char ch;

			seed = x;
			if (x % 4) {
				/* Running: wait until it said so, then a little more. */
				if (read(fds[c][0], &ch, 1) != 1) {
					waitpid(pid[c], &status, 0);
					TH_LOG("round %d: child exited %#x before running", r, status);
					ASSERT_TRUE(false);
				}
				sleep_ms((long)(x >> 8) % 30);
			} else {
				early++;
				sleep_ms((long)(x >> 8) % 3);
			}
			kill(pid[c], SIGKILL);
			ASSERT_EQ(pid[c], waitpid(pid[c], &status, 0));
			if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
				TH_LOG("round %d: child status %#x", r, status);
			ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
			close(fds[c][0]);
			killed++;
		}
	}
	printf("# storm: %d rounds, %d children killed (%d at a random point), guests %s\n",
	       rounds, killed, early, self->vmx ? "on" : "off (no VMX)");
	EXPECT_TRUE(refcnt_back(self->base));
	if (self->vmx)
		EXPECT_TRUE(vmx_released(250));
}

static void live_child(int fd, void *arg)
{
	storm_child(fd, *(bool *)arg);
}

TEST_F_TIMEOUT(storm, unload_refused_while_live, 600)
{
	int fds[2], status;
	pid_t pid;
	char ch;
	long ret;

	if (geteuid() != 0)
		SKIP(return, "delete_module needs root");
	ASSERT_EQ(0, pipe(fds));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(fds[0]);
		live_child(fds[1], &self->vmx);
	}
	close(fds[1]);
	ASSERT_EQ(1, read(fds[0], &ch, 1));
	ret = syscall(SYS_delete_module, "zircon_hv", O_NONBLOCK);
	if (ret == 0)
		TH_LOG("the module unloaded while a process held its objects");
	ASSERT_EQ(-1, ret);
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY);
	EXPECT_LT(self->base, module_refcnt());
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(fds[0]);
	EXPECT_TRUE(refcnt_back(self->base));
	if (self->vmx)
		EXPECT_TRUE(vmx_released(250));
}

TEST_HARNESS_MAIN
