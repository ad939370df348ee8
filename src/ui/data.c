/*
 * data.c - the rows the viewer shows, derived from one snapshot: per
 * process and per VMA figures for the chosen view, names made safe for the
 * screen, filters and sort order. Rebuilt when a snapshot arrives or a
 * setting changes; drawing then only reads these arrays.
 */
#include "ui_model.h"
#include "ui_format.h"
#include "ui_layout.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "memtop/units.h"
#include "memtop/history.h"
#include "memtop/why.h"


void ui_data_init(struct ui_data *d)
{
	memset(d, 0, sizeof(*d));
	d->vproc = -1;
	d->why_rows_w = -1;
}

void ui_data_free(struct ui_data *d)
{
	mt_buf_free(&d->text);
	free(d->ps);
	free(d->rows);
	free(d->vs);
	free(d->vrows);
	free(d->reasons);
	free(d->lines);
	free(d->groups);
	free(d->gmembers);
	for (size_t i = 0; i < d->nexpanded; i++)
		free(d->expanded[i]);
	free(d->expanded);
	free(d->prev);
	ui_data_init(d);
}

static size_t add_str(struct ui_data *d, const char *s, size_t n, bool utf8)
{
	size_t off = d->text.len;
	ui_sanitize(&d->text, s ? s : "", s ? n : 0, utf8);
	mt_buf_addc(&d->text, '\0');
	return off;
}

static void view_dist(struct ui_dist *dist, const struct mt_snapshot *s,
		      enum ui_view view, const uint64_t *present_hist,
		      const uint64_t *mappable_hist,
		      const uint64_t *folio_cont_hist,
		      const struct mt_folio_stats *folios, bool folios_known,
		      uint64_t present, bool exp_known)
{
	if (!exp_known && s->have_pfns && view != UI_VIEW_PRESENT) {
		/* the view is there; this row's figures are not read yet */
		memset(dist, 0, sizeof(*dist));
		dist->total = present;
		dist->unread = true;
		return;
	}
	switch (view) {
	case UI_VIEW_MAPPABLE:
		ui_dist_from_hist(dist, s->have_pfns ? mappable_hist : NULL,
				  s->nord, present);
		/* no figure with the folio view available means nothing
		 * present: all of it is order 0 */
		if (s->have_pfns && s->have_kpageflags) {
			uint64_t zero[UI_MAX_ORD] = { 0 };
			if (!folio_cont_hist) {
				zero[0] = present;
				folio_cont_hist = zero;
			}
			ui_dist_set_folio_cont(dist, folio_cont_hist,
					       s->nord);
		}
		break;
	case UI_VIEW_FOLIOS: {
		/* With the folio view available, a NULL means "none". */
		static const struct mt_folio_stats none;
		const struct mt_folio_stats *f = folios;
		if (!f && folios_known)
			f = &none;
		ui_dist_from_folios(dist, f, s->nord, s->pmd_order, present);
		break;
	}
	default:
		ui_dist_from_hist(dist, present_hist, s->nord, present);
		break;
	}
}

static uint64_t view_pmd_pages(const struct ui_dist *dist,
			       const struct mt_snapshot *s)
{
	if (!dist->avail)
		return UINT64_MAX;
	unsigned from = s->pmd_order;
	if (from >= dist->nord)
		from = dist->nord ? dist->nord - 1 : 0;
	return ui_dist_pages_from(dist, from);
}

static void folio_sub(struct mt_folio_stats *d, const struct mt_folio_stats *f)
{
	for (int t = 0; t < 2; t++) {
		d->pmd[t] -= f->pmd[t];
		d->partial[t] -= f->partial[t];
		for (int o = 0; o < MT_FOLIO_ORDERS; o++) {
			d->aligned[t][o] -= f->aligned[t][o];
			d->unaligned[t][o] -= f->unaligned[t][o];
		}
	}
}

/* Figures of one process, summed over its shown VMAs when VMAs are left
 * out (so the process row agrees with its VMA pane). */
