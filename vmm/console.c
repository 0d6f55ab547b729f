// SPDX-License-Identifier: BSD-2-Clause
/*
 * The host side of the guest's serial console.  A terminal on stdin goes to
 * raw mode for the VM's lifetime (restored at exit, on every path: normal
 * exit, fatal signals); Ctrl-A x ends the VM and Ctrl-A Ctrl-A sends one
 * Ctrl-A, as in QEMU.  Input that is not a terminal (a pipe, a file) is fed
 * to the guest byte by byte as typed input; at its end the guest simply sees
 * no more input.
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
static bool raw;

void console_restore(void)
{
	if (raw) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		raw = false;
	}
}

static void on_signal(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
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
				if (c == 'x' || c == 'X') {
					vmm_stop(vm, VMM_QUIT, "terminated by Ctrl-A x");
					return NULL;
				}
				if (c != CTRL_A)
					continue;
			} else if (raw && c == CTRL_A) {
				escape = true;
				continue;
			}
			if (vm->cfg.console_virtio)
				virtio_console_receive(c);
			else
				uart_receive(c);
		}
	}
}

void console_start(struct vmm *vm)
{
	pthread_t t;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		struct termios t_raw = saved;

		cfmakeraw(&t_raw);	/* the guest's tty sends \r\n itself */
		if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t_raw) == 0) {
			raw = true;
			atexit(console_restore);
			signal(SIGINT, on_signal);
			signal(SIGTERM, on_signal);
			signal(SIGHUP, on_signal);
			signal(SIGQUIT, on_signal);
		}
	}
	if (pthread_create(&t, NULL, reader, vm) == 0)
		pthread_detach(t);
}
