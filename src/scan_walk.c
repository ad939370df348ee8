/*
 * scan_walk.c - the pagemap walk of one process: its pages into the
 * histograms, PMD slots and folio figures of its VMAs.
 *
 * Folio accounting reads kpageflags only for the physically contiguous
 * runs found, in chunks cut at PMD-aligned PFNs (no THP crosses them).
 */
#include <errno.h>
#include <string.h>

#include "memtop/pagemap.h"
#include "scan_int.h"

/*
 * Pagemap entries [v, v + n) into the buffer. Nothing at all to read
 * below the top of user space means the process has exited (its mm is
 * gone): -ESRCH, and the process is dropped as vanished. In a fixture
 * tree a short file simply ends: zeros.
 */
static int read_entries(struct proc_scan *ps, uint64_t v, size_t n)
{
	int r = mt_pagemap_read(ps->pm_fd, v, ps->c->pm, n);
	if (r == -ENODATA) {
		uint64_t addr = v << ps->c->page_shift;
		if (!ps->c->pf.live || (addr >> 63))
			return 0; /* zero filled */
		ps->gone = true;
		return -ESRCH;
	}
	if (r == 0)
		ps->s->stats.pagemap_entries += n;
	return r;
}

void scan_load_smaps(struct proc_scan *ps)
{
	if (ps->smaps_loaded)
		return;
	ps->smaps_loaded = true;
	int r = mt_read_at(ps->dirfd, "smaps", &ps->c->smaps);
	if (r == 0)
		ps->nsmaps = mt_parse_smaps(ps->c->smaps.data,
					    ps->c->smaps.len, &ps->smaps, NULL);
	else if (ps->c->pf.live && mt_err_class(r) == MT_ERR_GONE)
		ps->gone = true;
}

