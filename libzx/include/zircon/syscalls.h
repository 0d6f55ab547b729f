/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zircon/syscalls.h: the umbrella header a Zircon program includes for the
 * zx_* calls and everything they use: types, errors, rights, and the per-area
 * headers under zircon/syscalls/.  It declares exactly the calls libzx
 * implements; each new call is declared here when its wrapper lands.
 * Linux-specific zxhv_* calls live in <zircon/hv.h>.
 */
#ifndef ZIRCON_SYSCALLS_H_
#define ZIRCON_SYSCALLS_H_

#include <zircon/compiler.h>
#include <zircon/errors.h>
#include <zircon/rights.h>
#include <zircon/status.h>
#include <zircon/types.h>

#include <zircon/syscalls/hypervisor.h>
#include <zircon/syscalls/object.h>
#include <zircon/syscalls/port.h>
#include <zircon/syscalls/resource.h>

#endif /* ZIRCON_SYSCALLS_H_ */
