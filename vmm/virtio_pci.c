// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtio 1.x PCI transport (virtio 1.x §4.1), modern only: vendor
 * 0x1af4, device 0x1040 + the virtio device ID, revision 1.  Each device is a
 * function on bus 0 (pci.c) with one 8 KiB memory BAR at a fixed address
 * inside the host bridge's window (pci_acpi.c):
 *
 *   BAR0 + 0x0000  common configuration (0x38 bytes)      MEM trap page
 *   BAR0 + 0x0100  ISR status (read clears)
 *   BAR0 + 0x0200  device configuration
 *   BAR0 + 0x0400  MSI-X table (one vector per queue + config)
 *   BAR0 + 0x0600  MSI-X pending bits
 *   BAR0 + 0x1000  notifications: queue n at + 4n          BELL trap page
 *
 * Capabilities in configuration space: common, notify (multiplier 4), ISR,
 * device (vendor-specific, ID 0x09) and MSI-X.  A guest's write to the
 * notification page never leaves the guest: zircon-hv queues a BELL packet
 * on the device's port and the device thread takes it.  Interrupts go out
 * from the device thread: an MSI-X message to the in-kernel x2APIC of its
 * destination (zx_vcpu_interrupt), or, while MSI-X is off, an edge on the
 * function's IO APIC input with the ISR bit set.
 *
 * The BAR is fixed because a trap cannot move: the driver's sizing write
 * (all ones) reads back the size, any other write leaves the address as it
 * is, which Linux accepts since the address lies in the bridge's window.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/status.h>

#include "virtio.h"

#define BAR_BASE		PCI_WINDOW_BASE
#define BAR_SIZE		0x2000u
#define OFF_COMMON		0x000
#define LEN_COMMON		0x38
#define OFF_ISR			0x100
#define OFF_DEVICE		0x200
#define OFF_MSIX		0x400
#define OFF_PBA			0x600
#define OFF_NOTIFY		0x1000
#define NOTIFY_MULT		4
#define NVEC			(VIRTIO_MAX_QUEUES + 1)

#define CAP_COMMON		0x40
#define CAP_NOTIFY		0x50
#define CAP_ISR			0x64
#define CAP_DEVICE		0x74
#define CAP_MSIX		0x84

#define STATUS_ACK		0x01
#define STATUS_DRIVER		0x02
#define STATUS_DRIVER_OK	0x04
#define STATUS_FEATURES_OK	0x08
#define STATUS_NEEDS_RESET	0x40
#define NO_VECTOR		0xffff

#define RESET_MESSAGES		5	/* NEEDS_RESET lines per device (virtio_needs_reset) */

#define MSIX_ENABLE		0x8000
#define MSIX_FMASK		0x4000
#define CMD_INTX_DISABLE	0x0400

static struct virtio_dev *devs[VIRTIO_MAX_DEVICES];
static unsigned int ndevs;
static const unsigned int intx_gsi[] = { 5, 10, 11 };

