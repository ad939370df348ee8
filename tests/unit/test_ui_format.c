/*
 * test_ui_format.c - the viewer's pure formatting: compact bars, the
 * histogram's log-scaled eighth-block bars, block size labels, shares,
 * intervals, rates, signed changes, PMD slot figures, change marks, the
 * settings file mapping, untrusted names made safe for the terminal, word
 * wrap, and the reason templates made readable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_format.h"
#include "../../src/ui/ui_layout.h"
#include "../../src/ui/ui_model.h"

static void test_bar_cells(void **state)
{
	(void)state;
	uint64_t hist[10] = { 100, 0, 0, 0, 0, 0, 0, 0, 0, 1 }; /* 100 + 512 */
	struct ui_dist d;
	ui_dist_from_hist(&d, hist, 10, 612);
	assert_true(d.avail);
	assert_int_equal(d.pages[9], 512);
	assert_int_equal(ui_dist_pages_from(&d, 9), 512);
	for (int w = 1; w <= 60; w++) {
		signed char cell[64];
		ui_bar_cells(&d, w, cell);
		int n9 = 0, n0 = 0;
		for (int i = 0; i < w; i++) {
			assert_true(cell[i] == 9 || cell[i] == 0);
			if (cell[i] == 9) {
				assert_int_equal(n0, 0); /* high orders first */
				n9++;
			} else {
				n0++;
			}
		}
		assert_int_equal(n9 + n0, w); /* always the full width */
		/* proportional within one cell */
		double want = 512.0 * w / 612.0;
		assert_true(n9 >= (int)want - 1 && n9 <= (int)want + 1);
	}
	/* unavailable or empty: nothing drawn */
	signed char cell[8];
	ui_dist_from_hist(&d, NULL, 10, 612);
	assert_false(d.avail);
	ui_bar_cells(&d, 8, cell);
	for (int i = 0; i < 8; i++)
		assert_int_equal(cell[i], UI_BAR_EMPTY);
	uint64_t zero[10] = { 0 };
	ui_dist_from_hist(&d, zero, 10, 0);
	ui_bar_cells(&d, 8, cell);
	assert_int_equal(cell[0], UI_BAR_EMPTY);
}

