// SPDX-License-Identifier: BSD-2-Clause
/*
 * Every I/O port: the UART and PCI configuration go to their files, the rest
 * of the PC's legacy ports are answered here as the chips answer them:
 *
 *   0x20/0x21, 0xa0/0xa1  8259A PICs: initialisation words, IMR read-back
 *   0x4d0/0x4d1           ELCR
 *   0x40-0x43, 0x61       8254 PIT counting at 1.193182 MHz from host time,
 *                         and port B (OUT2, refresh toggle)
 *   0x60/0x64             8042 keyboard controller: self-test, command byte;
 *                         0xfe (pulse reset) reboots
 *   0x70/0x71             MC146818 CMOS RTC: the host's UTC time in BCD/24 h,
 *                         128 bytes of NVRAM
 *   0x92                  port A: bit 0 resets the machine
 *   PM1_EVT/PM1_CNT       ACPI PM1a: SLP_EN with SLP_TYP 5 (\_S5) powers off
 *
 * Any other port reads as all ones (nothing on the bus) and ignores writes.
 */
#include <string.h>
#include <time.h>

#include "vmm.h"

#define PIT_HZ		1193182ull

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* --- 8259A ------------------------------------------------------------- */
static struct pic {
	uint8_t imr, icw_step, icw4, read_isr;
} pic[2];

static uint8_t pic_read(struct pic *p, bool data)
{
	return data ? p->imr : 0;		/* IRR/ISR: nothing pending or in service */
}

static void pic_write(struct pic *p, bool data, uint8_t v)
{
	if (!data) {
		if (v & 0x10) {			/* ICW1 */
			p->imr = 0;
			p->icw_step = 2;
			p->icw4 = v & 1;
		} else if ((v & 0x18) == 0x08) {	/* OCW3 */
			p->read_isr = v & 1;
		}
		return;
	}
	switch (p->icw_step) {
	case 2:					/* ICW2: vector base */
		p->icw_step = 3;
		break;
	case 3:					/* ICW3: cascade */
		p->icw_step = p->icw4 ? 4 : 0;
		break;
	case 4:					/* ICW4 */
		p->icw_step = 0;
		break;
	default:
		p->imr = v;			/* OCW1 */
	}
}

static uint8_t elcr[2];

/* --- 8254 ---------------------------------------------------------------- */
static struct pit_channel {
	uint32_t reload;			/* 1..0x10000 */
	uint8_t access, mode;			/* access: 1 lo, 2 hi, 3 lo then hi */
	bool write_hi, read_hi, latched;
	uint16_t latch, partial;
	uint64_t start_ns;
} pit[3];
static uint8_t port_b;
static bool refresh;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t pit_elapsed(const struct pit_channel *c)
{
	return (now_ns() - c->start_ns) * PIT_HZ / 1000000000ull;
}

static uint16_t pit_count(const struct pit_channel *c)
{
	uint32_t reload = c->reload ? c->reload : 0x10000;
	uint64_t e = pit_elapsed(c);

	if (c->mode == 0 && e >= reload)	/* mode 0 wraps past 0 */
		return (uint16_t)(0x10000 - (e - reload) % 0x10000);
	return (uint16_t)(reload - e % reload);
}

static uint8_t pit_read(unsigned int ch)
{
	struct pit_channel *c = &pit[ch];
	uint16_t v = c->latched ? c->latch : pit_count(c);
	uint8_t out;

	if (c->access == 1)
		out = v & 0xff;
	else if (c->access == 2)
		out = v >> 8;
	else
		out = c->read_hi ? v >> 8 : v & 0xff;
	if (c->access == 3)
		c->read_hi = !c->read_hi;
	if (c->access != 3 || !c->read_hi)
		c->latched = false;
	return out;
}