static uint64_t offered(const struct virtio_dev *d)
{
	return d->ops->features | VIRTIO_F_VERSION_1 | VIRTIO_F_RING_EVENT_IDX |
	       VIRTIO_F_RING_INDIRECT_DESC;
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static uint16_t get16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

static void cap(uint8_t *c, uint8_t next, uint8_t len, uint8_t type, uint32_t off, uint32_t n)
{
	c[0] = 0x09;			/* vendor-specific */
	c[1] = next;
	c[2] = len;
	c[3] = type;
	c[4] = 0;			/* BAR0 */
	put32(c + 8, off);
	put32(c + 12, n);
}

/* --- interrupts ---------------------------------------------------------- */

static void send_msi(struct virtio_dev *d, unsigned int v)
{
	uint64_t addr = d->msix[v][0] | ((uint64_t)d->msix[v][1] << 32), mask;
	uint32_t data = d->msix[v][2], dest = (addr >> 12) & 0xff;
	unsigned int mode = (data >> 8) & 7;
	uint8_t vector = (uint8_t)data;

	if ((addr >> 20) != 0xfee || (mode != 0 && mode != 1 && mode != 4))
		return;				/* not an interrupt message we can deliver */
	if (mode == 4)
		vector = 2;			/* NMI */
	else if (vector < 16)
		return;				/* a vector a local APIC refuses */
	mask = apic_dest_mask((uint8_t)dest, addr & 4, mode == 1);	/* bit 2: logical */
	if (mask)
		vcpu_interrupt_mask(d->vm, mask, vector);
}

static bool msix_on(const struct virtio_dev *d)
{
	return get16(d->pci + CAP_MSIX + 2) & MSIX_ENABLE;
}

/* Interrupt of vector v (MSI-X) or the INTx edge; the ISR bit is already set. */
static void raise_irq(struct virtio_dev *d, uint16_t v)
{
	if (msix_on(d)) {
		if (v >= NVEC)
			return;
		if ((get16(d->pci + CAP_MSIX + 2) & MSIX_FMASK) || (d->msix[v][3] & 1))
			d->pba |= 1ull << v;
		else
			send_msi(d, v);
	} else if (!(get16(d->pci + 4) & CMD_INTX_DISABLE)) {
		ioapic_raise(d->vm, d->gsi);
	}
}

/* Delivers the pending vectors that are no longer masked. */
static void msix_flush(struct virtio_dev *d)
{
	if (!msix_on(d) || (get16(d->pci + CAP_MSIX + 2) & MSIX_FMASK))
		return;
	for (unsigned int v = 0; v < NVEC; v++)
		if ((d->pba & (1ull << v)) && !(d->msix[v][3] & 1)) {
			d->pba &= ~(1ull << v);
			send_msi(d, v);
		}
}

void virtio_queue_interrupt(struct virtio_dev *d, int q)
{
	if (!vq_need_interrupt(&d->q[q], &d->mem))
		return;
	d->isr |= 1;
	raise_irq(d, d->q[q].msix_vector);
}

static void config_interrupt(struct virtio_dev *d)
{
	d->isr |= 2;
	raise_irq(d, d->msix_config);
}

/*
 * A guest can loop reset -> bad queue -> reset: the first RESET_MESSAGES
 * events of a device are printed, the others only counted for
 * virtio_exit_report().
 */
void virtio_needs_reset(struct virtio_dev *d, const char *fmt, ...)
{
	unsigned long n = __atomic_add_fetch(&d->resets, 1, __ATOMIC_RELAXED);
	char why[256];
	va_list ap;

	if (n <= RESET_MESSAGES) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
		fprintf(stderr, "zxhv-vmm: virtio-%s at 00:%02x.0: %s: device needs reset%s\r\n",
			d->ops->name, d->slot, why,
			n == RESET_MESSAGES ? " (any more are counted, reported at exit)" : "");
	}
	d->status |= STATUS_NEEDS_RESET;
	d->config_gen++;
	if (d->status & STATUS_DRIVER_OK)
		config_interrupt(d);
}

bool virtio_queue_live(const struct virtio_dev *d, int q)
{
	return q >= 0 && (unsigned int)q < d->ops->nqueues && d->q[q].enabled &&
	       (d->status & (STATUS_DRIVER_OK | STATUS_NEEDS_RESET)) == STATUS_DRIVER_OK;
}

/* --- the device thread ------------------------------------------------------ */

void virtio_wake(struct virtio_dev *d)
{
	zx_port_packet_t p;

	memset(&p, 0, sizeof(p));
	zx_port_queue(d->port, &p);	/* a full queue already holds a wake-up */
}

