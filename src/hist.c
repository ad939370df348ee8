/*
 * hist.c - order histograms and folio accounting (pure).
 *
 * Within one fully present run the maximal aligned blocks are found
 * greedily: at page p the block order is the largest n with p aligned to
 * 2^n and p + 2^n inside the run. Such a block cannot be part of a present
 * aligned block of order n+1 (that block would either start before p, and
 * then the greedy walk would have taken it, or end past the run). Once p is
 * aligned to max_order the rest is counted in one step, so a run costs
 * O(max_order) whatever its length.
 *
 * For the mappable view a run is also physically contiguous with a fixed
 * offset d = pfn - vpage; a block is aligned in both spaces iff it is
 * aligned virtually and 2^n divides d, so the same walk applies with the
 * order capped at ctz(d).
 */
#include <string.h>

#include "memtop/hist.h"
#include "memtop/util.h"

static inline unsigned block_order(uint64_t p, uint64_t left, unsigned cap)
{
	unsigned o = MT_MIN(mt_ctz64(p), cap);
	unsigned fit = mt_log2(left);
	return MT_MIN(o, fit);
}

uint64_t mt_hist_pages_from(const uint64_t *hist, unsigned nord,
			    unsigned from_order)
{
	uint64_t sum = 0;
	if (!hist)
		return 0;
	for (unsigned o = from_order; o < nord; o++)
		sum += hist[o] << o;
	return sum;
}

int mt_hist_top(const uint64_t *hist, unsigned nord)
{
	for (int o = (int)nord - 1; o >= 0; o--)
		if (hist[o])
			return o;
	return -1;
}

int mt_hist_cmp(const uint64_t *a, const uint64_t *b, unsigned nord)
{
	for (int o = (int)nord - 1; o >= 0; o--)
		if (a[o] != b[o])
			return a[o] < b[o] ? -1 : 1;
	return 0;
}

unsigned mt_pmd_order(unsigned page_shift, uint64_t hpage_pmd_size)
{
	uint64_t page = UINT64_C(1) << page_shift;
	unsigned o = page_shift - 3;
	if (hpage_pmd_size >= page && !(hpage_pmd_size & (hpage_pmd_size - 1)))
		o = mt_log2(hpage_pmd_size / page);
	return MT_MIN(o, (unsigned)MT_ORDER_LIMIT);
}

void mt_hist_add_run(uint64_t *hist, unsigned max_order, uint64_t first,
		     uint64_t n)
{
	if (n == 1) { /* sparse memory: a page alone is an order-0 block */
		hist[0]++;
		return;
	}
	uint64_t p = first, end = first + n;
	uint64_t big = UINT64_C(1) << max_order;
	while (p < end && (p & (big - 1))) {
		unsigned o = block_order(p, end - p, max_order);
		hist[o]++;
		p += UINT64_C(1) << o;
	}
	if (end - p >= big) {
		uint64_t k = (end - p) >> max_order;
		hist[max_order] += k;
		p += k << max_order;
	}
	while (p < end) {
		unsigned o = block_order(p, end - p, max_order);
		hist[o]++;
		p += UINT64_C(1) << o;
	}
}

void mt_hist_acc_init(struct mt_hist_acc *a, uint64_t *present,
		      uint64_t *mappable, unsigned max_order)
{
	memset(a, 0, sizeof(*a));
	a->present = present;
	a->mappable = mappable;
	a->max_order = max_order;
	a->zero_pfn = UINT64_MAX;
	a->huge_zero_pfn = UINT64_MAX;
	a->max_none = a->max_swap = a->max_shared = UINT64_MAX;
}

void mt_hist_acc_limits(struct mt_hist_acc *a, uint64_t max_none,
			uint64_t max_swap, uint64_t max_shared)
{
	a->max_none = max_none;
	a->max_swap = max_swap;
	a->max_shared = max_shared;
}

/* Count the slot being filled, and start none. */
static void close_slot(struct mt_hist_acc *a)
{
	if (!a->cur_slot)
		return;
	uint64_t size = UINT64_C(1) << a->pmd_order;
	uint64_t have = a->cur_present + a->cur_swapped;
	uint64_t missing = size - have;
	bool share_ok = a->cur_shared <= a->max_shared;
	bool share_unknown = a->cur_share_unknown &&
			     a->cur_present > a->max_shared;
	if (a->cur_present < size) { /* not full */
		if (missing) {
			a->slots_holed++;
			a->holes_missing += missing;
			if (missing > a->max_none)
				a->slots_over_none++;
		}
		/* khugepaged needs a present (writable) PTE in the slot */
		if (a->cur_present && missing <= a->max_none &&
		    a->cur_swapped <= a->max_swap) {
			if (share_unknown)
				a->khp_unsure++;
			else if (share_ok)
				a->khp_fit++;
		}
	} else if (!a->cur_pmd) {
		if (share_unknown)
			a->full_shared_unknown++;
		else if (!share_ok)
			a->full_shared_over++;
	}
	a->cur_slot = 0;
	a->cur_present = a->cur_swapped = a->cur_shared = 0;
	a->cur_share_unknown = a->cur_pmd = false;
}

