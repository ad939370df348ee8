/*
 * dist.c - the figures of one row in the chosen view: views, the
 * distribution of a process, VMA or cgroup over block orders, huge-backed
 * and collapsible pages, and the change since the previous scan.
 *
 * Pure functions: they read the snapshot's structures and fill the
 * caller's; no allocation, no curses, any thread.
 */
#include "ui_model.h"
#include "ui_layout.h"

#include <string.h>

#include "memtop/probe.h"

/* ---- views and distributions ----------------------------------------- */

static const char *const view_names[UI_VIEW_COUNT] = {
	"present", "mappable", "folios",
};
static const char *const view_descs[UI_VIEW_COUNT] = {
	"could be huge: aligned present blocks",
	"physically contiguous: aligned runs of contiguous pages, in one "
	"folio or not",
	"is huge: pages in large folios",
};

static const char *const pmd_titles[UI_VIEW_COUNT] = {
	"ALGN%", "CONT%", "HUGE%",
};

static const char *const pmd_names[UI_VIEW_COUNT] = {
	"ALGN", "CONT", "HUGE",
};

static const char *const pmd_helps[UI_VIEW_COUNT] = {
	"present view: share of RSS in aligned PMD-size blocks of present "
	"pages (could be huge; no PFNs needed)",
	"mappable view: share of RSS in aligned PMD-size blocks also "
	"physically contiguous (one PMD could map them; root)",
	"folio view: share of RSS in PMD-sized folios (is huge; root)",
};

const char *ui_view_pmd_title(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? pmd_titles[v] : "?";
}

const char *ui_view_pmd_name(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? pmd_names[v] : "?";
}

const char *ui_view_pmd_help(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? pmd_helps[v] : "?";
}

const char *ui_col_title(const struct ui_column *c, enum ui_view v)
{
	if (c->id == UI_COL_PMD || c->id == UI_COL_VPMD)
		return ui_view_pmd_title(v);
	return c->title;
}

const char *ui_view_name(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? view_names[v] : "?";
}

const char *ui_view_desc(enum ui_view v)
{
	return v < UI_VIEW_COUNT ? view_descs[v] : "?";
}

const char *ui_view_missing(const struct mt_snapshot *s, enum ui_view v)
{
	if (!s)
		return "";
	if (v == UI_VIEW_MAPPABLE && !s->have_pfns)
		return s->pfns_why ? s->pfns_why
				   : "needs root (PFNs need CAP_SYS_ADMIN)";
	if (v == UI_VIEW_FOLIOS && !s->have_kpageflags)
		return s->kpageflags_why ? s->kpageflags_why
					 : "needs root (/proc/kpageflags)";
	return "";
}

const char *ui_view_missing_short(const struct mt_snapshot *s, enum ui_view v)
{
	if (!s)
		return "";
	if (v == UI_VIEW_MAPPABLE && !s->have_pfns)
		return mt_why_short(s->pfns_why);
	if (v == UI_VIEW_FOLIOS && !s->have_kpageflags)
		return mt_why_short(s->kpageflags_why);
	return "";
}

void ui_dist_from_hist(struct ui_dist *d, const uint64_t *hist,
		       unsigned nord, uint64_t present)
{
	memset(d, 0, sizeof(*d));
	d->nord = MT_MIN(nord, (unsigned)UI_MAX_ORD);
	d->total = present;
	d->avail = hist != NULL;
	if (!hist)
		return;
	for (unsigned o = 0; o < d->nord; o++)
		d->pages[o] = hist[o] << o;
}

void ui_dist_set_folio_cont(struct ui_dist *d, const uint64_t *hist,
			    unsigned nord)
{
	memset(d->fc_pages, 0, sizeof(d->fc_pages));
	d->fc_avail = hist != NULL;
	if (!hist)
		return;
	for (unsigned o = 0; o < nord && o < UI_MAX_ORD; o++)
		d->fc_pages[o] = hist[o] << o;
}

void ui_dist_add_folio_cont(struct ui_dist *dst, const struct ui_dist *src,
			    bool first)
{
	if (first) {
		dst->fc_avail = src->fc_avail;
		memset(dst->fc_pages, 0, sizeof(dst->fc_pages));
	} else if (!src->fc_avail)
		dst->fc_avail = false;
	if (!dst->fc_avail) {
		memset(dst->fc_pages, 0, sizeof(dst->fc_pages));
		return;
	}
	for (unsigned o = 0; o < UI_MAX_ORD; o++)
		dst->fc_pages[o] += src->fc_pages[o];
}

void ui_dist_from_folios(struct ui_dist *d, const struct mt_folio_stats *f,
			 unsigned nord, unsigned pmd_order, uint64_t present)
{
	memset(d, 0, sizeof(*d));
	unsigned n = MT_MAX(nord, pmd_order + 1);
	d->nord = MT_MIN(n, (unsigned)UI_MAX_ORD);
	d->total = present;
	d->avail = f != NULL;
	if (!f)
		return;
	uint64_t large = 0;
	for (int k = 0; k < 2; k++) {
		if (pmd_order < UI_MAX_ORD)
			d->pages[pmd_order] += f->pmd[k];
		large += f->pmd[k] + f->partial[k];
		d->partial += f->partial[k];
		for (unsigned o = 0; o < MT_FOLIO_ORDERS && o < UI_MAX_ORD;
		     o++) {
			uint64_t p = f->aligned[k][o] + f->unaligned[k][o];
			d->pages[o] += p;
			large += p;
			if (p && o + 1 > d->nord)
				d->nord = o + 1;
		}
	}
	if (present > large)
		d->pages[0] += present - large;
}

uint64_t ui_dist_pages_from(const struct ui_dist *d, unsigned order)
{
	uint64_t n = 0;
	for (unsigned o = order; o < d->nord; o++)
		n += d->pages[o];
	return n;
}

