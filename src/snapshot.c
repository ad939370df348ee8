/*
 * snapshot.c - lifetime of a scan result, and the VMA filter and the
 * orderings shared by the batch output and the UI.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memtop/snapshot.h"
#include "memtop/util.h"

struct mt_snapshot *mt_snapshot_new(void)
{
	struct mt_snapshot *s = xcalloc(1, sizeof(*s));
	s->refs = 1;
	s->arena = mt_arena_new();
	return s;
}

void mt_snapshot_ref(struct mt_snapshot *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void mt_snapshot_unref(struct mt_snapshot *s)
{
	if (!s)
		return;
	if (__atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0) {
		mt_arena_free(s->arena);
		mt_arena_free(s->sys_arena);
		free(s);
	}
}

bool mt_vma_shown(const struct mt_vma *v, const struct mt_vma_filter *f)
{
	if (f->omit_file_backed && v->file_backed)
		return false;
	if (f->omit_unfaulted && v->present_pages == 0)
		return false;
	return true;
}

static const char *const sort_names[MT_SORT_COUNT] = {
	[MT_SORT_HIST] = "hist", [MT_SORT_PID] = "pid",
	[MT_SORT_RSS] = "rss",   [MT_SORT_PMD] = "pmd",
	[MT_SORT_THP] = "thp",   [MT_SORT_COMM] = "comm",
	[MT_SORT_USER] = "user", [MT_SORT_SWAP] = "swap",
};

const char *mt_sort_key_name(enum mt_sort_key k)
{
	return (unsigned)k < MT_SORT_COUNT ? sort_names[k] : "?";
}

int mt_sort_key_parse(const char *s, enum mt_sort_key *k)
{
	for (int i = 0; i < MT_SORT_COUNT; i++) {
		if (strcasecmp(s, sort_names[i]) == 0) {
			*k = (enum mt_sort_key)i;
			return 0;
		}
	}
	return -1;
}

/* qsort has no context argument; a thread-local one keeps this reentrant
 * between the scanner and UI threads. */
struct sort_ctx {
	const struct mt_snapshot *s;
	const struct mt_proc *p;
	enum mt_sort_key key;
	int dir;
};
static _Thread_local struct sort_ctx sctx;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Share in parts per million, exact enough to order by. */
static uint64_t share(uint64_t part, uint64_t whole)
{
	return whole ? (uint64_t)((double)part * 1e6 / (double)whole) : 0;
}

/* What a row (process or VMA) is sorted by. */
struct figures {
	const uint64_t *hist;
	uint64_t present, swapped;
	const struct mt_folio_stats *folios;
	const char *name;
};

static int cmp_figures(const struct figures *a, const struct figures *b)
{
	const struct mt_snapshot *s = sctx.s;
	switch (sctx.key) {
	case MT_SORT_HIST:
		return mt_hist_cmp(a->hist, b->hist, s->nord);
	case MT_SORT_RSS:
		return cmp_u64(a->present, b->present);
	case MT_SORT_PMD:
		return cmp_u64(share(mt_hist_pages_from(a->hist, s->nord,
							s->pmd_order),
				     a->present),
			       share(mt_hist_pages_from(b->hist, s->nord,
							s->pmd_order),
				     b->present));
	case MT_SORT_THP:
		return cmp_u64(a->folios ? mt_folio_total(a->folios) : 0,
			       b->folios ? mt_folio_total(b->folios) : 0);
	case MT_SORT_COMM:
		return strcmp(a->name, b->name);
	case MT_SORT_SWAP:
		return cmp_u64(a->swapped, b->swapped);
	default:
		return 0;
	}
}

static struct figures proc_figures(const struct mt_proc *p)
{
	return (struct figures){p->present_hist, p->present_pages,
				p->swapped_pages, p->folios, p->comm};
}

static int cmp_proc(const void *x, const void *y)
{
	const struct mt_snapshot *s = sctx.s;
	const struct mt_proc *a = &s->procs[*(const size_t *)x];
	const struct mt_proc *b = &s->procs[*(const size_t *)y];
	struct figures fa = proc_figures(a), fb = proc_figures(b);
	int c = sctx.key == MT_SORT_USER ? strcmp(a->user, b->user)
					 : cmp_figures(&fa, &fb);
	if (!c)
		c = (a->pid > b->pid) - (a->pid < b->pid);
	return c * sctx.dir;
}

void mt_sort_procs(const struct mt_snapshot *s, enum mt_sort_key key,
		   bool descending, size_t *idx)
{
	for (size_t i = 0; i < s->nprocs; i++)
		idx[i] = i;
	sctx = (struct sort_ctx){s, NULL, key, descending ? -1 : 1};
	qsort(idx, s->nprocs, sizeof(size_t), cmp_proc);
}

static struct figures vma_figures(const struct mt_vma *v)
{
	return (struct figures){v->present_hist, v->present_pages,
				v->swapped_pages, v->folios, v->path};
}

static int cmp_vma(const void *x, const void *y)
{
	const struct mt_vma *a = &sctx.p->vmas[*(const size_t *)x];
	const struct mt_vma *b = &sctx.p->vmas[*(const size_t *)y];
	struct figures fa = vma_figures(a), fb = vma_figures(b);
	int c = cmp_figures(&fa, &fb);
	if (!c)
		c = cmp_u64(a->start, b->start);
	return c * sctx.dir;
}

void mt_sort_vmas(const struct mt_snapshot *s, const struct mt_proc *p,
		  enum mt_sort_key key, bool descending, size_t *idx)
{
	for (size_t i = 0; i < p->nvmas; i++)
		idx[i] = i;
	sctx = (struct sort_ctx){s, p, key, descending ? -1 : 1};
	qsort(idx, p->nvmas, sizeof(size_t), cmp_vma);
}
