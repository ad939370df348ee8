/*
 * histpane.c - the histogram of the selected process or VMA in the chosen
 * view: one row per order, labelled with the block size, with the number
 * of blocks (folios in the folio view), the bytes, the share of the
 * whole and a bar, linear so that lengths compare (L switches to a log
 * scale, where small orders stay visible; c switches the bars between
 * bytes and counts). Eighth blocks in UTF-8, '#' otherwise; colours by
 * order when the terminal has them. An arrow after an order's bytes says
 * it grew or shrank since the previous scan. The mappable view adds
 * the one-folio figure beside the bytes (IN1FOL: the same aligned
 * contiguous blocks, counted only inside one large folio, as arm64's
 * contpte and thpmaps --cont need).
 *
 * Beside the orders (or below them on narrow terminals) the history of
 * the selected process or cgroup: RSS, memory in PMD-order blocks of the
 * view (named as the view's column: ALGN, CONT, HUGE) and in large folios
 * over the last scans, and as root its large folio memory
 * by NUMA node.
 */
#include "ui_panes.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memtop/history.h"
#include "memtop/units.h"

/* Order rows: label, count, bytes, share, (in the mappable view the
 * one-folio bytes,) then the bar. */
enum { LW = 5, CW = 8, BW = 7, SW = 6, FW = 7,
       ORDERS_W = LW + 1 + CW + 1 + BW + 1 + SW + 1 };
/* The history beside the orders when the pane is this wide. */
#define RIGHT_MIN_W 80
#define PLOT_MAX_W 50

static unsigned view_orders(const struct ui *u)
{
	const struct mt_snapshot *s = u->snap;
	if (!s)
		return 10;
	unsigned n = s->nord;
	if (u->set.view == UI_VIEW_FOLIOS)
		n = MT_MAX(n, s->pmd_order + 1) + 1; /* and a partial row */
	return n;
}

/* Rows of the NUMA split: a title and one per node (0: none). */
static int node_rows(const struct ui *u)
{
	const struct mt_snapshot *s = u->snap;
	if (!s || !s->have_kpageflags || s->nnodes == 0)
		return 0;
	return 1 + (int)MT_MIN(s->nnodes, 8u);
}

int ui_histpane_lines(const struct ui *u)
{
	/* title, column titles, legend (and the mappable view's note) */
	int rows = (int)view_orders(u) + 3 +
		   (u->set.view == UI_VIEW_MAPPABLE ? 1 : 0);
	int cols = COLS;
	if (cols >= RIGHT_MIN_W + 1 && cols < 140)
		return MT_MAX(rows, 1 + 1 + 3 * 2 + node_rows(u));
	return rows + 1 + 1 + 3 + node_rows(u); /* history below */
}

static void draw_legend(const struct ui *u, WINDOW *w, int y, int x0)
{
	const struct mt_snapshot *s = u->snap;
	unsigned pmd = s->pmd_order;
	char a[16], t[48];
	int x = x0, width = getmaxx(w);
	struct { enum ui_band band; unsigned order; const char *pre, *post; } items[] = {
		{ UI_BAND_PMD, pmd, ">=", "" },
		{ UI_BAND_HIGH, MT_MIN(4u, pmd), "", "+" },
		{ UI_BAND_LOW, 1, "", "+" },
		{ UI_BAND_SMALL, 0, "", "" },
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(items); i++) {
		if (items[i].band == UI_BAND_HIGH && pmd <= 4)
			continue;
		ui_order_label(a, sizeof(a), s->page_size, items[i].order);
		snprintf(t, sizeof(t), "%s%s%s", items[i].pre, a, items[i].post);
		wattrset(w, ui_attr(u, ui_order_color(items[i].order, pmd)));
		x += ui_put(w, y, x, width - x,
			    ui_band_glyph(items[i].band, u->utf8), false,
			    u->utf8);
		wattrset(w, ui_attr(u, UI_C_DIM));
		x += ui_put(w, y, x, width - x, t, false, u->utf8);
		x += ui_put(w, y, x, width - x, " ", false, u->utf8);
	}
	if (u->set.view == UI_VIEW_FOLIOS) {
		wattrset(w, ui_attr(u, UI_C_PART));
		x += ui_put(w, y, x, width - x,
			    ui_band_glyph(UI_BAND_PARTIAL, u->utf8), false,
			    u->utf8);
		wattrset(w, ui_attr(u, UI_C_DIM));
		ui_put(w, y, x, width - x, "partial", false, u->utf8);
	}
	wattrset(w, A_NORMAL);
}

