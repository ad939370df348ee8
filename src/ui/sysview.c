/*
 * sysview.c - the system view (s): how the kernel is doing at huge pages,
 * in one pane that scrolls.
 *
 *   Huge pages   meminfo totals, the scanned processes' memory, and time
 *                plots: RSS / PMD-order / large folio memory of the
 *                processes, free memory in PMD-sized blocks, THP fault,
 *                fallback, collapse and split rates
 *   Settings     THP enabled/defrag/shmem_enabled, khugepaged's files
 *   Counters     /proc/vmstat thp_* and compact_* lines: total and rate
 *   mTHP         per folio size: enabled, shmem_enabled and every stats/
 *                file this kernel has, total and rate
 *   Free memory  /proc/buddyinfo summed per node: a bar per order, the
 *                share that could satisfy a PMD-sized allocation, a
 *                sparkline per zone, and the fallback rates beside it
 *   meminfo      the huge page lines
 *
 * Drawing walks every line with a virtual row counter: lines above the
 * scroll position or below the window are counted but not drawn, which
 * gives the scroll range (u->sys_total) in the same pass.
 */
#include "ui_panes.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/probe.h"
#include "memtop/sysinfo.h"
#include "memtop/units.h"

struct sv {
	struct ui *u;
	WINDOW *w;
	const struct mt_snapshot *s;
	const struct mt_sysinfo *si;
	int top, h, width, y;
};

static int row(const struct sv *c)
{
	return c->y - c->top;
}

static bool vis(const struct sv *c)
{
	return row(c) >= 0 && row(c) < c->h;
}

/* Text at x of the current line, at most width cells (right aligned when
 * right; an ellipsis ends what does not fit); returns the cells it
 * takes. */
static int put(struct sv *c, int x, int width, const char *t, attr_t a,
	       bool right)
{
	width = MT_MIN(width, c->width - x);
	if (width <= 0)
		return 0;
	if (!vis(c)) {
		int used;
		ui_text_fit(t, width, c->u->utf8, &used);
		return ui_text_width(t, c->u->utf8) > width ? width : used;
	}
	/* what does not fit ends in an ellipsis */
	wattrset(c->w, a);
	int n = ui_put_ell_words(c->w, row(c), x, width, t, right,
				 c->u->utf8);
	wattrset(c->w, A_NORMAL);
	return n;
}

static void next(struct sv *c)
{
	c->y++;
}

static void title(struct sv *c, const char *t, const char *sub)
{
	if (c->y > 0)
		next(c);
	int x = put(c, 0, c->width, t, ui_attr(c->u, UI_C_HEADER), false);
	if (sub)
		put(c, x + 2, c->width, sub, ui_attr(c->u, UI_C_DIM), false);
	next(c);
}

/* Items "key value" flowing over lines from x0, two spaces apart. */
struct flow {
	struct sv *c;
	int x0, x;
};

static void flow_start(struct flow *f, struct sv *c, int x0)
{
	f->c = c;
	f->x0 = f->x = x0;
}

static void flow_item(struct flow *f, const char *key, const char *val,
		      attr_t vattr)
{
	struct sv *c = f->c;
	int need = ui_text_width(key, c->u->utf8) + 1 +
		   ui_text_width(val, c->u->utf8);
	if (f->x > f->x0 && f->x + need > c->width) {
		next(c);
		f->x = f->x0;
	}
	f->x += put(c, f->x, c->width - f->x, key, ui_attr(c->u, UI_C_DIM),
		    false);
	f->x += 1;
	f->x += put(c, f->x, c->width - f->x, val, vattr, false);
	f->x += 2;
}

static void flow_end(struct flow *f)
{
	if (f->x > f->x0)
		next(f->c);
}

static const struct mt_counter *vmstat(const struct sv *c, const char *key)
{
	return mt_counter_find(c->si->vmstat, c->si->nvmstat, key);
}

