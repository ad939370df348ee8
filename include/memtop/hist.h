/*
 * hist.h - page-order histograms and folio accounting. Pure code: it takes
 * page indices, pagemap entries and kpageflags words, and returns numbers.
 *
 * Present histogram: the present pages of a VMA are split into maximal
 * naturally aligned blocks. A block of order n starts at a virtual page
 * index divisible by 2^n, lies inside the VMA, has all 2^n pages present and
 * is not part of such a block of order n+1 (up to max_order). hist[n] counts
 * blocks, so sum(hist[n] << n) is the number of present pages.
 *
 * Mappable histogram: the same, where a block also needs its pages to be
 * physically contiguous with the first PFN aligned to 2^n: memory that one
 * large TLB entry could map.
 */
#ifndef MEMTOP_HIST_H
#define MEMTOP_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MT_ORDER_LIMIT 20   /* largest --max-order accepted */
#define MT_FOLIO_ORDERS 21  /* folio orders tracked, 0..20 */

/* Pagemap entry bits. */
#define MT_PM_PFN_MASK ((UINT64_C(1) << 55) - 1)
#define MT_PM_GUARD (UINT64_C(1) << 58) /* guard region marker (6.15+) */
#define MT_PM_EXCLUSIVE (UINT64_C(1) << 56) /* mapped by this process only */
#define MT_PM_FILE (UINT64_C(1) << 61)
#define MT_PM_SWAP (UINT64_C(1) << 62)
#define MT_PM_PRESENT (UINT64_C(1) << 63)

/*
 * An entry with the swap bit is not always swap. Guard region markers
 * (bit 58, Linux 6.15+) and other PTE markers are neither memory nor swap;
 * migration and device entries are memory that is moving (smaps counts
 * them in Rss). Swap areas are types 0..22 on every kernel configuration
 * (32 types less those the kernel keeps for its own entries); the types
 * above are its own, the last of them (31) the PTE markers. The type is
 * shown only with PFNs: without them every such entry reads as type 0.
 */
#define MT_SWP_TYPE(e) ((unsigned)((e) & 31))
#define MT_SWP_FIRST_SPECIAL 23
#define MT_SWP_MARKER 31
enum mt_swap_kind { MT_SWAP_AREA, MT_SWAP_NONE, MT_SWAP_MOVING };
static inline enum mt_swap_kind mt_swap_kind(uint64_t e)
{
	if (e & MT_PM_GUARD)
		return MT_SWAP_NONE;
	unsigned t = MT_SWP_TYPE(e);
	if (t < MT_SWP_FIRST_SPECIAL)
		return MT_SWAP_AREA;
	return t == MT_SWP_MARKER ? MT_SWAP_NONE : MT_SWAP_MOVING;
}

/* kpageflags bits memtop reads. */
#define MT_KPF_ANON (UINT64_C(1) << 12)
#define MT_KPF_COMPOUND_HEAD (UINT64_C(1) << 15)
#define MT_KPF_COMPOUND_TAIL (UINT64_C(1) << 16)
#define MT_KPF_HUGE (UINT64_C(1) << 17)
#define MT_KPF_THP (UINT64_C(1) << 22)
#define MT_KPF_ZERO_PAGE (UINT64_C(1) << 24)

/* Pages in blocks of order >= from_order in a histogram of nord entries
 * (0 if hist is NULL). */
uint64_t mt_hist_pages_from(const uint64_t *hist, unsigned nord,
			    unsigned from_order);
/* Index of the highest non-zero order, -1 if all zero (hist not NULL). */
int mt_hist_top(const uint64_t *hist, unsigned nord);
/* Compare histograms from the highest order down: <0, 0 or >0, as strcmp.
 * This is the order mem_hist.py (the linux-mm script memtop replaces)
 * sorts processes and VMAs by. Neither may be NULL. */
int mt_hist_cmp(const uint64_t *a, const uint64_t *b, unsigned nord);

/* The PMD order for pages of 2^page_shift bytes: log2(hpage_pmd_size /
 * page size) when sysfs gives a usable size (0: none), else what a page
 * table of page_size / 8 entries maps (9 for 4K pages, 11 for 16K, 13 for
 * 64K); at most MT_ORDER_LIMIT. */
unsigned mt_pmd_order(unsigned page_shift, uint64_t hpage_pmd_size);

/* Add the maximal aligned blocks of the page run [first, first + n) to
 * hist[0..max_order]. The run must be fully present and inside one VMA. */
