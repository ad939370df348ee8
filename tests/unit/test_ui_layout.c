/*
 * test_ui_layout.c - the viewer's pane layout and column fitting over many
 * terminal sizes: every pane present is non-empty and inside the screen,
 * no two overlap, together they cover it; below 40x10 the layout says the
 * terminal is too small. The reasons box under the VMA list gets at least
 * a line and never takes the list's rows; every reason code fits the WHY
 * columns.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "memtop/why.h"
#include "../../src/ui/ui_format.h"
#include "../../src/ui/ui_layout.h"
#include "../../src/ui/ui_model.h"

static void check_layout(int cols, int lines, int hist_rows, int info_rows,
			 int why_rows, bool want_hist)
{
	struct ui_layout l, none;
	ui_layout_compute(&l, cols, lines, hist_rows, info_rows, why_rows,
			  want_hist);
	ui_layout_compute(&none, cols, lines, hist_rows, info_rows, 0,
			  want_hist);
	assert_false(l.too_small);
	const struct ui_rect *r[] = { &l.header, &l.info, &l.list, &l.why,
				      &l.hist, &l.footer };
	/* always there */
	assert_true(ui_rect_inside(&l.header, cols, lines));
	assert_true(ui_rect_inside(&l.list, cols, lines));
	assert_true(ui_rect_inside(&l.footer, cols, lines));
	assert_true(l.list.h >= 2); /* titles and one row at least */
	assert_true(l.list.w >= UI_MIN_COLS / 2);
	assert_int_equal(l.footer.y, lines - 1);
	assert_int_equal(l.header.y, 0);
	if (info_rows > 0)
		assert_true(ui_rect_inside(&l.info, cols, lines));
	else
		assert_true(ui_rect_empty(&l.info));
	if (!want_hist)
		assert_true(ui_rect_empty(&l.hist));
	long area = 0;
	for (size_t i = 0; i < 6; i++) {
		if (ui_rect_empty(r[i]))
			continue;
		assert_true(ui_rect_inside(r[i], cols, lines));
		area += (long)r[i]->w * r[i]->h;
		for (size_t j = i + 1; j < 6; j++)
			assert_false(ui_rect_overlap(r[i], r[j]));
	}
	/* the reasons: under the list, as wide, never more than asked; a
	 * line at least when there is a line to spare, and the list keeps
	 * the rows it has without them (less a line on short screens) */
	if (why_rows == 0) {
		assert_true(ui_rect_empty(&l.why));
	} else {
		assert_true(l.why.h <= why_rows);
		if (l.list.h > 4 || l.hist_side)
			assert_true(l.why.h >= 1);
		if (!ui_rect_empty(&l.why)) {
			assert_int_equal(l.why.y, l.list.y + l.list.h);
			assert_int_equal(l.why.x, l.list.x);
			assert_int_equal(l.why.w, l.list.w);
		}
		assert_int_equal(l.list.w, ui_layout_list_width(cols,
								want_hist));
		if (!l.hist_side && want_hist)
			assert_true(l.list.h >= none.list.h - 1 ||
				    l.list.h >= (lines - l.header.h - 1 -
						 l.info.h) / 2);
	}
	assert_int_equal(area, (long)cols * lines); /* no gaps */
	if (!ui_rect_empty(&l.hist)) {
		assert_true(l.hist.h >= 4);
		assert_true(l.hist.w >= 40 || !l.hist_side);
	}
}

static void test_layout_many_sizes(void **state)
{
	(void)state;
	for (int cols = UI_MIN_COLS; cols <= 400; cols += 3)
		for (int lines = UI_MIN_LINES; lines <= 120; lines += 2)
			for (int info = 0; info <= 2; info += 2)
				for (int want = 0; want <= 1; want++)
					for (int why = 0; why <= 12; why += 4) {
						check_layout(cols, lines, 13,
							     info, why, want);
						check_layout(cols, lines, 24,
							     info, why, want);
					}
	/* the exact corners */
	check_layout(40, 10, 13, 2, 0, true);
	check_layout(40, 10, 13, 2, 5, true);
	check_layout(400, 120, 13, 2, 5, true);
	check_layout(139, 24, 13, 0, 0, true);
	check_layout(140, 24, 13, 0, 0, true);
	check_layout(80, 24, 13, 2, 1000, true);
}