int ui_dist_cmp(const struct ui_dist *a, const struct ui_dist *b)
{
	if (a->avail != b->avail)
		return a->avail ? 1 : -1;
	unsigned n = MT_MAX(a->nord, b->nord);
	for (unsigned o = n; o-- > 0;) {
		uint64_t x = o < a->nord ? a->pages[o] : 0;
		uint64_t y = o < b->nord ? b->pages[o] : 0;
		if (x != y)
			return x > y ? 1 : -1;
	}
	if (a->partial != b->partial)
		return a->partial > b->partial ? 1 : -1;
	return 0;
}

uint64_t ui_folio_pages(const struct mt_folio_stats *f)
{
	if (!f)
		return UINT64_MAX;
	uint64_t n = 0;
	for (int k = 0; k < 2; k++) {
		n += f->pmd[k] + f->partial[k];
		for (unsigned o = 0; o < MT_FOLIO_ORDERS; o++)
			n += f->aligned[k][o] + f->unaligned[k][o];
	}
	return n;
}

/* ---- change since the previous scan ----------------------------------- */

static int sign_of(uint64_t a, uint64_t b)
{
	return b > a ? 1 : b < a ? -1 : 0;
}

int ui_change_mark(uint64_t prev_present, uint64_t present,
		   uint64_t prev_huge, uint64_t huge)
{
	if (prev_huge != UINT64_MAX && huge != UINT64_MAX && prev_huge != huge)
		return sign_of(prev_huge, huge);
	if (prev_present == UINT64_MAX || present == UINT64_MAX)
		return 0;
	return sign_of(prev_present, present);
}

void ui_dist_marks(const struct ui_dist *prev, const struct ui_dist *cur,
		   signed char *marks)
{
	memset(marks, 0, UI_MAX_ORD + 1);
	if (!prev || !cur || !prev->avail || !cur->avail)
		return;
	for (unsigned o = 0; o < cur->nord && o < UI_MAX_ORD; o++) {
		uint64_t a = o < prev->nord ? prev->pages[o] : 0;
		marks[o] = (signed char)sign_of(a, cur->pages[o]);
	}
	marks[MT_MIN(cur->nord, (unsigned)UI_MAX_ORD)] =
		(signed char)sign_of(prev->partial, cur->partial);
}

uint64_t ui_exp_age_ms(const struct mt_snapshot *s, uint64_t exp_ns)
{
	if (!s->priority)
		return 0; /* every figure is the scan's */
	if (!exp_ns)
		return UINT64_MAX;
	return exp_ns >= s->mono_ns ? 0 : (s->mono_ns - exp_ns) / 1000000u;
}

uint64_t ui_proc_huge_pages(const struct mt_snapshot *s,
			    const struct mt_proc *p)
{
	if (s->have_kpageflags && s->priority && !p->exp_ns)
		return UINT64_MAX; /* not read yet */
	if (s->have_kpageflags)
		return p->folios ? mt_folio_total(p->folios) : 0;
	if (p->pmd_mapped != MT_UNKNOWN && s->pmd_order < 64)
		return p->pmd_mapped << s->pmd_order;
	return UINT64_MAX;
}

uint64_t ui_coll_pages(uint64_t slots, unsigned pmd_order)
{
	if (slots == MT_UNKNOWN || pmd_order >= 64)
		return UINT64_MAX;
	return slots << pmd_order;
}

/* ---- the histogram pane's table -------------------------------------- */

void ui_hist_table_build(struct ui_hist_table *t, const struct ui_dist *d,
			 unsigned page_size, bool partial_row, bool by_counts,
			 int room)
{
	struct ui_hist_row *rows = t->row;
	int n = 0;
	uint64_t maxv = 0;
	t->sumv = 0;
	for (unsigned o = 0; o < d->nord && o < UI_MAX_ORD; o++) {
		rows[n] = (struct ui_hist_row){ (int)o, d->pages[o] >> o,
						d->pages[o] * page_size };
		n++;
	}
	if (partial_row)
		rows[n++] = (struct ui_hist_row){ UI_HIST_PARTIAL, d->partial,
						  d->partial * page_size };
	for (int i = 0; i < n; i++) {
		uint64_t v = by_counts ? rows[i].count : rows[i].bytes;
		maxv = MT_MAX(maxv, v);
		if (!by_counts || rows[i].order != UI_HIST_PARTIAL)
			t->sumv += v;
	}
	/* rows available for orders; drop empty orders when short */
	int avail = room - (room > n ? 1 : 0);
	t->hidden = 0;
	if (n > avail) {
		int k = 0;
		for (int i = 0; i < n; i++)
			if (rows[i].count)
				rows[k++] = rows[i];
		n = k;
	}
	if (n > avail) {
		/* still short: keep the rows holding the most (bytes, or
		 * counts), in order, so that the huge orders that hold most
		 * of the memory are never the ones hidden */
		int keep = MT_MAX(avail, 0);
		bool kept[UI_MAX_ORD + 1] = { false };
		for (int j = 0; j < keep; j++) {
			int best = -1;
			for (int i = 0; i < n; i++) {
				uint64_t v = by_counts ? rows[i].count
						       : rows[i].bytes;
				uint64_t b = best < 0 ? 0
					: by_counts ? rows[best].count
						    : rows[best].bytes;
				if (!kept[i] && (best < 0 || v > b ||
						 (v == b && i > best)))
					best = i;
			}
			kept[best] = true;
		}
		int k = 0;
		for (int i = 0; i < n; i++)
			if (kept[i])
				rows[k++] = rows[i];
		t->hidden = n - k;
		n = k;
	}
	t->n = n;
	t->maxv = maxv;
}
