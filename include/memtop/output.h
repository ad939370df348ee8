/*
 * output.h - batch renderers: plain text and JSON, both reading a snapshot.
 */
#ifndef MEMTOP_OUTPUT_H
#define MEMTOP_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "memtop/snapshot.h"

struct mt_output_opts {
	enum mt_sort_key sort;
	bool sort_set;             /* -s given: descending by that key */
	bool reverse;              /* -r: flip the order */
	bool omit_file_backed;
	bool omit_unfaulted;
	bool show_kthreads;
};

void mt_output_text(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o);
void mt_output_json(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o);

/* Whether a VMA is shown under the omit options. */
bool mt_vma_shown(const struct mt_vma *v, const struct mt_output_opts *o);

/* Format a byte count as 4K, 2M, 1.5G ... into buf. */
const char *mt_fmt_size(char *buf, size_t len, uint64_t bytes);

#endif
