/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zxhv-vmm: a VMM on libzx that boots an unmodified Linux kernel.
 *
 * The pieces, one per file: main.c (command line, set-up, exit status),
 * loader.c (vmlinux ELF and bzImage), bootparams.c (e820, zero page, page
 * tables), acpi.c (RSDP, XSDT, FADT, FACS, DSDT, MADT), ioapic.c, uart.c,
 * console.c (the host terminal), legacy.c (PIC, PIT, CMOS, i8042, ACPI PM1,
 * the other ISA ports), pci.c (configuration mechanism 1), decode.c (MMIO
 * instruction decode over the guest page tables), vcpu.c (one thread per
 * VCPU, SMP start-up, the exit state).
 */
#ifndef ZXHV_VMM_H_
#define ZXHV_VMM_H_

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zircon/syscalls.h>
#include <zircon/syscalls/port.h>

#define VMM_MAX_CPUS		63	/* APIC ID = VPID - 1, VPIDs 1..63 */
#define VMM_MAX_DISKS		8

/* Guest-physical layout (bootparams.c, acpi.c). */
#define GPA_PML4		0x0000ull	/* CR3 is 0 at reset */
#define GPA_PDPT		0x1000ull
#define GPA_PD			0x2000ull	/* 4 pages: identity map of 4 GiB */
#define GPA_ZERO_PAGE		0x7000ull
#define GPA_CMDLINE		0x20000ull
#define GPA_EBDA		0x9fc00ull	/* reserved from here to 1 MiB */
#define GPA_ACPI		0xe0000ull	/* RSDP, then the tables */
#define GPA_HIGH		0x100000ull
#define GPA_IOAPIC		0xfec00000ull
#define GPA_LAPIC		0xfee00000ull
#define VMM_MEM_MIN		(64ull << 20)
#define VMM_MEM_MAX		(3ull << 30)	/* stays below the IO APIC */

/* ACPI PM1 ports (FADT) and the SCI. */
#define PM1_EVT_PORT		0x600
#define PM1_CNT_PORT		0x604
#define PM1_SLP_TYP_S5		5
#define SCI_IRQ			9
#define UART_IRQ		4

struct vmm_disk {
	const char *path;
	bool read_only;
};

struct vmm_config {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	unsigned int cpus;
	uint64_t memory;
	struct vmm_disk disks[VMM_MAX_DISKS];
	unsigned int ndisks;
	bool console_virtio;		/* --console virtio: host input goes to hvc0 */
	bool rng;			/* --rng: a virtio-rng device */
	const char *net_tap;		/* --net tap=NAME[,mac=MAC] */
	uint8_t net_mac[6];
};

/* What the loader found and placed. */
struct vmm_boot {
	const uint8_t *kimg;		/* the kernel file, mapped */
	size_t klen;
	const uint8_t *iimg;		/* the initrd file, mapped */
	size_t ilen;
	uint64_t entry;			/* 64-bit entry (GPA, identity-mapped) */
	uint64_t kernel_start, kernel_end; /* GPA range the kernel may use */
	uint8_t setup_header[0x80];	/* bytes 0x1f1.. of a bzImage, or built */
	size_t setup_header_len;
	uint32_t cmdline_max;		/* without the NUL */
	uint64_t initrd_max;		/* highest byte an initrd may use + 1 */
	uint64_t initrd_gpa, initrd_size;
	bool is_elf;
};

/* How the VM ended. */
enum vmm_exit {
	VMM_RUNNING = 0,
	VMM_POWEROFF,
	VMM_REBOOT,
	VMM_QUIT,		/* Ctrl-A x */
	VMM_FAILED,
};

struct vmm {
	struct vmm_config cfg;
	zx_handle_t guest, vmar, vmo;
	uint8_t *mem;			/* guest RAM [0, cfg.memory) in this process */
	uint64_t mem_size;

	pthread_mutex_t lock;		/* the VCPU table and the exit state */
	pthread_cond_t cond;
	zx_handle_t vcpu[VMM_MAX_CPUS];
	bool started[VMM_MAX_CPUS];
	unsigned int next_apic_id;	/* the APIC ID the next created VCPU gets */
	enum vmm_exit exit;
	char fail_msg[1024];
};

/* Exit statuses. */
#define EXIT_BAD_INPUT		2
#define EXIT_VM_FAILURE		1