static void proc_stats(struct ui_pstat *ps, const struct mt_snapshot *s,
		       const struct ui_settings *st)
{
	const struct mt_proc *p = ps->p;
	const uint64_t *ph = p->present_hist, *mh = p->mappable_hist;
	const uint64_t *fh = p->folio_cont_hist;
	const struct mt_folio_stats *fs = p->folios;
	uint64_t present = p->present_pages, swapped = p->swapped_pages;
	uint64_t hp[UI_MAX_ORD], hm[UI_MAX_ORD], hf[UI_MAX_ORD];
	struct mt_folio_stats fsum;
	unsigned nord = MT_MIN(s->nord, (unsigned)UI_MAX_ORD);
	uint64_t coll = p->pmd_collapsible;

	if (st->omit_file) {
		/* the process less its file-backed VMAs (sums the scan kept,
		 * so no VMA details are needed) */
		const struct mt_sums *f = &p->file;
		for (unsigned o = 0; o < nord; o++) {
			hp[o] = ph ? ph[o] - (f->present_hist ?
					      f->present_hist[o] : 0) : 0;
			hm[o] = mh ? mh[o] - (f->mappable_hist ?
					      f->mappable_hist[o] : 0) : 0;
			hf[o] = fh ? fh[o] - (f->folio_cont_hist ?
					      f->folio_cont_hist[o] : 0) : 0;
		}
		if (fs) {
			fsum = *fs;
			if (f->folios)
				folio_sub(&fsum, f->folios);
		}
		present -= f->present_pages;
		swapped -= f->swapped_pages;
		if (coll != MT_UNKNOWN && f->pmd_collapsible != MT_UNKNOWN &&
		    coll >= f->pmd_collapsible)
			coll -= f->pmd_collapsible;
		else
			coll = MT_UNKNOWN;
		ph = ph ? hp : NULL;
		mh = mh ? hm : NULL;
		fh = fh ? hf : NULL;
		fs = fs ? &fsum : NULL;
	}
	ps->present = present;
	ps->swapped = swapped;
	bool exp_known = !s->priority || p->exp_ns != 0;
	ps->exp_age_ms = ui_exp_age_ms(s, p->exp_ns);
	ps->walk_age_ms = p->walk_ns ? ui_exp_age_ms(s, p->walk_ns) : 0;
	view_dist(&ps->dist, s, st->view, ph, mh, fh, fs,
		  s->have_kpageflags && exp_known, present, exp_known);
	ps->pmd_pages = view_pmd_pages(&ps->dist, s);
	if (!fs && s->have_kpageflags && exp_known)
		ps->thp_pages = 0;
	else
		ps->thp_pages = ui_folio_pages(fs);
	if (ps->thp_pages != UINT64_MAX && ps->thp_pages > present)
		ps->thp_pages = present;
	ps->coll_pages = ui_coll_pages(coll, s->pmd_order);
	ps->huge_pages = ui_proc_huge_pages(s, p);
}

/* ---- sorting --------------------------------------------------------- */

struct sort_ctx {
	const struct ui_data *d;
	enum ui_col_id col;
	bool desc;
};

static int cmp_proc(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct ui_pstat *a = &c->d->ps[*(const size_t *)pa];
	const struct ui_pstat *b = &c->d->ps[*(const size_t *)pb];
	struct ui_rowfig fa = ui_pstat_fig(a), fb = ui_pstat_fig(b);
	bool fig;
	int r = ui_cmp_rowfig(c->col, &fa, &fb, &fig);
	if (!fig) {
		switch (c->col) {
		case UI_COL_USER:
			r = strcmp(ui_data_str(c->d, a->user),
				   ui_data_str(c->d, b->user));
			break;
		case UI_COL_COMM:
			r = strcasecmp(ui_data_str(c->d, a->name),
				       ui_data_str(c->d, b->name));
			break;
		case UI_COL_PID:
			r = a->p->pid < b->p->pid ? -1 : a->p->pid > b->p->pid;
			break;
		default:
			break;
		}
	}
	if (c->desc)
		r = -r;
	if (r == 0)
		r = a->p->pid < b->p->pid ? -1 : a->p->pid > b->p->pid;
	return r;
}

