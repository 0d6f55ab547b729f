// SPDX-License-Identifier: BSD-2-Clause
/* zxhv: reading the family's dumps into a snapshot; see zxhv_data.h. */
#include <stdlib.h>
#include <string.h>

#include "zxhv_data.h"

static void *grow(void *arr, unsigned int n, size_t size)
{
	void *p = realloc(arr, (n + 1) * size);

	if (!p) {
		perror("zxhv");
		exit(1);
	}
	memset((char *)p + n * size, 0, size);
	return p;
}

/* @in with bytes outside printable ASCII as \xHH (a command name is any bytes). */
static void printable(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 5 < size; in++) {
		unsigned char c = *in;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[n++] = c;
		else
			n += snprintf(out + n, size - n, "\\x%02x", c);
	}
	out[n] = 0;
}

static void get_owner(const struct nlattr **tb, struct zxhv_owner *o)
{
	o->koid = zxhv_nl_u64(tb[ZXHV_A_KOID]);
	o->pid = zxhv_nl_u32(tb[ZXHV_A_OWNER_PID]);
	o->uid = zxhv_nl_u32(tb[ZXHV_A_OWNER_UID]);
	o->created_ns = zxhv_nl_u64(tb[ZXHV_A_CREATED_NS]);
	if (tb[ZXHV_A_OWNER_COMM] &&
	    mnl_attr_validate(tb[ZXHV_A_OWNER_COMM], MNL_TYPE_NUL_STRING) == 0)
		snprintf(o->comm, sizeof(o->comm), "%s", mnl_attr_get_str(tb[ZXHV_A_OWNER_COMM]));
	printable(o->comm, o->comm_text, sizeof(o->comm_text));
}

