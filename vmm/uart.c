// SPDX-License-Identifier: BSD-2-Clause
/*
 * COM1: a 16550A UART at 0x3f8 on ISA IRQ 4 (through the IO APIC), whose
 * line is the VMM's stdout and stdin (console.c).
 *
 * Registers (PC16550D data sheet): RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR,
 * SCR; DLL/DLM when LCR.DLAB is set; 16-byte receive FIFO; loopback mode.
 * The transmitter is instantaneous: a byte written to THR goes to the
 * console's output buffer (console.c writes it to stdout within a
 * millisecond) and THR is empty again, which raises the THRE interrupt as
 * the real part does when its FIFO drains.  Interrupts are edges on the IO APIC input:
 * one is sent each time the UART's interrupt condition goes from false to
 * true.
 *
 * As on a PC, the interrupt reaches the IO APIC only while MCR.OUT2 is set.
 * Input comes from the host in a queue (QUEUE_SIZE bytes, console.c's
 * backlog); bytes enter the receive FIFO only while the guest has receive
 * interrupts enabled and OUT2 set, i.e. once a program has the port open, so
 * early input is not lost to the driver's probing (which enables every IER
 * bit) and FIFO resets ("typed" input).
 */
#include <string.h>

#include "vmm.h"

#define REG_DATA	0
#define REG_IER		1
#define REG_IIR		2	/* FCR on write */
#define REG_LCR		3
#define REG_MCR		4
#define REG_LSR		5
#define REG_MSR		6
#define REG_SCR		7

#define IER_RDI		0x01
#define IER_THRI	0x02
#define IER_MASK	0x0f
#define IIR_NO_INT	0x01
#define IIR_THRI	0x02
#define IIR_RDI		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_OUT2	0x08	/* on a PC: connects INTR to the interrupt controller */
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_DCD		0x80

#define FIFO_SIZE	16
#define QUEUE_SIZE	4096

static struct {
	struct vmm *vm;
	pthread_mutex_t lock;
	pthread_cond_t room;		/* the input queue has room */
	uint8_t ier, lcr, mcr, fcr, scr, dll, dlm;
	bool thre_ip;			/* THR-empty interrupt pending */
	bool irq_level;			/* the interrupt condition last time */
	uint8_t fifo[FIFO_SIZE];
	unsigned int fifo_head, fifo_count;
	uint8_t queue[QUEUE_SIZE];
	unsigned int queue_head, queue_count;
} u = { .lock = PTHREAD_MUTEX_INITIALIZER, .room = PTHREAD_COND_INITIALIZER };

void uart_init(struct vmm *vm)
{
	u.vm = vm;
	u.dll = 12;			/* 9600 baud, as a BIOS leaves it */
	u.lcr = 0x03;
}

static void fifo_push_locked(uint8_t b)
{
	if (u.fifo_count == FIFO_SIZE)
		return;			/* overrun: the byte is lost, as on the chip */
	u.fifo[(u.fifo_head + u.fifo_count++) % FIFO_SIZE] = b;
}

/* Moves queued input into the FIFO while the guest listens. */
static void refill_locked(void)
{
	bool moved = false;

	while ((u.ier & IER_RDI) && (u.mcr & MCR_OUT2) && u.queue_count &&
	       u.fifo_count < FIFO_SIZE) {
		fifo_push_locked(u.queue[u.queue_head]);
		u.queue_head = (u.queue_head + 1) % QUEUE_SIZE;
		u.queue_count--;
		moved = true;
	}
	if (moved)
		pthread_cond_broadcast(&u.room);
}

/* Recomputes the interrupt condition; true if it just rose (send an edge). */
static bool update_irq_locked(void)
{
	bool level, rose;

	refill_locked();
	level = (u.mcr & MCR_OUT2) &&
		(((u.ier & IER_RDI) && u.fifo_count) || ((u.ier & IER_THRI) && u.thre_ip));
	rose = level && !u.irq_level;
	u.irq_level = level;
	return rose;
}

