/*
 * histpane.c - the histogram of the selected process or VMA in the chosen
 * view: one row per order, labelled with the block size, with the number
 * of blocks (folios in the folio view), the bytes, and a bar on a log
 * scale so that small orders stay visible (c switches the bars between
 * bytes and counts). Eighth blocks in UTF-8, '#' otherwise; colours by
 * order when the terminal has them.
 */
#include "ui_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "memtop/output.h"

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

int ui_hist_rows(const struct ui *u)
{
	return (int)view_orders(u) + 3; /* title, column titles, legend */
}

/* The distribution shown: selected VMA, else selected process. */
static const struct ui_dist *selected_dist(const struct ui *u, char *title,
					   size_t len)
{
	const struct ui_data *d = &u->data;
	if (u->vma_mode && d->nvrows > 0) {
		const struct ui_vstat *vs = &d->vs[d->vrows[u->vsel]];
		const char *path = ui_data_str(d, vs->path);
		snprintf(title, len, "VMA %" PRIx64 " %s", vs->v->start,
			 *path ? path : mt_kind_name(vs->v->kind));
		return &vs->dist;
	}
	if (u->vma_mode && d->vproc >= 0) {
		const struct ui_pstat *ps = &d->ps[d->vproc];
		snprintf(title, len, "PID %d %s", (int)ps->p->pid,
			 ui_data_str(d, ps->name));
		return &ps->dist;
	}
	if (!u->vma_mode && d->nrows > 0) {
		const struct ui_pstat *ps = &d->ps[d->rows[u->sel]];
		snprintf(title, len, "PID %d %s", (int)ps->p->pid,
			 ui_data_str(d, ps->name));
		return &ps->dist;
	}
	return NULL;
}

struct hrow {
	int order;        /* -1: partial folios */
	uint64_t count, bytes;
};

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

void ui_draw_hist(struct ui *u, WINDOW *w)
{
	const struct mt_snapshot *s = u->snap;
	int h = getmaxy(w), width = getmaxx(w);
	int x0 = u->lay.hist_side ? 2 : 1;
	char title[192], t[256];
	werase(w);
	if (u->lay.hist_side) {
		wattrset(w, ui_attr(u, UI_C_DIM));
		mvwvline(w, 0, 0, u->utf8 ? ACS_VLINE : '|', h);
	}
	const struct ui_dist *d = s ? selected_dist(u, title, sizeof(title))
				    : NULL;
	wattrset(w, ui_attr(u, UI_C_TITLE));
	mvwhline(w, 0, x0 - 1, ' ', width - x0 + 1);
	snprintf(t, sizeof(t), "%s view: %s", ui_view_name(u->set.view),
		 d ? title : "nothing selected");
	ui_put(w, 0, x0, width - x0, t, false, u->utf8);
	wattrset(w, A_NORMAL);
	if (!d)
		return;
	int cw = width - x0;
	if (!d->avail) {
		wattrset(w, ui_attr(u, UI_C_WARN));
		snprintf(t, sizeof(t), "%s view %s", ui_view_name(u->set.view),
			 ui_view_missing(s, u->set.view));
		ui_put(w, 2, x0, cw, t, false, u->utf8);
		wattrset(w, A_NORMAL);
		return;
	}

	struct hrow rows[UI_MAX_ORD + 1];
	int n = 0;
	uint64_t maxv = 0;
	for (unsigned o = 0; o < d->nord; o++) {
		rows[n] = (struct hrow){ (int)o, d->pages[o] >> o,
					 d->pages[o] * s->page_size };
		n++;
	}
	if (u->set.view == UI_VIEW_FOLIOS)
		rows[n++] = (struct hrow){ -1, d->partial,
					   d->partial * s->page_size };
	for (int i = 0; i < n; i++) {
		uint64_t v = u->set.hist_counts ? rows[i].count : rows[i].bytes;
		maxv = MT_MAX(maxv, v);
	}
	/* rows available for orders; drop empty orders when short */
	int avail = h - 2 - (h - 2 > n ? 1 : 0);
	if (n > avail) {
		int k = 0;
		for (int i = 0; i < n; i++)
			if (rows[i].count)
				rows[k++] = rows[i];
		n = k;
	}
	if (n > avail)
		n = avail;

	enum { LW = 5, CW = 8, BW = 7 };
	int bar_x = x0 + LW + 1 + CW + 1 + BW + 1;
	int bar_w = MT_MIN(width - bar_x - 1, 60);
	wattrset(w, ui_attr(u, UI_C_DIM));
	snprintf(t, sizeof(t), "%*s %*s %*s %s", LW, "BLOCK", CW,
		 u->set.view == UI_VIEW_FOLIOS ? "FOLIOS" : "COUNT", BW,
		 "BYTES", u->set.hist_counts ? "log scale of counts"
					     : "log scale of bytes");
	ui_put(w, 1, x0, cw, t, false, u->utf8);
	wattrset(w, A_NORMAL);
	for (int i = 0; i < n; i++) {
		const struct hrow *r = &rows[i];
		char lab[16], cnt[16], byt[16], bar[8 * 256 + 1];
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
		snprintf(t, sizeof(t), "%*s %*s %*s", LW, lab, CW, cnt, BW,
			 r->count ? byt : "0");
		enum ui_color c = r->order < 0 ? UI_C_PART :
				  ui_order_color((unsigned)r->order,
						 s->pmd_order);
		wattrset(w, r->order >= 0 && (unsigned)r->order >= s->pmd_order
				    ? A_BOLD : A_NORMAL);
		ui_put(w, y, x0, cw, t, false, u->utf8);
		if (bar_w > 0) {
			uint64_t v = u->set.hist_counts ? r->count : r->bytes;
			unsigned e = ui_bar_eighths(v, maxv, MT_MIN(bar_w, 256));
			wattrset(w, ui_attr(u, c));
			ui_put(w, y, bar_x, bar_w,
			       ui_bar_string(bar, sizeof(bar), e, u->utf8),
			       false, u->utf8);
		}
		wattrset(w, A_NORMAL);
	}
	if (2 + n < h)
		draw_legend(u, w, h - 1, x0);
}