static void test_dist_folios(void **state)
{
	(void)state;
	struct mt_folio_stats f;
	memset(&f, 0, sizeof(f));
	f.pmd[MT_FOLIO_ANON] = 1024;          /* two PMD-mapped THPs */
	f.aligned[MT_FOLIO_ANON][4] = 64;     /* four 64K folios */
	f.unaligned[MT_FOLIO_FILE][2] = 8;
	f.partial[MT_FOLIO_FILE] = 3;
	struct ui_dist d;
	ui_dist_from_folios(&d, &f, 10, 9, 2000);
	assert_true(d.avail);
	assert_int_equal(d.pages[9], 1024);
	assert_int_equal(d.pages[4], 64);
	assert_int_equal(d.pages[2], 8);
	assert_int_equal(d.partial, 3);
	assert_int_equal(d.pages[0], 2000 - 1024 - 64 - 8 - 3);
	assert_int_equal(ui_folio_pages(&f), 1024 + 64 + 8 + 3);
	assert_true(ui_folio_pages(NULL) == UINT64_MAX);
	ui_dist_from_folios(&d, NULL, 10, 9, 2000);
	assert_false(d.avail);
	/* comparison: more in high orders is greater */
	uint64_t a[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
	uint64_t b[10] = { 5000, 0, 0, 0, 0, 0, 0, 0, 10, 0 };
	struct ui_dist da, db;
	ui_dist_from_hist(&da, a, 10, 512);
	ui_dist_from_hist(&db, b, 10, 7560);
	assert_true(ui_dist_cmp(&da, &db) > 0);
	assert_true(ui_dist_cmp(&db, &da) < 0);
	assert_int_equal(ui_dist_cmp(&da, &da), 0);
}

static void test_eighths(void **state)
{
	(void)state;
	assert_int_equal(ui_bar_eighths(0, 100, 10), 0);
	assert_int_equal(ui_bar_eighths(5, 0, 10), 0);
	assert_int_equal(ui_bar_eighths(100, 100, 10), 80);
	/* one block among a million still shows */
	assert_true(ui_bar_eighths(1, 1000000, 10) >= 1);
	assert_true(ui_bar_eighths(999999, 1000000, 10) < 80);
	unsigned prev = 0;
	for (uint64_t v = 1; v <= 1000000; v *= 3) {
		unsigned e = ui_bar_eighths(v, 1000000, 20);
		assert_true(e >= prev);
		assert_true(e <= 160);
		prev = e;
	}
}

static void test_bar_string(void **state)
{
	(void)state;
	char b[256];
	assert_string_equal(ui_bar_string(b, sizeof(b), 0, true), "");
	assert_string_equal(ui_bar_string(b, sizeof(b), 8, true), "\u2588");
	assert_string_equal(ui_bar_string(b, sizeof(b), 12, true),
			    "\u2588\u258c");
	assert_string_equal(ui_bar_string(b, sizeof(b), 1, true), "\u258f");
	assert_string_equal(ui_bar_string(b, sizeof(b), 19, false), "##.");
	assert_string_equal(ui_bar_string(b, sizeof(b), 20, false), "##+");
	assert_string_equal(ui_bar_string(b, sizeof(b), 1, false), ".");
	char small[5];
	ui_bar_string(small, sizeof(small), 80, true); /* never overflows */
	assert_true(strlen(small) < sizeof(small));
}

static void test_labels(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(ui_order_label(b, sizeof(b), 4096, 0), "4K");
	assert_string_equal(ui_order_label(b, sizeof(b), 4096, 1), "8K");
	assert_string_equal(ui_order_label(b, sizeof(b), 4096, 4), "64K");
	assert_string_equal(ui_order_label(b, sizeof(b), 4096, 9), "2M");
	assert_string_equal(ui_order_label(b, sizeof(b), 16384, 11), "32M");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), 0, 0), "-");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), UINT64_MAX, 10), "-");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), 0, 10), "0");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), 10, 10), "100");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), 1, 3), "33.3");
	assert_string_equal(ui_fmt_pct(b, sizeof(b), 1, 100000), "<0.1");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 1234, 8), "1234");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 123456789, 6), "123M");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 1234567, 5), "1235K");
	assert_string_equal(ui_fmt_count(b, sizeof(b), 12345678, 5), "12.3M");
	assert_string_equal(ui_fmt_interval(b, sizeof(b), 2000), "2s");
	assert_string_equal(ui_fmt_interval(b, sizeof(b), 500), "0.5s");
	assert_string_equal(ui_fmt_interval(b, sizeof(b), 250), "0.25s");
}

static void test_interval_steps(void **state)
{
	(void)state;
	assert_int_equal(ui_interval_step(2000, 1), 3000);
	assert_int_equal(ui_interval_step(2000, -1), 1000);
	assert_int_equal(ui_interval_step(1500, 1), 2000);
	assert_int_equal(ui_interval_step(1500, -1), 1000);
	assert_int_equal(ui_interval_step(100, -1), 100);
	assert_int_equal(ui_interval_step(60000, 1), 60000);
	assert_int_equal(ui_interval_step(50, -1), 50);
}

static void test_bands(void **state)
{
	(void)state;
	assert_int_equal(ui_order_band(0, 9), UI_BAND_SMALL);
	assert_int_equal(ui_order_band(1, 9), UI_BAND_LOW);
	assert_int_equal(ui_order_band(4, 9), UI_BAND_HIGH);
	assert_int_equal(ui_order_band(9, 9), UI_BAND_PMD);
	assert_int_equal(ui_order_band(10, 9), UI_BAND_PMD);
	/* every band has its own glyph, in both charsets */
	for (int a = 0; a < UI_BAND_COUNT; a++)
		for (int b = a + 1; b < UI_BAND_COUNT; b++) {
			assert_string_not_equal(
				ui_band_glyph((enum ui_band)a, true),
				ui_band_glyph((enum ui_band)b, true));
			assert_string_not_equal(
				ui_band_glyph((enum ui_band)a, false),
				ui_band_glyph((enum ui_band)b, false));
		}
	for (int a = 0; a < UI_BAND_COUNT; a++)
		assert_int_equal(strlen(ui_band_glyph((enum ui_band)a, false)),
				 1);
}

