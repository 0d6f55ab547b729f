// SPDX-License-Identifier: GPL-2.0-only
/*
 * The zircon_hv tracepoints (docs/tracing.md), recorded through
 * tracefs while a guest runs: the seven events exist; a guest that runs
 * CPUID five times shows five CPUID exits, an entry before each, its EPT
 * fault-ins, the IO trap's packet with its port and key, and a kick.
 * Nothing is recorded while the events are disabled.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/syscalls.h>

#include "kselftest_harness.h"
#include "guest_vm.h"

#define CPUIDS		5
#define EXIT_CPUID	10	/* SDM Vol. 3D, Table C-1 */

GUEST_PROGRAM(g_cpuids,
	"mov $" GUEST_STR(CPUIDS) ", %r8d\n"
	"1: xor %eax, %eax\n cpuid\n dec %r8d\n jnz 1b\n"
	"MARK $0x600d\n"
	"1: jmp 1b");

static const char *const events[] = {
	"zxhv_entry", "zxhv_exit", "zxhv_trap", "zxhv_inject", "zxhv_kick", "zxhv_ept_fault",
	"zxhv_guest_fail",
};

static char tracefs[64];

/* tracefs, mounted where the kernel offers it. */
static bool find_tracefs(void)
{
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char p[128];

	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "%s/trace", dirs[i]);
		if (access(p, F_OK) && i == 0)
			mount("nodev", dirs[0], "tracefs", 0, NULL);
		if (!access(p, W_OK)) {
			snprintf(tracefs, sizeof(tracefs), "%s", dirs[i]);
			return true;
		}
	}
	return false;
}

static int put(const char *rel, const char *val)
{
	char p[192];
	int fd, n;

	snprintf(p, sizeof(p), "%s/%s", tracefs, rel);
	fd = open(p, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (int)strlen(val) ? 0 : -1;
}

/* The whole trace buffer as text (malloc'ed). */
static char *slurp_trace(void)
{
	char p[192];
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/trace", tracefs);
	fd = open(p, O_RDONLY);
	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				break;
		}
	}
	close(fd);
	if (buf)
		buf[len] = 0;
	return buf;
}

/* Lines of @text holding @event's name and, if not NULL, @what after it. */
static int count(const char *text, const char *event, const char *what)
{
	char key[64];
	int n = 0;

	snprintf(key, sizeof(key), " %s: ", event);
	for (const char *l = text; l && *l;) {
		const char *end = strchr(l, '\n'), *hit = strstr(l, key);

		if (!end)
			end = l + strlen(l);
		if (hit && hit < end) {
			const char *w = what ? strstr(hit, what) : hit;

			n += w && w < end;
		}
		l = *end ? end + 1 : end;
	}
	return n;
}

/* One run of the guest: five CPUIDs, the OUT, then a kick and a cancelled enter. */
static void run_guest(struct __test_metadata *_metadata)
{
	zx_port_packet_t p;
	struct vm vm;

	ASSERT_EQ(ZX_OK, vm_create_base(&vm, g_cpuids, g_cpuids_end));
	ASSERT_EQ(ZX_OK, zx_vcpu_create(vm.guest, 0, GPA_CODE, &vm.vcpu));
	ASSERT_EQ(ZX_OK, zx_vcpu_enter(vm.vcpu, &p));
	EXPECT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(PORT_MARK, p.guest_io.port);
	ASSERT_EQ(ZX_OK, zx_vcpu_kick(vm.vcpu));
	EXPECT_EQ(ZX_ERR_CANCELED, zx_vcpu_enter(vm.vcpu, &p));
	vm_close(&vm);
}

TEST(events_of_a_guest_run)
{
	char buf[256], p[192], key[64];
	char *text;

	NEED_VMX();
	if (!find_tracefs())
		SKIP(return, "no tracefs");
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		snprintf(p, sizeof(p), "%s/events/zircon_hv/%s/format", tracefs, events[i]);
		EXPECT_EQ(0, access(p, R_OK)) TH_LOG("no event %s", events[i]);
	}
	ASSERT_EQ(0, put("events/zircon_hv/enable", "0"));
	ASSERT_EQ(0, put("trace", ""));
	ASSERT_EQ(0, put("tracing_on", "1"));

	/* Disabled: the run leaves nothing. */
	run_guest(_metadata);
	text = slurp_trace();
	ASSERT_NE(NULL, text);
	EXPECT_EQ(0, count(text, "zxhv_exit", NULL));
	free(text);

	ASSERT_EQ(0, put("events/zircon_hv/enable", "1"));
	run_guest(_metadata);
	ASSERT_EQ(0, put("events/zircon_hv/enable", "0"));
	text = slurp_trace();
	ASSERT_NE(NULL, text);
	snprintf(buf, sizeof(buf), " reason %d ", EXIT_CPUID);
	EXPECT_EQ(CPUIDS, count(text, "zxhv_exit", buf));
	EXPECT_LE(CPUIDS + 1, count(text, "zxhv_entry", NULL));
	EXPECT_LE(1, count(text, "zxhv_ept_fault", " status 0"));
	snprintf(key, sizeof(key), "kind IO addr %#x key %#x", PORT_MARK, KEY_IO);
	EXPECT_EQ(1, count(text, "zxhv_trap", key));
	/* zx_vcpu_kick's, and closing the VCPU kicks it too. */
	EXPECT_LE(1, count(text, "zxhv_kick", NULL));
	EXPECT_EQ(0, count(text, "zxhv_guest_fail", NULL));
	if (!_metadata->passed)
		TH_LOG("trace:\n%.4000s", text);
	free(text);
	put("trace", "");
}

TEST_HARNESS_MAIN
