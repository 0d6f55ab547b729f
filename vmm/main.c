// SPDX-License-Identifier: BSD-2-Clause
/*
 * zxhv-vmm: the command line, the guest's creation and the exit status.
 *
 *   zxhv-vmm --kernel PATH [--initrd PATH] [--cmdline STRING] [--cpus N]
 *            [--memory SIZE] [--disk PATH[,ro]]... [--console uart|virtio] [--rng]
 *            [--net tap=NAME[,mac=MAC]]
 *
 * Exit status: 0 when the guest powers off or reboots (stderr says which),
 * 1 on a VM failure (cause and registers on stderr), 2 on bad input before
 * the VM starts (one line naming the argument).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zircon/hv.h>
#include <zircon/status.h>

#include "vmm.h"

#define DEFAULT_CMDLINE	"console=ttyS0 panic=-1"
#define DEFAULT_MEMORY	(256ull << 20)

static const char usage_text[] =
	"usage: zxhv-vmm --kernel PATH [--initrd PATH] [--cmdline STRING] [--cpus N]\n"
	"                [--memory SIZE] [--disk PATH[,ro]]... [--console uart|virtio] [--rng]\n"
	"                [--net tap=NAME[,mac=MAC]]\n";

void vmm_die_input(const char *arg, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zxhv-vmm: %s: ", arg);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_BAD_INPUT);
}

/* "256M", "1G", "65536K" or plain bytes; a whole number of pages. */
static uint64_t parse_size(const char *arg, const char *s)
{
	uint64_t v = 0, mult = 1;
	const char *p = s;

	if (*p < '0' || *p > '9')
		vmm_die_input(arg, "'%s' is not a size (a number with K, M or G)", s);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			vmm_die_input(arg, "'%s' is too large", s);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	switch (*p) {
	case 'k': case 'K': mult = 1ull << 10; p++; break;
	case 'm': case 'M': mult = 1ull << 20; p++; break;
	case 'g': case 'G': mult = 1ull << 30; p++; break;
	default: break;
	}
	if (*p == 'i' && mult != 1 && p[1] == 'B')
		p += 2;
	if (*p)
		vmm_die_input(arg, "'%s' is not a size (a number with K, M or G)", s);
	if (v > UINT64_MAX / mult)
		vmm_die_input(arg, "'%s' is too large", s);
	v *= mult;
	if (v & 0xfff)
		vmm_die_input(arg, "'%s' is not a whole number of 4 KiB pages", s);
	if (v < VMM_MEM_MIN || v > VMM_MEM_MAX)
		vmm_die_input(arg, "'%s' is outside [64M, 3G]", s);
	return v;
}

static unsigned int parse_cpus(const char *s)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+')
		vmm_die_input("--cpus", "'%s' is not a number", s);
	if (n < 1 || n > VMM_MAX_CPUS)
		vmm_die_input("--cpus", "%s is outside [1, %d]", s, VMM_MAX_CPUS);
	return (unsigned int)n;
}

/* --disk PATH[,ro]: the file must exist, open with the asked mode and hold whole sectors. */
static void parse_disk(struct vmm_config *cfg, char *s)
{
	struct vmm_disk *d;
	char *comma = strrchr(s, ',');
	struct stat st;
	int fd;

	if (cfg->ndisks == VMM_MAX_DISKS)
		vmm_die_input("--disk", "more than %d disks", VMM_MAX_DISKS);
	d = &cfg->disks[cfg->ndisks++];
	if (comma && strcmp(comma, ",ro") == 0) {
		*comma = 0;
		d->read_only = true;
	} else if (comma && strchr(comma, '/') == NULL) {
		vmm_die_input("--disk", "unknown option '%s' (only ',ro')", comma + 1);
	}
	d->path = s;
	if (!*s)
		vmm_die_input("--disk", "empty path");
	fd = open(s, d->read_only ? O_RDONLY : O_RDWR);
	if (fd < 0)
		vmm_die_input("--disk", "%s: %s", s, strerror(errno));
	if (fstat(fd, &st) || !(S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)))
		vmm_die_input("--disk", "%s: not a regular file or block device", s);
	if (S_ISREG(st.st_mode) && (st.st_size == 0 || st.st_size % 512))
		vmm_die_input("--disk", "%s: size %lld is not a non-zero multiple of 512", s,
			      (long long)st.st_size);
	close(fd);
}

