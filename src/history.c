/*
 * history.c - ring buffers of per-process and system figures.
 *
 * Processes are kept in an open-addressing table keyed by pid; a process
 * missing from EXPIRE consecutive updates is dropped (its pid may be
 * reused by a new process, whose history must not continue the old one).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/history.h"
#include "memtop/snapshot.h"
#include "memtop/util.h"

#define EXPIRE 3

void mt_series_push(struct mt_series *s, double v)
{
	s->v[s->head] = (float)v;
	s->head = (s->head + 1) % MT_HISTORY_LEN;
	if (s->count < MT_HISTORY_LEN)
		s->count++;
}

size_t mt_series_get(const struct mt_series *s, double *out, size_t max)
{
	size_t n = MT_MIN((size_t)s->count, max);
	/* the newest n samples end just before head */
	size_t start = (s->head + MT_HISTORY_LEN - n) % MT_HISTORY_LEN;
	for (size_t i = 0; i < n; i++)
		out[i] = s->v[(start + i) % MT_HISTORY_LEN];
	return n;
}

double mt_series_delta(const struct mt_series *s)
{
	if (s->count < 2)
		return 0;
	uint32_t last = (s->head + MT_HISTORY_LEN - 1) % MT_HISTORY_LEN;
	uint32_t prev = (s->head + MT_HISTORY_LEN - 2) % MT_HISTORY_LEN;
	return (double)s->v[last] - (double)s->v[prev];
}

bool mt_series_rate(const struct mt_series *s, const uint64_t *t,
		    uint64_t window_ns, bool increments, double *per_s,
		    double *span_s)
{
	if (s->count < 2)
		return false;
	uint32_t newest = (s->head + MT_HISTORY_LEN - 1) % MT_HISTORY_LEN;
	uint64_t tn = t[newest];
	/* walk back to the newest sample at least window_ns older */
	uint32_t j = newest;
	double sum = 0;
	for (uint32_t k = 1; k < s->count; k++) {
		uint32_t i = (newest + MT_HISTORY_LEN - k) % MT_HISTORY_LEN;
		if (increments)
			sum += (double)s->v[(i + 1) % MT_HISTORY_LEN];
		j = i;
		if (t[i] > tn || tn - t[i] >= window_ns)
			break;
	}
	if (t[j] >= tn)
		return false;
	double dt = (double)(tn - t[j]) / 1e9;
	double v = increments ? sum
			      : (double)s->v[newest] - (double)s->v[j];
	if (isnan(v))
		return false;
	*per_s = v / dt;
	if (span_s)
		*span_s = dt;
	return true;
}

double mt_history_huge(const struct mt_snapshot *s, int p_index)
{
	const struct mt_proc *p = &s->procs[p_index];
	if (s->have_kpageflags)
		return p->folios ? (double)mt_folio_total(p->folios) *
					   s->page_size
				 : 0;
	if (p->pmd_mapped != MT_UNKNOWN && s->pmd_order < 64)
		return (double)(p->pmd_mapped << s->pmd_order) * s->page_size;
	return NAN;
}

struct mt_history {
	struct mt_proc_history **slots; /* open addressing, NULL = empty */
	size_t cap, n;
	struct mt_proc_history sys;
	uint64_t updates, last_gen;
	/* ages of entries are checked per update */
};

struct mt_history *mt_history_new(void)
{
	struct mt_history *h = xcalloc(1, sizeof(*h));
	h->cap = 256;
	h->slots = xcalloc(h->cap, sizeof(*h->slots));
	return h;
}

void mt_history_free(struct mt_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i]);
	free(h->slots);
	free(h);
}

static size_t slot_of(const struct mt_history *h, pid_t pid)
{
	return ((size_t)(uint32_t)pid * 2654435761u) & (h->cap - 1);
}

static struct mt_proc_history **find_slot(const struct mt_history *h,
					  pid_t pid)
{
	size_t i = slot_of(h, pid);
	while (h->slots[i] && h->slots[i]->pid != pid)
		i = (i + 1) & (h->cap - 1);
	return &h->slots[i];
}

static void insert(struct mt_history *h, struct mt_proc_history *e)
{
	*find_slot(h, e->pid) = e;
	h->n++;
}

static void rehash(struct mt_history *h, size_t cap)
{
	struct mt_proc_history **old = h->slots;
	size_t oldcap = h->cap;
	h->slots = xcalloc(cap, sizeof(*h->slots));
	h->cap = cap;
	h->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i])
			continue;
		if (h->updates - old[i]->last_seen >= EXPIRE)
			free(old[i]);
		else
			insert(h, old[i]);
	}
	free(old);
}