static void *device_thread(void *arg)
{
	struct virtio_dev *d = arg;

	for (;;) {
		zx_port_packet_t p;
		zx_status_t s = zx_port_wait(d->port, ZX_TIME_INFINITE, &p);

		if (s != ZX_OK) {
			vmm_stop(d->vm, VMM_FAILED, "virtio-%s: zx_port_wait: %s", d->ops->name,
				 zx_status_get_string(s));
			return NULL;
		}
		pthread_mutex_lock(&d->lock);
		if (p.type == ZX_PKT_TYPE_GUEST_BELL) {
			uint64_t off = p.guest_bell.addr - (d->bar + OFF_NOTIFY);
			int q = (int)(off / NOTIFY_MULT);

			if (off < 0x1000 && virtio_queue_live(d, q))
				d->ops->notify(d, q);
		} else if (p.type == ZX_PKT_TYPE_USER) {
			d->ops->notify(d, -1);
		}
		pthread_mutex_unlock(&d->lock);
	}
}

/* --- common configuration ---------------------------------------------------- */

static void reset_locked(struct virtio_dev *d)
{
	d->status = 0;
	d->isr = 0;
	d->driver_features = 0;
	d->dev_feature_sel = d->drv_feature_sel = 0;
	d->msix_config = NO_VECTOR;
	d->queue_sel = 0;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		memset(&d->q[i], 0, sizeof(d->q[i]));
		d->q[i].size = d->ops->queue_size;
		d->q[i].msix_vector = NO_VECTOR;
	}
	if (d->ops->reset)
		d->ops->reset(d);
}

static struct vq *selected(struct virtio_dev *d)
{
	return d->queue_sel < d->ops->nqueues ? &d->q[d->queue_sel] : NULL;
}

static void common_image(struct virtio_dev *d, uint8_t *c)
{
	struct vq *q = selected(d);
	uint64_t f = offered(d);

	memset(c, 0, LEN_COMMON);
	put32(c + 0x00, d->dev_feature_sel);
	put32(c + 0x04, d->dev_feature_sel < 2 ? (uint32_t)(f >> (32 * d->dev_feature_sel)) : 0);
	put32(c + 0x08, d->drv_feature_sel);
	put32(c + 0x0c, d->drv_feature_sel < 2 ?
	      (uint32_t)(d->driver_features >> (32 * d->drv_feature_sel)) : 0);
	put16(c + 0x10, d->msix_config);
	put16(c + 0x12, (uint16_t)d->ops->nqueues);
	c[0x14] = d->status;
	c[0x15] = d->config_gen;
	put16(c + 0x16, d->queue_sel);
	if (q) {
		put16(c + 0x18, q->size);
		put16(c + 0x1a, q->msix_vector);
		put16(c + 0x1c, q->enabled);
		put16(c + 0x1e, d->queue_sel);
		memcpy(c + 0x20, &q->desc, 8);
		memcpy(c + 0x28, &q->avail, 8);
		memcpy(c + 0x30, &q->used, 8);
	} else {
		put16(c + 0x1a, NO_VECTOR);
	}
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	*v = high ? (*v & 0xffffffffull) | ((uint64_t)val << 32) : (*v & ~0xffffffffull) | val;
}

static void write_status(struct virtio_dev *d, uint8_t val)
{
	bool ok_now = (val & STATUS_DRIVER_OK) && !(d->status & STATUS_DRIVER_OK);

	if (val == 0) {
		reset_locked(d);
		return;
	}
	if ((val & STATUS_FEATURES_OK) && !(d->status & STATUS_FEATURES_OK) &&
	    ((d->driver_features & ~offered(d)) || !(d->driver_features & VIRTIO_F_VERSION_1)))
		val &= (uint8_t)~STATUS_FEATURES_OK;	/* the driver reads it back and gives up */
	d->status = (uint8_t)((val & ~STATUS_NEEDS_RESET) | (d->status & STATUS_NEEDS_RESET));
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		d->q[i].event_idx = d->driver_features & VIRTIO_F_RING_EVENT_IDX;
		d->q[i].indirect = d->driver_features & VIRTIO_F_RING_INDIRECT_DESC;
	}
	if (ok_now)
		virtio_wake(d);		/* buffers made available before DRIVER_OK */
}

