/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the host tests and the libFuzzer target of the virtio devices link
 * instead of virtio_pci.c (test/fake-dev.c): a fake transport (virtio_add()
 * and the rest of virtio_pci.c's interface; nothing is mapped or trapped,
 * the test kicks the device itself), a fake guest RAM (one heap block, so
 * ASan sees any access outside it), memfd disks and the helpers that lay
 * out split rings in that RAM.
 *
 * Queue q's rings: the descriptor table at fake_qbase(q), the available
 * ring at + 0x400, the used ring at + 0x800 (queues 0 and 1 fit below
 * FAKE_INDIR_BASE); indirect tables from FAKE_INDIR_BASE, buffers from
 * FAKE_DATA_BASE.
 */
#ifndef ZXHV_FAKE_DEV_H_
#define ZXHV_FAKE_DEV_H_

#include "../virtio.h"

#define FAKE_RAM		(256u * 1024)
#define FAKE_QSIZE		64u
#define FAKE_INDIR_BASE		0x2000u
#define FAKE_DATA_BASE		0x8000u
#define FAKE_NEEDS_RESET	0x40

extern uint8_t *fake_ram;		/* FAKE_RAM bytes, after fake_ram_init() */
extern struct virtio_dev *fake_added;	/* the device virtio_add() made last */
extern char fake_reset_why[256];	/* virtio_needs_reset()'s last reason */

void fake_ram_init(void);

/* A virtio-blk device on a new memfd of size bytes; returns the memfd. */
int fake_disk(struct vmm *vm, bool read_only, uint64_t size, struct virtio_dev **dev);

/* Empties d's rings (fake_ram below FAKE_DATA_BASE) and makes every queue live. */
void fake_queues_ready(struct virtio_dev *d, bool event_idx, bool indirect);

static inline uint64_t fake_qbase(unsigned int q)
{
	return 0x1000ull * q;
}

void fake_put_desc(uint64_t table, unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		   uint16_t next);
/* Makes head the next available entry of queue q. */
void fake_offer(unsigned int q, uint16_t head);

#endif /* ZXHV_FAKE_DEV_H_ */