static int cmp_vma(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	const struct ui_vstat *a = &c->d->vs[*(const size_t *)pa];
	const struct ui_vstat *b = &c->d->vs[*(const size_t *)pb];
	const struct mt_vma *x = a->v, *y = b->v;
	int r = 0;
	switch (c->col) {
	case UI_COL_END: r = ui_cmp_u64(x->end, y->end); break;
	case UI_COL_SIZE:
		r = ui_cmp_u64(x->end - x->start, y->end - y->start);
		break;
	case UI_COL_PERM: r = strcmp(x->perms, y->perms); break;
	case UI_COL_ADV:
		r = ui_cmp_u64(x->has_smaps ? x->vmflags : 0,
			    y->has_smaps ? y->vmflags : 0);
		break;
	case UI_COL_ELIG:
		r = (x->has_smaps ? x->thp_eligible : -1) -
		    (y->has_smaps ? y->thp_eligible : -1);
		break;
	case UI_COL_VRSS: r = ui_cmp_u64(x->present_pages, y->present_pages); break;
	case UI_COL_VPMD:
		r = ui_cmp_share(a->pmd_pages, x->present_pages, b->pmd_pages,
			      y->present_pages);
		break;
	case UI_COL_VCOLL: r = ui_cmp_known(a->coll_pages, b->coll_pages); break;
	case UI_COL_VWHY:
		r = ui_cmp_why(ui_vstat_why(c->d, a), ui_vstat_why(c->d, b));
		break;
	case UI_COL_SLOTS:
		r = ui_cmp_known(x->pmd_mapped, y->pmd_mapped);
		if (r == 0)
			r = ui_cmp_known(x->pmd_full, y->pmd_full);
		if (r == 0)
			r = ui_cmp_known(x->pmd_slots, y->pmd_slots);
		break;
	case UI_COL_VBAR: r = ui_dist_cmp(&a->dist, &b->dist); break;
	case UI_COL_PATH:
		r = strcmp(ui_data_str(c->d, a->path), ui_data_str(c->d, b->path));
		break;
	default: break;
	}
	if (c->desc)
		r = -r;
	if (r == 0)
		r = ui_cmp_u64(x->start, y->start);
	return r;
}

static void filter_vmas(struct ui_data *d, const struct ui_settings *st)
{
	struct mt_vma_filter vf = {
		.omit_file_backed = st->omit_file,
		.omit_unfaulted = st->omit_unfaulted,
	};
	d->nvrows = 0;
	for (size_t i = 0; i < d->nvs; i++) {
		if (!mt_vma_shown(d->vs[i].v, &vf))
			continue;
		if (!ui_contains(ui_data_str(d, d->vs[i].path), st->path_filter))
			continue;
		d->vrows[d->nvrows++] = i;
	}
	d->vmas_hidden = d->nvs - d->nvrows;
	d->why_rows_w = -1;
	int col = st->vsort >= 0 && (size_t)st->vsort < ui_vma_ncols ?
			  st->vsort : 0;
	struct sort_ctx c = { d, ui_vma_cols[col].id, st->vdesc };
	if (d->nvrows > 1)
		qsort_r(d->vrows, d->nvrows, sizeof(size_t), cmp_vma, &c);
}

void ui_data_refilter(struct ui_data *d, const struct ui_settings *st)
{
	d->nrows = 0;
	for (size_t i = 0; i < d->nps; i++) {
		const struct ui_pstat *ps = &d->ps[i];
		if (ps->p->kthread && !st->show_kthreads)
			continue;
		if (!ui_contains(ui_data_str(d, ps->name), st->name_filter))
			continue;
		if (st->user_filter[0] &&
		    strcmp(ui_data_str(d, ps->user), st->user_filter) != 0)
			continue;
		d->rows[d->nrows++] = i;
	}
	int col = st->psort >= 0 && (size_t)st->psort < ui_proc_ncols ?
			  st->psort : 0;
	struct sort_ctx c = { d, ui_proc_cols[col].id, st->pdesc };
	if (d->nrows > 1)
		qsort_r(d->rows, d->nrows, sizeof(size_t), cmp_proc, &c);
	ui_data_lines(d, st);
	if (d->vs)
		filter_vmas(d, st);
}

