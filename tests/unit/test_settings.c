/*
 * test_settings.c - the settings file (settings.h) and atomic replacement of
 * files (atomicfile.h).
 *
 * The parser is fed good files, every kind of bad value, other programs'
 * files, binary junk and random mutations; it must never crash and must
 * always leave every setting in its valid range. Saving is checked in a
 * private temporary directory: directories created, atomic replacement,
 * modes kept, symbolic links kept, other people's files left alone.
 *
 * Random cases use a seeded PRNG; the seed is printed and
 * MEMTOP_TEST_SEED=<number> repeats a run.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <locale.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "memtop/atomicfile.h"
#include "memtop/settings.h"
#include "memtop/util.h"

static uint64_t g_seed;
static char g_dir[256];

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t *s, uint64_t n)
{
	return n ? splitmix64(s) % n : 0;
}

/* ---- helpers ------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup_dir(void **state)
{
	(void)state;
	const char *tmp = getenv("TMPDIR");
	snprintf(g_dir, sizeof(g_dir), "%s/memtop-test-config.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(g_dir))
		return -1;
	return 0;
}

static int teardown_dir(void **state)
{
	(void)state;
	if (g_dir[0])
		nftw(g_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	g_dir[0] = '\0';
	return 0;
}

/* A path below the test directory (static storage, reused after sixteen
 * calls). */
