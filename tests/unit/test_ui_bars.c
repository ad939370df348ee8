/*
 * test_ui_bars.c - the histogram pane's bars on their two scales (linear
 * lengths proportional to the figure, the log scale) and the shares they
 * are printed with; the command line as COMMAND shows it (hostile bytes
 * escaped, kernel threads in brackets), and what the scanner reads for it
 * (the start time in /proc/PID/stat, trailing NULs of cmdline).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/parse.h"
#include "../../src/ui/ui_format.h"
#include "../../src/ui/ui_model.h"

static void test_linear(void **state)
{
	(void)state;
	assert_int_equal(ui_hist_bar_eighths(0, 100, 10, false), 0);
	assert_int_equal(ui_hist_bar_eighths(5, 0, 10, false), 0);
	assert_int_equal(ui_hist_bar_eighths(5, 100, 0, false), 0);
	assert_int_equal(ui_hist_bar_eighths(100, 100, 10, false), 80);
	assert_int_equal(ui_hist_bar_eighths(50, 100, 10, false), 40);
	assert_int_equal(ui_hist_bar_eighths(25, 100, 10, false), 20);
	/* any memory at all shows */
	assert_int_equal(ui_hist_bar_eighths(1, 1000000, 10, false), 1);
	/* the shape: 108K against 512M is a sliver, not half */
	uint64_t k108 = 108 * 1024, m512 = 512ull << 20;
	assert_int_equal(ui_hist_bar_eighths(k108, m512, 43, false), 1);
	assert_true(ui_hist_bar_eighths(k108, m512, 43, true) > 8 * 20);
	/* proportional: within half an eighth of v / max of the width */
	for (uint64_t v = 1; v <= 1000; v += 37) {
		unsigned e = ui_hist_bar_eighths(v, 1000, 30, false);
		double want = (double)v / 1000.0 * 240.0;
		assert_true(e >= 1);
		assert_true((double)e <= want + 0.5 || e == 1);
		assert_true((double)e >= want - 0.5);
	}
	/* monotonic on both scales */
	unsigned pl = 0, pg = 0;
	for (uint64_t v = 1; v <= 4096; v *= 2) {
		unsigned l = ui_hist_bar_eighths(v, 4096, 20, false);
		unsigned g = ui_hist_bar_eighths(v, 4096, 20, true);
		assert_true(l >= pl);
		assert_true(g >= pg);
		assert_true(g >= l); /* the log scale lifts small values */
		pl = l;
		pg = g;
	}
	/* the log scale is the one the bars used before */
	assert_int_equal(ui_hist_bar_eighths(77, 1000, 12, true),
			 ui_bar_eighths(77, 1000, 12));
}

static void test_table_shares(void **state)
{
	(void)state;
	struct ui_dist d;
	/* blocks of each order: 300 pages, a 64K block, a 2M block */
	uint64_t hist[10] = { 300, 0, 0, 0, 1, 0, 0, 0, 0, 1 };
	ui_dist_from_hist(&d, hist, 10, 300 + 16 + 512);
	struct ui_hist_table t;
	ui_hist_table_build(&t, &d, 4096, false, false, 20);
	assert_int_equal(t.sumv, (300 + 16 + 512) * 4096ull);
	assert_int_equal(t.maxv, 512 * 4096ull);
	/* counts: blocks of each order */
	ui_hist_table_build(&t, &d, 4096, false, true, 20);
	assert_int_equal(t.sumv, 300 + 1 + 1);
	/* the partial folios row is pages, not folios: not in the counts'
	 * whole, but in the bytes' */
	d.partial = 8;
	ui_hist_table_build(&t, &d, 4096, true, true, 20);
	assert_int_equal(t.sumv, 300 + 1 + 1);
	ui_hist_table_build(&t, &d, 4096, true, false, 20);
	assert_int_equal(t.sumv, (300 + 16 + 512 + 8) * 4096ull);
	/* dropping rows for room does not change the whole */
	ui_hist_table_build(&t, &d, 4096, true, false, 2);
	assert_int_equal(t.sumv, (300 + 16 + 512 + 8) * 4096ull);
}

