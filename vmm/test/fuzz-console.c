// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-console for dev-fuzz.c: its file compiled here, so that each run
 * starts with an empty input queue (a run whose guest posts no receive
 * buffers leaves its input behind).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "../virtio_console.c"
#include "dev-fuzz.h"

struct virtio_dev *fuzz_console_setup(struct vmm *vm)
{
	int null = open("/dev/null", O_WRONLY);

	if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
		abort();		/* transmitted bytes must not reach libFuzzer's output */
	close(null);
	virtio_console_add(vm);
	return con.dev;
}

void fuzz_console_run(struct virtio_dev *d, const uint8_t *input, size_t n)
{
	con.head = con.count = 0;
	if (n > INPUT_SIZE)
		n = INPUT_SIZE;
	for (size_t i = 0; i < n; i++)
		virtio_console_receive(input[i], false);
	d->ops->notify(d, -1);
}