/* Counters that grow when something went wrong. */
static bool is_bad(const char *key)
{
	return strstr(key, "fallback") || strstr(key, "fail") ||
	       strstr(key, "declined");
}

static const char *fmt_total(char *b, size_t len, uint64_t v)
{
	return ui_fmt_count(b, len, v, 10);
}

/* Lines named nr_* are gauges, not event counters. */
static bool is_gauge(const char *key)
{
	return strncmp(key, "nr_", 3) == 0;
}

/* The rate of a counter; a counter that went backwards was reset, a gauge
 * that did simply fell (by how much is not kept). */
static const char *fmt_counter_rate(char *b, size_t len,
				    const struct mt_counter *k)
{
	if (k->has_rate && k->reset) {
		snprintf(b, len, "%s", is_gauge(k->key) ? "fell" : "reset");
		return b;
	}
	return ui_fmt_rate(b, len, k->rate, k->has_rate);
}

/* ---- huge pages: totals and plots -------------------------------------- */

static uint64_t meminfo_kb(const struct sv *c, const char *key, bool *found)
{
	const struct mt_counter *m =
		mt_counter_find(c->si->meminfo, c->si->nmeminfo, key);
	if (found)
		*found = m != NULL;
	return m ? m->value : 0;
}

/* " (12.3%)", or nothing when there is no whole. */
static const char *share(char *b, size_t len, uint64_t part, uint64_t whole)
{
	char p[16];
	if (!whole || part == UINT64_MAX)
		snprintf(b, len, "%s", "");
	else
		snprintf(b, len, " (%s%%)", ui_fmt_pct(p, sizeof(p), part, whole));
	return b;
}

static void plot_block(struct sv *c, int x, int width, int ph,
		       const struct ui_plot_series *ser, size_t n, double vmax)
{
	for (size_t i = 0; i < n; i++) {
		if (row(c) >= 0 && row(c) + ph <= c->h)
			ui_draw_plots(c->u, c->w, row(c), x, width, ph, &ser[i],
				      1, vmax);
		c->y += ph;
	}
}