void mt_hist_add_run(uint64_t *hist, unsigned max_order, uint64_t first,
		     uint64_t n);

/*
 * Streaming accumulator over the pagemap entries of one VMA, fed in
 * batches in increasing address order. Present runs and physically
 * contiguous runs that cross batch boundaries are carried over.
 */
struct mt_hist_acc;
#define MT_BLK_ORDERS 16 /* block orders counted below the PMD order */
typedef void (*mt_phys_run_fn)(void *ctx, uint64_t vpage, uint64_t pfn,
			       uint64_t n);

struct mt_hist_acc {
	uint64_t *present;  /* hist to add to (max_order + 1 entries) */
	uint64_t *mappable; /* NULL when PFNs are not used */
	unsigned max_order;
	uint64_t present_pages, swapped_pages;
	/* PTEs mapping the shared zero page: present in pagemap, but no
	 * memory of the process (smaps Rss leaves them out too). Pages with
	 * this PFN count here, not as present; UINT64_MAX: not known. */
	uint64_t zero_pfn, zero_pages;
	/* the huge zero page: PFNs [huge_zero_pfn, + huge_zero_n), counted
	 * as zero pages too (huge_zero_n 0: not known) */
	uint64_t huge_zero_pfn, huge_zero_n;
	/* current present run [prun_start, prun_end) */
	uint64_t prun_start, prun_end;
	/* current physically contiguous run */
	uint64_t mrun_start, mrun_end, mrun_pfn;
	/* called for every finished physically contiguous run */
	mt_phys_run_fn on_phys_run;
	void *ctx;
	/* PMD slots (aligned 2^pmd_order blocks inside the VMA), when
	 * tracking was asked for with mt_hist_acc_track_pmd() */
	unsigned pmd_order;
	bool track_pmd;
	uint64_t slot_lo, slot_hi;   /* slots [slot_lo, slot_hi) lie inside */
	uint64_t pmd_full;           /* slots with every page present */
	uint64_t pmd_touched;        /* slots with at least one present page */
	uint64_t last_touched;       /* last slot counted, + 1 (0: none) */
	uint64_t pmd_populated;      /* slots with a present or swapped page */
	uint64_t last_populated;     /* last slot counted there, + 1 */
	/* Per slot detail, counted when a slot is left (pages come in
	 * address order): the slot being filled (+ 1, 0: none), its
	 * present, swapped and maybe shared pages (pagemap bit 56 clear),
	 * whether sharing is unknown for some present page (PAGEMAP_SCAN
	 * gives no bit 56) and whether it is PMD-mapped. Limits are
	 * khugepaged's max_ptes_none/swap/shared (UINT64_MAX: none). */
	uint64_t cur_slot, cur_present, cur_swapped, cur_shared;
	bool cur_share_unknown, cur_pmd;
	uint64_t max_none, max_swap, max_shared;
	uint64_t slots_holed;     /* populated slots with missing pages */
	uint64_t holes_missing;   /* pages missing in them */
	uint64_t slots_over_none; /* of them, more missing than max_none */
	/* slots with a present page but not every page present, within
	 * max_none, max_swap and max_shared: khp_fit; within the first two,
	 * with more present pages than max_shared whose sharing is not
	 * known: khp_unsure */
	uint64_t khp_fit, khp_unsure;
	/* full slots not seen PMD-mapped: over max_shared, sharing unknown */
	uint64_t full_shared_over, full_shared_unknown;
	/* naturally aligned blocks of order k (1 <= k < pmd_order: the mTHP
	 * sizes) wholly inside the VMA whose PTEs are not all empty: a
	 * present, swapped or zero page (with PMD tracking) */
	uint64_t vstart, vend;
	uint64_t blk_populated[MT_BLK_ORDERS], blk_last[MT_BLK_ORDERS];
};

void mt_hist_acc_init(struct mt_hist_acc *a, uint64_t *present,
		      uint64_t *mappable, unsigned max_order);
/* Count PMD slots of the VMA [vstart, vend) (page indices) too. */
void mt_hist_acc_track_pmd(struct mt_hist_acc *a, unsigned pmd_order,
			   uint64_t vstart, uint64_t vend);

/* Set khugepaged's limits for the per slot counts (UINT64_MAX: none). */
void mt_hist_acc_limits(struct mt_hist_acc *a, uint64_t max_none,
			uint64_t max_swap, uint64_t max_shared);

