// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv-ptyrun: run a command on a new pseudo-terminal, as its controlling
 * terminal, type into it by script, and check that it leaves the terminal's
 * settings as it found them.  Used by scripts/guest/vmm-tests.sh to test
 * zxhv-vmm's interactive console.
 *
 *   zxhv-ptyrun [-t SECONDS] STEP... -- COMMAND [ARG]...
 *
 * STEPs run in order:
 *   -w TEXT     wait until the output (after the previous match) holds TEXT
 *   -s BYTES    type BYTES (C escapes: \r \n \t \\ \xNN); first samples the
 *               terminal's settings: raw means no ICANON, ECHO, ISIG or IXON
 *   -k SIGNAL   send signal number SIGNAL to the command
 * then it waits for the command to end.  -t bounds the whole run (default
 * 600 s); on timeout the command is killed with SIGKILL.
 *
 * The command's output (stdout and stderr share the terminal) is copied to
 * stdout.  The summary goes to stderr, one fact per line:
 *   ptyrun: raw at every -s: yes|no|none typed
 *   ptyrun: exit N  |  ptyrun: signal N  |  ptyrun: timeout waiting for 'TEXT'
 *   ptyrun: termios restored  |  ptyrun: termios changed: FIELD old -> new...
 * Exit status: 0 when every step ran, the command ended and the terminal's
 * settings equal those before it started; 1 otherwise; 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct step {
	char kind;		/* 'w', 's' or 'k' */
	char *arg;
	size_t len;		/* of arg after unescaping (-s) */
};

static char *out;		/* everything the command wrote */
static size_t out_len, out_cap, matched;	/* matched: where the next -w searches */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t unescape(char *s)
{
	char *d = s, *p = s;

	while (*p) {
		if (*p != '\\' || !p[1]) {
			*d++ = *p++;
			continue;
		}
		p++;
		switch (*p) {
		case 'r': *d++ = '\r'; p++; break;
		case 'n': *d++ = '\n'; p++; break;
		case 't': *d++ = '\t'; p++; break;
		case 'x': {
			char hex[3] = { 0 };

			if (p[1] && p[2]) {
				hex[0] = p[1];
				hex[1] = p[2];
				*d++ = (char)strtoul(hex, NULL, 16);
				p += 3;
			} else {
				*d++ = *p++;
			}
			break;
		}
		default: *d++ = *p++; break;
		}
	}
	return (size_t)(d - s);
}

/* Reads what the command wrote (waiting up to @ms); false once it is gone. */
static bool pump(int master, int ms)
{
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return true;
	n = read(master, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	if (out_len + (size_t)n + 1 > out_cap) {
		out_cap = (out_len + (size_t)n + 1) * 2;
		out = realloc(out, out_cap);
		if (!out) {
			perror("zxhv-ptyrun");
			exit(1);
		}
	}
	memcpy(out + out_len, buf, (size_t)n);
	out_len += (size_t)n;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	return true;
}

static bool is_raw(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0 && !(t.c_lflag & (ICANON | ECHO | ISIG)) &&
	       !(t.c_iflag & IXON);
}

static bool same_termios(const struct termios *a, const struct termios *b)
{
	bool same = true;

#define CMP(f) do { if (a->f != b->f) { \
	fprintf(stderr, "ptyrun: termios changed: " #f " %#lx -> %#lx\n", \
		(unsigned long)a->f, (unsigned long)b->f); same = false; } } while (0)
	CMP(c_iflag);
	CMP(c_oflag);
	CMP(c_cflag);
	CMP(c_lflag);
#undef CMP
	if (memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc))) {
		fprintf(stderr, "ptyrun: termios changed: c_cc\n");
		same = false;
	}
	if (cfgetispeed(a) != cfgetispeed(b) || cfgetospeed(a) != cfgetospeed(b)) {
		fprintf(stderr, "ptyrun: termios changed: speed\n");
		same = false;
	}
	return same;
}