static char *sanitize(const char *s, size_t n, bool utf8)
{
	struct mt_buf b = { 0 };
	ui_sanitize(&b, s, n, utf8);
	char *r = strdup(b.data ? b.data : "");
	mt_buf_free(&b);
	return r;
}

static void test_sanitize(void **state)
{
	(void)state;
	static const char hostile[] = "ev\x1b[31mil\nname\xff\x07";
	char *r = sanitize(hostile, sizeof(hostile) - 1, true);
	for (const char *p = r; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	assert_non_null(strstr(r, "\\x1b[31m"));
	assert_non_null(strstr(r, "\\x0a"));
	assert_non_null(strstr(r, "\\xff"));
	assert_null(strchr(r, '\x1b'));
	free(r);
	/* valid UTF-8 passes in a UTF-8 locale, not in ASCII mode */
	r = sanitize("caf\xc3\xa9", 5, true);
	assert_string_equal(r, "caf\xc3\xa9");
	assert_int_equal(ui_text_width(r, true), 4);
	free(r);
	r = sanitize("caf\xc3\xa9", 5, false);
	assert_null(strchr(r, '\xc3'));
	free(r);
	/* a right-to-left override takes no cell: escaped */
	r = sanitize("a\xe2\x80\xae" "b", 5, true);
	assert_string_equal(r, "a\\u{202e}b");
	free(r);
	/* an empty name is an empty string */
	r = sanitize("", 0, true);
	assert_string_equal(r, "");
	free(r);
}

static void test_text_fit(void **state)
{
	(void)state;
	int used;
	assert_int_equal(ui_text_fit("hello", 3, true, &used), 3);
	assert_int_equal(used, 3);
	assert_int_equal(ui_text_fit("hello", 10, true, &used), 5);
	assert_int_equal(used, 5);
	/* a wide character is not split */
	const char *wide = "a\xe4\xb8\xad" "b"; /* a, U+4E2D (2 cells), b */
	assert_int_equal(ui_text_width(wide, true), 4);
	assert_int_equal(ui_text_fit(wide, 2, true, &used), 1);
	assert_int_equal(used, 1);
	assert_int_equal(ui_text_fit(wide, 3, true, &used), 4);
	assert_int_equal(used, 3);
	assert_int_equal(ui_text_fit("", 5, true, &used), 0);
	assert_int_equal(used, 0);
}

static void test_wrap(void **state)
{
	(void)state;
	size_t next;
	assert_int_equal(ui_wrap("the quick brown fox", 10, true, &next), 9);
	assert_int_equal(next, 10);
	assert_int_equal(ui_wrap("abc def", 7, true, &next), 7); /* fits */
	assert_int_equal(next, 7);
	assert_int_equal(ui_wrap("abcde fgh", 5, true, &next), 5);
	assert_int_equal(next, 6);
	/* a word longer than the line is cut */
	assert_int_equal(ui_wrap("abcdefghij xyz", 4, true, &next), 4);
	assert_int_equal(next, 4);
	/* spaces at the break are left out of both lines */
	assert_int_equal(ui_wrap("ab   cd", 4, true, &next), 2);
	assert_int_equal(next, 5);
	assert_int_equal(ui_wrap("", 4, true, &next), 0);
	assert_int_equal(next, 0);
	/* nothing fits: moves on by a character */
	assert_int_equal(ui_wrap("abc", 0, true, &next), 0);
	assert_int_equal(next, 1);
	const char *wide = "\xe4\xb8\xad" "b"; /* U+4E2D (2 cells), b */
	assert_int_equal(ui_wrap(wide, 1, true, &next), 0);
	assert_int_equal(next, 3);
	assert_int_equal(ui_wrap(wide, 2, true, &next), 3);
	assert_int_equal(next, 3);

	assert_int_equal(ui_wrap_lines("", 10, 2, true), 0);
	assert_int_equal(ui_wrap_lines("short", 10, 2, true), 1);
	/* "the quick" / "brown" (8 cells after the indent) / "fox" */
	assert_int_equal(ui_wrap_lines("the quick brown fox", 10, 2, true), 3);
	assert_int_equal(ui_wrap_lines("the quick brown fox", 10, 0, true), 2);
	assert_int_equal(ui_wrap_lines("abc", 0, 2, true), 3);

	/* random words: every line fits, nothing but spaces is lost, and
	 * ui_wrap_lines counts the lines ui_wrap makes */
	srand(7);
	for (int iter = 0; iter < 2000; iter++) {
		char text[200], kept[200], got[200];
		size_t tl = 0, kl = 0, gl = 0;
		int words = rand() % 12;
		for (int k = 0; k < words; k++) {
			int wl = 1 + rand() % 14, sp = 1 + rand() % 3;
			for (int c = 0; c < wl; c++)
				kept[kl++] = text[tl++] = (char)('a' + rand() % 26);
			for (int c = 0; c < sp && k + 1 < words; c++)
				text[tl++] = ' ';
		}
		text[tl] = kept[kl] = '\0';
		int width = 1 + rand() % 20, indent = rand() % 3, lines = 0;
		size_t off = 0;
		while (text[off]) {
			int w = lines ? (width - indent > 1 ? width - indent : 1)
				      : width;
			size_t n = ui_wrap(text + off, w, false, &next);
			assert_true(n <= (size_t)w);
			assert_true(next > 0);
			for (size_t c = 0; c < n; c++)
				if (text[off + c] != ' ')
					got[gl++] = text[off + c];
			off += next;
			lines++;
		}
		got[gl] = '\0';
		assert_string_equal(got, kept);
		assert_int_equal(ui_wrap_lines(text, width, indent, false),
				 lines);
	}
}

static void test_why_template(void **state)
{
	(void)state;
	char b[64];
	assert_string_equal(ui_why_template(b, sizeof(b), "a {0} b {12} {4}}"),
			    "a N b {12} N}");
	assert_string_equal(ui_why_template(b, sizeof(b), "({1} of {2})"),
			    "(N of N)");
	assert_string_equal(ui_why_template(b, sizeof(b), "{5} {"), "{5} {");
	assert_string_equal(ui_why_template(b, 4, "a {0} b"), "a N");
	b[0] = 'x';
	ui_why_template(b, 0, "a");
	assert_int_equal(b[0], 'x');
}

static void test_rates_and_deltas(void **state)
{
	(void)state;
	char b[32];
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 0, true), "0/s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 3, false), "-");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 0.25, true), "0.2/s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 9.96, true), "10.0/s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 32, true), "32/s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 774000, true), "774K/s");
	assert_string_equal(ui_fmt_rate(b, sizeof(b), 12500, true), "12K/s");
	assert_string_equal(ui_fmt_delta(b, sizeof(b), 0), "0");
	assert_string_equal(ui_fmt_delta(b, sizeof(b), 0.2), "0");
	assert_string_equal(ui_fmt_delta(b, sizeof(b), 4 << 20), "+4M");
	assert_string_equal(ui_fmt_delta(b, sizeof(b), -(512 << 10)), "-512K");
	assert_string_equal(ui_fmt_delta(b, sizeof(b), 1536 << 10), "+1.5M");
	/* mapped / full / partial (touched - full) */
	assert_string_equal(ui_fmt_slots(b, sizeof(b), 64, 60, 62, 3),
			    "3/60/2");
	assert_string_equal(ui_fmt_slots(b, sizeof(b), 9000, 8000, 9000, 0),
			    "0/8000/1000");
	assert_string_equal(ui_fmt_slots(b, sizeof(b), 90000, 80000, 90000,
					 12345), "12K/80K/10K");
	assert_string_equal(ui_fmt_slots(b, sizeof(b), 4, 4, 4, MT_UNKNOWN),
			    "-");
	/* the scan's collapsible slots in pages; unknown stays unknown
	 * (the cell shows ?), never 0 */
	assert_int_equal(ui_coll_pages(6, 9), 6 << 9);
	assert_int_equal(ui_coll_pages(0, 9), 0);
	assert_true(ui_coll_pages(MT_UNKNOWN, 9) == UINT64_MAX);
	assert_true(ui_coll_pages(1, 64) == UINT64_MAX);
}