static uint8_t msr_locked(void)
{
	if (u.mcr & MCR_LOOP)		/* RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
		return (uint8_t)(((u.mcr & 0x02) << 3) | ((u.mcr & 0x01) << 5) |
				 ((u.mcr & 0x04) << 4) | ((u.mcr & 0x08) << 4));
	return MSR_DCD | MSR_DSR | MSR_CTS;
}

uint8_t uart_read(unsigned int reg)
{
	uint8_t v = 0xff;
	bool raise;

	pthread_mutex_lock(&u.lock);
	switch (reg) {
	case REG_DATA:
		if (u.lcr & LCR_DLAB) {
			v = u.dll;
		} else if (u.fifo_count) {
			v = u.fifo[u.fifo_head];
			u.fifo_head = (u.fifo_head + 1) % FIFO_SIZE;
			u.fifo_count--;
		} else {
			v = 0;
		}
		break;
	case REG_IER:
		v = (u.lcr & LCR_DLAB) ? u.dlm : u.ier;
		break;
	case REG_IIR:
		v = (u.fcr & FCR_ENABLE) ? IIR_FIFO : 0;
		if ((u.ier & IER_RDI) && u.fifo_count) {
			v |= IIR_RDI;
		} else if ((u.ier & IER_THRI) && u.thre_ip) {
			v |= IIR_THRI;
			u.thre_ip = false;	/* reading IIR acknowledges THRE */
		} else {
			v |= IIR_NO_INT;
		}
		break;
	case REG_LCR:
		v = u.lcr;
		break;
	case REG_MCR:
		v = u.mcr;
		break;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT | (u.fifo_count ? LSR_DR : 0);
		break;
	case REG_MSR:
		v = msr_locked();
		break;
	case REG_SCR:
		v = u.scr;
		break;
	}
	raise = update_irq_locked();
	pthread_mutex_unlock(&u.lock);
	if (raise)
		ioapic_raise(u.vm, UART_IRQ);
	return v;
}

void uart_write(unsigned int reg, uint8_t val)
{
	bool raise;

	pthread_mutex_lock(&u.lock);
	switch (reg) {
	case REG_DATA:
		if (u.lcr & LCR_DLAB) {
			u.dll = val;
			break;
		}
		if (u.mcr & MCR_LOOP)
			fifo_push_locked(val);
		else
			console_output(val);
		u.thre_ip = true;		/* sent at once: THR is empty again */
		break;
	case REG_IER:
		if (u.lcr & LCR_DLAB) {
			u.dlm = val;
			break;
		}
		if ((val & IER_THRI) && !(u.ier & IER_THRI))
			u.thre_ip = true;	/* enabling THRI with THR empty interrupts */
		u.ier = val & IER_MASK;
		break;
	case REG_IIR:
		u.fcr = val & 0xc9;
		if ((val & FCR_CLEAR_RX) || !(val & FCR_ENABLE))
			u.fifo_count = 0;
		break;
	case REG_LCR:
		u.lcr = val;
		break;
	case REG_MCR:
		u.mcr = val & 0x1f;
		break;
	case REG_SCR:
		u.scr = val;
		break;
	default:			/* LSR and MSR are read-only */
		break;
	}
	raise = update_irq_locked();
	pthread_mutex_unlock(&u.lock);
	if (raise)
		ioapic_raise(u.vm, UART_IRQ);
}

bool uart_receive(uint8_t byte, bool wait)
{
	bool raise, queued;

	pthread_mutex_lock(&u.lock);
	while (wait && u.queue_count == QUEUE_SIZE)
		pthread_cond_wait(&u.room, &u.lock);
	queued = u.queue_count < QUEUE_SIZE;
	if (queued)
		u.queue[(u.queue_head + u.queue_count++) % QUEUE_SIZE] = byte;
	raise = update_irq_locked();
	pthread_mutex_unlock(&u.lock);
	if (raise)
		ioapic_raise(u.vm, UART_IRQ);
	return queued;
}