static const char *in_dir(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static const char *in_dir(const char *fmt, ...)
{
	static char path[16][512]; /* a ring: sixteen live at once */
	static unsigned which;
	char rel[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	which = (which + 1) % 16;
	snprintf(path[which], sizeof(path[which]), "%s/%s", g_dir, rel);
	return path[which];
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* File content as a malloc'd string (NULL when unreadable). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	struct mt_buf b = {0};
	char chunk[4096];
	size_t n;
	mt_buf_add(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mt_buf_add(&b, chunk, n);
	fclose(f);
	return b.data;
}

/* Entries of a directory other than . and .. */
static size_t dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool settings_equal(const struct mt_settings *a,
			   const struct mt_settings *b)
{
	return a->sort == b->sort && a->sort_desc == b->sort_desc &&
	       a->view == b->view && a->show_kthreads == b->show_kthreads &&
	       a->omit_file_backed == b->omit_file_backed &&
	       a->omit_unfaulted == b->omit_unfaulted &&
	       a->read_only == b->read_only &&
	       a->show_hist == b->show_hist &&
	       a->hist_counts == b->hist_counts &&
	       a->hist_log == b->hist_log &&
	       a->show_cmdline == b->show_cmdline &&
	       a->show_delta == b->show_delta &&
	       a->interval_s > b->interval_s - 0.0005 &&
	       a->interval_s < b->interval_s + 0.0005;
}

static bool is_default(const struct mt_settings *s)
{
	struct mt_settings d;
	mt_settings_defaults(&d);
	return settings_equal(s, &d);
}

static void assert_valid(const struct mt_settings *s)
{
	assert_true((unsigned)s->sort < MT_SORT_COUNT);
	assert_true((unsigned)s->view < MT_SETTINGS_VIEW_COUNT);
	assert_true(s->interval_s >= 0.01 && s->interval_s <= 86400);
}

static size_t lines_of(const struct mt_buf *b)
{
	size_t n = 0;
	for (size_t i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

static enum mt_settings_status parse_str(const char *text,
					 struct mt_settings *s,
					 struct mt_buf *warn)
{
	mt_buf_reset(warn);
	enum mt_settings_status st =
		mt_settings_parse(text, strlen(text), "rc", s, warn);
	assert_valid(s);
	return st;
}

/* ---- path --------------------------------------------------------------- */

static void test_path_from(void **state)
{
	(void)state;
	static const struct {
		const char *rc, *xdg, *home, *want;
	} cases[] = {
		{"/etc/x", "/xdg", "/home/a", "/etc/x"},
		{"rel/file", NULL, NULL, "rel/file"},
		{"", "/xdg", "/home/a", "/xdg/memtop/memtoprc"},
		{NULL, "/xdg/", "/home/a", "/xdg/memtop/memtoprc"},
		{NULL, "relative/xdg", "/home/a",
		 "/home/a/.config/memtop/memtoprc"},
		{NULL, "", "/home/a/", "/home/a/.config/memtop/memtoprc"},
		{NULL, NULL, "/", "/.config/memtop/memtoprc"},
		{NULL, "/", NULL, "/memtop/memtoprc"},
		{NULL, NULL, NULL, NULL},
		{"", "", "", NULL},
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(cases); i++) {
		char *p = mt_settings_path_from(cases[i].rc, cases[i].xdg,
						cases[i].home);
		if (!cases[i].want) {
			assert_null(p);
			continue;
		}
		assert_non_null(p);
		if (strcmp(p, cases[i].want))
			fail_msg("case %zu: got %s, want %s", i, p, cases[i].want);
		free(p);
	}
}

static void test_path_env(void **state)
{
	(void)state;
	char *saved[3];
	const char *names[3] = {"MEMTOPRC", "XDG_CONFIG_HOME", "HOME"};
	for (int i = 0; i < 3; i++) {
		const char *v = getenv(names[i]);
		saved[i] = v ? xstrdup(v) : NULL;
	}
	setenv("HOME", "/h", 1);
	setenv("XDG_CONFIG_HOME", "/x", 1);
	setenv("MEMTOPRC", "/m/rc", 1);
	char *p = mt_settings_path();
	assert_string_equal(p, "/m/rc");
	free(p);
	unsetenv("MEMTOPRC");
	p = mt_settings_path();
	assert_string_equal(p, "/x/memtop/memtoprc");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = mt_settings_path();
	assert_string_equal(p, "/h/.config/memtop/memtoprc");
	free(p);
	/* without HOME: the passwd entry's home directory, if any */
	unsetenv("HOME");
	p = mt_settings_path();
	if (p) {
		assert_true(strstr(p, "/.config/memtop/memtoprc") != NULL);
		free(p);
	}
	for (int i = 0; i < 3; i++) {
		if (saved[i])
			setenv(names[i], saved[i], 1);
		else
			unsetenv(names[i]);
		free(saved[i]);
	}
}

/* ---- parser ------------------------------------------------------------- */

static void test_parse_good(void **state)
{
	(void)state;
	struct mt_settings s;
	struct mt_buf w = {0};
	enum mt_settings_status st = parse_str(
		"# comment\n"
		"; another\n"
		"\n"
		"version=1\n"
		"sort=rss\n"
		"sort_descending=no\n"
		"view=folios\n"
		"kernel_threads=yes\n"
		"omit_file_backed=1\n"
		"omit_unfaulted_vmas=on\n"
		"interval=0.25\n",
		&s, &w);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_int_equal(w.len, 0);
	assert_int_equal(s.sort, MT_SORT_RSS);
	assert_false(s.sort_desc);
	assert_int_equal(s.view, MT_SETTINGS_VIEW_FOLIOS);
	assert_true(s.show_kthreads && s.omit_file_backed && s.omit_unfaulted);
	assert_true(s.interval_s == 0.25);
	assert_false(s.read_only);
	/* the pane toggles keep their defaults when not given */
	assert_true(s.show_hist && s.show_cmdline);
	assert_false(s.hist_counts || s.hist_log || s.show_delta);
	st = parse_str("version=1\nhistogram_pane=0\nhistogram_counts=yes\n"
		       "histogram_log=on\ncommand_line=false\n"
		       "huge_rate_column=1\n", &s, &w);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_false(s.show_hist || s.show_cmdline);
	assert_true(s.hist_counts && s.hist_log && s.show_delta);
	st = parse_str("version=1\nhistogram_log=maybe\n", &s, &w);
	assert_int_equal(st, MT_SETTINGS_PARTIAL);
	assert_false(s.hist_log);

	/* read_only=1 turns the viewer's actions off; written back only when
	 * set */
	st = parse_str("version=1\nread_only=1\n", &s, &w);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_true(s.read_only);
	struct mt_buf f = {0};
	mt_settings_format(&f, &s);
	assert_non_null(strstr(f.data, "\nread_only=1\n"));
	s.read_only = false;
	f.len = 0;
	mt_settings_format(&f, &s);
	mt_buf_addc(&f, '\0');
	assert_null(strstr(f.data, "read_only"));
	mt_buf_free(&f);

	/* spaces, CRLF, case, numbers for views, version anywhere,
	 * unknown keys from a newer memtop */
	st = parse_str("  SORT = Pmd \r\n"
		       "view=1\r\n"
		       "colour_scheme=dark\r\n"
		       "sort_descending = TRUE\r\n"
		       "interval=3\r\n"
		       " version = 1 \r\n",
		       &s, &w);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_int_equal(w.len, 0);
	assert_int_equal(s.sort, MT_SORT_PMD);
	assert_int_equal(s.view, MT_SETTINGS_VIEW_MAPPABLE);
	assert_true(s.sort_desc);
	assert_true(s.interval_s == 3);
	/* the last of repeated keys wins; no newline at the end */
	st = parse_str("version=1\nsort=pid\nsort=comm", &s, &w);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_int_equal(s.sort, MT_SORT_COMM);
	mt_buf_free(&w);
}

static void test_parse_empty(void **state)
{
	(void)state;
	struct mt_settings s;
	struct mt_buf w = {0};
	static const char *const empty[] = {"", "\n", "  \n\t\r\n  "};
	for (size_t i = 0; i < MT_ARRAY_SIZE(empty); i++) {
		assert_int_equal(parse_str(empty[i], &s, &w),
				 MT_SETTINGS_MISSING);
		assert_int_equal(w.len, 0);
		assert_true(is_default(&s));
	}
	assert_int_equal(mt_settings_parse(NULL, 0, "rc", &s, &w),
			 MT_SETTINGS_MISSING);
	mt_buf_free(&w);
}

/* A bad value gives a warning naming the key and its line, and the
 * default for that key only. */
static void test_parse_bad_values(void **state)
{
	(void)state;
	static const struct {
		const char *line, *key;
	} bad[] = {
		{"sort=size", "sort"},
		{"sort=", "sort"},
		{"sort=histhisthisthisthist", "sort"},
		{"sort_descending=maybe", "sort_descending"},
		{"view=3", "view"},
		{"view=huge", "view"},
		{"kernel_threads=2", "kernel_threads"},
		{"omit_file_backed=", "omit_file_backed"},
		{"omit_unfaulted_vmas=yess", "omit_unfaulted_vmas"},
		{"interval=0", "interval"},
		{"interval=0.001", "interval"},
		{"interval=-1", "interval"},
		{"interval=1e3", "interval"},
		{"interval=nan", "interval"},
		{"interval=inf", "interval"},
		{"interval=86401", "interval"},
		{"interval=0,5", "interval"},
		{"interval=.", "interval"},
		{"interval=1.2.3", "interval"},
		{"interval=99999999999999999999999999999999999", "interval"},
	};
	struct mt_settings s;
	struct mt_buf w = {0};
	for (size_t i = 0; i < MT_ARRAY_SIZE(bad); i++) {
		char text[512];
		/* every other key set to a non-default value around it */
		snprintf(text, sizeof(text),
			 "version=1\nsort=swap\nsort_descending=0\nview=mappable\n"
			 "kernel_threads=1\nomit_file_backed=1\n"
			 "omit_unfaulted_vmas=1\ninterval=7\n%s\n",
			 bad[i].line);
		enum mt_settings_status st = parse_str(text, &s, &w);
		if (st != MT_SETTINGS_PARTIAL)
			fail_msg("'%s': status %d", bad[i].line, st);
		assert_int_equal(lines_of(&w), 1);
		if (!strstr(w.data, bad[i].key) || !strstr(w.data, "rc:9:"))
			fail_msg("'%s': warning '%s'", bad[i].line, w.data);
		struct mt_settings d;
		mt_settings_defaults(&d);
		const char *k = bad[i].key;
		assert_int_equal(s.sort, !strcmp(k, "sort") ? d.sort
							    : MT_SORT_SWAP);
		assert_int_equal(s.sort_desc,
				 !strcmp(k, "sort_descending") ? d.sort_desc
							       : false);
		assert_int_equal(s.view, !strcmp(k, "view") ? d.view : 1);
		assert_int_equal(s.show_kthreads,
				 !strcmp(k, "kernel_threads") ? d.show_kthreads
							      : true);
		assert_int_equal(s.omit_file_backed,
				 !strcmp(k, "omit_file_backed")
					 ? d.omit_file_backed
					 : true);
		assert_int_equal(s.omit_unfaulted,
				 !strcmp(k, "omit_unfaulted_vmas")
					 ? d.omit_unfaulted
					 : true);
		assert_true(s.interval_s ==
			    (!strcmp(k, "interval") ? d.interval_s : 7.0));
	}
	/* a line that is not key=value */
	assert_int_equal(parse_str("version=1\nsort pid\nview=folios\n", &s, &w),
			 MT_SETTINGS_PARTIAL);
	assert_non_null(strstr(w.data, "rc:2: not key=value"));
	assert_int_equal(s.view, MT_SETTINGS_VIEW_FOLIOS);
	/* the warning shows a hostile value harmlessly */
	assert_int_equal(parse_str("version=1\nsort=\x1b[2J\xff\n", &s, &w),
			 MT_SETTINGS_PARTIAL);
	for (size_t i = 0; i < w.len; i++)
		assert_true((unsigned char)w.data[i] >= 0x20 ||
			    w.data[i] == '\n');
	assert_non_null(strstr(w.data, "\\x1b[2J\\xff"));
	mt_buf_free(&w);
}

static void test_parse_many_warnings(void **state)
{
	(void)state;
	struct mt_buf text = {0}, w = {0};
	mt_buf_printf(&text, "version=1\n");
	for (int i = 0; i < 20; i++)
		mt_buf_printf(&text, "view=bad%d\n", i);
	struct mt_settings s;
	assert_int_equal(parse_str(text.data, &s, &w), MT_SETTINGS_PARTIAL);
	assert_int_equal(lines_of(&w), 6);
	assert_non_null(strstr(w.data, "15 more problems"));
	mt_buf_free(&text);
	mt_buf_free(&w);
}

/* Files that are not memtop's: defaults, one warning, FOREIGN. */
static void test_parse_foreign(void **state)
{
	(void)state;
	static const char *const foreign[] = {
		/* an htoprc */
		"# Beware! This file is rewritten by htop when settings are "
		"changed in the interface.\nhtop_version=3.2.2\n"
		"config_reader_min_version=3\nsort_key=46\nsort_direction=-1\n",
		/* a shell startup file */
		"export PATH=$HOME/bin:$PATH\nalias ll='ls -l'\n",
		"sort=rss\nview=folios\n",
		"# only comments\n",
		"version=2\nsort=rss\n",
		"version=999999999\n",
		"version=\n",
		"version=one\n",
		"version=0\n",
		"version=-1\n",
		"version=1.0\n",
		"version=99999999999999999999\n",
		"[section]\nversion\n",
	};
	struct mt_settings s;
	struct mt_buf w = {0};
	for (size_t i = 0; i < MT_ARRAY_SIZE(foreign); i++) {
		enum mt_settings_status st = parse_str(foreign[i], &s, &w);
		if (st != MT_SETTINGS_FOREIGN)
			fail_msg("case %zu: status %d", i, st);
		assert_true(is_default(&s));
		assert_int_equal(lines_of(&w), 1);
		assert_non_null(strstr(w.data, "leaving"));
	}
	/* newer versions are named as such */
	parse_str("version=2\n", &s, &w);
	assert_non_null(strstr(w.data, "newer memtop"));

	/* binary: NUL bytes */
	static const char bin[] = "version=1\nsort=rss\n\0\x7f" "ELF";
	mt_buf_reset(&w);
	assert_int_equal(mt_settings_parse(bin, sizeof(bin), "rc", &s, &w),
			 MT_SETTINGS_FOREIGN);
	assert_true(is_default(&s));
	/* too large */
	size_t big = MT_SETTINGS_MAX_BYTES + 1;
	char *huge = xmalloc(big);
	memset(huge, '#', big);
	memcpy(huge, "version=1\nsort=rss\n", 19);
	mt_buf_reset(&w);
	assert_int_equal(mt_settings_parse(huge, big, "rc", &s, &w),
			 MT_SETTINGS_FOREIGN);
	assert_true(is_default(&s));
	/* a very long line inside the limit is only a bad value */
	memset(huge, 'x', MT_SETTINGS_MAX_BYTES);
	memcpy(huge, "version=1\nview=", 15);
	mt_buf_reset(&w);
	assert_int_equal(mt_settings_parse(huge, MT_SETTINGS_MAX_BYTES, "rc",
					   &s, &w),
			 MT_SETTINGS_PARTIAL);
	assert_true(w.len < 400);
	free(huge);
	mt_buf_free(&w);
}

/* Write and read back: every combination of the discrete settings, and
 * intervals on the millisecond grid. */
static void test_round_trip(void **state)
{
	(void)state;
	uint64_t seed = g_seed;
	struct mt_buf text = {0}, w = {0};
	for (int i = 0; i < 2000; i++) {
		struct mt_settings a = {
			.sort = (enum mt_sort_key)(i % MT_SORT_COUNT),
			.sort_desc = (i >> 3) & 1,
			.view = (i >> 4) % 3,
			.show_kthreads = (i >> 5) & 1,
			.omit_file_backed = (i >> 6) & 1,
			.omit_unfaulted = (i >> 7) & 1,
			.show_hist = rnd(&seed, 2),
			.hist_counts = rnd(&seed, 2),
			.hist_log = rnd(&seed, 2),
			.show_cmdline = rnd(&seed, 2),
			.show_delta = rnd(&seed, 2),
			.interval_s = (double)(10 + rnd(&seed, 86400000 - 10)) /
				      1000.0,
		};
		if (i == 0)
			a.interval_s = 0.01;
		if (i == 1)
			a.interval_s = 86400;
		mt_buf_reset(&text);
		mt_settings_format(&text, &a);
		struct mt_settings b;
		mt_buf_reset(&w);
		enum mt_settings_status st =
			mt_settings_parse(text.data, text.len, "rc", &b, &w);
		if (st != MT_SETTINGS_LOADED || !settings_equal(&a, &b))
			fail_msg("round trip failed (seed %llu):\n%s%s",
				 (unsigned long long)g_seed, text.data, w.data);
	}
	mt_buf_free(&text);
	mt_buf_free(&w);
}

/* Numbers do not depend on the locale the viewer runs in: under a
 * decimal-comma locale (installed ones, else one built with localedef into
 * the test directory) "0.5" still reads and writes as 0.5. */
static void test_locale(void **state)
{
	(void)state;
	static const char *const locales[] = {"de_DE.UTF-8", "de_DE.utf8",
					      "fr_FR.UTF-8"};
	const char *got = NULL;
	for (size_t i = 0; i < MT_ARRAY_SIZE(locales) && !got; i++)
		got = setlocale(LC_ALL, locales[i]);
	if (!got) {
		char cmd[700];
		snprintf(cmd, sizeof(cmd),
			 "localedef -i de_DE -f UTF-8 '%s/de_DE.UTF-8' "
			 ">/dev/null 2>&1", g_dir);
		if (system(cmd) == 0) {
			setenv("LOCPATH", g_dir, 1);
			got = setlocale(LC_ALL, "de_DE.UTF-8");
		}
	}
	bool comma = false;
	if (got) {
		char probe[16];
		snprintf(probe, sizeof(probe), "%g", 0.5);
		comma = strcmp(probe, "0,5") == 0;
	}
	struct mt_settings s, d;
	mt_settings_defaults(&d);
	d.interval_s = 0.5;
	struct mt_buf text = {0}, w = {0};
	mt_settings_format(&text, &d);
	bool wrote = strstr(text.data, "interval=0.5\n") != NULL;
	enum mt_settings_status st =
		mt_settings_parse(text.data, text.len, "rc", &s, &w);
	setlocale(LC_ALL, "C");
	unsetenv("LOCPATH");
	assert_true(wrote);
	assert_int_equal(st, MT_SETTINGS_LOADED);
	assert_true(s.interval_s == 0.5);
	mt_buf_free(&text);
	mt_buf_free(&w);
	if (!comma)
		skip(); /* no decimal-comma locale: checked in "C" only */
}

/* Random bytes and mutated good files never crash the parser and never
 * leave a setting out of range. */
static void test_parse_random(void **state)
{
	(void)state;
	uint64_t seed = g_seed ^ 0x1234;
	static const char good[] =
		"version=1\nsort=thp\nsort_descending=0\nview=folios\n"
		"kernel_threads=1\nomit_file_backed=1\nomit_unfaulted_vmas=0\n"
		"interval=1.5\n";
	static const char alphabet[] = "=\n\r #;01.9aeiostvw\x00\xff\x1b";
	struct mt_buf w = {0};
	char buf[512];
	for (int i = 0; i < 30000; i++) {
		size_t len;
		if (i % 2) {
			len = rnd(&seed, sizeof(buf));
			for (size_t j = 0; j < len; j++)
				buf[j] = i % 4 == 1
						 ? (char)rnd(&seed, 256)
						 : alphabet[rnd(&seed,
								sizeof(alphabet) - 1)];
		} else {
			len = sizeof(good) - 1;
			memcpy(buf, good, len);
			int edits = 1 + (int)rnd(&seed, 4);
			for (int k = 0; k < edits; k++) {
				size_t at = rnd(&seed, len);
				buf[at] = alphabet[rnd(&seed, sizeof(alphabet) - 1)];
			}
			if (rnd(&seed, 4) == 0)
				len = rnd(&seed, len + 1); /* truncated */
		}
		struct mt_settings s;
		mt_buf_reset(&w);
		enum mt_settings_status st =
			mt_settings_parse(buf, len, "rc", &s, &w);
		if ((unsigned)s.sort >= MT_SORT_COUNT ||
		    (unsigned)s.view >= MT_SETTINGS_VIEW_COUNT || !(s.interval_s >= 0.01 && s.interval_s <= 86400))
			fail_msg("out of range after random input (seed %llu, "
				 "case %d)", (unsigned long long)g_seed, i);
		assert_true(st <= MT_SETTINGS_FOREIGN);
		if (st == MT_SETTINGS_FOREIGN)
			assert_true(is_default(&s));
		if (st == MT_SETTINGS_LOADED || st == MT_SETTINGS_MISSING)
			assert_int_equal(w.len, 0);
		else
			assert_true(w.len > 0 && lines_of(&w) <= 6);
	}
	mt_buf_free(&w);
}

/* ---- files -------------------------------------------------------------- */

static void test_load(void **state)
{
	(void)state;
	struct mt_settings s;
	struct mt_buf w = {0};
	assert_int_equal(mt_settings_load(in_dir("none/memtoprc"), &s, &w),
			 MT_SETTINGS_MISSING);
	assert_int_equal(w.len, 0);
	assert_true(is_default(&s));
	assert_int_equal(mt_settings_load(NULL, &s, &w), MT_SETTINGS_MISSING);

	const char *p = in_dir("good");
	write_file(p, "version=1\nview=mappable\n", 24);
	assert_int_equal(mt_settings_load(p, &s, &w), MT_SETTINGS_LOADED);
	assert_int_equal(s.view, 1);

	/* a directory, a fifo (must not block), /dev/zero */
	assert_int_equal(mt_settings_load(g_dir, &s, &w), MT_SETTINGS_FOREIGN);
	assert_true(w.len > 0 && is_default(&s));
	const char *fifo = in_dir("fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	mt_buf_reset(&w);
	assert_int_equal(mt_settings_load(fifo, &s, &w), MT_SETTINGS_FOREIGN);
	assert_non_null(strstr(w.data, "not a regular file"));
	mt_buf_reset(&w);
	assert_int_equal(mt_settings_load("/dev/zero", &s, &w),
			 MT_SETTINGS_FOREIGN);
	/* unreadable (only meaningful without CAP_DAC_OVERRIDE) */
	const char *locked = in_dir("locked");
	write_file(locked, "version=1\n", 10);
	chmod(locked, 0);
	int fd = open(locked, O_RDONLY);
	if (fd >= 0) {
		close(fd); /* root reads it anyway */
	} else {
		mt_buf_reset(&w);
		assert_int_equal(mt_settings_load(locked, &s, &w),
				 MT_SETTINGS_FOREIGN);
		assert_non_null(strstr(w.data, "ermission"));
	}
	mt_buf_free(&w);
}

static void test_save(void **state)
{
	(void)state;
	struct mt_settings a, b;
	mt_settings_defaults(&a);
	a.sort = MT_SORT_THP;
	a.view = 2;
	a.interval_s = 0.75;
	a.omit_unfaulted = true;
	struct mt_buf w = {0};

	/* missing directories are made, private */
	const char *p = in_dir("cfg/memtop/memtoprc");
	assert_int_equal(mt_settings_save(p, &a), 0);
	struct stat st;
	assert_int_equal(stat(in_dir("cfg/memtop"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(mt_settings_load(p, &b, &w), MT_SETTINGS_LOADED);
	assert_true(settings_equal(&a, &b));
	assert_int_equal(dir_entries(in_dir("cfg/memtop")), 1);

	/* replaced, mode kept */
	chmod(p, 0640);
	a.sort = MT_SORT_PID;
	assert_int_equal(mt_settings_save(p, &a), 0);
	assert_int_equal(mt_settings_load(p, &b, &w), MT_SETTINGS_LOADED);
	assert_int_equal(b.sort, MT_SORT_PID);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	assert_int_equal(dir_entries(in_dir("cfg/memtop")), 1);

	/* a file with bad values is still ours: replaced */
	write_file(p, "version=1\nview=bogus\n", 21);
	assert_int_equal(mt_settings_save(p, &a), 0);
	assert_int_equal(mt_settings_load(p, &b, &w), MT_SETTINGS_LOADED);

	/* an empty file too */
	write_file(p, "", 0);
	assert_int_equal(mt_settings_save(p, &a), 0);
	assert_int_equal(mt_settings_load(p, &b, &w), MT_SETTINGS_LOADED);

	/* someone else's file, or a newer memtop's, is left alone */
	static const char *const others[] = {
		"export EDITOR=vi\n",
		"version=2\nsort=rss\n",
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(others); i++) {
		write_file(p, others[i], strlen(others[i]));
		assert_int_equal(mt_settings_save(p, &a), -EEXIST);
		char *now = slurp(p);
		assert_string_equal(now, others[i]);
		free(now);
		assert_int_equal(dir_entries(in_dir("cfg/memtop")), 1);
	}
	/* so is a fifo */
	const char *fifo = in_dir("cfg/fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(mt_settings_save(fifo, &a), -EEXIST);

	/* a symbolic link stays a link; its target is replaced */
	const char *target = in_dir("cfg/real-memtoprc");
	write_file(target, "version=1\n", 10);
	const char *link = in_dir("cfg/link-memtoprc");
	assert_int_equal(symlink("real-memtoprc", link), 0);
	assert_int_equal(mt_settings_save(link, &a), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(mt_settings_load(target, &b, &w), MT_SETTINGS_LOADED);
	assert_int_equal(b.sort, MT_SORT_PID);

	/* a path below a regular file cannot be made */
	assert_true(mt_settings_save(in_dir("cfg/real-memtoprc/x"), &a) < 0);
	assert_int_equal(mt_settings_save(NULL, &a), -EINVAL);
	mt_buf_free(&w);
}

/* ---- atomic replacement ------------------------------------------------- */

static void put_text(FILE *f, void *arg)
{
	fputs(arg, f);
}

static void broken_writer(FILE *f, void *arg)
{
	fputs(arg, f);
	fflush(f);
	/* the descriptor goes away: the final flush and fsync fail */
	close(fileno(f));
	fputs("more", f);
}

static void test_atomic_basic(void **state)
{
	(void)state;
	const char *d = in_dir("atomic");
	assert_int_equal(mkdir(d, 0755), 0);
	mode_t old = umask(022);
	const char *p = in_dir("atomic/m.prom");
	assert_int_equal(mt_write_file_atomic(p, put_text, (void *)"one\n"), 0);
	char *t = slurp(p);
	assert_string_equal(t, "one\n");
	free(t);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	umask(077);
	chmod(p, 0604);
	assert_int_equal(mt_write_file_atomic(p, put_text, (void *)"two\n"), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0604);
	umask(old);
	assert_int_equal(dir_entries(d), 1);

	/* failures change nothing and leave no temporary file */
	assert_int_equal(mt_write_file_atomic(in_dir("atomic/no/such"),
					      put_text, (void *)"x"),
			 -ENOENT);
	assert_int_equal(mt_write_file_atomic(d, put_text, (void *)"x"),
			 -EISDIR);
	assert_int_equal(mt_write_file_atomic(in_dir("atomic/"), put_text,
					      (void *)"x"),
			 -EISDIR);
	int r = mt_write_file_atomic(p, broken_writer, (void *)"partial");
	assert_true(r < 0);
	t = slurp(p);
	assert_string_equal(t, "two\n");
	free(t);
	assert_int_equal(dir_entries(d), 1);
	assert_int_equal(mt_write_file_atomic(NULL, put_text, NULL), -EINVAL);
	assert_int_equal(mt_write_file_atomic("", put_text, NULL), -EINVAL);

	/* a name without a directory part is relative to the cwd */
	char cwd[512];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d), 0);
	assert_int_equal(mt_write_file_atomic("rel", put_text, (void *)"r"), 0);
	assert_int_equal(chdir(cwd), 0);
	t = slurp(in_dir("atomic/rel"));
	assert_string_equal(t, "r");
	free(t);
}

static int64_t elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 +
	       (b->tv_nsec - a->tv_nsec);
}

/* A reader that opens the file again and again sees one whole version
 * each time, never a truncated or mixed one. */
static void test_atomic_readers(void **state)
{
	(void)state;
	const char *d = in_dir("race");
	assert_int_equal(mkdir(d, 0755), 0);
	char path[512];
	snprintf(path, sizeof(path), "%s/m.prom", d);
	/* two versions of different sizes, each ending in a marker */
	struct mt_buf v[2] = {{0}, {0}};
	for (int i = 0; i < 2; i++) {
		for (int k = 0; k < (i ? 3000 : 200); k++)
			mt_buf_printf(&v[i], "line %d of version %d\n", k, i);
		mt_buf_printf(&v[i], "END %d\n", i);
	}
	assert_int_equal(mt_write_file_atomic(path, put_text, v[0].data), 0);
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	pid_t child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(pfd[0]);
		unsigned bad = 0, reads = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			char *t = slurp(path);
			reads++;
			if (!t || (strcmp(t, v[0].data) && strcmp(t, v[1].data)))
				bad++;
			free(t);
			clock_gettime(CLOCK_MONOTONIC, &t1);
		} while (elapsed_ns(&t0, &t1) < 1000000000);
		unsigned res[2] = {bad, reads};
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	int writes = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		assert_int_equal(mt_write_file_atomic(path, put_text,
						      v[writes & 1].data),
				 0);
		writes++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (elapsed_ns(&t0, &t1) < 1000000000);
	unsigned res[2] = {0, 0};
	assert_int_equal(read(pfd[0], res, sizeof(res)), sizeof(res));
	close(pfd[0]);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (res[0])
		fail_msg("%u of %u reads saw a partial file (%d writes)", res[0],
			 res[1], writes);
	assert_true(res[1] > 10 && writes > 10);
	assert_int_equal(dir_entries(d), 1);
	mt_buf_free(&v[0]);
	mt_buf_free(&v[1]);
}

/* Saving keeps what memtop did not understand: unknown keys, comments,
 * lines that are not key=value, and a bad value the user did not change;
 * it changes only the keys whose value changed. */
static void test_update_keeps_unknown(void **state)
{
	(void)state;
	const char *in = "# mine\nversion=1\nsort=zzz\nfoo=bar\nnot a line\n"
			 "view=present\ninterval=2\n";
	struct mt_settings s, back;
	struct mt_buf w = {0}, out = {0};
	assert_int_equal(mt_settings_parse(in, strlen(in), "rc", &s, &w),
			 MT_SETTINGS_PARTIAL);
	/* nothing changed: the text comes back as it was */
	mt_settings_update_text(&out, in, strlen(in), &s);
	assert_string_equal(out.data, in);
	/* the view changed: that line only; the bad sort is kept */
	s.view = MT_SETTINGS_VIEW_FOLIOS;
	s.show_kthreads = true;
	mt_buf_reset(&out);
	mt_settings_update_text(&out, in, strlen(in), &s);
	assert_string_equal(out.data,
			    "# mine\nversion=1\nsort=zzz\nfoo=bar\nnot a line\n"
			    "view=folios\ninterval=2\nkernel_threads=1\n");
	mt_buf_reset(&w);
	mt_settings_parse(out.data, out.len, "rc", &back, &w);
	assert_int_equal(back.view, MT_SETTINGS_VIEW_FOLIOS);
	assert_true(back.show_kthreads);
	/* the sort changed: the bad line is replaced */
	s.sort = MT_SORT_PID;
	mt_buf_reset(&out);
	mt_settings_update_text(&out, in, strlen(in), &s);
	assert_non_null(strstr(out.data, "\nsort=pid\n"));
	assert_null(strstr(out.data, "zzz"));
	assert_non_null(strstr(out.data, "\nfoo=bar\n"));
	/* no newline at the end of the file */
	mt_buf_reset(&out);
	mt_settings_update_text(&out, "version=1\nfoo=1", 15, &s);
	assert_non_null(strstr(out.data, "foo=1\n"));
	mt_buf_free(&w);
	mt_buf_free(&out);
}

static void test_save_keeps_unknown(void **state)
{
	(void)state;
	const char *p = in_dir("rc-unknown");
	const char *in = "version=1\nview=bogus\nfoo=bar\n";
	write_file(p, in, strlen(in));
	struct mt_settings s;
	struct mt_buf w = {0}, back = {0};
	assert_int_equal(mt_settings_load(p, &s, &w), MT_SETTINGS_PARTIAL);
	s.sort = MT_SORT_RSS;
	assert_int_equal(mt_settings_save(p, &s), 0);
	FILE *f = fopen(p, "r");
	assert_non_null(f);
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "foo=bar\n"));
	assert_non_null(strstr(buf, "view=bogus\n"));
	assert_non_null(strstr(buf, "sort=rss\n"));
	mt_buf_free(&w);
	mt_buf_free(&back);
}

int main(void)
{
	const char *env = getenv("MEMTOP_TEST_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_from),
		cmocka_unit_test(test_path_env),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_bad_values),
		cmocka_unit_test(test_parse_many_warnings),
		cmocka_unit_test(test_parse_foreign),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test_setup_teardown(test_locale, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test_setup_teardown(test_load, setup_dir,
						teardown_dir),
		cmocka_unit_test(test_update_keeps_unknown),
		cmocka_unit_test_setup_teardown(test_save_keeps_unknown,
						setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_save, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_atomic_basic, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_atomic_readers, setup_dir,
						teardown_dir),
	};
	if (env && *env)
		g_seed = strtoull(env, NULL, 0);
	else
		g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	printf("test_settings: seed %llu (MEMTOP_TEST_SEED=%llu to repeat)\n",
	       (unsigned long long)g_seed, (unsigned long long)g_seed);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
