/*
 * test_ui_draw.c - text drawn into a curses window: prose cut to a width
 * ends after a whole word and " ~" (never inside a word, never wider
 * than its room), text that fits is drawn whole, and identifiers cut
 * anywhere end in "~" in the last cell.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ui/ui_draw.h"

static SCREEN *scr;
static FILE *out, *in;

static int setup(void **state)
{
	(void)state;
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (!out || !in)
		return -1;
	scr = newterm("vt100", out, in);
	return scr ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	return 0;
}

/* Row 0 of w as text, trailing blanks dropped. */
static void read_row(WINDOW *w, char *b, int n)
{
	mvwinnstr(w, 0, 0, b, n);
	size_t l = strlen(b);
	while (l > 0 && b[l - 1] == ' ')
		b[--l] = '\0';
}

static const char *const prose[] = {
	"82 processes: RSS 143M, 38M in PMD-order blocks (26.6%), 8.1M in "
	"large folios and the rest in small pages",
	"one two three four five six seven eight nine ten eleven twelve",
	"a b c d e f g h i j k l m n o p q r s t u v w x y z",
	"averyveryverylongwordwithoutanyspacesatallinsideitwhatsoever end",
};

static void test_put_ell_words(void **state)
{
	(void)state;
	WINDOW *w = newwin(1, 200, 0, 0);
	assert_non_null(w);
	char b[256];
	for (size_t i = 0; i < sizeof(prose) / sizeof(prose[0]); i++) {
		const char *s = prose[i];
		int len = (int)strlen(s);
		for (int width = 1; width <= len + 2; width++) {
			werase(w);
			int used = ui_put_ell_words(w, 0, 0, width, s, false,
						    false);
			read_row(w, b, sizeof(b));
			int n = (int)strlen(b);
			assert_true(n <= width);
			assert_true(used <= width);
			if (len <= width) { /* it fits: all of it */
				assert_string_equal(b, s);
				continue;
			}
			assert_true(n > 0);
			if (n >= 2 && !strcmp(b + n - 2, " ~") &&
			    !strncmp(b, s, (size_t)(n - 2)) &&
			    s[n - 2] == ' ' && b[n - 3] != ' ' &&
			    2 * (n - 2) >= width) {
				/* cut after a whole word, at least half the
				 * room used */
				continue;
			}
			/* otherwise cut anywhere, "~" in the last cell */
			assert_int_equal(n, width);
			assert_int_equal(b[n - 1], '~');
			assert_memory_equal(b, s, (size_t)(n - 1));
			/* and only where no whole word would have done */
			int k = n - 2;
			while (k > 0 && s[k] != ' ')
				k--;
			while (k > 0 && s[k - 1] == ' ')
				k--;
			if (k > 0)
				assert_true(2 * k < width || k + 2 > width);
		}
	}
	/* the line that ended "folios~": a cut right after a word */
	werase(w);
	ui_put_ell_words(w, 0, 0, 80, prose[0], false, false);
	read_row(w, b, sizeof(b));
	assert_string_equal(b, "82 processes: RSS 143M, 38M in PMD-order "
			       "blocks (26.6%), 8.1M in large folios ~");
	delwin(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_ell_words),
	};
	return cmocka_run_group_tests_name("ui_draw", tests, setup, teardown);
}
