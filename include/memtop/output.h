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
	struct mt_vma_filter vmas; /* --omit-file-backed, --omit-unfaulted-vmas */
	bool show_kthreads;
};

void mt_output_text(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o);
void mt_output_json(FILE *f, const struct mt_snapshot *s,
		    const struct mt_output_opts *o);

#endif
