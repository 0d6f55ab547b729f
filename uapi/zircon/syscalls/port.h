/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls/port.h: the 48-byte zx_port_packet_t that zx_port_wait(),
 * zx_port_queue() and zx_vcpu_enter() exchange, and the packet types.  The
 * payload layouts are the NEWEST generation (docs/api.md §2.4): zx_packet_guest_mem_t
 * carries cr3/rip/instruction_size instead of the older inst_len/inst_buf[15],
 * and zx_packet_guest_vcpu_t has its type first.  The older layouts are not
 * ABI compatible and are not offered.  Fields named padding* or reserved* are
 * zero.  x86-64 only.
 */
#ifndef ZIRCON_SYSCALLS_PORT_H_
#define ZIRCON_SYSCALLS_PORT_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

#if !defined(__x86_64__)
#error "zircon-hv supports x86-64 guests and hosts only"
#endif

/* zx_port_create() options. */
#define ZX_PORT_BIND_TO_INTERRUPT	((uint32_t)(1u << 0))

/* zx_object_wait_async() options. */
#define ZX_WAIT_ASYNC_ONCE		((uint32_t)0u)
#define ZX_WAIT_ASYNC_TIMESTAMP		((uint32_t)1u)
#define ZX_WAIT_ASYNC_EDGE		((uint32_t)2u)

/* zx_port_packet_t.type (2 is retired). */
typedef uint32_t zx_packet_type_t;

#define ZX_PKT_TYPE_USER		((zx_packet_type_t)0u)
#define ZX_PKT_TYPE_SIGNAL_ONE		((zx_packet_type_t)1u)
#define ZX_PKT_TYPE_GUEST_BELL		((zx_packet_type_t)3u)
#define ZX_PKT_TYPE_GUEST_MEM		((zx_packet_type_t)4u)
#define ZX_PKT_TYPE_GUEST_IO		((zx_packet_type_t)5u)
#define ZX_PKT_TYPE_GUEST_VCPU		((zx_packet_type_t)6u)
#define ZX_PKT_TYPE_INTERRUPT		((zx_packet_type_t)7u)
#define ZX_PKT_TYPE_PAGE_REQUEST	((zx_packet_type_t)9u)

/* zx_packet_guest_vcpu_t.type. */
typedef uint32_t zx_packet_guest_vcpu_type_t;

#define ZX_PKT_GUEST_VCPU_INTERRUPT	((zx_packet_guest_vcpu_type_t)0u)
#define ZX_PKT_GUEST_VCPU_STARTUP	((zx_packet_guest_vcpu_type_t)1u)
#define ZX_PKT_GUEST_VCPU_EXIT		((zx_packet_guest_vcpu_type_t)2u) /* direct mode only */

/* ZX_PKT_TYPE_USER: 32 bytes of the queuer's choosing. */
typedef union zx_packet_user {
	uint64_t u64[4];
	uint32_t u32[8];
	uint16_t u16[16];
	char c8[32];
} zx_packet_user_t;

/* ZX_PKT_TYPE_SIGNAL_ONE: an object's signals matched a zx_object_wait_async(). */
typedef struct zx_packet_signal {
	zx_signals_t trigger;
	zx_signals_t observed;
	uint64_t count;
	uint64_t timestamp;
	uint64_t reserved1;
} zx_packet_signal_t;

/* ZX_PKT_TYPE_GUEST_BELL: the guest wrote to a BELL trap at addr. */
typedef struct zx_packet_guest_bell {
	zx_gpaddr_t addr;
	uint64_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} zx_packet_guest_bell_t;

/*
 * ZX_PKT_TYPE_GUEST_MEM: the guest accessed a MEM trap at addr.  rip is the
 * address of the faulting instruction (the kernel has already advanced the
 * guest past it), cr3 lets the VMM walk the guest page tables to fetch its
 * instruction_size bytes; default_operand_size is 2 or 4.
 */
typedef struct zx_packet_guest_mem {
	zx_gpaddr_t addr;
	uint64_t cr3;
	uint64_t rip;
	uint8_t instruction_size;
	uint8_t default_operand_size;
	uint8_t reserved[6];
} zx_packet_guest_mem_t;

/*
 * ZX_PKT_TYPE_GUEST_IO: the guest executed IN/OUT on a trapped port.  For OUT
 * the data union holds the access_size bytes written; for IN (input = true)
 * the VMM answers with zx_vcpu_write_state(ZX_VCPU_IO).
 */
typedef struct zx_packet_guest_io {
	uint16_t port;
	uint8_t access_size;
	bool input;
	union {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint8_t data[4];
	};
	uint64_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} zx_packet_guest_io_t;

/* ZX_PKT_GUEST_VCPU_INTERRUPT: deliver vector to every VCPU whose bit is set in mask. */
typedef struct zx_packet_guest_vcpu_interrupt {
	uint64_t mask;
	uint8_t vector;
	uint8_t padding1[7];
} zx_packet_guest_vcpu_interrupt_t;

/* ZX_PKT_GUEST_VCPU_STARTUP: start the VCPU with APIC ID id at entry. */
typedef struct zx_packet_guest_vcpu_startup {
	uint64_t id;
	zx_gpaddr_t entry;
} zx_packet_guest_vcpu_startup_t;

/* ZX_PKT_GUEST_VCPU_EXIT: the guest exited (direct mode, never produced here). */
typedef struct zx_packet_guest_vcpu_exit {
	int64_t retcode;
	uint64_t reserved;
} zx_packet_guest_vcpu_exit_t;

