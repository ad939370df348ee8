/*
 * scan.h - one pass over /proc producing a snapshot.
 *
 * A scan context keeps what lives between scans (the roots, read buffers,
 * the uid-to-name cache, probed privileges). mt_scan() never prints: every
 * skipped process or line is counted in the snapshot's stats.
 */
#ifndef MEMTOP_SCAN_H
#define MEMTOP_SCAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "memtop/procfs.h"
#include "memtop/snapshot.h"

enum mt_pagemap_method {
	MT_PM_AUTO,  /* PAGEMAP_SCAN where it helps, pread otherwise */
	MT_PM_SCAN,  /* insist on PAGEMAP_SCAN-guided reading */
	MT_PM_PREAD, /* batched pread of every VMA (the fallback path);
		      * the folio view still asks PAGEMAP_SCAN, where it
		      * exists, whether a PMD-order folio is PMD-mapped */
};

struct mt_scan_opts {
	unsigned max_order;        /* default: the PMD order */
	bool max_order_set;
	const pid_t *pids;         /* only these (sorted), when npids > 0 */
	size_t npids;
	bool uid_set;
	uid_t uid;                 /* only this user's processes */
	bool no_pfns;              /* act unprivileged: no mappable view */
	bool no_folios;            /* skip the folio view */
	bool smaps_all;            /* read smaps for every process */
	/* work out pmd_collapsible (collapse.h): reads smaps (and
	 * mountinfo) of the processes with a candidate slot */
	bool collapsible;
	pid_t smaps_pid;           /* read smaps for this one (0: none) */
	/* read the command lines (the viewer's COMMAND column): once per
	 * process, kept by pid and start time between scans */
	bool cmdline;
	enum mt_pagemap_method method;
	/* Keep VMA details (struct mt_vma) for at most this many VMAs in all,
	 * in pid order, and always for smaps_pid; other processes get their
	 * sums only. 0: every VMA (batch output needs them all). */
	size_t vma_detail_limit;
	/* pread fallback: VMAs larger than this are checked in smaps first
	 * and skipped when nothing in them is resident or swapped */
	uint64_t sparse_guard_bytes;
	atomic_bool *cancel;       /* scan stops early when set */
	/*
	 * Priority scanning (the viewer): the cheap figures (present view,
	 * PMD mappings) are read for every process; the expensive ones
	 * (PFNs, folios) for focus_pid (the selected process) and the
	 * processes in prio_pids (sorted: the rows on screen) while their
	 * last walks fit must_budget_ns, for processes new since the
	 * previous scan, and for the others (those shown first) oldest
	 * first while sweep_budget_ns of CPU, estimated from their last
	 * walks, lasts. Every other process keeps the previous scan's
	 * expensive figures and their time (mt_proc.exp_ns); sweep.c.
	 * Off: every figure from this scan (batch output).
	 */
	bool priority;
	pid_t focus_pid;
	const pid_t *prio_pids;
	size_t nprio;
	/* focus_pid's VMAs on screen (the VMA pane's rows, the selected
	 * one first): when its whole walk does not fit must_budget_ns,
	 * these VMAs get their expensive figures read at every scan while
	 * their last sizes fit it, each with its own time (mt_vma.exp_ns);
	 * the process's sums keep theirs */
	const struct mt_addr_range *focus_vmas;
	size_t nfocus_vmas;
	uint64_t must_budget_ns, sweep_budget_ns;
	/* and when walking every other process (cheap figures) would cost
	 * more than walk_budget_ns, those whose last walks cost most keep
	 * an earlier scan's figures whole (mt_proc.walk_ns) until the sweep
	 * reaches them */
	uint64_t walk_budget_ns;
	/* a process whose walk costs more than slice_ns is walked by the
	 * sweep a range at a time, about slice_ns each (0: whole); its
	 * figures change when the last range is done, all with the time
	 * the first one began */
	uint64_t slice_ns;
	/* new processes (all of them at the first scan) get their full
	 * walk while their estimated cost (resident pages at the last cost
	 * per page) fits fresh_ns; the others are not read yet, and the
	 * sweep reaches them (0: no bound) */
	uint64_t fresh_ns;
};

struct mt_scan_ctx;

/* NULL roots mean /proc and /sys. Returns NULL with a message in err. */
struct mt_scan_ctx *mt_scan_ctx_new(const char *proc_root,
				    const char *sys_root, char *err,
				    size_t errlen);
void mt_scan_ctx_free(struct mt_scan_ctx *c);

unsigned mt_scan_page_size(const struct mt_scan_ctx *c);
unsigned mt_scan_pmd_order(const struct mt_scan_ctx *c);
bool mt_scan_can_pfns(const struct mt_scan_ctx *c);
bool mt_scan_can_kpageflags(const struct mt_scan_ctx *c);
const struct mt_procfs *mt_scan_procfs(const struct mt_scan_ctx *c);

/* Scan; returns a snapshot with one reference (never NULL). */
struct mt_snapshot *mt_scan(struct mt_scan_ctx *c,
			    const struct mt_scan_opts *o);

#endif
