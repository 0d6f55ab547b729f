// SPDX-License-Identifier: BSD-2-Clause
/*
 * zxhv: what the zircon-hv module runs, from its generic netlink family
 * (man/zxhv.8, docs/observability.md).
 *
 *   zxhv [-j] list | stat [KOID] | top [-d SECS] [-n N] [--once] | events | probe
 *
 * Exit status: 0 success; 1 the module is not loaded, the object is not
 * visible, or another error; 2 usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zxhv_data.h"

static bool json;

static void usage(FILE *f)
{
	fprintf(f, "usage: zxhv [-j|--json] COMMAND\n"
		"  list                  guests with their VCPUs and traps, and ports\n"
		"  stat [KOID]           counters of every guest, or of one guest, VCPU or port\n"
		"  top [-d SECS] [-n N] [--once]\n"
		"                        exits per second by reason and by guest\n"
		"  events                follow guest and VCPU events\n"
		"  probe                 this host's VMX, as the module sees it\n");
}

static int fail(struct zxhv_nl *nl, int err, const char *what)
{
	if (err == -ENOENT && !nl->sock)
		fprintf(stderr, "zxhv: the zircon-hv module is not loaded "
			"(no generic netlink family \"%s\")\n", ZXHV_GENL_NAME);
	else
		fprintf(stderr, "zxhv: %s: %s%s%s\n", what, strerror(-err),
			nl->extack[0] ? ": " : "", nl->extack);
	return 1;
}

static void json_owner(const struct zxhv_owner *o)
{
	printf("\"koid\":%" PRIu64 ",\"owner_pid\":%u,\"owner_uid\":%u,\"owner_comm\":",
	       o->koid, o->pid, o->uid);
	zxhv_json_str(stdout, o->comm);
	printf(",\"created_ns\":%" PRIu64, o->created_ns);
}

static void json_vcpu(const struct zxhv_vcpu *v)
{
	char buf[32];
	bool first = true;
	unsigned int r;

	putchar('{');
	json_owner(&v->o);
	printf(",\"guest_koid\":%" PRIu64 ",\"vcpu_id\":%u,\"thread_tid\":%u,\"last_cpu\":%u,"
	       "\"state\":\"%s\",\"guest_time_ns\":%" PRIu64 ",\"entries\":%" PRIu64
	       ",\"exits_total\":%" PRIu64 ",\"injected\":%" PRIu64 ",\"kicks\":%" PRIu64
	       ",\"ept_faults\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"exits\":{",
	       v->guest_koid, v->id, v->tid, v->last_cpu, zxhv_state_name(v->state), v->guest_ns,
	       v->entries, v->exits_total, v->injected, v->kicks, v->ept_faults, v->packets);
	for (r = 0; r < ZXHV_EXIT_REASONS; r++) {
		if (!v->exits[r])
			continue;
		printf("%s", first ? "" : ",");
		zxhv_json_str(stdout, zxhv_exit_name(v, r, buf, sizeof(buf)));
		printf(":%" PRIu64, v->exits[r]);
		first = false;
	}
	printf("}}");
}

static void json_guest(const struct zxhv_guest *g, const struct zxhv_snapshot *s)
{
	unsigned int i;
	bool first = true;

	putchar('{');
	json_owner(&g->o);
	printf(",\"vcpu_count\":%u,\"mem_bytes\":%" PRIu64 ",\"ept_4k\":%" PRIu64
	       ",\"ept_2m\":%" PRIu64 ",\"ept_1g\":%" PRIu64 ",\"traps\":[",
	       g->vcpus, g->mem_bytes, g->ept[0], g->ept[1], g->ept[2]);
	for (i = 0; i < g->ntraps; i++) {
		const struct zxhv_trap *t = &g->traps[i];

		printf("%s{\"kind\":\"%s\",\"addr\":%" PRIu64 ",\"size\":%" PRIu64
		       ",\"key\":%" PRIu64 ",\"port_koid\":%" PRIu64 "}", i ? "," : "",
		       zxhv_trap_kind_name(t->kind), t->addr, t->size, t->key, t->port_koid);
	}
	printf("],\"traps_omitted\":%u,\"vcpus\":[", g->traps_omitted);
	for (i = 0; i < s->nvcpus; i++) {
		if (s->vcpus[i].guest_koid != g->o.koid)
			continue;
		printf("%s", first ? "" : ",");
		json_vcpu(&s->vcpus[i]);
		first = false;
	}
	printf("]}");
}

static void json_port(const struct zxhv_port *p)
{
	putchar('{');
	json_owner(&p->o);
	printf(",\"queued\":%u,\"user_queued\":%u,\"arenas\":%u,\"arena_size\":%u,"
	       "\"arena_used\":%u,\"poll_ns\":%u,\"poll_hits\":%" PRIu64 ",\"sleeps\":%" PRIu64
	       ",\"arena_poll_hits\":%" PRIu64 ",\"arena_sleeps\":%" PRIu64 "}", p->queued,
	       p->user_queued, p->arenas, p->arena_size, p->arena_used, p->poll_ns, p->poll_hits,
	       p->sleeps, p->arena_poll_hits, p->arena_sleeps);
}

static void json_snapshot(const struct zxhv_snapshot *s)
{
	unsigned int i;

	printf("{\"guests\":[");
	for (i = 0; i < s->nguests; i++) {
		printf("%s", i ? "," : "");
		json_guest(&s->guests[i], s);
	}
	printf("],\"ports\":[");
	for (i = 0; i < s->nports; i++) {
		printf("%s", i ? "," : "");
		json_port(&s->ports[i]);
	}
	printf("]}\n");
}

static void print_size(uint64_t bytes, char *buf, size_t len)
{
	if (bytes >= (1ull << 30) && !(bytes % (1ull << 30)))
		snprintf(buf, len, "%" PRIu64 "G", bytes >> 30);
	else if (bytes >= (1ull << 20))
		snprintf(buf, len, "%" PRIu64 "M", bytes >> 20);
	else
		snprintf(buf, len, "%" PRIu64 "K", bytes >> 10);
}

static int cmd_list(struct zxhv_nl *nl)
{
	struct zxhv_snapshot s = { 0 };
	unsigned int i, j;
	int ret = zxhv_fetch_all(nl, &s);

	if (ret)
		return fail(nl, ret, "list");
	if (json) {
		json_snapshot(&s);
		zxhv_snapshot_free(&s);
		return 0;
	}
	printf("%-8s %-7s %-6s %-15s %5s %7s %9s %6s %6s %5s\n", "GUEST", "PID", "UID",
	       "COMMAND", "VCPUS", "MEMORY", "EPT_4K", "EPT_2M", "EPT_1G", "TRAPS");
	for (i = 0; i < s.nguests; i++) {
		const struct zxhv_guest *g = &s.guests[i];
		char mem[16];

		print_size(g->mem_bytes, mem, sizeof(mem));
		printf("%-8" PRIu64 " %-7u %-6u %-15s %5u %7s %9" PRIu64 " %6" PRIu64 " %6" PRIu64
		       " %5u\n", g->o.koid, g->o.pid, g->o.uid, g->o.comm_text, g->vcpus, mem,
		       g->ept[0], g->ept[1], g->ept[2], g->ntraps + g->traps_omitted);
		for (j = 0; j < s.nvcpus; j++) {
			const struct zxhv_vcpu *v = &s.vcpus[j];

			if (v->guest_koid != g->o.koid)
				continue;
			printf("  vcpu %-8" PRIu64 " id %-2u tid %-7u cpu %-3u %-9s exits %" PRIu64
			       " packets %" PRIu64 "\n", v->o.koid, v->id, v->tid, v->last_cpu,
			       zxhv_state_name(v->state), v->exits_total, v->packets);
		}
		for (j = 0; j < g->ntraps; j++) {
			const struct zxhv_trap *t = &g->traps[j];

			printf("  trap %-4s %#" PRIx64 "+%#" PRIx64 " key %" PRIu64,
			       zxhv_trap_kind_name(t->kind), t->addr, t->size, t->key);
			if (t->port_koid)
				printf(" port %" PRIu64, t->port_koid);
			putchar('\n');
		}
		if (g->traps_omitted)
			printf("  (%u more traps: the module's message had no room)\n",
			       g->traps_omitted);
	}
	if (s.nports)
		printf("%-8s %-7s %-6s %-15s %6s %6s %10s\n", "PORT", "PID", "UID", "COMMAND",
		       "QUEUED", "USER", "BELL_USED");
	for (i = 0; i < s.nports; i++) {
		const struct zxhv_port *p = &s.ports[i];

		printf("%-8" PRIu64 " %-7u %-6u %-15s %6u %6u %5u/%-4u\n", p->o.koid, p->o.pid,
		       p->o.uid, p->o.comm_text, p->queued, p->user_queued, p->arena_used,
		       p->arena_size);
	}
	zxhv_snapshot_free(&s);
	return 0;
}

static void print_vcpu_stat(const struct zxhv_vcpu *v)
{
	char buf[32];
	unsigned int r;

	printf("vcpu %" PRIu64 " (guest %" PRIu64 ", id %u, tid %u, cpu %u, %s)\n", v->o.koid,
	       v->guest_koid, v->id, v->tid, v->last_cpu, zxhv_state_name(v->state));
	printf("  %-24s %14" PRIu64 "\n  %-24s %14" PRIu64 "\n  %-24s %14" PRIu64 "\n",
	       "guest_time_ns", v->guest_ns, "entries", v->entries, "exits", v->exits_total);
	for (r = 0; r < ZXHV_EXIT_REASONS; r++)
		if (v->exits[r])
			printf("    %-22s %14" PRIu64 "\n", zxhv_exit_name(v, r, buf, sizeof(buf)),
			       v->exits[r]);
	printf("  %-24s %14" PRIu64 "\n  %-24s %14" PRIu64 "\n  %-24s %14" PRIu64
	       "\n  %-24s %14" PRIu64 "\n", "injected", v->injected, "kicks", v->kicks,
	       "ept_faults", v->ept_faults, "packets", v->packets);
}

/* stat KOID: a guest (with its VCPUs), a VCPU or a port; without: every guest. */
static int cmd_stat(struct zxhv_nl *nl, uint64_t koid)
{
	static const uint8_t cmds[] = { ZXHV_CMD_GUEST_GET, ZXHV_CMD_VCPU_GET, ZXHV_CMD_PORT_GET };
	struct zxhv_snapshot s = { 0 };
	unsigned int i, j;
	int ret = -ENOENT;

	if (!koid) {
		ret = zxhv_fetch_all(nl, &s);
	} else {
		for (i = 0; i < sizeof(cmds) && ret == -ENOENT; i++)
			ret = zxhv_fetch(nl, cmds[i], koid, &s);
		if (!ret && s.nguests)
			ret = zxhv_fetch_vcpus(nl, koid, &s);
		if (ret == -ENOENT) {
			fprintf(stderr, "zxhv: no guest, VCPU or port with koid %" PRIu64
				" that you may see\n", koid);
			return 1;
		}
	}
	if (ret)
		return fail(nl, ret, "stat");
	if (json) {
		json_snapshot(&s);
		if (!s.nguests)
			for (i = 0; i < s.nvcpus; i++) {
				json_vcpu(&s.vcpus[i]);
				putchar('\n');
			}
		zxhv_snapshot_free(&s);
		return 0;
	}
	for (i = 0; i < s.nguests; i++) {
		const struct zxhv_guest *g = &s.guests[i];

		printf("guest %" PRIu64 " (pid %u, uid %u, %s): %u VCPUs, %" PRIu64
		       " bytes mapped, EPT leaves 4K %" PRIu64 " 2M %" PRIu64 " 1G %" PRIu64 "\n",
		       g->o.koid, g->o.pid, g->o.uid, g->o.comm_text, g->vcpus, g->mem_bytes,
		       g->ept[0], g->ept[1], g->ept[2]);
		for (j = 0; j < s.nvcpus; j++)
			if (s.vcpus[j].guest_koid == g->o.koid)
				print_vcpu_stat(&s.vcpus[j]);
	}
	if (!s.nguests)
		for (i = 0; i < s.nvcpus; i++)
			print_vcpu_stat(&s.vcpus[i]);
	for (i = 0; i < s.nports; i++)
		printf("port %" PRIu64 " (pid %u, uid %u, %s): %u queued (%u from zx_port_queue), "
		       "BELL arenas %u, %u of %u packets in use; waits: %" PRIu64 " ended polling, "
		       "%" PRIu64 " slept, polling window %u ns; VCPUs at a full arena: %" PRIu64
		       " ended polling, %" PRIu64 " slept\n", s.ports[i].o.koid,
		       s.ports[i].o.pid, s.ports[i].o.uid, s.ports[i].o.comm_text, s.ports[i].queued,
		       s.ports[i].user_queued, s.ports[i].arenas, s.ports[i].arena_used,
		       s.ports[i].arena_size, s.ports[i].poll_hits, s.ports[i].sleeps,
		       s.ports[i].poll_ns, s.ports[i].arena_poll_hits, s.ports[i].arena_sleeps);
	zxhv_snapshot_free(&s);
	return 0;
}