static void section_overview(struct sv *c)
{
	struct ui *u = c->u;
	const struct mt_snapshot *s = c->s;
	char b[256], x1[16], x2[16], x3[32];
	title(c, "Huge pages",
	      "meminfo, and the memory of the scanned processes");
	struct flow f;
	flow_start(&f, c, 2);
	static const char *const keys[] = { "AnonHugePages", "ShmemHugePages",
					    "FileHugePages", "ShmemPmdMapped",
					    "FilePmdMapped" };
	for (size_t i = 0; i < MT_ARRAY_SIZE(keys); i++) {
		bool found;
		uint64_t kb = meminfo_kb(c, keys[i], &found);
		if (found)
			flow_item(&f, keys[i], mt_fmt_size(b, sizeof(b),
							  kb * 1024), A_BOLD);
	}
	flow_end(&f);
	uint64_t pmd = s->pmd_order < s->nord ?
		mt_hist_pages_from(s->present_hist, s->nord, s->pmd_order) : 0;
	snprintf(b, sizeof(b), "%zu process%s: RSS %s, %s in PMD-order "
		 "blocks%s, ", s->nprocs, s->nprocs == 1 ? "" : "es",
		 mt_fmt_size(x1, sizeof(x1), s->present_pages * s->page_size),
		 mt_fmt_size(x2, sizeof(x2), pmd * s->page_size),
		 share(x3, sizeof(x3), pmd, s->present_pages));
	int x = 2 + put(c, 2, c->width - 2, b, A_NORMAL, false);
	if (s->folios) {
		uint64_t thp = mt_folio_total(s->folios);
		snprintf(b, sizeof(b), "%s in large folios%s",
			 mt_fmt_size(x1, sizeof(x1), thp * s->page_size),
			 share(x3, sizeof(x3), thp, s->present_pages));
		put(c, x, c->width - x, b, A_NORMAL, false);
	} else {
		put(c, x, c->width - x,
		    s->have_kpageflags ? "none in large folios"
				       : "large folios need root",
		    ui_attr(u, UI_C_DIM), false);
	}
	next(c);

	/* plots: processes' memory on one scale, rates each on its own */
	static double v[9][MT_HISTORY_LEN];
	size_t n[9] = { 0 };
	const struct mt_proc_history *sys = mt_history_system(u->history);
	for (int k = 0; k < MT_SER_COUNT; k++)
		n[k] = sys ? ui_series_values(&sys->s[k], v[k]) : 0;
	n[3] = ui_series_values(&u->ss.free_pmd, v[3]);
	n[4] = ui_series_values(&u->ss.fault, v[4]);
	n[5] = ui_series_values(&u->ss.fallback, v[5]);
	n[6] = ui_series_values(&u->ss.collapse, v[6]);
	n[7] = ui_series_values(&u->ss.split, v[7]);
	double vmax = 1;
	for (size_t i = 0; i < n[MT_SER_RSS]; i++)
		vmax = MT_MAX(vmax, v[MT_SER_RSS][i]);
	char free_lab[32];
	ui_order_label(x1, sizeof(x1), s->page_size, s->pmd_order);
	snprintf(free_lab, sizeof(free_lab), "free%s%s", u->utf8 ? "\u2265" : ">=",
		 x1);
	struct ui_plot_series mem[4] = {
		{ "RSS", v[0], n[0], UI_C_NORMAL, UI_PF_BYTES, true },
		{ "ALGN", v[1], n[1], UI_C_ORD2, UI_PF_BYTES, true },
		{ "THP", v[2], n[2], UI_C_ORD5, UI_PF_BYTES,
		  s->have_kpageflags },
		{ free_lab, v[3], n[3], UI_C_ORD3, UI_PF_PCT, n[3] > 0 },
	};
	struct ui_plot_series rates[4] = {
		{ "faults", v[4], n[4], UI_C_UP, UI_PF_RATE, n[4] > 0 },
		{ "fallback", v[5], n[5], UI_C_DOWN, UI_PF_RATE, n[5] > 0 },
		{ "collapse", v[6], n[6], UI_C_ORD4, UI_PF_RATE, n[6] > 0 },
		{ "split", v[7], n[7], UI_C_ORD1, UI_PF_RATE, n[7] > 0 },
	};
	int ph = c->h >= 36 ? 2 : 1;
	size_t scans = n[0];
	snprintf(b, sizeof(b), "last %zu scan%s: the processes' memory on one "
		 "scale; THP faults, fallbacks, collapses and splits per "
		 "second", scans, scans == 1 ? "" : "s");
	put(c, 2, c->width - 2, b, ui_attr(u, UI_C_DIM), false);
	next(c);
	if (c->width >= 110) {
		int hw = (c->width - 4) / 2;
		int y0 = c->y;
		plot_block(c, 2, hw, ph, mem, 3, vmax);
		plot_block(c, 2, hw, ph, &mem[3], 1, 100);
		c->y = y0;
		plot_block(c, 4 + hw, hw, ph, rates, 4, 0);
	} else {
		plot_block(c, 2, c->width - 2, ph, mem, 3, vmax);
		plot_block(c, 2, c->width - 2, ph, &mem[3], 1, 100);
		plot_block(c, 2, c->width - 2, ph, rates, 4, 0);
	}
}

/* ---- settings ---------------------------------------------------------- */

static const char *zero_use(int t)
{
	return t == MT_TRI_YES ? "used" : t == MT_TRI_NO ? "not used"
							  : "unknown";
}

