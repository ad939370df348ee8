/*
 * plots.c - small time plots of the history (the histogram pane and the
 * system view): each series gets a label with its newest value, then its
 * samples drawn by mt_plot() (braille dots in UTF-8, '#' and '.' in ASCII),
 * newest on the right.
 */
#include "ui_draw.h"

#include <stdio.h>
#include <string.h>

#include "memtop/plot.h"
#include "memtop/units.h"

#define LABEL_W 16 /* "fallbk/s  12.5/s " */

size_t ui_series_values(const struct mt_series *s, double *out)
{
	return s ? mt_series_get(s, out, MT_HISTORY_LEN) : 0;
}

const char *ui_mark_glyph(int mark, bool utf8)
{
	if (mark > 0)
		return utf8 ? "\u2191" : "+";
	if (mark < 0)
		return utf8 ? "\u2193" : "-";
	return " ";
}

enum ui_color ui_mark_color(int mark)
{
	return mark > 0 ? UI_C_UP : mark < 0 ? UI_C_DOWN : UI_C_NORMAL;
}

static const char *fmt_value(char *b, size_t len,
			     const struct ui_plot_series *s)
{
	if (!s->valid || s->n == 0) {
		snprintf(b, len, "-");
		return b;
	}
	double v = s->v[s->n - 1];
	switch (s->fmt) {
	case UI_PF_BYTES:
		return mt_fmt_size(b, len, v > 0 ? (uint64_t)v : 0);
	case UI_PF_RATE:
		return ui_fmt_rate(b, len, v, true);
	case UI_PF_PCT:
		snprintf(b, len, "%.1f%%", v);
		return b;
	}
	return b;
}

int ui_draw_plots(const struct ui *u, WINDOW *w, int y, int x, int width,
		  int rows_per, const struct ui_plot_series *ser, size_t n,
		  double vmax)
{
	int pw = width - LABEL_W;
	if (pw < 4 || rows_per < 1)
		return 0;
	enum mt_plot_style style = u->utf8 ? MT_PLOT_BRAILLE : MT_PLOT_ASCII;
	struct mt_buf rows[8];
	memset(rows, 0, sizeof(rows));
	rows_per = MT_MIN(rows_per, (int)MT_ARRAY_SIZE(rows));
	int h = getmaxy(w), used = 0;
	for (size_t i = 0; i < n && y + used < h; i++) {
		const struct ui_plot_series *s = &ser[i];
		char val[32], lab[48];
		snprintf(lab, sizeof(lab), "%-8s%7s", s->label,
			 fmt_value(val, sizeof(val), s));
		wattrset(w, ui_attr(u, s->color));
		ui_put(w, y + used, x, LABEL_W - 1, lab, false, u->utf8);
		mt_plot(s->v, s->n, vmax, pw, rows_per, style, rows);
		for (int r = 0; r < rows_per && y + used < h; r++) {
			wattrset(w, ui_attr(u, s->color));
			mvwaddstr(w, y + used, x + LABEL_W, rows[r].data ?
				  rows[r].data : "");
			used++;
		}
	}
	wattrset(w, A_NORMAL);
	for (size_t r = 0; r < MT_ARRAY_SIZE(rows); r++)
		mt_buf_free(&rows[r]);
	return used;
}
