/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * zxhv's model of what the module reports: guests, VCPUs and ports as the
 * family's dumps return them (zxhv_data.c), and the output helpers.
 */
#ifndef ZXHV_DATA_H
#define ZXHV_DATA_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "zxhv_nl.h"

#define ZXHV_EXIT_REASONS 76

struct zxhv_owner {
	uint64_t koid;
	uint32_t pid, uid;
	char comm[16];		/* as the kernel has it: any bytes */
	char comm_text[64];	/* for a terminal: non-printable bytes as \xHH */
	uint64_t created_ns;
};

struct zxhv_trap {
	uint32_t kind;
	uint64_t addr, size, key, port_koid;
};

struct zxhv_guest {
	struct zxhv_owner o;
	uint32_t vcpus;
	uint64_t mem_bytes;
	uint64_t ept[3];
	unsigned int ntraps;
	struct zxhv_trap *traps;
	uint32_t traps_omitted;	/* not listed: the module's message had no room */
};

struct zxhv_vcpu {
	struct zxhv_owner o;
	uint64_t guest_koid;
	uint32_t id, tid, last_cpu, state;
	uint64_t guest_ns, entries, exits_total, injected, kicks, ept_faults, packets;
	uint64_t exits[ZXHV_EXIT_REASONS];
	const char *names[ZXHV_EXIT_REASONS];	/* the module's names (strdup), or NULL */
};

struct zxhv_port {
	struct zxhv_owner o;
	uint32_t queued, user_queued, arenas, arena_size, arena_used;
	uint32_t poll_ns;		/* zx_port_wait's polling window now */
	uint64_t poll_hits, sleeps;	/* waits ended while polling; waits that slept */
	uint64_t arena_poll_hits, arena_sleeps;	/* the same of VCPUs at a full BELL arena */
};

struct zxhv_snapshot {
	struct zxhv_guest *guests;
	unsigned int nguests;
	struct zxhv_vcpu *vcpus;
	unsigned int nvcpus;
	struct zxhv_port *ports;
	unsigned int nports;
};

/*
 * Fill @s from dumps (@koid 0) or from one GET of @cmd (ZXHV_CMD_*_GET)
 * by @koid.  0 or -errno (nl->extack says more).
 */
int zxhv_fetch(struct zxhv_nl *nl, uint8_t cmd, uint64_t koid, struct zxhv_snapshot *s);
/* All three dumps. */
int zxhv_fetch_all(struct zxhv_nl *nl, struct zxhv_snapshot *s);
/* VCPUs only, optionally of one guest (@guest 0: all). */
int zxhv_fetch_vcpus(struct zxhv_nl *nl, uint64_t guest, struct zxhv_snapshot *s);
void zxhv_snapshot_free(struct zxhv_snapshot *s);

const struct zxhv_vcpu *zxhv_find_vcpu(const struct zxhv_snapshot *s, uint64_t koid);
const char *zxhv_exit_name(const struct zxhv_vcpu *v, unsigned int reason, char *buf,
			   size_t len);
const char *zxhv_state_name(uint32_t state);
const char *zxhv_trap_kind_name(uint32_t kind);

/*
 * JSON output: a string with escapes.  Valid UTF-8 goes out as it is; a
 * byte that is not part of valid UTF-8 as \u00XX (its Latin-1 reading).
 */
void zxhv_json_str(FILE *f, const char *s);

/* zxhv top (zxhv_top.c): its options, read before the module is asked. */
struct zxhv_top_opts {
	double delay;		/* seconds between dumps */
	long iterations;	/* 0: until interrupted */
};

/* Reads top's arguments (argv[0] is "top"); 0, or 2 after a message. */
int zxhv_top_parse(int argc, char **argv, struct zxhv_top_opts *o);
int zxhv_top(struct zxhv_nl *nl, const struct zxhv_top_opts *o, bool json_out);

#endif /* ZXHV_DATA_H */
