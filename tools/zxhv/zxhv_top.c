// SPDX-License-Identifier: BSD-2-Clause
/*
 * zxhv top: VM exits per second, by exit reason and by guest, from two
 * VCPU dumps an interval apart (kvm_stat's view).  Rows are sorted by the
 * rate, then by the total; a VCPU that appeared in between counts from
 * zero, one that went away is left out.
 *
 *   zxhv [-j] top [-d SECS] [-n ITERATIONS] [--once]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "zxhv_data.h"

struct row {
	char name[32];
	uint64_t total;		/* since the objects were created */
	uint64_t delta;		/* in the interval */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->delta != y->delta)
		return x->delta < y->delta ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_rows(const char *title, struct row *rows, unsigned int n, double secs,
		       bool json, bool last)
{
	uint64_t total = 0, delta = 0;
	unsigned int i;

	qsort(rows, n, sizeof(*rows), row_cmp);
	for (i = 0; i < n; i++) {
		total += rows[i].total;
		delta += rows[i].delta;
	}
	if (json) {
		printf("\"%s\":[", title);
		for (i = 0; i < n; i++) {
			printf("%s{\"name\":", i ? "," : "");
			zxhv_json_str(stdout, rows[i].name);
			printf(",\"total\":%" PRIu64 ",\"per_second\":%.1f}", rows[i].total,
			       rows[i].delta / secs);
		}
		printf("],\"%s_total\":{\"total\":%" PRIu64 ",\"per_second\":%.1f}%s", title,
		       total, delta / secs, last ? "" : ",");
		return;
	}
	printf("%-24s %14s %7s %12s\n", title, "Total", "%Total", "CurAvg/s");
	for (i = 0; i < n; i++)
		printf("%-24s %14" PRIu64 " %7.1f %12.1f\n", rows[i].name, rows[i].total,
		       total ? 100.0 * rows[i].total / total : 0.0, rows[i].delta / secs);
	printf("%-24s %14" PRIu64 " %7s %12.1f\n\n", "Total", total, "", delta / secs);
}

/* One refresh: the exits between @old and @cur, @secs apart. */
static void show(const struct zxhv_snapshot *old, const struct zxhv_snapshot *cur, double secs,
		 bool json, bool clear)
{
	struct row reasons[ZXHV_EXIT_REASONS], *guests;
	unsigned int nreasons = 0, nguests = 0, i, j, r;
	char buf[32];

	memset(reasons, 0, sizeof(reasons));
	guests = calloc(cur->nvcpus + 1, sizeof(*guests));
	if (!guests) {
		perror("zxhv");
		exit(1);
	}
	for (r = 0; r < ZXHV_EXIT_REASONS; r++) {
		const struct zxhv_vcpu *named = NULL;
		struct row *row = &reasons[nreasons];

		for (i = 0; i < cur->nvcpus; i++) {
			const struct zxhv_vcpu *v = &cur->vcpus[i];
			const struct zxhv_vcpu *o = zxhv_find_vcpu(old, v->o.koid);

			row->total += v->exits[r];
			row->delta += v->exits[r] - (o ? o->exits[r] : 0);
			if (v->names[r])
				named = v;
		}
		if (!row->total)
			continue;
		snprintf(row->name, sizeof(row->name), "%s", zxhv_exit_name(named, r, buf,
									     sizeof(buf)));
		nreasons++;
	}
	for (i = 0; i < cur->nvcpus; i++) {
		const struct zxhv_vcpu *v = &cur->vcpus[i];
		const struct zxhv_vcpu *o = zxhv_find_vcpu(old, v->o.koid);

		snprintf(buf, sizeof(buf), "guest %" PRIu64, v->guest_koid);
		for (j = 0; j < nguests && strcmp(guests[j].name, buf); j++)
			;
		if (j == nguests)
			snprintf(guests[nguests++].name, sizeof(guests[0].name), "%s", buf);
		guests[j].total += v->exits_total;
		guests[j].delta += v->exits_total - (o ? o->exits_total : 0);
	}
	if (json) {
		printf("{\"interval_s\":%.3f,", secs);
		print_rows("reasons", reasons, nreasons, secs, true, false);
		print_rows("guests", guests, nguests, secs, true, true);
		printf("}\n");
	} else {
		if (clear)
			printf("\033[H\033[2J");
		printf("zxhv top: %u VCPUs in %u guests, interval %.1f s\n\n", cur->nvcpus,
		       nguests, secs);
		print_rows("Exit reason", reasons, nreasons, secs, false, false);
		print_rows("Guest", guests, nguests, secs, false, true);
	}
	fflush(stdout);
	free(guests);
}

int zxhv_top_parse(int argc, char **argv, struct zxhv_top_opts *o)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "once", no_argument, NULL, '1' },
		{ 0 }
	};
	char *end;
	int c;

	o->delay = 1.0;
	o->iterations = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:n:1", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o->delay = strtod(optarg, &end);
			if (*end || !(o->delay >= 0.1 && o->delay <= 3600)) {
				fprintf(stderr, "zxhv top: -d wants seconds in [0.1, 3600]\n");
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			o->iterations = strtol(optarg, &end, 10);
			if (*end || errno || o->iterations < 1) {
				fprintf(stderr, "zxhv top: -n wants a count >= 1\n");
				return 2;
			}
			break;
		case '1':
			o->iterations = 1;
			break;
		default:
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "zxhv top: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

int zxhv_top(struct zxhv_nl *nl, const struct zxhv_top_opts *o, bool json)
{
	struct zxhv_snapshot old = { 0 }, cur = { 0 };
	long done = 0;
	double t0, t1;
	int ret;

	ret = zxhv_fetch_vcpus(nl, 0, &old);
	t0 = now();
	while (!ret && (!o->iterations || done < o->iterations)) {
		usleep(o->delay * 1e6);
		ret = zxhv_fetch_vcpus(nl, 0, &cur);
		if (ret)
			break;
		t1 = now();
		show(&old, &cur, t1 - t0, json, !json && isatty(1) && !o->iterations);
		zxhv_snapshot_free(&old);
		old = cur;
		memset(&cur, 0, sizeof(cur));
		t0 = t1;
		done++;
	}
	zxhv_snapshot_free(&old);
	zxhv_snapshot_free(&cur);
	if (ret) {
		fprintf(stderr, "zxhv top: %s%s%s\n", strerror(-ret), nl->extack[0] ? ": " : "",
			nl->extack);
		return 1;
	}
	return 0;
}