static void usage(void)
{
	fprintf(stderr, "usage: zxhv-ptyrun [-t SECONDS] [-w TEXT | -s BYTES | -k SIGNAL]... "
		"-- COMMAND [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct step *steps = calloc((size_t)argc, sizeof(*steps));
	unsigned int nsteps = 0, done = 0;
	double deadline, timeout = 600;
	struct termios before, after;
	bool raw_always = true, typed = false, ok = true, ended = false;
	int master, slave, status = 0, i;
	const char *step_failed = NULL;
	pid_t pid;

	if (!steps)
		return 1;
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (i + 1 >= argc || argv[i][0] != '-' || !strchr("wskt", argv[i][1]) || argv[i][2])
			usage();
		if (argv[i][1] == 't') {
			timeout = atof(argv[++i]);
			continue;
		}
		steps[nsteps].kind = argv[i][1];
		steps[nsteps].arg = argv[++i];
		if (steps[nsteps].kind == 's')
			steps[nsteps].len = unescape(steps[nsteps].arg);
		nsteps++;
	}
	if (i + 1 >= argc)
		usage();

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		perror("zxhv-ptyrun: posix_openpt");
		return 1;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0 || tcgetattr(slave, &before)) {
		perror("zxhv-ptyrun: the pty's slave");
		return 1;
	}
	fcntl(master, F_SETFL, O_NONBLOCK);

	pid = fork();
	if (pid < 0) {
		perror("zxhv-ptyrun: fork");
		return 1;
	}
	if (pid == 0) {
		/* A new session whose controlling terminal is the pty. */
		if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
			perror("zxhv-ptyrun: setsid/TIOCSCTTY");
			_exit(127);
		}
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		if (slave > 2)
			close(slave);
		execvp(argv[i + 1], argv + i + 1);
		perror("zxhv-ptyrun: exec");
		_exit(127);
	}

	deadline = now() + timeout;
	while (!ended) {
		pid_t w;

		if (now() > deadline) {
			step_failed = done < nsteps ? steps[done].arg : "the command's end";
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (done < nsteps) {
			struct step *s = &steps[done];

			if (s->kind == 'w') {
				char *hit = out_len > matched ?
					    memmem(out + matched, out_len - matched, s->arg,
						   strlen(s->arg)) : NULL;

				if (hit) {
					matched = (size_t)(hit - out) + strlen(s->arg);
					done++;
					continue;
				}
			} else if (s->kind == 's') {
				raw_always &= is_raw(slave);
				typed = true;
				if (write(master, s->arg, s->len) != (ssize_t)s->len) {
					perror("zxhv-ptyrun: write");
					ok = false;
				}
				done++;
				continue;
			} else {
				kill(pid, atoi(s->arg));
				done++;
				continue;
			}
		}
		pump(master, 100);
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			ended = true;
	}
	/* What it wrote last: the slave is still open here, so read until empty. */
	for (;;) {
		size_t before_len = out_len;

		pump(master, 200);
		if (out_len == before_len)
			break;
	}
	fflush(stdout);
	/* Waits left when the command ended may match its last words. */
	for (; ended && done < nsteps; done++) {
		struct step *s = &steps[done];
		char *hit = s->kind == 'w' && out_len > matched ?
			    memmem(out + matched, out_len - matched, s->arg, strlen(s->arg)) : NULL;

		if (!hit) {
			step_failed = s->arg;
			break;
		}
		matched = (size_t)(hit - out) + strlen(s->arg);
	}

	fprintf(stderr, "ptyrun: raw at every -s: %s\n", !typed ? "none typed" :
		raw_always ? "yes" : "no");
	if (step_failed) {
		fprintf(stderr, "ptyrun: %s waiting for '%s'\n", ended ? "ended" : "timeout",
			step_failed);
		ok = false;
	}
	if (WIFEXITED(status))
		fprintf(stderr, "ptyrun: exit %d\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fprintf(stderr, "ptyrun: signal %d\n", WTERMSIG(status));
	if (tcgetattr(slave, &after)) {
		perror("zxhv-ptyrun: tcgetattr");
		ok = false;
	} else if (same_termios(&before, &after)) {
		fprintf(stderr, "ptyrun: termios restored\n");
	} else {
		ok = false;
	}
	return ok ? 0 : 1;
}
