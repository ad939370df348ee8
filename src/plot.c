/*
 * plot.c - time plots rendered to text rows.
 */
#include <math.h>
#include <string.h>

#include "memtop/plot.h"

int mt_plot_samples_per_cell(enum mt_plot_style style)
{
	return style == MT_PLOT_BRAILLE ? 2 : 1;
}

static double clean(double x)
{
	return (isnan(x) || x < 0) ? 0 : x;
}

/* Height of a sample in units (dots or eighths), 0..full. A non-zero value
 * is at least one unit high so small figures stay visible. */
static int level(double x, double vmax, int full)
{
	x = clean(x);
	if (x <= 0 || vmax <= 0)
		return 0;
	if (x >= vmax)
		return full;
	int l = (int)ceil(x / vmax * full);
	return l < 1 ? 1 : (l > full ? full : l);
}

/* UTF-8 of U+2800 + bits (braille) */
static void add_braille(struct mt_buf *b, unsigned bits)
{
	unsigned cp = 0x2800 + bits;
	char u[3] = {(char)(0xe0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3f)),
		     (char)(0x80 | (cp & 0x3f))};
	mt_buf_add(b, u, 3);
}

static const char *const eighths[9] = {" ", "\xe2\x96\x81", "\xe2\x96\x82",
				       "\xe2\x96\x83", "\xe2\x96\x84",
				       "\xe2\x96\x85", "\xe2\x96\x86",
				       "\xe2\x96\x87", "\xe2\x96\x88"};

void mt_plot(const double *v, size_t n, double vmax, int width, int height,
	     enum mt_plot_style style, struct mt_buf *rows)
{
	if (width <= 0 || height <= 0)
		return;
	for (int r = 0; r < height; r++)
		mt_buf_reset(&rows[r]);
	if (vmax <= 0)
		for (size_t i = 0; i < n; i++)
			vmax = clean(v[i]) > vmax ? clean(v[i]) : vmax;
	int per = mt_plot_samples_per_cell(style);
	size_t cap = (size_t)width * (size_t)per;
	size_t shown = n < cap ? n : cap;
	const double *s = v + (n - shown);
	/* sample index of the first cell's first slot: right aligned */
	long first = (long)cap - (long)shown;
	int unit = style == MT_PLOT_BRAILLE ? 4 : 8;
	int full = height * unit;

	for (int r = 0; r < height; r++) {
		/* units of this row, counted from the bottom */
		int lo = (height - 1 - r) * unit;
		for (int c = 0; c < width; c++) {
			if (style == MT_PLOT_BRAILLE) {
				/* dot bits: left column 0,1,2,6 top to bottom,
				 * right column 3,4,5,7 */
				static const unsigned left[4] = {0x40, 0x04, 0x02, 0x01};
				static const unsigned right[4] = {0x80, 0x20, 0x10, 0x08};
				unsigned bits = 0;
				for (int k = 0; k < 2; k++) {
					long i = (long)c * 2 + k - first;
					if (i < 0)
						continue;
					int l = level(s[i], vmax, full) - lo;
					for (int d = 0; d < 4 && d < l; d++)
						bits |= (k ? right : left)[d];
				}
				if (bits)
					add_braille(&rows[r], bits);
				else
					mt_buf_addc(&rows[r], ' ');
				continue;
			}
			long i = (long)c - first;
			int l = i < 0 ? 0 : level(s[i], vmax, full) - lo;
			if (l <= 0)
				mt_buf_addc(&rows[r], ' ');
			else if (style == MT_PLOT_ASCII)
				mt_buf_addc(&rows[r], l >= 8 ? '#' : '.');
			else
				mt_buf_add(&rows[r], eighths[l >= 8 ? 8 : l],
					   strlen(eighths[l >= 8 ? 8 : l]));
		}
	}
}