static void test_marks(void **state)
{
	(void)state;
	const uint64_t U = UINT64_MAX;
	/* huge-backed memory decides when known in both scans */
	assert_int_equal(ui_change_mark(10, 10, 5, 6), 1);
	assert_int_equal(ui_change_mark(10, 20, 6, 5), -1);
	/* else RSS */
	assert_int_equal(ui_change_mark(10, 20, 5, 5), 1);
	assert_int_equal(ui_change_mark(10, 5, U, 5), -1);
	assert_int_equal(ui_change_mark(10, 10, 5, U), 0);
	assert_int_equal(ui_change_mark(U, 10, U, U), 0);

	struct ui_dist a, b;
	uint64_t h1[10] = { 8, 0, 1, 0, 0, 0, 0, 0, 0, 2 };
	uint64_t h2[10] = { 4, 0, 1, 1, 0, 0, 0, 0, 0, 3 };
	ui_dist_from_hist(&a, h1, 10, 8 + 4 + 1024);
	ui_dist_from_hist(&b, h2, 10, 4 + 4 + 8 + 1536);
	signed char m[UI_MAX_ORD + 1];
	ui_dist_marks(&a, &b, m);
	assert_int_equal(m[0], -1);
	assert_int_equal(m[1], 0);
	assert_int_equal(m[2], 0);
	assert_int_equal(m[3], 1);
	assert_int_equal(m[9], 1);
	assert_int_equal(m[10], 0); /* partial */
	ui_dist_marks(NULL, &b, m);
	for (int i = 0; i <= UI_MAX_ORD; i++)
		assert_int_equal(m[i], 0);
	ui_dist_from_hist(&a, NULL, 10, 0); /* not available */
	ui_dist_marks(&a, &b, m);
	assert_int_equal(m[9], 0);
}

