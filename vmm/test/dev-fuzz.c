// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target over each virtio device's request parser: virtio_blk.c,
 * virtio_net.c, virtio_console.c and virtio_rng.c, linked with the fake
 * transport, guest RAM and disks of fake-dev.c (in place of virtio_pci.c).
 * The disk is a memfd; the TAP a socket pair (fuzz-net.c); the console's
 * output /dev/null (fuzz-console.c).
 *
 * The input builds the rings.  Byte 0 picks the device, byte 1 the queue
 * features (bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 the read-only disk).
 * Then descriptor records, each `ctl, le16 len, [payload]`:
 *   ctl bit 0  device-writable (no payload; else len payload bytes follow)
 *   ctl bit 1  last descriptor of its chain
 *   ctl bit 2  (first of a chain) the chain goes into an indirect table
 *   ctl bit 3  (first of a chain) queue 1 instead of queue 0
 *   ctl bit 4  a wild address: le32 follows (may lie outside RAM)
 *   ctl bit 5  a wild next: one byte follows
 *   ctl bit 6  raw flags: one byte follows (NEXT, WRITE, INDIRECT as given)
 * Each chain is offered on its queue's available ring, then the device is
 * kicked.  After it, unless a chain had wild parts (which may point into
 * the rings themselves), every used element must name an offered head and report no more bytes written than the chain can
 * hold (else abort: a device bug, not just a sanitizer's).  make -C vmm
 * fuzz-check runs it over vmm/test/dev-corpus and a bounded number of inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "dev-fuzz.h"

#define MAX_CHAIN	32u
#define MAX_LEN		8192u
#define DISK_SIZE	(64u * 1024)

enum { DEV_BLK, DEV_BLK_RO, DEV_NET, DEV_CONSOLE, DEV_RNG, NDEVS };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct virtio_dev *devs[NDEVS];
static struct vmm vm;

static void setup(void)
{
	fake_ram_init();
	fake_disk(&vm, false, DISK_SIZE, &devs[DEV_BLK]);
	fake_disk(&vm, true, DISK_SIZE, &devs[DEV_BLK_RO]);
	devs[DEV_NET] = fuzz_net_setup(&vm);
	devs[DEV_CONSOLE] = fuzz_console_setup(&vm);
	virtio_rng_add(&vm);
	devs[DEV_RNG] = fake_added;
}

/* --- building the rings from the input ---------------------------------------- */

struct input {
	const uint8_t *p;
	size_t left;
};

static bool take(struct input *in, void *dst, size_t n)
{
	if (in->left < n)
		return false;
	memcpy(dst, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

struct built {
	unsigned int ndesc[2];		/* descriptor-table entries used per queue */
	uint32_t indir, data;		/* bump pointers */
	uint64_t room[2][FAKE_QSIZE];	/* writable bytes of the chain at head */
	bool wild;			/* a chain may point anywhere, the rings included */
};

/* One chain from the input onto its queue; false when the input or the room ends. */
static bool build_chain(struct input *in, struct built *b, unsigned int nqueues)
{
	struct { uint64_t addr; uint32_t len; uint16_t flags, next; } desc[MAX_CHAIN];
	unsigned int n = 0, q = 0;
	bool indirect = false, wild = false;
	uint64_t room = 0;
	uint16_t head;

	for (;;) {
		uint8_t ctl, raw;
		uint16_t len;
		uint32_t addr32;

		if (!take(in, &ctl, 1) || !take(in, &len, 2))
			break;
		if (n == 0) {
			q = (ctl & 8) && nqueues > 1;
			indirect = ctl & 4;
		}
		len %= MAX_LEN + 1;
		if (b->data + len > FAKE_RAM)
			return false;
		desc[n].addr = b->data;
		desc[n].len = len;
		desc[n].flags = (ctl & 1) ? VRING_DESC_F_WRITE : 0;
		if (ctl & 1) {
			memset(fake_ram + b->data, 0xa5, len);
			room += len;
		} else {
			size_t k = len < in->left ? len : in->left;

			memset(fake_ram + b->data, 0, len);
			take(in, fake_ram + b->data, k);
		}
		b->data += len;
		if ((ctl & 16) && take(in, &addr32, 4)) {
			desc[n].addr = addr32;
			wild = true;
		}
		desc[n].next = (uint16_t)(n + 1);
		if ((ctl & 32) && take(in, &raw, 1)) {
			desc[n].next = raw;
			wild = true;
		}
		if (!(ctl & 2) && n + 1 < MAX_CHAIN)
			desc[n].flags |= VRING_DESC_F_NEXT;
		if ((ctl & 64) && take(in, &raw, 1)) {
			desc[n].flags = raw & 7;
			wild = true;
		}
		n++;
		if (!(desc[n - 1].flags & VRING_DESC_F_NEXT) || n == MAX_CHAIN)
			break;
	}
	if (n == 0)
		return false;
	if (indirect && b->indir + 16 * n <= FAKE_DATA_BASE) {
		if (b->ndesc[q] == FAKE_QSIZE)
			return false;
		for (unsigned int i = 0; i < n; i++)
			fake_put_desc(b->indir, i, desc[i].addr, desc[i].len, desc[i].flags, desc[i].next);
		head = (uint16_t)b->ndesc[q]++;
		fake_put_desc(fake_qbase(q), head, b->indir, 16 * n, VRING_DESC_F_INDIRECT, 0);
		b->indir += 16 * n;
	} else {
		if (b->ndesc[q] + n > FAKE_QSIZE)
			return false;
		head = (uint16_t)b->ndesc[q];
		for (unsigned int i = 0; i < n; i++)
			fake_put_desc(fake_qbase(q), head + i, desc[i].addr, desc[i].len, desc[i].flags,
				 (uint16_t)(desc[i].next + head));
		b->ndesc[q] += n;
	}
	b->room[q][head] = room;
	b->wild |= wild;
	fake_offer(q, head);
	return true;
}

/* Every used element: an offered head, no more written than the chain holds. */
static void check_used(const struct virtio_dev *d, const struct built *b)
{
	for (unsigned int q = 0; q < d->ops->nqueues && q < 2; q++) {
		uint64_t used = fake_qbase(q) + 0x800;
		uint16_t idx;

		memcpy(&idx, fake_ram + used + 2, 2);
		if (idx != d->q[q].used_idx)
			abort();
		for (unsigned int i = 0; i < idx && i < FAKE_QSIZE; i++) {
			uint32_t id, len;

			memcpy(&id, fake_ram + used + 4 + 8 * i, 4);
			memcpy(&len, fake_ram + used + 8 + 8 * i, 4);
			if (id >= b->ndesc[q] || len > b->room[q][id])
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct built b;
	struct input in = { data, size };
	struct virtio_dev *d;
	uint8_t sel, feat;

	if (!fake_ram)
		setup();
	if (!take(&in, &sel, 1) || !take(&in, &feat, 1))
		return 0;
	sel = (uint8_t)(sel % (NDEVS - 1) + 1);	/* the read-only disk: blk with feature bit 2 */
	if (sel == DEV_BLK_RO && !(feat & 4))
		sel = DEV_BLK;
	d = devs[sel];
	fake_queues_ready(d, feat & 1, feat & 2);
	memset(&b, 0, sizeof(b));
	b.indir = FAKE_INDIR_BASE;
	b.data = FAKE_DATA_BASE;
	while (build_chain(&in, &b, d->ops->nqueues))
		;
	switch (sel) {
	case DEV_NET:
		fuzz_net_run(d);
		break;
	case DEV_CONSOLE:
		fuzz_console_run(d, data, size);
		break;
	default:
		d->ops->notify(d, 0);
		break;
	}
	if (!b.wild)
		check_used(d, &b);
	return 0;
}
