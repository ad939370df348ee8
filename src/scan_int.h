/*
 * scan_int.h - what the two halves of a scan share: scan.c reads the
 * /proc files of each process and builds the snapshot; scan_walk.c, below
 * it, walks a process's pagemap (and smaps, where the walk needs it) into
 * the figures of its VMAs. Nothing outside these
 * two files includes this header.
 *
 * Ownership: the scan context (struct mt_scan_ctx) lives from
 * mt_scan_ctx_new() to mt_scan_ctx_free() and keeps what is reused from
 * one scan to the next (read buffers, the uid cache, the kernel probe,
 * the intern sets). A struct proc_scan lives on scan_proc()'s stack for
 * one process and owns what is that process's alone (its smaps, the PMD
 * mappings PAGEMAP_SCAN listed for it). One thread at a time.
 */
#ifndef MEMTOP_SCAN_INT_H
#define MEMTOP_SCAN_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "memtop/collapse.h"
#include "memtop/memcg.h"
#include "memtop/hist.h"
#include "memtop/intern.h"
#include "memtop/numa.h"
#include "memtop/parse.h"
#include "memtop/probe.h"
#include "memtop/procfs.h"
#include "memtop/scan.h"
#include "memtop/util.h"

struct user_entry {
	uid_t uid;
	char *name;
};

struct mt_scan_ctx {
	struct mt_procfs pf;
	unsigned page_size, page_shift, pmd_order;
	bool can_pfns, can_kpf;
	int kpf_fd;
	enum mt_tri scan_ok;    /* PAGEMAP_SCAN works (no: a kernel before
				   6.7, or a fixture tree's plain file) */
	enum mt_tri scan_guard; /* it knows the guard category (6.15+) */
	struct mt_buf maps, status, smaps;
	uint64_t *pm;  /* MT_PAGEMAP_BATCH entries */
	uint64_t *kf;  /* 2^pmd_order + 1 entries */
	struct user_entry *users;
	size_t nusers;
	/* the previous snapshot, held for counter rates until the next
	 * scan has read its system counters */
	struct mt_snapshot *prev;
	/* the system counters' files, read beside the process walk */
	struct mt_sysreader *sysr;
	struct mt_numa numa;  /* NUMA node of each memory block */
	bool numa_loaded;     /* at the first scan with the folio view */
	uint64_t zero_pfn;    /* the shared zero page, UINT64_MAX unknown */
	uint64_t huge_zero_pfn; /* the huge zero page, UINT64_MAX unknown */
	struct mt_kernel_probe kp; /* what the kernel does (owns kpf_fd) */
	struct mt_coll_env coll_env; /* the system's collapse settings */
	struct mt_memcg *memcg; /* room under memory cgroup limits */
	bool mthp_advice;       /* an mTHP size follows MADV_HUGEPAGE */
	enum mt_tri ro_thp_fs;  /* CONFIG_READ_ONLY_THP_FOR_FS */
	unsigned kver;          /* collapse.h mt_kernel_version, 0 unknown */
	/* paths and VMA histograms of the snapshot being built, each stored
	 * once: the same libraries are mapped by every process, and most
	 * small VMAs have one of a few histograms */
	struct mt_intern paths, hists;
	/* VMAs of processes whose details are not kept live here while
	 * they are scanned */
	struct mt_vma *scratch;
	size_t scratch_cap;
	size_t kept_vmas; /* VMA details kept in the snapshot being built */
	/* command lines (mt_scan_opts.cmdline): those of the last scan, in
	 * pid order, and those of the scan being built */
	struct cmd_entry *cmd, *cmd_next;
	size_t ncmd, nnext, cap_next;
	/* priority scanning: the plan of the scan being built (sweep.c) */
	struct sweep_plan {
		bool on;          /* priority scanning with a usable prev */
		pid_t *must;      /* read at every scan (shown), sorted */
		size_t nmust, cap_must;
		pid_t *pids;      /* chosen by the sweep, sorted */
		size_t n, cap;
		pid_t *skip;      /* not walked: an earlier scan's figures */
		size_t nskip, cap_skip;
		bool slice_now;   /* the slice job walks its next range */
		/* the selected process's VMAs on screen read alone (its
		 * whole walk too dear), sorted by start */
		struct mt_addr_range *fv;
		size_t nfv, cap_fv;
		double fv_ns_per_unit; /* what reading them cost, last seen,
					  a unit (scan_walk_units) */
		int64_t fresh_left; /* CPU left for new processes' walks */
		double ns_per_page; /* a full walk's cost, last seen */
	} sweep;
	/* priority scanning: one process too big for a scan's budget,
	 * walked a range at a time (slice.c) */
	struct slice_job {
		bool on;
		pid_t pid;
		uint64_t start_time;
		uint64_t t0;          /* CLOCK_MONOTONIC when it began */
		uint64_t next;        /* byte address of the next range */
		uint64_t range_pages; /* resident pages a range should hold */
		size_t nv;            /* the VMAs when it began */
		uint64_t *vs, *ve;
		double *density;      /* their resident share, last known */
		struct slice_vma *acc;
		uint64_t *node;       /* large folio pages per NUMA node */
		uint64_t cost_ns;     /* CPU of its ranges so far */
	} slice;
};

