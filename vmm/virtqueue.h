/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Split virtqueues (virtio 1.x §2.7) as a device sees them: the driver's
 * descriptor table, available ring and used ring live in guest RAM, which
 * the VMM maps once.  Everything read from guest memory is hostile: each
 * descriptor is copied before it is checked, every buffer must lie inside
 * guest RAM, chains are bounded (a loop is a chain that never ends), and any
 * violation is reported as an error that the transport turns into
 * DEVICE_NEEDS_RESET.  This file depends on nothing but libc, so the host
 * unit test (vmm/test/vq-test.c) links it alone.
 */
#ifndef ZXHV_VIRTQUEUE_H_
#define ZXHV_VIRTQUEUE_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_MAX_SIZE		1024	/* the largest queue a device offers */
#define VQ_MAX_BUFS		1024	/* buffers in one chain, indirect included */

#define VRING_DESC_F_NEXT	1
#define VRING_DESC_F_WRITE	2
#define VRING_DESC_F_INDIRECT	4
#define VRING_AVAIL_F_NO_INTERRUPT 1

/* Guest RAM as the VMM maps it: GPA g is at base + g for g < size. */
struct gmem {
	uint8_t *base;
	uint64_t size;
};

struct vq {
	uint16_t size;		/* a power of 2, <= VQ_MAX_SIZE */
	bool enabled;
	bool event_idx;		/* VIRTIO_F_RING_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_F_RING_INDIRECT_DESC negotiated */
	uint16_t msix_vector;
	uint64_t desc, avail, used;	/* GPAs */
	uint16_t last_avail;	/* next available entry the device takes */
	uint16_t used_idx;	/* the used index the device last published */
	uint16_t signalled_used;	/* used_idx at the last interrupt */
	bool signalled_valid;
};

struct vq_buf {
	uint8_t *ptr;		/* inside guest RAM */
	uint32_t len;
	bool write;		/* device-writable */
};

struct vq_chain {
	uint16_t head;
	unsigned int nbufs;
	unsigned int nread;	/* the first nread buffers are device-readable */
	uint64_t read_len, write_len;
	struct vq_buf buf[VQ_MAX_BUFS];
};

/* Checks the ring addresses when the driver enables the queue; false with a reason. */
bool vq_check_layout(const struct vq *q, const struct gmem *m, char *why, size_t len);

/*
 * Takes the next available chain.  Returns 1 with *c filled, 0 when the ring
 * is empty, -1 with a reason when the ring or the chain is malformed.
 */
int vq_pop(struct vq *q, const struct gmem *m, struct vq_chain *c, char *why, size_t len);

/* Puts the chain vq_pop() just took back (the device could not use it yet). */
void vq_unpop(struct vq *q);

/* Returns a chain to the driver with the number of bytes written into it. */
void vq_push(struct vq *q, const struct gmem *m, uint16_t head, uint32_t written);

/* After pushes: does the driver want an interrupt now (EVENT_IDX or the flag)? */
bool vq_need_interrupt(struct vq *q, const struct gmem *m);

/*
 * What a device's request handler made of one chain: VQ_SERVED returns it to
 * the driver with *written bytes; VQ_LATER puts it back and stops serving (the
 * device cannot take it now, e.g. no input to give); VQ_MALFORMED is a
 * malformed request, with the reason in why.
 */
enum vq_result { VQ_SERVED, VQ_LATER, VQ_MALFORMED };
typedef enum vq_result (*vq_handler)(void *ctx, const struct vq_chain *c, uint32_t *written,
				     char *why, size_t len);

/*
 * The device side of a queue: pops each available chain into *c, hands it to
 * fn and pushes it back, until the ring is empty or fn says VQ_LATER.
 * Returns the number of chains pushed, or -1 with a reason in why when the
 * ring or a request is malformed (the chains served before it are pushed).
 */
int vq_serve(struct vq *q, const struct gmem *m, struct vq_chain *c, vq_handler fn, void *ctx,
	     char *why, size_t len);

/* Copies out of / into a chain's readable / writable buffers, from byte off. */
size_t vq_copy_from(const struct vq_chain *c, uint64_t off, void *dst, size_t n);
size_t vq_copy_to(const struct vq_chain *c, uint64_t off, const void *src, size_t n);

#endif /* ZXHV_VIRTQUEUE_H_ */