static void test_layout_hist_placement(void **state)
{
	(void)state;
	struct ui_layout l;
	ui_layout_compute(&l, 160, 50, 13, 0, 0, true);
	assert_true(l.hist_side);
	assert_int_equal(l.hist.x, l.list.w);
	assert_int_equal(l.hist.h, l.list.h);
	ui_layout_compute(&l, 80, 40, 13, 0, 0, true);
	assert_false(l.hist_side);
	assert_int_equal(l.hist.y, l.list.y + l.list.h);
	assert_int_equal(l.hist.h, 13);
	/* 80x24: the list keeps a title and twelve rows, the histogram
	 * the rest; without the histogram the list has the whole body */
	ui_layout_compute(&l, 80, 24, 13, 0, 0, true);
	assert_int_equal(l.list.h, 13);
	assert_int_equal(l.hist.h, 24 - 4 - 1 - 13);
	ui_layout_compute(&l, 80, 24, 13, 0, 0, false);
	assert_int_equal(l.list.h, 24 - 4 - 1);
	assert_true(ui_rect_empty(&l.hist));
	/* 120x40: half the body at least */
	ui_layout_compute(&l, 120, 40, 17, 0, 0, true);
	assert_true(l.list.h >= (40 - 4 - 1) / 2);
	assert_int_equal(l.hist.h, 17);
	/* too short for both: the list wins */
	ui_layout_compute(&l, 80, 10, 13, 2, 0, true);
	assert_true(ui_rect_empty(&l.hist));
	assert_true(l.list.h >= 4);
}

static void test_layout_why(void **state)
{
	(void)state;
	struct ui_layout l;
	/* 80x24 in the VMA pane: a title and a line of the first reason at
	 * least, the list a title and ten rows, the histogram left */
	ui_layout_compute(&l, 80, 24, 13, 2, 6, true);
	assert_true(l.why.h >= 2);
	assert_int_equal(l.list.h, 11);
	assert_true(l.hist.h >= 4);
	assert_false(ui_rect_empty(&l.hist));
	assert_int_equal(l.hist.y, l.why.y + l.why.h);
	/* the smallest screen: one line, the first sentence */
	ui_layout_compute(&l, 40, 10, 13, 2, 6, true);
	assert_int_equal(l.why.h, 1);
	assert_true(l.list.h >= 4);
	/* wide: under the list, beside the histogram, a third at most */
	ui_layout_compute(&l, 200, 60, 13, 2, 40, true);
	assert_true(l.hist_side);
	assert_int_equal(l.why.w, l.list.w);
	assert_int_equal(l.why.h, (60 - 4 - 1 - 2) / 3);
	assert_int_equal(l.hist.h, 60 - 4 - 1);
	ui_layout_compute(&l, 200, 60, 13, 2, 3, true);
	assert_int_equal(l.why.h, 3);
	assert_int_equal(ui_layout_list_width(200, true), l.list.w);
	assert_int_equal(ui_layout_list_width(80, true), 80);
	assert_int_equal(ui_layout_list_width(200, false), 200);
}

static void test_layout_too_small(void **state)
{
	(void)state;
	static const int sizes[][2] = {
		{ 39, 10 }, { 40, 9 }, { 30, 8 }, { 1, 1 }, { 0, 0 },
		{ 200, 9 }, { 39, 100 },
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ui_layout l;
		ui_layout_compute(&l, sizes[i][0], sizes[i][1], 13, 2, 3, true);
		assert_true(l.too_small);
		assert_true(ui_rect_empty(&l.list));
	}
}

