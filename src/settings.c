/*
 * settings.c - the settings file: where it is, a parser that accepts any
 * bytes without harm, and an atomic writer that never replaces a file
 * that is not memtop's.
 *
 * Numbers are read and written without the C library's locale (the viewer
 * runs under setlocale(LC_ALL, ""), where "0.5" may not parse).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "memtop/atomicfile.h"
#include "memtop/settings.h"
#include "memtop/escape.h"
#include "memtop/parse.h"

#define MAX_WARNINGS 5
#define INTERVAL_MIN 0.01
#define INTERVAL_MAX 86400.0

static const char *const view_names[MT_SETTINGS_VIEW_COUNT] = {
	[MT_SETTINGS_VIEW_PRESENT] = "present",
	[MT_SETTINGS_VIEW_MAPPABLE] = "mappable",
	[MT_SETTINGS_VIEW_FOLIOS] = "folios",
};

void mt_settings_defaults(struct mt_settings *s)
{
	s->sort = MT_SORT_HIST;
	s->sort_desc = true;
	s->view = MT_SETTINGS_VIEW_PRESENT;
	s->show_kthreads = false;
	s->omit_file_backed = false;
	s->omit_unfaulted = false;
	s->interval_s = 2.0;
	s->show_hist = true;
	s->hist_counts = false;
	s->hist_log = false;
	s->show_cmdline = true;
	s->show_delta = false;
	s->read_only = false;
}

/* ---- path ------------------------------------------------------------------ */

static bool set(const char *v)
{
	return v && *v;
}

/* a + b without doubled slashes at the joint */
static char *join(const char *a, const char *b)
{
	size_t n = strlen(a);
	while (n > 1 && a[n - 1] == '/')
		n--;
	struct mt_buf out = {0};
	mt_buf_add(&out, a, n);
	if (!(n == 1 && a[0] == '/'))
		mt_buf_addc(&out, '/');
	mt_buf_add(&out, b, strlen(b));
	return out.data;
}

char *mt_settings_path_from(const char *memtoprc, const char *xdg,
			    const char *home)
{
	if (set(memtoprc))
		return xstrdup(memtoprc);
	if (set(xdg) && xdg[0] == '/')
		return join(xdg, "memtop/memtoprc");
	if (set(home))
		return join(home, ".config/memtop/memtoprc");
	return NULL;
}

char *mt_settings_path(void)
{
	const char *home = getenv("HOME");
	char *pwbuf = NULL;
	if (!set(home)) {
		struct passwd pw, *res = NULL;
		long sz = sysconf(_SC_GETPW_R_SIZE_MAX);
		size_t len = sz > 0 ? (size_t)sz : 16384;
		pwbuf = xmalloc(len);
		if (getpwuid_r(getuid(), &pw, pwbuf, len, &res) == 0 && res)
			home = res->pw_dir;
	}
	char *path = mt_settings_path_from(getenv("MEMTOPRC"),
					   getenv("XDG_CONFIG_HOME"), home);
	free(pwbuf);
	return path;
}

/* ---- parser ---------------------------------------------------------------- */

struct parse {
	const char *origin;
	struct mt_buf *warn;
	unsigned nwarn;
};

static void warn(struct parse *p, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void warn(struct parse *p, size_t line, const char *fmt, ...)
{
	p->nwarn++;
	if (!p->warn || p->nwarn > MAX_WARNINGS)
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mt_escape_visible(p->warn, p->origin, strlen(p->origin), 1);
	if (line)
		mt_buf_printf(p->warn, ":%zu", line);
	mt_buf_printf(p->warn, ": %s\n", msg);
}

/* A value quoted for a warning: visible bytes, at most 40 of them. */
static const char *shown(char *buf, size_t len, const char *v, size_t n)
{
	struct mt_buf b = {0};
	mt_escape_visible(&b, v, n > 40 ? 40 : n, 0);
	snprintf(buf, len, "'%s%s'", b.data ? b.data : "", n > 40 ? "..." : "");
	mt_buf_free(&b);
	return buf;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim [*s, *s + *n) of spaces at both ends. */
static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s))
		(*s)++, (*n)--;
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

