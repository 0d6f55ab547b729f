// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host unit test of the split-virtqueue walker (vmm/virtqueue.c): a fake
 * guest RAM holds the rings, each case builds a ring and checks what
 * vq_pop() makes of it.  Prints TAP.  make -C vmm test runs it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../virtqueue.h"

#define RAM		(1u << 20)
#define QSIZE		8
#define DESC		0x1000
#define AVAIL		0x2000
#define USED		0x3000
#define INDIR		0x4000
#define DATA		0x8000

static uint8_t *ram;
static struct gmem mem;
static struct vq q;
static struct vq_chain chain;
static int n, failed;

static void reset(bool indirect, bool event_idx)
{
	memset(ram, 0, RAM);
	memset(&q, 0, sizeof(q));
	q.size = QSIZE;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	q.enabled = true;
	q.indirect = indirect;
	q.event_idx = event_idx;
}

static void desc_at(uint64_t table, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *d = ram + table + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

/* Makes head the next available entry. */
static void offer(uint16_t head)
{
	uint16_t idx;

	memcpy(&idx, ram + AVAIL + 2, 2);
	memcpy(ram + AVAIL + 4 + 2 * (idx % QSIZE), &head, 2);
	idx++;
	memcpy(ram + AVAIL + 2, &idx, 2);
}

static void ok(bool cond, const char *name, const char *detail)
{
	n++;
	printf("%sok %d - %s%s%s\n", cond ? "" : "not ", n, name, detail[0] ? ": " : "", detail);
	if (!cond)
		failed = 1;
}

/* Pops once and checks the result (1 chain, 0 empty, -1 malformed). */
static void expect(int want, const char *name)
{
	char why[256] = "";
	int r = vq_pop(&q, &mem, &chain, why, sizeof(why));

	if (r != want) {
		char d[320];

		snprintf(d, sizeof(d), "vq_pop returned %d, expected %d (%s)", r, want, why);
		ok(false, name, d);
		return;
	}
	ok(true, name, why);
}

/* A handler for vq_serve: serves 2 chains writing 7 bytes each, then says LATER; MALFORMED on a readable buffer. */
static enum vq_result handler(void *ctx, const struct vq_chain *c, uint32_t *written, char *why,
			      size_t len)
{
	int *calls = ctx;

	if (c->nread) {
		snprintf(why, len, "readable buffer");
		return VQ_MALFORMED;
	}
	if (++*calls > 2)
		return VQ_LATER;
	*written = 7;
	return VQ_SERVED;
}

/* vq_serve: pushes what the handler served, leaves a LATER chain available, stops at a malformed one. */
static void serve_cases(void)
{
	char why[256] = "";
	uint16_t idx;
	uint32_t used_len;
	int calls = 0, r;

	reset(false, false);
	desc(0, DATA, 8, VRING_DESC_F_WRITE, 0);
	for (int i = 0; i < 3; i++)
		offer(0);
	r = vq_serve(&q, &mem, &chain, handler, &calls, why, sizeof(why));
	memcpy(&idx, ram + USED + 2, 2);
	memcpy(&used_len, ram + USED + 4 + 4, 4);
	ok(r == 2 && idx == 2 && used_len == 7 && q.last_avail == 2, "vq_serve pushes served chains",
	   "");
	calls = 0;
	expect(1, "vq_serve left the LATER chain available");

	reset(false, false);
	desc(0, DATA, 8, VRING_DESC_F_WRITE, 0);
	desc(1, DATA, 8, 0, 0);
	offer(0);
	offer(1);
	calls = 0;
	r = vq_serve(&q, &mem, &chain, handler, &calls, why, sizeof(why));
	memcpy(&idx, ram + USED + 2, 2);
	ok(r == -1 && idx == 1 && strncmp(why, "request 1: readable", 19) == 0,
	   "vq_serve stops at a malformed request", why);
}

int main(void)
{
	char why[256];
	uint16_t idx;

	ram = calloc(1, RAM);
	mem.base = ram;
	mem.size = RAM;
	printf("1..29\n");

	reset(false, false);
	expect(0, "empty ring");

	reset(false, false);
	desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, DATA + 16, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	desc(2, DATA + 528, 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	expect(1, "three-buffer chain");
	ok(chain.nbufs == 3 && chain.nread == 1 && chain.read_len == 16 && chain.write_len == 513 &&
	   chain.buf[1].ptr == ram + DATA + 16, "chain contents", "");
	expect(0, "ring empty after the pop");
	vq_push(&q, &mem, chain.head, 513);
	memcpy(&idx, ram + USED + 2, 2);
	ok(idx == 1, "used index published", "");

	reset(false, false);
	desc(0, RAM - 8, 16, 0, 0);
	offer(0);
	expect(-1, "buffer crossing the end of RAM");

	reset(false, false);
	desc(0, ~0ull - 4, 16, 0, 0);
	offer(0);
	expect(-1, "buffer address overflowing 64 bits");

	reset(false, false);
	desc(0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc(1, DATA, 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect(-1, "two-descriptor loop");

	reset(false, false);
	desc(3, DATA, 16, VRING_DESC_F_NEXT, 3);
	offer(3);
	expect(-1, "self loop");

	reset(false, false);
	desc(0, DATA, 16, VRING_DESC_F_NEXT, QSIZE);
	offer(0);
	expect(-1, "next outside the table");

	reset(false, false);
	offer(QSIZE + 1);
	expect(-1, "head outside the queue");

	reset(false, false);
	idx = QSIZE + 1;
	memcpy(ram + AVAIL + 2, &idx, 2);
	expect(-1, "available index ahead by more than the queue size");

	reset(false, false);
	desc(0, DATA, 1, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	desc(1, DATA, 16, 0, 0);
	offer(0);
	expect(-1, "readable buffer after a writable one");

	reset(true, false);
	desc(0, INDIR, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(INDIR, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc_at(INDIR, 1, DATA + 16, 4096, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2);
	desc_at(INDIR, 2, DATA + 4112, 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	expect(1, "indirect table of three");
	ok(chain.nbufs == 3 && chain.write_len == 4097, "indirect chain contents", "");

	reset(false, false);
	desc(0, INDIR, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(INDIR, 0, DATA, 16, 0, 0);
	offer(0);
	expect(-1, "indirect without the feature");

	reset(true, false);
	desc(0, INDIR, 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(INDIR, 0, INDIR + 0x100, 16, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect(-1, "indirect inside indirect");

	reset(true, false);
	desc(0, INDIR, 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	offer(0);
	expect(-1, "indirect together with next");

	reset(true, false);
	desc(0, INDIR, 24, VRING_DESC_F_INDIRECT, 0);
	offer(0);
	expect(-1, "indirect table not a whole number of descriptors");

	reset(true, false);
	desc(0, INDIR, 2 * 16, VRING_DESC_F_INDIRECT, 0);
	desc_at(INDIR, 0, DATA, 16, VRING_DESC_F_NEXT, 1);
	desc_at(INDIR, 1, DATA, 16, VRING_DESC_F_NEXT, 0);
	offer(0);
	expect(-1, "loop inside an indirect table");

	reset(true, false);
	desc(0, INDIR, (VQ_MAX_BUFS + 1) * 16, VRING_DESC_F_INDIRECT, 0);
	for (unsigned int i = 0; i <= VQ_MAX_BUFS; i++)
		desc_at(INDIR, i, DATA, 16, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	offer(0);
	expect(-1, "oversized chain (indirect table over the limit)");

	reset(false, false);
	q.desc = DESC + 8;
	ok(!vq_check_layout(&q, &mem, why, sizeof(why)), "misaligned descriptor table", why);
	q.desc = RAM - 16;
	ok(!vq_check_layout(&q, &mem, why, sizeof(why)), "ring outside RAM", why);

	/* EVENT_IDX: the driver asks for an interrupt at used index 1, not at 0. */
	reset(false, true);
	desc(0, DATA, 1, VRING_DESC_F_WRITE, 0);
	offer(0);
	offer(0);
	idx = 1;
	memcpy(ram + AVAIL + 4 + 2 * QSIZE, &idx, 2);	/* used_event */
	expect(1, "event-idx pop");
	vq_push(&q, &mem, 0, 1);
	vq_need_interrupt(&q, &mem);			/* the first one always fires */
	expect(1, "event-idx second pop");
	vq_push(&q, &mem, 0, 1);
	ok(vq_need_interrupt(&q, &mem), "interrupt when used passes used_event", "");
	serve_cases();
	free(ram);
	return failed;
}
