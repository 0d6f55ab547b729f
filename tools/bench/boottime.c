// SPDX-License-Identifier: GPL-2.0-only
/*
 * boottime: how long a VMM takes to boot a guest to its init and to exit.
 *
 *   boottime [-m MARKER] [-o OUTFILE] [-t SECONDS] -- COMMAND [ARG]...
 *
 * Runs COMMAND (a VMM) with stdin from /dev/null and its stdout on a pipe
 * (the guest's console), stderr inherited.  Timestamps, with
 * CLOCK_MONOTONIC and the TSC, taken just before the fork:
 *   init  the read() that returned the first byte of MARKER (default
 *         ZXHV-BENCH-INIT), the first line the guest's init prints;
 *   exit  waitpid() returning, after the console pipe reached end of file.
 * Prints one line:
 *   boottime INIT_NS EXIT_NS INIT_TICKS EXIT_TICKS STATUS
 * STATUS is the command's exit status (128+N for signal N).  INIT_NS and
 * INIT_TICKS are -1 when MARKER never came.  The console goes to OUTFILE if
 * given.  After SECONDS (default 600) the command is killed (SIGKILL) and
 * boottime fails.  Exit status: 0 when the marker came and the command
 * exited 0, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: boottime [-m MARKER] [-o OUTFILE] [-t SECONDS] -- COMMAND [ARG]...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *marker = "ZXHV-BENCH-INIT", *outpath = NULL;
	long timeout_s = 600;
	int opt;

	while ((opt = getopt(argc, argv, "+m:o:t:")) != -1) {
		switch (opt) {
		case 'm':
			marker = optarg;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 't':
			timeout_s = strtol(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || !*marker || timeout_s <= 0)
		usage();

	FILE *out = NULL;

	if (outpath) {
		out = fopen(outpath, "w");
		if (!out) {
			perror(outpath);
			return 2;
		}
	}
	int pfd[2];

	if (pipe2(pfd, O_CLOEXEC) != 0) {
		perror("pipe");
		return 1;
	}
	int64_t t0 = now_ns();
	uint64_t k0 = __rdtsc();
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(pfd[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "boottime: %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);

	/*
	 * Match MARKER anywhere in the stream; the timestamp is that of the
	 * read() which returned the candidate's first byte.
	 */
	size_t mlen = strlen(marker), matched = 0;
	int64_t cand_ns = -1, init_ns = -1;
	uint64_t cand_k = 0, init_k = 0;
	bool timed_out = false;
	int64_t deadline = t0 + (int64_t)timeout_s * 1000000000;

	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		int64_t left_ms = (deadline - now_ns()) / 1000000;

		if (left_ms <= 0) {
			timed_out = true;
			break;
		}
		int r = poll(&p, 1, left_ms > 1000 ? 1000 : (int)left_ms);

		if (r < 0 && errno != EINTR) {
			perror("poll");
			break;
		}
		if (r <= 0)
			continue;
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof(buf));
		int64_t t = now_ns();
		uint64_t k = __rdtsc();

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out)
			fwrite(buf, 1, (size_t)n, out);
		for (ssize_t i = 0; i < n && init_ns < 0; i++) {
			if (buf[i] != marker[matched]) {
				/* Restart; the byte may begin a new candidate. */
				matched = 0;
				if (buf[i] != marker[0])
					continue;
			}
			if (matched == 0) {
				cand_ns = t;
				cand_k = k;
			}
			if (++matched == mlen) {
				init_ns = cand_ns;
				init_k = cand_k;
			}
		}
	}
	if (timed_out) {
		kill(pid, SIGKILL);
		fprintf(stderr, "boottime: %s did not exit within %ld s\n", argv[optind], timeout_s);
	}
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int64_t exit_ns = now_ns();
	uint64_t exit_k = __rdtsc();
	int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);

	if (out)
		fclose(out);
	printf("boottime %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %d\n",
	       init_ns < 0 ? -1 : init_ns - t0, exit_ns - t0,
	       init_ns < 0 ? -1 : (int64_t)(init_k - k0), (int64_t)(exit_k - k0), status);
	return init_ns >= 0 && status == 0 && !timed_out ? 0 : 1;
}