static void pit_write(unsigned int port, uint8_t v)
{
	if (port == 0x43) {
		unsigned int ch = v >> 6;

		if (ch == 3)
			return;			/* read-back: not used by Linux */
		if (((v >> 4) & 3) == 0) {	/* counter latch */
			pit[ch].latch = pit_count(&pit[ch]);
			pit[ch].latched = true;
			return;
		}
		pit[ch].access = (v >> 4) & 3;
		pit[ch].mode = (v >> 1) & 7;
		pit[ch].write_hi = pit[ch].read_hi = false;
		return;
	}
	struct pit_channel *c = &pit[port - 0x40];

	if (c->access == 3 && !c->write_hi) {
		c->partial = v;
		c->write_hi = true;
		return;
	}
	if (c->access == 3)
		c->reload = c->partial | (uint32_t)v << 8;
	else if (c->access == 2)
		c->reload = (uint32_t)v << 8;
	else
		c->reload = v;
	c->write_hi = false;
	if (c->reload == 0)
		c->reload = 0x10000;
	c->start_ns = now_ns();
}

static uint8_t port_b_read(void)
{
	const struct pit_channel *c = &pit[2];
	bool out2 = (port_b & 1) && pit_elapsed(c) >= (c->reload ? c->reload : 0x10000);

	refresh = !refresh;
	return (uint8_t)((port_b & 0x0f) | (refresh ? 0x10 : 0) | (out2 ? 0x20 : 0));
}

/* --- 8042 ---------------------------------------------------------------- */
static struct {
	uint8_t out, cmd_byte, pending_cmd;
	bool out_full;
} kbc = { .cmd_byte = 0x45 };

static void kbc_put(uint8_t v)
{
	kbc.out = v;
	kbc.out_full = true;
}

static void kbc_write(struct vmm *vm, bool cmd, uint8_t v)
{
	if (!cmd) {
		if (kbc.pending_cmd == 0x60)
			kbc.cmd_byte = v;
		else if (kbc.pending_cmd == 0xd1 && !(v & 1))
			vmm_stop(vm, VMM_REBOOT, "the guest rebooted (8042 output port)");
		kbc.pending_cmd = 0;
		return;
	}
	kbc.pending_cmd = 0;
	switch (v) {
	case 0x20: kbc_put(kbc.cmd_byte); break;
	case 0x60: case 0xd1: kbc.pending_cmd = v; break;
	case 0xaa: kbc_put(0x55); break;	/* self-test passed */
	case 0xab: kbc_put(0x00); break;	/* interface test passed */
	case 0xfe: vmm_stop(vm, VMM_REBOOT, "the guest rebooted (8042 reset)"); break;
	default: break;
	}
}

/* --- MC146818 ------------------------------------------------------------ */
static uint8_t cmos_index;
static uint8_t cmos[128] = { [0x0a] = 0x26, [0x0b] = 0x02, [0x0d] = 0x80 };

