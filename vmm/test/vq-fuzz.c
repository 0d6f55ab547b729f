// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target over the split-virtqueue walker (vmm/virtqueue.c).  The
 * input's first 8 bytes choose the queue (size, ring addresses, negotiated
 * features); the rest is the guest RAM (64 KiB, a heap block of exactly
 * that size, so ASan sees any access outside it).  Every chain the walker
 * accepts has each of its buffers read and written in full, then goes back
 * on the used ring.  make -C vmm fuzz-check runs it over the seed corpus
 * (vmm/test/vq-corpus) and a bounded number of new inputs.
 */
#include <stdlib.h>
#include <string.h>

#include "../virtqueue.h"

#define RAM	65536u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vq_chain chain;
	struct gmem m;
	struct vq q;
	char why[256];
	uint8_t *ram;

	if (size < 8)
		return 0;
	ram = calloc(1, RAM);
	if (!ram)
		return 0;
	memcpy(ram, data + 8, size - 8 < RAM ? size - 8 : RAM);
	m.base = ram;
	m.size = RAM;
	memset(&q, 0, sizeof(q));
	q.size = (uint16_t)(1u << (data[0] % 11));
	q.desc = (uint64_t)(data[1] | (data[2] << 8)) & ~15ull;
	q.avail = (uint64_t)(data[3] | (data[4] << 8)) & ~1ull;
	q.used = (uint64_t)(data[5] | (data[6] << 8)) & ~3ull;
	q.indirect = data[7] & 1;
	q.event_idx = data[7] & 2;
	q.last_avail = (uint16_t)(data[7] >> 2);
	q.enabled = true;
	if (vq_check_layout(&q, &m, why, sizeof(why))) {
		for (int i = 0; i < 64; i++) {
			uint32_t sum = 0;

			if (vq_pop(&q, &m, &chain, why, sizeof(why)) <= 0)
				break;
			for (unsigned int b = 0; b < chain.nbufs; b++) {
				for (uint32_t k = 0; k < chain.buf[b].len; k++)
					sum += chain.buf[b].ptr[k];
				if (chain.buf[b].write)
					memset(chain.buf[b].ptr, (int)(sum & 0xff), chain.buf[b].len);
			}
			vq_push(&q, &m, chain.head, (uint32_t)chain.write_len);
			vq_need_interrupt(&q, &m);
		}
	}
	free(ram);
	return 0;
}