static void test_text_tail(void **state)
{
	(void)state;
	const char *p = "/process_api/0e5f0a2638856338";
	size_t off = ui_text_tail(p, 10, true);
	assert_string_equal(p + off, "2638856338");
	assert_int_equal(ui_text_tail("short", 10, true), 0);
	/* whole characters only */
	const char *u = "a\xc3\xa9\xc3\xa9" "b"; /* a e' e' b */
	off = ui_text_tail(u, 2, true);
	assert_string_equal(u + off, "\xc3\xa9" "b");
	assert_int_equal(ui_text_width(u + ui_text_tail(u, 0, true), true), 0);
}

static void test_settings_file(void **state)
{
	(void)state;
	struct mt_settings base, now, file;
	mt_settings_defaults(&base);
	struct ui_settings st;
	memset(&st, 0, sizeof(st));
	st.psort = ui_proc_col_for_sort(MT_SORT_PID);
	st.pdesc = false;
	st.view = UI_VIEW_FOLIOS;
	st.omit_unfaulted = true;
	ui_settings_to_rc(&st, 500, &base, &now);
	assert_int_equal(now.sort, MT_SORT_PID);
	assert_false(now.sort_desc);
	assert_int_equal(now.view, MT_SETTINGS_VIEW_FOLIOS);
	assert_true(now.omit_unfaulted);
	assert_false(now.omit_file_backed);
	assert_float_equal(now.interval_s, 0.5, 1e-12);
	/* a column without a settings key keeps the sort of base */
	st.psort = ui_col_index(ui_proc_cols, ui_proc_ncols, UI_COL_COLL);
	struct mt_settings coll;
	ui_settings_to_rc(&st, 500, &now, &coll);
	assert_int_equal(coll.sort, MT_SORT_PID);
	enum mt_sort_key k;
	assert_false(ui_proc_sort_key(st.psort, &k));
	for (int i = 0; i < MT_SORT_COUNT; i++) {
		assert_true(ui_proc_sort_key(
			ui_proc_col_for_sort((enum mt_sort_key)i), &k));
		assert_int_equal(k, i);
	}

	/* only what changed reaches the file */
	mt_settings_defaults(&file);
	file.sort = MT_SORT_RSS;      /* from the file, -s pid given */
	struct mt_settings before = now, after = now;
	assert_false(ui_rc_merge(&file, &before, &after));
	after.view = MT_SETTINGS_VIEW_MAPPABLE;
	assert_true(ui_rc_merge(&file, &before, &after));
	assert_int_equal(file.view, MT_SETTINGS_VIEW_MAPPABLE);
	assert_int_equal(file.sort, MT_SORT_RSS); /* -s stays out */
	after.interval_s = 3;
	assert_true(ui_rc_merge(&file, &before, &after));
	assert_float_equal(file.interval_s, 3, 1e-12);
	after = before;
	after.sort = MT_SORT_THP;
	after.show_kthreads = true;
	assert_true(ui_rc_merge(&file, &before, &after));
	assert_int_equal(file.sort, MT_SORT_THP);
	assert_true(file.show_kthreads);
}