/* A command line read at an earlier scan, for the process with this pid
 * and start time (a pid reused by a new process is read again). */
struct cmd_entry {
	pid_t pid;
	uint64_t start;
	char *comm; /* malloc'd: the name changes at exec, the pid does not */
	char *s;  /* malloc'd, NUL separated arguments; NULL: none */
	size_t n;
};

/* scan_walk.c: add VMA v's figures (its histograms and folios; NULL
 * where not read) to the sums of process p, and to p's file sums when v
 * is file-backed. */
void scan_add_vma(struct mt_snapshot *s, struct mt_proc *p,
		  const struct mt_vma *v, const uint64_t *present,
		  const uint64_t *mappable, const uint64_t *fcont,
		  const struct mt_folio_stats *fs);

/* What walking a VMA with PFNs costs, in units: a page not mapped by a
 * PMD entry, or a PMD mapping (read as one). */
static inline uint64_t scan_walk_units(const struct mt_vma *v,
				       unsigned pmd_order)
{
	uint64_t pmd = v->pmd_mapped == UINT64_MAX ? 0 : v->pmd_mapped;
	uint64_t huge = pmd << pmd_order;
	return (v->present_pages > huge ? v->present_pages - huge : 0) + pmd;
}

/* ---- priority scanning (sweep.c) ---------------------------------- */

/* Before the processes: which ones the sweep reads this time. */
void scan_sweep_plan(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		     struct mt_snapshot *s);
/* Read p's expensive figures in this scan? *prev: the previous scan's
 * p (same pid and start time) to carry them from otherwise, or NULL.
 * Counts p in the snapshot's exp_* figures. */
bool scan_sweep_wants(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		      struct mt_snapshot *s, const struct mt_proc *p,
		      const struct mt_proc **prev, bool *by_sweep,
		      bool *is_new);
/* After a walk without PFNs: p's expensive figures from prev (NULL: not
 * known), VMA by VMA where the VMA is the same. */
void scan_sweep_carry(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      struct mt_proc *p, const struct mt_proc *prev);
void scan_sweep_free(struct mt_scan_ctx *c);
/* Is p one the plan leaves unwalked? Then the previous scan's p, whose
 * figures scan_sweep_copy_walk() gives it whole. */
/* The previous scan's p (same pid and start time), or NULL. */
const struct mt_proc *scan_sweep_prev(const struct mt_scan_ctx *c,
				      const struct mt_proc *p);
const struct mt_proc *scan_sweep_skip_walk(struct mt_scan_ctx *c,
					   const struct mt_snapshot *s,
					   const struct mt_proc *p);
void scan_sweep_copy_walk(struct mt_scan_ctx *c, struct mt_snapshot *s,
			  const struct mt_scan_opts *o, struct mt_proc *p,
			  const struct mt_proc *prev);

/* One VMA's figures summed over the ranges walked (slice.c). */
struct slice_vma {
	uint64_t present, swapped, zero, slots, full, touched, populated,
		holed, missing, over_none, khp_fit, khp_unsure, full_over,
		full_unknown, mapped;
	bool mapped_unknown, has_m, has_f, has_fs, has_blk;
	uint64_t hp[MT_ORDER_LIMIT + 1], hm[MT_ORDER_LIMIT + 1];
	uint64_t hf[MT_ORDER_LIMIT + 1];
	uint64_t blk[MT_BLK_ORDERS];
	struct mt_folio_stats fs;
};

