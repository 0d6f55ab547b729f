/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-open-file context of /dev/zircon-hv (file->private_data).
 */
#ifndef ZXHV_FILE_H
#define ZXHV_FILE_H

#include "handle.h"

struct zxhv_file {
	/* The handles of the process that opened the file; set at open. */
	struct zxhv_handle_table handles;
};

#endif /* ZXHV_FILE_H */