static void hf_put(const char *t, size_t n, unsigned long attr, void *arg)
{
	(void)attr;
	strncat(arg, t, n);
}

/* A header line fits by abbreviating, then leaving out the least
 * important items; what still does not fit ends with an ellipsis after a
 * whole word, never in one. */
static void test_header_fit(void **state)
{
	(void)state;
	static struct ui_hf_line l;
	char out[512];
	memset(&l, 0, sizeof(l));
	l.sep = " | ";
	struct ui_hf_item *it = ui_hf_add(&l, 0, NULL);
	ui_hf_form(it, 0, "memtop", 0, " host", 0, NULL);
	it = ui_hf_add(&l, 3, NULL);
	ui_hf_form(it, 0, "Linux 6.18.1", 0, NULL, 0, NULL);
	it = ui_hf_add(&l, 1, NULL);
	ui_hf_form(it, 0, "THP enabled=madvise defrag=never", 0, NULL, 0, NULL);
	ui_hf_form(it, 0, "THP madvise/never", 0, NULL, 0, NULL);
	it = ui_hf_add(&l, 2, NULL);
	ui_hf_form(it, 0, "page ", 0, "4K", 0, NULL);
	const char *full = "memtop host | Linux 6.18.1 | THP enabled=madvise "
			   "defrag=never | page 4K";
	int cols[] = { 200, 71, 70, 44, 40, 30, 8, 1 };
	const char *want[] = {
		full, full,
		"memtop host | Linux 6.18.1 | THP madvise/never | page 4K",
		"memtop host | THP madvise/never | page 4K",
		"memtop host | THP madvise/never",
		"memtop host",
		"memtop \u2026",
		"",
	};
	for (size_t k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
		ui_hf_fit(&l, cols[k], true);
		out[0] = '\0';
		ui_hf_emit(&l, cols[k], true, hf_put, out);
		assert_string_equal(out, want[k]);
		assert_true(ui_text_width(out, true) <= cols[k]);
	}
	/* without UTF-8 the ellipsis is three dots */
	ui_hf_fit(&l, 10, false);
	out[0] = '\0';
	ui_hf_emit(&l, 10, false, hf_put, out);
	assert_string_equal(out, "memtop ...");
}

static void test_pids_and_window(void **state)
{
	(void)state;
	char b[16];
	pid_t p[] = { 1234, 5678, 42, 7 };
	assert_string_equal(ui_fmt_pids(b, sizeof(b), p, 2), "1234,5678");
	assert_string_equal(ui_fmt_pids(b, sizeof(b), p, 4), "1234,5678,42,7");
	assert_string_equal(ui_fmt_pids(b, 13, p, 4), "1234,5678 +2");
	assert_string_equal(ui_fmt_pids(b, sizeof(b), p + 2, 2), "42,7");
	/* khugepaged's pace, at least three scans, 10 s when unknown */
	assert_int_equal(ui_rate_window_ms(10000, 2000), 10000);
	assert_int_equal(ui_rate_window_ms(1000, 2000), 6000);
	assert_int_equal(ui_rate_window_ms(0, 1000), 10000);
	assert_int_equal(ui_rate_window_ms(60000, 30000), 90000);
}

int main(void)
{
	/* wcwidth() needs a UTF-8 locale; C.UTF-8 is in every glibc */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bar_cells),
		cmocka_unit_test(test_dist_folios),
		cmocka_unit_test(test_eighths),
		cmocka_unit_test(test_bar_string),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_interval_steps),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_text_fit),
		cmocka_unit_test(test_rates_and_deltas),
		cmocka_unit_test(test_marks),
		cmocka_unit_test(test_text_tail),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_why_template),
		cmocka_unit_test(test_settings_file),
		cmocka_unit_test(test_header_fit),
		cmocka_unit_test(test_pids_and_window),
	};
	return cmocka_run_group_tests_name("ui_format", tests, NULL, NULL);
}