/* ---- one big process a range at a time (slice.c) ------------------ */

/* Start a job for prev's process (the sweep chose it, and its walk costs
 * more than o->slice_ns): ranges of about that cost. */
void scan_slice_start(struct mt_scan_ctx *c, const struct mt_scan_opts *o,
		      const struct mt_proc *prev);
/* Is p the job's process, with a range to walk in this scan? */
bool scan_slice_due(const struct mt_scan_ctx *c, const struct mt_proc *p);
/* The next range of p (its VMAs just read from maps): [*lo, *hi) in
 * bytes; false when p's VMAs are not those the job began with (then the
 * job starts over from them). */
bool scan_slice_range(struct mt_scan_ctx *c, const struct mt_snapshot *s,
		      const struct mt_proc *p, uint64_t *lo, uint64_t *hi);
/* Add the figures of q (p's VMAs clipped to the range; idx[i] is q's
 * VMA i's index in p) to the job; true when the range was the last. */
bool scan_slice_add(struct mt_scan_ctx *c, const struct mt_snapshot *s,
		    const struct mt_proc *q, const size_t *idx, uint64_t hi,
		    uint64_t cost_ns);
/* The job done: its figures into p (VMAs as the job began), and the job
 * ended. */
void scan_slice_finish(struct mt_scan_ctx *c, struct mt_snapshot *s,
		       struct mt_proc *p);
void scan_slice_stop(struct mt_scan_ctx *c);

/* Page ranges [lo, hi), in address order. */
struct range_list {
	struct range {
		uint64_t lo, hi;
		bool zero;
	} *r;
	size_t n, cap;
};

/* State while one process is scanned. */
struct proc_scan {
	struct mt_scan_ctx *c;
	struct mt_snapshot *s;
	const struct mt_scan_opts *o;
	int pm_fd;
	bool want_pfns, want_folios;
	bool is_new;   /* priority scanning: not in the previous scan */
	bool exp_read; /* its expensive figures read whole in this scan */
	struct mt_smaps_vma *smaps;
	size_t nsmaps;
	bool smaps_loaded;
	int dirfd;
	struct mt_folio_stats fs; /* current VMA */
	uint64_t *fcont;          /* current VMA: the one-folio histogram */
	struct mt_hist_acc acc;
	uint64_t huge_pages;      /* current VMA: PMD-mapped, from the scan */
	/* What PAGEMAP_SCAN told of this process (PFN views): its PMD
	 * mappings (zero: of the huge zero page), and the windows it looked
	 * at for them; huge_known while they are being filled in */
	struct range_list huge, hwin;
	bool huge_known;
	uint64_t *node_pages;     /* the process's large folio pages by node */
	bool keep_vmas;           /* VMA details go into the snapshot */
	bool gone;                /* the process exited during its scan */
};

/* Shared by every VMA of a snapshot with nothing present. */
struct scan_shared {
	struct mt_folio_stats *zero_folios;
};

static inline bool scan_cancelled(const struct mt_scan_opts *o)
{
	return o->cancel &&
	       atomic_load_explicit(o->cancel, memory_order_relaxed);
}

static inline void scan_add_hist(uint64_t *dst, const uint64_t *src,
				 unsigned nord)
{
	for (unsigned o = 0; o < nord; o++)
		dst[o] += src[o];
}

/* scan_walk.c: the process's smaps, read once when first needed (a
 * process found gone sets ps->gone), and its entry for the VMA at start. */
void scan_load_smaps(struct proc_scan *ps);
const struct mt_smaps_vma *scan_smaps_find(const struct proc_scan *ps,
					   uint64_t start);

/* The figures of every VMA of p from its pagemap (ps->pm_fd
 * open); sets ps->gone when the process exited during the walk. */
void scan_walk_vmas(struct proc_scan *ps, struct mt_proc *p,
		    const struct scan_shared *sh);
/* Could the kernel's pagemap walk leave a VMA with this path out? */
bool scan_may_be_pfnmap(const char *path, size_t n);

#endif