static void common_write(struct virtio_dev *d, unsigned int off, unsigned int size, uint32_t val)
{
	struct vq *q = selected(d);
	bool q_writable = q && !q->enabled;
	char why[256];

	switch (off | (size << 8)) {
	case 0x00 | (4 << 8): d->dev_feature_sel = val; break;
	case 0x08 | (4 << 8): d->drv_feature_sel = val; break;
	case 0x0c | (4 << 8):
		if (d->drv_feature_sel < 2 && !(d->status & STATUS_FEATURES_OK))
			set_half(&d->driver_features, d->drv_feature_sel == 1, val);
		break;
	case 0x10 | (2 << 8): d->msix_config = val < NVEC ? (uint16_t)val : NO_VECTOR; break;
	case 0x14 | (1 << 8): write_status(d, (uint8_t)val); break;
	case 0x16 | (2 << 8): d->queue_sel = (uint16_t)val; break;
	case 0x18 | (2 << 8):
		if (q_writable && val && val <= d->ops->queue_size && !(val & (val - 1)))
			q->size = (uint16_t)val;
		break;
	case 0x1a | (2 << 8):
		if (q)
			q->msix_vector = val < NVEC ? (uint16_t)val : NO_VECTOR;
		break;
	case 0x1c | (2 << 8):
		if (q_writable && val == 1) {
			if (!vq_check_layout(q, &d->mem, why, sizeof(why))) {
				virtio_needs_reset(d, "queue %u: %s", d->queue_sel, why);
				break;
			}
			q->enabled = true;
		}
		break;
	case 0x20 | (4 << 8): case 0x24 | (4 << 8):
		if (q_writable)
			set_half(&q->desc, off & 4, val);
		break;
	case 0x28 | (4 << 8): case 0x2c | (4 << 8):
		if (q_writable)
			set_half(&q->avail, off & 4, val);
		break;
	case 0x30 | (4 << 8): case 0x34 | (4 << 8):
		if (q_writable)
			set_half(&q->used, off & 4, val);
		break;
	default:
		break;			/* read-only fields and odd sizes */
	}
}

/* --- BAR0 ------------------------------------------------------------------------ */

static uint64_t bar_read(struct virtio_dev *d, unsigned int off, unsigned int size)
{
	uint8_t img[256];
	uint64_t v = 0;

	if (off < OFF_COMMON + LEN_COMMON && off + size <= OFF_COMMON + LEN_COMMON) {
		common_image(d, img);
		memcpy(&v, img + off, size);
	} else if (off == OFF_ISR) {
		v = d->isr;
		d->isr = 0;
	} else if (off >= OFF_DEVICE && off + size <= OFF_DEVICE + d->ops->config_len) {
		memset(img, 0, sizeof(img));
		d->ops->config(d, img);
		memcpy(&v, img + off - OFF_DEVICE, size);
	} else if (off >= OFF_MSIX && off + size <= OFF_MSIX + 16 * NVEC && size == 4) {
		v = d->msix[(off - OFF_MSIX) / 16][(off & 15) / 4];
	} else if (off >= OFF_PBA && off + size <= OFF_PBA + 8) {
		v = d->pba >> (8 * (off - OFF_PBA));
		if (size < 8)
			v &= (1ull << (8 * size)) - 1;
	}
	return v;
}

static void bar_write(struct virtio_dev *d, unsigned int off, unsigned int size, uint64_t val)
{
	if (off < OFF_COMMON + LEN_COMMON) {
		common_write(d, off, size, (uint32_t)val);
	} else if (off >= OFF_MSIX && off + size <= OFF_MSIX + 16 * NVEC && size == 4) {
		unsigned int v = (off - OFF_MSIX) / 16, w = (off & 15) / 4;

		d->msix[v][w] = (uint32_t)val;
		if (w == 3)
			msix_flush(d);
	}
	/* ISR, device configuration (nothing writable), PBA: ignored. */
}

