/*
 * history.h - the last few hundred scans of a few figures, per process and
 * for the whole system, to plot how huge page adoption changes.
 *
 * Owned by one thread (the UI): mt_history_update() is called with every
 * new snapshot it draws. Processes not seen for a while are dropped.
 */
#ifndef MEMTOP_HISTORY_H
#define MEMTOP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct mt_snapshot;

#define MT_HISTORY_LEN 300

/* A ring of samples; the newest is last. */
struct mt_series {
	float v[MT_HISTORY_LEN];
	uint32_t head;  /* index of the next write */
	uint32_t count; /* samples held, at most MT_HISTORY_LEN */
};

void mt_series_push(struct mt_series *s, double v);
/* Copy up to max samples, oldest first, of the newest ones; returns how
 * many. */
size_t mt_series_get(const struct mt_series *s, double *out, size_t max);
/* The newest sample minus the one before it (0 with fewer than two). */
double mt_series_delta(const struct mt_series *s);

enum mt_history_series {
	MT_SER_RSS,   /* bytes present */
	MT_SER_PMD,   /* bytes in blocks of PMD order or more (present view) */
	MT_SER_THP,   /* bytes in large folios (folio view; 0 without root) */
	MT_SER_CONT,  /* bytes in blocks of PMD order or more (mappable view;
			 0 without root) */
	MT_SER_HUGE,  /* bytes in PMD-order folios (folio view; 0 without
			 root) */
	MT_SER_COUNT
};

struct mt_proc_history {
	pid_t pid;
	uint64_t last_seen;  /* update number */
	struct mt_series s[MT_SER_COUNT];
	/* huge-backed bytes (mt_history_huge: what HUGE/s is the change of;
	 * NaN when not known), and the time of each sample (snapshot time,
	 * ns), pushed with s[] */
	struct mt_series huge;
	uint64_t t[MT_HISTORY_LEN];
};

/*
 * Rate of a series over a window, for events that come in bursts (such
 * as khugepaged's, one scan every scan_sleep_millisecs): from the newest
 * sample back to the newest one at least window_ns older (the oldest held
 * when none is). t holds the samples' times in ns, pushed with the series
 * (the same ring positions). For a gauge (increments false) the rate is
 * the change of the value; with increments each sample is what was added
 * since the one before, and the rate is their sum. False with fewer than
 * two samples, no time between them, or a NaN among those used. *span_s
 * (may be NULL) is the time covered.
 */
bool mt_series_rate(const struct mt_series *s, const uint64_t *t,
		    uint64_t window_ns, bool increments, double *per_s,
		    double *span_s);
/* The huge-backed bytes of process p_index of s (the folio total with
 * kpageflags, else its PMD-mapped memory), NaN when not known. */
double mt_history_huge(const struct mt_snapshot *s, int p_index);

struct mt_history;

struct mt_history *mt_history_new(void);
void mt_history_free(struct mt_history *h);
/* Add one sample per process and for the system. Snapshots already seen
 * (same generation) are ignored. */
void mt_history_update(struct mt_history *h, const struct mt_snapshot *s);
const struct mt_proc_history *mt_history_proc(const struct mt_history *h,
					      pid_t pid);
const struct mt_proc_history *mt_history_system(const struct mt_history *h);
size_t mt_history_nprocs(const struct mt_history *h);

/*
 * The history of a set of processes (a cgroup row): add the series of
 * process pid, if it has a history, to sum. sum[k] holds len[k] samples
 * of series k, oldest first, at most MT_HISTORY_LEN; the newest samples
 * line up, and a longer series extends the sum to the left (older
 * samples of the others count as 0). Start with len all 0; sum need not
 * be cleared. For one process this is a copy of its series.
 */
void mt_history_sum_proc(const struct mt_history *h, pid_t pid,
			 double sum[MT_SER_COUNT][MT_HISTORY_LEN],
			 size_t len[MT_SER_COUNT]);

/* The time the newest n samples of process pid's history cover, in
 * seconds (their snapshots' times; 0 with fewer than two). */
double mt_history_span_s(const struct mt_history *h, pid_t pid, size_t n);

/* The figures sampled, for one process or the system (p NULL). */
double mt_history_value(const struct mt_snapshot *s, int p_index,
			enum mt_history_series which);

#endif
