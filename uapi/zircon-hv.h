/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * zircon-hv: the ioctl ABI between libzx and /dev/zircon-hv.
 *
 * Every Zircon call that libzx implements is one ioctl on the file
 * descriptor of /dev/zircon-hv.  Two error domains are kept apart:
 *
 *  - The ioctl's own failure (return value -1 with errno set) means the
 *    transport failed: an unknown ioctl number (ENOTTY), an argument block
 *    that could not be copied (EFAULT), or a signal that must restart the
 *    call (never visible to libzx; the kernel restarts it).
 *  - Otherwise the ioctl returns a non-negative value, which is the Zircon
 *    status negated: 0 is ZX_OK, 10 is ZX_ERR_INVALID_ARGS, and so on.
 *    ZXHV_STATUS() turns it back into a zx_status_t.
 *
 * Structures use explicit widths and explicit padding; padding and reserved
 * fields must be zero on input (the kernel returns ZX_ERR_INVALID_ARGS
 * otherwise) and are zero on output.  Sizes are checked with static
 * assertions below so that the layout cannot drift.
 *
 * Versioning: ZXHV_IOC_GET_API_VERSION reports the ABI this module speaks.
 * The major number changes when an existing ioctl changes incompatibly;
 * the minor number grows when ioctls are added.  libzx refuses to talk to
 * a module with a different major number.
 */
/*
 * The calls and the rights their handles need, in one table (the module's
 * dispatch table, module/syscalls.c, carries the same column and a KUnit
 * test compares the two).  "-": the call takes no handle; "none": any
 * handle of the right type.  Where a call takes two handles they are
 * listed in the order they are checked.
 *
 *  nr    ioctl                          handle: right needed
 *  0x00  GET_API_VERSION                -  (any process; _IOR)
 *  0x01  VMX_PROBE                      -  (any process; _IOR)
 *  0x10  HANDLE_CLOSE                   none
 *  0x11  HANDLE_CLOSE_MANY              none
 *  0x12  HANDLE_DUPLICATE               handle: DUPLICATE
 *  0x13  HANDLE_REPLACE                 handle: none
 *  0x14  OBJECT_GET_INFO                handle: INSPECT (none for the topics
 *                                       ZX_INFO_HANDLE_VALID and _BASIC)
 *  0x18  RESOURCE_CREATE                parent resource: WRITE
 *  0x19  HYPERVISOR_RESOURCE            -  (CAP_SYS_ADMIN or hypervisor_gid)
 *  0x1a  HANDLE_EXPORT                  handle: TRANSFER
 *  0x1b  HANDLE_IMPORT                  -  (a file descriptor)
 *  0x30  PORT_CREATE                    -
 *  0x31  PORT_QUEUE                     port: WRITE
 *  0x32  PORT_WAIT                      port: READ
 *  0x40  VMO_CREATE                     -
 *  0x41  VMO_GET_SIZE                   vmo: none
 *  0x42  VMO_READ                       vmo: READ
 *  0x43  VMO_WRITE                      vmo: WRITE
 *  0x44  VMO_REPLACE_AS_EXECUTABLE      vmo: none; vmex: none (a SYSTEM
 *                                       resource covering VMEX_BASE)
 *  0x48  VMAR_ROOT_SELF                 -
 *  0x49  VMAR_MAP                       vmar: none; vmo: MAP; each
 *                                       ZX_VM_PERM_* also needs its right
 *                                       (READ, WRITE, EXECUTE) on both
 *  0x4a  VMAR_UNMAP                     vmar: none
 *  0x4b  VMAR_PROTECT                   vmar: READ/WRITE/EXECUTE for each
 *                                       ZX_VM_PERM_* requested
 *  0x50  GUEST_CREATE                   resource: none (a SYSTEM resource
 *                                       covering HYPERVISOR_BASE, or ROOT)
 *  0x51  GUEST_SET_TRAP                 guest: WRITE; port: WRITE
 *  0x58  VCPU_CREATE                    guest: MANAGE_PROCESS or
 *                                       MANAGE_THREAD (either one)
 *  0x59  VCPU_ENTER                     vcpu: EXECUTE
 *  0x5a  VCPU_KICK                      vcpu: EXECUTE
 *  0x5b  VCPU_INTERRUPT                 vcpu: SIGNAL
 *  0x5c  VCPU_READ_STATE                vcpu: READ
 *  0x5d  VCPU_WRITE_STATE               vcpu: WRITE
 *
 * A handle lacking the right gives ZX_ERR_ACCESS_DENIED, after
 * ZX_ERR_BAD_HANDLE (not a handle) and ZX_ERR_WRONG_TYPE (another type).
 */
