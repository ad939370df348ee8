/*
 * delay_table.c - the scan-cost model of memtop's CPU limit, computed with
 * the scanner's own mt_scanner_delay_ms().
 *
 *   delay_table MS_PER_GIB [INTERVAL_S [LIMIT_PCT...]]
 *
 * For resident memory of 1 GiB to 4 TiB at MS_PER_GIB milliseconds of CPU
 * per GiB, prints the scan's CPU time and, for each CPU limit (default
 * 10, 25 and 50 percent of one core; the interval default 2 s), the wait
 * after the scan, the period from one scan's start to the next (how old
 * figures can get) and the share of a core the scanner uses,
 * cpu / (cpu + wait). The scan is taken as CPU bound (wall time = CPU).
 *
 * bench/cpubound.sh builds it against build/plain/libmemtop.a.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memtop/scanner.h"

static void fmt_s(char *b, size_t n, double s)
{
	if (s < 1)
		snprintf(b, n, "%.0fms", s * 1000);
	else if (s < 10)
		snprintf(b, n, "%.2fs", s);
	else if (s < 600)
		snprintf(b, n, "%.1fs", s);
	else
		snprintf(b, n, "%.1fmin", s / 60);
}

int main(int argc, char **argv)
{
	static const unsigned sizes_gib[] = { 1, 4, 16, 64, 256, 1024, 4096 };
	double ms_per_gib, interval_s = 2, limits[8] = { 10, 25, 50 };
	int nlim = 3;
	char b[32];

	if (argc < 2) {
		fputs("usage: delay_table MS_PER_GIB [INTERVAL_S [LIMIT_PCT...]]\n",
		      stderr);
		return 2;
	}
	ms_per_gib = atof(argv[1]);
	if (argc > 2)
		interval_s = atof(argv[2]);
	if (argc > 3) {
		nlim = 0;
		for (int i = 3; i < argc && nlim < 8; i++)
			limits[nlim++] = atof(argv[i]);
	}
	printf("%9s %9s", "resident", "scan CPU");
	for (int l = 0; l < nlim; l++)
		printf(" | %3.0f%%: %8s %9s %6s", limits[l], "wait", "period", "share");
	printf("\n");
	for (size_t i = 0; i < sizeof(sizes_gib) / sizeof(sizes_gib[0]); i++) {
		double cpu_s = ms_per_gib * sizes_gib[i] / 1000;
		uint64_t cpu_ns = (uint64_t)(cpu_s * 1e9);

		if (sizes_gib[i] >= 1024)
			snprintf(b, sizeof(b), "%u TiB", sizes_gib[i] / 1024);
		else
			snprintf(b, sizeof(b), "%u GiB", sizes_gib[i]);
		printf("%9s", b);
		fmt_s(b, sizeof(b), cpu_s);
		printf(" %9s", b);
		for (int l = 0; l < nlim; l++) {
			uint64_t wait_ms = mt_scanner_delay_ms(
				(uint64_t)(interval_s * 1000), cpu_ns,
				limits[l] / 100);
			double wait_s = (double)wait_ms / 1000;
			char w[32], p[32];

			fmt_s(w, sizeof(w), wait_s);
			fmt_s(p, sizeof(p), cpu_s + wait_s);
			printf(" |       %8s %9s %5.1f%%", w, p,
			       100 * cpu_s / (cpu_s + wait_s));
		}
		printf("\n");
	}
	return 0;
}
