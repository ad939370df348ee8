/*
 * test_history.c - ring buffers, per-process history and the plot renderer.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "memtop/history.h"
#include "memtop/plot.h"
#include "memtop/snapshot.h"
#include "memtop/util.h"

static void test_series_wrap(void **state)
{
	struct mt_series s;
	memset(&s, 0, sizeof(s));
	double out[MT_HISTORY_LEN + 10];
	assert_int_equal(mt_series_get(&s, out, 10), 0);
	assert_true(mt_series_delta(&s) == 0);
	for (int i = 1; i <= 3 * MT_HISTORY_LEN + 7; i++)
		mt_series_push(&s, i);
	size_t n = mt_series_get(&s, out, MT_HISTORY_LEN + 10);
	assert_int_equal(n, MT_HISTORY_LEN);
	/* oldest first, the newest is the last pushed */
	for (size_t i = 0; i < n; i++)
		assert_true(out[i] == 3.0 * MT_HISTORY_LEN + 7 - (double)(n - 1 - i));
	assert_true(mt_series_delta(&s) == 1);
	/* asking for fewer returns the newest ones */
	assert_int_equal(mt_series_get(&s, out, 2), 2);
	assert_true(out[0] == 3.0 * MT_HISTORY_LEN + 6);
	assert_true(out[1] == 3.0 * MT_HISTORY_LEN + 7);
}

/* A snapshot with processes of given pids and present pages. */
static struct mt_snapshot *snap(const pid_t *pids, const uint64_t *pages,
				size_t n, uint64_t gen)
{
	struct mt_snapshot *s = mt_snapshot_new();
	s->page_size = 4096;
	s->pmd_order = 2;
	s->max_order = 3;
	s->nord = 4;
	s->generation = gen;
	s->present_hist = mt_arena_alloc(s->arena, 4 * sizeof(uint64_t));
	s->procs = mt_arena_alloc(s->arena, (n ? n : 1) * sizeof(*s->procs));
	s->nprocs = n;
	for (size_t i = 0; i < n; i++) {
		struct mt_proc *p = &s->procs[i];
		p->pid = pids[i];
		p->present_pages = pages[i];
		p->present_hist = mt_arena_alloc(s->arena, 4 * sizeof(uint64_t));
		/* pages/4 blocks of order 2, the rest order 0 */
		p->present_hist[2] = pages[i] / 4;
		p->present_hist[0] = pages[i] % 4;
		s->present_pages += pages[i];
		s->present_hist[2] += p->present_hist[2];
		s->present_hist[0] += p->present_hist[0];
	}
	return s;
}

static void test_history_procs(void **state)
{
	struct mt_history *h = mt_history_new();
	pid_t pids[600];
	uint64_t pages[600];
	for (int i = 0; i < 600; i++) {
		pids[i] = 1000 + i * 7;
		pages[i] = (uint64_t)i;
	}
	for (uint64_t g = 1; g <= 5; g++) {
		for (int i = 0; i < 600; i++)
			pages[i] = (uint64_t)i * g;
		struct mt_snapshot *s = snap(pids, pages, 600, g);
		mt_history_update(h, s);
		mt_history_update(h, s); /* same generation: ignored */
		mt_snapshot_unref(s);
	}
	assert_int_equal(mt_history_nprocs(h), 600);
	double out[8];
	for (int i = 0; i < 600; i += 37) {
		const struct mt_proc_history *e = mt_history_proc(h, pids[i]);
		assert_non_null(e);
		assert_int_equal(mt_series_get(&e->s[MT_SER_RSS], out, 8), 5);
		for (int g = 0; g < 5; g++)
			assert_true(out[g] == (double)i * (g + 1) * 4096);
		assert_int_equal(mt_series_get(&e->s[MT_SER_PMD], out, 8), 5);
		assert_true(out[4] == (double)((uint64_t)i * 5 / 4 * 4) * 4096);
	}
	const struct mt_proc_history *sys = mt_history_system(h);
	assert_int_equal(mt_series_get(&sys->s[MT_SER_RSS], out, 8), 5);
	assert_true(out[0] == 599.0 * 600 / 2 * 4096);
	assert_null(mt_history_proc(h, 999));

	/* processes gone for long enough are dropped */
	for (uint64_t g = 6; g <= 40; g++) {
		struct mt_snapshot *s = snap(pids, pages, 1, g);
		mt_history_update(h, s);
		mt_snapshot_unref(s);
	}
	assert_int_equal(mt_history_nprocs(h), 1);
	assert_non_null(mt_history_proc(h, pids[0]));
	assert_null(mt_history_proc(h, pids[1]));
	mt_history_free(h);
}

/* The time a history covers comes from its snapshots' times, not from
 * the interval: scans stretched by the CPU limit come 10 s apart. */
