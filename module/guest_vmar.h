/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VMAR handle of zx_guest_create(): an object of type ZX_OBJ_TYPE_VMAR
 * (so zx_vmar_map/unmap/protect accept it), base 0, size 2^48, whose
 * addresses are guest-physical addresses.  The zx_vmar_* calls reach it
 * through its struct zxhv_vmar_ops (module/vmar.h).  It sits above the
 * guest (module/guest.h): the guest knows nothing of its VMAR.
 *
 * Statuses are those of host VMARs (docs/design.md, "VMOs and host
 * VMARs") with the guest address space's rules (module/gpas.h):
 * zx_vmar_map() checks, in order: VMO without ZX_RIGHT_MAP ACCESS_DENIED
 * (the handle lookup);
 * WRITE/EXECUTE without READ, MAP_RANGE with SPECIFIC_OVERWRITE, CAN_MAP_*
 * bits INVALID_ARGS; ZX_VM_ALIGN_* and OFFSET_IS_UPPER_LIMIT NOT_SUPPORTED;
 * other unknown bits INVALID_ARGS; a PERM missing from the rights of the
 * VMO or the VMAR ACCESS_DENIED; unaligned offsets or length, len 0, a
 * range outside [0, 2^48), an offset without SPECIFIC INVALID_ARGS; a
 * resizable/discardable VMO without ALLOW_FAULTS (or resizable with
 * REQUIRE_NON_RESIZABLE) NOT_SUPPORTED; past the VMO's end
 * BUFFER_TOO_SMALL; overlap without SPECIFIC_OVERWRITE NO_MEMORY (checked
 * last, by the address space itself, unlike a host VMAR where it precedes
 * the VMO checks; only the status of a call with two faults differs).
 * The GPA is returned in *mapped_addr; ZX_VM_MAP_RANGE and ZX_VM_COMPACT
 * are accepted and change nothing (EPT entries are made on first access).
 */
#ifndef ZXHV_GUEST_VMAR_H
#define ZXHV_GUEST_VMAR_H

#include <linux/types.h>
#include <zircon/rights.h>
#include <zircon/types.h>

struct zxhv_guest;
struct zxhv_vmar;

/*
 * The rights of the guest VMAR handle: Zircon's root VMAR rights
 * (**[unverified]** in the spec, inferred from its CAN_MAP_RWX flags).
 */
#define ZXHV_GUEST_VMAR_RIGHTS \
	(ZX_DEFAULT_VMAR_RIGHTS | ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_EXECUTE)

/*
 * A VMAR for @guest's address space (takes a guest reference; one
 * reference of its own, no handles), or NULL.  Its unmap punches a hole
 * wherever mappings lie in the range (gpas.h); its protect checks non-PERM
 * options, WRITE/EXECUTE without READ (INVALID_ARGS), a PERM the VMAR
 * handle lacks (ACCESS_DENIED), then gives zxhv_gpas_protect()'s statuses.
 */
struct zxhv_vmar *zxhv_guest_vmar_create(struct zxhv_guest *guest);

#endif /* ZXHV_GUEST_VMAR_H */