/* The reasons of one VMA, as lines "code: sentence" in text. */
static void vma_reasons(struct ui_data *d, const struct mt_why_sys *ws,
			const struct mt_proc *p, struct ui_vstat *vs,
			bool utf8)
{
	struct mt_why w[MT_WHY_COUNT];
	struct mt_mthp_verdict mv[MT_BLK_ORDERS];
	size_t n = mt_why_vma(d->s, ws, p, vs->v, w, MT_ARRAY_SIZE(w));
	size_t nm = mt_why_mthp(d->s, p, vs->v, mv, MT_ARRAY_SIZE(mv));
	vs->why_first = d->nreasons;
	vs->nwhy = n;
	vs->nmthp = 0;
	if (d->nreasons + n + nm > d->reasons_cap) {
		d->reasons_cap = MT_MAX(2 * d->reasons_cap,
					d->nreasons + n + nm + 16);
		d->reasons = xrealloc(d->reasons,
				      d->reasons_cap * sizeof(*d->reasons));
	}
	for (size_t k = 0; k < n; k++) {
		char sentence[512], line[600];
		mt_why_text(&w[k], sentence, sizeof(sentence));
		snprintf(line, sizeof(line), "%s: %s", mt_why_name(w[k].code),
			 sentence);
		d->reasons[d->nreasons++] = (struct ui_reason){
			(int)w[k].code, add_str(d, line, strlen(line), utf8) };
	}
	/* the mTHP sizes this VMA's faults may use: those allowed here */
	for (size_t k = 0; k < nm; k++) {
		if (mv[k].allowed == MT_TRI_NO)
			continue;
		char line[300], sz[16];
		snprintf(line, sizeof(line), "%s folios: %s",
			 mt_fmt_size(sz, sizeof(sz), mv[k].kb << 10),
			 mv[k].text);
		d->reasons[d->nreasons++] = (struct ui_reason){
			mv[k].code, add_str(d, line, strlen(line), utf8) };
		vs->nmthp++;
	}
}

static void build_vmas(struct ui_data *d, const struct ui_settings *st,
		       const struct mt_why_sys *ws)
{
	const struct mt_snapshot *s = d->s;
	d->vproc = -1;
	d->nvs = d->nvrows = d->vmas_hidden = d->nreasons = 0;
	if (!s || d->vpid <= 0)
		return;
	for (size_t i = 0; i < d->nps; i++)
		if (d->ps[i].p->pid == d->vpid)
			d->vproc = (ssize_t)i;
	if (d->vproc < 0)
		return;
	const struct mt_proc *p = d->ps[d->vproc].p;
	d->vs = xrealloc(d->vs, (p->nvmas + 1) * sizeof(*d->vs));
	d->vrows = xrealloc(d->vrows, (p->nvmas + 1) * sizeof(size_t));
	d->nvs = p->nvmas;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct ui_vstat *vs = &d->vs[i];
		const struct mt_vma *v = &p->vmas[i];
		vs->v = v;
		vs->path = add_str(d, v->path, v->path_len, st->utf8);
		view_dist(&vs->dist, s, st->view, v->present_hist,
			  v->mappable_hist, v->folio_cont_hist, v->folios,
			  s->have_kpageflags && (!s->priority || v->exp_ns),
			  v->present_pages, !s->priority || v->exp_ns != 0);
		vs->pmd_pages = view_pmd_pages(&vs->dist, s);
		vs->exp_age_ms = ui_exp_age_ms(s, v->exp_ns);
		vs->coll_pages = ui_coll_pages(v->pmd_collapsible,
					       s->pmd_order);
		vma_reasons(d, ws, p, vs, st->utf8);
	}
	filter_vmas(d, st);
}

int ui_vstat_why(const struct ui_data *d, const struct ui_vstat *vs)
{
	return vs->nwhy ? d->reasons[vs->why_first].code : -1;
}

int ui_vstat_why_lines(const struct ui_data *d, const struct ui_vstat *vs,
		       int width, bool utf8)
{
	/* "no reason found" takes a line before the mTHP sizes */
	int lines = vs->nwhy == 0 && vs->nmthp ? 1 : 0;
	for (size_t k = 0; k < vs->nwhy + vs->nmthp; k++)
		lines += ui_wrap_lines(ui_data_str(d,
					d->reasons[vs->why_first + k].text),
				       width, UI_WHY_INDENT, utf8);
	return lines;
}

