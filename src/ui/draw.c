/*
 * draw.c - the drawing primitives every pane uses: colour attributes (in
 * colour or monochrome), sanitized text clipped to a width, the compact
 * bar of a distribution, the title row of a column table.
 *
 * Below the panes: it calls no pane and keeps no state of its own (the
 * colour table is constant). Curses calls, so the UI thread only. The
 * strings passed to ui_put() must already be sanitized (ui_sanitize());
 * a NULL string draws nothing.
 */
#include "ui_draw.h"

#include <stdio.h>
#include <string.h>

struct color_def {
	short fg, bg;
	attr_t color_attr, mono_attr;
};
#define UI_COLOR_DEF(name, fg, bg, a, m) { fg, bg, a, m },
static const struct color_def color_defs[UI_C_COUNT] = {
	UI_COLORS(UI_COLOR_DEF)
};
#undef UI_COLOR_DEF

attr_t ui_attr(const struct ui *u, enum ui_color c)
{
	if (c >= UI_C_COUNT)
		return A_NORMAL;
	if (!u->color)
		return color_defs[c].mono_attr;
	return (attr_t)COLOR_PAIR(c) | color_defs[c].color_attr;
}

void ui_init_colors(struct ui *u)
{
	if (!u->color)
		return;
	start_color();
	bool dflt = use_default_colors() == OK;
	for (int c = 1; c < UI_C_COUNT; c++) {
		short fg = color_defs[c].fg, bg = color_defs[c].bg;
		if (!dflt) {
			fg = fg < 0 ? COLOR_WHITE : fg;
			bg = bg < 0 ? COLOR_BLACK : bg;
		}
		init_pair((short)c, fg, bg);
	}
}

enum ui_color ui_order_color(unsigned order, unsigned pmd_order)
{
	if (order == 0)
		return UI_C_ORD0;
	if (order >= pmd_order)
		return UI_C_ORD5;
	unsigned k = pmd_order > 1 ? (order - 1) * 4 / (pmd_order - 1) : 0;
	return (enum ui_color)(UI_C_ORD1 + MT_MIN(k, 3u));
}

int ui_put(WINDOW *w, int y, int x, int width, const char *s, bool right,
	   bool utf8)
{
	if (width <= 0 || !s)
		return 0;
	int used;
	size_t n = ui_text_fit(s, width, utf8, &used);
	if (right)
		x += width - used;
	mvwaddnstr(w, y, x, s, (int)n);
	return used;
}

void ui_vline(const struct ui *u, WINDOW *w, int y, int x, int h)
{
	for (int i = 0; i < h; i++)
		mvwaddstr(w, y + i, x, u->utf8 ? "\u2502" : "|");
}

int ui_put_ell(WINDOW *w, int y, int x, int width, const char *s, bool right,
	       bool utf8)
{
	if (width <= 0 || !s)
		return 0;
	if (ui_text_width(s, utf8) <= width)
		return ui_put(w, y, x, width, s, right, utf8);
	int used;
	size_t n = ui_text_fit(s, width - 1, utf8, &used);
	mvwaddnstr(w, y, x, s, (int)n);
	mvwaddstr(w, y, x + used, utf8 ? "\u2026" : "~");
	return used + 1;
}

int ui_put_ell_words(WINDOW *w, int y, int x, int width, const char *s,
		     bool right, bool utf8)
{
	if (width <= 0 || !s || ui_text_width(s, utf8) <= width)
		return ui_put_ell(w, y, x, width, s, right, utf8);
	int used;
	/* room for the text and " ..." */
	size_t n = width > 2 ? ui_text_fit(s, width - 2, utf8, &used) : 0;
	/* back to the end of the last whole word (the cut may fall just
	 * after one), when that leaves at least half the room used */
	size_t k = n;
	while (k > 0 && s[k] != ' ' && s[k - 1] != ' ')
		k--;
	while (k > 0 && s[k - 1] == ' ')
		k--;
	char t[1024];
	if (k > 0 && k <= n && k < sizeof(t)) {
		memcpy(t, s, k);
		t[k] = '\0';
		int tw = ui_text_width(t, utf8);
		if (tw * 2 >= width) {
			mvwaddstr(w, y, x, t);
			mvwaddstr(w, y, x + tw, utf8 ? " \u2026" : " ~");
			return tw + 2;
		}
	}
	return ui_put_ell(w, y, x, width, s, right, utf8);
}

void ui_draw_bar(const struct ui *u, WINDOW *w, int y, int x, int width,
		 const struct ui_dist *d, bool selected)
{
	signed char cell[256];
	if (width <= 0)
		return;
	width = MT_MIN(width, (int)sizeof(cell));
	unsigned pmd = u->snap ? u->snap->pmd_order : 9;
	ui_bar_cells(d, width, cell);
	/* the glyphs keep their order colours on the selected row too */
	attr_t base = selected ? ui_attr(u, UI_C_SEL) : A_NORMAL;
	for (int i = 0; i < width; i++) {
		if (cell[i] == UI_BAR_EMPTY)
			break;
		enum ui_band b;
		enum ui_color c;
		if (cell[i] == UI_BAR_PARTIAL) {
			b = UI_BAND_PARTIAL;
			c = UI_C_PART;
		} else {
			b = ui_order_band((unsigned)cell[i], pmd);
			c = ui_order_color((unsigned)cell[i], pmd);
		}
		wattrset(w, u->color || !selected ? ui_attr(u, c) : base);
		mvwaddstr(w, y, x + i, ui_band_glyph(b, u->utf8));
	}
	wattrset(w, base);
}

void ui_draw_titles(const struct ui *u, WINDOW *w, const struct ui_column *cols,
		    const struct ui_colpos *pos, size_t n, int sort, bool desc)
{
	int width = getmaxx(w);
	wattrset(w, ui_attr(u, UI_C_TITLE));
	mvwhline(w, 0, 0, ' ', width);
	for (size_t i = 0; i < n; i++) {
		if (!pos[i].shown)
			continue;
		char t[32];
		bool sorted = (int)i == sort;
		const char *arrow = !sorted ? "" :
				    u->utf8 ? (desc ? "\u25bc" : "\u25b2") :
					      (desc ? "v" : "^");
		const char *title = ui_col_title(&cols[i], u->set.view);
		snprintf(t, sizeof(t), "%s%s", title, arrow);
		if (ui_text_width(t, u->utf8) > pos[i].w)
			snprintf(t, sizeof(t), "%s", title);
		wattrset(w, ui_attr(u, sorted ? UI_C_SORT : UI_C_TITLE));
		ui_put(w, 0, pos[i].x, pos[i].w, t, cols[i].right, u->utf8);
	}
	wattrset(w, A_NORMAL);
}
