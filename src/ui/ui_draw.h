/*
 * ui_draw.h - what the panes draw with: the colour pairs, the drawing
 * primitives (draw.c) and the time plots of history series (plots.c).
 * Below the panes; none of these calls a pane. Curses: UI thread only.
 */
#ifndef MEMTOP_UI_DRAW_H
#define MEMTOP_UI_DRAW_H

#include "ui_int.h"

/*
 * Colour pairs: name, foreground, background, attribute added in colour,
 * attribute used instead on monochrome terminals (ncdu's X-macro, making
 * both the enum and the init_pair loop).
 */
#define UI_COLORS(X)                                                     \
	X(UI_C_NORMAL, -1, -1, A_NORMAL, A_NORMAL)                       \
	X(UI_C_HEADER, COLOR_CYAN, -1, A_BOLD, A_BOLD)                   \
	X(UI_C_DIM, COLOR_BLUE, -1, A_BOLD, A_NORMAL)                    \
	X(UI_C_TITLE, COLOR_BLACK, COLOR_GREEN, A_NORMAL, A_REVERSE)     \
	X(UI_C_SORT, COLOR_BLACK, COLOR_CYAN, A_BOLD,                    \
	  A_REVERSE | A_BOLD | A_UNDERLINE)                              \
	X(UI_C_SEL, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)        \
	X(UI_C_KEY, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE)        \
	X(UI_C_WARN, COLOR_RED, -1, A_BOLD, A_BOLD)                      \
	X(UI_C_PAUSE, COLOR_BLACK, COLOR_YELLOW, A_BOLD, A_REVERSE)      \
	X(UI_C_ORD0, -1, -1, A_NORMAL, A_NORMAL)                         \
	X(UI_C_ORD1, COLOR_BLUE, -1, A_BOLD, A_NORMAL)                   \
	X(UI_C_ORD2, COLOR_CYAN, -1, A_NORMAL, A_NORMAL)                 \
	X(UI_C_ORD3, COLOR_GREEN, -1, A_NORMAL, A_NORMAL)                \
	X(UI_C_ORD4, COLOR_YELLOW, -1, A_NORMAL, A_NORMAL)               \
	X(UI_C_ORD5, COLOR_MAGENTA, -1, A_BOLD, A_BOLD)                  \
	X(UI_C_PART, COLOR_RED, -1, A_NORMAL, A_NORMAL)                  \
	X(UI_C_UP, COLOR_GREEN, -1, A_BOLD, A_BOLD)                      \
	X(UI_C_DOWN, COLOR_RED, -1, A_BOLD, A_BOLD)                      \
	X(UI_C_GROUP, COLOR_YELLOW, -1, A_BOLD, A_BOLD)

#define UI_COLOR_ENUM(name, fg, bg, a, m) name,
enum ui_color { UI_COLORS(UI_COLOR_ENUM) UI_C_COUNT };
#undef UI_COLOR_ENUM

/* draw.c: drawing primitives shared by the panes */
attr_t ui_attr(const struct ui *u, enum ui_color c);
enum ui_color ui_order_color(unsigned order, unsigned pmd_order);
/* Start colours when u->color (after the terminal is set up). */
void ui_init_colors(struct ui *u);
/* Put a sanitized string at (y, x) within width cells (right aligned when
 * right); returns the cells used. */
int ui_put(WINDOW *w, int y, int x, int width, const char *s, bool right,
	   bool utf8);
/* A vertical divider of h rows at (y, x): the box-drawing character as
 * text in UTF-8 (an ACS line would need the terminal's alternate
 * character set, which some, like vt100 in a UTF-8 locale, print as a
 * literal 'x'), else '|'. */
void ui_vline(const struct ui *u, WINDOW *w, int y, int x, int h);
/* The same, but text that does not fit ends in an ellipsis ("~" without
 * UTF-8) in the last cell instead of being cut. */
int ui_put_ell(WINDOW *w, int y, int x, int width, const char *s, bool right,
	       bool utf8);
/* The same for prose: cut after the last whole word that leaves at least
 * half the room used, then " ..." (identifiers and paths: ui_put_ell). */
int ui_put_ell_words(WINDOW *w, int y, int x, int width, const char *s,
		     bool right, bool utf8);
/* Draw the compact bar of d at (y, x), width cells. */
void ui_draw_bar(const struct ui *u, WINDOW *w, int y, int x, int width,
		 const struct ui_dist *d, bool selected);

/* Title row of a column table; the sort column is marked. */
void ui_draw_titles(const struct ui *u, WINDOW *w, const struct ui_column *cols,
		    const struct ui_colpos *pos, size_t n, int sort, bool desc);

/* plots.c: labelled time plots of history series */
enum ui_plot_fmt { UI_PF_BYTES, UI_PF_RATE, UI_PF_PCT };
struct ui_plot_series {
	const char *label;
	const double *v;            /* oldest first */
	size_t n;
	enum ui_color color;
	enum ui_plot_fmt fmt;
	bool valid;                 /* newest value meaningful */
};
/* Draw each series as rows_per rows at (y, x) in width cells: a label
 * and the newest value, then the plot. vmax <= 0 scales each series to
 * its own largest value. Returns the rows used. */
int ui_draw_plots(const struct ui *u, WINDOW *w, int y, int x, int width,
		  int rows_per, const struct ui_plot_series *ser, size_t n,
		  double vmax);
/* Copy a series (oldest first) into out (MT_HISTORY_LEN entries). */
size_t ui_series_values(const struct mt_series *s, double *out);
/* Up/down glyph of a change mark (" " for none). */
const char *ui_mark_glyph(int mark, bool utf8);
enum ui_color ui_mark_color(int mark);

#endif
