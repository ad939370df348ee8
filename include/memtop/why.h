/*
 * why.h - why a VMA's memory is not in PMD-sized huge pages: stable
 * reason codes, each with one plain sentence and its evidence figure,
 * worked out from facts memtop already has (pure code).
 *
 * The rules follow the kernel's (transhuge.rst, __thp_vma_allowable_orders,
 * vma_thp_disabled, madvise_collapse, the khugepaged scan) as of Linux
 * 6.18. The codes, their order and their sentence templates live in one
 * table (mt_why_table), for the help screen and the manual alike.
 */
#ifndef MEMTOP_WHY_H
#define MEMTOP_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memtop/collapse.h"
#include "memtop/util.h"

enum mt_why_code {
	MT_WHY_THP_DISABLED,   /* PR_SET_THP_DISABLE */
	MT_WHY_VMA_TYPE,       /* VM_IO, PFNMAP, MIXEDMAP, DONTEXPAND, hugetlb */
	MT_WHY_NOHUGEPAGE,     /* MADV_NOHUGEPAGE */
	MT_WHY_USERFAULTFD,    /* userfaultfd armed */
	MT_WHY_FILE_NO_THP,    /* regular file, no READ_ONLY_THP_FOR_FS */
	MT_WHY_SHMEM_DENIED,   /* shmem_enabled deny (or the size's) */
	MT_WHY_SHMEM_OFF,      /* shmem_enabled never, advise unadvised */
	MT_WHY_TMPFS_HUGE,     /* the tmpfs mount's huge= never, advise */
	MT_WHY_THP_NEVER,      /* enabled is never */
	MT_WHY_NOT_ADVISED,    /* madvise mode, no MADV_HUGEPAGE */
	MT_WHY_NO_SLOT,        /* no aligned PMD slot inside the VMA */
	MT_WHY_FILE_MISALIGNED,/* offset not PMD aligned with the address */
	MT_WHY_HOLES,          /* slots with missing pages */
	MT_WHY_FRAGMENTED,     /* little free memory in PMD-sized blocks */
	MT_WHY_FALLBACKS,      /* thp_fault_fallback rising */
	MT_WHY_MEMCG_LIMIT,    /* the memory cgroup has no room for one */
	MT_WHY_MEMCG_FALLBACKS, /* thp_fault_fallback_charge rising */
	MT_WHY_KHUGEPAGED_PACE,/* one khugepaged pass over eligible memory */
	/* the mTHP sizes at fault (mt_why_mthp), one size at a time */
	MT_WHY_MTHP_OFF,       /* the size's enabled, with the advice */
	MT_WHY_MTHP_NO_BLOCK,  /* no aligned block of the size inside */
	MT_WHY_MTHP_FILLED,    /* no aligned block with every PTE empty */
	MT_WHY_COUNT
};

/* The table: code and sentence. The sentence's {0} .. {4} are the
 * reason's figures a[0..4] ("?" when MT_UNKNOWN), {s} its word; value
 * is its evidence figure (a[0]). */
struct mt_why_def {
	const char *code;
	const char *text;
};
extern const struct mt_why_def mt_why_table[MT_WHY_COUNT];

struct mt_why {
	enum mt_why_code code;
	uint64_t a[5];
	const char *s; /* a setting's name and word, or NULL */
};

