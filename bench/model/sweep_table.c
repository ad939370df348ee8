/*
 * sweep_table.c - the scan-cost model of priority scanning, run with the
 * scanner's own mt_scanner_delay_ms() and mt_scanner_credit().
 *
 *   sweep_table FULL_MS_PER_GIB CHEAP_MS_PER_GIB [INTERVAL_S [LIMIT_PCT...]]
 *
 * A machine of M GiB resident (16 GiB to 1 TiB): one process holding all
 * but 2 GiB of it (a database, a JVM) and 100 small processes of about
 * 20 MiB, 40 of them on screen, one of those selected. A full walk (PFNs
 * and folios) costs FULL_MS_PER_GIB of CPU, a cheap one (no PFNs)
 * CHEAP_MS_PER_GIB; every process also costs a fixed 0.1 ms (its /proc
 * files). Scans are simulated for an hour with the rules of scan.h and
 * sweep.c:
 *
 *  - the selected process and the rows on screen get a full walk at every
 *    scan while those walks fit 35% of the interval's CPU share;
 *  - the others get a cheap walk while those fit another 35%; beyond
 *    that the dearest keep their figures whole;
 *  - the sweep walks the rest in full, oldest first, while the credit
 *    (mt_scanner_credit) is positive; one walk may overdraw it; a
 *    process whose walk costs more than the 35% is walked a range of
 *    that cost at a time, one such process at a time (slice.c);
 *  - the wait after a scan keeps what must be read within the limit
 *    (mt_scanner_delay_ms on the scan's CPU less the sweep's).
 *
 * At the first scan, new processes are walked in full while about a
 * second of walks lasts (fresh_ns); a bigger one waits for the sweep.
 * New processes' walks are the sweep's to pay for.
 *
 * Printed for each size and limit: the selected process's refresh period
 * (from one of its full walks to the next), a screenful's (the longest of
 * the shown rows'), the big process's, and the whole sweep's (the oldest
 * figures' age at its worst), and the scanner's CPU share. Also the same
 * machine without priority scanning (--full-scans): every scan walks
 * everything in full.
 *
 * bench/priority.sh builds it against build/plain/libmemtop.a.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "memtop/scanner.h"

#define NSMALL 100
#define NSHOWN 40
#define NPROC (NSMALL + 1)
#define PER_PROC_MS 0.1

struct proc {
	double full_ms, cheap_ms;
	double last;      /* time of the last full walk */
	double worst;     /* longest time between full walks */
	int shown;
};

static void fmt_s(char *b, size_t n, double s)
{
	if (s < 1)
		snprintf(b, n, "%.0fms", s * 1000);
	else if (s < 10)
		snprintf(b, n, "%.1fs", s);
	else if (s < 600)
		snprintf(b, n, "%.0fs", s);
	else
		snprintf(b, n, "%.0fmin", s / 60);
}

static int by_age(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a;
	const struct proc *y = *(struct proc *const *)b;
	return (x->last > y->last) - (x->last < y->last);
}

static void walked(struct proc *p, double t)
{
	if (t - p->last > p->worst)
		p->worst = t - p->last;
	p->last = t;
}