static void section_settings(struct sv *c)
{
	const struct mt_sysinfo *si = c->si;
	char b[64], r[32];
	title(c, "Settings", "/sys/kernel/mm/transparent_hugepage");
	struct flow f;
	flow_start(&f, c, 2);
	flow_item(&f, "enabled", si->thp_enabled ? si->thp_enabled : "?",
		  A_BOLD);
	flow_item(&f, "defrag", si->thp_defrag ? si->thp_defrag : "?", A_BOLD);
	flow_item(&f, "shmem_enabled",
		  si->thp_shmem_enabled ? si->thp_shmem_enabled : "?", A_BOLD);
	/* what a read fault maps, as memtop found out (the kernel's choice:
	 * some never map zero pages) */
	flow_item(&f, "zero page", zero_use(c->s->zero_page), A_BOLD);
	flow_item(&f, "huge zero page", zero_use(c->s->huge_zero_page),
		  A_BOLD);
	flow_end(&f);
	if (!si->nkhugepaged) {
		put(c, 2, c->width - 2, "khugepaged: no settings readable",
		    ui_attr(c->u, UI_C_DIM), false);
		next(c);
		return;
	}
	int x = 2 + put(c, 2, c->width, "khugepaged ", A_BOLD, false);
	flow_start(&f, c, x);
	/* the settings first, then the counters with their rates */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < si->nkhugepaged; i++) {
			const struct mt_counter *k = &si->khugepaged[i];
			bool counter = !strcmp(k->key, "full_scans") ||
				       !strcmp(k->key, "pages_collapsed");
			if (counter != (pass == 1))
				continue;
			snprintf(b, sizeof(b), "%" PRIu64, k->value);
			if (counter && k->has_rate && k->rate != 0) {
				size_t l = strlen(b);
				snprintf(b + l, sizeof(b) - l, " (%s)",
					 ui_fmt_rate(r, sizeof(r), k->rate,
						     true));
			}
			flow_item(&f, k->key, b, A_BOLD);
		}
	}
	flow_end(&f);
}

/* ---- counters ---------------------------------------------------------- */

static void section_counters(struct sv *c)
{
	const struct mt_sysinfo *si = c->si;
	char b[96], t[32], r[32];
	if (si->interval_s > 0)
		snprintf(b, sizeof(b), "/proc/vmstat: total, and per second over "
			 "the last %.1fs", si->interval_s);
	else
		snprintf(b, sizeof(b), "/proc/vmstat: total (rates from the "
			 "next scan)");
	title(c, "Counters", b);
	if (!si->nvmstat) {
		put(c, 2, c->width, "none readable", ui_attr(c->u, UI_C_DIM),
		    false);
		next(c);
		return;
	}
	int nw = 0;
	for (size_t i = 0; i < si->nvmstat; i++)
		nw = MT_MAX(nw, ui_text_width(si->vmstat[i].key, false));
	nw = MT_MIN(nw, 32);
	enum { TW = 10, RW = 9 };
	int ew = nw + 1 + TW + 1 + RW;
	int ncol = MT_MAX(1, (c->width - 2 + 3) / (ew + 3));
	size_t nrow = (si->nvmstat + (size_t)ncol - 1) / (size_t)ncol;
	for (size_t rr = 0; rr < nrow; rr++) {
		for (int col = 0; col < ncol; col++) {
			size_t i = (size_t)col * nrow + rr;
			if (i >= si->nvmstat)
				break;
			const struct mt_counter *k = &si->vmstat[i];
			int x = 2 + col * (ew + 3);
			bool moving = k->has_rate && (k->rate != 0 || k->reset);
			attr_t na = moving ? A_BOLD : A_NORMAL;
			put(c, x, nw, k->key, na, false);
			put(c, x + nw + 1, TW, fmt_total(t, sizeof(t), k->value),
			    A_NORMAL, true);
			attr_t ra = !moving ? ui_attr(c->u, UI_C_DIM) :
				    k->reset ? A_BOLD :
				    is_bad(k->key) ? ui_attr(c->u, UI_C_WARN) :
						     ui_attr(c->u, UI_C_UP);
			put(c, x + nw + 1 + TW + 1, RW,
			    fmt_counter_rate(r, sizeof(r), k), ra, true);
		}
		next(c);
	}
}