static void check_columns(const struct ui_column *cols, size_t n, int width)
{
	struct ui_colpos pos[UI_MAX_COLS];
	assert_true(n <= UI_MAX_COLS);
	ui_columns_fit(cols, n, width, pos);
	int last_end = -1;
	for (size_t i = 0; i < n; i++) {
		if (cols[i].prio == 0)
			assert_true(pos[i].shown);
		if (!pos[i].shown)
			continue;
		assert_true(pos[i].w >= 1);
		assert_true(pos[i].x > last_end); /* in order, no overlap */
		assert_true(pos[i].x + pos[i].w <= width);
		last_end = pos[i].x + pos[i].w - 1;
	}
	/* the last column reaches the right edge */
	assert_true(pos[n - 1].shown);
	assert_int_equal(pos[n - 1].x + pos[n - 1].w, width);
	assert_true(pos[n - 1].w >= 8);
}

static void test_columns_fit(void **state)
{
	(void)state;
	for (int w = UI_MIN_COLS; w <= 400; w++) {
		check_columns(ui_proc_cols, ui_proc_ncols, w);
		check_columns(ui_vma_cols, ui_vma_ncols, w);
	}
	struct ui_colpos pos[UI_MAX_COLS];
	ui_columns_fit(ui_proc_cols, ui_proc_ncols, 200, pos);
	for (size_t i = 0; i < ui_proc_ncols; i++)
		assert_true(pos[i].shown);
	/* the bar grows with the width, up to a limit */
	struct ui_colpos narrow[UI_MAX_COLS];
	ui_columns_fit(ui_proc_cols, ui_proc_ncols, 80, narrow);
	for (size_t i = 0; i < ui_proc_ncols; i++)
		if (ui_proc_cols[i].is_bar) {
			assert_true(pos[i].w > narrow[i].w);
			assert_true(pos[i].w <= 40);
		}
	/* the column under x */
	assert_int_equal(ui_column_at(pos, ui_proc_ncols, 0), 0);
	assert_int_equal(ui_column_at(pos, ui_proc_ncols, pos[2].x + 1), 2);
}

static void test_why_columns(void **state)
{
	(void)state;
	/* every code fits the WHY cells whole, and WHY fits the wide screen */
	for (int c = 0; c < MT_WHY_COUNT; c++)
		assert_true(strlen(mt_why_table[c].code) <= UI_WHY_W);
	int pw = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_WHY);
	int vw = ui_col_index(ui_vma_cols, ui_vma_ncols, UI_COL_VWHY);
	assert_true(pw >= 0 && vw >= 0);
	assert_int_equal(ui_proc_cols[pw].width, UI_WHY_W);
	assert_int_equal(ui_vma_cols[vw].width, UI_WHY_W);
	struct ui_colpos pos[UI_MAX_COLS];
	ui_columns_fit(ui_proc_cols, ui_proc_ncols, 120, pos);
	assert_true(pos[pw].shown);
	ui_columns_fit(ui_vma_cols, ui_vma_ncols, 136, pos);
	assert_true(pos[vw].shown);
	/* the name and the path are never given up for it */
	ui_columns_fit(ui_proc_cols, ui_proc_ncols, 40, pos);
	assert_false(pos[pw].shown);
}

static void test_sort_columns(void **state)
{
	(void)state;
	for (int k = 0; k < MT_SORT_COUNT; k++) {
		int c = ui_proc_col_for_sort((enum mt_sort_key)k);
		assert_true(c >= 0 && (size_t)c < ui_proc_ncols);
	}
	assert_int_equal(ui_proc_cols[ui_proc_col_for_sort(MT_SORT_PID)].id,
			 UI_COL_PID);
	assert_int_equal(ui_proc_cols[ui_proc_col_for_sort(MT_SORT_HIST)].id,
			 UI_COL_BAR);
}

