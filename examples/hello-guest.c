// SPDX-License-Identifier: BSD-2-Clause
/*
 * hello-guest: the smallest useful VMM on libzx.
 *
 * It creates a guest with 2 MiB of memory, builds identity page tables at
 * guest-physical 0 (the first VCPU starts in 64-bit mode with CR3 = 0),
 * loads a 64-bit guest program at 0x10000 and runs it on one VCPU:
 *
 *   1. the guest prints "Hello from a zircon-hv guest!" on a 16550 serial
 *      port (COM1, 0x3f8): it polls the line status register (IN 0x3fd,
 *      the VMM answers "transmitter empty") and writes each byte to the
 *      data register (OUT 0x3f8), which the VMM copies to stdout;
 *   2. it rings a doorbell: a write to the BELL trap page at 0x400000.  The
 *      kernel queues a packet on a port and the guest runs on; a host thread
 *      waiting in zx_port_wait() reports it;
 *   3. it writes its exit code to port 0xf4 (OUT), and the VMM stops.
 *
 * Exit status: 0 when the guest exited with code 0 and the doorbell rang;
 * 1 on any failure (each failed zx_* call is named with its status);
 * 2 when this machine cannot run guests at all (no /dev/zircon-hv, or no
 * usable VMX).
 *
 * The guest program is assembled by gcc from the top-level asm below: the
 * bytes between guest_start and guest_end are 64-bit code (.code64) placed
 * in .rodata, which the VMM copies into guest memory.  It uses only
 * RIP-relative addressing, so it runs wherever it is loaded.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/status.h>
#include <zircon/syscalls.h>

#define MEM_SIZE	0x200000ull	/* guest memory: [0, 2 MiB) */
#define GPA_PML4	0x0000u
#define GPA_PDPT	0x1000u
#define GPA_PD		0x2000u
#define GPA_CODE	0x10000u
#define GPA_BELL	0x400000u	/* outside the memory, inside the page tables */
#define COM1		0x3f8u
#define COM1_LSR	(COM1 + 5)
#define LSR_THR_EMPTY	0x20u
#define EXIT_PORT	0xf4u
#define KEY_SERIAL	1u
#define KEY_EXIT	2u
#define KEY_BELL	3u

extern const uint8_t guest_start[], guest_end[];
__asm__(".pushsection .rodata.hello_guest, \"a\"\n"
	".globl guest_start\n.hidden guest_start\n"
	".globl guest_end\n.hidden guest_end\n"
	"guest_start:\n"
	".code64\n"
	"	lea 9f(%rip), %rsi\n"		/* the message */
	"1:	lodsb\n"
	"	test %al, %al\n"
	"	jz 3f\n"
	"	mov %al, %bl\n"
	"2:	mov $0x3fd, %dx\n"		/* wait until the transmitter is empty */
	"	in %dx, %al\n"
	"	test $0x20, %al\n"
	"	jz 2b\n"
	"	mov $0x3f8, %dx\n"
	"	mov %bl, %al\n"
	"	out %al, %dx\n"
	"	jmp 1b\n"
	"3:	movl $1, 0x400000\n"		/* ring the doorbell */
	"	xor %eax, %eax\n"
	"	out %al, $0xf4\n"		/* exit code 0 */
	"4:	hlt\n"
	"	jmp 4b\n"
	"9:	.asciz \"Hello from a zircon-hv guest!\\n\"\n"
	"guest_end:\n"
	".popsection\n");

static const char *prog = "hello-guest";

/* Prints a failed call; returns true if @s is an error. */
static bool failed(const char *what, zx_status_t s)
{
	if (s == ZX_OK)
		return false;
	fprintf(stderr, "%s: %s failed: %s\n", prog, what, zx_status_get_string(s));
	return true;
}

#define CHECK(call) do { if (failed(#call, (call))) return 1; } while (0)

static void put64(uint8_t *mem, uint64_t gpa, uint64_t v)
{
	memcpy(mem + gpa, &v, sizeof(v));
}

struct bell_waiter {
	zx_handle_t port;
	zx_status_t status;
	zx_port_packet_t packet;
};

/* The host side of the doorbell: waits for one BELL packet on the port. */
static void *bell_thread(void *arg)
{
	struct bell_waiter *w = arg;

	w->status = zx_port_wait(w->port, zx_deadline_after(10ll * 1000 * 1000 * 1000), &w->packet);
	if (w->status == ZX_OK && w->packet.type == ZX_PKT_TYPE_GUEST_BELL)
		printf("host: doorbell packet from the guest (address %#lx, key %lu)\n",
		       (unsigned long)w->packet.guest_bell.addr, (unsigned long)w->packet.key);
	fflush(stdout);
	return NULL;
}

/* Why can this machine not run guests?  (zx_guest_create said NOT_SUPPORTED.) */
static void explain_no_vmx(void)
{
	zxhv_vmx_probe_t p;

	fprintf(stderr, "%s: this machine cannot run guests (zx_guest_create: "
		"ZX_ERR_NOT_SUPPORTED)\n", prog);
	memset(&p, 0, sizeof(p));
	if (zxhv_vmx_probe(&p) == ZX_OK)
		fprintf(stderr, "%s: CPU %u: %s\n", prog, p.cpu,
			zxhv_vmx_probe_result_string(p.result));
}