/* ---- mTHP sizes -------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A table cell: the total, and the rate when it moved. */
static void stat_cell(char *b, size_t len, const struct mt_counter *k)
{
	char t[32], r[32];
	if (!k) {
		if (len)
			b[0] = '\0';
		return;
	}
	fmt_total(t, sizeof(t), k->value);
	if (k->has_rate && (k->rate != 0 || k->reset))
		snprintf(b, len, "%s %s", t, fmt_counter_rate(r, sizeof(r), k));
	else
		snprintf(b, len, "%s", t);
}

static void section_mthp(struct sv *c)
{
	const struct mt_sysinfo *si = c->si;
	char b[64];
	title(c, "mTHP", "per folio size (hugepages-*kB): setting, and each "
			 "stats/ counter's total and rate");
	if (!si->nsizes) {
		put(c, 2, c->width, "no mTHP sizes on this kernel (6.8+ has "
				    "them)", ui_attr(c->u, UI_C_DIM), false);
		next(c);
		return;
	}
	/* rows: the union of the stats files, sorted */
	size_t cap = 2, nk = 0;
	for (size_t z = 0; z < si->nsizes; z++)
		cap += si->sizes[z].nstats;
	const char **keys = xmalloc(cap * sizeof(*keys));
	for (size_t z = 0; z < si->nsizes; z++)
		for (size_t i = 0; i < si->sizes[z].nstats; i++)
			keys[nk++] = si->sizes[z].stats[i].key;
	qsort(keys, nk, sizeof(*keys), cmp_str);
	size_t u = 0;
	for (size_t i = 0; i < nk; i++)
		if (u == 0 || strcmp(keys[u - 1], keys[i]) != 0)
			keys[u++] = keys[i];
	nk = u;

	/* column widths */
	int nw = (int)strlen("shmem_enabled");
	for (size_t i = 0; i < nk; i++)
		nw = MT_MAX(nw, ui_text_width(keys[i], false));
	nw = MT_MIN(nw, 30);
	int *cw = xcalloc(si->nsizes, sizeof(*cw));
	for (size_t z = 0; z < si->nsizes; z++) {
		const struct mt_mthp_size *sz = &si->sizes[z];
		cw[z] = MT_MAX(4, ui_text_width(sz->enabled ? sz->enabled : "?",
						false));
		cw[z] = MT_MAX(cw[z], ui_text_width(sz->shmem_enabled ?
						    sz->shmem_enabled : "?",
						    false));
		for (size_t i = 0; i < sz->nstats; i++) {
			stat_cell(b, sizeof(b), &sz->stats[i]);
			cw[z] = MT_MAX(cw[z], ui_text_width(b, false));
		}
	}
	/* the columns that fit from the first one scrolled to (Left and
	 * Right); one cell is kept for the mark of more on the right */
	int x0 = 2 + nw + 1, room = c->width - 1;
	size_t lmax = si->nsizes - 1;
	for (int x = x0 + cw[lmax]; lmax > 0 && x + 2 + cw[lmax - 1] <= room;
	     lmax--)
		x += 2 + cw[lmax - 1];
	/* scrolled to the end, it stays there while the widths change */
	bool at_end = c->u->sys_left > 0 &&
		      c->u->sys_left >= c->u->sys_left_max;
	c->u->sys_left_max = (int)lmax;
	size_t z0 = at_end ? lmax
			   : (size_t)MT_MAX(0, MT_MIN(c->u->sys_left, (int)lmax));
	c->u->sys_left = (int)z0;
	size_t shown = 0;
	int x = x0;
	while (z0 + shown < si->nsizes && x + cw[z0 + shown] <= room) {
		x += cw[z0 + shown] + 2;
		shown++;
	}
	if (!shown && z0 < si->nsizes)
		shown = 1; /* a column wider than the pane: cut, with a mark */
	bool more_l = z0 > 0, more_r = z0 + shown < si->nsizes;

	/* header: sizes, and marks where more columns are */
	x = x0;
	put(c, 2, nw, "size", ui_attr(c->u, UI_C_DIM), false);
	if (more_l)
		put(c, x0 - 1, 1, c->u->utf8 ? "\u25c0" : "<", A_BOLD, false);
	for (size_t z = z0; z < z0 + shown; z++) {
		mt_fmt_size(b, sizeof(b), si->sizes[z].kb * 1024);
		put(c, x, cw[z], b, A_BOLD, true);
		x += cw[z] + 2;
	}
	if (more_r)
		put(c, c->width - 1, 1, c->u->utf8 ? "\u25b6" : ">", A_BOLD,
		    false);
	next(c);
	for (size_t r = 0; r < nk + 2; r++) {
		const char *name = r == 0 ? "enabled" : r == 1 ? "shmem_enabled"
							       : keys[r - 2];
		bool setting = r < 2;
		put(c, 2, nw, name, setting ? A_NORMAL : ui_attr(c->u, UI_C_DIM),
		    false);
		x = x0;
		for (size_t z = z0; z < z0 + shown; z++) {
			const struct mt_mthp_size *sz = &si->sizes[z];
			attr_t a = A_NORMAL;
			if (r == 0 || r == 1) {
				const char *v = r == 0 ? sz->enabled
						       : sz->shmem_enabled;
				snprintf(b, sizeof(b), "%s", v ? v : "?");
				a = strcmp(b, "never") && strcmp(b, "?") ?
					    A_BOLD : ui_attr(c->u, UI_C_DIM);
			} else {
				const struct mt_counter *k = mt_counter_find(
					sz->stats, sz->nstats, keys[r - 2]);
				stat_cell(b, sizeof(b), k);
				if (k && k->has_rate && k->reset)
					a = A_BOLD;
				else if (k && k->has_rate && k->rate != 0)
					a = is_bad(k->key) ?
						    ui_attr(c->u, UI_C_WARN) :
						    ui_attr(c->u, UI_C_UP);
				else if (k && k->value == 0)
					a = ui_attr(c->u, UI_C_DIM);
			}
			put(c, x, cw[z], b, a, true);
			x += cw[z] + 2;
		}
		next(c);
	}
	if (more_l || more_r) {
		char f[16], l[16], m[128];
		mt_fmt_size(f, sizeof(f), si->sizes[z0].kb * 1024);
		mt_fmt_size(l, sizeof(l), si->sizes[z0 + shown - 1].kb * 1024);
		snprintf(m, sizeof(m), "sizes %s to %s of %zu: %s scroll", f, l,
			 si->nsizes, more_l && more_r ? "Left Right"
				     : more_l ? "Left" : "Right");
		put(c, 2, c->width - 2, m, ui_attr(c->u, UI_C_DIM), false);
		next(c);
	}
	free(cw);
	free(keys);
}

