/*
 * test_ui_dist.c - the histogram pane's table, computed without curses:
 * one row per order (and the partial folios in the folio view), the bar
 * scale, and which rows are dropped when the pane is short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../src/ui/ui_model.h"

/* 3 pages of order 0, 2 blocks of order 2, none of 1 and 3, 1 of 4. */
static void dist(struct ui_dist *d)
{
	uint64_t hist[5] = { 3, 0, 2, 0, 1 };
	ui_dist_from_hist(d, hist, 5, 3 + 8 + 16);
	d->partial = 5;
}

static void test_rows_and_scale(void **state)
{
	(void)state;
	struct ui_dist d;
	dist(&d);
	struct ui_hist_table t;
	ui_hist_table_build(&t, &d, 4096, false, false, 20);
	assert_int_equal(t.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(t.row[i].order, i);
	assert_int_equal(t.row[0].count, 3);
	assert_int_equal(t.row[2].count, 2);
	assert_int_equal(t.row[2].bytes, 8 * 4096);
	assert_int_equal(t.row[4].count, 1);
	assert_int_equal(t.row[4].bytes, 16 * 4096);
	assert_int_equal(t.maxv, 16 * 4096); /* by bytes */
	ui_hist_table_build(&t, &d, 4096, false, true, 20);
	assert_int_equal(t.maxv, 3); /* by counts */
}

static void test_partial_row(void **state)
{
	(void)state;
	struct ui_dist d;
	dist(&d);
	struct ui_hist_table t;
	ui_hist_table_build(&t, &d, 4096, true, true, 20);
	assert_int_equal(t.n, 6);
	assert_int_equal(t.row[5].order, UI_HIST_PARTIAL);
	assert_int_equal(t.row[5].count, 5);
	assert_int_equal(t.row[5].bytes, 5 * 4096);
	assert_int_equal(t.maxv, 5); /* the partial row counts too */
}

static void test_short_pane(void **state)
{
	(void)state;
	struct ui_dist d;
	dist(&d);
	struct ui_hist_table t;
	/* room for every row and the legend */
	ui_hist_table_build(&t, &d, 4096, false, false, 6);
	assert_int_equal(t.n, 5);
	/* exactly the rows, no legend: all kept */
	ui_hist_table_build(&t, &d, 4096, false, false, 5);
	assert_int_equal(t.n, 5);
	/* one short: the empty orders go, the rest in order */
	ui_hist_table_build(&t, &d, 4096, false, false, 4);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.row[0].order, 0);
	assert_int_equal(t.row[1].order, 2);
	assert_int_equal(t.row[2].order, 4);
	assert_int_equal(t.maxv, 16 * 4096); /* scale of all the rows */
	assert_int_equal(t.hidden, 0);
	/* shorter still: the rows holding least go too, the biggest
	 * orders stay (bytes: 12K at order 0, 32K at 2, 64K at 4) */
	ui_hist_table_build(&t, &d, 4096, false, false, 2);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.row[0].order, 2);
	assert_int_equal(t.row[1].order, 4);
	assert_int_equal(t.hidden, 1);
	/* by counts: 3 blocks of order 0, 2 of order 2, 1 of order 4 */
	ui_hist_table_build(&t, &d, 4096, false, true, 2);
	assert_int_equal(t.n, 2);
	assert_int_equal(t.row[0].order, 0);
	assert_int_equal(t.row[1].order, 2);
	ui_hist_table_build(&t, &d, 4096, false, false, 1);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.row[0].order, 4);
	assert_int_equal(t.hidden, 2);
	ui_hist_table_build(&t, &d, 4096, false, false, 0);
	assert_int_equal(t.n, 0);
	ui_hist_table_build(&t, &d, 4096, false, false, -1);
	assert_int_equal(t.n, 0);
}

static void test_unavailable(void **state)
{
	(void)state;
	struct ui_dist d;
	ui_dist_from_hist(&d, NULL, 10, 100);
	struct ui_hist_table t;
	ui_hist_table_build(&t, &d, 4096, false, false, 20);
	assert_int_equal(t.n, 10); /* zero rows, one per order */
	assert_int_equal(t.maxv, 0);
	for (int i = 0; i < t.n; i++)
		assert_int_equal(t.row[i].count, 0);
}

/* The one-folio figure: pages per order, and a cgroup's sum unknown as
 * soon as one member's is. */
static void test_folio_cont(void **state)
{
	(void)state;
	uint64_t fc[5] = { 11, 0, 1, 0, 1 }; /* 11 + 4 + 16 pages */
	struct ui_dist a, b, g;
	memset(&g, 0, sizeof(g));
	dist(&a);
	ui_dist_set_folio_cont(&a, fc, 5);
	assert_true(a.fc_avail);
	assert_int_equal(a.fc_pages[0], 11);
	assert_int_equal(a.fc_pages[1], 0);
	assert_int_equal(a.fc_pages[2], 4);
	assert_int_equal(a.fc_pages[4], 16);
	ui_dist_add_folio_cont(&g, &a, true);
	ui_dist_add_folio_cont(&g, &a, false);
	assert_true(g.fc_avail);
	assert_int_equal(g.fc_pages[4], 32);
	dist(&b);
	ui_dist_set_folio_cont(&b, NULL, 5);
	assert_false(b.fc_avail);
	assert_int_equal(b.fc_pages[0], 0);
	ui_dist_add_folio_cont(&g, &b, false);
	assert_false(g.fc_avail);
	assert_int_equal(g.fc_pages[4], 0);
	ui_dist_add_folio_cont(&g, &a, false); /* stays unknown */
	assert_false(g.fc_avail);
	ui_dist_add_folio_cont(&g, &a, true); /* a new sum */
	assert_true(g.fc_avail);
	assert_int_equal(g.fc_pages[2], 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_and_scale),
		cmocka_unit_test(test_partial_row),
		cmocka_unit_test(test_short_pane),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_folio_cont),
	};
	return cmocka_run_group_tests_name("ui_dist", tests, NULL, NULL);
}
