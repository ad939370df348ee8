/*
 * slice.c - priority scanning: one process too big for a scan's budget
 * (a database of hundreds of GiB) is walked by the sweep a range of its
 * address space at a time, so that no scan waits for its whole walk.
 *
 * The ranges are cut at multiples of the largest block the histograms
 * count (2^max(pmd_order, max_order) pages): no block and no PMD slot
 * crosses a cut, so the figures of the ranges add up to those of a whole
 * walk. The one exception is a PTE-mapped large folio mapped across a
 * cut, which only mremap() can make: it counts as two partly mapped
 * folios. Each range is sized to hold about range_pages resident pages,
 * by the VMAs' resident share at the last look.
 *
 * The figures are summed on the side; until the last range is done the
 * process keeps its earlier ones, and then it gets the new ones with the
 * time the first range began (no figure is shown newer than it is). If
 * its VMAs change in between, the job starts over.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_int.h"

void scan_slice_stop(struct mt_scan_ctx *c)
{
	struct slice_job *j = &c->slice;
	free(j->vs);
	free(j->ve);
	free(j->density);
	free(j->acc);
	free(j->node);
	memset(j, 0, sizeof(*j));
}

static void reset_acc(struct slice_job *j, size_t nnodes)
{
	memset(j->acc, 0, j->nv * sizeof(*j->acc));
	if (j->node)
		memset(j->node, 0, nnodes * sizeof(uint64_t));
	j->cost_ns = 0;
	j->t0 = 0;
	j->next = j->nv ? j->vs[0] : 0;
}

void scan_slice_start(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		      const struct mt_proc *prev)
{
	struct slice_job *j = &c->slice;
	const struct mt_snapshot *pv = c->prev;
	scan_slice_stop(c);
	j->on = true;
	j->pid = prev->pid;
	j->start_time = prev->start_time;
	/* pages a range may hold: the budget at the last walk's cost */
	double per_page = prev->present_pages && prev->exp_cost_ns
				  ? (double)prev->exp_cost_ns /
					    (double)prev->present_pages
				  : c->sweep.ns_per_page;
	if (per_page < 1)
		per_page = 1;
	j->range_pages = (uint64_t)((double)o->slice_ns / per_page);
	if (j->range_pages < 512)
		j->range_pages = 512;
	/* the VMAs are read again at the first range */
	j->nv = 0;
	if (pv && pv->nnodes)
		j->node = xcalloc(pv->nnodes, sizeof(uint64_t));
}

bool scan_slice_due(const struct mt_scan_ctx *c, const struct mt_proc *p)
{
	const struct slice_job *j = &c->slice;
	return j->on && c->sweep.slice_now && p->pid == j->pid &&
	       p->start_time && p->start_time == j->start_time;
}

/* Take p's VMAs as the job's, and start its sums over. */
static void take_layout(struct mt_scan_ctx *c, const struct mt_snapshot *s,
			const struct mt_proc *p)
{
	struct slice_job *j = &c->slice;
	free(j->vs);
	free(j->ve);
	free(j->density);
	free(j->acc);
	j->nv = p->nvmas;
	size_t n = j->nv ? j->nv : 1;
	j->vs = xmalloc(n * sizeof(uint64_t));
	j->ve = xmalloc(n * sizeof(uint64_t));
	j->density = xmalloc(n * sizeof(double));
	j->acc = xmalloc(n * sizeof(*j->acc));
	/* the resident share of each VMA, from the previous scan's details
	 * where they are there (else all of it counts) */
	const struct mt_proc *pp = scan_sweep_prev(c, p);
	size_t k = 0;
	for (size_t i = 0; i < j->nv; i++) {
		const struct mt_vma *v = &p->vmas[i];
		j->vs[i] = v->start;
		j->ve[i] = v->end;
		j->density[i] = 1;
		while (pp && k < pp->nvmas && pp->vmas[k].start < v->start)
			k++;
		if (pp && k < pp->nvmas && pp->vmas[k].start == v->start &&
		    pp->vmas[k].end == v->end)
			j->density[i] = (double)pp->vmas[k].present_pages *
					s->page_size / (double)(v->end - v->start);
	}
	reset_acc(j, s->nnodes);
}