enum note_kind { NOTE_EXCL, NOTE_SHARED, NOTE_UNKNOWN, NOTE_PMD, NOTE_SWAP };

/* Pages [v, v + n) of one kind, in address order: per slot counts. Work
 * per call and per slot crossed, not per page. */
static void note_slow(struct mt_hist_acc *a, uint64_t v, uint64_t n,
		      enum note_kind k)
{
	unsigned p = a->pmd_order;
	while (n) {
		uint64_t slot = v >> p;
		uint64_t take = MT_MIN(n, ((slot + 1) << p) - v);
		if (slot >= a->slot_lo && slot < a->slot_hi) {
			if (a->cur_slot != slot + 1) {
				close_slot(a);
				a->cur_slot = slot + 1;
			}
			switch (k) {
			case NOTE_SWAP:
				a->cur_swapped += take;
				break;
			case NOTE_SHARED:
				a->cur_shared += take;
				/* fall through */
			case NOTE_EXCL:
				a->cur_present += take;
				break;
			case NOTE_PMD:
				a->cur_pmd = true;
				/* fall through */
			case NOTE_UNKNOWN:
				a->cur_present += take;
				a->cur_share_unknown = true;
				break;
			}
		}
		v += take;
		n -= take;
	}
}

static inline void note(struct mt_hist_acc *a, uint64_t v, uint64_t n,
			enum note_kind k)
{
	if (!a->track_pmd)
		return;
	/* the common case: one page, or a run, inside the open slot */
	if (a->cur_slot && ((v >> a->pmd_order) + 1) == a->cur_slot &&
	    (((v + n - 1) >> a->pmd_order) + 1) == a->cur_slot) {
		if (k == NOTE_EXCL) {
			a->cur_present += n;
			return;
		}
		if (k == NOTE_SHARED) {
			a->cur_present += n;
			a->cur_shared += n;
			return;
		}
	}
	note_slow(a, v, n, k);
}

void mt_hist_acc_track_pmd(struct mt_hist_acc *a, unsigned pmd_order,
			   uint64_t vstart, uint64_t vend)
{
	uint64_t size = UINT64_C(1) << pmd_order;
	a->track_pmd = true;
	a->pmd_order = pmd_order;
	a->vstart = vstart;
	a->vend = vend;
	a->slot_lo = (vstart + size - 1) >> pmd_order;
	a->slot_hi = vend >> pmd_order;
	if (a->slot_hi < a->slot_lo)
		a->slot_hi = a->slot_lo;
}

/* Slots with a present or swapped page among pages [s, e): pages come in
 * address order (a present run is flushed before a swapped page). */
uint64_t mt_blocks_inside(uint64_t vstart, uint64_t vend, unsigned k)
{
	if (k < 1 || k >= MT_BLK_ORDERS)
		return 0;
	uint64_t lo = (vstart + (UINT64_C(1) << k) - 1) >> k, hi = vend >> k;
	return hi > lo ? hi - lo : 0;
}

/* Blocks of the mTHP orders with a page among pages [s, e), in address
 * order. A run inside a block counted already at one order is inside
 * counted blocks at every larger order too: stop there. */
static void mark_blocks(struct mt_hist_acc *a, uint64_t s, uint64_t e)
{
	unsigned top = MT_MIN(a->pmd_order, (unsigned)MT_BLK_ORDERS);
	for (unsigned k = 1; k < top; k++) {
		uint64_t first = s >> k, last = (e - 1) >> k;
		if (a->blk_last[k] > last)
			break;
		uint64_t lo = MT_MAX(first, (a->vstart + (UINT64_C(1) << k) -
					     1) >> k);
		uint64_t hi = MT_MIN(last + 1, a->vend >> k);
		if (a->blk_last[k] > lo)
			lo = a->blk_last[k];
		if (hi > lo) {
			a->blk_populated[k] += hi - lo;
			a->blk_last[k] = hi;
		}
	}
}