static const char *fmt(struct mt_buf *b, const char *cmd, size_t len,
		       const char *comm, bool kthread)
{
	b->len = 0;
	ui_fmt_cmdline(b, cmd, len, comm, kthread, true);
	return b->data;
}

#define LIT(s) s, sizeof(s) - 1

static void test_cmdline(void **state)
{
	(void)state;
	struct mt_buf b = { 0 };
	assert_string_equal(fmt(&b, NULL, 0, "kthreadd", true), "[kthreadd]");
	assert_string_equal(fmt(&b, LIT("x"), "kworker/0:1", true),
			    "[kworker/0:1]");
	/* no command line (it exited, or cleared it): the name */
	assert_string_equal(fmt(&b, NULL, 0, "bash", false), "bash");
	assert_string_equal(fmt(&b, LIT("/bin/bash\0-l"), "bash", false),
			    "bash -l");
	assert_string_equal(fmt(&b, LIT("python3\0/srv/a.py\0--port\0" "80"),
				"python3", false),
			    "python3 /srv/a.py --port 80");
	/* empty arguments keep their place */
	assert_string_equal(fmt(&b, LIT("ls\0\0x"), "ls", false), "ls  x");
	/* the name is cut at 15 bytes: a prefix of the program's name */
	assert_string_equal(fmt(&b, LIT("/usr/lib/very-long-daemon-name\0-d"),
				"very-long-daemo", false),
			    "very-long-daemon-name -d");
	/* the process named itself: the name first */
	assert_string_equal(fmt(&b, LIT("/opt/wl\0--shapes\0thp"),
				"tuiwl-big", false),
			    "tuiwl-big wl --shapes thp");
	/* hostile bytes: escape sequences and newlines never pass raw */
	const char *s = fmt(&b, LIT("evil\0\033]2;pwn\007\0a\nb\0\033[31m"),
			    "evil", false);
	assert_string_equal(s, "evil \\x1b]2;pwn\\x07 a\\x0ab \\x1b[31m");
	for (const char *p = s; *p; p++)
		assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* invalid UTF-8 and a C1 control */
	s = fmt(&b, LIT("x\0\xff\xc2\x9b"), "x", false);
	assert_string_equal(s, "x \\xff\\xc2\\x9b");
	/* a hostile name is escaped too */
	assert_string_equal(fmt(&b, LIT("a\0b"), "\033c", false),
			    "\\x1bc a b");
	mt_buf_free(&b);
}

static void test_stat_starttime(void **state)
{
	(void)state;
	uint64_t st = 0;
	const char *line = "1234 (bash) S 1 1234 1234 34816 1234 4194304 100 "
			   "0 0 0 1 2 0 0 20 0 1 0 987654 12345678 900\n";
	assert_int_equal(mt_parse_stat_starttime(line, strlen(line), &st), 0);
	assert_int_equal(st, 987654);
	/* a name with spaces and parentheses */
	const char *evil = "7 (a) b ) c (d) R 1 7 7 0 -1 4194560 1 0 0 0 0 0 "
			   "0 0 20 0 1 0 42 1 1\n";
	assert_int_equal(mt_parse_stat_starttime(evil, strlen(evil), &st), 0);
	assert_int_equal(st, 42);
	/* cut short, or no name */
	assert_int_equal(mt_parse_stat_starttime(line, 40, &st), -1);
	assert_int_equal(mt_parse_stat_starttime("1 x S 1", 7, &st), -1);
	assert_int_equal(mt_parse_stat_starttime("", 0, &st), -1);

	assert_int_equal(mt_cmdline_trim(LIT("a\0b\0")), 3);
	assert_int_equal(mt_cmdline_trim(LIT("a\0\0\0")), 1);
	assert_int_equal(mt_cmdline_trim(LIT("\0")), 0);
	assert_int_equal(mt_cmdline_trim("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_table_shares),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_stat_starttime),
	};
	return cmocka_run_group_tests_name("ui_bars", tests, NULL, NULL);
}
