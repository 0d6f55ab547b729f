// SPDX-License-Identifier: BSD-2-Clause
/*
 * The VCPU loop: one thread per VCPU, each bound to its VCPU by
 * zx_vcpu_create().  The boot CPU enters the kernel's 64-bit entry with RSI =
 * the zero page; the others start when the guest sends them STARTUP IPIs
 * (GUEST_VCPU STARTUP packets: the AP enters real mode at the trampoline).
 * zircon-hv gives VCPUs APIC IDs in creation order, so APs must be created in
 * the order of their IDs (Linux starts them one by one in MADT order); a
 * repeated STARTUP for a started CPU is ignored, as the spec's second SIPI is.
 * Fixed/NMI IPIs arrive as GUEST_VCPU INTERRUPT packets and go out again with
 * zx_vcpu_interrupt().  Ports and the MEM traps (IO APIC, virtio BARs) are
 * handled on the VCPU's own thread.
 *
 * The VM ends when a device calls vmm_stop() (poweroff, reboot, Ctrl-A x) or a
 * VCPU fails: every VCPU is kicked out of zx_vcpu_enter() and the main thread
 * reports how it ended.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/status.h>

#include "vmm.h"

struct vcpu_start {
	struct vmm *vm;
	unsigned int id;
	uint64_t entry;
};

void vmm_stop(struct vmm *vm, enum vmm_exit why, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&vm->lock);
	if (vm->exit == VMM_RUNNING) {
		__atomic_store_n(&vm->exit, why, __ATOMIC_RELEASE);
		va_start(ap, fmt);
		vsnprintf(vm->fail_msg, sizeof(vm->fail_msg), fmt, ap);
		va_end(ap);
		for (unsigned int i = 0; i < VMM_MAX_CPUS; i++)
			if (vm->vcpu[i] != ZX_HANDLE_INVALID)
				zx_vcpu_kick(vm->vcpu[i]);
		pthread_cond_broadcast(&vm->cond);
	}
	pthread_mutex_unlock(&vm->lock);
}

/* Once per exit of every VCPU: a load, not the lock (vmm_stop() stores under it). */
static bool running(struct vmm *vm)
{
	return __atomic_load_n(&vm->exit, __ATOMIC_ACQUIRE) == VMM_RUNNING;
}

/* Ends the VM with a failure of VCPU @id, with its registers when they can be read. */
static void vcpu_fail(struct vmm *vm, unsigned int id, zx_handle_t h, const char *fmt, ...)
{
	char cause[512];
	zx_vcpu_state_t st;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	if (h != ZX_HANDLE_INVALID &&
	    zx_vcpu_read_state(h, ZX_VCPU_STATE, &st, sizeof(st)) == ZX_OK)
		vmm_stop(vm, VMM_FAILED,
			 "VCPU %u: %s\n"
			 "  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n"
			 "  rsi %016llx rdi %016llx rbp %016llx rsp %016llx\n"
			 "  r8  %016llx r9  %016llx r10 %016llx r11 %016llx\n"
			 "  r12 %016llx r13 %016llx r14 %016llx r15 %016llx\n"
			 "  rflags %08llx (RIP and control registers: the host's kernel log)",
			 id, cause,
			 (unsigned long long)st.rax, (unsigned long long)st.rbx,
			 (unsigned long long)st.rcx, (unsigned long long)st.rdx,
			 (unsigned long long)st.rsi, (unsigned long long)st.rdi,
			 (unsigned long long)st.rbp, (unsigned long long)st.rsp,
			 (unsigned long long)st.r8, (unsigned long long)st.r9,
			 (unsigned long long)st.r10, (unsigned long long)st.r11,
			 (unsigned long long)st.r12, (unsigned long long)st.r13,
			 (unsigned long long)st.r14, (unsigned long long)st.r15,
			 (unsigned long long)st.rflags);
	else
		vmm_stop(vm, VMM_FAILED, "VCPU %u: %s", id, cause);
}