static int cmd_events(struct zxhv_nl *nl)
{
	static char buf[ZXHV_NL_BUFSIZE];
	int ret = zxhv_nl_subscribe(nl);

	if (ret)
		return fail(nl, ret, "events");
	for (;;) {
		const struct nlattr *tb[ZXHV_A_MAX + 1];
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		const struct nlmsghdr *nlh;
		int len = n;

		/* Events came faster than we read: say so and go on. */
		if (n < 0 && errno == ENOBUFS) {
			fprintf(stderr, "zxhv: events: some lost (the socket's buffer overran)\n");
			continue;
		}
		if (n < 0)
			return fail(nl, -errno, "events");
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			uint32_t ev;
			uint64_t koid;

			if (nlh->nlmsg_type != nl->family || zxhv_nl_parse(nlh, tb) < 0)
				continue;
			ev = zxhv_nl_u32(tb[ZXHV_A_EVENT]);
			koid = zxhv_nl_u64(tb[ZXHV_A_KOID]);
			if (json)
				printf("{\"event\":\"%s\",\"koid\":%" PRIu64 "}\n",
				       zxhv_nl_event_name(ev), koid);
			else
				printf("%-16s %" PRIu64 "\n", zxhv_nl_event_name(ev), koid);
		}
		fflush(stdout);
	}
}

