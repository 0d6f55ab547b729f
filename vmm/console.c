// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host side of the guest's serial console.
 *
 * A terminal on stdin goes to raw mode for the VM's lifetime, so every key
 * (Ctrl-C, Ctrl-Z, Ctrl-\ included) goes to the guest.  The saved settings
 * are put back on every way out: the normal end (vcpu_run_vm), exit() after
 * a failure (atexit), and the signals that end a process by default and can
 * be caught.  SIGHUP, SIGINT, SIGQUIT and SIGTERM (unless the caller ignores
 * them) are blocked in every thread from the start of main() and taken by
 * one thread in sigwait(), which writes out the guest's buffered output
 * (waiting at most SIGNAL_FLUSH_NS for a stuck stdout), restores the
 * terminal and re-raises the signal, so the caller still sees the VMM die of
 * it.  SIGPIPE is raised in the thread whose write() failed, so on a
 * terminal a handler restores it and re-raises (tcsetattr() is
 * async-signal-safe); its output had nowhere to go.
 *
 * Escapes, as in QEMU's -nographic: Ctrl-A x ends the VM (status 0,
 * "terminated by Ctrl-A x" on stderr), Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h
 * prints the list; any other key after Ctrl-A is dropped.
 *
 * The guest may take no input for ever (the UART's receive interrupt never
 * enabled, hvc0 without receive buffers, its device in NEEDS_RESET).  What
 * it has not taken waits in the device's queue, the backlog (4 KiB, handed
 * over as soon as the guest makes room); from a terminal the reader never
 * waits for room, so that the escapes are always read: a key that finds
 * the backlog full is dropped and counted (console_report() at exit).
 *
 * Input that is not a terminal (a pipe, a file) is fed to the guest byte by
 * byte as typed input, with no escapes; the reader waits while the backlog
 * is full, so none of it is lost; at its end the guest simply sees no more
 * input.
 *
 * Output: the UART hands over one byte per THR write, and a write() per byte
 * (plus, on a busy host, a wake-up of whoever reads our stdout per byte) was
 * the largest single cost of a Linux boot's console.  Bytes go into a buffer
 * that a writer thread empties with one write() at most OUTPUT_DELAY_NS after
 * the first byte of a batch (a line, or the rest of one, arrives meanwhile),
 * or at once when the buffer fills; a full buffer makes the VCPU wait, as a
 * blocked write() did.  console_flush() empties it before the VMM reports how
 * the VM ended, so the guest's last words come before ours; the signal
 * thread (above) empties it before the VMM dies of a signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "virtio.h"

#define CTRL_A	0x01

static struct termios saved;
static volatile sig_atomic_t raw;

static const int waited_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM };
static sigset_t waited;			/* those of them the caller does not ignore */

static const char help_text[] =
	"\r\nzxhv-vmm console escapes:\r\n"
	"  Ctrl-A h       print this help\r\n"
	"  Ctrl-A x       end the VM (exit status 0)\r\n"
	"  Ctrl-A Ctrl-A  send Ctrl-A to the guest\r\n";

void console_restore(void)
{
	if (raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw = 0;
	}
}

/* Restores the terminal and dies of @sig (also SIGPIPE's handler). */
static void die_of(int sig)
{
	struct sigaction dfl;
	sigset_t set;

	console_restore();
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

#define OUTPUT_SIZE	4096
#define OUTPUT_DELAY_NS	1000000		/* 1 ms: unnoticeable at a prompt */
#define SIGNAL_FLUSH_NS	200000000	/* 200 ms */

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* to the writer: a batch began, or flush */
	pthread_cond_t room;		/* to producers and flushers: written */
	uint8_t buf[OUTPUT_SIZE];
	size_t len;
	bool writing;			/* the writer holds bytes taken from buf */
	bool flush;			/* console_flush() waits: write without delay */
} out = {
	.lock = PTHREAD_MUTEX_INITIALIZER,	/* the conditions: console_init() */
};

void console_output(uint8_t b)
{
	pthread_mutex_lock(&out.lock);
	while (out.len == OUTPUT_SIZE)
		pthread_cond_wait(&out.room, &out.lock);
	out.buf[out.len++] = b;
	if (out.len == 1 || out.len == OUTPUT_SIZE)
		pthread_cond_signal(&out.wake);
	pthread_mutex_unlock(&out.lock);
}

