/*
 * format.c - bars, labels and safe text for the viewer. Pure functions:
 * they fill buffers; the panes put the result on the screen.
 */
#include "ui_format.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "memtop/escape.h"
#include "memtop/probe.h"
#include "memtop/units.h"

/* ---- bars ------------------------------------------------------------ */

enum ui_band ui_order_band(unsigned order, unsigned pmd_order)
{
	if (order == 0)
		return UI_BAND_SMALL;
	if (order >= pmd_order)
		return UI_BAND_PMD;
	if (order < 4) /* 8K..32K with 4K pages */
		return UI_BAND_LOW;
	return UI_BAND_HIGH;
}

const char *ui_band_glyph(enum ui_band b, bool utf8)
{
	static const char *const u[UI_BAND_COUNT] = {
		"\u2591", "\u2592", "\u2593", "\u2588", "\u259e",
	};
	static const char *const a[UI_BAND_COUNT] = { ".", "-", "=", "#", "~" };
	if (b < 0 || b >= UI_BAND_COUNT)
		return " ";
	return utf8 ? u[b] : a[b];
}

void ui_bar_cells(const struct ui_dist *d, int width, signed char *cell)
{
	if (width <= 0)
		return;
	for (int i = 0; i < width; i++)
		cell[i] = UI_BAR_EMPTY;
	/* slots: orders high to low, partial just before order 0 */
	uint64_t val[UI_MAX_ORD + 1];
	signed char id[UI_MAX_ORD + 1];
	int ns = 0;
	uint64_t sum = 0;
	for (unsigned o = d->nord; o-- > 1;) {
		val[ns] = d->pages[o];
		id[ns++] = (signed char)o;
	}
	val[ns] = d->partial;
	id[ns++] = UI_BAR_PARTIAL;
	val[ns] = d->nord ? d->pages[0] : 0;
	id[ns++] = 0;
	for (int i = 0; i < ns; i++)
		sum += val[i];
	if (!d->avail || sum == 0)
		return;
	int cells[UI_MAX_ORD + 1];
	double rem[UI_MAX_ORD + 1];
	int used = 0;
	for (int i = 0; i < ns; i++) {
		double q = (double)val[i] * width / (double)sum;
		cells[i] = (int)q;
		rem[i] = q - cells[i];
		used += cells[i];
	}
	while (used < width) { /* largest remainder first, earlier on ties */
		int best = -1;
		for (int i = 0; i < ns; i++)
			if (val[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		if (best < 0)
			break;
		cells[best]++;
		rem[best] = -1.0;
		used++;
	}
	int x = 0;
	for (int i = 0; i < ns; i++)
		for (int k = 0; k < cells[i] && x < width; k++)
			cell[x++] = id[i];
}

unsigned ui_bar_eighths(uint64_t v, uint64_t max, int width)
{
	if (v == 0 || max == 0 || width <= 0)
		return 0;
	unsigned full = (unsigned)width * 8u;
	if (v >= max)
		return full;
	double f = log2(1.0 + (double)v) / log2(1.0 + (double)max);
	unsigned e = (unsigned)lround(f * full);
	if (e < 1)
		e = 1;
	if (e >= full) /* only the maximum fills the whole width */
		e = full - 1;
	return e;
}

unsigned ui_hist_bar_eighths(uint64_t v, uint64_t max, int width,
			     bool log_scale)
{
	if (log_scale)
		return ui_bar_eighths(v, max, width);
	if (v == 0 || max == 0 || width <= 0)
		return 0;
	unsigned full = (unsigned)width * 8u;
	if (v >= max)
		return full;
	unsigned e = (unsigned)lround((double)v / (double)max * full);
	return e < 1 ? 1 : e;
}

const char *ui_bar_string(char *buf, size_t len, unsigned eighths, bool utf8)
{
	static const char *const part[8] = {
		"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b",
		"\u258a", "\u2589",
	};
	size_t o = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	const char *full = utf8 ? "\u2588" : "#";
	size_t fl = strlen(full);
	for (unsigned i = 0; i < eighths / 8 && o + fl < len; i++) {
		memcpy(buf + o, full, fl);
		o += fl;
	}
	unsigned r = eighths % 8;
	const char *p = utf8 ? part[r] : r == 0 ? "" : r >= 4 ? "+" : ".";
	size_t pl = strlen(p);
	if (o + pl < len) {
		memcpy(buf + o, p, pl);
		o += pl;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- labels ---------------------------------------------------------- */

const char *ui_order_label(char *buf, size_t len, unsigned page_size,
			   unsigned order)
{
	return mt_fmt_size(buf, len, (uint64_t)page_size << order);
}

const char *ui_fmt_pct(char *buf, size_t len, uint64_t part, uint64_t whole)
{
	if (whole == 0 || part == UINT64_MAX)
		snprintf(buf, len, "-");
	else if (part >= whole)
		snprintf(buf, len, "100");
	else if (part == 0)
		snprintf(buf, len, "0");
	else {
		double p = 100.0 * (double)part / (double)whole;
		if (p < 0.1)
			snprintf(buf, len, "<0.1");
		else if (p >= 99.95)
			snprintf(buf, len, ">99.9");
		else
			snprintf(buf, len, "%.1f", p);
	}
	return buf;
}

const char *ui_fmt_count(char *buf, size_t len, uint64_t n, int width)
{
	static const char suffix[] = "KMGTPE";
	int w = snprintf(buf, len, "%" PRIu64, n);
	if (w <= width)
		return buf;
	double v = (double)n;
	for (int i = 0; suffix[i]; i++) {
		v /= 1000.0;
		w = snprintf(buf, len, "%.1f%c", v, suffix[i]);
		if (w <= width && v < 100.0)
			return buf;
		w = snprintf(buf, len, "%.0f%c", v, suffix[i]);
		if (w <= width)
			return buf;
	}
	return buf;
}

const char *ui_fmt_interval(char *buf, size_t len, uint64_t ms)
{
	snprintf(buf, len, "%gs", (double)ms / 1000.0);
	return buf;
}

static const uint64_t interval_steps[] = {
	100, 250, 500, 1000, 2000, 3000, 5000, 10000, 30000, 60000,
};

uint64_t ui_interval_step(uint64_t ms, int dir)
{
	size_t n = MT_ARRAY_SIZE(interval_steps);
	if (dir > 0) {
		for (size_t i = 0; i < n; i++)
			if (interval_steps[i] > ms)
				return interval_steps[i];
		return MT_MAX(ms, interval_steps[n - 1]);
	}
	for (size_t i = n; i-- > 0;)
		if (interval_steps[i] < ms)
			return interval_steps[i];
	return MT_MIN(ms, interval_steps[0]);
}

const char *ui_fmt_rate(char *buf, size_t len, double per_s, bool valid)
{
	if (!valid || isnan(per_s))
		snprintf(buf, len, "-");
	else if (per_s == 0) /* a rate carries its unit: "0" reads as a total */
		snprintf(buf, len, "0/s");
	else if (fabs(per_s) < 10)
		snprintf(buf, len, "%.1f/s", per_s);
	else if (fabs(per_s) < 10000)
		snprintf(buf, len, "%.0f/s", per_s);
	else {
		char c[16];
		ui_fmt_count(c, sizeof(c), (uint64_t)fabs(per_s), 4);
		snprintf(buf, len, "%s%s/s", per_s < 0 ? "-" : "", c);
	}
	return buf;
}

const char *ui_fmt_delta(char *buf, size_t len, double bytes)
{
	char b[16];
	if (isnan(bytes) || fabs(bytes) < 0.5) {
		snprintf(buf, len, "0");
		return buf;
	}
	mt_fmt_size(b, sizeof(b), (uint64_t)(fabs(bytes) + 0.5));
	snprintf(buf, len, "%c%s", bytes < 0 ? '-' : '+', b);
	return buf;
}

const char *ui_fmt_slots(char *buf, size_t len, uint64_t slots, uint64_t full,
			 uint64_t touched, uint64_t mapped)
{
	if (slots == MT_UNKNOWN || full == MT_UNKNOWN ||
	    touched == MT_UNKNOWN || mapped == MT_UNKNOWN) {
		snprintf(buf, len, "-");
		return buf;
	}
	char m[16], f[16], p[16];
	ui_fmt_count(m, sizeof(m), mapped, 4);
	ui_fmt_count(f, sizeof(f), full, 4);
	ui_fmt_count(p, sizeof(p), touched > full ? touched - full : 0, 4);
	snprintf(buf, len, "%s/%s/%s", m, f, p);
	return buf;
}

/* ---- safe text ------------------------------------------------------- */

/* Decode the valid UTF-8 sequence of length l at s. */
static uint32_t utf8_decode(const unsigned char *s, size_t l)
{
	switch (l) {
	case 1: return s[0];
	case 2: return ((uint32_t)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
	case 3: return ((uint32_t)(s[0] & 0x0f) << 12) |
		       ((uint32_t)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
	default: return ((uint32_t)(s[0] & 0x07) << 18) |
			((uint32_t)(s[1] & 0x3f) << 12) |
			((uint32_t)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
	}
}

/* Cells of the character at s (l bytes); <= 0 for zero-width or
 * unprintable characters. */
static int char_width(const unsigned char *s, size_t l)
{
	if (l == 1)
		return s[0] >= 0x20 && s[0] < 0x7f ? 1 : -1;
	return wcwidth((wchar_t)utf8_decode(s, l));
}

void ui_sanitize(struct mt_buf *b, const char *s, size_t n, bool utf8)
{
	struct mt_buf t = { 0 };
	mt_escape_visible(&t, s, n, utf8);
	const unsigned char *p = (const unsigned char *)(t.data ? t.data : "");
	size_t len = t.len, i = 0;
	while (i < len) {
		size_t l = p[i] < 0x80 ? 1 : mt_utf8_seq_len(p + i, len - i);
		if (l == 0) { /* cannot happen after escaping; be safe */
			mt_buf_printf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (char_width(p + i, l) <= 0)
			mt_buf_printf(b, l == 1 ? "\\x%02x" : "\\u{%04x}",
				      (unsigned)utf8_decode(p + i, l));
		else
			mt_buf_add(b, p + i, l);
		i += l;
	}
	mt_buf_reserve(b, 1);
	b->data[b->len] = '\0';
	mt_buf_free(&t);
}

static size_t next_char(const unsigned char *p, bool utf8, int *w)
{
	size_t l = 1;
	if (utf8 && p[0] >= 0x80) {
		l = mt_utf8_seq_len(p, strnlen((const char *)p, 4));
		if (l == 0)
			l = 1;
	}
	*w = l == 1 ? 1 : char_width(p, l);
	if (*w <= 0)
		*w = 1;
	return l;
}

int ui_text_width(const char *s, bool utf8)
{
	int total = 0, w;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		p += next_char(p, utf8, &w);
		total += w;
	}
	return total;
}

size_t ui_text_fit(const char *s, int width, bool utf8, int *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t off = 0;
	int cells = 0, w;
	while (p[off]) {
		size_t l = next_char(p + off, utf8, &w);
		if (cells + w > width)
			break;
		cells += w;
		off += l;
	}
	if (used)
		*used = cells;
	return off;
}

size_t ui_text_tail(const char *s, int width, bool utf8)
{
	const unsigned char *p = (const unsigned char *)s;
	int total = ui_text_width(s, utf8), w;
	size_t off = 0;
	while (p[off] && total > width) {
		off += next_char(p + off, utf8, &w);
		total -= w;
	}
	return off;
}

size_t ui_wrap(const char *s, int width, bool utf8, size_t *next)
{
	size_t len = strlen(s);
	size_t n = ui_text_fit(s, MT_MAX(width, 0), utf8, NULL);
	size_t end = n, from = n;
	if (n < len) {
		if (n == 0) { /* nothing fits: skip one character */
			int w;
			from = next_char((const unsigned char *)s, utf8, &w);
		} else if (s[n] != ' ') {
			/* break after the last space that fits, if any */
			size_t k = n;
			while (k > 0 && s[k - 1] != ' ')
				k--;
			if (k > 0)
				end = from = k;
		}
	}
	while (end > 0 && s[end - 1] == ' ')
		end--;
	while (from < len && s[from] == ' ')
		from++;
	*next = from;
	return end;
}

int ui_wrap_lines(const char *s, int width, int indent, bool utf8)
{
	int lines = 0;
	size_t off = 0, next;
	while (s[off]) {
		int w = lines ? MT_MAX(width - indent, 1) : width;
		ui_wrap(s + off, w, utf8, &next);
		off += next;
		lines++;
	}
	return lines;
}

const char *ui_why_template(char *buf, size_t len, const char *text)
{
	size_t o = 0;
	if (!len)
		return buf;
	for (const char *t = text; *t && o + 1 < len; t++) {
		if (t[0] == '{' && t[1] >= '0' && t[1] <= '4' && t[2] == '}') {
			buf[o++] = 'N';
			t += 2;
			continue;
		}
		buf[o++] = *t;
	}
	buf[o] = '\0';
	return buf;
}

void ui_fmt_cmdline(struct mt_buf *b, const char *cmdline, size_t len,
		    const char *comm, bool kthread, bool utf8)
{
	size_t cl = comm ? strlen(comm) : 0;
	if (kthread || !cmdline || !len) {
		if (kthread)
			mt_buf_addc(b, '[');
		ui_sanitize(b, comm ? comm : "", cl, utf8);
		if (kthread)
			mt_buf_addc(b, ']');
		return;
	}
	/* argv[0] after its last '/' */
	const char *a0 = cmdline, *e0 = memchr(cmdline, '\0', len);
	size_t n0 = e0 ? (size_t)(e0 - cmdline) : len;
	for (size_t i = n0; i > 0; i--) {
		if (a0[i - 1] == '/') {
			a0 += i;
			n0 -= i;
			break;
		}
	}
	if (cl && (n0 < cl || memcmp(a0, comm, cl) != 0)) {
		ui_sanitize(b, comm, cl, utf8);
		mt_buf_addc(b, ' ');
	}
	ui_sanitize(b, a0, n0, utf8);
	size_t at = (size_t)(a0 - cmdline) + n0;
	while (at < len) { /* at is on the NUL after an argument */
		const char *arg = cmdline + at + 1;
		const char *end = memchr(arg, '\0', len - at - 1);
		size_t n = end ? (size_t)(end - arg) : len - at - 1;
		mt_buf_addc(b, ' ');
		ui_sanitize(b, arg, n, utf8);
		at += 1 + n;
	}
}