double mt_history_value(const struct mt_snapshot *s, int p_index,
			enum mt_history_series which)
{
	const struct mt_proc *p = p_index >= 0 ? &s->procs[p_index] : NULL;
	const uint64_t *hist = p ? p->present_hist : s->present_hist;
	const struct mt_folio_stats *fs = p ? p->folios : s->folios;
	uint64_t pages = 0;
	switch (which) {
	case MT_SER_RSS:
		pages = p ? p->present_pages : s->present_pages;
		break;
	case MT_SER_PMD:
		pages = s->pmd_order < s->nord
				? mt_hist_pages_from(hist, s->nord, s->pmd_order)
				: 0;
		break;
	case MT_SER_THP:
		pages = fs ? mt_folio_total(fs) : 0;
		break;
	case MT_SER_CONT: {
		const uint64_t *mh = p ? p->mappable_hist : s->mappable_hist;
		pages = mh && s->pmd_order < s->nord
				? mt_hist_pages_from(mh, s->nord, s->pmd_order)
				: 0;
		break;
	}
	case MT_SER_HUGE:
		for (int t = 0; fs && t < 2; t++) {
			pages += fs->pmd[t];
			for (unsigned o = s->pmd_order; o < MT_FOLIO_ORDERS; o++)
				pages += (fs->aligned[t][o] +
					  fs->unaligned[t][o]);
		}
		break;
	case MT_SER_COUNT:
		break;
	}
	return (double)pages * s->page_size;
}

void mt_history_update(struct mt_history *h, const struct mt_snapshot *s)
{
	if (s->generation && s->generation == h->last_gen)
		return;
	h->last_gen = s->generation;
	h->updates++;
	for (int k = 0; k < MT_SER_COUNT; k++)
		mt_series_push(&h->sys.s[k], mt_history_value(s, -1, k));
	h->sys.last_seen = h->updates;
	for (size_t i = 0; i < s->nprocs; i++) {
		const struct mt_proc *p = &s->procs[i];
		if (p->kthread)
			continue;
		struct mt_proc_history **slot = find_slot(h, p->pid);
		struct mt_proc_history *e = *slot;
		if (e && h->updates - e->last_seen > EXPIRE) {
			/* gone for a while: a new process with an old pid */
			memset(e->s, 0, sizeof(e->s));
			memset(&e->huge, 0, sizeof(e->huge));
		}
		if (!e) {
			if ((h->n + 1) * 2 > h->cap) {
				rehash(h, h->cap * 2);
				slot = find_slot(h, p->pid);
			}
			e = xcalloc(1, sizeof(*e));
			e->pid = p->pid;
			*slot = e;
			h->n++;
		}
		e->last_seen = h->updates;
		e->t[e->huge.head] = s->time_ns;
		mt_series_push(&e->huge, mt_history_huge(s, (int)i));
		for (int k = 0; k < MT_SER_COUNT; k++)
			mt_series_push(&e->s[k], mt_history_value(s, (int)i, k));
	}
	/* drop the dead now and then */
	if (h->updates % 16 == 0)
		rehash(h, h->cap);
}

const struct mt_proc_history *mt_history_proc(const struct mt_history *h,
					      pid_t pid)
{
	return *find_slot(h, pid);
}

const struct mt_proc_history *mt_history_system(const struct mt_history *h)
{
	return &h->sys;
}

size_t mt_history_nprocs(const struct mt_history *h)
{
	return h->n;
}

/* Add the samples of s, newest aligned with the newest of sum. */
static void add_series(double *sum, size_t *n, const struct mt_series *s)
{
	double v[MT_HISTORY_LEN];
	size_t k = mt_series_get(s, v, MT_HISTORY_LEN);
	if (k > *n) { /* shift what is there to the right */
		memmove(sum + (k - *n), sum, *n * sizeof(*sum));
		for (size_t i = 0; i < k - *n; i++)
			sum[i] = 0;
		*n = k;
	}
	for (size_t i = 0; i < k; i++)
		sum[*n - k + i] += v[i];
}

double mt_history_span_s(const struct mt_history *h, pid_t pid, size_t n)
{
	const struct mt_proc_history *e = mt_history_proc(h, pid);
	if (!e || n < 2)
		return 0;
	n = MT_MIN(n, (size_t)e->huge.count);
	if (n < 2)
		return 0;
	/* the newest sample is just before head */
	uint32_t newest = (e->huge.head + MT_HISTORY_LEN - 1) % MT_HISTORY_LEN;
	uint32_t oldest = (uint32_t)((e->huge.head + MT_HISTORY_LEN - n) %
				     MT_HISTORY_LEN);
	uint64_t a = e->t[oldest], b = e->t[newest];
	return b > a ? (double)(b - a) / 1e9 : 0;
}

void mt_history_sum_proc(const struct mt_history *h, pid_t pid,
			 double sum[MT_SER_COUNT][MT_HISTORY_LEN],
			 size_t len[MT_SER_COUNT])
{
	const struct mt_proc_history *e = mt_history_proc(h, pid);
	for (int k = 0; e && k < MT_SER_COUNT; k++)
		add_series(sum[k], &len[k], &e->s[k]);
}
