// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of the console's output buffer (vmm/console.c): each case
 * forks a child that starts the console as zxhv-vmm does, hands it bytes
 * one at a time as the UART does, and ends; the parent reads the child's
 * stdout through a pipe.  Checks that every byte arrives in order, that
 * the bytes go out in few write()s (the child's own count of write system
 * calls, /proc/self/io), and that a SIGTERM from outside still lets the
 * buffered bytes out before the child dies of it.  Prints TAP.  make -C vmm
 * test runs it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../virtio.h"
#include "tap.h"

/* What console.c calls elsewhere in zxhv-vmm: unused by output. */
void uart_receive(uint8_t byte)
{
	(void)byte;
}

void virtio_console_receive(uint8_t byte)
{
	(void)byte;
}

void vmm_stop(struct vmm *vm, enum vmm_exit why, const char *fmt, ...)
{
	(void)vm;
	(void)why;
	(void)fmt;
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

int main(void)
{
	int status = 0;
	bool whole;

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("TAP version 13\n1..3\n");
	whole = run(false, &status);
	tap_ok(whole, "every byte reaches stdout, in order, by console_flush()");
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "in at most 200 write()s for 20,000 bytes");
	whole = run(true, &status);
	tap_ok(whole && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	       "a SIGTERM lets the buffered bytes out, then the VMM dies of it");
	return tap_status();
}