static void mark_populated(struct mt_hist_acc *a, uint64_t s, uint64_t e)
{
	mark_blocks(a, s, e);
	unsigned p = a->pmd_order;
	uint64_t lo = MT_MAX(s >> p, a->slot_lo);
	uint64_t hi = MT_MIN(((e - 1) >> p) + 1, a->slot_hi);
	if (a->last_populated > lo)
		lo = a->last_populated;
	if (hi > lo) {
		a->pmd_populated += hi - lo;
		a->last_populated = hi;
	}
}

static void count_slots(struct mt_hist_acc *a, uint64_t s, uint64_t e)
{
	mark_populated(a, s, e);
	unsigned p = a->pmd_order;
	uint64_t full_lo = (s + (UINT64_C(1) << p) - 1) >> p, full_hi = e >> p;
	full_lo = MT_MAX(full_lo, a->slot_lo);
	full_hi = MT_MIN(full_hi, a->slot_hi);
	if (full_hi > full_lo)
		a->pmd_full += full_hi - full_lo;
	uint64_t t_lo = MT_MAX(s >> p, a->slot_lo);
	uint64_t t_hi = MT_MIN(((e - 1) >> p) + 1, a->slot_hi);
	if (a->last_touched > t_lo)
		t_lo = a->last_touched; /* that slot was counted already */
	if (t_hi > t_lo) {
		a->pmd_touched += t_hi - t_lo;
		a->last_touched = t_hi;
	}
}

static inline void flush_present(struct mt_hist_acc *a)
{
	if (a->prun_end == a->prun_start + 1 && a->pmd_order) {
		/* one page alone (sparse memory): an order-0 block, and a
		 * slot touched but never full */
		uint64_t slot = a->prun_start >> a->pmd_order;
		a->present[0]++;
		if (a->track_pmd)
			mark_populated(a, a->prun_start, a->prun_end);
		if (a->track_pmd && slot >= a->slot_lo && slot < a->slot_hi &&
		    slot >= a->last_touched) {
			a->pmd_touched++;
			a->last_touched = slot + 1;
		}
		a->prun_start = a->prun_end = 0;
		return;
	}
	if (a->prun_end > a->prun_start) {
		mt_hist_add_run(a->present, a->max_order, a->prun_start,
				a->prun_end - a->prun_start);
		if (a->track_pmd)
			count_slots(a, a->prun_start, a->prun_end);
	}
	a->prun_start = a->prun_end = 0;
}

void mt_hist_acc_zero(struct mt_hist_acc *a, uint64_t vpage, uint64_t n)
{
	a->zero_pages += n;
	if (a->track_pmd && n) {
		flush_present(a);
		mark_blocks(a, vpage, vpage + n);
	}
}

void mt_hist_acc_swapped(struct mt_hist_acc *a, uint64_t vpage, uint64_t n)
{
	a->swapped_pages += n;
	if (a->track_pmd && n) {
		flush_present(a);
		mark_populated(a, vpage, vpage + n);
		note(a, vpage, n, NOTE_SWAP);
	}
}

static void flush_phys(struct mt_hist_acc *a)
{
	if (a->mrun_end <= a->mrun_start)
		return;
	uint64_t n = a->mrun_end - a->mrun_start;
	if (a->mappable) {
		if (n == 1) {
			a->mappable[0]++;
		} else {
			uint64_t d = a->mrun_pfn - a->mrun_start;
			unsigned cap = MT_MIN(a->max_order, mt_ctz64(d));
			mt_hist_add_run(a->mappable, cap, a->mrun_start, n);
		}
	}
	if (a->on_phys_run)
		a->on_phys_run(a->ctx, a->mrun_start, a->mrun_pfn, n);
	a->mrun_start = a->mrun_end = 0;
}

static inline void extend_present(struct mt_hist_acc *a, uint64_t v,
				  uint64_t n)
{
	if (a->prun_end != v || a->prun_end == a->prun_start) {
		flush_present(a);
		a->prun_start = v;
	}
	a->prun_end = v + n;
}

static inline bool is_zero(uint64_t pfn, uint64_t zp, uint64_t hz,
			   uint64_t hzn)
{
	return pfn == zp || pfn - hz < hzn;
}

/* A non-present entry with the swap bit: swap, a marker (nothing), or
 * a page being moved, which is memory whose PFN is not known: present,
 * and a physical run of its own (order 0 in the mappable view, and in
 * no folio). */
static void swap_entry(struct mt_hist_acc *a, uint64_t v, uint64_t e)
{
	switch (mt_swap_kind(e)) {
	case MT_SWAP_AREA:
		a->swapped_pages++;
		if (a->track_pmd) {
			flush_present(a);
			mark_populated(a, v, v + 1);
			note(a, v, 1, NOTE_SWAP);
		}
		break;
	case MT_SWAP_NONE:
		break;
	case MT_SWAP_MOVING:
		a->present_pages++;
		extend_present(a, v, 1);
		note(a, v, 1, NOTE_UNKNOWN);
		flush_phys(a);
		if (a->mappable)
			a->mappable[0]++;
		break;
	}
}