/* Feed n raw pagemap entries for pages vpage .. vpage + n - 1. */
void mt_hist_acc_feed(struct mt_hist_acc *a, uint64_t vpage,
		      const uint64_t *pm, size_t n);
/* Feed a present run known without PFNs (PAGEMAP_SCAN). */
void mt_hist_acc_present(struct mt_hist_acc *a, uint64_t vpage, uint64_t n);
/* The same, for pages known to be PMD-mapped (PAGEMAP_SCAN huge). */
void mt_hist_acc_present_pmd(struct mt_hist_acc *a, uint64_t vpage,
			     uint64_t n);
/* Feed n present pages mapping PFNs pfn, pfn + 1, ... (a PMD mapping,
 * known from one pagemap entry): the same as feeding those n entries,
 * none of them the zero page. */
void mt_hist_acc_phys(struct mt_hist_acc *a, uint64_t vpage, uint64_t pfn,
		      uint64_t n);
/* Feed n pages mapping the zero page (PAGEMAP_SCAN): no memory of the
 * process, but their PTEs are not empty. */
void mt_hist_acc_zero(struct mt_hist_acc *a, uint64_t vpage, uint64_t n);
/* Aligned blocks of order k inside [vstart, vend) (0 for k outside
 * 1 .. MT_BLK_ORDERS - 1). */
uint64_t mt_blocks_inside(uint64_t vstart, uint64_t vend, unsigned k);
/* Feed n swapped pages (PAGEMAP_SCAN). */
void mt_hist_acc_swapped(struct mt_hist_acc *a, uint64_t vpage, uint64_t n);
/* Close the open runs (end of VMA). */
void mt_hist_acc_flush(struct mt_hist_acc *a);

/* Pages in large folios, split as tools/mm/thpmaps does. Index 0 is
 * anonymous memory, 1 file and shmem. Counts are pages. */
enum mt_folio_kind { MT_FOLIO_ANON = 0, MT_FOLIO_FILE = 1 };
struct mt_folio_stats {
	uint64_t pmd[2];                         /* PMD-mapped */
	uint64_t aligned[2][MT_FOLIO_ORDERS];    /* fully PTE-mapped, aligned */
	uint64_t unaligned[2][MT_FOLIO_ORDERS];  /* fully PTE-mapped, unaligned */
	uint64_t partial[2];                     /* partly mapped folios */
};

/* Tells whether the folio mapped at vpage (aligned, PMD order) is mapped by
 * one PMD entry. */
typedef bool (*mt_pmd_mapped_fn)(void *ctx, uint64_t vpage);

/*
 * Account one run of n pages contiguous both virtually (from vpage) and
 * physically: kflags[i] is the kpageflags word of the i-th page, next_flags
 * that of the page after the run (0 if unknown). pmd_order is the PMD
 * order; is_pmd may be NULL (then aligned PMD-order folios count as PMD
 * mapped). Returns the pages it counted (pages in large folios).
 */
uint64_t mt_folio_account_run(struct mt_folio_stats *fs, unsigned pmd_order,
			  uint64_t vpage, const uint64_t *kflags, size_t n,
			  uint64_t next_flags, mt_pmd_mapped_fn is_pmd,
			  void *ctx);

/*
 * The one-folio figure: add to hist the maximal naturally aligned blocks of
 * order 1 and up (at most max_order) that lie inside one large folio, of a
 * run of n pages contiguous virtually (from vpage) and physically (from
 * pfn), kflags[i] being the kpageflags word of its i-th page. A block
 * counts only when its virtual and physical addresses are both aligned to
 * its size (what arm64's contpte and tools/mm/thpmaps --cont need). A
 * folio starts at each head; tails before the first head are the pages of
 * one folio mapped from its middle. Order 0 is left alone: see
 * mt_hist_fill_order0().
 */
void mt_folio_cont_run(uint64_t *hist, unsigned max_order, uint64_t vpage,
		       uint64_t pfn, const uint64_t *kflags, size_t n);
/* Set hist[0] to the pages of the pages total not in hist[1..nord). */
void mt_hist_fill_order0(uint64_t *hist, unsigned nord, uint64_t pages);
void mt_folio_add(struct mt_folio_stats *dst, const struct mt_folio_stats *src);
/* Pages in large folios of any kind (anon + file). */
uint64_t mt_folio_total(const struct mt_folio_stats *fs);

#endif
