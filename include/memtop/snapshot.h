/*
 * snapshot.h - the immutable result of one scan.
 *
 * The scanner builds a snapshot completely, then publishes it; from then on
 * nobody writes to it. Readers (batch output, the UI) hold a reference and
 * drop it with mt_snapshot_unref(); the last reference frees the whole
 * arena. All strings and arrays live in the snapshot's arena.
 *
 * Histogram arrays have snapshot->nord = max_order + 1 entries. An array
 * pointer is NULL when the figure is unavailable (no privilege), which is
 * different from an array of zeros.
 */
#ifndef MEMTOP_SNAPSHOT_H
#define MEMTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtop/hist.h"
#include "memtop/parse.h"

struct mt_arena;
struct mt_sysinfo;

/* An address range [start, end): a VMA the viewer shows. */
struct mt_addr_range {
	uint64_t start, end;
};

struct mt_vma {
	uint64_t start, end; /* byte addresses */
	uint64_t offset, inode;
	unsigned dev_major, dev_minor;
	char perms[5];
	enum mt_vma_kind kind;
	bool file_backed; /* a real file; memfd, shmem and anon are not */
	bool maybe_pfnmap; /* a special mapping or a device's: the kernel's
			      page walk may leave it out (VM_PFNMAP) */
	const char *path; /* as /proc/PID/maps printed it; "" if none */
	size_t path_len;
	uint64_t present_pages, swapped_pages;
	uint64_t zero_pages;             /* mapping the shared zero page */
	uint64_t *present_hist;          /* nord entries */
	uint64_t *mappable_hist;         /* nord entries or NULL */
	/* the one-folio figure (hist.h mt_folio_cont_run): blocks also
	 * inside one large folio; nord entries, NULL without kpageflags */
	uint64_t *folio_cont_hist;
	struct mt_folio_stats *folios;   /* NULL: unavailable, or none when
					    the snapshot has folios */
	/* when the PFN figures (mappable_hist, folio_cont_hist, folios)
	 * were read: CLOCK_MONOTONIC ns at the start of the walk; an
	 * earlier scan's in priority scanning (mt_proc.exp_ns); 0 when not
	 * read yet (then those figures are NULL and mean "not known") */
	uint64_t exp_ns;
	/* PMD slots: aligned 2^pmd_order blocks wholly inside the VMA; how
	 * many have every page present, at least one page present, and how
	 * many are mapped by one PMD entry (MT_UNKNOWN when not known:
	 * needs PAGEMAP_SCAN or the folio view). Fully present but not PMD
	 * mapped is what khugepaged or MADV_COLLAPSE could still collapse. */
	uint64_t pmd_slots, pmd_full, pmd_touched, pmd_mapped;
	/* PMD slots not PMD-mapped that MADV_COLLAPSE would make PMD-mapped
	 * now (collapse.h); MT_UNKNOWN when not known or not asked for
	 * (mt_scan_opts.collapsible), and coll_why the reason
	 * (enum mt_coll_why) */
	uint64_t pmd_collapsible;
	uint64_t pmd_populated; /* slots with a present or swapped page */
	/* the slots khugepaged would collapse (collapse.h mt_khp_slots),
	 * MT_UNKNOWN when not known or not asked for; khp_mode_off: the
	 * enabled mode or the VMA's advice leaves it out */
	uint64_t pmd_khugepaged;
	/* per slot counts (struct mt_hist_acc): slots with a page and some
	 * missing, the pages missing, those slots over max_ptes_none; the
	 * khugepaged inputs */
	uint64_t pmd_holed, holes_missing, pmd_over_none;
	uint64_t khp_fit, khp_unsure, full_over, full_unknown;
	bool khp_mode_off;
	unsigned char coll_why;
	/* shared memory: the setting for huge pages at fault and from
	 * khugepaged, and where it comes from (collapse.h
	 * mt_shmem_fault_mode: enum mt_shmem_mode, enum mt_shm_src) */
	unsigned char shm_mode, shm_src;
	/* [k], 1 <= k < min(pmd_order, MT_BLK_ORDERS): naturally aligned
	 * blocks of 2^k pages wholly inside the VMA whose PTEs are not all
	 * empty (a fault there cannot get a folio of that order); NULL when
	 * the VMA was not walked */
	const uint64_t *blk_populated;
	bool sysv; /* a SysV shared memory segment */
	bool posix_shm; /* a file in /dev/shm (shm_open): tmpfs, not anon */
	/* From smaps, when it was read for this process (has_smaps). */
	bool has_smaps;
	uint64_t smaps_rss_kb, smaps_anon_huge_kb;
	enum mt_tri thp_eligible; /* from smaps, unknown without it */
	unsigned vmflags;   /* MT_VMF_* */
	bool vmflags_known; /* vmflags read (smaps), also without has_smaps */
};

#define MT_UNKNOWN UINT64_MAX

/* Sums over the file-backed VMAs of a process, so a view that leaves them
 * out needs no VMA details. Arrays are NULL when those VMAs had nothing
 * present (or the figure is unavailable, as for the whole process). */