static void test_history_span(void **state)
{
	(void)state;
	struct mt_history *h = mt_history_new();
	pid_t pids[1] = { 100 };
	uint64_t pages[1] = { 10 };
	uint64_t t0 = 1000000000000ull;
	for (uint64_t g = 1; g <= 4; g++) {
		struct mt_snapshot *s = snap(pids, pages, 1, g);
		s->time_ns = t0 + (g - 1) * 10000000000ull; /* every 10 s */
		mt_history_update(h, s);
		mt_snapshot_unref(s);
	}
	assert_true(mt_history_span_s(h, 100, 4) == 30.0);
	assert_true(mt_history_span_s(h, 100, 2) == 10.0);
	assert_true(mt_history_span_s(h, 100, 99) == 30.0); /* all held */
	assert_true(mt_history_span_s(h, 100, 1) == 0);
	assert_true(mt_history_span_s(h, 999, 4) == 0);
	mt_history_free(h);
}

/* A cgroup row's history: the sum of its processes' series, the newest
 * samples aligned, a process seen in fewer scans adding 0 before it. */
static void test_history_sum(void **state)
{
	(void)state;
	struct mt_history *h = mt_history_new();
	pid_t pids[2] = { 100, 200 };
	uint64_t pages[2] = { 10, 20 };
	/* pid 100 in three scans, pid 200 in the last two */
	for (uint64_t g = 1; g <= 3; g++) {
		pages[0] = 10 * g;
		pages[1] = 20 * g;
		struct mt_snapshot *s = g == 1 ? snap(pids, pages, 1, g)
					       : snap(pids, pages, 2, g);
		mt_history_update(h, s);
		mt_snapshot_unref(s);
	}
	static double sum[MT_SER_COUNT][MT_HISTORY_LEN];
	size_t len[MT_SER_COUNT] = { 0 };
	/* sum need not be cleared */
	for (int k = 0; k < MT_SER_COUNT; k++)
		for (int i = 0; i < MT_HISTORY_LEN; i++)
			sum[k][i] = -1;

	/* one process: a copy of its series */
	mt_history_sum_proc(h, 200, sum, len);
	assert_int_equal(len[MT_SER_RSS], 2);
	assert_true(sum[MT_SER_RSS][0] == 40.0 * 4096);
	assert_true(sum[MT_SER_RSS][1] == 60.0 * 4096);

	/* the longer series extends the sum to the left */
	mt_history_sum_proc(h, 100, sum, len);
	assert_int_equal(len[MT_SER_RSS], 3);
	assert_true(sum[MT_SER_RSS][0] == 10.0 * 4096);
	assert_true(sum[MT_SER_RSS][1] == (20.0 + 40.0) * 4096);
	assert_true(sum[MT_SER_RSS][2] == (30.0 + 60.0) * 4096);
	/* PMD: whole blocks of 4 pages */
	assert_int_equal(len[MT_SER_PMD], 3);
	assert_true(sum[MT_SER_PMD][2] == (28.0 + 60.0) * 4096);

	/* a process without a history adds nothing */
	mt_history_sum_proc(h, 999, sum, len);
	assert_int_equal(len[MT_SER_RSS], 3);
	assert_true(sum[MT_SER_RSS][2] == (30.0 + 60.0) * 4096);

	/* and alone leaves the sum empty */
	size_t none[MT_SER_COUNT] = { 0 };
	mt_history_sum_proc(h, 999, sum, none);
	for (int k = 0; k < MT_SER_COUNT; k++)
		assert_int_equal(none[k], 0);
	mt_history_free(h);
}

/* Count cells in a row that are not blank. */
static int marked(const struct mt_buf *row)
{
	int n = 0;
	for (size_t i = 0; i < row->len;) {
		unsigned char c = (unsigned char)row->data[i];
		size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		n += !(len == 1 && c == ' ');
		i += len;
	}
	return n;
}

static int cells(const struct mt_buf *row)
{
	int n = 0;
	for (size_t i = 0; i < row->len; i++)
		n += ((unsigned char)row->data[i] & 0xc0) != 0x80;
	return n;
}