#ifndef _UAPI_ZIRCON_HV_H
#define _UAPI_ZIRCON_HV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define ZXHV_DEVICE_NAME	"zircon-hv"
#define ZXHV_DEVICE_PATH	"/dev/zircon-hv"

#define ZXHV_API_VERSION_MAJOR	0
#define ZXHV_API_VERSION_MINOR	5

/* ioctl magic: 0xB8 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define ZXHV_IOC_MAGIC		0xB8

/* Turns a non-negative ioctl return value back into a zx_status_t. */
#define ZXHV_STATUS(ret)	((__s32)-(ret))

/*
 * ZXHV_IOC_GET_API_VERSION: report the ABI version.  Never fails once the
 * argument block is writable; returns ZX_OK.
 */
struct zxhv_api_version {
	__u32 major;
	__u32 minor;
};

/*
 * ZXHV_IOC_VMX_PROBE: report whether this host can run guests, and if not,
 * why.  The probe runs at module load on every online CPU and again on
 * every call (the state can change, e.g. when kvm_intel is loaded).
 *
 * @result: one of enum zxhv_vmx_probe_result; when CPUs disagree, the
 *          first CPU whose result is not ZXHV_VMX_READY is reported.
 * @cpu:    the CPU that produced @result.
 * @ncpus:  number of online CPUs probed.
 * @feature_control: raw IA32_FEATURE_CONTROL of @cpu (0 if the CPU has no
 *          VMX, since the MSR may not exist then).
 */
enum zxhv_vmx_probe_result {
	ZXHV_VMX_READY = 0,		/* VMX usable: guests can run */
	ZXHV_VMX_NO_CPU_SUPPORT = 1,	/* CPUID.1:ECX.VMX[bit 5] = 0 */
	ZXHV_VMX_DISABLED_BY_FIRMWARE = 2, /* FEATURE_CONTROL locked, VMXON outside SMX clear */
	ZXHV_VMX_IN_USE = 3,		/* CR4.VMXE already set: another hypervisor owns VMX */
};

struct zxhv_vmx_probe {
	__u32 result;
	__u32 cpu;
	__u32 ncpus;
	__u32 reserved;
	__u64 feature_control;
};

#define ZXHV_IOC_GET_API_VERSION _IOR(ZXHV_IOC_MAGIC, 0x00, struct zxhv_api_version)
#define ZXHV_IOC_VMX_PROBE	 _IOR(ZXHV_IOC_MAGIC, 0x01, struct zxhv_vmx_probe)

/*
 * Handles, objects and resources: ioctls 0x10-0x2F.  Each carries the
 * arguments of one zx_* call; user pointers travel as __u64 and the module
 * reads and writes them itself, so a faulting pointer gives the call's own
 * status (ZX_ERR_INVALID_ARGS), never EFAULT.  Output handles are created
 * only after everything else succeeded; if the handle value cannot be
 * written out, the handle is closed again.  Output sizes (@actual, @avail)
 * are written as 64-bit values: the Zircon ABI is 64-bit only.
 *
 * Every one of these ioctls, used by a process other than the one that
 * opened the file (a forked child using the inherited descriptor, or a
 * process that received it over a socket), fails with -1/EACCES: a handle
 * table belongs to one process.  libzx reopens the device in a forked child.
 */

/* ZXHV_IOC_HANDLE_CLOSE: zx_handle_close(handle). */
struct zxhv_handle_close {
	__u32 handle;
	__u32 reserved;
};

/* ZXHV_IOC_HANDLE_CLOSE_MANY: zx_handle_close_many(handles, num_handles). */
struct zxhv_handle_close_many {
	__u64 handles;		/* const zx_handle_t * */
	__u64 num_handles;
};