static int guest_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_snapshot *s = data;
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	const struct nlattr *t;
	struct zxhv_guest *g;

	if (zxhv_nl_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	s->guests = grow(s->guests, s->nguests, sizeof(*s->guests));
	g = &s->guests[s->nguests++];
	get_owner(tb, &g->o);
	g->vcpus = zxhv_nl_u32(tb[ZXHV_A_VCPU_COUNT]);
	g->mem_bytes = zxhv_nl_u64(tb[ZXHV_A_MEM_BYTES]);
	g->ept[0] = zxhv_nl_u64(tb[ZXHV_A_EPT_4K]);
	g->ept[1] = zxhv_nl_u64(tb[ZXHV_A_EPT_2M]);
	g->ept[2] = zxhv_nl_u64(tb[ZXHV_A_EPT_1G]);
	g->traps_omitted = zxhv_nl_u32(tb[ZXHV_A_TRAPS_OMITTED]);
	if (!tb[ZXHV_A_TRAPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(t, tb[ZXHV_A_TRAPS]) {
		const struct nlattr *a[ZXHV_TRAP_A_MAX + 1];
		struct zxhv_trap *trap;

		if (zxhv_nl_parse_nested(t, a, ZXHV_TRAP_A_MAX) < 0)
			return MNL_CB_ERROR;
		g->traps = grow(g->traps, g->ntraps, sizeof(*g->traps));
		trap = &g->traps[g->ntraps++];
		trap->kind = zxhv_nl_u32(a[ZXHV_TRAP_A_KIND]);
		trap->addr = zxhv_nl_u64(a[ZXHV_TRAP_A_ADDR]);
		trap->size = zxhv_nl_u64(a[ZXHV_TRAP_A_SIZE]);
		trap->key = zxhv_nl_u64(a[ZXHV_TRAP_A_KEY]);
		trap->port_koid = zxhv_nl_u64(a[ZXHV_TRAP_A_PORT_KOID]);
	}
	return MNL_CB_OK;
}

static int vcpu_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_snapshot *s = data;
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	const struct nlattr *e;
	struct zxhv_vcpu *v;

	if (zxhv_nl_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	s->vcpus = grow(s->vcpus, s->nvcpus, sizeof(*s->vcpus));
	v = &s->vcpus[s->nvcpus++];
	get_owner(tb, &v->o);
	v->guest_koid = zxhv_nl_u64(tb[ZXHV_A_GUEST_KOID]);
	v->id = zxhv_nl_u32(tb[ZXHV_A_VCPU_ID]);
	v->tid = zxhv_nl_u32(tb[ZXHV_A_THREAD_TID]);
	v->last_cpu = zxhv_nl_u32(tb[ZXHV_A_LAST_CPU]);
	v->state = zxhv_nl_u32(tb[ZXHV_A_STATE]);
	v->guest_ns = zxhv_nl_u64(tb[ZXHV_A_GUEST_TIME_NS]);
	v->entries = zxhv_nl_u64(tb[ZXHV_A_ENTRIES]);
	v->exits_total = zxhv_nl_u64(tb[ZXHV_A_EXITS_TOTAL]);
	v->injected = zxhv_nl_u64(tb[ZXHV_A_INJECTED]);
	v->kicks = zxhv_nl_u64(tb[ZXHV_A_KICKS]);
	v->ept_faults = zxhv_nl_u64(tb[ZXHV_A_EPT_FAULTS]);
	v->packets = zxhv_nl_u64(tb[ZXHV_A_PACKETS]);
	if (!tb[ZXHV_A_EXITS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(e, tb[ZXHV_A_EXITS]) {
		const struct nlattr *a[ZXHV_EXIT_A_MAX + 1];
		uint32_t r;

		if (zxhv_nl_parse_nested(e, a, ZXHV_EXIT_A_MAX) < 0)
			return MNL_CB_ERROR;
		r = zxhv_nl_u32(a[ZXHV_EXIT_A_REASON]);
		if (r >= ZXHV_EXIT_REASONS)
			continue;
		v->exits[r] = zxhv_nl_u64(a[ZXHV_EXIT_A_COUNT]);
		if (a[ZXHV_EXIT_A_NAME] &&
		    mnl_attr_validate(a[ZXHV_EXIT_A_NAME], MNL_TYPE_NUL_STRING) == 0)
			v->names[r] = strdup(mnl_attr_get_str(a[ZXHV_EXIT_A_NAME]));
	}
	return MNL_CB_OK;
}

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct zxhv_snapshot *s = data;
	const struct nlattr *tb[ZXHV_A_MAX + 1];
	struct zxhv_port *p;

	if (zxhv_nl_parse(nlh, tb) < 0)
		return MNL_CB_ERROR;
	s->ports = grow(s->ports, s->nports, sizeof(*s->ports));
	p = &s->ports[s->nports++];
	get_owner(tb, &p->o);
	p->queued = zxhv_nl_u32(tb[ZXHV_A_PORT_QUEUED]);
	p->user_queued = zxhv_nl_u32(tb[ZXHV_A_PORT_USER_QUEUED]);
	p->arenas = zxhv_nl_u32(tb[ZXHV_A_PORT_ARENAS]);
	p->arena_size = zxhv_nl_u32(tb[ZXHV_A_PORT_ARENA_SIZE]);
	p->arena_used = zxhv_nl_u32(tb[ZXHV_A_PORT_ARENA_USED]);
	p->poll_ns = zxhv_nl_u32(tb[ZXHV_A_PORT_POLL_NS]);
	p->poll_hits = zxhv_nl_u64(tb[ZXHV_A_PORT_POLL_HITS]);
	p->sleeps = zxhv_nl_u64(tb[ZXHV_A_PORT_SLEEPS]);
	p->arena_poll_hits = zxhv_nl_u64(tb[ZXHV_A_PORT_ARENA_POLL_HITS]);
	p->arena_sleeps = zxhv_nl_u64(tb[ZXHV_A_PORT_ARENA_SLEEPS]);
	return MNL_CB_OK;
}

static int request(struct zxhv_nl *nl, uint8_t cmd, int type, uint64_t value,
		   struct zxhv_snapshot *s)
{
	static char buf[ZXHV_NL_BUFSIZE];
	mnl_cb_t cb = cmd == ZXHV_CMD_GUEST_GET ? guest_cb :
		      cmd == ZXHV_CMD_VCPU_GET ? vcpu_cb : port_cb;
	struct nlmsghdr *nlh = zxhv_nl_msg(nl, buf, cmd, type != ZXHV_A_KOID);

	if (value)
		mnl_attr_put_u64(nlh, type, value);
	return zxhv_nl_run(nl, nlh, cb, s);
}

int zxhv_fetch(struct zxhv_nl *nl, uint8_t cmd, uint64_t koid, struct zxhv_snapshot *s)
{
	return request(nl, cmd, koid ? ZXHV_A_KOID : 0, koid, s);
}

int zxhv_fetch_vcpus(struct zxhv_nl *nl, uint64_t guest, struct zxhv_snapshot *s)
{
	return request(nl, ZXHV_CMD_VCPU_GET, ZXHV_A_GUEST_KOID, guest, s);
}

int zxhv_fetch_all(struct zxhv_nl *nl, struct zxhv_snapshot *s)
{
	int ret = zxhv_fetch(nl, ZXHV_CMD_GUEST_GET, 0, s);

	if (!ret)
		ret = zxhv_fetch(nl, ZXHV_CMD_VCPU_GET, 0, s);
	if (!ret)
		ret = zxhv_fetch(nl, ZXHV_CMD_PORT_GET, 0, s);
	return ret;
}

void zxhv_snapshot_free(struct zxhv_snapshot *s)
{
	unsigned int i, r;

	for (i = 0; i < s->nguests; i++)
		free(s->guests[i].traps);
	for (i = 0; i < s->nvcpus; i++)
		for (r = 0; r < ZXHV_EXIT_REASONS; r++)
			free((void *)s->vcpus[i].names[r]);
	free(s->guests);
	free(s->vcpus);
	free(s->ports);
	memset(s, 0, sizeof(*s));
}

const struct zxhv_vcpu *zxhv_find_vcpu(const struct zxhv_snapshot *s, uint64_t koid)
{
	unsigned int i;

	for (i = 0; i < s->nvcpus; i++)
		if (s->vcpus[i].o.koid == koid)
			return &s->vcpus[i];
	return NULL;
}

const char *zxhv_exit_name(const struct zxhv_vcpu *v, unsigned int reason, char *buf,
			   size_t len)
{
	if (v && reason < ZXHV_EXIT_REASONS && v->names[reason])
		return v->names[reason];
	snprintf(buf, len, "REASON_%u", reason);
	return buf;
}

const char *zxhv_state_name(uint32_t state)
{
	switch (state) {
	case ZXHV_VCPU_STATE_USERSPACE: return "userspace";
	case ZXHV_VCPU_STATE_RUNNING: return "in-guest";
	case ZXHV_VCPU_STATE_HALTED: return "halted";
	case ZXHV_VCPU_STATE_KICKED: return "kicked";
	default: return "unknown";
	}
}

const char *zxhv_trap_kind_name(uint32_t kind)
{
	switch (kind) {
	case 0: return "bell";
	case 1: return "mem";
	case 2: return "io";
	default: return "unknown";
	}
}

/* The length of the valid UTF-8 sequence at @s (1-4), or 0. */
static int utf8_len(const unsigned char *s)
{
	int n, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void zxhv_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		int n = utf8_len(p);

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p);
		} else if (*p < 0x20 || *p == 0x7f || !n) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fwrite(p, 1, n, f);
			p += n;
			continue;
		}
		p++;
	}
	fputc('"', f);
}
