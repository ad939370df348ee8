/*
 * sweep.c - priority scanning: which processes get their expensive
 * figures (PFNs, folios) read in this scan, and the earlier figures the
 * others keep.
 *
 * Reading /proc/kpageflags costs the kernel about 100 ns a mapped page:
 * on a machine of hundreds of GiB a full scan takes seconds of CPU, and
 * under the viewer's CPU limit the screen would refresh every few
 * minutes. So in the viewer (mt_scan_opts.priority) the cheap figures
 * (the present view, PMD mappings) are read for every process at every
 * scan, and the expensive ones for:
 *
 *  - the processes the viewer shows (prio_pids), always;
 *  - processes new since the previous scan (nothing to keep);
 *  - the others, oldest figures first, while the sweep's CPU budget
 *    lasts; each is charged what its last walk cost.
 *
 * Every other process keeps the previous scan's expensive figures with
 * their time (mt_proc.exp_ns), VMA by VMA where the VMA is still the same
 * (start and end), so that no figure is shown newer than it is.
 */
#include <stdlib.h>
#include <string.h>

#include "scan_int.h"

static bool pid_in(const pid_t *v, size_t n, pid_t pid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (v[mid] == pid)
			return true;
		if (v[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

struct cand {
	pid_t pid;
	uint64_t exp_ns, cost_ns;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->exp_ns != y->exp_ns)
		return x->exp_ns < y->exp_ns ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The previous scan's process with this pid (its procs are in pid
 * order), or NULL. */
static const struct mt_proc *prev_proc(const struct mt_snapshot *pv,
				       pid_t pid)
{
	size_t lo = 0, hi = pv->nprocs;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (pv->procs[mid].pid == pid)
			return &pv->procs[mid];
		if (pv->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* What p's full walk costs: its last one, or for one never walked its
 * resident pages at the last cost per page. */
static uint64_t est_cost(const struct sweep_plan *sp, const struct mt_proc *p)
{
	if (p->exp_cost_ns || p->exp_ns)
		return p->exp_cost_ns;
	return (uint64_t)((double)p->present_pages * sp->ns_per_page);
}

static void push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(pid_t));
	}
	(*v)[(*n)++] = pid;
}

static const struct mt_vma *find_vma(const struct mt_proc *p, uint64_t start,
				     uint64_t end)
{
	size_t lo = 0, hi = p->nvmas;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (p->vmas[mid].start == start)
			return p->vmas[mid].end == end ? &p->vmas[mid] : NULL;
		if (p->vmas[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct vcand {
	size_t vi;
	uint64_t exp_ns, cost_ns;
};

static int cmp_vcand_vi(const void *a, const void *b)
{
	const struct vcand *x = a, *y = b;
	return (x->vi > y->vi) - (x->vi < y->vi);
}

static int cmp_vcand(const void *a, const void *b)
{
	const struct vcand *x = a, *y = b;
	if (x->exp_ns != y->exp_ns)
		return x->exp_ns < y->exp_ns ? -1 : 1;
	return cmp_vcand_vi(a, b);
}

static int cmp_range(const void *a, const void *b)
{
	const struct mt_addr_range *x = a, *y = b;
	return (x->start > y->start) - (x->start < y->start);
}

/* The selected process's walk does not fit *left: its VMAs on screen
 * (o->focus_vmas) are read alone, the selected one first, then oldest
 * figures first, while their sizes at the last look fit. A VMA too big
 * for the share waits for the sweep. */
static void plan_focus_vmas(struct sweep_plan *sp, const struct mt_scan_opts *o,
			    const struct mt_proc *sel, unsigned pv_pmd_order,
			    int64_t *left)
{
	/* what reading VMAs alone cost a unit (a page not PMD-mapped, or
	 * a PMD mapping), last seen; else the process's last whole walk a
	 * page */
	double per_unit = sp->fv_ns_per_unit > 0 ? sp->fv_ns_per_unit
			  : sel->present_pages && sel->exp_cost_ns
				  ? (double)sel->exp_cost_ns /
					    (double)sel->present_pages
				  : sp->ns_per_page;
	struct vcand *vc = xmalloc(o->nfocus_vmas * sizeof(*vc));
	size_t n = 0;
	for (size_t i = 0; i < o->nfocus_vmas; i++) {
		const struct mt_vma *v = find_vma(sel, o->focus_vmas[i].start,
						  o->focus_vmas[i].end);
		if (!v)
			continue; /* gone or changed: the next screen asks */
		vc[n++] = (struct vcand){
			(size_t)(v - sel->vmas),
			/* the selected VMA first */
			i == 0 ? 0 : v->exp_ns,
			(uint64_t)((double)scan_walk_units(v, pv_pmd_order) *
				   per_unit)};
	}
	/* each VMA once (the selected one is on screen too) */
	qsort(vc, n, sizeof(*vc), cmp_vcand_vi);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (k && vc[k - 1].vi == vc[i].vi) {
			vc[k - 1].exp_ns = MT_MIN(vc[k - 1].exp_ns, vc[i].exp_ns);
			continue;
		}
		vc[k++] = vc[i];
	}
	qsort(vc, k, sizeof(*vc), cmp_vcand);
	for (size_t i = 0; i < k; i++) {
		if ((int64_t)vc[i].cost_ns > *left)
			continue;
		*left -= (int64_t)vc[i].cost_ns;
		if (sp->nfv == sp->cap_fv) {
			sp->cap_fv = sp->cap_fv ? sp->cap_fv * 2 : 64;
			sp->fv = xrealloc(sp->fv, sp->cap_fv * sizeof(*sp->fv));
		}
		const struct mt_vma *v = &sel->vmas[vc[i].vi];
		sp->fv[sp->nfv++] = (struct mt_addr_range){v->start, v->end};
	}
	qsort(sp->fv, sp->nfv, sizeof(*sp->fv), cmp_range);
	free(vc);
}

void scan_sweep_plan(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		     struct mt_snapshot *s)
{
	struct sweep_plan *sp = &c->sweep;
	const struct mt_snapshot *pv = c->prev;
	sp->on = false;
	sp->slice_now = false;
	sp->n = sp->nmust = sp->nskip = sp->nfv = 0;
	sp->fresh_left = o->fresh_ns ? (int64_t)MT_MIN(o->fresh_ns,
						       (uint64_t)INT64_MAX)
				     : INT64_MAX;
	if (!(sp->ns_per_page > 0))
		sp->ns_per_page = 200; /* until a walk says */
	s->priority = o->priority;
	if (!o->priority || !pv || !s->have_pfns) {
		scan_slice_stop(c);
		return;
	}
	/* a view that came or went: everything is read again */
	if (pv->have_pfns != s->have_pfns ||
	    pv->have_kpageflags != s->have_kpageflags ||
	    pv->nord != s->nord || pv->nnodes != s->nnodes)
		return;
	sp->on = true;
	/* what a full walk costs a page, from the last walks */
	uint64_t cost = 0, pages = 0;
	for (size_t i = 0; i < pv->nprocs; i++) {
		const struct mt_proc *p = &pv->procs[i];
		if (p->exp_cost_ns && p->exp_ns >= pv->mono_ns &&
		    p->present_pages) {
			cost += p->exp_cost_ns;
			pages += p->present_pages;
		}
	}
	if (pages >= 65536)
		sp->ns_per_page = (double)cost / (double)pages;

	/* what the user looks at, read at every scan while its last walks
	 * fit the share of the interval given to them: the selected
	 * process first, then the rows on screen, oldest first */
	size_t nshown = 0;
	struct cand *cv = xmalloc((pv->nprocs + 1) * sizeof(*cv));
	for (size_t i = 0; i < o->nprio; i++) {
		const struct mt_proc *p = prev_proc(pv, o->prio_pids[i]);
		if (p && !p->kthread && p->pid != o->focus_pid)
			cv[nshown++] = (struct cand){p->pid, p->exp_ns,
						     est_cost(sp, p)};
	}
	if (nshown)
		qsort(cv, nshown, sizeof(*cv), cmp_cand);
	int64_t must_left = (int64_t)MT_MIN(o->must_budget_ns,
					    (uint64_t)INT64_MAX);
	const struct mt_proc *sel = o->focus_pid > 0
					    ? prev_proc(pv, o->focus_pid)
					    : NULL;
	bool skip_sel = false;
	if (sel && !sel->kthread && (int64_t)est_cost(sp, sel) <= must_left) {
		push(&sp->must, &sp->nmust, &sp->cap_must, sel->pid);
		must_left -= (int64_t)est_cost(sp, sel);
	} else if (sel && !sel->kthread) {
		/* too dear whole: when even its cheap walk is, it keeps an
		 * earlier scan's figures whole (its age on screen) until
		 * the sweep reaches it; either way the VMAs of it on screen
		 * are read alone, before the other rows */
		skip_sel = sel->walk_cost_ns > (uint64_t)MT_MAX(must_left, 0);
		if (o->nfocus_vmas)
			plan_focus_vmas(sp, o, sel, pv->pmd_order, &must_left);
	}
	size_t k = 0; /* shown ones left to the sweep */
	for (size_t i = 0; i < nshown; i++) {
		if ((int64_t)cv[i].cost_ns <= must_left) {
			push(&sp->must, &sp->nmust, &sp->cap_must, cv[i].pid);
			must_left -= (int64_t)cv[i].cost_ns;
		} else {
			cv[k++] = cv[i];
		}
	}
	if (sel && !pid_in(sp->must, sp->nmust, sel->pid) && !sel->kthread)
		cv[k++] = (struct cand){sel->pid, 0, est_cost(sp, sel)};
	if (sp->nmust)
		qsort(sp->must, sp->nmust, sizeof(pid_t), cmp_pid);

	/* the sweep: the selected and shown processes that did not fit,
	 * then the others, oldest first, while the budget lasts; the last
	 * one taken may overdraw it (the scanner pays that back from later
	 * budgets) */
	size_t first_rest = k;
	for (size_t i = 0; i < pv->nprocs; i++) {
		const struct mt_proc *p = &pv->procs[i];
		if (p->kthread || pid_in(o->prio_pids, o->nprio, p->pid) ||
		    p->pid == o->focus_pid)
			continue;
		cv[k++] = (struct cand){p->pid, p->exp_ns, est_cost(sp, p)};
	}
	if (k > first_rest)
		qsort(cv + first_rest, k - first_rest, sizeof(*cv), cmp_cand);
	int64_t left = (int64_t)MT_MIN(o->sweep_budget_ns, (uint64_t)INT64_MAX);
	struct slice_job *j = &c->slice;
	if (j->on) {
		/* a job whose process is gone ends with it */
		const struct mt_proc *jp = prev_proc(pv, j->pid);
		if (!jp || jp->start_time != j->start_time)
			scan_slice_stop(c);
	}
	for (size_t i = 0; i < k && left > 0; i++) {
		if (o->slice_ns && cv[i].cost_ns > o->slice_ns) {
			/* too big for one scan: a range at a time, one
			 * such process at a time */
			if (!j->on)
				scan_slice_start(c, o, prev_proc(pv, cv[i].pid));
			if (j->pid == cv[i].pid) {
				sp->slice_now = true;
				left -= (int64_t)o->slice_ns;
			}
			continue;
		}
		push(&sp->pids, &sp->n, &sp->cap, cv[i].pid);
		left -= (int64_t)MT_MAX(cv[i].cost_ns, (uint64_t)1);
	}
	if (sp->n)
		qsort(sp->pids, sp->n, sizeof(pid_t), cmp_pid);

	/* the cheap walks of the rest: when they would cost more than
	 * walk_budget_ns, the dearest keep their figures whole */
	sp->nskip = 0;
	uint64_t total = 0;
	k = 0;
	for (size_t i = 0; i < pv->nprocs; i++) {
		const struct mt_proc *p = &pv->procs[i];
		if (p->kthread || pid_in(sp->must, sp->nmust, p->pid) ||
		    pid_in(sp->pids, sp->n, p->pid) || p->pid == o->focus_pid)
			continue;
		total += p->walk_cost_ns;
		cv[k++] = (struct cand){p->pid, p->walk_cost_ns, 0};
	}
	if (total > o->walk_budget_ns && k) {
		/* dearest first (cand sorts by its first figure, rising) */
		qsort(cv, k, sizeof(*cv), cmp_cand);
		for (size_t i = k; i-- > 0 && total > o->walk_budget_ns;) {
			push(&sp->skip, &sp->nskip, &sp->cap_skip, cv[i].pid);
			total -= cv[i].exp_ns;
		}
	}
	if (skip_sel && !pid_in(sp->pids, sp->n, sel->pid))
		push(&sp->skip, &sp->nskip, &sp->cap_skip, sel->pid);
	if (sp->nskip)
		qsort(sp->skip, sp->nskip, sizeof(pid_t), cmp_pid);
	free(cv);
}

bool scan_sweep_wants(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		      struct mt_snapshot *s, const struct mt_proc *p,
		      const struct mt_proc **prev, bool *by_sweep,
		      bool *is_new)
{
	*prev = NULL;
	*by_sweep = false;
	*is_new = false;
	if (!o->priority || !s->have_pfns)
		return true; /* every figure from this scan */
	if (c->sweep.on && pid_in(c->sweep.must, c->sweep.nmust, p->pid)) {
		s->exp_prio++;
		return true;
	}
	const struct mt_proc *pp = c->sweep.on ? prev_proc(c->prev, p->pid)
					       : NULL;
	if (!pp || !p->start_time || pp->start_time != p->start_time) {
		*is_new = true;
		/* new: nothing to keep; read while the walks' estimated
		 * cost fits (a huge one waits for the sweep, "not read
		 * yet", instead of holding up the first screen) */
		struct sweep_plan *sp = &c->sweep;
		uint64_t pages = p->status_rss_kb * 1024 / s->page_size;
		int64_t est = (int64_t)((double)pages * sp->ns_per_page);
		if (est > sp->fresh_left && o->fresh_ns) {
			s->exp_unread++;
			return false;
		}
		sp->fresh_left -= est;
		s->exp_fresh++;
		*by_sweep = true;
		return true;
	}
	if (pid_in(c->sweep.pids, c->sweep.n, p->pid)) {
		s->exp_swept++;
		*by_sweep = true;
		return true;
	}
	*prev = pp;
	if (pp->exp_ns)
		s->exp_carried++;
	else
		s->exp_unread++;
	return false;
}

static uint64_t *copy_hist(struct mt_scan_ctx *c, struct mt_snapshot *s,
			   const uint64_t *h)
{
	if (!h)
		return NULL;
	return (uint64_t *)mt_intern(&c->hists, s->arena, h,
				     s->nord * sizeof(uint64_t));
}

static void *copy_mem(struct mt_snapshot *s, const void *src, size_t n)
{
	if (!src)
		return NULL;
	void *d = mt_arena_alloc(s->arena, n);
	memcpy(d, src, n);
	return d;
}

/* The VMA's expensive figures from pv (NULL or not read: not known). */
static void carry_vma(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      struct mt_vma *v, const struct mt_vma *pv)
{
	if (!pv || !pv->exp_ns) {
		v->mappable_hist = v->folio_cont_hist = NULL;
		v->folios = NULL;
		v->exp_ns = 0;
		return;
	}
	v->mappable_hist = copy_hist(c, s, pv->mappable_hist);
	v->folio_cont_hist = copy_hist(c, s, pv->folio_cont_hist);
	v->folios = copy_mem(s, pv->folios, sizeof(*pv->folios));
	v->exp_ns = pv->exp_ns;
}

void scan_sweep_carry(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      struct mt_proc *p, const struct mt_proc *prev)
{
	size_t hb = s->nord * sizeof(uint64_t);
	bool known = prev && prev->exp_ns;
	p->exp_ns = known ? prev->exp_ns : 0;
	p->exp_cost_ns = prev ? prev->exp_cost_ns : 0;
	p->mappable_hist = known ? copy_mem(s, prev->mappable_hist, hb) : NULL;
	p->folio_cont_hist =
		known ? copy_mem(s, prev->folio_cont_hist, hb) : NULL;
	p->folios = known ? copy_mem(s, prev->folios, sizeof(*p->folios))
			  : NULL;
	p->thp_node_pages =
		known ? copy_mem(s, prev->thp_node_pages,
				 s->nnodes * sizeof(uint64_t))
		      : NULL;
	p->file.mappable_hist =
		known ? copy_mem(s, prev->file.mappable_hist, hb) : NULL;
	p->file.folio_cont_hist =
		known ? copy_mem(s, prev->file.folio_cont_hist, hb) : NULL;
	p->file.folios = known ? copy_mem(s, prev->file.folios,
					  sizeof(*p->file.folios))
			       : NULL;
	/* VMA by VMA: both lists are in address order */
	size_t j = 0;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct mt_vma *v = &p->vmas[i];
		const struct mt_vma *pv = NULL;
		while (known && j < prev->nvmas && prev->vmas[j].start < v->start)
			j++;
		if (known && j < prev->nvmas && prev->vmas[j].start == v->start &&
		    prev->vmas[j].end == v->end)
			pv = &prev->vmas[j];
		carry_vma(c, s, v, pv);
	}
}

const struct mt_proc *scan_sweep_prev(const struct mt_scan_ctx *c,
				      const struct mt_proc *p)
{
	const struct mt_proc *pp = c->prev ? prev_proc(c->prev, p->pid) : NULL;
	if (!pp || !p->start_time || pp->start_time != p->start_time)
		return NULL;
	return pp;
}

const struct mt_proc *scan_sweep_skip_walk(struct mt_scan_ctx *c,
					   const struct mt_snapshot *s,
					   const struct mt_proc *p)
{
	if (!c->sweep.on || !pid_in(c->sweep.skip, c->sweep.nskip, p->pid))
		return NULL;
	const struct mt_proc *pp = prev_proc(c->prev, p->pid);
	if (!pp || !p->start_time || pp->start_time != p->start_time)
		return NULL;
	return pp;
}

void scan_sweep_copy_walk(struct mt_scan_ctx *c, struct mt_snapshot *s,
			  const struct mt_scan_opts *o, struct mt_proc *p,
			  const struct mt_proc *prev)
{
	size_t hb = s->nord * sizeof(uint64_t);
	p->present_pages = prev->present_pages;
	p->swapped_pages = prev->swapped_pages;
	p->zero_pages = prev->zero_pages;
	p->pmd_slots = prev->pmd_slots;
	p->pmd_full = prev->pmd_full;
	p->pmd_touched = prev->pmd_touched;
	p->pmd_mapped = prev->pmd_mapped;
	p->pmd_collapsible = prev->pmd_collapsible;
	p->pmd_khugepaged = prev->pmd_khugepaged;
	p->walk_ns = prev->walk_ns;
	p->walk_cost_ns = prev->walk_cost_ns;
	p->vma_count = prev->vma_count;
	memcpy(p->present_hist, prev->present_hist, hb);
	p->file = prev->file;
	p->file.present_hist = copy_mem(s, prev->file.present_hist, hb);
	/* the VMAs, if their details fit what the snapshot keeps */
	p->vmas = NULL;
	p->nvmas = 0;
	if (prev->nvmas && (!o->vma_detail_limit ||
			    c->kept_vmas + prev->nvmas <= o->vma_detail_limit)) {
		c->kept_vmas += prev->nvmas;
		p->vmas = mt_arena_alloc(s->arena,
					 prev->nvmas * sizeof(*p->vmas));
		p->nvmas = prev->nvmas;
		for (size_t i = 0; i < p->nvmas; i++) {
			struct mt_vma *v = &p->vmas[i];
			const struct mt_vma *pv = &prev->vmas[i];
			*v = *pv;
			v->path = pv->path_len ? mt_intern(&c->paths, s->arena,
							   pv->path,
							   pv->path_len)
					       : "";
			v->present_hist = copy_hist(c, s, pv->present_hist);
			if (pv->blk_populated) {
				unsigned n = MT_MIN(s->pmd_order,
						    (unsigned)MT_BLK_ORDERS);
				v->blk_populated = mt_intern(
					&c->hists, s->arena, pv->blk_populated,
					n * sizeof(uint64_t));
			}
		}
	}
	/* and the expensive figures, as for any process kept */
	scan_sweep_carry(c, s, p, prev);
	s->walk_carried++;
	if (p->exp_ns)
		s->exp_carried++;
	else
		s->exp_unread++;
}

void scan_sweep_free(struct mt_scan_ctx *c)
{
	scan_slice_stop(c);
	free(c->sweep.pids);
	free(c->sweep.must);
	free(c->sweep.skip);
	free(c->sweep.fv);
	memset(&c->sweep, 0, sizeof(c->sweep));
}
