/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fixture of the vcpu_*_test programs: guest_vm.h's guest with a MEM
 * trap page and a BELL trap page added, the BSP started on the test's
 * thread (VM_START), and the helpers that run it: enter until the guest's
 * next OUT (NEXT_OUT, EXPECT_VALUE, EXPECT_MARK), read its state, act on
 * the VCPU from another thread after a delay (later()).  Include after
 * kselftest_harness.h: the helpers report through the harness.
 */
#ifndef ZXHV_SELFTESTS_VCPU_VM_H
#define ZXHV_SELFTESTS_VCPU_VM_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "guest_vm.h"
#include "zxhv_handles.h"
#include "zxhv_vm.h"

/* The keys of the MEM and BELL traps' packets (KEY_IO: guest_vm.h). */
#define KEY_MEM		0x2020u
#define KEY_BELL	0x3030u

#define CR0_PE		(1u << 0)
#define CR0_ET		(1u << 4)
#define CR0_NE		(1u << 5)
#define CR0_WP		(1u << 16)
#define CR0_PG		(1u << 31)

/*
 * A guest with GUEST_MEM_SIZE of memory at GPA 0 (executable), the layout
 * of vcpu_guest.h, @prog copied to GPA_CODE, the IO trap on
 * [PORT_BASE, +PORT_COUNT), a MEM trap page and a BELL trap page (on
 * vm->port).  No VCPU yet.
 */
static inline zx_status_t vm_create(struct vm *vm, const uint8_t *prog,
				    const uint8_t *prog_end)
{
	zx_status_t s = vm_create_base(vm, prog, prog_end);

	if (s == ZX_OK)
		s = zx_port_create(0, &vm->port);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_MEM, GPA_MEM_TRAP, 4096,
				      ZX_HANDLE_INVALID, KEY_MEM);
	if (s == ZX_OK)
		s = zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_BELL, GPA_BELL_TRAP, 4096, vm->port,
				      KEY_BELL);
	if (s != ZX_OK)
		vm_close(vm);
	return s;
}

/* vm_create() and the BSP VCPU on this thread, entry GPA_CODE. */
#define VM_START(vm, prog) do {							\
	NEED_VMX();								\
	ASSERT_EQ(ZX_OK, vm_create(vm, prog, prog##_end));			\
	ASSERT_EQ(ZX_OK, zx_vcpu_create((vm)->guest, 0, GPA_CODE, &(vm)->vcpu));	\
} while (0)

/* Enters; the guest must stop at an OUT to @port of @size bytes: its data. */
static inline uint32_t next_out(struct __test_metadata *_metadata, struct vm *vm,
				uint16_t port, uint8_t size, int line)
{
	zx_port_packet_t p;
	zx_status_t s;

	memset(&p, 0xa5, sizeof(p));
	s = zx_vcpu_enter(vm->vcpu, &p);
	if (s != ZX_OK)
		TH_LOG("line %d: zx_vcpu_enter: %s", line, zx_status_get_string(s));
	ASSERT_EQ(ZX_OK, s);
	if (p.type != ZX_PKT_TYPE_GUEST_IO || p.guest_io.port != port ||
	    p.guest_io.access_size != size || p.guest_io.input)
		TH_LOG("line %d: packet type %u port %#x size %u input %d data %#x; want IO OUT "
		       "port %#x size %u", line, p.type, p.guest_io.port, p.guest_io.access_size,
		       p.guest_io.input, p.guest_io.u32, port, size);
	ASSERT_EQ(ZX_PKT_TYPE_GUEST_IO, p.type);
	EXPECT_EQ(KEY_IO, p.key);
	EXPECT_EQ(ZX_OK, p.status);
	ASSERT_EQ(port, p.guest_io.port);
	ASSERT_EQ(size, p.guest_io.access_size);
	ASSERT_FALSE(p.guest_io.input);
	EXPECT_EQ(0u, p.guest_io.reserved0);
	EXPECT_EQ(0u, p.guest_io.reserved1);
	EXPECT_EQ(0u, p.guest_io.reserved2);
	if (size == 1)
		return p.guest_io.u8;
	if (size == 2)
		return p.guest_io.u16;
	return p.guest_io.u32;
}

#define NEXT_OUT(vm, port, size) next_out(_metadata, vm, port, size, __LINE__)
#define NEXT_VALUE(vm) NEXT_OUT(vm, PORT_VALUE, 4)
#define EXPECT_VALUE(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_VALUE(vm))
#define EXPECT_MARK(vm, v) EXPECT_EQ((uint32_t)(v), NEXT_OUT(vm, PORT_MARK, 4))

static inline zx_status_t enter(struct vm *vm)
{
	zx_port_packet_t p;

	return zx_vcpu_enter(vm->vcpu, &p);
}

static inline zx_vcpu_state_t read_state(struct vm *vm)
{
	zx_vcpu_state_t st;

	memset(&st, 0xee, sizeof(st));
	zx_vcpu_read_state(vm->vcpu, ZX_VCPU_STATE, &st, sizeof(st));
	return st;
}

/* ZX_INFO_VCPU's flags of @vcpu, or 0xdead if the call fails. */
static inline uint32_t vcpu_flags(zx_handle_t vcpu)
{
	zx_info_vcpu_t info;
	size_t actual = 0, avail = 0;

	memset(&info, 0xff, sizeof(info));
	if (zx_object_get_info(vcpu, ZX_INFO_VCPU, &info, sizeof(info), &actual, &avail) != ZX_OK)
		return 0xdead;
	return info.flags;
}

/* Runs @fn(@arg) on a new thread and waits for it. */
static inline void run_on_thread(void *(*fn)(void *), void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg) == 0)
		pthread_join(t, NULL);
}

/* A VCPU call made from another thread after a delay: see later(). */
struct later {
	zx_handle_t vcpu;
	long delay_ms;
	int what;		/* 0: kick, 1: interrupt @vector, 2: close */
	uint32_t vector;
	zx_status_t status;
	pthread_t thread;
};

static inline void *later_thread(void *p)
{
	struct later *l = p;

	sleep_ms(l->delay_ms);
	if (l->what == 0)
		l->status = zx_vcpu_kick(l->vcpu);
	else if (l->what == 1)
		l->status = zx_vcpu_interrupt(l->vcpu, l->vector);
	else
		l->status = zx_handle_close(l->vcpu);
	return NULL;
}

/* Starts a thread that does @what to @vcpu after @delay_ms; join l->thread. */
static inline int later(struct later *l, zx_handle_t vcpu, int what, uint32_t vector,
			long delay_ms)
{
	l->vcpu = vcpu;
	l->what = what;
	l->vector = vector;
	l->delay_ms = delay_ms;
	l->status = ZX_ERR_INTERNAL;
	return pthread_create(&l->thread, NULL, later_thread, l);
}

#endif /* ZXHV_SELFTESTS_VCPU_VM_H */