/* An hour of scans; out: refresh periods (s) and the CPU share. */
static void simulate(double gib, double full_gib, double cheap_gib,
		     double interval_s, double limit, int priority,
		     double out[5])
{
	struct proc pr[NPROC];
	double small_gib = 20.0 / 1024;
	for (int i = 0; i < NPROC; i++) {
		double g = i == 0 ? gib - 2 : small_gib;
		pr[i].full_ms = g * full_gib + PER_PROC_MS;
		pr[i].cheap_ms = g * cheap_gib + PER_PROC_MS;
		pr[i].last = 0;
		pr[i].worst = 0;
		pr[i].shown = i >= 1 && i <= NSHOWN; /* 1: the selected */
	}
	uint64_t iv_ms = (uint64_t)(interval_s * 1000);
	int64_t credit = 0;
	double t = 0, cpu_all = 0, last_start = -1;
	int slicing = -1;     /* the process walked a range at a time */
	double sliced_ms = 0; /* of its walk, done so far */
	struct proc *order[NPROC];
	int first = 1;
	while (t < 3600) {
		double cpu = 0, sweep = 0;
		int full[NPROC] = { 0 };
		if (!priority) {
			for (int i = 0; i < NPROC; i++)
				full[i] = 1, cpu += pr[i].full_ms;
		} else if (first) {
			/* nothing to keep yet: every process is new; new ones
			 * are walked while about a second of walks lasts
			 * (fresh_ns), paid from the sweep's credit, and the
			 * cheap walk is done for the others */
			double fresh = 1000;
			for (int i = 0; i < NPROC; i++) {
				if (pr[i].full_ms <= fresh) {
					full[i] = 2;
					sweep += pr[i].full_ms;
					fresh -= pr[i].full_ms;
				} else {
					sweep += pr[i].cheap_ms;
				}
			}
			cpu += sweep;
		} else {
			double must = limit * interval_s * 1000 * 0.35;
			double walk = must;
			/* shown, the selected first, then oldest first */
			int n = 0;
			for (int i = 2; i < NPROC; i++)
				if (pr[i].shown)
					order[n++] = &pr[i];
			qsort(order, (size_t)n, sizeof(*order), by_age);
			if (pr[1].full_ms <= must) {
				full[1] = 1;
				must -= pr[1].full_ms;
			}
			for (int k = 0; k < n; k++) {
				int i = (int)(order[k] - pr);
				if (pr[i].full_ms <= must) {
					full[i] = 1;
					must -= pr[i].full_ms;
				}
			}
			/* the sweep, oldest first, on its credit */
			n = 0;
			for (int i = 0; i < NPROC; i++)
				if (!full[i])
					order[n++] = &pr[i];
			qsort(order, (size_t)n, sizeof(*order), by_age);
			double left = credit > 0 ? (double)credit / 1e6 : 0;
			double slice_ms = limit * interval_s * 1000 * 0.35;
			for (int k = 0; k < n && left > 0; k++) {
				int i = (int)(order[k] - pr);
				if (pr[i].full_ms > slice_ms) {
					/* a range at a time (slice.c) */
					if (slicing >= 0 && slicing != i)
						continue;
					slicing = i;
					sliced_ms += slice_ms;
					sweep += slice_ms;
					left -= slice_ms;
					full[i] = -1; /* not walked otherwise */
					if (sliced_ms >= pr[i].full_ms) {
						full[i] = 3; /* done */
						slicing = -1;
						sliced_ms = 0;
					}
					continue;
				}
				full[i] = 2;
				left -= pr[i].full_ms;
			}
			/* cheap walks of the rest, dearest kept whole */
			double cheap = 0;
			for (int i = 0; i < NPROC; i++)
				if (!full[i])
					cheap += pr[i].cheap_ms;
			for (int i = 0; i < NPROC && cheap > walk; i++) {
				if (!full[i] && pr[i].cheap_ms > walk / 4) {
					cheap -= pr[i].cheap_ms;
					full[i] = -1; /* not walked */
				}
			}
			for (int i = 0; i < NPROC; i++) {
				if (full[i] == 1)
					cpu += pr[i].full_ms;
				else if (full[i] == 2)
					sweep += pr[i].full_ms;
				else if (full[i] == 0)
					cpu += pr[i].cheap_ms;
			}
			cpu += sweep;
		}
		first = 0;
		double start = t;
		t += cpu / 1000; /* CPU bound */
		for (int i = 0; i < NPROC; i++)
			if (full[i] > 0)
				walked(&pr[i], t);
		uint64_t must_ns = (uint64_t)((cpu - sweep) * 1e6);
		uint64_t wait = mt_scanner_delay_ms(iv_ms, must_ns, limit);
		credit = mt_scanner_credit(credit, limit,
					   last_start < 0 ? 0
						: (uint64_t)((start - last_start) * 1e9),
					   (uint64_t)(cpu * 1e6), iv_ms);
		last_start = start;
		cpu_all += cpu / 1000;
		t += (double)wait / 1000;
	}
	double shown = 0, oldest = 0;
	for (int i = 0; i < NPROC; i++) {
		double w = pr[i].worst;
		if (t - pr[i].last > w)
			w = t - pr[i].last;
		if (pr[i].shown && w > shown)
			shown = w;
		if (w > oldest)
			oldest = w;
	}
	out[0] = pr[1].worst;
	out[1] = shown;
	out[2] = t - pr[0].last > pr[0].worst ? t - pr[0].last : pr[0].worst;
	out[3] = oldest;
	out[4] = cpu_all / t * 100;
}

int main(int argc, char **argv)
{
	static const double sizes_gib[] = { 16, 64, 256, 1024 };
	double limits[8] = { 3, 10 }, interval_s = 2;
	int nlim = 2;
	if (argc < 3) {
		fputs("usage: sweep_table FULL_MS_PER_GIB CHEAP_MS_PER_GIB "
		      "[INTERVAL_S [LIMIT_PCT...]]\n", stderr);
		return 2;
	}
	double full = atof(argv[1]), cheap = atof(argv[2]);
	if (argc > 3)
		interval_s = atof(argv[3]);
	if (argc > 4) {
		nlim = 0;
		for (int i = 4; i < argc && nlim < 8; i++)
			limits[nlim++] = atof(argv[i]);
	}
	printf("full walk %.1f ms/GiB, cheap walk %.1f ms/GiB, interval %gs; "
	       "one big process, 100 small, 40 on screen\n",
	       full, cheap, interval_s);
	printf("%8s %5s | %9s %9s %9s %9s %6s | %s\n", "resident", "limit",
	       "selected", "screen", "big one", "sweep", "CPU",
	       "--full-scans: every row");
	for (size_t s = 0; s < sizeof(sizes_gib) / sizeof(*sizes_gib); s++) {
		for (int l = 0; l < nlim; l++) {
			double o[5], f[5];
			char a[16], b[16], c[16], d[16], e[16];
			simulate(sizes_gib[s], full, cheap, interval_s,
				 limits[l] / 100, 1, o);
			simulate(sizes_gib[s], full, cheap, interval_s,
				 limits[l] / 100, 0, f);
			fmt_s(a, sizeof(a), o[0]);
			fmt_s(b, sizeof(b), o[1]);
			fmt_s(c, sizeof(c), o[2]);
			fmt_s(d, sizeof(d), o[3]);
			fmt_s(e, sizeof(e), f[0]);
			printf("%5.0fGiB %4.0f%% | %9s %9s %9s %9s %5.1f%% | %s\n",
			       sizes_gib[s], limits[l], a, b, c, d, o[4], e);
		}
	}
	return 0;
}
