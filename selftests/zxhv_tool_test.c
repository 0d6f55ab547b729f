// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zxhv tool (tools/zxhv, built beside this test) on what other users'
 * processes put in its output: a command name is any bytes, including an
 * escape sequence meant for root's terminal.
 *
 * Test                          What it proves
 * ----------------------------  -----------------------------------------------
 * zxhv_comm_escaped             `zxhv list` shows control characters and bytes outside
 *                               ASCII of a port owner's name as \xHH (no ESC byte out);
 *                               `zxhv -j list` keeps its valid UTF-8 and escapes the rest
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "kselftest_harness.h"

/* Runs @cmd; its whole output in a malloc'd string (NULL on failure). */
static char *run_output(const char *cmd)
{
	size_t len = 0, got;
	char *out = NULL, *more;
	FILE *f = popen(cmd, "r");

	if (!f)
		return NULL;
	do {
		more = realloc(out, len + 4097);
		if (!more)
			break;
		out = more;
		got = fread(out + len, 1, 4096, f);
		len += got;
		out[len] = '\0';
	} while (got);
	if (pclose(f) != 0 || !more) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * A command name is any bytes: `zxhv list` shows a control character or a
 * byte outside ASCII as \xHH (no escape sequence reaches the terminal);
 * `zxhv -j list` keeps valid UTF-8 and escapes the rest.
 */
TEST(zxhv_comm_escaped)
{
	static const char name[] = "z\x1b[2J\xc3\xa9\xff";
	int go[2], done[2];
	char *text, *js, c;
	pid_t pid;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		zx_handle_t port;

		prctl(PR_SET_NAME, name);
		if (zx_port_create(0, &port) != ZX_OK)
			_exit(1);
		if (write(go[1], "x", 1) != 1 || read(done[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(go[1]);
	close(done[0]);
	/* The child's port exists (or it failed and the pipe says so). */
	ASSERT_EQ(1, read(go[0], &c, 1));
	text = run_output("./zxhv list");
	js = run_output("./zxhv -j list");
	ASSERT_EQ(1, write(done[1], "x", 1));
	waitpid(pid, NULL, 0);
	ASSERT_NE(NULL, text);
	ASSERT_NE(NULL, js);
	EXPECT_NE(NULL, strstr(text, "z\\x1b[2J\\xc3\\xa9\\xff")) TH_LOG("%s", text);
	EXPECT_EQ(NULL, strchr(text, 0x1b));
	EXPECT_NE(NULL, strstr(js, "\"z\\u001b[2J\xc3\xa9\\u00ff\"")) TH_LOG("%s", js);
	EXPECT_EQ(NULL, strchr(js, 0x1b));
	free(text);
	free(js);
}

TEST_HARNESS_MAIN