void mt_hist_acc_feed(struct mt_hist_acc *a, uint64_t vpage,
		      const uint64_t *pm, size_t n)
{
	const bool phys = a->mappable || a->on_phys_run;
	size_t i = 0;
	while (i < n) {
		uint64_t e = pm[i];
		if (!(e & MT_PM_PRESENT)) {
			if (e & MT_PM_SWAP)
				swap_entry(a, vpage + i, e);
			i++;
			/* nothing there, four at a time */
			while (i + 4 <= n &&
			       !((pm[i] | pm[i + 1] | pm[i + 2] | pm[i + 3]) &
				 (MT_PM_PRESENT | MT_PM_SWAP)))
				i += 4;
			continue;
		}
		uint64_t v = vpage + i;
		uint64_t epfn = e & MT_PM_PFN_MASK;
		if (epfn == a->zero_pfn ||
		    epfn - a->huge_zero_pfn < a->huge_zero_n) {
			mt_hist_acc_zero(a, v, 1);
			i++;
			continue;
		}
		a->present_pages++;
		extend_present(a, v, 1);
		i++;
		if (!phys) {
			note(a, v, 1, e & MT_PM_EXCLUSIVE ? NOTE_EXCL
							  : NOTE_SHARED);
			continue;
		}
		uint64_t pfn = e & MT_PM_PFN_MASK;
		if (a->mrun_end == v && a->mrun_end > a->mrun_start &&
		    a->mrun_pfn + (v - a->mrun_start) == pfn) {
			a->mrun_end = v + 1;
		} else {
			flush_phys(a);
			a->mrun_start = v;
			a->mrun_end = v + 1;
			a->mrun_pfn = pfn;
		}
		/* Fast path: following entries that differ only by PFN + 1
		 * (same flags) extend both runs; THP memory is mostly that. */
		size_t j = i;
		const uint64_t zp = a->zero_pfn, hz = a->huge_zero_pfn,
			       hzn = a->huge_zero_n;
		if (j < n && pm[j] == pm[j - 1] + 1 &&
		    !is_zero(pm[j] & MT_PM_PFN_MASK, zp, hz, hzn)) {
			j++;
			/* 32 at a time, with one branch: rising by one, the
			 * PFNs of a block hold a zero page only if it lies
			 * between the first and the last */
			while (j + 32 <= n) {
				uint64_t d = 0;
				for (size_t k = 0; k < 32; k++)
					d |= pm[j + k] - pm[j + k - 1] - 1;
				uint64_t f = pm[j] & MT_PM_PFN_MASK;
				uint64_t l = pm[j + 31] & MT_PM_PFN_MASK;
				if (d || (zp >= f && zp <= l) ||
				    (hzn && hz <= l && hz + hzn > f))
					break;
				j += 32;
			}
			while (j < n && pm[j] == pm[j - 1] + 1 &&
			       !is_zero(pm[j] & MT_PM_PFN_MASK, zp, hz, hzn))
				j++;
		}
		/* the run's entries share e's flags */
		note(a, v, 1 + (j - i),
		     e & MT_PM_EXCLUSIVE ? NOTE_EXCL : NOTE_SHARED);
		if (j > i) {
			uint64_t k = j - i;
			a->present_pages += k;
			a->prun_end += k;
			a->mrun_end += k;
			i = j;
		}
	}
}

void mt_hist_acc_present(struct mt_hist_acc *a, uint64_t vpage, uint64_t n)
{
	if (!n)
		return;
	a->present_pages += n;
	extend_present(a, vpage, n);
	note(a, vpage, n, NOTE_UNKNOWN);
}

void mt_hist_acc_present_pmd(struct mt_hist_acc *a, uint64_t vpage,
			     uint64_t n)
{
	if (!n)
		return;
	a->present_pages += n;
	extend_present(a, vpage, n);
	note(a, vpage, n, NOTE_PMD);
}

void mt_hist_acc_phys(struct mt_hist_acc *a, uint64_t vpage, uint64_t pfn,
		      uint64_t n)
{
	if (!n)
		return;
	mt_hist_acc_present_pmd(a, vpage, n);
	if (!a->mappable && !a->on_phys_run)
		return;
	if (a->mrun_end == vpage && a->mrun_end > a->mrun_start &&
	    a->mrun_pfn + (vpage - a->mrun_start) == pfn) {
		a->mrun_end = vpage + n;
	} else {
		flush_phys(a);
		a->mrun_start = vpage;
		a->mrun_end = vpage + n;
		a->mrun_pfn = pfn;
	}
}