void vcpu_interrupt_mask(struct vmm *vm, uint64_t mask, uint8_t vector)
{
	for (unsigned int id = 0; id < VMM_MAX_CPUS && id < vm->cfg.cpus; id++) {
		zx_handle_t h;
		zx_status_t s;

		if (!(mask & (1ull << id)))
			continue;
		pthread_mutex_lock(&vm->lock);
		while (vm->started[id] && vm->vcpu[id] == ZX_HANDLE_INVALID &&
		       vm->exit == VMM_RUNNING)
			pthread_cond_wait(&vm->cond, &vm->lock);
		h = vm->vcpu[id];
		pthread_mutex_unlock(&vm->lock);
		if (h == ZX_HANDLE_INVALID)
			continue;		/* not started: the IPI goes nowhere */
		s = zx_vcpu_interrupt(h, vector);
		if (s != ZX_OK)
			vmm_stop(vm, VMM_FAILED, "zx_vcpu_interrupt(VCPU %u, vector %u): %s", id,
				 vector, zx_status_get_string(s));
	}
}

static void *vcpu_thread(void *arg);

static void start_vcpu(struct vmm *vm, unsigned int id, uint64_t entry)
{
	struct vcpu_start *vs;
	pthread_t t;

	pthread_mutex_lock(&vm->lock);
	if (id >= vm->cfg.cpus || vm->started[id]) {
		pthread_mutex_unlock(&vm->lock);
		return;
	}
	if (id != vm->next_apic_id) {
		pthread_mutex_unlock(&vm->lock);
		vmm_stop(vm, VMM_FAILED, "the guest started CPU %u before CPU %u; zircon-hv "
			 "numbers APIC IDs in creation order", id, vm->next_apic_id);
		return;
	}
	vm->started[id] = true;
	vm->next_apic_id++;
	pthread_mutex_unlock(&vm->lock);

	vs = malloc(sizeof(*vs));
	if (vs) {
		vs->vm = vm;
		vs->id = id;
		vs->entry = entry;
	}
	if (!vs || pthread_create(&t, NULL, vcpu_thread, vs) != 0) {
		vmm_stop(vm, VMM_FAILED, "cannot start a thread for VCPU %u", id);
		free(vs);
		return;
	}
	pthread_detach(t);
}

static bool handle_io(struct vmm *vm, unsigned int id, zx_handle_t h, const zx_packet_guest_io_t *io)
{
	zx_vcpu_io_t answer;
	uint32_t v;
	zx_status_t s;

	if (io->access_size != 1 && io->access_size != 2 && io->access_size != 4) {
		vcpu_fail(vm, id, h, "IO access of %u bytes at port %#x", io->access_size, io->port);
		return false;
	}
	v = legacy_io(vm, io->port, io->input, io->access_size, io->input ? 0 : io->u32);
	if (!io->input)
		return true;
	memset(&answer, 0, sizeof(answer));
	answer.access_size = io->access_size;
	answer.u32 = v;
	s = zx_vcpu_write_state(h, ZX_VCPU_IO, &answer, sizeof(answer));
	if (s != ZX_OK) {
		vcpu_fail(vm, id, h, "zx_vcpu_write_state(ZX_VCPU_IO): %s", zx_status_get_string(s));
		return false;
	}
	return true;
}