static bool word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int parse_bool(const char *s, size_t n, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", "on"};
	static const char *const no[] = {"0", "false", "no", "off"};
	for (size_t i = 0; i < MT_ARRAY_SIZE(yes); i++) {
		if (word_is(s, n, yes[i])) {
			*out = true;
			return 0;
		}
		if (word_is(s, n, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* A non-negative decimal number: digits, optionally '.' and more digits;
 * no signs, exponents or locale. */
static int parse_decimal(const char *s, size_t n, double *out)
{
	double v = 0, scale = 1;
	bool dot = false, digits = false;
	if (n == 0 || n > 32)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' && !dot) {
			dot = true;
		} else if (s[i] >= '0' && s[i] <= '9') {
			digits = true;
			if (dot) {
				scale /= 10;
				v += (s[i] - '0') * scale;
			} else {
				v = v * 10 + (s[i] - '0');
			}
		} else {
			return -1;
		}
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

/* Positive integer, up to INT_MAX. */
static int parse_version(const char *s, size_t n, int *out)
{
	long v = 0;
	if (n == 0 || n > 9)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Split a line into key and value; false for blank and comment lines,
 * and with *key == NULL for a line without '='. */
static bool split_kv(const char *line, size_t n, const char **key,
		     size_t *klen, const char **val, size_t *vlen)
{
	trim(&line, &n);
	if (n == 0 || line[0] == '#' || line[0] == ';')
		return false;
	const char *eq = memchr(line, '=', n);
	if (!eq) {
		*key = NULL;
		return true;
	}
	*key = line;
	*klen = (size_t)(eq - line);
	*val = eq + 1;
	*vlen = n - *klen - 1;
	trim(key, klen);
	trim(val, vlen);
	return true;
}

/* Apply one key; -1 on a bad value (the key is then back to its
 * default), 0 otherwise (unknown keys included). */
static int apply(struct mt_settings *s, const char *k, size_t kn,
		 const char *v, size_t vn)
{
	struct mt_settings d;
	mt_settings_defaults(&d);
	bool b;
	if (word_is(k, kn, "sort")) {
		char name[16];
		enum mt_sort_key key;
		if (vn == 0 || vn >= sizeof(name))
			goto bad_sort;
		memcpy(name, v, vn);
		name[vn] = '\0';
		if (mt_sort_key_parse(name, &key) < 0)
			goto bad_sort;
		s->sort = key;
		return 0;
bad_sort:
		s->sort = d.sort;
		return -1;
	}
	if (word_is(k, kn, "sort_descending")) {
		if (parse_bool(v, vn, &b) < 0) {
			s->sort_desc = d.sort_desc;
			return -1;
		}
		s->sort_desc = b;
		return 0;
	}
	if (word_is(k, kn, "view")) {
		for (int i = 0; i < (int)MT_ARRAY_SIZE(view_names); i++) {
			if (word_is(v, vn, view_names[i]) ||
			    (vn == 1 && v[0] == '0' + i)) {
				s->view = (enum mt_settings_view)i;
				return 0;
			}
		}
		s->view = d.view;
		return -1;
	}
	if (word_is(k, kn, "interval")) {
		double x;
		if (parse_decimal(v, vn, &x) < 0 || x < INTERVAL_MIN ||
		    x > INTERVAL_MAX) {
			s->interval_s = d.interval_s;
			return -1;
		}
		/* to the millisecond, as it is used and written back */
		s->interval_s = floor(x * 1000.0 + 0.5) / 1000.0;
		return 0;
	}
	static const struct {
		const char *key;
		size_t off;
	} bools[] = {
		{"kernel_threads", offsetof(struct mt_settings, show_kthreads)},
		{"omit_file_backed",
		 offsetof(struct mt_settings, omit_file_backed)},
		{"omit_unfaulted_vmas",
		 offsetof(struct mt_settings, omit_unfaulted)},
		{"read_only", offsetof(struct mt_settings, read_only)},
		{"histogram_pane", offsetof(struct mt_settings, show_hist)},
		{"histogram_counts", offsetof(struct mt_settings, hist_counts)},
		{"histogram_log", offsetof(struct mt_settings, hist_log)},
		{"command_line", offsetof(struct mt_settings, show_cmdline)},
		{"huge_rate_column", offsetof(struct mt_settings, show_delta)},
	};
	for (size_t i = 0; i < MT_ARRAY_SIZE(bools); i++) {
		if (!word_is(k, kn, bools[i].key))
			continue;
		bool *field = (bool *)((char *)s + bools[i].off);
		if (parse_bool(v, vn, &b) < 0) {
			*field = *(const bool *)((const char *)&d + bools[i].off);
			return -1;
		}
		*field = b;
		return 0;
	}
	return 0; /* unknown: a newer memtop's key */
}

static bool only_space(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)text[i]))
			return false;
	return true;
}

enum mt_settings_status mt_settings_parse(const char *text, size_t len,
					  const char *origin,
					  struct mt_settings *s,
					  struct mt_buf *warnings)
{
	struct parse p = {origin ? origin : "memtoprc", warnings, 0};
	enum mt_settings_status st = MT_SETTINGS_LOADED;
	mt_settings_defaults(s);
	if (!text)
		len = 0;
	if (len > MT_SETTINGS_MAX_BYTES) {
		warn(&p, 0, "too large for a memtop settings file; using the "
			    "defaults and leaving it alone");
		return MT_SETTINGS_FOREIGN;
	}
	if (only_space(text, len))
		return MT_SETTINGS_MISSING;
	if (memchr(text, '\0', len)) {
		warn(&p, 0, "not a text file; using the defaults and leaving "
			    "it alone");
		return MT_SETTINGS_FOREIGN;
	}

	/* First the version: without it the file is not ours. */
	size_t pos = 0, n, lineno = 0, vline = 0;
	const char *line, *k, *v;
	size_t kn, vn;
	int version = 0;
	bool bad_version = false;
	while ((line = mt_next_line(text, len, &pos, &n))) {
		lineno++;
		if (!split_kv(line, n, &k, &kn, &v, &vn) || !k ||
		    !word_is(k, kn, "version"))
			continue;
		vline = lineno;
		bad_version = parse_version(v, vn, &version) < 0;
	}
	if (!vline) {
		warn(&p, 0, "no version=%d line: not a memtop settings file; "
			    "using the defaults and leaving it alone",
		     MT_SETTINGS_VERSION);
		return MT_SETTINGS_FOREIGN;
	}
	if (bad_version) {
		warn(&p, vline, "bad version; using the defaults and leaving "
				"the file alone");
		return MT_SETTINGS_FOREIGN;
	}
	if (version > MT_SETTINGS_VERSION) {
		warn(&p, vline, "written by a newer memtop (settings version "
				"%d); using the defaults and leaving it alone",
		     version);
		return MT_SETTINGS_FOREIGN;
	}

	pos = 0;
	lineno = 0;
	while ((line = mt_next_line(text, len, &pos, &n))) {
		lineno++;
		if (!split_kv(line, n, &k, &kn, &v, &vn))
			continue;
		if (!k) {
			char q[64];
			warn(&p, lineno, "not key=value: %s",
			     shown(q, sizeof(q), line, n));
			st = MT_SETTINGS_PARTIAL;
			continue;
		}
		if (word_is(k, kn, "version"))
			continue;
		if (apply(s, k, kn, v, vn) < 0) {
			char qk[64], qv[64];
			warn(&p, lineno, "bad value %s for %s; using the default",
			     shown(qv, sizeof(qv), v, vn),
			     shown(qk, sizeof(qk), k, kn));
			st = MT_SETTINGS_PARTIAL;
		}
	}
	if (p.warn && p.nwarn > MAX_WARNINGS) {
		mt_escape_visible(p.warn, p.origin, strlen(p.origin), 1);
		mt_buf_printf(p.warn, ": %u more problems\n",
			      p.nwarn - MAX_WARNINGS);
	}
	return st;
}

/* ---- files ----------------------------------------------------------------- */

/* Read a regular file of at most MT_SETTINGS_MAX_BYTES + 1 bytes.
 * 0, or -errno (-EFTYPE-like cases as -EINVAL). */
static int read_small(const char *path, struct mt_buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	mt_buf_reset(b);
	for (;;) {
		mt_buf_reserve(b, 4096);
		ssize_t r = read(fd, b->data + b->len, 4096);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		b->data[b->len] = '\0';
		if (b->len > MT_SETTINGS_MAX_BYTES)
			break;
	}
	close(fd);
	return 0;
}

enum mt_settings_status mt_settings_load(const char *path,
					 struct mt_settings *s,
					 struct mt_buf *warnings)
{
	mt_settings_defaults(s);
	if (!path)
		return MT_SETTINGS_MISSING;
	struct mt_buf b = {0};
	int r = read_small(path, &b);
	if (r == -ENOENT) {
		mt_buf_free(&b);
		return MT_SETTINGS_MISSING;
	}
	if (r < 0) {
		if (warnings) {
			mt_escape_visible(warnings, path, strlen(path), 1);
			mt_buf_printf(warnings, ": %s; using the defaults\n",
				      r == -EINVAL ? "not a regular file"
						   : strerror(-r));
		}
		mt_buf_free(&b);
		return MT_SETTINGS_FOREIGN;
	}
	enum mt_settings_status st =
		mt_settings_parse(b.data, b.len, path, s, warnings);
	mt_buf_free(&b);
	return st;
}

/* Interval as seconds with up to three decimals, without the locale. */
static void format_interval(struct mt_buf *out, double v)
{
	if (!(v >= INTERVAL_MIN && v <= INTERVAL_MAX))
		v = 2.0;
	unsigned long long ms = (unsigned long long)(v * 1000.0 + 0.5);
	mt_buf_printf(out, "%llu", ms / 1000);
	unsigned frac = (unsigned)(ms % 1000);
	if (frac) {
		char d[4];
		snprintf(d, sizeof(d), "%03u", frac);
		size_t n = 3;
		while (n > 1 && d[n - 1] == '0')
			n--;
		mt_buf_addc(out, '.');
		mt_buf_add(out, d, n);
	}
}

void mt_settings_format(struct mt_buf *out, const struct mt_settings *s)
{
	enum mt_settings_view view = (unsigned)s->view < MT_SETTINGS_VIEW_COUNT
					     ? s->view
					     : MT_SETTINGS_VIEW_PRESENT;
	mt_buf_printf(out,
		      "# memtop settings: written by memtop when they change "
		      "in the viewer; see memtop(1).\n"
		      "version=%d\n"
		      "sort=%s\n"
		      "sort_descending=%d\n"
		      "view=%s\n"
		      "kernel_threads=%d\n"
		      "omit_file_backed=%d\n"
		      "omit_unfaulted_vmas=%d\n"
		      "interval=",
		      MT_SETTINGS_VERSION, mt_sort_key_name(s->sort),
		      s->sort_desc, view_names[view], s->show_kthreads,
		      s->omit_file_backed, s->omit_unfaulted);
	format_interval(out, s->interval_s);
	mt_buf_printf(out,
		      "\nhistogram_pane=%d\n"
		      "histogram_counts=%d\n"
		      "histogram_log=%d\n"
		      "command_line=%d\n"
		      "huge_rate_column=%d\n",
		      s->show_hist, s->hist_counts, s->hist_log,
		      s->show_cmdline, s->show_delta);
	if (s->read_only)
		MT_BUF_LIT(out, "read_only=1\n");
}

/* The keys memtop writes, and each one's value in s as written. */
static const char *const keys[] = {
	"sort", "sort_descending", "view", "kernel_threads",
	"omit_file_backed", "omit_unfaulted_vmas", "interval", "read_only",
	"histogram_pane", "histogram_counts", "histogram_log", "command_line",
	"huge_rate_column",
};

static void key_value(struct mt_buf *out, const struct mt_settings *s,
		      size_t i)
{
	enum mt_settings_view view = (unsigned)s->view < MT_SETTINGS_VIEW_COUNT
					     ? s->view
					     : MT_SETTINGS_VIEW_PRESENT;
	mt_buf_reset(out);
	switch (i) {
	case 0: mt_buf_printf(out, "%s", mt_sort_key_name(s->sort)); break;
	case 1: mt_buf_printf(out, "%d", s->sort_desc); break;
	case 2: mt_buf_printf(out, "%s", view_names[view]); break;
	case 3: mt_buf_printf(out, "%d", s->show_kthreads); break;
	case 4: mt_buf_printf(out, "%d", s->omit_file_backed); break;
	case 5: mt_buf_printf(out, "%d", s->omit_unfaulted); break;
	case 6: format_interval(out, s->interval_s); break;
	case 7: mt_buf_printf(out, "%d", s->read_only); break;
	case 8: mt_buf_printf(out, "%d", s->show_hist); break;
	case 9: mt_buf_printf(out, "%d", s->hist_counts); break;
	case 10: mt_buf_printf(out, "%d", s->hist_log); break;
	case 11: mt_buf_printf(out, "%d", s->show_cmdline); break;
	default: mt_buf_printf(out, "%d", s->show_delta); break;
	}
	mt_buf_addc(out, '\0');
}

static bool same_value(const struct mt_settings *a,
		       const struct mt_settings *b, size_t i)
{
	struct mt_buf x = {0}, y = {0};
	key_value(&x, a, i);
	key_value(&y, b, i);
	bool same = strcmp(x.data, y.data) == 0;
	mt_buf_free(&x);
	mt_buf_free(&y);
	return same;
}

void mt_settings_update_text(struct mt_buf *out, const char *text,
			     size_t len, const struct mt_settings *s)
{
	struct mt_settings d;
	mt_settings_defaults(&d);
	bool seen[MT_ARRAY_SIZE(keys)] = {false};
	size_t pos = 0, n, kn, vn;
	const char *line, *k, *v;
	struct mt_buf val = {0};
	while (text && (line = mt_next_line(text, len, &pos, &n))) {
		size_t i = MT_ARRAY_SIZE(keys);
		if (split_kv(line, n, &k, &kn, &v, &vn) && k)
			for (i = 0; i < MT_ARRAY_SIZE(keys); i++)
				if (word_is(k, kn, keys[i]))
					break;
		if (i < MT_ARRAY_SIZE(keys)) {
			/* a key of ours: kept as written while it means
			 * what s holds (a bad value means the default) */
			struct mt_settings was = d;
			apply(&was, k, kn, v, vn);
			seen[i] = true;
			if (!same_value(&was, s, i)) {
				key_value(&val, s, i);
				mt_buf_printf(out, "%s=%s\n", keys[i],
					      val.data);
				continue;
			}
		}
		/* comments, unknown keys, lines not understood: as they
		 * were */
		mt_buf_add(out, line, n);
		mt_buf_addc(out, '\n');
	}
	for (size_t i = 0; i < MT_ARRAY_SIZE(keys); i++) {
		if (seen[i] || same_value(&d, s, i))
			continue;
		key_value(&val, s, i);
		mt_buf_printf(out, "%s=%s\n", keys[i], val.data);
	}
	mt_buf_free(&val);
}

static void write_buf(FILE *f, void *arg)
{
	const struct mt_buf *b = arg;
	fwrite(b->data, 1, b->len, f);
}

/* mkdir -p of the directory part of path, new directories 0700. */
static int make_parents(const char *path)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int err = 0;
	if (!slash || slash == dir)
		goto out;
	*slash = '\0';
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			err = -errno;
			goto out;
		}
		*p = c;
		if (!c)
			break;
	}
out:
	free(dir);
	return err;
}

int mt_settings_save(const char *path, const struct mt_settings *s)
{
	if (!path || !*path)
		return -EINVAL;
	struct mt_buf old = {0};
	int r = read_small(path, &old);
	bool update = false;
	if (r == 0) {
		struct mt_settings tmp;
		enum mt_settings_status st =
			mt_settings_parse(old.data, old.len, path, &tmp, NULL);
		if (st == MT_SETTINGS_FOREIGN)
			r = -EEXIST;
		else
			update = st != MT_SETTINGS_MISSING;
	} else if (r == -ENOENT) {
		r = make_parents(path);
	} else if (r == -EINVAL) {
		r = -EEXIST; /* a device or a fifo: not ours */
	}
	if (r < 0) {
		mt_buf_free(&old);
		return r;
	}
	struct mt_buf text = {0};
	if (update) /* keep what memtop does not know, change what it does */
		mt_settings_update_text(&text, old.data, old.len, s);
	else
		mt_settings_format(&text, s);
	mt_buf_free(&old);
	r = mt_write_file_atomic(path, write_buf, &text);
	mt_buf_free(&text);
	return r;
}
