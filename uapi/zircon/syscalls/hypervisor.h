/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls/hypervisor.h: constants and structures of the hypervisor
 * calls: guest creation options, trap kinds for zx_guest_set_trap(), and the
 * state blocks that zx_vcpu_read_state()/zx_vcpu_write_state() exchange.
 * This is the newest ABI generation (zx_vcpu_enter, zx_vcpu_kick, x86-64
 * only).  ZX_GUEST_OPT_DIRECT (1), an experimental mode since removed from
 * Zircon, is not offered.  The hypervisor resource is ZX_RSRC_KIND_SYSTEM
 * with base ZX_RSRC_SYSTEM_HYPERVISOR_BASE (see resource.h); the older
 * ZX_RSRC_KIND_HYPERVISOR (3) collides with today's ZX_RSRC_KIND_ROOT (3),
 * so it cannot exist in the same ABI and is not offered either.
 */
#ifndef ZIRCON_SYSCALLS_HYPERVISOR_H_
#define ZIRCON_SYSCALLS_HYPERVISOR_H_

#include <zircon/compiler.h>
#include <zircon/types.h>

#if !defined(__x86_64__)
#error "zircon-hv supports x86-64 guests and hosts only"
#endif

/* zx_guest_create() options. */
#define ZX_GUEST_OPT_NORMAL		((uint32_t)0u)

/* zx_guest_set_trap() kinds. */
typedef uint32_t zx_guest_trap_t;

#define ZX_GUEST_TRAP_BELL		((zx_guest_trap_t)0u)	/* async, packet to a port */
#define ZX_GUEST_TRAP_MEM		((zx_guest_trap_t)1u)	/* sync, from zx_vcpu_enter() */
#define ZX_GUEST_TRAP_IO		((zx_guest_trap_t)2u)	/* sync, from zx_vcpu_enter() */

/* zx_vcpu_read_state()/zx_vcpu_write_state() kinds. */
typedef uint32_t zx_vcpu_state_topic_t;

#define ZX_VCPU_STATE			((zx_vcpu_state_topic_t)0u)	/* zx_vcpu_state_t */
#define ZX_VCPU_IO			((zx_vcpu_state_topic_t)1u)	/* zx_vcpu_io_t */

/*
 * ZX_VCPU_STATE: the general purpose registers.  The first eight follow the
 * hardware register encoding, so rbx comes after rdx.  rflags reads back
 * masked to the user-visible flags and is written only if bit 1 is set.
 */
typedef struct zx_vcpu_state {
	uint64_t rax;
	uint64_t rcx;
	uint64_t rdx;
	uint64_t rbx;
	uint64_t rsp;
	uint64_t rbp;
	uint64_t rsi;
	uint64_t rdi;
	uint64_t r8;
	uint64_t r9;
	uint64_t r10;
	uint64_t r11;
	uint64_t r12;
	uint64_t r13;
	uint64_t r14;
	uint64_t r15;
	uint64_t rflags;
} zx_vcpu_state_t;

/*
 * ZX_VCPU_IO: completes an IN instruction.  access_size (1, 2 or 4) bytes of
 * data go to the low bytes of the guest's rax.
 */
typedef struct zx_vcpu_io {
	uint8_t access_size;
	uint8_t padding1[3];
	union {
		uint8_t u8;
		uint16_t u16;
		uint32_t u32;
		uint8_t data[4];
	};
} zx_vcpu_io_t;

ZX_ASSERT_SIZE(zx_guest_trap_t, 4);
ZX_ASSERT_SIZE(zx_vcpu_state_topic_t, 4);

ZX_ASSERT_SIZE(zx_vcpu_state_t, 136);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rax, 0);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rcx, 8);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rdx, 16);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rbx, 24);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rsp, 32);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rbp, 40);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rsi, 48);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rdi, 56);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r8, 64);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r9, 72);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r10, 80);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r11, 88);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r12, 96);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r13, 104);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r14, 112);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, r15, 120);
ZX_ASSERT_OFFSET(zx_vcpu_state_t, rflags, 128);

ZX_ASSERT_SIZE(zx_vcpu_io_t, 8);
ZX_ASSERT_OFFSET(zx_vcpu_io_t, access_size, 0);
ZX_ASSERT_OFFSET(zx_vcpu_io_t, u8, 4);
ZX_ASSERT_OFFSET(zx_vcpu_io_t, u16, 4);
ZX_ASSERT_OFFSET(zx_vcpu_io_t, u32, 4);
ZX_ASSERT_OFFSET(zx_vcpu_io_t, data, 4);

#endif /* ZIRCON_SYSCALLS_HYPERVISOR_H_ */
