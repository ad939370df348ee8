/*
 * diff.h - two scans compared: per process and per VMA, the bytes that
 * became huge (or stopped being), and the PMD mappings made and split.
 *
 * Scans of one boot (the recordings' boot ids say so) match processes by
 * pid and start time, and VMAs by their range. Across boots (before and after a
 * kernel upgrade) pids mean nothing: processes are matched by name,
 * those of one name summed, and VMAs are not compared.
 */
#ifndef MEMTOP_DIFF_H
#define MEMTOP_DIFF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "memtop/output.h"
#include "memtop/snapshot.h"

/* A figure in both scans; MT_UNKNOWN where one cannot know it. */
struct mt_diff_fig {
	uint64_t a, b;
};

struct mt_diff_vma {
	uint64_t start, end;
	const char *path;            /* "" for none */
	struct mt_diff_fig rss;      /* bytes present */
	struct mt_diff_fig pmd;      /* bytes mapped by PMDs */
	struct mt_diff_fig folio;    /* bytes in large folios */
	uint64_t made, split;        /* PMD mappings more, fewer */
};

struct mt_diff_proc {
	pid_t pid_a, pid_b;          /* 0: not in that scan (by name: 0) */
	size_t nproc_a, nproc_b;     /* processes summed (by name) */
	const char *name;
	struct mt_diff_fig rss, pmd, folio;
	uint64_t made, split;
	struct mt_diff_vma *vmas;    /* changed VMAs, most changed first */
	size_t nvmas;
};

struct mt_diff {
	bool by_pid;                 /* else by name */
	unsigned page_size, pmd_order;
	struct mt_diff_fig rss, pmd, folio;
	uint64_t made, split;
	struct mt_diff_proc *procs;  /* most changed first */
	size_t nprocs;
};

/* Compare scan a with scan b (same page size); by_pid as above. */
struct mt_diff *mt_diff_new(const struct mt_snapshot *a,
			    const struct mt_snapshot *b, bool by_pid);
void mt_diff_free(struct mt_diff *d);

/* A figure as text: "12M", "?" when not known. A change: "+12M", "-3.0G",
 * "0", "?". */
void mt_diff_fmt_fig(char *b, size_t len, uint64_t v);
void mt_diff_fmt_delta(char *b, size_t len, struct mt_diff_fig f);

/* --diff A B: A and B are recordings ("FILE": its last scan) or moments
 * of them ("FILE@TIME", record.h mt_replay_moment). Text, or JSON.
 * Returns the exit status (1: a file could not be read, 2: a bad
 * moment). */
int mt_diff_run(const char *a, const char *b, bool json,
		const struct mt_output_opts *o, FILE *out, FILE *err);

#endif