int ui_data_why_rows(struct ui_data *d, int width, bool utf8)
{
	if (d->why_rows_w == width)
		return d->why_rows;
	int most = 1; /* "no reason found" when none has one */
	for (size_t r = 0; r < d->nvrows; r++)
		most = MT_MAX(most, ui_vstat_why_lines(d, &d->vs[d->vrows[r]],
						       width, utf8));
	d->why_rows_w = width;
	d->why_rows = d->nvrows ? 1 + most : 0;
	return d->why_rows;
}

static int cmp_prev(const void *a, const void *b)
{
	pid_t x = ((const struct ui_prev *)a)->pid;
	pid_t y = ((const struct ui_prev *)b)->pid;
	return x < y ? -1 : x > y;
}

/* Keep the figures of the snapshot being replaced (still alive). */
static void capture_prev(struct ui_data *d)
{
	const struct mt_snapshot *old = d->s;
	d->prev = xrealloc(d->prev, (d->nps + 1) * sizeof(*d->prev));
	d->nprev = 0;
	for (size_t i = 0; i < d->nps; i++) {
		const struct mt_proc *p = d->ps[i].p;
		d->prev[d->nprev++] = (struct ui_prev){
			p->pid, p->present_pages,
			ui_proc_huge_pages(old, p) };
	}
	qsort(d->prev, d->nprev, sizeof(*d->prev), cmp_prev);
	d->prev_time_ns = old->time_ns;
}

static void apply_prev(struct ui_data *d, struct ui_pstat *ps)
{
	const struct mt_snapshot *s = d->s;
	const struct mt_proc *p = ps->p;
	struct ui_prev key = { .pid = p->pid };
	const struct ui_prev *pv = d->nprev ?
		bsearch(&key, d->prev, d->nprev, sizeof(key), cmp_prev) : NULL;
	ps->has_rate = false;
	ps->huge_rate = 0;
	ps->mark = 0;
	if (!pv)
		return;
	uint64_t present = p->present_pages;
	ps->mark = ui_change_mark(pv->present, present, pv->huge,
				  ps->huge_pages);
	if (d->history) {
		/* averaged over a window long enough for khugepaged's bursts */
		const struct mt_proc_history *e =
			mt_history_proc(d->history, p->pid);
		double r;
		if (e && e->huge.count &&
		    e->t[(e->huge.head + MT_HISTORY_LEN - 1) % MT_HISTORY_LEN] ==
			    s->time_ns &&
		    mt_series_rate(&e->huge, e->t, d->rate_window_ns, false,
				   &r, NULL)) {
			ps->has_rate = true;
			ps->huge_rate = r;
		}
		return;
	}
	double dt = s->time_ns > d->prev_time_ns ?
			    (double)(s->time_ns - d->prev_time_ns) / 1e9 : 0;
	if (dt > 0 && pv->huge != UINT64_MAX && ps->huge_pages != UINT64_MAX) {
		ps->has_rate = true;
		ps->huge_rate = ((double)ps->huge_pages - (double)pv->huge) *
				s->page_size / dt;
	}
}

uint64_t ui_rate_window_ms(uint64_t scan_sleep_ms, uint64_t interval_ms)
{
	if (!scan_sleep_ms || scan_sleep_ms == UINT64_MAX)
		scan_sleep_ms = 10000;
	return MT_MAX(scan_sleep_ms, 3 * interval_ms);
}

