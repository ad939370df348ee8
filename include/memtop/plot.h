/*
 * plot.h - small time plots as text: braille dots (2x4 per cell), eighth
 * blocks, or ASCII. Pure: values in, UTF-8 rows out; the UI prints them.
 */
#ifndef MEMTOP_PLOT_H
#define MEMTOP_PLOT_H

#include <stddef.h>
#include "memtop/util.h"

enum mt_plot_style {
	MT_PLOT_BRAILLE, /* 2 samples per cell, 4 dot rows per cell */
	MT_PLOT_BLOCKS,  /* 1 sample per cell, eighth blocks */
	MT_PLOT_ASCII,   /* 1 sample per cell, '#' full and '.' part cells */
};

/*
 * Render the newest values of v[0..n) (oldest first) right-aligned into
 * height rows of width cells; rows[0] is the top row. Each rows[i] is
 * reset and receives exactly width cells (spaces where empty). Values are
 * scaled to vmax (values above it are clipped; vmax <= 0 uses the largest
 * value); negative and NaN values count as zero.
 */
void mt_plot(const double *v, size_t n, double vmax, int width, int height,
	     enum mt_plot_style style, struct mt_buf *rows);

/* Samples one cell column holds in a style (2 for braille, else 1). */
int mt_plot_samples_per_cell(enum mt_plot_style style);

#endif
