/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtio devices on the modern (1.x) PCI transport (virtio_pci.c); the
 * devices are virtio_rng.c, virtio_console.c and virtio_blk.c.  Each device
 * has a port and a thread: the guest's queue notifications arrive there as
 * BELL packets (the VCPU never leaves the guest for a kick); host-side
 * events (console input) as user packets.
 */
#ifndef ZXHV_VIRTIO_H_
#define ZXHV_VIRTIO_H_

#include "virtqueue.h"
#include "vmm.h"

#define VIRTIO_MAX_QUEUES	4
#define VIRTIO_MAX_DEVICES	(VMM_MAX_DISKS + 3)

#define VIRTIO_ID_NET		1
#define VIRTIO_ID_BLOCK		2
#define VIRTIO_ID_CONSOLE	3
#define VIRTIO_ID_RNG		4

#define VIRTIO_F_RING_INDIRECT_DESC	(1ull << 28)
#define VIRTIO_F_RING_EVENT_IDX		(1ull << 29)
#define VIRTIO_F_VERSION_1		(1ull << 32)

struct virtio_dev;

struct virtio_ops {
	const char *name;
	uint16_t device_id;
	uint32_t class_code;		/* PCI class, subclass, prog-if */
	uint64_t features;		/* device-specific bits */
	unsigned int nqueues;
	uint16_t queue_size;
	uint32_t config_len;
	/* Device configuration space, little-endian, config_len bytes. */
	void (*config)(struct virtio_dev *d, uint8_t *buf);
	/* Queue q was kicked (or the device thread was woken, q = -1); lock held. */
	void (*notify)(struct virtio_dev *d, int q);
	void (*reset)(struct virtio_dev *d);	/* lock held */
};

struct virtio_dev {
	struct vmm *vm;
	const struct virtio_ops *ops;
	void *priv;
	pthread_mutex_t lock;
	zx_handle_t port;
	unsigned int slot;
	uint64_t bar;			/* GPA of BAR0 */
	struct gmem mem;
	uint64_t driver_features;
	uint32_t dev_feature_sel, drv_feature_sel;
	uint8_t status, config_gen, isr;
	uint16_t msix_config, queue_sel;
	struct vq q[VIRTIO_MAX_QUEUES];
	struct vq_chain *chain;		/* scratch for the device thread */
	uint8_t pci[256];		/* configuration space */
	bool bar_probe;
	uint32_t msix[VIRTIO_MAX_QUEUES + 1][4];	/* addr lo, addr hi, data, control */
	uint64_t pba;
	unsigned int gsi;
	unsigned long resets;		/* NEEDS_RESET events (virtio_needs_reset) */
};

/* virtio_pci.c */
struct virtio_dev *virtio_add(struct vmm *vm, const struct virtio_ops *ops, void *priv);
/* Interrupts the driver for queue q if it asks for one (lock held). */
void virtio_queue_interrupt(struct virtio_dev *d, int q);
/*
 * A malformed ring: DEVICE_NEEDS_RESET and a config interrupt (lock held);
 * a line on stderr for each of the device's first five, then only a count
 * that virtio_exit_report() prints.
 */
void virtio_needs_reset(struct virtio_dev *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Is queue q live (DRIVER_OK, enabled, not NEEDS_RESET)? */
bool virtio_queue_live(const struct virtio_dev *d, int q);
/* Wakes the device thread (notify with q = -1). */
void virtio_wake(struct virtio_dev *d);

/*
 * Serves live queue q with fn (vq_serve), then interrupts the driver if
 * anything was served, or puts the device into NEEDS_RESET if the ring or a
 * request was malformed (lock held).  Every device's queue loop is this.
 */
static inline void virtio_serve_queue(struct virtio_dev *d, int q, vq_handler fn, void *ctx)
{
	char why[256];
	int n;

	if (!virtio_queue_live(d, q))
		return;
	n = vq_serve(&d->q[q], &d->mem, d->chain, fn, ctx, why, sizeof(why));
	if (n < 0)
		virtio_needs_reset(d, "queue %d: %s", q, why);
	else if (n > 0)
		virtio_queue_interrupt(d, q);
}

/* The devices. */
void virtio_rng_add(struct vmm *vm);
void virtio_console_add(struct vmm *vm);
/* Queues a byte of host input; when the queue is full, waits for room, or (!wait) returns false. */
bool virtio_console_receive(uint8_t byte, bool wait);
void virtio_blk_add(struct vmm *vm, const struct vmm_disk *disk, unsigned int index);
void virtio_blk_report(void);
void virtio_net_add(struct vmm *vm);
void virtio_net_report(void);

#endif /* ZXHV_VIRTIO_H_ */