/* What the rules look at for one VMA. Figures not known are MT_UNKNOWN. */
struct mt_why_in {
	enum mt_tri thp_enabled;       /* the process's THP_enabled */
	enum mt_thp_mode mode;         /* enabled, for the PMD size */
	bool vmflags_known;
	unsigned vmflags;              /* MT_VMF_* */
	bool anon_private;             /* private anonymous memory */
	int coll_why;                  /* enum mt_coll_why, -1: not known */
	uint64_t start, end, offset;   /* bytes */
	unsigned page_shift, pmd_order;
	uint64_t slots, populated, mapped; /* PMD slots */
	uint64_t holed, missing, over_none, max_none;
	uint64_t collapsible, khugepaged;
	/* shared memory: the setting for faults and khugepaged (enum
	 * mt_shmem_mode, MT_SHM_UNKNOWN when not shared memory or not
	 * known) and where it comes from (enum mt_shm_src) */
	enum mt_shmem_mode shm_mode;
	enum mt_shm_src shm_src;
	/* the process's memory cgroup: bytes left under its limit
	 * (MT_UNKNOWN: not known or no limit) */
	uint64_t memcg_room;
	/* the system: free pages, of them in blocks of PMD order or more
	 * (buddyinfo); thp_fault_fallback per second; khugepaged's
	 * pages_to_scan and scan_sleep_millisecs, and the pages of memory it
	 * has to scan (MT_UNKNOWN / negative: not known) */
	uint64_t free_pages, free_pmd_pages;
	double fallback_rate, charge_fallback_rate;
	uint64_t pages_to_scan, sleep_ms, eligible_pages;
};

/* The reasons that hold, main reason first; returns how many (at most
 * max are written). */
size_t mt_why_list(const struct mt_why_in *in, struct mt_why *out,
		   size_t max);
/* The sentence of one reason, with its figures, into buf. */
void mt_why_text(const struct mt_why *w, char *buf, size_t len);
const char *mt_why_name(enum mt_why_code c);

/* --- over a snapshot -----------------------------------------------------
 * The same reasons for the VMAs of a snapshot (the batch outputs and the
 * viewer share them). */
struct mt_snapshot;
struct mt_proc;
struct mt_vma;

/* What the reasons need from the system, read once per snapshot. */
struct mt_why_sys {
	enum mt_thp_mode mode;
	uint64_t free_pages, free_pmd_pages, max_none, pages_to_scan, sleep_ms;
	uint64_t eligible_pages;
	double fallback_rate, charge_fallback_rate;
};
void mt_why_sys_init(struct mt_why_sys *w, const struct mt_snapshot *s);
/* The reasons for one VMA, main reason first (at most max). */
size_t mt_why_vma(const struct mt_snapshot *s, const struct mt_why_sys *ws,
		  const struct mt_proc *p, const struct mt_vma *v,
		  struct mt_why *out, size_t max);
/*
 * The mTHP sizes (below the PMD size) at a page fault in a private
 * anonymous VMA, as Linux 6.18's alloc_anon_folio picks them: the size's
 * enabled (always; madvise with MADV_HUGEPAGE; inherit: the global mode
 * likewise), a naturally aligned block of the size wholly inside the
 * VMA, and every PTE of that block empty. One verdict per size, smallest
 * first: code MT_WHY_MTHP_* or -1 when a fault in an empty block may get
 * a folio of the size; allowed MT_TRI_UNKNOWN when the VMA's flags were
 * not read. No verdicts for other VMAs, or where a reason of the VMA's
 * own (PR_SET_THP_DISABLE, MADV_NOHUGEPAGE, its type, userfaultfd)
 * rules out every size.
 */
struct mt_mthp_verdict {
	uint64_t kb;
	enum mt_tri allowed;
	uint64_t blocks, empty;  /* aligned blocks inside; all PTEs empty */
	int code;
	char text[200];          /* the sentence */
};
size_t mt_why_mthp(const struct mt_snapshot *s, const struct mt_proc *p,
		   const struct mt_vma *v, struct mt_mthp_verdict *out,
		   size_t max);

/* The VMA's present bytes not mapped by PMDs: what its reasons hold. */
uint64_t mt_why_vma_bytes(const struct mt_snapshot *s, const struct mt_vma *v);
/* The process's main reason: the code that is the main reason of the
 * VMAs holding the most bytes not PMD-mapped (*bytes, may be NULL), or
 * -1 when no VMA has a reason. */
int mt_why_proc_main(const struct mt_snapshot *s, const struct mt_why_sys *ws,
		     const struct mt_proc *p, uint64_t *bytes);

#endif
