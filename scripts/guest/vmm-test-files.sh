# SPDX-License-Identifier: GPL-2.0-only
# Sourced by scripts/check.sh and scripts/soak.sh: the files
# scripts/guest/vmm-tests.sh needs in the emulated machine, as tools/vmrun
# arguments (run from the top of the tree, after make vmm tools guest).  The
# 66 MB vmlinux and the bzImage travel in the uncompressed initramfs segment
# (--put-raw: no inflate in Bochs).
vmm_test_files=(
	--put build/vmm:/work/vmm
	--put scripts/guest/vmm-tests.sh:/work/guest/vmm-tests.sh
	--put build/guest/initramfs.cpio.gz:/work/guest/initramfs.cpio.gz
	--put build/guest/release:/work/guest/release
	--put build/guest/triple-fault.elf:/work/guest/triple-fault.elf
	--put build/tools/zxhv-ptyrun:/work/guest/zxhv-ptyrun
	--put-raw build/guest/vmlinux:/work/guest/vmlinux
	--put-raw build/guest/bzImage:/work/guest/bzImage
)