struct mt_sums {
	uint64_t present_pages, swapped_pages, zero_pages;
	uint64_t pmd_full, pmd_mapped;  /* pmd_mapped may be MT_UNKNOWN */
	uint64_t pmd_collapsible;       /* may be MT_UNKNOWN */
	uint64_t *present_hist, *mappable_hist, *folio_cont_hist;
	struct mt_folio_stats *folios;
};

struct mt_proc {
	pid_t pid, ppid;
	uid_t uid;
	const char *comm; /* Name: from status (kernel escaped) */
	/* the command line as read (raw bytes, arguments NUL separated,
	 * cmdline_len bytes), when the scan was asked for it (the viewer);
	 * NULL when not asked for, or empty (kernel threads) */
	const char *cmdline;
	size_t cmdline_len;
	const char *user; /* user name, or the uid in decimal */
	const char *cgroup; /* v1 memory controller path, else the v2 path */
	/* bytes left under the memory cgroup's limits (memcg.h), MT_UNKNOWN
	 * when not known or without a limit */
	uint64_t memcg_room;
	bool kthread;
	uint64_t status_rss_kb;
	uint64_t present_pages, swapped_pages, zero_pages;
	uint64_t pmd_slots, pmd_full, pmd_touched, pmd_mapped; /* sums */
	uint64_t pmd_collapsible;       /* sum; MT_UNKNOWN if any VMA's is */
	uint64_t pmd_khugepaged;        /* sum; MT_UNKNOWN if any VMA's is */
	enum mt_tri thp_enabled;        /* status THP_enabled */
	uint64_t *present_hist;         /* sums over the VMAs */
	uint64_t *mappable_hist;        /* NULL when unavailable */
	uint64_t *folio_cont_hist;      /* NULL when unavailable */
	struct mt_folio_stats *folios;  /* NULL when unavailable */
	/* pages in large folios per NUMA node (snapshot->nnodes entries);
	 * NULL when unavailable (needs the folio view and node sysfs) */
	uint64_t *thp_node_pages;
	struct mt_sums file;            /* the file-backed VMAs' share */
	/* start time (clock ticks after boot, /proc/PID/stat): with the
	 * pid, which process this is; 0 when not read */
	uint64_t start_time;
	/*
	 * The expensive figures (PFNs, folios: mappable_hist,
	 * folio_cont_hist, folios, thp_node_pages and the file sums' of
	 * those) were read at exp_ns (CLOCK_MONOTONIC, the start of the
	 * walk). In priority scanning (mt_scan_opts.priority) a process the
	 * sweep did not reach keeps an earlier scan's, with that scan's
	 * time; 0 in a priority snapshot: not read yet (those figures are
	 * NULL: not known).
	 * exp_cost_ns: the CPU time their last walk took (priority
	 * scanning only; 0 in a batch scan, whose figures are all from
	 * mono_ns).
	 */
	uint64_t exp_ns, exp_cost_ns;
	/* The cheap figures (everything read from maps and pagemap without
	 * PFNs) were read at walk_ns, in walk_cost_ns of CPU. In priority
	 * scanning, where walking every process would cost more than the
	 * CPU limit allows, the processes off screen whose walks cost most
	 * keep an earlier scan's figures whole until the sweep reaches
	 * them: then walk_ns is that scan's. */
	uint64_t walk_ns, walk_cost_ns;
	/* VMA details: all vma_count VMAs, or none (nvmas 0) when the scan
	 * kept details for other processes only (see vma_detail_limit) */
	struct mt_vma *vmas;
	size_t nvmas;
	size_t vma_count;
	bool has_smaps;
};

struct mt_scan_stats {
	size_t listed;          /* pids seen in the proc root (with -p: the
				   ones asked for that are there) */
	size_t scanned;         /* processes in the snapshot */
	size_t denied;          /* skipped: permission */
	size_t vanished;        /* skipped: exited during the scan */
	size_t kthreads;        /* kernel threads (no memory) */
	size_t pagemap_denied;  /* maps read but not pagemap */
	size_t bad_lines;       /* unparsable maps lines skipped */
	size_t errors;          /* other read errors */
	size_t filtered;        /* left out by -p / -u */
	uint64_t pagemap_entries; /* pagemap entries read with pread */
	uint64_t scan_ioctls;     /* PAGEMAP_SCAN calls */
};

struct mt_snapshot {
	/* reference count, changed only through the functions below */
	int refs;
	uint64_t generation;      /* set by the model on publish */
	uint64_t time_ns;         /* CLOCK_REALTIME at the start */
	uint64_t mono_ns;         /* CLOCK_MONOTONIC at the start (the
				     clock of mt_proc.exp_ns) */
	uint64_t duration_ns;     /* scan time */
	uint64_t cpu_ns;          /* CPU time the scan took (scanner thread,
				     and sys_cpu_ns) */
	uint64_t sys_cpu_ns;      /* of that, the thread that read the
				     system counters */
	uint64_t next_ms;         /* the scanner's wait before the next scan:
				     the interval, stretched to keep its CPU
				     share under the limit (0 in batch mode) */