static void parse_args(int argc, char **argv, struct vmm_config *cfg)
{
	/* The options that may appear once; --disk may be repeated. */
	static const char *const once[] = { "--kernel", "--initrd", "--cmdline", "--cpus",
					     "--memory", "--console", "--rng", "--net", NULL };
	unsigned int seen = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->cmdline = DEFAULT_CMDLINE;
	cfg->cpus = 1;
	cfg->memory = DEFAULT_MEMORY;

	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i];
		char *val;
		int k;

		if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
			fputs(usage_text, stdout);
			exit(0);
		}
		for (k = 0; once[k]; k++)
			if (strcmp(opt, once[k]) == 0)
				break;
		if (once[k] && (seen & (1u << k)))
			vmm_die_input(opt, "given more than once");
		if (once[k])
			seen |= 1u << k;
		if (strcmp(opt, "--rng") == 0) {
			cfg->rng = true;
			continue;
		}
		if (!once[k] && strcmp(opt, "--disk"))
			vmm_die_input(opt, "unknown argument (see --help)");
		if (i + 1 >= argc)
			vmm_die_input(opt, "needs a value");
		val = argv[++i];
		if (strcmp(opt, "--kernel") == 0)
			cfg->kernel = val;
		else if (strcmp(opt, "--initrd") == 0)
			cfg->initrd = val;
		else if (strcmp(opt, "--cmdline") == 0)
			cfg->cmdline = val;
		else if (strcmp(opt, "--cpus") == 0)
			cfg->cpus = parse_cpus(val);
		else if (strcmp(opt, "--memory") == 0)
			cfg->memory = parse_size("--memory", val);
		else if (strcmp(opt, "--console") == 0 && strcmp(val, "uart") && strcmp(val, "virtio"))
			vmm_die_input(opt, "'%s' is neither 'uart' nor 'virtio'", val);
		else if (strcmp(opt, "--console") == 0)
			cfg->console_virtio = strcmp(val, "virtio") == 0;
		else if (strcmp(opt, "--net") == 0)
			virtio_net_parse(cfg, val);
		else
			parse_disk(cfg, val);
	}
	if (!cfg->kernel)
		vmm_die_input("--kernel", "missing (the Linux kernel to boot; see --help)");
}

static void fail(const char *what, zx_status_t s)
{
	fprintf(stderr, "zxhv-vmm: %s failed: %s\n", what, zx_status_get_string(s));
	exit(EXIT_VM_FAILURE);
}

#define CHECK(call) do { zx_status_t s_ = (call); if (s_ != ZX_OK) fail(#call, s_); } while (0)

static void create_guest(struct vmm *vm)
{
	zx_handle_t rsrc;
	zx_vaddr_t gpa, host;
	zx_status_t s;

	if (access("/dev/zircon-hv", F_OK) != 0) {
		fprintf(stderr, "zxhv-vmm: /dev/zircon-hv is missing: load the zircon-hv module\n");
		exit(EXIT_VM_FAILURE);
	}
	CHECK(zxhv_hypervisor_resource(&rsrc));
	s = zx_guest_create(rsrc, 0, &vm->guest, &vm->vmar);
	if (s == ZX_ERR_NOT_SUPPORTED) {
		zxhv_vmx_probe_t p;

		memset(&p, 0, sizeof(p));
		fprintf(stderr, "zxhv-vmm: this machine cannot run guests");
		if (zxhv_vmx_probe(&p) == ZX_OK)
			fprintf(stderr, ": %s", zxhv_vmx_probe_result_string(p.result));
		fputc('\n', stderr);
		exit(EXIT_VM_FAILURE);
	}
	if (s != ZX_OK)
		fail("zx_guest_create", s);
	zx_handle_close(rsrc);

	vm->mem_size = vm->cfg.memory;
	CHECK(zx_vmo_create(vm->mem_size, 0, &vm->vmo));
	CHECK(zx_vmo_replace_as_executable(vm->vmo, ZX_HANDLE_INVALID, &vm->vmo));
	CHECK(zx_vmar_map(vm->vmar, ZX_VM_PERM_READ | ZX_VM_PERM_WRITE | ZX_VM_PERM_EXECUTE |
			  ZX_VM_SPECIFIC, 0, vm->vmo, 0, vm->mem_size, &gpa));
	CHECK(zx_vmar_map(zx_vmar_root_self(), ZX_VM_PERM_READ | ZX_VM_PERM_WRITE, 0, vm->vmo, 0,
			  vm->mem_size, &host));
	vm->mem = (uint8_t *)host;

	/* Every port goes to the VMM (ports end at 0xffff); the IO APIC is a MEM trap. */
	CHECK(zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_IO, 0, 0xffff, ZX_HANDLE_INVALID, 0));
	CHECK(zx_guest_set_trap(vm->guest, ZX_GUEST_TRAP_MEM, GPA_IOAPIC, 0x1000,
				ZX_HANDLE_INVALID, 0));
}

int main(int argc, char **argv)
{
	static struct vmm vm;
	struct vmm_boot boot;
	int rc;

	console_init();
	parse_args(argc, argv, &vm.cfg);
	memset(&boot, 0, sizeof(boot));
	loader_check(&vm.cfg, &boot);

	pthread_mutex_init(&vm.lock, NULL);
	pthread_cond_init(&vm.cond, NULL);
	create_guest(&vm);
	bootparams_setup(&vm, &boot);
	acpi_setup(&vm);
	loader_place(&vm, &boot);
	uart_init(&vm);
	virtio_setup(&vm);
	console_start(&vm);
	rc = vcpu_run_vm(&vm, boot.entry);
	console_report();
	virtio_exit_report();
	return rc;
}
