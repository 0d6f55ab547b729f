// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-rng (virtio 1.x §5.4): one queue of device-writable buffers, each
 * filled from the host's getrandom(2) and returned with the bytes written.
 * No feature bits, no configuration.  A read-only buffer in a request is a
 * malformed request (the device has nothing to read).
 */
#include <errno.h>
#include <sys/random.h>

#include "virtio.h"

#define RNG_CHUNK	65536u	/* at most this much per request */

static void rng_notify(struct virtio_dev *d, int q)
{
	struct vq_chain *c = d->chain;
	char why[256];
	bool done = false;
	int r;

	if (q > 0 || !virtio_queue_live(d, 0))
		return;			/* q = -1: the driver just set DRIVER_OK */
	while ((r = vq_pop(&d->q[0], &d->mem, c, why, sizeof(why))) > 0) {
		uint32_t written = 0;

		if (c->nread) {
			virtio_needs_reset(d, "request %u has a device-readable buffer", c->head);
			return;
		}
		for (unsigned int b = 0; b < c->nbufs && written < RNG_CHUNK; b++) {
			uint32_t want = c->buf[b].len, got = 0;

			if (want > RNG_CHUNK - written)
				want = RNG_CHUNK - written;
			while (got < want) {
				ssize_t n = getrandom(c->buf[b].ptr + got, want - got, 0);

				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0)
					break;
				got += (uint32_t)n;
			}
			written += got;
			if (got < want)
				break;
		}
		vq_push(&d->q[0], &d->mem, c->head, written);
		done = true;
	}
	if (r < 0)
		virtio_needs_reset(d, "queue 0: %s", why);
	else if (done)
		virtio_queue_interrupt(d, 0);
}

static void rng_config(struct virtio_dev *d, uint8_t *buf)
{
	(void)d;
	(void)buf;
}

static const struct virtio_ops rng_ops = {
	.name = "rng",
	.device_id = VIRTIO_ID_RNG,
	.class_code = 0xff0000,		/* unclassified device */
	.nqueues = 1,
	.queue_size = 64,
	.config_len = 0,
	.config = rng_config,
	.notify = rng_notify,
};

void virtio_rng_add(struct vmm *vm)
{
	virtio_add(vm, &rng_ops, NULL);
}