struct probe {
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	char text[256];
	uint64_t v[ZXHV_A_MAX + 1];
};

static int probe_cb(const struct nlmsghdr *nlh, void *data)
{
	struct probe *p = data;
	int i;

	if (zxhv_nl_parse(nlh, p->tb) < 0)
		return MNL_CB_ERROR;
	for (i = ZXHV_A_PROBE_RESULT; i <= ZXHV_A_VMX_MISC; i++)
		if (p->tb[i])
			p->v[i] = mnl_attr_get_payload_len(p->tb[i]) == 8 ?
				  zxhv_nl_u64(p->tb[i]) : zxhv_nl_u32(p->tb[i]);
	if (p->tb[ZXHV_A_PROBE_TEXT] &&
	    mnl_attr_validate(p->tb[ZXHV_A_PROBE_TEXT], MNL_TYPE_NUL_STRING) == 0)
		snprintf(p->text, sizeof(p->text), "%s", mnl_attr_get_str(p->tb[ZXHV_A_PROBE_TEXT]));
	return MNL_CB_OK;
}

static int cmd_probe(struct zxhv_nl *nl)
{
	/* Allowed-1 bits (high half of the control MSRs; SDM Vol. 3D, Appendix A). */
	static const struct { const char *name; int attr; int bit; } caps[] = {
		{ "ept", ZXHV_A_VMX_PROCBASED2, 32 + 1 },
		{ "vpid", ZXHV_A_VMX_PROCBASED2, 32 + 5 },
		{ "unrestricted_guest", ZXHV_A_VMX_PROCBASED2, 32 + 7 },
		{ "ept_2m_pages", ZXHV_A_VMX_EPT_VPID_CAP, 16 },
		{ "ept_1g_pages", ZXHV_A_VMX_EPT_VPID_CAP, 17 },
		{ "preemption_timer", ZXHV_A_VMX_PINBASED, 32 + 6 },
		{ "posted_interrupts", ZXHV_A_VMX_PINBASED, 32 + 7 },
		{ "tpr_shadow", ZXHV_A_VMX_PROCBASED, 32 + 21 },
		{ "monitor_trap_flag", ZXHV_A_VMX_PROCBASED, 32 + 27 },
	};
	static char buf[ZXHV_NL_BUFSIZE];
	struct nlmsghdr *nlh = zxhv_nl_msg(nl, buf, ZXHV_CMD_PROBE_GET, 0);
	struct probe p = { 0 };
	bool ready;
	size_t i;
	int ret = zxhv_nl_run(nl, nlh, probe_cb, &p);

	if (ret)
		return fail(nl, ret, "probe");
	ready = p.tb[ZXHV_A_VMX_BASIC] != NULL;
	if (json) {
		printf("{\"result\":%" PRIu64 ",\"text\":", p.v[ZXHV_A_PROBE_RESULT]);
		zxhv_json_str(stdout, p.text);
		printf(",\"cpu\":%" PRIu64 ",\"ncpus\":%" PRIu64 ",\"feature_control\":%" PRIu64
		       ",\"ready\":%s", p.v[ZXHV_A_PROBE_CPU], p.v[ZXHV_A_PROBE_NCPUS],
		       p.v[ZXHV_A_PROBE_FEATURE_CONTROL], ready ? "true" : "false");
		for (i = 0; ready && i < sizeof(caps) / sizeof(caps[0]); i++)
			printf(",\"%s\":%s", caps[i].name,
			       p.v[caps[i].attr] >> caps[i].bit & 1 ? "true" : "false");
		printf("}\n");
		return 0;
	}
	printf("%s\n", p.text);
	printf("CPUs probed: %" PRIu64 "; IA32_FEATURE_CONTROL %#" PRIx64 "\n",
	       p.v[ZXHV_A_PROBE_NCPUS], p.v[ZXHV_A_PROBE_FEATURE_CONTROL]);
	if (!ready)
		return 0;
	printf("IA32_VMX_BASIC %#" PRIx64 " (VMCS revision %#" PRIx64 ")\n",
	       p.v[ZXHV_A_VMX_BASIC], p.v[ZXHV_A_VMX_BASIC] & 0x7fffffff);
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf("  %-20s %s\n", caps[i].name,
		       p.v[caps[i].attr] >> caps[i].bit & 1 ? "yes" : "no");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct zxhv_top_opts top;
	struct zxhv_nl nl;
	uint64_t koid = 0;
	const char *cmd;
	char *end;
	int c, ret;

	while ((c = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind++];
	/* Every usage error is found before the module is asked. */
	if (!strcmp(cmd, "top")) {
		ret = zxhv_top_parse(argc - optind + 1, argv + optind - 1, &top);
		if (ret)
			return ret;
	} else if (strcmp(cmd, "list") && strcmp(cmd, "stat") && strcmp(cmd, "events") &&
		   strcmp(cmd, "probe")) {
		fprintf(stderr, "zxhv: unknown command '%s'\n", cmd);
		usage(stderr);
		return 2;
	} else if (!strcmp(cmd, "stat") && optind < argc) {
		if (optind + 1 < argc) {
			fprintf(stderr, "zxhv stat: unexpected argument '%s'\n", argv[optind + 1]);
			return 2;
		}
		errno = 0;
		koid = strtoull(argv[optind], &end, 0);
		if (errno || *end || !koid || argv[optind][0] == '-') {
			fprintf(stderr, "zxhv stat: bad koid '%s'\n", argv[optind]);
			return 2;
		}
	} else if (optind != argc) {
		fprintf(stderr, "zxhv %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return 2;
	}
	ret = zxhv_nl_open(&nl);
	if (ret)
		return fail(&nl, ret, "netlink");
	if (!strcmp(cmd, "list"))
		ret = cmd_list(&nl);
	else if (!strcmp(cmd, "stat"))
		ret = cmd_stat(&nl, koid);
	else if (!strcmp(cmd, "top"))
		ret = zxhv_top(&nl, &top, json);
	else if (!strcmp(cmd, "events"))
		ret = cmd_events(&nl);
	else
		ret = cmd_probe(&nl);
	zxhv_nl_close(&nl);
	return ret;
}
