// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-rng (virtio 1.x §5.4): one queue of device-writable buffers, each
 * filled from the host's getrandom(2) and returned with the bytes written.
 * No feature bits, no configuration.  A read-only buffer in a request is a
 * malformed request (the device has nothing to read).
 */
#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

#include "virtio.h"

#define RNG_CHUNK	65536u	/* at most this much per request */

/* One request: fill the device-writable buffers from getrandom(2). */
static enum vq_result rng_request(void *ctx, const struct vq_chain *c, uint32_t *written,
				  char *why, size_t len)
{
	(void)ctx;
	if (c->nread) {
		snprintf(why, len, "a device-readable buffer");
		return VQ_MALFORMED;
	}
	for (unsigned int b = 0; b < c->nbufs && *written < RNG_CHUNK; b++) {
		uint32_t want = c->buf[b].len, got = 0;

		if (want > RNG_CHUNK - *written)
			want = RNG_CHUNK - *written;
		while (got < want) {
			ssize_t n = getrandom(c->buf[b].ptr + got, want - got, 0);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			got += (uint32_t)n;
		}
		*written += got;
		if (got < want)
			break;
	}
	return VQ_SERVED;
}

static void rng_notify(struct virtio_dev *d, int q)
{
	if (q <= 0)			/* q = -1: the driver just set DRIVER_OK */
		virtio_serve_queue(d, 0, rng_request, NULL);
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