bool virtio_mmio(struct vmm *vm, uint64_t gpa, bool write, uint64_t *val, unsigned int size)
{
	(void)vm;
	for (unsigned int i = 0; i < ndevs; i++) {
		struct virtio_dev *d = devs[i];

		if (gpa < d->bar || gpa >= d->bar + OFF_NOTIFY)
			continue;
		pthread_mutex_lock(&d->lock);
		if (write)
			bar_write(d, (unsigned int)(gpa - d->bar), size, *val);
		else
			*val = bar_read(d, (unsigned int)(gpa - d->bar), size);
		pthread_mutex_unlock(&d->lock);
		return true;
	}
	return false;
}

/* --- PCI configuration space ------------------------------------------------------- */

static void cfg_read(void *ctx, unsigned int off, unsigned int size, uint32_t *val)
{
	struct virtio_dev *d = ctx;
	uint8_t img[256];
	uint32_t v = 0;

	pthread_mutex_lock(&d->lock);
	memcpy(img, d->pci, sizeof(img));
	if (d->bar_probe)
		put32(img + 0x10, ~(BAR_SIZE - 1u));	/* the size, for the sizing write */
	memcpy(&v, img + off, size);
	pthread_mutex_unlock(&d->lock);
	*val = v;
}

static void cfg_write(void *ctx, unsigned int off, unsigned int size, uint32_t val)
{
	struct virtio_dev *d = ctx;

	pthread_mutex_lock(&d->lock);
	if (off == 0x10 && size == 4)
		d->bar_probe = val == 0xffffffffu;
	for (unsigned int i = 0; i < size; i++) {
		unsigned int o = off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));

		if (o == 0x04)
			d->pci[o] = b & 0x07;		/* IO, memory, bus master */
		else if (o == 0x05)
			d->pci[o] = b & 0x04;		/* INTx disable */
		else if (o == 0x3c)
			d->pci[o] = b;			/* interrupt line */
		else if (o == CAP_MSIX + 3)
			d->pci[o] = (uint8_t)((d->pci[o] & 0x3f) | (b & 0xc0));
	}
	msix_flush(d);
	pthread_mutex_unlock(&d->lock);
}

static void build_config_space(struct virtio_dev *d)
{
	uint8_t *c = d->pci;

	put16(c + 0x00, 0x1af4);
	put16(c + 0x02, (uint16_t)(0x1040 + d->ops->device_id));
	put16(c + 0x06, 0x0010);			/* capabilities list */
	c[0x08] = 1;					/* revision 1: modern */
	c[0x09] = (uint8_t)d->ops->class_code;
	c[0x0a] = (uint8_t)(d->ops->class_code >> 8);
	c[0x0b] = (uint8_t)(d->ops->class_code >> 16);
	put32(c + 0x10, (uint32_t)d->bar);		/* 32-bit memory BAR */
	put16(c + 0x2c, 0x1af4);
	put16(c + 0x2e, d->ops->device_id);
	c[0x34] = CAP_COMMON;
	c[0x3c] = (uint8_t)d->gsi;
	c[0x3d] = 1;					/* INTA# */
	cap(c + CAP_COMMON, CAP_NOTIFY, 16, 1, OFF_COMMON, LEN_COMMON);
	cap(c + CAP_NOTIFY, CAP_ISR, 20, 2, OFF_NOTIFY, NOTIFY_MULT * d->ops->nqueues);
	put32(c + CAP_NOTIFY + 16, NOTIFY_MULT);
	/* No device configuration: no capability (a zero-length one fails Linux's probe). */
	cap(c + CAP_ISR, d->ops->config_len ? CAP_DEVICE : CAP_MSIX, 16, 3, OFF_ISR, 4);
	if (d->ops->config_len)
		cap(c + CAP_DEVICE, CAP_MSIX, 16, 4, OFF_DEVICE, d->ops->config_len);
	c[CAP_MSIX] = 0x11;
	c[CAP_MSIX + 1] = 0;
	put16(c + CAP_MSIX + 2, NVEC - 1);
	put32(c + CAP_MSIX + 4, OFF_MSIX);		/* BIR 0 */
	put32(c + CAP_MSIX + 8, OFF_PBA);
}

