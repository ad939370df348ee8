/*
 * ui_layout.h - where things go on the screen: pane rectangles for a
 * terminal size, scrolling, and which table columns fit a width. Pure
 * functions of their arguments (no curses, no state), driven over many
 * sizes by tests/unit/test_ui_layout.c. The column tables are constant.
 */
#ifndef MEMTOP_UI_LAYOUT_H
#define MEMTOP_UI_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtop/settings.h"

/* Smallest terminal the viewer draws in; below it says so. */
#define UI_MIN_COLS 40
#define UI_MIN_LINES 10

/* ---- layout ---------------------------------------------------------- */

struct ui_rect {
	int y, x, h, w;
};

/*
 * Pane rectangles for a terminal of cols x lines. Absent panes have h == 0
 * and w == 0. header and footer are always there (unless too_small), list
 * always has a title row and at least one data row; info (the process
 * totals above the VMA list) only when asked for; why (the reasons of the
 * selected VMA) under the list when asked for and there is a line for it;
 * hist when there is room: to the right of the list on wide terminals,
 * below the list and why otherwise.
 */
struct ui_layout {
	bool too_small;
	bool hist_side;
	int cols, lines;
	struct ui_rect header, info, list, why, hist, footer;
};

/* hist_rows: lines the histogram pane would like (title + one per order +
 * legend); info_rows: lines of the totals pane (0: none); why_rows: lines
 * the reasons would like (0: none), at the width ui_layout_list_width()
 * gives. */
void ui_layout_compute(struct ui_layout *l, int cols, int lines,
		       int hist_rows, int info_rows, int why_rows,
		       bool want_hist);
/* Width of the list (and of info and why) on a terminal cols wide. */
int ui_layout_list_width(int cols, bool want_hist);
bool ui_rect_empty(const struct ui_rect *r);
bool ui_rect_inside(const struct ui_rect *r, int cols, int lines);
bool ui_rect_overlap(const struct ui_rect *a, const struct ui_rect *b);
/* Whether (y, x) lies in r. */
bool ui_rect_has(const struct ui_rect *r, int y, int x);
/* Move *top so that row sel of nrows is among the visible rows. */
void ui_scroll(size_t *top, size_t sel, size_t nrows, int visible);

/* ---- columns --------------------------------------------------------- */

enum ui_col_id {
	/* process pane */
	UI_COL_PID, UI_COL_USER, UI_COL_RSS, UI_COL_SWAP, UI_COL_PMD,
	UI_COL_THP, UI_COL_MARK, UI_COL_COLL, UI_COL_DELTA, UI_COL_WHY,
	UI_COL_BAR, UI_COL_COMM,
	/* VMA pane */
	UI_COL_START, UI_COL_END, UI_COL_SIZE, UI_COL_PERM, UI_COL_ADV, UI_COL_ELIG,
	UI_COL_VRSS, UI_COL_VPMD, UI_COL_VCOLL, UI_COL_VWHY, UI_COL_SLOTS,
	UI_COL_VBAR, UI_COL_PATH,
};

struct ui_column {
	enum ui_col_id id;
	const char *title;
	int width;         /* cells; 0 for the last, flexible column */
	int prio;          /* 0 never dropped; higher numbers dropped first */
	bool right;        /* right aligned */
	bool desc;         /* sorts descending by default */
	bool is_bar;       /* the compact bar: grows with the terminal */
	const char *help;  /* one line for the help screen */
};

extern const struct ui_column ui_proc_cols[];
extern const size_t ui_proc_ncols;
extern const struct ui_column ui_vma_cols[];
extern const size_t ui_vma_ncols;

#define UI_MAX_COLS 16
/* Cells of the WHY columns: the longest reason code. */
#define UI_WHY_W 15

struct ui_colpos {
	bool shown;
	int x, w;
};

/*
 * Choose the columns shown in width cells: drop the highest-prio columns
 * until the fixed ones fit with at least 8 cells for the last (flexible)
 * column, then give the bar its share. Columns are separated by one space.
 */
void ui_columns_fit(const struct ui_column *cols, size_t n, int width,
		    struct ui_colpos *pos);
/* The same with the columns whose bit is set in hidden (1u << index)
 * left out altogether (toggled columns such as HUGE/s). */
void ui_columns_fit_hidden(const struct ui_column *cols, size_t n, int width,
			   uint32_t hidden, struct ui_colpos *pos);
/* Index of the column shown at x (-1 if none). */
int ui_column_at(const struct ui_colpos *pos, size_t n, int x);
/* Index of the process column sorting by k (-1 if none). */
int ui_proc_col_for_sort(enum mt_sort_key k);
/* The sort key of process column col, for the settings file; false for
 * columns that have none (COLL, HUGE/s). */
bool ui_proc_sort_key(int col, enum mt_sort_key *k);
/* Index of a column by id in ui_proc_cols or ui_vma_cols (-1 if none). */
int ui_col_index(const struct ui_column *cols, size_t n, enum ui_col_id id);

struct ui_settings;
/* Process columns left out under st (bits for ui_columns_fit_hidden). */
uint32_t ui_proc_hidden(const struct ui_settings *st);

#endif
