// SPDX-License-Identifier: GPL-2.0-only
/*
 * zxhv-poweroff: end the emulated machine that tools/vmrun booted.
 * Bochs powers off when "Shutdown" is written to I/O port 0x8900; QEMU
 * exits when anything is written to its isa-debug-exit port (0xf4 here).
 * Writing to the port the other emulator lacks is harmless.
 */
#include <stdio.h>
#include <sys/io.h>
#include <unistd.h>

int main(void)
{
	const char *s = "Shutdown";

	sync();
	if (iopl(3)) {
		perror("zxhv-poweroff: iopl");
		return 1;
	}
	outb(0, 0xf4);
	while (*s)
		outb(*s++, 0x8900);
	for (;;)
		pause();
}