/* ---- free memory ------------------------------------------------------- */

static void spark(char *b, size_t len, const uint64_t *bytes, unsigned n,
		  uint64_t total, bool utf8)
{
	static const char *const u8[9] = {
		" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585",
		"\u2586", "\u2587", "\u2588",
	};
	static const char ascii[] = " _.-=+*#@";
	size_t o = 0;
	b[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		int l = 0;
		if (bytes[i] && total) {
			l = (int)ceil((double)bytes[i] / (double)total * 8);
			l = MT_MAX(1, MT_MIN(8, l));
		}
		const char *g = utf8 ? u8[l] : (const char[]){ ascii[l], 0 };
		size_t gl = strlen(g);
		if (o + gl + 1 >= len)
			break;
		memcpy(b + o, g, gl);
		o += gl;
		b[o] = '\0';
	}
}

static void fallback_line(struct sv *c)
{
	static const char *const keys[] = { "thp_fault_alloc",
					    "thp_fault_fallback",
					    "thp_collapse_alloc_failed",
					    "compact_stall", "compact_fail",
					    "compact_success" };
	char b[32];
	int x = 4 + put(c, 4, c->width, "rates:", ui_attr(c->u, UI_C_DIM),
			false);
	struct flow f;
	flow_start(&f, c, x + 1);
	for (size_t i = 0; i < MT_ARRAY_SIZE(keys); i++) {
		const struct mt_counter *k = vmstat(c, keys[i]);
		if (!k)
			continue;
		bool moving = k->has_rate && k->rate != 0;
		flow_item(&f, keys[i], ui_fmt_rate(b, sizeof(b), k->rate,
						   k->has_rate),
			  !moving ? A_NORMAL :
			  is_bad(keys[i]) || !strncmp(keys[i], "compact_", 8) ?
				  ui_attr(c->u, UI_C_WARN) :
				  ui_attr(c->u, UI_C_UP));
	}
	flow_end(&f);
}