/*
 * ZXHV_IOC_HANDLE_DUPLICATE and ZXHV_IOC_HANDLE_REPLACE:
 * zx_handle_duplicate/replace(handle, rights, out).
 */
struct zxhv_handle_derive {
	__u32 handle;
	__u32 rights;
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_OBJECT_GET_INFO: zx_object_get_info(handle, topic, buffer,
 * buffer_size, actual, avail); @actual and @avail may be 0 (NULL).
 */
struct zxhv_object_get_info {
	__u32 handle;
	__u32 topic;
	__u64 buffer;		/* void * */
	__u64 buffer_size;
	__u64 actual;		/* size_t *, may be 0 */
	__u64 avail;		/* size_t *, may be 0 */
};

/*
 * ZXHV_IOC_RESOURCE_CREATE: zx_resource_create(parent, options, base, size,
 * name, name_size, out).
 */
struct zxhv_resource_create {
	__u32 parent;
	__u32 options;
	__u64 base;
	__u64 size;
	__u64 name;		/* const char *, need not be terminated */
	__u64 name_size;
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_HYPERVISOR_RESOURCE: zxhv_hypervisor_resource(out).  A
 * ZX_RSRC_KIND_SYSTEM resource over [ZX_RSRC_SYSTEM_HYPERVISOR_BASE, +1)
 * with ZX_DEFAULT_RESOURCE_RIGHTS, for a caller with CAP_SYS_ADMIN or in the
 * group whose gid is the module parameter hypervisor_gid; ZX_ERR_ACCESS_DENIED
 * for anyone else.
 */
struct zxhv_hypervisor_resource {
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_HANDLE_EXPORT: zxhv_handle_export(handle, fd_out).  Moves a
 * handle holding ZX_RIGHT_TRANSFER out of the table into a new O_CLOEXEC
 * file descriptor, written to *fd_out.  The descriptor can travel over a
 * Unix socket (SCM_RIGHTS) or across exec; closing it closes the handle.
 */
struct zxhv_handle_export {
	__u32 handle;
	__u32 reserved;
	__u64 fd_out;		/* int * */
};

/*
 * ZXHV_IOC_HANDLE_IMPORT: zxhv_handle_import(fd, out).  Moves the handle
 * held by @fd into the table with the same rights; @fd stays open, empty
 * (importing it again gives ZX_ERR_BAD_HANDLE).
 */
struct zxhv_handle_import {
	__s32 fd;
	__u32 reserved;
	__u64 out;		/* zx_handle_t * */
};

#define ZXHV_IOC_HANDLE_CLOSE	   _IOW(ZXHV_IOC_MAGIC, 0x10, struct zxhv_handle_close)
#define ZXHV_IOC_HANDLE_CLOSE_MANY _IOW(ZXHV_IOC_MAGIC, 0x11, struct zxhv_handle_close_many)
#define ZXHV_IOC_HANDLE_DUPLICATE  _IOW(ZXHV_IOC_MAGIC, 0x12, struct zxhv_handle_derive)
#define ZXHV_IOC_HANDLE_REPLACE	   _IOW(ZXHV_IOC_MAGIC, 0x13, struct zxhv_handle_derive)
#define ZXHV_IOC_OBJECT_GET_INFO   _IOW(ZXHV_IOC_MAGIC, 0x14, struct zxhv_object_get_info)
#define ZXHV_IOC_RESOURCE_CREATE   _IOW(ZXHV_IOC_MAGIC, 0x18, struct zxhv_resource_create)
#define ZXHV_IOC_HYPERVISOR_RESOURCE _IOW(ZXHV_IOC_MAGIC, 0x19, struct zxhv_hypervisor_resource)
#define ZXHV_IOC_HANDLE_EXPORT	   _IOW(ZXHV_IOC_MAGIC, 0x1a, struct zxhv_handle_export)
#define ZXHV_IOC_HANDLE_IMPORT	   _IOW(ZXHV_IOC_MAGIC, 0x1b, struct zxhv_handle_import)

/*
 * Ports: ioctls 0x30-0x3F.  Same conventions as above (user pointers as
 * __u64, reserved fields zero, a faulting pointer gives
 * ZX_ERR_INVALID_ARGS).
 */

/*
 * ZXHV_IOC_PORT_CREATE: zx_port_create(options, out).  @options is 0 or
 * ZX_PORT_BIND_TO_INTERRUPT; the latter is accepted for source
 * compatibility and changes nothing, since no interrupt object can be bound
 * to a port here.  Other bits: ZX_ERR_INVALID_ARGS.
 */
struct zxhv_port_create {
	__u32 options;
	__u32 reserved;
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_PORT_QUEUE: zx_port_queue(handle, packet).  Needs ZX_RIGHT_WRITE;
 * the packet's type becomes ZX_PKT_TYPE_USER.  At most 4096 user packets
 * are queued per port (ZX_ERR_SHOULD_WAIT beyond).
 */
struct zxhv_port_queue {
	__u32 handle;
	__u32 reserved;
	__u64 packet;		/* const zx_port_packet_t * */
};

/*
 * ZXHV_IOC_PORT_WAIT: zx_port_wait(handle, deadline, packet).  Needs
 * ZX_RIGHT_READ.  @deadline is absolute CLOCK_MONOTONIC nanoseconds
 * (ZX_TIME_INFINITE: none).  A signal interrupts the wait and the kernel
 * restarts the ioctl with the same arguments, so the deadline holds across
 * it.  A packet that cannot be written to @packet is lost
 * (ZX_ERR_INVALID_ARGS), as in Zircon.
 */
struct zxhv_port_wait {
	__u32 handle;
	__u32 reserved;
	__s64 deadline;		/* zx_time_t */
	__u64 packet;		/* zx_port_packet_t * */
};

#define ZXHV_IOC_PORT_CREATE	_IOW(ZXHV_IOC_MAGIC, 0x30, struct zxhv_port_create)
#define ZXHV_IOC_PORT_QUEUE	_IOW(ZXHV_IOC_MAGIC, 0x31, struct zxhv_port_queue)
#define ZXHV_IOC_PORT_WAIT	_IOW(ZXHV_IOC_MAGIC, 0x32, struct zxhv_port_wait)

/*
 * VMOs and VMARs: ioctls 0x40-0x4F.  Same conventions as above (user
 * pointers as __u64, reserved fields zero, a faulting pointer gives
 * ZX_ERR_INVALID_ARGS).
 */

/*
 * ZXHV_IOC_VMO_CREATE: zx_vmo_create(size, options, out).  @size is rounded
 * up to a page; at most 64 GiB (ZX_ERR_OUT_OF_RANGE beyond).  @options:
 * ZX_VMO_RESIZABLE and ZX_VMO_DISCARDABLE are accepted (the size never
 * changes: zx_vmo_set_size is not offered); other bits ZX_ERR_INVALID_ARGS.
 * Pages are zero-filled on first touch and charged to the memory cgroup of
 * the task touching them.
 */
struct zxhv_vmo_create {
	__u64 size;
	__u32 options;
	__u32 reserved;
	__u64 out;		/* zx_handle_t * */
};

/* ZXHV_IOC_VMO_GET_SIZE: zx_vmo_get_size(handle, size).  No right needed. */
struct zxhv_vmo_get_size {
	__u32 handle;
	__u32 reserved;
	__u64 size;		/* uint64_t * */
};

/*
 * ZXHV_IOC_VMO_READ and ZXHV_IOC_VMO_WRITE: zx_vmo_read/write(handle,
 * buffer, offset, buffer_size).  Need ZX_RIGHT_READ / ZX_RIGHT_WRITE; a
 * range outside the VMO gives ZX_ERR_OUT_OF_RANGE.
 */
struct zxhv_vmo_rw {
	__u32 handle;
	__u32 reserved;
	__u64 buffer;		/* void * (const void * for WRITE) */
	__u64 offset;
	__u64 buffer_size;
};

/*
 * ZXHV_IOC_VMO_REPLACE_AS_EXECUTABLE: zx_vmo_replace_as_executable(handle,
 * vmex, out).  @vmex is ZX_HANDLE_INVALID or a ZX_RSRC_KIND_SYSTEM resource
 * covering ZX_RSRC_SYSTEM_VMEX_BASE.  The source handle is closed once
 * found, whatever the outcome; the new handle has its rights plus
 * ZX_RIGHT_EXECUTE.
 */
struct zxhv_vmo_replace_as_executable {
	__u32 handle;
	__u32 vmex;
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_VMAR_ROOT_SELF: a new handle to a VMAR standing for the calling
 * process's whole address space (base 0), with ZX_DEFAULT_VMAR_RIGHTS |
 * READ | WRITE | EXECUTE.  libzx calls it once per process and returns the
 * handle from every zx_vmar_root_self().  The VMAR can only be used by the
 * process that created it (another one gets ZX_ERR_NOT_SUPPORTED).
 */
struct zxhv_vmar_root_self {
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_VMAR_MAP: zx_vmar_map(handle, options, vmar_offset, vmo,
 * vmo_offset, len, mapped_addr).  The mapping is a shared mapping of the
 * VMO's pages, coherent with zx_vmo_read/write and every other mapping.
 */
struct zxhv_vmar_map {
	__u32 handle;
	__u32 options;		/* zx_vm_option_t */
	__u64 vmar_offset;
	__u32 vmo;
	__u32 reserved;
	__u64 vmo_offset;
	__u64 len;
	__u64 mapped_addr;	/* zx_vaddr_t * */
};

/*
 * ZXHV_IOC_VMAR_UNMAP: zx_vmar_unmap(handle, addr, len).
 * ZXHV_IOC_VMAR_PROTECT: zx_vmar_protect(handle, options, addr, len).
 */
struct zxhv_vmar_range {
	__u32 handle;
	__u32 options;		/* zx_vm_option_t (PROTECT); 0 for UNMAP */
	__u64 addr;
	__u64 len;
};

#define ZXHV_IOC_VMO_CREATE	_IOW(ZXHV_IOC_MAGIC, 0x40, struct zxhv_vmo_create)
#define ZXHV_IOC_VMO_GET_SIZE	_IOW(ZXHV_IOC_MAGIC, 0x41, struct zxhv_vmo_get_size)
#define ZXHV_IOC_VMO_READ	_IOW(ZXHV_IOC_MAGIC, 0x42, struct zxhv_vmo_rw)
#define ZXHV_IOC_VMO_WRITE	_IOW(ZXHV_IOC_MAGIC, 0x43, struct zxhv_vmo_rw)
#define ZXHV_IOC_VMO_REPLACE_AS_EXECUTABLE \
	_IOW(ZXHV_IOC_MAGIC, 0x44, struct zxhv_vmo_replace_as_executable)
#define ZXHV_IOC_VMAR_ROOT_SELF	_IOW(ZXHV_IOC_MAGIC, 0x48, struct zxhv_vmar_root_self)
#define ZXHV_IOC_VMAR_MAP	_IOW(ZXHV_IOC_MAGIC, 0x49, struct zxhv_vmar_map)
#define ZXHV_IOC_VMAR_UNMAP	_IOW(ZXHV_IOC_MAGIC, 0x4a, struct zxhv_vmar_range)
#define ZXHV_IOC_VMAR_PROTECT	_IOW(ZXHV_IOC_MAGIC, 0x4b, struct zxhv_vmar_range)

/*
 * Guests: 0x50-0x5f.
 *
 * ZXHV_IOC_GUEST_CREATE: zx_guest_create(resource, options, guest_handle,
 * vmar_handle).  @resource must be a SYSTEM resource covering
 * ZX_RSRC_SYSTEM_HYPERVISOR_BASE, or ROOT; @options must be 0.  Both
 * handles are written only after everything else succeeded; the VMAR
 * handle's addresses are guest-physical, [0, 2^48).
 */
struct zxhv_guest_create {
	__u32 resource;
	__u32 options;
	__u64 guest_out;	/* zx_handle_t * */
	__u64 vmar_out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_GUEST_SET_TRAP: zx_guest_set_trap(handle, kind, addr, size,
 * port, key).  The guest handle needs ZX_RIGHT_WRITE; @port is
 * ZX_HANDLE_INVALID or a port handle with ZX_RIGHT_WRITE.
 */
struct zxhv_guest_set_trap {
	__u32 handle;
	__u32 kind;		/* zx_guest_trap_t */
	__u64 addr;
	__u64 size;
	__u32 port;
	__u32 reserved;
	__u64 key;
};

#define ZXHV_IOC_GUEST_CREATE	_IOW(ZXHV_IOC_MAGIC, 0x50, struct zxhv_guest_create)
#define ZXHV_IOC_GUEST_SET_TRAP	_IOW(ZXHV_IOC_MAGIC, 0x51, struct zxhv_guest_set_trap)

/*
 * VCPUs: 0x58-0x5f (API minor 5).
 *
 * ZXHV_IOC_VCPU_CREATE: zx_vcpu_create(guest, options, entry, out).  The
 * guest handle needs ZX_RIGHT_MANAGE_THREAD or ZX_RIGHT_MANAGE_PROCESS;
 * the VCPU is bound to the calling thread.
 */
struct zxhv_vcpu_create {
	__u32 guest;
	__u32 options;
	__u64 entry;		/* zx_vaddr_t, a guest-physical address */
	__u64 out;		/* zx_handle_t * */
};

/*
 * ZXHV_IOC_VCPU_ENTER: zx_vcpu_enter(handle, packet).  Blocks, running the
 * guest; @packet (a zx_port_packet_t *) is written only when the status is
 * ZX_OK.  A signal makes the ioctl return to userspace and restart.
 * ZXHV_IOC_VCPU_KICK: zx_vcpu_kick(handle); @arg is 0.
 * ZXHV_IOC_VCPU_INTERRUPT: zx_vcpu_interrupt(handle, vector); @arg is the
 * vector.
 */
struct zxhv_vcpu_enter {
	__u32 handle;
	__u32 reserved;
	__u64 packet;		/* zx_port_packet_t * */
};

struct zxhv_vcpu_signal {
	__u32 handle;
	__u32 arg;
};

/*
 * ZXHV_IOC_VCPU_READ_STATE / ZXHV_IOC_VCPU_WRITE_STATE:
 * zx_vcpu_read_state/zx_vcpu_write_state(handle, kind, buffer, buffer_size).
 */
struct zxhv_vcpu_state_rw {
	__u32 handle;
	__u32 kind;		/* zx_vcpu_state_topic_t */
	__u64 buffer;		/* void * */
	__u64 buffer_size;
};

#define ZXHV_IOC_VCPU_CREATE	_IOW(ZXHV_IOC_MAGIC, 0x58, struct zxhv_vcpu_create)
#define ZXHV_IOC_VCPU_ENTER	_IOW(ZXHV_IOC_MAGIC, 0x59, struct zxhv_vcpu_enter)
#define ZXHV_IOC_VCPU_KICK	_IOW(ZXHV_IOC_MAGIC, 0x5a, struct zxhv_vcpu_signal)
#define ZXHV_IOC_VCPU_INTERRUPT	_IOW(ZXHV_IOC_MAGIC, 0x5b, struct zxhv_vcpu_signal)
#define ZXHV_IOC_VCPU_READ_STATE _IOW(ZXHV_IOC_MAGIC, 0x5c, struct zxhv_vcpu_state_rw)
#define ZXHV_IOC_VCPU_WRITE_STATE _IOW(ZXHV_IOC_MAGIC, 0x5d, struct zxhv_vcpu_state_rw)

#if defined(__cplusplus)
#define ZXHV_STATIC_ASSERT(c) static_assert(c, #c)
#else
#define ZXHV_STATIC_ASSERT(c) _Static_assert(c, #c)
#endif

ZXHV_STATIC_ASSERT(sizeof(struct zxhv_api_version) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmx_probe) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_handle_close) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_handle_close_many) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_handle_derive) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_object_get_info) == 40);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_resource_create) == 48);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_hypervisor_resource) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_handle_export) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_handle_import) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_port_create) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_port_queue) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_port_wait) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmo_create) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmo_get_size) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmo_rw) == 32);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmo_replace_as_executable) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmar_root_self) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmar_map) == 48);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vmar_range) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_guest_create) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_guest_set_trap) == 40);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vcpu_create) == 24);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vcpu_enter) == 16);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vcpu_signal) == 8);
ZXHV_STATIC_ASSERT(sizeof(struct zxhv_vcpu_state_rw) == 24);

#endif /* _UAPI_ZIRCON_HV_H */
