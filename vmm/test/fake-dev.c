// SPDX-License-Identifier: BSD-2-Clause
/*
 * The fake transport, guest RAM and disks of the virtio device tests
 * (test/fake-dev.h says what each is).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake-dev.h"

uint8_t *fake_ram;
struct virtio_dev *fake_added;
char fake_reset_why[256];

/* --- the transport ------------------------------------------------------------ */

struct virtio_dev *virtio_add(struct vmm *v, const struct virtio_ops *ops, void *priv)
{
	struct virtio_dev *d = calloc(1, sizeof(*d));

	if (!d || !(d->chain = malloc(sizeof(*d->chain))))
		abort();
	d->vm = v;
	d->ops = ops;
	d->priv = priv;
	fake_added = d;
	return d;
}

void virtio_queue_interrupt(struct virtio_dev *d, int q)
{
	vq_need_interrupt(&d->q[q], &d->mem);
}

void virtio_needs_reset(struct virtio_dev *d, const char *fmt, ...)
{
	va_list ap;

	d->status |= FAKE_NEEDS_RESET;
	va_start(ap, fmt);
	vsnprintf(fake_reset_why, sizeof(fake_reset_why), fmt, ap);
	va_end(ap);
}

bool virtio_queue_live(const struct virtio_dev *d, int q)
{
	return q >= 0 && (unsigned int)q < d->ops->nqueues && d->q[q].enabled &&
	       (d->status & (FAKE_NEEDS_RESET | 0x04)) == 0x04;
}

void virtio_wake(struct virtio_dev *d)
{
	(void)d;			/* the test kicks the device itself */
}

void vmm_die_input(const char *arg, const char *fmt, ...)
{
	(void)arg;
	(void)fmt;
	abort();
}

/* --- guest RAM, disks and rings ------------------------------------------------------ */

void fake_ram_init(void)
{
	fake_ram = malloc(FAKE_RAM);
	if (!fake_ram)
		abort();
	memset(fake_ram, 0, FAKE_RAM);
}

int fake_disk(struct vmm *vm, bool read_only, uint64_t size, struct virtio_dev **dev)
{
	static char path[VMM_MAX_DISKS][64];
	static struct vmm_disk disk[VMM_MAX_DISKS];
	static unsigned int n;
	int fd = memfd_create("fake-disk", MFD_CLOEXEC);

	if (n == VMM_MAX_DISKS || fd < 0 || ftruncate(fd, (off_t)size) != 0)
		abort();
	snprintf(path[n], sizeof(path[n]), "/proc/self/fd/%d", fd);
	disk[n].path = path[n];
	disk[n].read_only = read_only;
	virtio_blk_add(vm, &disk[n], n);
	n++;
	*dev = fake_added;
	return fd;
}

void fake_queues_ready(struct virtio_dev *d, bool event_idx, bool indirect)
{
	memset(fake_ram, 0, FAKE_DATA_BASE);
	d->mem.base = fake_ram;
	d->mem.size = FAKE_RAM;
	d->status = 0x0f;		/* ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK */
	for (unsigned int q = 0; q < d->ops->nqueues; q++) {
		memset(&d->q[q], 0, sizeof(d->q[q]));
		d->q[q].size = FAKE_QSIZE;
		d->q[q].desc = fake_qbase(q);
		d->q[q].avail = fake_qbase(q) + 0x400;
		d->q[q].used = fake_qbase(q) + 0x800;
		d->q[q].event_idx = event_idx;
		d->q[q].indirect = indirect;
		d->q[q].enabled = true;
	}
}

void fake_put_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t next)
{
	uint8_t *p = fake_ram + table + 16ull * i;

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

void fake_offer(unsigned int q, uint16_t head)
{
	uint64_t avail = fake_qbase(q) + 0x400;
	uint16_t idx;

	memcpy(&idx, fake_ram + avail + 2, 2);
	memcpy(fake_ram + avail + 4 + 2 * (idx % FAKE_QSIZE), &head, 2);
	idx++;
	memcpy(fake_ram + avail + 2, &idx, 2);
}