static void test_plot_edges(void **state)
{
	struct mt_buf rows[4];
	memset(rows, 0, sizeof(rows));
	double v[100];
	for (int i = 0; i < 100; i++)
		v[i] = i;
	static const enum mt_plot_style styles[] = {MT_PLOT_BRAILLE,
						    MT_PLOT_BLOCKS, MT_PLOT_ASCII};
	for (size_t k = 0; k < 3; k++) {
		enum mt_plot_style st = styles[k];
		/* every row has exactly width cells, no control bytes */
		mt_plot(v, 100, 0, 10, 4, st, rows);
		for (int r = 0; r < 4; r++) {
			assert_int_equal(cells(&rows[r]), 10);
			for (size_t i = 0; i < rows[r].len; i++)
				assert_true((unsigned char)rows[r].data[i] >= 0x20);
		}
		/* rising values: the top row is marked only at the right */
		assert_true(marked(&rows[0]) >= 1);
		assert_true(marked(&rows[3]) >= marked(&rows[0]));
		/* no data, zero data: blank */
		mt_plot(v, 0, 0, 10, 4, st, rows);
		for (int r = 0; r < 4; r++)
			assert_int_equal(marked(&rows[r]), 0);
		double z[5] = {0, 0, 0, 0, 0};
		mt_plot(z, 5, 0, 10, 4, st, rows);
		assert_int_equal(marked(&rows[3]), 0);
		/* NaN and negatives count as zero, huge values clip */
		double odd[4] = {NAN, -5, 1e300, 1};
		mt_plot(odd, 4, 10, 4, 2, st, rows);
		assert_int_equal(cells(&rows[0]), 4);
		assert_true(marked(&rows[0]) >= 1);
		/* a small non-zero value stays visible */
		double small[1] = {1};
		mt_plot(small, 1, 1e9, 3, 2, st, rows);
		assert_int_equal(marked(&rows[1]), 1);
		assert_int_equal(marked(&rows[0]), 0);
		/* width 0 / height 0: nothing happens, nothing breaks */
		mt_plot(v, 100, 0, 0, 4, st, rows);
		mt_plot(v, 100, 0, 4, 0, st, rows);
	}
	/* blocks: a full column is a full block in every row */
	double full[1] = {5};
	mt_plot(full, 1, 5, 1, 3, MT_PLOT_BLOCKS, rows);
	for (int r = 0; r < 3; r++)
		assert_string_equal(rows[r].data, "\xe2\x96\x88");
	mt_plot(full, 1, 5, 1, 3, MT_PLOT_ASCII, rows);
	for (int r = 0; r < 3; r++)
		assert_string_equal(rows[r].data, "#");
	/* braille: two samples per cell, right aligned */
	double two[3] = {0, 4, 4};
	mt_plot(two, 3, 4, 2, 1, MT_PLOT_BRAILLE, rows);
	/* cell 0 holds (pad, 0): blank; cell 1 holds (4, 4): all 8 dots */
	assert_string_equal(rows[0].data, " \xe2\xa3\xbf");
	for (int r = 0; r < 4; r++)
		mt_buf_free(&rows[r]);
}

/* Rates over a window: a burst between two scans stays in the rate for
 * the whole window, where the rate since the previous scan is 0 the scan
 * after. */
static void test_series_rate(void **state)
{
	(void)state;
	struct mt_series s;
	uint64_t t[MT_HISTORY_LEN];
	memset(&s, 0, sizeof(s));
	double r, span;
	/* one sample: no rate */
	t[s.head] = 0;
	mt_series_push(&s, 0);
	assert_false(mt_series_rate(&s, t, 10000000000ull, false, &r, NULL));
	/* a scan every 2 s; 20M arrive at once between 4 s and 6 s */
	for (int k = 1; k <= 7; k++) {
		t[s.head] = (uint64_t)k * 2000000000ull;
		mt_series_push(&s, k >= 3 ? 20e6 : 0);
	}
	/* newest at 14 s: back to 4 s (10 s window), 20M over 10 s */
	assert_true(mt_series_rate(&s, t, 10000000000ull, false, &r, &span));
	assert_true(fabs(span - 10.0) < 1e-9);
	assert_true(fabs(r - 2e6) < 1e-3);
	/* a 2 s window no longer sees it */
	assert_true(mt_series_rate(&s, t, 2000000000ull, false, &r, &span));
	assert_true(r == 0 && fabs(span - 2.0) < 1e-9);
	/* a window longer than what is held: the oldest sample */
	assert_true(mt_series_rate(&s, t, 100000000000ull, false, &r, &span));
	assert_true(fabs(span - 14.0) < 1e-9);
	/* increments: their sum over the window (the oldest's own is not
	 * in it) */
	struct mt_series in;
	memset(&in, 0, sizeof(in));
	for (int k = 0; k <= 5; k++) {
		t[in.head] = (uint64_t)k * 1000000000ull;
		mt_series_push(&in, k == 0 ? 99 : k);
	}
	assert_true(mt_series_rate(&in, t, 3000000000ull, true, &r, &span));
	assert_true(fabs(span - 3.0) < 1e-9 && fabs(r - (3 + 4 + 5) / 3.0) < 1e-9);
	/* an unknown value: no rate */
	t[s.head] = 16000000000ull;
	mt_series_push(&s, NAN);
	assert_false(mt_series_rate(&s, t, 10000000000ull, false, &r, NULL));
	/* time standing still: no rate */
	memset(&in, 0, sizeof(in));
	t[0] = t[1] = 5;
	mt_series_push(&in, 1);
	mt_series_push(&in, 2);
	assert_false(mt_series_rate(&in, t, 1, false, &r, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_wrap),
		cmocka_unit_test(test_history_procs),
		cmocka_unit_test(test_history_sum),
		cmocka_unit_test(test_history_span),
		cmocka_unit_test(test_plot_edges),
		cmocka_unit_test(test_series_rate),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