void ui_data_build(struct ui_data *d, const struct mt_snapshot *s,
		   const struct ui_settings *st, pid_t vpid)
{
	if (d->s && s && (d->s != s || d->gen != s->generation))
		capture_prev(d);
	else if (!s)
		d->nprev = 0;
	mt_buf_reset(&d->text);
	d->s = s;
	d->gen = s ? s->generation : 0;
	d->nps = d->nrows = 0;
	d->vpid = vpid;
	d->nvs = d->nvrows = d->vmas_hidden = d->nreasons = 0;
	d->why_rows_w = -1;
	d->vproc = -1;
	if (!s)
		return;
	struct mt_why_sys ws;
	mt_why_sys_init(&ws, s);
	d->ps = xrealloc(d->ps, (s->nprocs + 1) * sizeof(*d->ps));
	d->rows = xrealloc(d->rows, (s->nprocs + 1) * sizeof(size_t));
	d->nps = s->nprocs;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct ui_pstat *ps = &d->ps[i];
		const struct mt_proc *p = &s->procs[i];
		memset(ps, 0, sizeof(*ps));
		ps->p = p;
		ps->name = add_str(d, p->comm, p->comm ? strlen(p->comm) : 0,
				   st->utf8);
		ps->user = add_str(d, p->user, p->user ? strlen(p->user) : 0,
				   st->utf8);
		ps->cmd = ps->name;
		if (st->show_cmdline) {
			ps->cmd = d->text.len;
			ui_fmt_cmdline(&d->text, p->cmdline, p->cmdline_len,
				       p->comm, p->kthread, st->utf8);
			mt_buf_addc(&d->text, '\0');
		}
		if (p->cgroup && *p->cgroup)
			ps->cgroup = add_str(d, p->cgroup, strlen(p->cgroup),
					     st->utf8);
		else
			ps->cgroup = add_str(d, "?", 1, st->utf8);
		proc_stats(ps, s, st);
		ps->why = mt_why_proc_main(s, &ws, p, &ps->why_bytes);
		apply_prev(d, ps);
	}
	build_vmas(d, st, &ws);
	ui_data_refilter(d, st);
}

ssize_t ui_data_find_pid(const struct ui_data *d, pid_t pid)
{
	for (size_t r = 0; r < d->nlines; r++)
		if (d->lines[r].kind == UI_LINE_PROC &&
		    d->ps[d->lines[r].idx].p->pid == pid)
			return (ssize_t)r;
	return -1;
}

ssize_t ui_data_find_group(const struct ui_data *d, const char *key)
{
	for (size_t r = 0; r < d->nlines; r++)
		if (d->lines[r].kind == UI_LINE_GROUP &&
		    strcmp(d->groups[d->lines[r].idx].key, key) == 0)
			return (ssize_t)r;
	return -1;
}

const char *ui_data_cgroup_of(const struct ui_data *d, pid_t pid)
{
	for (size_t i = 0; i < d->nps; i++)
		if (d->ps[i].p->pid == pid)
			return d->ps[i].p->cgroup ? d->ps[i].p->cgroup : "";
	return NULL;
}

/* The name a search looks at on a line of the process pane. */
static const char *line_name(const struct ui_data *d, size_t r)
{
	const struct ui_line *l = &d->lines[r];
	if (l->kind == UI_LINE_GROUP)
		return ui_data_str(d, d->groups[l->idx].name);
	return ui_data_str(d, d->ps[l->idx].name);
}

ssize_t ui_data_find_vma(const struct ui_data *d, uint64_t start)
{
	for (size_t r = 0; r < d->nvrows; r++)
		if (d->vs[d->vrows[r]].v->start == start)
			return (ssize_t)r;
	return -1;
}

ssize_t ui_data_search(const struct ui_data *d, bool vmas, const char *needle,
		       size_t from, int step)
{
	size_t n = vmas ? d->nvrows : d->nlines;
	if (!needle || !*needle || n == 0)
		return -1;
	from %= n;
	for (size_t k = 0; k < n; k++) {
		size_t r = step >= 0 ? (from + k) % n : (from + n - k) % n;
		const char *s = vmas ? ui_data_str(d, d->vs[d->vrows[r]].path)
				     : line_name(d, r);
		if (ui_contains(s, needle))
			return (ssize_t)r;
	}
	return -1;
}

const char *ui_data_next_user(const struct ui_data *d, const char *cur)
{
	const char *best = NULL, *first = NULL;
	for (size_t i = 0; i < d->nps; i++) {
		const char *u = ui_data_str(d, d->ps[i].user);
		if (!*u)
			continue;
		if (!first || strcmp(u, first) < 0)
			first = u;
		if (cur && strcmp(u, cur) > 0 && (!best || strcmp(u, best) < 0))
			best = u;
	}
	return best ? best : first;
}