static void section_buddy(struct sv *c)
{
	const struct mt_snapshot *s = c->s;
	const struct mt_sysinfo *si = c->si;
	char b[160], x1[16], x2[16], x3[16], pmdl[16];
	ui_order_label(pmdl, sizeof(pmdl), s->page_size, s->pmd_order);
	snprintf(b, sizeof(b), "/proc/buddyinfo: free blocks per order; "
		 "blocks of %s or more can back a huge page at once", pmdl);
	title(c, "Free memory", b);
	if (!si->nzones) {
		put(c, 2, c->width, "buddyinfo not readable",
		    ui_attr(c->u, UI_C_DIM), false);
		next(c);
		return;
	}
	unsigned norders;
	int maxnode = mt_buddy_nodes(si, &norders);
	for (int node = 0; node <= maxnode; node++) {
		uint64_t blocks[MT_BUDDY_ORDERS], bytes[MT_BUDDY_ORDERS];
		if (!mt_buddy_node_blocks(si, node, blocks))
			continue;
		uint64_t total = 0;
		for (unsigned o = 0; o < norders; o++) {
			bytes[o] = (blocks[o] << o) * s->page_size;
			total += bytes[o];
		}
		uint64_t all = mt_buddy_free_pages(si, node, 0);
		uint64_t big = mt_buddy_free_pages(si, node, s->pmd_order);
		snprintf(b, sizeof(b), "node %d: %s free, ", node,
			 mt_fmt_size(x1, sizeof(x1), all * s->page_size));
		int x = 2 + put(c, 2, c->width, b, A_BOLD, false);
		snprintf(b, sizeof(b), "%s%% in blocks of %s or more (%s)",
			 ui_fmt_pct(x2, sizeof(x2), big, all), pmdl,
			 mt_fmt_size(x3, sizeof(x3), big * s->page_size));
		put(c, x, c->width - x, b,
		    all && big * 4 < all ? ui_attr(c->u, UI_C_WARN) : A_BOLD,
		    false);
		next(c);
		fallback_line(c);
		put(c, 4, c->width, " BLOCK      FREE    BYTES  SHARE",
		    ui_attr(c->u, UI_C_DIM), false);
		next(c);
		int bar_w = MT_MIN(c->width - 38, 50);
		for (unsigned o = 0; o < norders; o++) {
			char lab[16], cnt[16], bar[8 * 64 + 1];
			ui_order_label(lab, sizeof(lab), s->page_size, o);
			snprintf(b, sizeof(b), "%6s %9s %8s %5s%%", lab,
				 ui_fmt_count(cnt, sizeof(cnt), blocks[o], 9),
				 mt_fmt_size(x1, sizeof(x1), bytes[o]),
				 ui_fmt_pct(x2, sizeof(x2), bytes[o], total));
			bool pmd = o >= s->pmd_order;
			put(c, 4, c->width, b, pmd ? A_BOLD : A_NORMAL, false);
			if (bar_w > 0 && total) {
				unsigned e = (unsigned)((double)bytes[o] /
							(double)total * bar_w *
							8 + 0.5);
				if (bytes[o] && e == 0)
					e = 1;
				put(c, 37, bar_w,
				    ui_bar_string(bar, sizeof(bar), e,
						  c->u->utf8),
				    ui_attr(c->u, ui_order_color(o,
								 s->pmd_order)),
				    false);
			}
			next(c);
		}
		/* one sparkline per zone: its free memory by order */
		for (size_t z = 0; z < si->nzones; z++) {
			const struct mt_buddy_zone *zn = &si->zones[z];
			if (zn->node != node)
				continue;
			uint64_t zb[MT_BUDDY_ORDERS], zt = 0, zbig = 0;
			for (unsigned o = 0; o < norders; o++) {
				zb[o] = o < zn->norders ?
					(zn->free[o] << o) * s->page_size : 0;
				zt += zb[o];
				if (o >= s->pmd_order)
					zbig += zb[o];
			}
			char sp[8 * MT_BUDDY_ORDERS + 1], name[40];
			struct mt_buf nb = { 0 };
			ui_sanitize(&nb, zn->zone ? zn->zone : "?",
				    zn->zone ? strlen(zn->zone) : 1,
				    c->u->utf8);
			snprintf(name, sizeof(name), "zone %-8s", nb.data);
			mt_buf_free(&nb);
			spark(sp, sizeof(sp), zb, norders, zt, c->u->utf8);
			int zx = 4 + put(c, 4, 14, name, ui_attr(c->u, UI_C_DIM),
					 false);
			zx += 1 + put(c, zx + 1, (int)norders, sp,
				      ui_attr(c->u, UI_C_ORD3), false);
			snprintf(b, sizeof(b), "  %s free, %s%% in %s+ blocks",
				 mt_fmt_size(x1, sizeof(x1), zt),
				 ui_fmt_pct(x2, sizeof(x2), zbig, zt), pmdl);
			put(c, zx, c->width - zx, b, A_NORMAL, false);
			next(c);
		}
	}
}