static void deadline_in(struct timespec *t, long ns)
{
	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

/* Waits until everything written so far is out, or @ns (0: no limit). */
static void flush_within(long ns)
{
	struct timespec until;

	deadline_in(&until, ns);
	pthread_mutex_lock(&out.lock);
	out.flush = true;
	pthread_cond_signal(&out.wake);
	while (out.len || out.writing) {
		if (!ns)
			pthread_cond_wait(&out.room, &out.lock);
		else if (pthread_cond_timedwait(&out.room, &out.lock, &until) == ETIMEDOUT)
			break;
	}
	out.flush = false;
	pthread_mutex_unlock(&out.lock);
}

void console_flush(void)
{
	flush_within(0);
}

static void *writer(void *arg)
{
	static uint8_t batch[OUTPUT_SIZE];

	(void)arg;
	pthread_mutex_lock(&out.lock);
	for (;;) {
		struct timespec until;
		size_t n;

		while (!out.len)
			pthread_cond_wait(&out.wake, &out.lock);
		deadline_in(&until, OUTPUT_DELAY_NS);
		while (out.len < OUTPUT_SIZE && !out.flush &&
		       pthread_cond_timedwait(&out.wake, &out.lock, &until) != ETIMEDOUT)
			;
		n = out.len;
		memcpy(batch, out.buf, n);
		out.len = 0;
		out.writing = true;
		pthread_cond_broadcast(&out.room);
		pthread_mutex_unlock(&out.lock);
		write_all(STDOUT_FILENO, (const char *)batch, n);
		pthread_mutex_lock(&out.lock);
		out.writing = false;
		pthread_cond_broadcast(&out.room);
	}
	return NULL;
}

static unsigned long dropped;		/* keys that found the backlog full */

/* A key for the guest: to hvc0 with --console virtio, else to the UART (see the top). */
static void console_key(struct vmm *vm, uint8_t c)
{
	bool wait = !raw;

	if (!(vm->cfg.console_virtio ? virtio_console_receive(c, wait) : uart_receive(c, wait)))
		__atomic_fetch_add(&dropped, 1, __ATOMIC_RELAXED);
}

void console_report(void)
{
	unsigned long n = __atomic_load_n(&dropped, __ATOMIC_RELAXED);

	if (n)
		fprintf(stderr, "zxhv-vmm: console: %lu typed bytes dropped: the guest did not "
			"take its input\n", n);
}

/* Handles the key after Ctrl-A; false when the VM is to end. */
static bool escape_key(struct vmm *vm, uint8_t c)
{
	switch (c) {
	case 'x':
	case 'X':
		vmm_stop(vm, VMM_QUIT, "terminated by Ctrl-A x");
		return false;
	case 'h':
	case 'H':
	case '?':
		write_all(STDOUT_FILENO, help_text, sizeof(help_text) - 1);
		break;
	case CTRL_A:
		console_key(vm, CTRL_A);
		break;
	default:
		break;
	}
	return true;
}

static void *reader(void *arg)
{
	struct vmm *vm = arg;
	bool escape = false;

	for (;;) {
		uint8_t buf[256];
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		for (ssize_t i = 0; i < n; i++) {
			uint8_t c = buf[i];

			if (raw && escape) {
				escape = false;
				if (!escape_key(vm, c))
					return NULL;
			} else if (raw && c == CTRL_A) {
				escape = true;
			} else {
				console_key(vm, c);
			}
		}
	}
}

static void start_thread(void *(*fn)(void *), const char *what)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, NULL) != 0) {
		fprintf(stderr, "zxhv-vmm: cannot start the console's %s thread\n", what);
		exit(EXIT_VM_FAILURE);
	}
	pthread_detach(t);
}

void console_start(struct vmm *vm)
{
	pthread_t t;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t_raw = saved;
		struct sigaction sa, old;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = die_of;
		sigfillset(&sa.sa_mask);
		/* A signal the caller ignores stays ignored. */
		if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(SIGPIPE, &sa, NULL);
		atexit(console_restore);
		cfmakeraw(&t_raw);	/* the guest's tty sends \r\n itself */
		raw = 1;		/* before the change: a signal during it restores */
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t_raw) != 0)
			raw = 0;
	}
	if (pthread_create(&t, NULL, reader, vm) == 0)
		pthread_detach(t);
	start_thread(writer, "writer");
}

/* The thread that takes SIGHUP, SIGINT, SIGQUIT and SIGTERM (see the top). */
static void *signal_waiter(void *arg)
{
	int sig;

	(void)arg;
	while (sigwait(&waited, &sig) != 0)
		;
	flush_within(SIGNAL_FLUSH_NS);
	die_of(sig);
	return NULL;
}

void console_init(void)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&out.wake, &ca);
	pthread_cond_init(&out.room, &ca);
	pthread_condattr_destroy(&ca);
	sigemptyset(&waited);
	for (size_t i = 0; i < sizeof(waited_signals) / sizeof(waited_signals[0]); i++) {
		struct sigaction old;

		if (sigaction(waited_signals[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaddset(&waited, waited_signals[i]);
	}
	/* Before any other thread exists: every thread inherits the mask. */
	pthread_sigmask(SIG_BLOCK, &waited, NULL);
	start_thread(signal_waiter, "signal");
}