	unsigned page_size, page_shift;
	unsigned pmd_order;       /* log2(hpage_pmd_size / page_size) */
	unsigned max_order;       /* histograms cover 0..max_order */
	unsigned nord;            /* max_order + 1 */

	bool have_pfns;           /* mappable view available */
	bool have_kpageflags;     /* folio view available */
	bool used_pagemap_scan;   /* PAGEMAP_SCAN ioctl worked */
	bool have_pmd_mapped;     /* pmd_mapped figures are known */
	/* why a view is unavailable, in a few words (NULL when it is
	 * available): no privilege, PFNs hidden in a user namespace, an
	 * unreadable /proc/kpageflags, or an option */
	const char *pfns_why, *kpageflags_why;
	/* what the kernel does on a read fault, as probed (enum mt_tri:
	 * 1 yes, 0 no, -1 unknown): map the shared zero page, the huge
	 * zero page */
	enum mt_tri zero_page, huge_zero_page;
	enum mt_tri ro_thp_fs;    /* CONFIG_READ_ONLY_THP_FOR_FS (kconfig.h) */

	/* THP settings as read at scan time: the selected word of
	 * /sys/kernel/mm/transparent_hugepage/{enabled,defrag}, "?" when
	 * unreadable. */
	const char *thp_enabled, *thp_defrag;

	/* System-wide settings, counters (with rates since the previous
	 * scan of the same context), meminfo and buddyinfo. */
	const struct mt_sysinfo *sys;

	struct mt_scan_stats stats;
	/* Priority scanning (mt_scan_opts.priority): how many processes
	 * had their expensive figures read in this scan because the viewer
	 * shows them (prio), new (fresh) or by the sweep (swept), how many
	 * kept an earlier scan's (carried) or have none yet (unread); the
	 * oldest exp_ns of the processes with memory (0: none), and the
	 * CPU time of the sweep's walks. */
	bool priority;
	size_t exp_prio, exp_fresh, exp_swept, exp_carried, exp_unread;
	size_t walk_carried;      /* of the carried: not walked at all */
	size_t exp_vmas;          /* VMAs of the selected process read
				     alone (mt_scan_opts.focus_vmas), */
	uint64_t exp_vmas_ns;     /* in this much CPU time */
	uint64_t exp_oldest_ns;
	uint64_t sweep_cpu_ns;
	struct mt_proc *procs;
	size_t nprocs;

	/* system-wide sums over all scanned processes */
	uint64_t present_pages;
	uint64_t *present_hist;
	uint64_t *mappable_hist;
	uint64_t *folio_cont_hist;
	struct mt_folio_stats *folios;
	unsigned nnodes;             /* NUMA nodes (highest id + 1), 0 unknown */
	uint64_t *thp_node_pages;

	/* --record (record.h enum mt_rec_state): how the recording stands
	 * after this scan was written, its size and frames; a message once
	 * it stopped (NULL otherwise) */
	int rec_state;
	uint64_t rec_bytes;
	size_t rec_frames;
	const char *rec_msg;
	/* --replay: this is frame replay_index (from 0) of replay_count
	 * recorded; replay_mark, when set, the frame marked for comparing
	 * (from 1; 0 none) */
	bool replay;
	size_t replay_index, replay_count, replay_mark;

	struct mt_arena *arena;
	struct mt_arena *sys_arena; /* sys lives here (another thread's) */
};

struct mt_snapshot *mt_snapshot_new(void);
void mt_snapshot_ref(struct mt_snapshot *s);
void mt_snapshot_unref(struct mt_snapshot *s);

/* Which VMAs a view leaves out: batch output and the viewer alike. */
struct mt_vma_filter {
	bool omit_file_backed;  /* VMAs backed by a real file (memfd is not) */
	bool omit_unfaulted;    /* VMAs without a present page */
};
/* Whether v is shown under f (neither may be NULL). */
bool mt_vma_shown(const struct mt_vma *v, const struct mt_vma_filter *f);

/* Sort keys shared by batch output and the UI. */
enum mt_sort_key {
	MT_SORT_HIST,  /* reversed histogram, ascending: most huge last */
	MT_SORT_PID,
	MT_SORT_RSS,
	MT_SORT_PMD,   /* share of memory in PMD-order blocks */
	MT_SORT_THP,   /* memory in large folios (folio view) */
	MT_SORT_COMM,
	MT_SORT_USER,
	MT_SORT_SWAP,
	MT_SORT_COUNT
};
const char *mt_sort_key_name(enum mt_sort_key k);
int mt_sort_key_parse(const char *s, enum mt_sort_key *k);

/* Fill idx[0..nprocs) with process indices sorted by key. */
void mt_sort_procs(const struct mt_snapshot *s, enum mt_sort_key key,
		   bool descending, size_t *idx);
/* Fill idx[0..p->nvmas) with VMA indices sorted by key. */
void mt_sort_vmas(const struct mt_snapshot *s, const struct mt_proc *p,
		  enum mt_sort_key key, bool descending, size_t *idx);

#endif
