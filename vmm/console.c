// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host side of the guest's serial console.
 *
 * A terminal on stdin goes to raw mode for the VM's lifetime, so every key
 * (Ctrl-C, Ctrl-Z, Ctrl-\ included) goes to the guest.  The saved settings
 * are put back on every way out: the normal end (vcpu_run_vm), exit() after
 * a failure (atexit), and the signals that end a process by default and can
 * be caught (SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE): the handler restores
 * the terminal and re-raises the signal, so the caller still sees the VMM
 * die of it.  tcsetattr() is async-signal-safe.
 *
 * Escapes, as in QEMU's -nographic: Ctrl-A x ends the VM (status 0,
 * "terminated by Ctrl-A x" on stderr), Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A h
 * prints the list; any other key after Ctrl-A is dropped.
 *
 * Input that is not a terminal (a pipe, a file) is fed to the guest byte by
 * byte as typed input, with no escapes; at its end the guest simply sees no
 * more input.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "virtio.h"

#define CTRL_A	0x01

static struct termios saved;
static volatile sig_atomic_t raw;

static const int fatal_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE };

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

static void on_signal(int sig)
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

/* A key for the guest: to hvc0 with --console virtio, else to the UART. */
static void console_key(struct vmm *vm, uint8_t c)
{
	if (vm->cfg.console_virtio)
		virtio_console_receive(c);
	else
		uart_receive(c);
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

void console_start(struct vmm *vm)
{
	pthread_t t;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t_raw = saved;
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigfillset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
			struct sigaction old;

			/* A signal the caller ignores (nohup) stays ignored. */
			if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
				continue;
			sigaction(fatal_signals[i], &sa, NULL);
		}
		atexit(console_restore);
		cfmakeraw(&t_raw);	/* the guest's tty sends \r\n itself */
		raw = 1;		/* before the change: a signal during it restores */
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t_raw) != 0)
			raw = 0;
	}
	if (pthread_create(&t, NULL, reader, vm) == 0)
		pthread_detach(t);
}