/* The process whose history and NUMA split go with the histogram, or
 * the cgroup row (*g); NULL both when nothing is selected. */
static const struct ui_pstat *history_owner(const struct ui *u,
					 const struct ui_group **g)
{
	const struct ui_data *d = &u->data;
	*g = NULL;
	if (u->vma_mode)
		return d->vproc >= 0 ? &d->ps[d->vproc] : NULL;
	const struct ui_line *l = ui_sel_line(u);
	if (!l)
		return NULL;
	if (l->kind == UI_LINE_GROUP) {
		*g = &d->groups[l->idx];
		return NULL;
	}
	return &d->ps[l->idx];
}

static int draw_history(const struct ui *u, WINDOW *w, int y, int x,
			int width, int height)
{
	const struct mt_snapshot *s = u->snap;
	const struct ui_data *d = &u->data;
	const struct ui_group *g;
	const struct ui_pstat *ps = history_owner(u, &g);
	if ((!ps && !g) || height < 2 || width < 24)
		return 0;
	static double v[MT_SER_COUNT][MT_HISTORY_LEN];
	size_t n[MT_SER_COUNT] = { 0 };
	memset(v, 0, sizeof(v));
	if (ps) {
		mt_history_sum_proc(u->history, ps->p->pid, v, n);
	} else {
		for (size_t i = 0; i < g->n; i++)
			mt_history_sum_proc(u->history,
					    d->ps[d->gmembers[g->first + i]].p->pid,
					    v, n);
	}
	bool thp = s->have_kpageflags;
	int nodes = node_rows(u);
	size_t nser = thp ? 3 : 2;
	int rows = height - 1 - nodes - (thp ? 0 : 1);
	int ph = MT_MAX(1, MT_MIN(3, rows / (int)nser));
	char t[96];
	size_t scans = n[MT_SER_RSS];
	/* the time the samples cover (scans come later than the interval
	 * when the CPU limit stretches it): of the process, or of the
	 * cgroup's longest history */
	double span = 0;
	if (ps)
		span = mt_history_span_s(u->history, ps->p->pid, scans);
	for (size_t i = 0; g && i < g->n; i++)
		span = MT_MAX(span, mt_history_span_s(
					    u->history,
					    d->ps[d->gmembers[g->first + i]].p->pid,
					    scans));
	if (span >= 120)
		snprintf(t, sizeof(t), "history: %zu scans, ~%.0f min", scans,
			 span / 60);
	else
		snprintf(t, sizeof(t), "history: %zu scan%s, ~%.0fs", scans,
			 scans == 1 ? "" : "s", span);
	wattrset(w, ui_attr(u, UI_C_DIM));
	ui_put_ell(w, y, x, width, t, false, u->utf8);
	wattrset(w, A_NORMAL);
	/* the PMD-order figure of the view, named as its column */
	enum ui_view view = u->set.view;
	int pk = view == UI_VIEW_MAPPABLE ? MT_SER_CONT :
		 view == UI_VIEW_FOLIOS ? MT_SER_HUGE : MT_SER_PMD;
	struct ui_plot_series ser[3] = {
		{ "RSS", v[MT_SER_RSS], n[MT_SER_RSS], UI_C_NORMAL, UI_PF_BYTES,
		  true },
		{ ui_view_pmd_name(view), v[pk], n[pk], UI_C_ORD2, UI_PF_BYTES,
		  !*ui_view_missing(s, view) },
		{ "THP", v[MT_SER_THP], n[MT_SER_THP], UI_C_ORD5, UI_PF_BYTES,
		  thp },
	};
	/* one scale: PMD-order and THP memory against RSS */
	double vmax = 0;
	for (size_t i = 0; i < n[MT_SER_RSS]; i++)
		vmax = MT_MAX(vmax, v[MT_SER_RSS][i]);
	int used = 1;
	if (rows > 0)
		used += ui_draw_plots(u, w, y + used, x, width, ph, ser,
				      (size_t)MT_MIN(rows, (int)nser),
				      vmax > 0 ? vmax : 1);
	if (!thp && used < height) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		char why[64];
		snprintf(why, sizeof(why), "THP (large folios) %s",
			 ui_view_missing_short(u->snap, UI_VIEW_FOLIOS));
		ui_put_ell(w, y + used++, x, width, why, false, u->utf8);
		wattrset(w, A_NORMAL);
	}
	if (!nodes || used + 1 >= height)
		return used;

	/* large folio memory by NUMA node */
	uint64_t per[8] = { 0 }, all = 0;
	unsigned nn = MT_MIN(s->nnodes, 8u);
	bool known = ui_node_pages(d, ps, g, per, nn);
	for (unsigned k = 0; k < nn; k++)
		all += per[k];
	wattrset(w, ui_attr(u, UI_C_DIM));
	ui_put_ell(w, y + used++, x, width,
	       known ? "THP by NUMA node" : "THP by NUMA node: not known",
	       false, u->utf8);
	wattrset(w, A_NORMAL);
	for (unsigned k = 0; known && k < nn && used < height; k++) {
		char sz[16], pc[16], bar[8 * 64 + 1], lab[64];
		snprintf(lab, sizeof(lab), "node%-2u %7s %5s%% ", k,
			 mt_fmt_size(sz, sizeof(sz), per[k] * s->page_size),
			 ui_fmt_pct(pc, sizeof(pc), per[k], all));
		int lw = ui_put_ell(w, y + used, x, width, lab, false, u->utf8);
		int bw = MT_MIN(width - lw, 64);
		if (bw > 0 && all) {
			unsigned e = (unsigned)((double)per[k] / (double)all *
						bw * 8 + 0.5);
			wattrset(w, ui_attr(u, UI_C_ORD5));
			ui_put(w, y + used, x + lw, bw,
			       ui_bar_string(bar, sizeof(bar), e, u->utf8),
			       false, u->utf8);
			wattrset(w, A_NORMAL);
		}
		used++;
	}
	return used;
}

