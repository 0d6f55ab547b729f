/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ZXHV_DEV_H
#define ZXHV_DEV_H

int zxhv_dev_init(void);
void zxhv_dev_exit(void);

#endif /* ZXHV_DEV_H */