/* ---- meminfo ----------------------------------------------------------- */

static void section_meminfo(struct sv *c)
{
	const struct mt_sysinfo *si = c->si;
	char b[32];
	title(c, "meminfo", "/proc/meminfo: huge page lines");
	struct flow f;
	flow_start(&f, c, 2);
	for (size_t i = 0; i < si->nmeminfo; i++) {
		const struct mt_counter *m = &si->meminfo[i];
		/* HugePages_* are counts, the rest kB */
		if (!strncmp(m->key, "HugePages_", 10))
			snprintf(b, sizeof(b), "%" PRIu64, m->value);
		else
			mt_fmt_size(b, sizeof(b), m->value * 1024);
		flow_item(&f, m->key, b, A_BOLD);
	}
	flow_end(&f);
}

void ui_draw_sysview(struct ui *u, WINDOW *w)
{
	werase(w);
	int h = getmaxy(w), width = getmaxx(w);
	struct sv c = { u, w, u->snap, u->snap ? u->snap->sys : NULL,
			u->sys_top, h, width, 0 };
	if (!c.s || !c.si) {
		ui_put(w, 0, 1, width - 1,
		       c.s ? "no system figures in this scan"
			   : "scanning /proc ...", false, false);
		u->sys_total = 1;
		return;
	}
	section_overview(&c);
	section_settings(&c);
	section_counters(&c);
	section_mthp(&c);
	section_buddy(&c);
	section_meminfo(&c);
	u->sys_total = c.y;
	/* the content shrank (or the window grew): scroll back and redraw */
	int maxtop = MT_MAX(0, u->sys_total - h);
	if (u->sys_top > maxtop) {
		u->sys_top = maxtop;
		ui_draw_sysview(u, w);
	}
}