/* main.c */
void vmm_die_input(const char *arg, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/*
 * loader.c: loader_check() maps and validates the kernel and initrd files
 * and decides where everything goes (bad input ends with status 2, before
 * any guest exists); loader_place() copies them into guest memory.
 */
void loader_check(const struct vmm_config *cfg, struct vmm_boot *boot);
void loader_place(struct vmm *vm, const struct vmm_boot *boot);

/* bootparams.c */
void bootparams_setup(struct vmm *vm, const struct vmm_boot *boot);

/* acpi.c */
void acpi_setup(struct vmm *vm);

/*
 * ioapic.c.  apic_dest_mask(): the VCPUs (one bit per APIC ID) that an
 * 8-bit xAPIC destination reaches, for the IO APIC's entries and MSI
 * messages alike: physical, an APIC ID below 64 or 0xff for all (another ID
 * reaches none); logical, the flat model's bits; lowest priority, the first.
 */
uint64_t apic_dest_mask(uint8_t dest, bool logical, bool lowest);
void ioapic_raise(struct vmm *vm, unsigned int gsi);
void ioapic_mmio(struct vmm *vm, uint64_t off, bool write, uint32_t *val, unsigned int size);

/* vcpu.c: sends vector to every VCPU whose APIC ID bit is set in mask. */
void vcpu_interrupt_mask(struct vmm *vm, uint64_t mask, uint8_t vector);
int vcpu_run_vm(struct vmm *vm, uint64_t entry);
void vmm_stop(struct vmm *vm, enum vmm_exit why, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* decode.c: emulates one MMIO MOV; returns false (with a reason) if it cannot. */
struct mmio_access {
	bool write;
	unsigned int size;	/* memory operand: 1, 2, 4 or 8 bytes */
	uint64_t value;		/* the stored value for a write */
	int reg;		/* destination register of a read (hardware number) */
	unsigned int dest_size;	/* its size: 1, 2, 4 (zero-extends to 64) or 8 */
	bool high_byte;		/* AH/CH/DH/BH */
};
bool decode_mmio(struct vmm *vm, zx_handle_t vcpu, const zx_packet_guest_mem_t *mem,
		 struct mmio_access *acc, char *why, size_t why_len);
bool decode_complete_read(zx_handle_t vcpu, const struct mmio_access *acc, uint64_t value);

/* uart.c: COM1 at 0x3f8. */
#define UART_BASE		0x3f8
void uart_init(struct vmm *vm);
uint8_t uart_read(unsigned int reg);
void uart_write(unsigned int reg, uint8_t val);
/*
 * Queues a byte of input (it enters the FIFO once the guest has receive
 * interrupts enabled); when the queue is full, waits for room, or (!wait)
 * returns false.
 */
bool uart_receive(uint8_t byte, bool wait);

/*
 * console.c: the host terminal, the stdin reader and the stdout writer
 * threads.  console_init() comes first in main(), before any thread starts.
 */
void console_init(void);
void console_start(struct vmm *vm);
void console_restore(void);
/* A byte of guest output for stdout (batched); console_flush() writes what is left. */
void console_output(uint8_t b);
void console_flush(void);
/* At exit: how many typed bytes were dropped for want of room (nothing if none). */
void console_report(void);

/* legacy.c: every other port. Returns the value for a read. */
uint32_t legacy_io(struct vmm *vm, uint16_t port, bool input, unsigned int size, uint32_t val);

/* pci.c; a function 0 on bus 0 answers configuration cycles through its callbacks. */
struct pci_device {
	void *ctx;
	void (*read)(void *ctx, unsigned int off, unsigned int size, uint32_t *val);
	void (*write)(void *ctx, unsigned int off, unsigned int size, uint32_t val);
};
bool pci_io(uint16_t port, bool input, unsigned int size, uint32_t *val);
void pci_add_device(unsigned int slot, const struct pci_device *dev);

/* pci_acpi.c: the DSDT's PCI host bridge (PNP0A03) with its bus and memory window. */
size_t pci_acpi_aml(uint8_t *buf, size_t max);
#define PCI_WINDOW_BASE		0xd0000000ull
#define PCI_WINDOW_END		0xfebfffffull	/* inclusive; the IO APIC follows */

/* virtio_pci.c, virtio_*.c: the devices from the configuration; their MEM traps. */
void virtio_setup(struct vmm *vm);
bool virtio_mmio(struct vmm *vm, uint64_t gpa, bool write, uint64_t *val, unsigned int size);
void virtio_exit_report(void);
void virtio_net_parse(struct vmm_config *cfg, char *arg);

#endif /* ZXHV_VMM_H_ */