static uint8_t bcd(unsigned int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

static uint8_t cmos_read(void)
{
	time_t t = time(NULL);
	struct tm tm;
	unsigned int v;
	bool binary = cmos[0x0b] & 0x04;

	gmtime_r(&t, &tm);
	switch (cmos_index) {
	case 0x00: v = (unsigned int)tm.tm_sec; break;
	case 0x02: v = (unsigned int)tm.tm_min; break;
	case 0x04: v = (unsigned int)tm.tm_hour; break;
	case 0x06: v = (unsigned int)tm.tm_wday + 1; break;
	case 0x07: v = (unsigned int)tm.tm_mday; break;
	case 0x08: v = (unsigned int)tm.tm_mon + 1; break;
	case 0x09: v = (unsigned int)(tm.tm_year % 100); break;
	case 0x32: v = (unsigned int)(tm.tm_year + 1900) / 100; break;
	case 0x0c: return 0;			/* no interrupt flags */
	default: return cmos[cmos_index];
	}
	return binary ? (uint8_t)v : bcd(v);
}

/* --- ACPI PM1a ----------------------------------------------------------- */
static uint8_t pm1_evt[4];
static uint16_t pm1_cnt = 1;			/* SCI_EN: always in ACPI mode */

static void pm1_cnt_write(struct vmm *vm, unsigned int byte, uint8_t v)
{
	uint16_t n = byte ? (uint16_t)((pm1_cnt & 0xff) | v << 8) : (uint16_t)((pm1_cnt & 0xff00) | v);

	if ((n & (1u << 13)) && ((n >> 10) & 7) == PM1_SLP_TYP_S5)
		vmm_stop(vm, VMM_POWEROFF, "the guest powered off (ACPI S5)");
	pm1_cnt = (n & ~(1u << 13)) | 1;
}

/* One byte of an access to a legacy port. */
static uint8_t byte_io(struct vmm *vm, uint16_t port, bool in, uint8_t v)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1:
		if (in)
			return pic_read(&pic[port >= 0xa0], port & 1);
		pic_write(&pic[port >= 0xa0], port & 1, v);
		return 0;
	case 0x4d0: case 0x4d1:
		if (in)
			return elcr[port & 1];
		elcr[port & 1] = v;
		return 0;
	case 0x40: case 0x41: case 0x42: case 0x43:
		if (in)
			return port == 0x43 ? 0xff : pit_read(port - 0x40);
		pit_write(port, v);
		return 0;
	case 0x61:
		if (in)
			return port_b_read();
		port_b = v;
		return 0;
	case 0x60:
		if (in) {
			kbc.out_full = false;
			return kbc.out;
		}
		kbc_write(vm, false, v);
		return 0;
	case 0x64:
		if (in)		/* system flag, input buffer empty, output full if any */
			return (uint8_t)(0x14 | (kbc.out_full ? 1 : 0));
		kbc_write(vm, true, v);
		return 0;
	case 0x70:
		if (!in)
			cmos_index = v & 0x7f;
		return in ? 0xff : 0;
	case 0x71:
		if (in)
			return cmos_read();
		if (cmos_index != 0x0c && cmos_index != 0x0d)
			cmos[cmos_index] = cmos_index == 0x0a ? (v & 0x7f) : v;
		return 0;
	case 0x92:
		if (in)
			return 0x02;		/* A20 on */
		if (v & 1)
			vmm_stop(vm, VMM_REBOOT, "the guest rebooted (port 0x92)");
		return 0;
	default:
		break;
	}
	if (port >= PM1_EVT_PORT && port < PM1_EVT_PORT + 4) {
		unsigned int i = port - PM1_EVT_PORT;

		if (in)
			return pm1_evt[i];
		pm1_evt[i] = i < 2 ? pm1_evt[i] & ~v : v;	/* status: write 1 to clear */
		return 0;
	}
	if (port == PM1_CNT_PORT || port == PM1_CNT_PORT + 1) {
		if (in)
			return (uint8_t)(pm1_cnt >> (8 * (port - PM1_CNT_PORT)));
		pm1_cnt_write(vm, port - PM1_CNT_PORT, v);
		return 0;
	}
	return 0xff;				/* nothing there */
}

uint32_t legacy_io(struct vmm *vm, uint16_t port, bool in, unsigned int size, uint32_t val)
{
	uint32_t out = 0;

	if (port >= UART_BASE && port < UART_BASE + 8) {
		if (in)
			return uart_read(port - UART_BASE);
		uart_write(port - UART_BASE, (uint8_t)val);
		return 0;
	}
	if (pci_io(port, in, size, &val))
		return val;

	pthread_mutex_lock(&lock);
	for (unsigned int i = 0; i < size; i++) {
		uint8_t b = byte_io(vm, (uint16_t)(port + i), in, (uint8_t)(val >> (8 * i)));

		out |= (uint32_t)b << (8 * i);
	}
	pthread_mutex_unlock(&lock);
	return out;
}
