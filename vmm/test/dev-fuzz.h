/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The libFuzzer target over the virtio devices' request parsers
 * (vmm/test/dev-fuzz.c): the devices' own files linked with the fake
 * transport and guest RAM of fake-dev.c.  The console and net devices keep
 * their host side in file-scope state, so their files are compiled inside
 * fuzz-console.c and fuzz-net.c, which give the harness these entry points.
 */
#ifndef ZXHV_DEV_FUZZ_H_
#define ZXHV_DEV_FUZZ_H_

#include "fake-dev.h"

/* fuzz-console.c: the console with its output on /dev/null. */
struct virtio_dev *fuzz_console_setup(struct vmm *vm);
/* Queues up to n bytes of host input (emptying the input queue first), then kicks both queues. */
void fuzz_console_run(struct virtio_dev *d, const uint8_t *input, size_t n);

/* fuzz-net.c: the net device on one end of a SOCK_SEQPACKET pair (the TAP's stand-in). */
struct virtio_dev *fuzz_net_setup(struct vmm *vm);
/* Transmits, loops every frame sent back to the receive side, receives; drains both ends. */
void fuzz_net_run(struct virtio_dev *d);

#endif /* ZXHV_DEV_FUZZ_H_ */
