// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target over each virtio device's request parser: virtio_blk.c,
 * virtio_net.c, virtio_console.c and virtio_rng.c, linked with a fake
 * transport (this file: virtio_add() and the rest of virtio_pci.c's
 * interface) and a fake guest RAM (256 KiB, one heap block, so ASan sees any
 * access outside it).  The disk is a memfd; the TAP a socket pair
 * (fuzz-net.c); the console's output /dev/null (fuzz-console.c).
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dev-fuzz.h"

#define RAM		(256u * 1024)
#define QSIZE		64u
#define MAX_CHAIN	32u
#define MAX_LEN		8192u
#define INDIR_BASE	0x2000u		/* indirect tables up to DATA_BASE */
#define DATA_BASE	0x8000u
#define DISK_SIZE	(64u * 1024)

enum { DEV_BLK, DEV_BLK_RO, DEV_NET, DEV_CONSOLE, DEV_RNG, NDEVS };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct virtio_dev *devs[NDEVS], *added;
static struct vmm vm;
static uint8_t *ram;

/* --- the fake transport --------------------------------------------------- */

struct virtio_dev *virtio_add(struct vmm *v, const struct virtio_ops *ops, void *priv)
{
	struct virtio_dev *d = calloc(1, sizeof(*d));

	if (!d || !(d->chain = malloc(sizeof(*d->chain))))
		abort();
	d->vm = v;
	d->ops = ops;
	d->priv = priv;
	added = d;
	return d;
}

void virtio_queue_interrupt(struct virtio_dev *d, int q)
{
	vq_need_interrupt(&d->q[q], &d->mem);
}

void virtio_needs_reset(struct virtio_dev *d, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	d->status |= 0x40;
}

bool virtio_queue_live(const struct virtio_dev *d, int q)
{
	return q >= 0 && (unsigned int)q < d->ops->nqueues && d->q[q].enabled &&
	       (d->status & 0x44) == 0x04;
}

void virtio_wake(struct virtio_dev *d)
{
	(void)d;			/* the harness kicks the device itself */
}

void vmm_die_input(const char *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
	abort();
}

static struct virtio_dev *add_disk(bool ro)
{
	static char path[VMM_MAX_DISKS][64];
	static struct vmm_disk disk[VMM_MAX_DISKS];
	static unsigned int n;
	int fd = memfd_create("fuzz-disk", MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, DISK_SIZE) != 0)
		abort();
	snprintf(path[n], sizeof(path[n]), "/proc/self/fd/%d", fd);
	disk[n].path = path[n];
	disk[n].read_only = ro;
	virtio_blk_add(&vm, &disk[n], n);
	n++;
	return added;
}

static void setup(void)
{
	ram = malloc(RAM);
	if (!ram)
		abort();
	devs[DEV_BLK] = add_disk(false);
	devs[DEV_BLK_RO] = add_disk(true);
	devs[DEV_NET] = fuzz_net_setup(&vm);
	devs[DEV_CONSOLE] = fuzz_console_setup(&vm);
	virtio_rng_add(&vm);
	devs[DEV_RNG] = added;
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

static uint64_t qbase(unsigned int q)
{
	return 0x1000ull * q;		/* desc at +0, avail at +0x400, used at +0x800 */
}

static void put_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *d = ram + table + 16ull * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void offer(unsigned int q, uint16_t head)
{
	uint64_t avail = qbase(q) + 0x400;
	uint16_t idx;

	memcpy(&idx, ram + avail + 2, 2);
	memcpy(ram + avail + 4 + 2 * (idx % QSIZE), &head, 2);
	idx++;
	memcpy(ram + avail + 2, &idx, 2);
}

struct built {
	unsigned int ndesc[2];		/* descriptor-table entries used per queue */
	uint32_t indir, data;		/* bump pointers */
	uint64_t room[2][QSIZE];	/* writable bytes of the chain at head */
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
		if (b->data + len > RAM)
			return false;
		desc[n].addr = b->data;
		desc[n].len = len;
		desc[n].flags = (ctl & 1) ? VRING_DESC_F_WRITE : 0;
		if (ctl & 1) {
			memset(ram + b->data, 0xa5, len);
			room += len;
		} else {
			size_t k = len < in->left ? len : in->left;

			memset(ram + b->data, 0, len);
			take(in, ram + b->data, k);
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
	if (indirect && b->indir + 16 * n <= DATA_BASE) {
		if (b->ndesc[q] == QSIZE)
			return false;
		for (unsigned int i = 0; i < n; i++)
			put_desc(b->indir, i, desc[i].addr, desc[i].len, desc[i].flags, desc[i].next);
		head = (uint16_t)b->ndesc[q]++;
		put_desc(qbase(q), head, b->indir, 16 * n, VRING_DESC_F_INDIRECT, 0);
		b->indir += 16 * n;
	} else {
		if (b->ndesc[q] + n > QSIZE)
			return false;
		head = (uint16_t)b->ndesc[q];
		for (unsigned int i = 0; i < n; i++)
			put_desc(qbase(q), head + i, desc[i].addr, desc[i].len, desc[i].flags,
				 (uint16_t)(desc[i].next + head));
		b->ndesc[q] += n;
	}
	b->room[q][head] = room;
	b->wild |= wild;
	offer(q, head);
	return true;
}

/* Every used element: an offered head, no more written than the chain holds. */
static void check_used(const struct virtio_dev *d, const struct built *b)
{
	for (unsigned int q = 0; q < d->ops->nqueues && q < 2; q++) {
		uint64_t used = qbase(q) + 0x800;
		uint16_t idx;

		memcpy(&idx, ram + used + 2, 2);
		if (idx != d->q[q].used_idx)
			abort();
		for (unsigned int i = 0; i < idx && i < QSIZE; i++) {
			uint32_t id, len;

			memcpy(&id, ram + used + 4 + 8 * i, 4);
			memcpy(&len, ram + used + 8 + 8 * i, 4);
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

	if (!ram)
		setup();
	if (!take(&in, &sel, 1) || !take(&in, &feat, 1))
		return 0;
	sel = (uint8_t)(sel % (NDEVS - 1) + 1);	/* the read-only disk: blk with feature bit 2 */
	if (sel == DEV_BLK_RO && !(feat & 4))
		sel = DEV_BLK;
	d = devs[sel];
	memset(ram, 0, DATA_BASE);
	memset(&b, 0, sizeof(b));
	b.indir = INDIR_BASE;
	b.data = DATA_BASE;
	d->mem.base = ram;
	d->mem.size = RAM;
	d->status = 0x0f;		/* ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK */
	for (unsigned int q = 0; q < d->ops->nqueues; q++) {
		memset(&d->q[q], 0, sizeof(d->q[q]));
		d->q[q].size = QSIZE;
		d->q[q].desc = qbase(q);
		d->q[q].avail = qbase(q) + 0x400;
		d->q[q].used = qbase(q) + 0x800;
		d->q[q].event_idx = feat & 1;
		d->q[q].indirect = feat & 2;
		d->q[q].enabled = true;
	}
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