static bool handle_mem(struct vmm *vm, unsigned int id, zx_handle_t h, const zx_packet_guest_mem_t *m)
{
	bool ioapic = m->addr >= GPA_IOAPIC && m->addr < GPA_IOAPIC + 0x1000;
	struct mmio_access acc;
	uint64_t v64;
	char why[256];
	uint32_t v;

	if (!decode_mmio(vm, h, m, &acc, why, sizeof(why))) {
		vcpu_fail(vm, id, h, "MMIO access at %#llx: %s", (unsigned long long)m->addr, why);
		return false;
	}
	v = (uint32_t)acc.value;
	v64 = acc.value;
	if (ioapic) {
		ioapic_mmio(vm, m->addr - GPA_IOAPIC, acc.write, &v, acc.size);
		v64 = v;
	} else if (!virtio_mmio(vm, m->addr, acc.write, &v64, acc.size)) {
		vcpu_fail(vm, id, h, "MMIO at %#llx, where no device is", (unsigned long long)m->addr);
		return false;
	}
	if (!acc.write && !decode_complete_read(h, &acc, v64)) {
		vcpu_fail(vm, id, h, "cannot complete the MMIO read at %#llx",
			  (unsigned long long)m->addr);
		return false;
	}
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu_start vs = *(struct vcpu_start *)arg;
	struct vmm *vm = vs.vm;
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t s;

	free(arg);
	s = zx_vcpu_create(vm->guest, 0, vs.entry, &h);
	pthread_mutex_lock(&vm->lock);
	vm->vcpu[vs.id] = h;
	pthread_cond_broadcast(&vm->cond);
	pthread_mutex_unlock(&vm->lock);
	if (s != ZX_OK) {
		vmm_stop(vm, VMM_FAILED, "zx_vcpu_create (VCPU %u, entry %#llx): %s", vs.id,
			 (unsigned long long)vs.entry, zx_status_get_string(s));
		return NULL;
	}
	if (vs.id == 0) {
		zx_vcpu_state_t st;

		memset(&st, 0, sizeof(st));
		st.rsi = GPA_ZERO_PAGE;		/* the 64-bit boot protocol's boot_params */
		s = zx_vcpu_write_state(h, ZX_VCPU_STATE, &st, sizeof(st));
		if (s != ZX_OK) {
			vcpu_fail(vm, 0, h, "zx_vcpu_write_state: %s", zx_status_get_string(s));
			return NULL;
		}
	}

	while (running(vm)) {
		zx_port_packet_t p;

		s = zx_vcpu_enter(h, &p);
		if (s == ZX_ERR_CANCELED)
			continue;		/* kicked: the loop condition decides */
		if (s != ZX_OK) {
			if (running(vm))
				vcpu_fail(vm, vs.id, h, "zx_vcpu_enter: %s%s", zx_status_get_string(s),
					  s == ZX_ERR_BAD_STATE ?
					  " (the guest triple-faulted or a VM entry failed)" : "");
			break;
		}
		switch (p.type) {
		case ZX_PKT_TYPE_GUEST_IO:
			if (!handle_io(vm, vs.id, h, &p.guest_io))
				return NULL;
			break;
		case ZX_PKT_TYPE_GUEST_MEM:
			if (!handle_mem(vm, vs.id, h, &p.guest_mem))
				return NULL;
			break;
		case ZX_PKT_TYPE_GUEST_VCPU:
			if (p.guest_vcpu.type == ZX_PKT_GUEST_VCPU_INTERRUPT) {
				vcpu_interrupt_mask(vm, p.guest_vcpu.interrupt.mask,
						    p.guest_vcpu.interrupt.vector);
			} else if (p.guest_vcpu.type == ZX_PKT_GUEST_VCPU_STARTUP) {
				if (p.guest_vcpu.startup.id < VMM_MAX_CPUS)
					start_vcpu(vm, (unsigned int)p.guest_vcpu.startup.id,
						   p.guest_vcpu.startup.entry);
			} else {
				vcpu_fail(vm, vs.id, h, "GUEST_VCPU packet of type %u",
					  p.guest_vcpu.type);
				return NULL;
			}
			break;
		default:
			vcpu_fail(vm, vs.id, h, "unexpected packet type %u", p.type);
			return NULL;
		}
	}
	return NULL;
}

int vcpu_run_vm(struct vmm *vm, uint64_t entry)
{
	enum vmm_exit why;

	for (unsigned int i = 0; i < VMM_MAX_CPUS; i++)
		vm->vcpu[i] = ZX_HANDLE_INVALID;
	start_vcpu(vm, 0, entry);

	pthread_mutex_lock(&vm->lock);
	while (vm->exit == VMM_RUNNING)
		pthread_cond_wait(&vm->cond, &vm->lock);
	why = vm->exit;
	pthread_mutex_unlock(&vm->lock);

	console_flush();
	console_restore();
	fprintf(stderr, "zxhv-vmm: %s\n", vm->fail_msg);
	return why == VMM_FAILED ? EXIT_VM_FAILURE : 0;
}
