// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of the console (vmm/console.c) with the UART (uart.c) and
 * virtio-console (virtio_console.c, behind the fake transport of
 * fake-dev.c).  Each case forks a child that starts the console as
 * zxhv-vmm does.
 *
 * Output: the child hands bytes one at a time to console_output() as the
 * UART does, and ends; the parent reads the child's stdout through a pipe.
 * Checks that every byte arrives in order, that the bytes go out in few
 * write()s (the child's own count of write system calls, /proc/self/io),
 * and that a SIGTERM from outside still lets the buffered bytes out before
 * the child dies of it.
 *
 * Input: the child's stdin is a new pseudo-terminal, which the console puts
 * in raw mode; the parent types there, to a guest that takes no input (the
 * UART's receive interrupt off, or hvc0 without receive buffers), more or
 * less than the 4 KiB backlog, then Ctrl-A h and Ctrl-A x.  The child must
 * see the VM end within INPUT_WAIT_S; then the guest makes room (enables
 * the UART's receive interrupt and reads RBR, or posts receive buffers) and
 * must get what was typed, in order, up to the backlog.
 *
 * Prints TAP.  make -C vmm test runs it.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake-dev.h"
#include "tap.h"

static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cond = PTHREAD_COND_INITIALIZER;
static enum vmm_exit stopped;

/* What the console and the UART call elsewhere in zxhv-vmm. */
void vmm_stop(struct vmm *vm, enum vmm_exit why, const char *fmt, ...)
{
	(void)vm;
	(void)fmt;
	pthread_mutex_lock(&stop_lock);
	stopped = why;
	pthread_cond_broadcast(&stop_cond);
	pthread_mutex_unlock(&stop_lock);
}

void ioapic_raise(struct vmm *vm, unsigned int gsi)
{
	(void)vm;
	(void)gsi;
}

#define BYTES		20000
#define MAX_WRITES	200	/* one per byte would be 20,000 */

static uint8_t pattern(unsigned int i)
{
	return (uint8_t)('a' + i % 26);
}

static long write_calls(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "syscw: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The child: BYTES bytes, then the end (flush, exit 0) or a SIGTERM. */
static void child(int fd, bool sigterm)
{
	static struct vmm vm;
	long before, after;

	dup2(fd, STDOUT_FILENO);
	console_init();
	console_start(&vm);
	before = write_calls();
	for (unsigned int i = 0; i < BYTES; i++)
		console_output(pattern(i));
	if (sigterm) {
		kill(getpid(), SIGTERM);
		for (;;)
			pause();
	}
	console_flush();
	after = write_calls();
	fprintf(stderr, "console-test: %ld write calls for %d bytes\n", after - before, BYTES);
	_exit(before < 0 || after - before > MAX_WRITES ? 3 : 0);
}

/* Runs one child; true if its output was whole and in order. */
static bool run(bool sigterm, int *status)
{
	static uint8_t buf[BYTES + 1];
	size_t got = 0;
	int fds[2];
	pid_t pid;
	ssize_t r;

	if (pipe(fds))
		return false;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], sigterm);
	}
	close(fds[1]);
	while ((r = read(fds[0], buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)r;
	close(fds[0]);
	waitpid(pid, status, 0);
	if (got != BYTES)
		return false;
	for (unsigned int i = 0; i < BYTES; i++)
		if (buf[i] != pattern(i))
			return false;
	return true;
}

/* --- input ------------------------------------------------------------------ */

#define BACKLOG		4096	/* uart.c's QUEUE_SIZE, virtio_console.c's INPUT_SIZE */
#define INPUT_WAIT_S	10
#define CTRL_A		"\x01"
#define STUCK		3	/* the child's status: the VM did not end */
#define WRONG		4	/* the child's status: the guest got other bytes */

/* Waits up to INPUT_WAIT_S for Ctrl-A x's vmm_stop(). */
static bool quit_seen(void)
{
	struct timespec until;
	bool quit;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += INPUT_WAIT_S;
	pthread_mutex_lock(&stop_lock);
	while (stopped != VMM_QUIT &&
	       pthread_cond_timedwait(&stop_cond, &stop_lock, &until) == 0)
		;
	quit = stopped == VMM_QUIT;
	pthread_mutex_unlock(&stop_lock);
	return quit;
}

/* The guest opens COM1 (OUT2, receive interrupt) and reads RBR while LSR says data ready. */
static size_t uart_take(uint8_t *buf, size_t max)
{
	size_t n = 0;

	uart_write(4, 0x08);
	uart_write(1, 0x01);
	while (n < max && (uart_read(5) & 0x01))
		buf[n++] = uart_read(0);
	return n;
}

/* The guest posts three 4 KiB receive buffers on hvc0's queue 0; the bytes it gets back. */
static size_t virtio_take(struct virtio_dev *d, uint8_t *buf, size_t max)
{
	uint64_t used = fake_qbase(0) + 0x800;
	uint16_t idx;
	size_t n = 0;

	fake_queues_ready(d, false, false);
	for (uint16_t i = 0; i < 3; i++) {
		fake_put_desc(fake_qbase(0), i, FAKE_DATA_BASE + 4096u * i, 4096,
			      VRING_DESC_F_WRITE, 0);
		fake_offer(0, i);
	}
	d->ops->notify(d, -1);
	memcpy(&idx, fake_ram + used + 2, 2);
	for (uint16_t i = 0; i < idx && i < 3; i++) {
		uint32_t id, len;

		memcpy(&id, fake_ram + used + 4 + 8 * i, 4);
		memcpy(&len, fake_ram + used + 8 + 8 * i, 4);
		if (id >= 3 || len > 4096 || n + len > max)
			return 0;
		memcpy(buf + n, fake_ram + FAKE_DATA_BASE + 4096u * id, len);
		n += len;
	}
	return n;
}

/* The child: the console on the terminal slave; after Ctrl-A x, the guest takes its input. */
static void input_child(int slave, int out, int ready, bool virtio, size_t typed)
{
	static struct vmm vm;
	static uint8_t got[3 * 4096];
	size_t want = typed < BACKLOG ? typed : BACKLOG, n;

	dup2(slave, STDIN_FILENO);
	dup2(out, STDOUT_FILENO);
	dup2(out, STDERR_FILENO);
	vm.cfg.console_virtio = virtio;
	console_init();
	uart_init(&vm);
	if (virtio) {
		fake_ram_init();
		virtio_console_add(&vm);
	}
	console_start(&vm);
	if (write(ready, "r", 1) != 1 || !quit_seen())
		_exit(STUCK);
	n = virtio ? virtio_take(fake_added, got, sizeof(got)) : uart_take(got, sizeof(got));
	console_report();
	if (n != want)
		_exit(WRONG);
	for (size_t i = 0; i < n; i++)
		if (got[i] != pattern((unsigned int)i))
			_exit(WRONG);
	_exit(0);
}

/* Writes all of buf to the nonblocking fd, giving up at the deadline. */
static void type_all(int fd, const uint8_t *buf, size_t len, time_t deadline)
{
	while (len && time(NULL) < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t w;

		poll(&p, 1, 100);
		w = write(fd, buf, len);
		if (w > 0) {
			buf += w;
			len -= (size_t)w;
		}
	}
}

/*
 * Types typed bytes, Ctrl-A h and Ctrl-A x into a child's terminal; returns
 * the child's exit status (-1 if it could not run) and its stdout+stderr in out.
 */
static int run_input(bool virtio, size_t typed, char *out, size_t out_len)
{
	static uint8_t keys[8192];
	int master, slave, sync[2], res[2], status;
	size_t got = 0;
	char c;
	pid_t pid;
	ssize_t r;

	master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (master < 0 || grantpt(master) || unlockpt(master) ||
	    (slave = open(ptsname(master), O_RDWR | O_NOCTTY)) < 0 || pipe(sync) || pipe(res))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(master);
		close(sync[0]);
		close(res[0]);
		input_child(slave, res[1], sync[1], virtio, typed);
	}
	close(slave);
	close(sync[1]);
	close(res[1]);
	if (read(sync[0], &c, 1) == 1) {	/* the terminal is raw now */
		for (size_t i = 0; i < typed; i++)
			keys[i] = pattern((unsigned int)i);
		memcpy(keys + typed, CTRL_A "h" CTRL_A "x", 4);
		type_all(master, keys, typed + 4, time(NULL) + INPUT_WAIT_S);
	}
	while (got + 1 < out_len && (r = read(res[0], out + got, out_len - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = 0;
	waitpid(pid, &status, 0);
	close(master);
	close(sync[0]);
	close(res[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void input_cases(bool virtio)
{
	char out[4096], what[200];
	const char *dev = virtio ? "hvc0" : "COM1";
	int st;

	st = run_input(virtio, 5000, out, sizeof(out));
	snprintf(what, sizeof(what), "%s: 5000 bytes typed to a guest that takes none, then "
		 "Ctrl-A h and Ctrl-A x: the help is printed and the VM ends", dev);
	tap_ok(st != STUCK && st >= 0 && strstr(out, "Ctrl-A x       end the VM"), what);
	snprintf(what, sizeof(what), "%s: then the guest gets the first 4096 in order, "
		 "904 dropped and counted at exit", dev);
	tap_ok(st == 0 && strstr(out, "console: 904 typed bytes dropped"), what);
	st = run_input(virtio, 3000, out, sizeof(out));
	snprintf(what, sizeof(what), "%s: 3000 bytes (under the backlog) all reach the guest "
		 "in order once it takes input, none dropped", dev);
	tap_ok(st == 0 && !strstr(out, "dropped"), what);
}

int main(void)
{
	int status = 0;
	bool whole;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..9\n");
	whole = run(false, &status);
	tap_ok(whole, "every byte reaches stdout, in order, by console_flush()");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "in at most 200 write()s for 20,000 bytes");
	whole = run(true, &status);
	tap_ok(whole && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	       "a SIGTERM lets the buffered bytes out, then the VMM dies of it");
	input_cases(false);
	input_cases(true);
	return tap_status();
}