static bool same_layout(const struct slice_job *j, const struct mt_proc *p)
{
	if (p->nvmas != j->nv)
		return false;
	for (size_t i = 0; i < j->nv; i++)
		if (p->vmas[i].start != j->vs[i] || p->vmas[i].end != j->ve[i])
			return false;
	return true;
}

bool scan_slice_range(struct mt_scan_ctx *c, const struct mt_snapshot *s,
		      const struct mt_proc *p, uint64_t *lo, uint64_t *hi)
{
	struct slice_job *j = &c->slice;
	bool same = j->nv && same_layout(j, p);
	if (!same)
		take_layout(c, s, p);
	if (!j->nv)
		return same;
	if (!j->t0)
		j->t0 = mt_now_ns();
	unsigned align_order = MT_MAX(s->pmd_order, s->max_order);
	uint64_t align = (uint64_t)s->page_size << align_order;
	uint64_t a = j->next, want = j->range_pages;
	size_t i = 0;
	while (i < j->nv && j->ve[i] <= a)
		i++;
	if (i < j->nv && a < j->vs[i])
		a = j->vs[i]; /* past a gap */
	*lo = a;
	/* forward, VMA by VMA, until the range holds about want pages */
	uint64_t b = a;
	for (; i < j->nv; i++) {
		uint64_t from = MT_MAX(b, j->vs[i]);
		double dens = j->density[i] > 0 ? j->density[i] : 0;
		double room = (double)(j->ve[i] - from) / s->page_size * dens;
		if (room < (double)want) {
			want -= (uint64_t)room;
			b = j->ve[i];
			continue;
		}
		b = from + (uint64_t)((double)want / (dens > 0 ? dens : 1)) *
				   s->page_size;
		break;
	}
	/* cut only at an aligned address (or at the end) */
	b = (b + align - 1) / align * align;
	if (b <= a)
		b = (a / align + 1) * align;
	if (j->nv && b >= j->ve[j->nv - 1])
		b = j->ve[j->nv - 1];
	*hi = b;
	return same;
}

bool scan_slice_add(struct mt_scan_ctx *c, const struct mt_snapshot *s,
		    const struct mt_proc *q, const size_t *idx, uint64_t hi,
		    uint64_t cost_ns)
{
	struct slice_job *j = &c->slice;
	unsigned blk = MT_MIN(s->pmd_order, (unsigned)MT_BLK_ORDERS);
	for (size_t i = 0; i < q->nvmas; i++) {
		const struct mt_vma *v = &q->vmas[i];
		struct slice_vma *a = &j->acc[idx[i]];
		a->present += v->present_pages;
		a->swapped += v->swapped_pages;
		a->zero += v->zero_pages;
		a->slots += v->pmd_slots;
		a->full += v->pmd_full;
		a->touched += v->pmd_touched;
		a->populated += v->pmd_populated;
		a->holed += v->pmd_holed;
		a->missing += v->holes_missing;
		a->over_none += v->pmd_over_none;
		a->khp_fit += v->khp_fit;
		a->khp_unsure += v->khp_unsure;
		a->full_over += v->full_over;
		a->full_unknown += v->full_unknown;
		if (v->pmd_mapped == MT_UNKNOWN)
			a->mapped_unknown = true;
		else
			a->mapped += v->pmd_mapped;
		if (v->present_hist)
			scan_add_hist(a->hp, v->present_hist, s->nord);
		if (v->mappable_hist) {
			scan_add_hist(a->hm, v->mappable_hist, s->nord);
			a->has_m = true;
		}
		if (v->folio_cont_hist) {
			scan_add_hist(a->hf, v->folio_cont_hist, s->nord);
			a->has_f = true;
		}
		if (v->folios) {
			mt_folio_add(&a->fs, v->folios);
			a->has_fs = true;
		}
		if (v->blk_populated) {
			scan_add_hist(a->blk, v->blk_populated, blk);
			a->has_blk = true;
		}
	}
	for (unsigned n = 0; j->node && q->thp_node_pages && n < s->nnodes; n++)
		j->node[n] += q->thp_node_pages[n];
	j->cost_ns += cost_ns;
	j->next = hi;
	return !j->nv || hi >= j->ve[j->nv - 1];
}