/* ZX_PKT_TYPE_GUEST_VCPU: a request the VMM must route between VCPUs. */
typedef struct zx_packet_guest_vcpu {
	zx_packet_guest_vcpu_type_t type;
	uint8_t padding1[4];
	union {
		zx_packet_guest_vcpu_interrupt_t interrupt;
		zx_packet_guest_vcpu_startup_t startup;
		zx_packet_guest_vcpu_exit_t exit;
	};
	uint64_t reserved;
} zx_packet_guest_vcpu_t;

/* ZX_PKT_TYPE_INTERRUPT: an interrupt bound to the port fired. */
typedef struct zx_packet_interrupt {
	zx_time_t timestamp;
	uint64_t reserved0;
	uint64_t reserved1;
	uint64_t reserved2;
} zx_packet_interrupt_t;

/* ZX_PKT_TYPE_PAGE_REQUEST: a pager request for [offset, offset + length). */
typedef struct zx_packet_page_request {
	uint16_t command;
	uint16_t flags;
	uint32_t reserved0;
	uint64_t offset;
	uint64_t length;
	uint64_t reserved1;
} zx_packet_page_request_t;

typedef struct zx_port_packet {
	uint64_t key;
	zx_packet_type_t type;
	zx_status_t status;
	union {
		zx_packet_user_t user;
		zx_packet_signal_t signal;
		zx_packet_guest_bell_t guest_bell;
		zx_packet_guest_mem_t guest_mem;
		zx_packet_guest_io_t guest_io;
		zx_packet_guest_vcpu_t guest_vcpu;
		zx_packet_interrupt_t interrupt;
		zx_packet_page_request_t page_request;
	};
} zx_port_packet_t;

ZX_ASSERT_SIZE(zx_packet_type_t, 4);

ZX_ASSERT_SIZE(zx_packet_user_t, 32);

ZX_ASSERT_SIZE(zx_packet_signal_t, 32);
ZX_ASSERT_OFFSET(zx_packet_signal_t, trigger, 0);
ZX_ASSERT_OFFSET(zx_packet_signal_t, observed, 4);
ZX_ASSERT_OFFSET(zx_packet_signal_t, count, 8);
ZX_ASSERT_OFFSET(zx_packet_signal_t, timestamp, 16);
ZX_ASSERT_OFFSET(zx_packet_signal_t, reserved1, 24);

ZX_ASSERT_SIZE(zx_packet_guest_bell_t, 32);
ZX_ASSERT_OFFSET(zx_packet_guest_bell_t, addr, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_bell_t, reserved0, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_bell_t, reserved1, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_bell_t, reserved2, 24);

ZX_ASSERT_SIZE(zx_packet_guest_mem_t, 32);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, addr, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, cr3, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, rip, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, instruction_size, 24);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, default_operand_size, 25);
ZX_ASSERT_OFFSET(zx_packet_guest_mem_t, reserved, 26);

ZX_ASSERT_SIZE(zx_packet_guest_io_t, 32);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, port, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, access_size, 2);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, input, 3);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, u8, 4);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, u16, 4);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, u32, 4);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, data, 4);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, reserved0, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, reserved1, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_io_t, reserved2, 24);

ZX_ASSERT_SIZE(zx_packet_guest_vcpu_interrupt_t, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_interrupt_t, mask, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_interrupt_t, vector, 8);
ZX_ASSERT_SIZE(zx_packet_guest_vcpu_startup_t, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_startup_t, id, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_startup_t, entry, 8);
ZX_ASSERT_SIZE(zx_packet_guest_vcpu_exit_t, 16);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_exit_t, retcode, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_exit_t, reserved, 8);

ZX_ASSERT_SIZE(zx_packet_guest_vcpu_t, 32);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, type, 0);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, padding1, 4);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, interrupt, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, startup, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, exit, 8);
ZX_ASSERT_OFFSET(zx_packet_guest_vcpu_t, reserved, 24);

ZX_ASSERT_SIZE(zx_packet_interrupt_t, 32);
ZX_ASSERT_OFFSET(zx_packet_interrupt_t, timestamp, 0);
ZX_ASSERT_OFFSET(zx_packet_interrupt_t, reserved0, 8);
ZX_ASSERT_OFFSET(zx_packet_interrupt_t, reserved1, 16);
ZX_ASSERT_OFFSET(zx_packet_interrupt_t, reserved2, 24);

ZX_ASSERT_SIZE(zx_packet_page_request_t, 32);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, command, 0);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, flags, 2);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, reserved0, 4);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, offset, 8);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, length, 16);
ZX_ASSERT_OFFSET(zx_packet_page_request_t, reserved1, 24);

ZX_ASSERT_SIZE(zx_port_packet_t, 48);
ZX_STATIC_ASSERT(ZX_ALIGNOF(zx_port_packet_t) == 8);
ZX_ASSERT_OFFSET(zx_port_packet_t, key, 0);
ZX_ASSERT_OFFSET(zx_port_packet_t, type, 8);
ZX_ASSERT_OFFSET(zx_port_packet_t, status, 12);
ZX_ASSERT_OFFSET(zx_port_packet_t, user, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, signal, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, guest_bell, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, guest_mem, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, guest_io, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, guest_vcpu, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, interrupt, 16);
ZX_ASSERT_OFFSET(zx_port_packet_t, page_request, 16);

#endif /* ZIRCON_SYSCALLS_PORT_H_ */