void ui_draw_hist(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	int h = getmaxy(w), width = getmaxx(w);
	int x0 = u->lay.hist_side ? 2 : 1;
	char title[192], t[256];
	werase(w);
	if (u->lay.hist_side) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		ui_vline(u, w, 0, 0, h);
	}
	const struct ui_dist *d = s ? ui_selected_dist(u, title, sizeof(title))
				    : NULL;
	wattrset(w, ui_attr(u, UI_C_TITLE));
	mvwhline(w, 0, x0 - 1, ' ', width - x0 + 1);
	snprintf(t, sizeof(t), "%s view: %s", ui_view_name(u->set.view),
		 d ? title : "nothing selected");
	ui_put_ell(w, 0, x0, width - x0, t, false, u->utf8);
	wattrset(w, A_NORMAL);
	if (!d)
		return;
	int cw = width - x0;
	/* the history beside the orders on wide panes, else below them */
	bool right = !u->lay.hist_side && cw >= RIGHT_MIN_W;
	int plot_w = right ? MT_MIN(PLOT_MAX_W, cw - ORDERS_W - 26 - 2) : cw;
	int ow = right ? cw - plot_w - 2 : cw;
	if (right) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		ui_vline(u, w, 1, x0 + ow, h - 1);
		wattrset(w, A_NORMAL);
		draw_history(u, w, 1, x0 + ow + 2, plot_w - 1, h - 1);
	}
	if (!d->avail) {
		wattrset(w, ui_attr(u, UI_C_WARN));
		if (d->unread)
			snprintf(t, sizeof(t), "%s view: not read yet (the "
				 "sweep reads it within the CPU limit)",
				 ui_view_name(u->set.view));
		else
			snprintf(t, sizeof(t), "%s view %s",
				 ui_view_name(u->set.view),
				 ui_view_missing(s, u->set.view));
		ui_put_ell(w, 2, x0, ow, t, false, u->utf8);
		wattrset(w, A_NORMAL);
		if (!right)
			draw_history(u, w, 4, x0, cw - 1, h - 4);
		return;
	}

	/* change marks against the previous scan of the same selection */
	signed char marks[UI_MAX_ORD + 1];
	struct ui_selid id;
	ui_selected_id(u, &id);
	ui_dist_marks(u->hist_prev_ok && ui_selid_equal(&id, &u->hist_sel) ? &u->hist_prev
								   : NULL,
		      d, marks);
	ui_selid_free(&id);

	struct ui_hist_table tab;
	ui_hist_table_build(&tab, d, s->page_size,
			    u->set.view == UI_VIEW_FOLIOS, u->set.hist_counts,
			    h - 2);
	int n = tab.n;

	bool fcol = u->set.view == UI_VIEW_MAPPABLE;
	int bar_x = x0 + ORDERS_W + (fcol ? FW + 1 : 0);
	int bar_w = MT_MIN(x0 + ow - bar_x - 1, 60);
	char fct[16] = "";
	if (fcol)
		snprintf(fct, sizeof(fct), "%*s ", FW, "IN1FOL");
	wattrset(w, ui_attr(u, UI_C_DIM));
	char hid[40] = "";
	if (tab.hidden)
		snprintf(hid, sizeof(hid), ", %d smaller row%s hidden",
			 tab.hidden, tab.hidden == 1 ? "" : "s");
	snprintf(t, sizeof(t), "%*s %*s %*s %*s %s%s scale of %s%s", LW,
		 "BLOCK", CW, u->set.view == UI_VIEW_FOLIOS ? "FOLIOS" : "COUNT",
		 BW, "BYTES", SW, "SHARE", fct,
		 u->set.hist_log ? "log" : "linear",
		 u->set.hist_counts ? "counts" : "bytes", hid);
	ui_put_ell(w, 1, x0, ow, t, false, u->utf8);
	wattrset(w, A_NORMAL);
	for (int i = 0; i < n; i++) {
		const struct ui_hist_row *r = &tab.row[i];
		char lab[16], cnt[16], byt[16], pct[16], shr[24];
		char bar[8 * 256 + 1];
		int y = 2 + i;
		if (r->order >= 0)
			ui_order_label(lab, sizeof(lab), s->page_size,
				       (unsigned)r->order);
		else
			snprintf(lab, sizeof(lab), "part");
		ui_fmt_count(cnt, sizeof(cnt), r->count, CW);
		mt_fmt_size(byt, sizeof(byt), r->bytes);
		if (r->order < 0)
			snprintf(cnt, sizeof(cnt), "-");
		uint64_t v = u->set.hist_counts ? r->count : r->bytes;
		if (u->set.hist_counts && r->order < 0)
			snprintf(shr, sizeof(shr), "-");
		else
			snprintf(shr, sizeof(shr), "%s%%",
				 ui_fmt_pct(pct, sizeof(pct), v, tab.sumv));
		snprintf(t, sizeof(t), "%*s %*s %*s %*s", LW, lab, CW, cnt, BW,
			 r->count ? byt : "0", SW, shr);
		if (fcol) {
			char fb[16];
			uint64_t fp = r->order >= 0 ? d->fc_pages[r->order] : 0;
			if (!d->fc_avail || r->order < 0)
				snprintf(fb, sizeof(fb), "?");
			else if (!fp)
				snprintf(fb, sizeof(fb), "0");
			else
				mt_fmt_size(fb, sizeof(fb), fp * s->page_size);
			size_t l = strlen(t);
			snprintf(t + l, sizeof(t) - l, " %*s", FW, fb);
		}
		enum ui_color c = r->order < 0 ? UI_C_PART :
				  ui_order_color((unsigned)r->order,
						 s->pmd_order);
		wattrset(w, r->order >= 0 && (unsigned)r->order >= s->pmd_order
				    ? A_BOLD : A_NORMAL);
		ui_put_ell(w, y, x0, ow, t, false, u->utf8);
		int mi = r->order >= 0 ? r->order : (int)MT_MIN(d->nord,
								(unsigned)UI_MAX_ORD);
		if (marks[mi] && bar_x - 1 < x0 + ow) {
			wattrset(w, ui_attr(u, ui_mark_color(marks[mi])));
			ui_put(w, y, bar_x - 1, 1,
			       ui_mark_glyph(marks[mi], u->utf8), false,
			       u->utf8);
		}
		if (bar_w > 0) {
			unsigned e = ui_hist_bar_eighths(v, tab.maxv,
							 MT_MIN(bar_w, 256),
							 u->set.hist_log);
			wattrset(w, ui_attr(u, c));
			ui_put(w, y, bar_x, bar_w,
			       ui_bar_string(bar, sizeof(bar), e, u->utf8),
			       false, u->utf8);
		}
		wattrset(w, A_NORMAL);
	}
	int y = 2 + n;
	if (y < h)
		draw_legend(u, w, y++, x0);
	if (fcol && y < h) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		ui_put_ell(w, y++, x0, ow,
			   d->fc_avail ? "IN1FOL: blocks inside one folio "
					 "(contpte)"
				       : "IN1FOL ? needs the folio view "
					 "(/proc/kpageflags)",
			   false, u->utf8);
		wattrset(w, A_NORMAL);
	}
	if (!right && y + 1 < h)
		draw_history(u, w, y + 1, x0, cw - 1, h - y - 1);
}