static uint64_t *keep(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      const uint64_t *h, size_t n)
{
	return (uint64_t *)mt_intern(&c->hists, s->arena, h,
				     n * sizeof(uint64_t));
}

void scan_slice_finish(struct mt_scan_ctx *c, struct mt_snapshot *s,
		       struct mt_proc *p)
{
	struct slice_job *j = &c->slice;
	unsigned nord = s->nord;
	unsigned blk = MT_MIN(s->pmd_order, (unsigned)MT_BLK_ORDERS);
	size_t hb = nord * sizeof(uint64_t);
	p->present_pages = p->swapped_pages = p->zero_pages = 0;
	p->pmd_slots = p->pmd_full = p->pmd_touched = p->pmd_mapped = 0;
	memset(p->present_hist, 0, hb);
	if (p->mappable_hist)
		memset(p->mappable_hist, 0, hb);
	if (p->folio_cont_hist)
		memset(p->folio_cont_hist, 0, hb);
	if (p->folios)
		memset(p->folios, 0, sizeof(*p->folios));
	memset(&p->file, 0, sizeof(p->file));
	/* what needs smaps is not worked out for a process this big */
	p->pmd_collapsible = p->pmd_khugepaged = MT_UNKNOWN;
	p->file.pmd_collapsible = MT_UNKNOWN;
	for (size_t i = 0; i < j->nv && i < p->nvmas; i++) {
		struct mt_vma *v = &p->vmas[i];
		const struct slice_vma *a = &j->acc[i];
		v->present_pages = a->present;
		v->swapped_pages = a->swapped;
		v->zero_pages = a->zero;
		v->pmd_slots = a->slots;
		v->pmd_full = a->full;
		v->pmd_touched = a->touched;
		v->pmd_populated = a->populated;
		v->pmd_holed = a->holed;
		v->holes_missing = a->missing;
		v->pmd_over_none = a->over_none;
		v->khp_fit = a->khp_fit;
		v->khp_unsure = a->khp_unsure;
		v->full_over = a->full_over;
		v->full_unknown = a->full_unknown;
		v->pmd_mapped = a->mapped_unknown ? MT_UNKNOWN : a->mapped;
		v->pmd_collapsible = v->pmd_khugepaged = MT_UNKNOWN;
		v->present_hist = keep(c, s, a->hp, nord);
		v->mappable_hist = a->has_m ? keep(c, s, a->hm, nord) : NULL;
		v->folio_cont_hist = a->has_f ? keep(c, s, a->hf, nord) : NULL;
		v->folios = NULL;
		if (a->has_fs) {
			v->folios = mt_arena_alloc(s->arena, sizeof(a->fs));
			*v->folios = a->fs;
		}
		v->blk_populated = a->has_blk ? keep(c, s, a->blk, blk) : NULL;
		v->exp_ns = j->t0;

		scan_add_vma(s, p, v, a->hp, a->has_m ? a->hm : NULL,
			     a->has_f ? a->hf : NULL,
			     a->has_fs ? &a->fs : NULL);
	}
	if (p->thp_node_pages && j->node)
		memcpy(p->thp_node_pages, j->node, s->nnodes * sizeof(uint64_t));
	p->exp_ns = p->walk_ns = j->t0;
	p->exp_cost_ns = p->walk_cost_ns = j->cost_ns;
	scan_slice_stop(c);
}
