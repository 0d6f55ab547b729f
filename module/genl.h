/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The generic netlink family "zircon-hv" (module/genl.c): registered at
 * module init before the device, unregistered at exit after it.
 */
#ifndef ZXHV_GENL_H
#define ZXHV_GENL_H

int zxhv_genl_init(void);
void zxhv_genl_exit(void);

#endif /* ZXHV_GENL_H */