const struct mt_smaps_vma *scan_smaps_find(const struct proc_scan *ps,
					   uint64_t start)
{
	size_t lo = 0, hi = ps->nsmaps;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ps->smaps[mid].start == start)
			return &ps->smaps[mid];
		if (ps->smaps[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* --- folios ------------------------------------------------------------- */

/* Append [lo, hi) to a list kept in address order (merging). */
static void ranges_add(struct range_list *l, uint64_t lo, uint64_t hi,
		       bool zero)
{
	if (l->n && l->r[l->n - 1].hi == lo && l->r[l->n - 1].zero == zero) {
		l->r[l->n - 1].hi = hi;
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->r = xrealloc(l->r, l->cap * sizeof(*l->r));
	}
	l->r[l->n++] = (struct range){lo, hi, zero};
}

/* The range holding v, or NULL. */
static const struct range *ranges_find(const struct range_list *l,
				       uint64_t v)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->r[mid].lo <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && v < l->r[lo - 1].hi ? &l->r[lo - 1] : NULL;
}

/* The process's large folio pages on the node of pfn. */
static void count_node(struct proc_scan *ps, uint64_t pfn, uint64_t pages)
{
	if (!ps->node_pages || !pages)
		return;
	int node = mt_numa_node(&ps->c->numa, pfn);
	if (node >= 0)
		ps->node_pages[node] += pages;
}

static bool is_pmd_mapped(void *ctx, uint64_t vpage)
{
	struct proc_scan *ps = ctx;
	struct mt_scan_ctx *c = ps->c;
	if (ps->huge_known) {
		uint64_t end = vpage + (UINT64_C(1) << c->pmd_order);
		const struct range *h = ranges_find(&ps->huge, vpage);
		if (h && !h->zero && h->hi >= end)
			return true;
		const struct range *win = ranges_find(&ps->hwin, vpage);
		if (win && win->hi >= end)
			return false; /* looked at, and not PMD-mapped */
	}
	if (c->scan_ok == MT_TRI_NO)
		return true; /* no way to tell: an aligned PMD-order folio */
	unsigned sh = c->page_shift;
	uint64_t start = vpage << sh;
	uint64_t end = (vpage + (UINT64_C(1) << c->pmd_order)) << sh;
	uint64_t found = end;
	int r = mt_pagemap_next_populated(ps->pm_fd, start, end, MT_PSC_HUGE,
					  &found, &ps->s->stats.scan_ioctls);
	if (r < 0) {
		if (r == -ENOTTY || r == -EINVAL || r == -EOPNOTSUPP)
			c->scan_ok = MT_TRI_NO;
		return true;
	}
	return found == start;
}

static void on_phys_run(void *ctx, uint64_t vpage, uint64_t pfn, uint64_t n)
{
	struct proc_scan *ps = ctx;
	struct mt_scan_ctx *c = ps->c;
	uint64_t pmd = UINT64_C(1) << c->pmd_order;
	while (n) {
		/*
		 * A PMD-mapped THP needs one kpageflags word (its head), not
		 * 2^pmd_order: the kernel charges per PFN for kpageflags.
		 */
		if (!((pfn | vpage) & (pmd - 1)) && n >= pmd &&
		    c->scan_ok != MT_TRI_NO && is_pmd_mapped(ps, vpage)) {
			uint64_t f;
			if (mt_kpageflags_read(c->kpf_fd, pfn, &f, 1) < 0)
				return;
			if ((f & MT_KPF_COMPOUND_HEAD) && (f & MT_KPF_THP)) {
				ps->fs.pmd[(f & MT_KPF_ANON) ? 0 : 1] += pmd;
				mt_hist_add_run(ps->fcont,
						MT_MIN(ps->s->max_order,
						       c->pmd_order),
						vpage, pmd);
				count_node(ps, pfn, pmd);
				vpage += pmd;
				pfn += pmd;
				n -= pmd;
				continue;
			}
		}
		/* up to the next PMD-aligned PFN: no folio crosses it */
		uint64_t k = MT_MIN(n, pmd - (pfn & (pmd - 1)));
		if (mt_kpageflags_read(c->kpf_fd, pfn, c->kf, (size_t)k + 1) < 0)
			return;
		uint64_t got = mt_folio_account_run(&ps->fs, c->pmd_order, vpage,
						    c->kf, (size_t)k, c->kf[k],
						    is_pmd_mapped, ps);
		mt_folio_cont_run(ps->fcont, ps->s->max_order, vpage, pfn,
				  c->kf, (size_t)k);
		/* the chunk lies in one memory block: one node */
		count_node(ps, pfn, got);
		vpage += k;
		pfn += k;
		n -= k;
	}
}

/* --- walking the VMAs of a process ------------------------------------ */

/*
 * One pass over a process's VMAs in address order. Pages reach the open
 * VMA's accumulator in increasing order, from one of three sources:
 *
 *  - present view: a single PAGEMAP_SCAN walk over the whole address
 *    range of the process, whose present, swapped, PMD-mapped and zero
 *    page regions are routed to the VMAs they fall in: unpopulated memory
 *    and the gaps between VMAs cost nothing, and a process with many
 *    small VMAs costs a few calls;
 *  - PFNs wanted (mappable, folio views): the guided walk below, batched
 *    pread of populated memory across the VMAs;
 *  - batched pread over each VMA (no PAGEMAP_SCAN, or --pagemap-method
 *    pread), with the sparse guard.
 *
 * A VMA is closed (its figures stored) when the walk passes its end.
 */

struct walk {
	struct proc_scan *ps;
	struct mt_proc *p;
	const struct scan_shared *sh;
	size_t vi;       /* the VMA being filled */
	uint64_t vs, ve; /* its pages, when open */
	uint64_t pos;    /* an inverted walk has placed pages below this */
	bool open;
	bool scanned;    /* PMD mappings come from the PAGEMAP_SCAN walk */
	int err;
	uint64_t tmp_p[MT_ORDER_LIMIT + 1], tmp_m[MT_ORDER_LIMIT + 1];
	uint64_t tmp_f[MT_ORDER_LIMIT + 1]; /* the one-folio figure */
};

static void vma_open(struct walk *w)
{
	struct proc_scan *ps = w->ps;
	const struct mt_vma *vma = &w->p->vmas[w->vi];
	unsigned nord = ps->s->nord, sh = ps->c->page_shift;
	uint64_t *mappable = ps->want_pfns ? w->tmp_m : NULL;
	ps->huge_pages = 0;
	memset(w->tmp_p, 0, nord * sizeof(uint64_t));
	memset(w->tmp_m, 0, nord * sizeof(uint64_t));
	memset(w->tmp_f, 0, nord * sizeof(uint64_t));
	mt_hist_acc_init(&ps->acc, w->tmp_p, mappable, ps->s->max_order);
	ps->acc.zero_pfn = ps->c->zero_pfn;
	if (ps->c->huge_zero_pfn != UINT64_MAX) {
		ps->acc.huge_zero_pfn = ps->c->huge_zero_pfn;
		ps->acc.huge_zero_n = UINT64_C(1) << ps->c->pmd_order;
	}
	mt_hist_acc_track_pmd(&ps->acc, ps->c->pmd_order, vma->start >> sh,
			      vma->end >> sh);
	mt_hist_acc_limits(&ps->acc, ps->c->coll_env.max_none,
			   ps->c->coll_env.max_swap, ps->c->coll_env.max_shared);
	w->vs = vma->start >> sh;
	w->ve = vma->end >> sh;
	if (ps->want_folios) {
		memset(&ps->fs, 0, sizeof(ps->fs));
		ps->fcont = w->tmp_f;
		ps->acc.on_phys_run = on_phys_run;
		ps->acc.ctx = ps;
	}
	w->open = true;
}

/* A VMA's histogram: the snapshot's one copy of those values. */
static uint64_t *keep_hist(struct mt_scan_ctx *c, struct mt_snapshot *s,
			   const uint64_t *h)
{
	return (uint64_t *)mt_intern(&c->hists, s->arena, h,
				     s->nord * sizeof(uint64_t));
}

/* Add a file-backed VMA's figures to the process's file sums. */
static void add_file_sums(struct mt_snapshot *s, struct mt_sums *f,
			  const struct mt_vma *v, const uint64_t *present,
			  const uint64_t *mappable, const uint64_t *fcont,
			  const struct mt_folio_stats *fs)
{
	f->present_pages += v->present_pages;
	f->swapped_pages += v->swapped_pages;
	f->zero_pages += v->zero_pages;
	f->pmd_full += v->pmd_full;
	if (v->pmd_mapped == MT_UNKNOWN || f->pmd_mapped == MT_UNKNOWN)
		f->pmd_mapped = MT_UNKNOWN;
	else
		f->pmd_mapped += v->pmd_mapped;
	if (!v->present_pages)
		return;
	size_t hb = s->nord * sizeof(uint64_t);
	if (!f->present_hist) {
		f->present_hist = mt_arena_alloc(s->arena, hb);
		if (mappable)
			f->mappable_hist = mt_arena_alloc(s->arena, hb);
		if (fcont)
			f->folio_cont_hist = mt_arena_alloc(s->arena, hb);
		if (fs)
			f->folios = mt_arena_alloc(s->arena, sizeof(*fs));
	}
	scan_add_hist(f->present_hist, present, s->nord);
	if (mappable)
		scan_add_hist(f->mappable_hist, mappable, s->nord);
	if (fcont)
		scan_add_hist(f->folio_cont_hist, fcont, s->nord);
	if (fs)
		mt_folio_add(f->folios, fs);
}

void scan_add_vma(struct mt_snapshot *s, struct mt_proc *p,
		  const struct mt_vma *v, const uint64_t *present,
		  const uint64_t *mappable, const uint64_t *fcont,
		  const struct mt_folio_stats *fs)
{
	scan_add_hist(p->present_hist, present, s->nord);
	p->present_pages += v->present_pages;
	p->swapped_pages += v->swapped_pages;
	p->zero_pages += v->zero_pages;
	p->pmd_slots += v->pmd_slots;
	p->pmd_full += v->pmd_full;
	p->pmd_touched += v->pmd_touched;
	if (v->pmd_mapped == MT_UNKNOWN || p->pmd_mapped == MT_UNKNOWN)
		p->pmd_mapped = MT_UNKNOWN;
	else
		p->pmd_mapped += v->pmd_mapped;
	if (mappable)
		scan_add_hist(p->mappable_hist, mappable, s->nord);
	if (fs)
		mt_folio_add(p->folios, fs);
	if (fcont)
		scan_add_hist(p->folio_cont_hist, fcont, s->nord);
	if (v->file_backed)
		add_file_sums(s, &p->file, v, present, mappable, fcont, fs);
}

static void vma_close(struct walk *w)
{
	struct proc_scan *ps = w->ps;
	struct mt_snapshot *s = ps->s;
	struct mt_proc *p = w->p;
	struct mt_vma *vma = &p->vmas[w->vi];
	unsigned po = ps->c->pmd_order;
	mt_hist_acc_flush(&ps->acc);
	w->open = false;

	vma->present_pages = ps->acc.present_pages;
	vma->swapped_pages = ps->acc.swapped_pages;
	vma->zero_pages = ps->acc.zero_pages;
	vma->pmd_slots = ps->acc.slot_hi - ps->acc.slot_lo;
	vma->pmd_full = ps->acc.pmd_full;
	vma->pmd_touched = ps->acc.pmd_touched;
	vma->pmd_populated = ps->acc.pmd_populated;
	vma->pmd_holed = ps->acc.slots_holed;
	vma->holes_missing = ps->acc.holes_missing;
	vma->pmd_over_none = ps->acc.slots_over_none;
	vma->khp_fit = ps->acc.khp_fit;
	vma->khp_unsure = ps->acc.khp_unsure;
	vma->full_over = ps->acc.full_shared_over;
	vma->full_unknown = ps->acc.full_shared_unknown;
	if (!vma->pmd_full)
		vma->pmd_mapped = 0; /* a PMD maps only a full slot */
	else if (ps->want_folios)
		vma->pmd_mapped = (ps->fs.pmd[0] + ps->fs.pmd[1]) >> po;
	else if (w->scanned && !ps->want_pfns)
		vma->pmd_mapped = ps->huge_pages >> po;
	else
		vma->pmd_mapped = MT_UNKNOWN;

	const struct mt_folio_stats *fs = ps->want_folios ? &ps->fs : NULL;
	if (fs)
		mt_hist_fill_order0(w->tmp_f, s->nord, vma->present_pages);
	bool has_folios = fs && mt_folio_total(fs);
	scan_add_vma(s, p, vma, w->tmp_p, ps->want_pfns ? w->tmp_m : NULL,
		     fs ? w->tmp_f : NULL, fs);

	if (!ps->keep_vmas)
		return; /* a scratch VMA: the sums are all that stays */
	vma->present_hist = keep_hist(ps->c, s, w->tmp_p);
	if (po > 1)
		vma->blk_populated = mt_intern(
			&ps->c->hists, s->arena, ps->acc.blk_populated,
			MT_MIN(po, (unsigned)MT_BLK_ORDERS) * sizeof(uint64_t));
	if (ps->want_pfns)
		vma->mappable_hist = keep_hist(ps->c, s, w->tmp_m);
	if (fs)
		vma->folio_cont_hist = keep_hist(ps->c, s, w->tmp_f);
	if (has_folios) {
		vma->folios = mt_arena_alloc(s->arena, sizeof(*fs));
		*vma->folios = *fs;
	} else if (fs) {
		vma->folios = w->sh->zero_folios;
	}
}

/* Close every VMA that ends at or before vpage; open the next one. */
static void walk_to(struct walk *w, uint64_t vpage)
{
	unsigned sh = w->ps->c->page_shift;
	while (w->vi < w->p->nvmas && (w->p->vmas[w->vi].end >> sh) <= vpage) {
		if (!w->open)
			vma_open(w);
		vma_close(w);
		w->vi++;
	}
	if (w->vi < w->p->nvmas && !w->open)
		vma_open(w);
}

/* The next piece of [vpage, vpage + n) to route: *k pages inside the VMA
 * now open (*inside), or between VMAs. False past the last VMA. */
static bool route_piece(struct walk *w, uint64_t vpage, uint64_t n,
			uint64_t *k, bool *inside)
{
	walk_to(w, vpage);
	if (w->vi == w->p->nvmas)
		return false;
	*inside = vpage >= w->vs;
	*k = *inside ? MT_MIN(n, w->ve - vpage) : MT_MIN(n, w->vs - vpage);
	return true;
}

/* Route pages [vpage, vpage + n) to the VMAs they belong to: as a present
 * or swapped run (pm NULL), or as pagemap entries. Nothing can be between
 * VMAs. */
static void dispatch(struct walk *w, uint64_t vpage, uint64_t n,
		     uint64_t cats, const uint64_t *pm)
{
	struct mt_hist_acc *acc = &w->ps->acc;
	uint64_t k;
	bool in;
	for (; n && route_piece(w, vpage, n, &k, &in);
	     vpage += k, n -= k, pm = pm ? pm + k : NULL) {
		if (!in)
			continue;
		if (pm) {
			mt_hist_acc_feed(acc, vpage, pm, (size_t)k);
		} else if ((cats & MT_PSC_PRESENT) && (cats & MT_PSC_PFNZERO)) {
			mt_hist_acc_zero(acc, vpage, k);
		} else if (cats & MT_PSC_PRESENT) {
			if (cats & MT_PSC_HUGE) {
				mt_hist_acc_present_pmd(acc, vpage, k);
				w->ps->huge_pages += k;
			} else {
				mt_hist_acc_present(acc, vpage, k);
			}
		} else if ((cats & MT_PSC_SWAPPED) && !(cats & MT_PSC_GUARD)) {
			/* a guard region is not swap */
			mt_hist_acc_swapped(acc, vpage, k);
		}
	}
}

/*
 * Could the kernel's walk leave this VMA out (VM_PFNMAP)? Only a driver
 * or a special mapping makes one: [vvar], device files (/dev, /sys, /proc
 * mmaps), anon_inode: objects. Anonymous memory and ordinary files never.
 */
bool scan_may_be_pfnmap(const char *p, size_t n)
{
	if (!n)
		return false;
	if (p[0] == '[')
		return !(n == 6 && !memcmp(p, "[heap]", 6)) &&
		       !(n == 7 && !memcmp(p, "[stack]", 7)) &&
		       !(n > 6 && !memcmp(p, "[anon:", 6));
	if (p[0] != '/')
		return true; /* anon_inode:..., and anything new */
	return (n > 5 && !memcmp(p, "/dev/", 5)) ||
	       (n > 5 && !memcmp(p, "/sys/", 5)) ||
	       (n > 6 && !memcmp(p, "/proc/", 6));
}

/*
 * Present pages [vpage, vpage + n) between the regions of an inverted walk
 * (see walk_regions). A VMA without any region is either present all
 * through or one the kernel's walk leaves out (VM_PFNMAP: [vvar], device
 * memory); for a VMA that may be one, its first pagemap entry tells.
 */
static int dispatch_gap(struct walk *w, uint64_t vpage, uint64_t n)
{
	struct proc_scan *ps = w->ps;
	uint64_t k;
	bool in;
	for (; n && route_piece(w, vpage, n, &k, &in); vpage += k, n -= k) {
		if (!in)
			continue;
		bool present = true;
		if (vpage == w->vs && k == w->ve - w->vs &&
		    w->p->vmas[w->vi].maybe_pfnmap) {
			uint64_t e = 0;
			int r = mt_pagemap_read(ps->pm_fd, vpage, &e, 1);
			if (r < 0 && r != -ENODATA)
				return r;
			present = r == 0 && (e & MT_PM_PRESENT);
		}
		if (present)
			mt_hist_acc_present(&ps->acc, vpage, k);
	}
	return 0;
}

/*
 * The present view from an inverted PAGEMAP_SCAN: the kernel reports the
 * pages that are not present (swapped or not), the zero page and PMD
 * mappings; whatever lies between them in a VMA is present memory. On
 * memory of 4 KiB pages that is a third of the kernel's work of reporting
 * every present page (it extends its current region page by page), and
 * sparse memory costs what it did.
 */
static int walk_regions(void *ctx, const struct mt_region *reg, size_t n)
{
	struct walk *w = ctx;
	struct proc_scan *ps = w->ps;
	unsigned sh = ps->c->page_shift;
	if (scan_cancelled(ps->o)) {
		w->err = -ECANCELED;
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v = reg[i].start >> sh, k = (reg[i].end - reg[i].start) >> sh;
		int r = 0;
		if (v > w->pos)
			r = dispatch_gap(w, w->pos, v - w->pos);
		if (r < 0) {
			w->err = r;
			return 1;
		}
		dispatch(w, v, k, reg[i].categories, NULL);
		w->pos = v + k;
	}
	return 0;
}

/* Route n pages mapping PFNs pfn, pfn + 1, ... (a PMD mapping) to the
 * VMAs they belong to. */
static void dispatch_phys(struct walk *w, uint64_t vpage, uint64_t pfn,
			  uint64_t n)
{
	uint64_t k;
	bool in;
	for (; n && route_piece(w, vpage, n, &k, &in);
	     vpage += k, pfn += k, n -= k) {
		if (in) {
			mt_hist_acc_phys(&w->ps->acc, vpage, pfn, k);
			w->ps->huge_pages += k;
		}
	}
}

/* Entries [v, vend) with pread, in batches, routed to the VMAs. */
static int read_span(struct walk *w, uint64_t v, uint64_t vend)
{
	struct proc_scan *ps = w->ps;
	while (v < vend) {
		size_t n = (size_t)MT_MIN(vend - v, (uint64_t)MT_PAGEMAP_BATCH);
		int r = read_entries(ps, v, n);
		if (r < 0)
			return r;
		dispatch(w, v, n, 0, ps->c->pm);
		v += n;
	}
	return 0;
}

/* A PMD-mapped range: all its PFNs follow from one entry per PMD. */
static int huge_range_walk(struct walk *w, uint64_t v, uint64_t vend)
{
	struct proc_scan *ps = w->ps;
	struct mt_scan_ctx *c = ps->c;
	uint64_t pmd = UINT64_C(1) << c->pmd_order;
	while (v < vend) {
		uint64_t e = MT_MIN(vend, (v | (pmd - 1)) + 1);
		int r = read_entries(ps, v, 1);
		if (r < 0)
			return r;
		uint64_t ent = c->pm[0], pfn = ent & MT_PM_PFN_MASK;
		if ((ent & MT_PM_PRESENT) && pfn == c->huge_zero_pfn) {
			dispatch(w, v, e - v, MT_PSC_PRESENT | MT_PSC_PFNZERO,
				 NULL);
		} else if ((ent & MT_PM_PRESENT) && pfn &&
			   ((pfn ^ v) & (pmd - 1)) == 0) {
			dispatch_phys(w, v, pfn, e - v);
		} else {
			/* changed since the scan: read every entry */
			r = read_span(w, v, e);
			if (r < 0)
				return r;
		}
		v = e;
	}
	return 0;
}

static int collect_huge(void *ctx, const struct mt_region *reg, size_t n)
{
	struct walk *w = ctx;
	unsigned sh = w->ps->c->page_shift;
	for (size_t i = 0; i < n; i++)
		ranges_add(&w->ps->huge, reg[i].start >> sh,
			   reg[i].end >> sh,
			   (reg[i].categories & MT_PSC_PFNZERO) != 0);
	return 0;
}

/* Ask PAGEMAP_SCAN for the PMD mappings in [v, wend). On PTE-mapped
 * memory that costs about a tenth of reading its entries; on PMD-mapped
 * memory next to nothing. */
static int find_huge(struct walk *w, uint64_t v, uint64_t wend)
{
	struct proc_scan *ps = w->ps;
	unsigned sh = ps->c->page_shift;
	int r = mt_pagemap_scan(ps->pm_fd, v << sh, wend << sh, 0,
				MT_PSC_PRESENT | MT_PSC_HUGE, 0,
				MT_PSC_PRESENT | MT_PSC_HUGE | MT_PSC_PFNZERO,
				0, collect_huge, w, &ps->s->stats.scan_ioctls);
	if (r == 0)
		ranges_add(&ps->hwin, v, wend, false);
	return r;
}

/* Entries [v, v + n) just read: does the last whole PMD block among
 * them look PMD-mapped (present, PFNs aligned like the addresses and
 * rising by one from the first to the last)? */
static bool looks_huge(const uint64_t *pm, uint64_t v, size_t n, uint64_t pmd)
{
	uint64_t b = ((v + n) & ~(pmd - 1));
	if (b < pmd || b - pmd < v)
		return false;
	const uint64_t *e = pm + (b - pmd - v);
	uint64_t pfn = e[0] & MT_PM_PFN_MASK;
	return (e[0] & MT_PM_PRESENT) && pfn && !(pfn & (pmd - 1)) &&
	       e[pmd - 1] == e[0] + pmd - 1;
}

/*
 * PFNs wanted. PAGEMAP_SCAN finds the next populated page (it stops at
 * the first one, so holes and the gaps between VMAs cost nothing), then
 * pread reads entries from there in batches that grow while memory stays
 * populated (512 up to 64Ki entries) and start small again after a gap:
 * dense memory costs what a plain batched pread costs. When the last
 * block read looks PMD-mapped, PAGEMAP_SCAN lists the PMD mappings of the
 * next 64Ki pages, and each of them is read as one entry per PMD
 * instead of 512 (an eighth of the kernel's work on THP memory).
 */
static int guided_walk(struct walk *w, uint64_t v, uint64_t vend)
{
	struct proc_scan *ps = w->ps;
	struct mt_scan_ctx *c = ps->c;
	unsigned sh = c->page_shift;
	uint64_t pmd = UINT64_C(1) << c->pmd_order;
	size_t batch = 512, hi = 0;
	bool probe = true, hint = false;
	while (v < vend) {
		if (scan_cancelled(ps->o))
			return -ECANCELED;
		while (hi < ps->huge.n && ps->huge.r[hi].hi <= v)
			hi++;
		if (hi < ps->huge.n && ps->huge.r[hi].lo <= v) {
			const struct range *h = &ps->huge.r[hi];
			uint64_t e = MT_MIN(h->hi, vend);
			int r = 0;
			if (h->zero)
				dispatch(w, v, e - v,
					 MT_PSC_PRESENT | MT_PSC_PFNZERO, NULL);
			else
				r = huge_range_walk(w, v, e);
			if (r < 0)
				return r;
			v = e;
			probe = true;
			hint = true; /* more may follow */
			continue;
		}
		/* PMD mappings below the last window looked at are known */
		uint64_t known_to = ps->hwin.n ? ps->hwin.r[ps->hwin.n - 1].hi : 0;
		if (hint && !(v & (pmd - 1)) && v >= known_to) {
			int r = find_huge(w, v, MT_MIN(vend, v + MT_PAGEMAP_BATCH));
			if (r < 0)
				return r;
			hint = false;
			continue;
		}
		if (probe) {
			uint64_t found;
			int r = mt_pagemap_next_populated(
				ps->pm_fd, v << sh, vend << sh,
				MT_PSC_PRESENT | MT_PSC_SWAPPED, &found,
				&ps->s->stats.scan_ioctls);
			if (r < 0)
				return r;
			if (found >= (vend << sh))
				break;
			v = found >> sh;
			batch = 512;
			probe = false;
			continue;
		}
		uint64_t lim = vend;
		if (hi < ps->huge.n)
			lim = MT_MIN(lim, ps->huge.r[hi].lo);
		size_t n = (size_t)MT_MIN(lim - v, (uint64_t)batch);
		int r = read_entries(ps, v, n);
		if (r < 0)
			return r;
		dispatch(w, v, n, 0, c->pm);
		hint = looks_huge(c->pm, v, n, pmd);
		v += n;
		/* populated near the end of the batch (sparse memory too):
		 * keep reading, in bigger steps; else look for the next
		 * populated page */
		probe = true;
		for (size_t i = n; i > 0 && n - i < 64; i--) {
			if (c->pm[i - 1] & (MT_PM_PRESENT | MT_PM_SWAP)) {
				probe = false;
				break;
			}
		}
		if (!probe)
			batch = MT_MIN(batch * 4, (size_t)MT_PAGEMAP_BATCH);
	}
	return 0;
}

/* The fallback: batched pread over VMA vi, guarded against huge sparse
 * VMAs by smaps. */
static int pread_vma(struct walk *w)
{
	struct proc_scan *ps = w->ps;
	const struct mt_vma *vma = &w->p->vmas[w->vi];
	unsigned sh = ps->c->page_shift;
	/* Large VMAs: smaps says how much is resident and swapped. Nothing:
	 * skip. Otherwise stop once that much was found, when zero page
	 * mappings can be told apart (smaps leaves them out). */
	uint64_t want_present = UINT64_MAX, want_swapped = UINT64_MAX;
	if (ps->o->sparse_guard_bytes &&
	    vma->end - vma->start >= ps->o->sparse_guard_bytes) {
		scan_load_smaps(ps);
		if (ps->gone)
			return -ESRCH;
		const struct mt_smaps_vma *sv = scan_smaps_find(ps, vma->start);
		if (sv && sv->rss_kb == 0 && sv->swap_kb == 0)
			return 0;
		/* pagemap counts zero page mappings, smaps does not */
		bool zero_told = ps->c->zero_pfn != UINT64_MAX ||
				 (ps->c->kp.zero_page == MT_TRI_NO &&
				  ps->c->kp.huge_zero_page == MT_TRI_NO);
		if (sv && zero_told) {
			uint64_t kb_per_page = ps->c->page_size / 1024;
			want_present = sv->rss_kb / kb_per_page;
			want_swapped = sv->swap_kb / kb_per_page;
		}
	}
	uint64_t v = vma->start >> sh, vend = vma->end >> sh;
	while (v < vend) {
		if (scan_cancelled(ps->o))
			return -ECANCELED;
		size_t n = (size_t)MT_MIN(vend - v, (uint64_t)MT_PAGEMAP_BATCH);
		int r = read_entries(ps, v, n);
		if (r < 0)
			return r;
		mt_hist_acc_feed(&ps->acc, v, ps->c->pm, n);
		v += n;
		if (ps->acc.present_pages >= want_present &&
		    ps->acc.swapped_pages >= want_swapped)
			break;
	}
	return 0;
}

/* The inverted PAGEMAP_SCAN walk of [start, end) (see walk_regions).
 * Guard regions are asked for where the kernel knows them (6.15+: it
 * refuses the category before), so that they are not taken for swap. */
static int present_walk(struct proc_scan *ps, struct walk *w, uint64_t start,
			uint64_t end)
{
	struct mt_scan_ctx *c = ps->c;
	for (;;) {
		uint64_t ret = MT_PSC_PRESENT | MT_PSC_SWAPPED | MT_PSC_HUGE |
			       MT_PSC_PFNZERO;
		if (c->scan_guard != MT_TRI_NO)
			ret |= MT_PSC_GUARD;
		int r = mt_pagemap_scan(ps->pm_fd, start, end, MT_PSC_PRESENT, 0,
					MT_PSC_PRESENT | MT_PSC_PFNZERO |
						MT_PSC_HUGE,
					ret, 0, walk_regions, w,
					&ps->s->stats.scan_ioctls);
		if (r == -EINVAL && c->scan_guard == MT_TRI_UNKNOWN &&
		    w->pos == start >> c->page_shift) {
			/* before 6.15: no guard category */
			c->scan_guard = MT_TRI_NO;
			continue;
		}
		if (r == 0 && c->scan_guard == MT_TRI_UNKNOWN)
			c->scan_guard = MT_TRI_YES;
		return r;
	}
}

void scan_walk_vmas(struct proc_scan *ps, struct mt_proc *p,
		    const struct scan_shared *sh)
{
	struct mt_scan_ctx *c = ps->c;
	struct walk w = {.ps = ps, .p = p, .sh = sh};
	if (!p->nvmas)
		return;
	/* The scan covers user addresses; VMAs above (the top bit set:
	 * [vsyscall]) are read with pread, which returns nothing there. */
	size_t nscan = 0;
	while (nscan < p->nvmas && !((p->vmas[nscan].end - 1) >> 63))
		nscan++;
	if (nscan && ps->o->method != MT_PM_PREAD && c->scan_ok != MT_TRI_NO) {
		int r;
		if (ps->want_pfns) {
			ps->huge_known = true;
			ps->huge.n = ps->hwin.n = 0;
			r = guided_walk(&w, p->vmas[0].start >> c->page_shift,
					p->vmas[nscan - 1].end >> c->page_shift);
		} else {
			/* VMAs are closed during the walk: their PMD-mapped
			 * figures come from it */
			w.scanned = true;
			w.pos = p->vmas[0].start >> c->page_shift;
			uint64_t end = p->vmas[nscan - 1].end;
			r = present_walk(ps, &w, p->vmas[0].start, end);
			if (r == 0)
				r = w.err;
			if (r == 0 && (end >> c->page_shift) > w.pos)
				r = dispatch_gap(&w, w.pos,
						 (end >> c->page_shift) - w.pos);
		}
		if (r == 0) {
			c->scan_ok = MT_TRI_YES;
			/* close the scanned VMAs, up to the last one */
			uint64_t last_end = p->vmas[nscan - 1].end >> c->page_shift;
			walk_to(&w, last_end);
		} else {
			if ((r == -ENOTTY || r == -EINVAL || r == -EOPNOTSUPP) &&
			    c->scan_ok != MT_TRI_YES)
				c->scan_ok = MT_TRI_NO; /* old kernel, plain file */
			if (r == -ESRCH && c->pf.live)
				ps->gone = true;
			if (r == -ECANCELED || ps->gone)
				return;
			/* start the VMA under way over, with pread */
			w.open = false;
		}
	}
	w.scanned = false;
	ps->huge_known = false;
	for (; w.vi < p->nvmas; w.vi++) {
		if (scan_cancelled(ps->o))
			return;
		vma_open(&w);
		int r = pread_vma(&w);
		if (ps->gone)
			return;
		if (r < 0)
			ps->s->stats.errors++;
		vma_close(&w);
	}
}