int main(void)
{
	zx_handle_t rsrc = ZX_HANDLE_INVALID, guest = ZX_HANDLE_INVALID, vmar = ZX_HANDLE_INVALID;
	zx_handle_t vmo = ZX_HANDLE_INVALID, port = ZX_HANDLE_INVALID, vcpu = ZX_HANDLE_INVALID;
	struct bell_waiter bell;
	zx_vaddr_t gpa = 0, host = 0;
	pthread_t waiter;
	bool bell_rang;
	uint8_t *mem;
	zx_status_t s;
	int exit_code = -1;

	if (access("/dev/zircon-hv", F_OK) != 0) {
		fprintf(stderr, "%s: /dev/zircon-hv is missing: load the zircon-hv module "
			"(modprobe zircon-hv)\n", prog);
		return 2;
	}
	CHECK(zxhv_hypervisor_resource(&rsrc));
	s = zx_guest_create(rsrc, 0, &guest, &vmar);
	if (s == ZX_ERR_NOT_SUPPORTED) {
		explain_no_vmx();
		return 2;
	}
	CHECK(s);
	zx_handle_close(rsrc);

	/* Guest memory: one executable VMO, at GPA 0 and in this process. */
	CHECK(zx_vmo_create(MEM_SIZE, 0, &vmo));
	CHECK(zx_vmo_replace_as_executable(vmo, ZX_HANDLE_INVALID, &vmo));
	CHECK(zx_vmar_map(vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
			  ZX_VM_SPECIFIC, 0, vmo, 0, MEM_SIZE, &gpa));
	CHECK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vmo, 0,
			  MEM_SIZE, &host));
	mem = (uint8_t *)host;

	/* Identity map of the first GiB with 2 MiB pages; the program at GPA_CODE. */
	put64(mem, GPA_PML4, GPA_PDPT | 0x3);	/* present, writable */
	put64(mem, GPA_PDPT, GPA_PD | 0x3);
	for (uint64_t i = 0; i < 512; i++)
		put64(mem, GPA_PD + i * 8, (i << 21) | 0x83);	/* + 2 MiB page */
	memcpy(mem + GPA_CODE, guest_start, guest_end - guest_start);

	/* The devices: COM1 and the exit port (synchronous), the doorbell (a port). */
	CHECK(zx_port_create(0, &port));
	CHECK(zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, COM1, 8, ZX_HANDLE_INVALID,
				KEY_SERIAL));
	CHECK(zx_guest_set_trap(guest, ZX_GUEST_TRAP_IO, EXIT_PORT, 1, ZX_HANDLE_INVALID,
				KEY_EXIT));
	CHECK(zx_guest_set_trap(guest, ZX_GUEST_TRAP_BELL, GPA_BELL, 4096, port, KEY_BELL));

	memset(&bell, 0, sizeof(bell));
	bell.port = port;
	bell.status = ZX_ERR_INTERNAL;
	if (pthread_create(&waiter, NULL, bell_thread, &bell)) {
		fprintf(stderr, "%s: pthread_create failed\n", prog);
		return 1;
	}

	/* The VCPU belongs to this thread; run it until the guest writes its exit code. */
	CHECK(zx_vcpu_create(guest, 0, GPA_CODE, &vcpu));
	while (exit_code < 0) {
		zx_port_packet_t p;
		zx_vcpu_io_t io;

		CHECK(zx_vcpu_enter(vcpu, &p));
		if (p.type != ZX_PKT_TYPE_GUEST_IO) {
			fprintf(stderr, "%s: unexpected packet type %u from the guest\n", prog,
				p.type);
			return 1;
		}
		if (p.key == KEY_EXIT && !p.guest_io.input) {
			exit_code = p.guest_io.u8;
		} else if (p.key == KEY_SERIAL && p.guest_io.port == COM1 && !p.guest_io.input) {
			putchar(p.guest_io.u8);
		} else if (p.key == KEY_SERIAL && p.guest_io.input) {
			/* Reads of the UART: the line status says "ready"; the rest read 0. */
			memset(&io, 0, sizeof(io));
			io.access_size = p.guest_io.access_size;
			if (p.guest_io.port == COM1_LSR)
				io.u8 = LSR_THR_EMPTY;
			CHECK(zx_vcpu_write_state(vcpu, ZX_VCPU_IO, &io, sizeof(io)));
		}
		/* Other UART registers written by the guest are ignored. */
	}
	fflush(stdout);
	pthread_join(waiter, NULL);
	bell_rang = bell.status == ZX_OK && bell.packet.type == ZX_PKT_TYPE_GUEST_BELL &&
		    bell.packet.key == KEY_BELL && bell.packet.guest_bell.addr == GPA_BELL;
	if (bell.status != ZX_OK)
		failed("zx_port_wait (doorbell)", bell.status);
	else if (!bell_rang)
		fprintf(stderr, "%s: the port delivered an unexpected packet (type %u)\n", prog,
			bell.packet.type);
	printf("host: guest exited with code %d\n", exit_code);

	zx_handle_close(vcpu);
	zx_handle_close(port);
	zx_handle_close(vmo);
	zx_handle_close(vmar);
	zx_handle_close(guest);
	return exit_code == 0 && bell_rang ? 0 : 1;
}
