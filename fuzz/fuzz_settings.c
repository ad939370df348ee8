/*
 * fuzz_settings.c - libFuzzer harness for the settings file parser
 * (mt_settings_parse and mt_settings_format in settings.h).
 *
 * The input is a memtoprc, possibly hostile (it may be anybody's file at
 * that path). Checked:
 *  - the status is one of the four, and without a memtop file (MISSING,
 *    FOREIGN) every setting is its default;
 *  - every setting is in range: a sort key, a view, 0.01 to 86400 s;
 *  - the warnings are empty exactly when the file LOADED cleanly, are
 *    lines of visible text (no control byte but the newline, valid UTF-8),
 *    at most MAX_WARNINGS of them plus one count line, each naming the
 *    origin (a hostile one here, which must come out escaped);
 *  - the settings written back by mt_settings_format parse again to the
 *    same settings (the interval to the millisecond), without warnings.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtop/settings.h"
#include "memtop/escape.h"
#include "memtop/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Like assert(), but never compiled out. */
#define CHECK(c)                                                           \
	do {                                                               \
		if (!(c)) {                                                \
			fprintf(stderr, "%s:%d: check failed: %s\n",       \
				__FILE__, __LINE__, #c);                   \
			abort();                                           \
		}                                                          \
	} while (0)

#define MAX_WARNINGS 5 /* as in settings.c */

static const char ORIGIN[] = "/home/u/\x1b[31mrc\n";
static const char ORIGIN_SHOWN[] = "/home/u/\\x1b[31mrc\\x0a";

static bool same_settings(const struct mt_settings *a,
			  const struct mt_settings *b)
{
	return a->sort == b->sort && a->sort_desc == b->sort_desc &&
	       a->view == b->view && a->show_kthreads == b->show_kthreads &&
	       a->omit_file_backed == b->omit_file_backed &&
	       a->omit_unfaulted == b->omit_unfaulted &&
	       fabs(a->interval_s - b->interval_s) < 0.0005;
}

static void check_in_range(const struct mt_settings *s)
{
	CHECK((unsigned)s->sort < MT_SORT_COUNT);
	CHECK((unsigned)s->view < MT_SETTINGS_VIEW_COUNT);
	CHECK(s->interval_s >= 0.01 && s->interval_s <= 86400.0);
}

static void check_warnings(const struct mt_buf *w)
{
	if (!w->len)
		return;
	const unsigned char *p = (const unsigned char *)w->data;
	size_t lines = 0;
	for (size_t i = 0; i < w->len; i++) {
		CHECK(p[i] == '\n' || (p[i] >= 0x20 && p[i] != 0x7f));
		lines += p[i] == '\n';
	}
	CHECK(p[w->len - 1] == '\n');
	CHECK(lines <= MAX_WARNINGS + 1);
	for (size_t i = 0; i < w->len;) {
		size_t k = mt_utf8_seq_len(p + i, w->len - i);
		CHECK(k > 0);
		i += k;
	}
	/* every line starts with the escaped origin */
	const char *line = w->data;
	while (line < w->data + w->len) {
		CHECK(strncmp(line, ORIGIN_SHOWN, strlen(ORIGIN_SHOWN)) == 0);
		line = strchr(line, '\n') + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1); /* exact size */
	CHECK(text);
	memcpy(text, data, size);

	struct mt_settings s, d;
	mt_settings_defaults(&d);
	struct mt_buf w = {0};
	enum mt_settings_status st =
		mt_settings_parse(text, size, ORIGIN, &s, &w);
	CHECK(st == MT_SETTINGS_LOADED || st == MT_SETTINGS_PARTIAL ||
	      st == MT_SETTINGS_MISSING || st == MT_SETTINGS_FOREIGN);
	check_in_range(&s);
	if (st == MT_SETTINGS_MISSING || st == MT_SETTINGS_FOREIGN)
		CHECK(same_settings(&s, &d));
	CHECK((st == MT_SETTINGS_PARTIAL) <= (w.len > 0));
	if (st == MT_SETTINGS_LOADED || st == MT_SETTINGS_MISSING)
		CHECK(w.len == 0);
	check_warnings(&w);

	/* without a warnings buffer: the same result */
	struct mt_settings s2;
	CHECK(mt_settings_parse(text, size, NULL, &s2, NULL) == st);
	CHECK(same_settings(&s, &s2));

	/* written back, read again */
	struct mt_buf f = {0}, w2 = {0};
	mt_settings_format(&f, &s);
	struct mt_settings s3;
	CHECK(mt_settings_parse(f.data, f.len, ORIGIN, &s3, &w2) ==
	      MT_SETTINGS_LOADED);
	CHECK(w2.len == 0);
	CHECK(same_settings(&s, &s3));

	mt_buf_free(&f);
	mt_buf_free(&w2);
	mt_buf_free(&w);
	free(text);
	return 0;
}