void mt_hist_acc_flush(struct mt_hist_acc *a)
{
	flush_present(a);
	flush_phys(a);
	close_slot(a);
}

static unsigned folio_slot(uint64_t npages)
{
	unsigned o = mt_log2(npages);
	return o < MT_FOLIO_ORDERS ? o : MT_FOLIO_ORDERS - 1;
}

uint64_t mt_folio_account_run(struct mt_folio_stats *fs, unsigned pmd_order,
			  uint64_t vpage, const uint64_t *kflags, size_t n,
			  uint64_t next_flags, mt_pmd_mapped_fn is_pmd,
			  void *ctx)
{
	size_t i = 0;
	uint64_t counted = 0;
	while (i < n) {
		if (!(kflags[i] & MT_KPF_THP)) {
			i++;
			continue;
		}
		/* a segment [i, j) of pages in large folios */
		size_t j = i;
		while (j < n && (kflags[j] & MT_KPF_THP))
			j++;
		size_t h = i;
		while (h < j && !(kflags[h] & MT_KPF_COMPOUND_HEAD))
			h++;
		/* tails before the first head: a folio mapped from its
		 * middle */
		if (h > i)
			fs->partial[(kflags[i] & MT_KPF_ANON) ? 0 : 1] += h - i;
		counted += j - i; /* every page of the segment lands somewhere */
		while (h < j) {
			size_t next = h + 1;
			while (next < j && !(kflags[next] & MT_KPF_COMPOUND_HEAD))
				next++;
			uint64_t len = next - h;
			int t = (kflags[h] & MT_KPF_ANON) ? 0 : 1;
			bool cut = next == n && (next_flags & MT_KPF_COMPOUND_TAIL);
			if (cut || (len & (len - 1))) {
				fs->partial[t] += len;
			} else {
				uint64_t v = vpage + h;
				unsigned o = folio_slot(len);
				bool aligned = (v & (len - 1)) == 0;
				if (aligned && o == pmd_order &&
				    (!is_pmd || is_pmd(ctx, v)))
					fs->pmd[t] += len;
				else if (aligned)
					fs->aligned[t][o] += len;
				else
					fs->unaligned[t][o] += len;
			}
			h = next;
		}
		i = j;
	}
	return counted;
}

void mt_folio_cont_run(uint64_t *hist, unsigned max_order, uint64_t vpage,
		       uint64_t pfn, const uint64_t *kflags, size_t n)
{
	/* virtual and physical addresses agree modulo 2^cap: the largest
	 * block a page of the run can start */
	uint64_t d = pfn - vpage;
	unsigned cap = d ? MT_MIN(max_order, mt_ctz64(d)) : max_order;
	if (cap == 0)
		return;
	size_t i = 0;
	while (i < n) {
		if (!(kflags[i] & MT_KPF_THP)) {
			i++;
			continue;
		}
		/* pages of one folio: up to the next head or a page in no
		 * large folio */
		size_t j = i + 1;
		while (j < n && (kflags[j] & MT_KPF_THP) &&
		       !(kflags[j] & MT_KPF_COMPOUND_HEAD))
			j++;
		if (j - i > 1)
			mt_hist_add_run(hist, cap, vpage + i, j - i);
		i = j;
	}
}

void mt_hist_fill_order0(uint64_t *hist, unsigned nord, uint64_t pages)
{
	uint64_t above = 0;
	for (unsigned o = 1; o < nord; o++)
		above += hist[o] << o;
	hist[0] = pages > above ? pages - above : 0;
}

void mt_folio_add(struct mt_folio_stats *dst, const struct mt_folio_stats *src)
{
	for (int t = 0; t < 2; t++) {
		dst->pmd[t] += src->pmd[t];
		dst->partial[t] += src->partial[t];
		for (int o = 0; o < MT_FOLIO_ORDERS; o++) {
			dst->aligned[t][o] += src->aligned[t][o];
			dst->unaligned[t][o] += src->unaligned[t][o];
		}
	}
}

uint64_t mt_folio_total(const struct mt_folio_stats *fs)
{
	uint64_t sum = 0;
	for (int t = 0; t < 2; t++) {
		sum += fs->pmd[t] + fs->partial[t];
		for (int o = 0; o < MT_FOLIO_ORDERS; o++)
			sum += fs->aligned[t][o] + fs->unaligned[t][o];
	}
	return sum;
}