static void test_columns_hidden(void **state)
{
	(void)state;
	struct ui_settings st;
	memset(&st, 0, sizeof(st));
	int delta = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_DELTA);
	assert_true(delta >= 0);
	assert_int_equal(ui_proc_hidden(&st), 1u << delta);
	st.show_delta = true;
	assert_int_equal(ui_proc_hidden(&st), 0);
	for (int w = UI_MIN_COLS; w <= 300; w++) {
		struct ui_colpos pos[UI_MAX_COLS], all[UI_MAX_COLS];
		ui_columns_fit_hidden(ui_proc_cols, ui_proc_ncols, w,
				      1u << delta, pos);
		ui_columns_fit(ui_proc_cols, ui_proc_ncols, w, all);
		assert_false(pos[delta].shown);
		int last_end = -1;
		for (size_t i = 0; i < ui_proc_ncols; i++) {
			if (!pos[i].shown)
				continue;
			assert_true(pos[i].x > last_end);
			last_end = pos[i].x + pos[i].w - 1;
		}
		assert_int_equal(last_end + 1, w);
		/* hiding a column never hides another one */
		for (size_t i = 0; i < ui_proc_ncols; i++)
			if (all[i].shown && (int)i != delta)
				assert_true(pos[i].shown);
	}
	/* the name keeps a quarter of a wide pane */
	struct ui_colpos pos[UI_MAX_COLS];
	ui_columns_fit(ui_vma_cols, ui_vma_ncols, 120, pos);
	assert_true(pos[ui_vma_ncols - 1].w >= 30);
	assert_int_equal(ui_col_index(ui_vma_cols, ui_vma_ncols, UI_COL_PID),
			 -1);
}

static void test_header_lines(void **state)
{
	(void)state;
	struct ui_layout l;
	/* four header lines from 24 rows, three from 14, two below */
	ui_layout_compute(&l, 80, 24, 13, 0, 0, true);
	assert_int_equal(l.header.h, 4);
	ui_layout_compute(&l, 80, 23, 13, 0, 0, true);
	assert_int_equal(l.header.h, 3);
	ui_layout_compute(&l, 80, 14, 13, 0, 0, true);
	assert_int_equal(l.header.h, 3);
	ui_layout_compute(&l, 40, 13, 13, 0, 0, true);
	assert_int_equal(l.header.h, 2);
	/* without the histogram (system view) the list takes the body */
	ui_layout_compute(&l, 120, 40, 13, 0, 0, false);
	assert_true(ui_rect_empty(&l.hist));
	assert_int_equal(l.list.h, 40 - 4 - 1);
}

static void test_scroll(void **state)
{
	(void)state;
	size_t top = 0;
	ui_scroll(&top, 0, 100, 10);
	assert_int_equal(top, 0);
	ui_scroll(&top, 15, 100, 10);
	assert_int_equal(top, 6);
	ui_scroll(&top, 3, 100, 10);
	assert_int_equal(top, 3);
	ui_scroll(&top, 99, 100, 10);
	assert_int_equal(top, 90);
	ui_scroll(&top, 5, 8, 10); /* everything fits */
	assert_int_equal(top, 0);
	top = 95; /* rows went away */
	ui_scroll(&top, 20, 30, 10);
	assert_true(top <= 20 && top + 10 > 20 && top <= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_many_sizes),
		cmocka_unit_test(test_layout_hist_placement),
		cmocka_unit_test(test_layout_why),
		cmocka_unit_test(test_layout_too_small),
		cmocka_unit_test(test_columns_fit),
		cmocka_unit_test(test_why_columns),
		cmocka_unit_test(test_sort_columns),
		cmocka_unit_test(test_columns_hidden),
		cmocka_unit_test(test_header_lines),
		cmocka_unit_test(test_scroll),
	};
	return cmocka_run_group_tests_name("ui_layout", tests, NULL, NULL);
}