struct virtio_dev *virtio_add(struct vmm *vm, const struct virtio_ops *ops, void *priv)
{
	struct virtio_dev *d;
	struct pci_device pd;
	pthread_t t;
	zx_status_t s;

	if (ndevs == VIRTIO_MAX_DEVICES || ops->nqueues > VIRTIO_MAX_QUEUES ||
	    ops->config_len > 256 - 0x40) {
		fprintf(stderr, "zxhv-vmm: too many virtio devices\n");
		exit(EXIT_VM_FAILURE);
	}
	d = calloc(1, sizeof(*d));
	if (d)
		d->chain = malloc(sizeof(*d->chain));
	if (!d || !d->chain) {
		fprintf(stderr, "zxhv-vmm: out of memory\n");
		exit(EXIT_VM_FAILURE);
	}
	d->vm = vm;
	d->ops = ops;
	d->priv = priv;
	d->slot = ndevs + 1;
	d->bar = BAR_BASE + (uint64_t)ndevs * BAR_SIZE;
	d->gsi = intx_gsi[ndevs % 3];
	d->mem.base = vm->mem;
	d->mem.size = vm->mem_size;
	pthread_mutex_init(&d->lock, NULL);
	for (unsigned int v = 0; v < NVEC; v++)
		d->msix[v][3] = 1;			/* masked */
	build_config_space(d);
	reset_locked(d);

	s = zx_port_create(0, &d->port);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_MEM, d->bar, 0x1000,
				      ZX_HANDLE_INVALID, 0);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_BELL, d->bar + OFF_NOTIFY, 0x1000,
				      d->port, d->slot);
	if (s != ZX_OK) {
		fprintf(stderr, "zxhv-vmm: virtio-%s: setting up its traps: %s\n", ops->name,
			zx_status_get_string(s));
		exit(EXIT_VM_FAILURE);
	}
	if (pthread_create(&t, NULL, device_thread, d) != 0) {
		fprintf(stderr, "zxhv-vmm: virtio-%s: cannot start its thread\n", ops->name);
		exit(EXIT_VM_FAILURE);
	}
	pthread_detach(t);
	pd.ctx = d;
	pd.read = cfg_read;
	pd.write = cfg_write;
	pci_add_device(d->slot, &pd);
	devs[ndevs++] = d;
	return d;
}

void virtio_setup(struct vmm *vm)
{
	if (vm->cfg.rng)
		virtio_rng_add(vm);
	if (vm->cfg.console_virtio)
		virtio_console_add(vm);
	for (unsigned int i = 0; i < vm->cfg.ndisks; i++)
		virtio_blk_add(vm, &vm->cfg.disks[i], i);
	if (vm->cfg.net_tap)
		virtio_net_add(vm);
}

void virtio_exit_report(void)
{
	for (unsigned int i = 0; i < ndevs; i++) {
		unsigned long n = __atomic_load_n(&devs[i]->resets, __ATOMIC_RELAXED);

		if (n > RESET_MESSAGES)
			fprintf(stderr, "zxhv-vmm: virtio-%s at 00:%02x.0: %lu more needs-reset "
				"messages suppressed\n", devs[i]->ops->name, devs[i]->slot,
				n - RESET_MESSAGES);
	}
	virtio_blk_report();
	virtio_net_report();
}
