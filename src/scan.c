/*
 * scan.c - one pass over the proc root into a snapshot.
 *
 * Per process: status (name, uid, ppid), cgroup, maps (the VMAs), then
 * pagemap for all VMAs in one walk (see "walking the VMAs" below).
 *
 * Folio accounting reads kpageflags only for the physically contiguous
 * runs found, in chunks cut at PMD-aligned PFNs (no THP crosses them).
 */
#include <errno.h>
#include <linux/capability.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "memtop/intern.h"
#include "memtop/numa.h"
#include "memtop/pagemap.h"
#include "memtop/parse.h"
#include "memtop/probe.h"
#include "memtop/scan.h"
#include "memtop/sysinfo.h"
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
	int scan_ok; /* PAGEMAP_SCAN: -1 unknown, 0 missing, 1 works */
	int scan_guard; /* its guard region category: likewise */
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
	/* paths and VMA histograms of the snapshot being built, each stored
	 * once: the same libraries are mapped by every process, and most
	 * small VMAs have one of a few histograms */
	struct mt_intern paths, hists;
	/* VMAs of processes whose details are not kept live here while
	 * they are scanned */
	struct mt_vma *scratch;
	size_t scratch_cap;
	/* What PAGEMAP_SCAN told of the process being walked (pages, in
	 * address order): its PMD mappings (zero: of the huge zero page),
	 * and the windows it looked at for them */
	struct range_list {
		struct range {
			uint64_t lo, hi;
			bool zero;
		} *r;
		size_t n, cap;
	} huge, hwin;
	size_t kept_vmas; /* VMA details kept in the snapshot being built */
};

/* State while one process is scanned. */
struct proc_scan {
	struct mt_scan_ctx *c;
	struct mt_snapshot *s;
	const struct mt_scan_opts *o;
	int pm_fd;
	bool want_pfns, want_folios;
	struct mt_smaps_vma *smaps;
	size_t nsmaps;
	bool smaps_loaded;
	int dirfd;
	struct mt_folio_stats fs; /* current VMA */
	struct mt_hist_acc acc;
	uint64_t huge_pages;      /* current VMA: PMD-mapped, from the scan */
	bool huge_known;          /* c->huge and c->hwin are this process's */
	uint64_t *node_pages;     /* the process's large folio pages by node */
	bool keep_vmas;           /* VMA details go into the snapshot */
	bool gone;                /* the process exited during its scan */
};

static bool have_cap_sys_admin(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) != 0)
		return false;
	return (d[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective &
		CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
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

struct mt_scan_ctx *mt_scan_ctx_new(const char *proc_root,
				    const char *sys_root, char *err,
				    size_t errlen)
{
	struct mt_scan_ctx *c = xcalloc(1, sizeof(*c));
	if (mt_procfs_open(&c->pf, proc_root, sys_root, err, errlen) < 0) {
		free(c);
		return NULL;
	}
	long ps = sysconf(_SC_PAGESIZE);
	c->page_size = ps > 0 ? (unsigned)ps : 4096;
	c->page_shift = mt_log2(c->page_size);
	/* A page table holds page_size / 8 entries: the PMD order is
	 * page_shift - 3 unless sysfs says otherwise. */
	uint64_t pmd_size;
	c->pmd_order = c->page_shift - 3;
	if (mt_sysfs_read_u64(&c->pf,
			      "kernel/mm/transparent_hugepage/hpage_pmd_size",
			      &pmd_size) == 0 &&
	    pmd_size >= c->page_size && !(pmd_size & (pmd_size - 1)))
		c->pmd_order = mt_log2(pmd_size / c->page_size);
	if (c->pmd_order > MT_ORDER_LIMIT)
		c->pmd_order = MT_ORDER_LIMIT;
	mt_kernel_probe(&c->pf, c->pmd_order, have_cap_sys_admin(), &c->kp);
	if (!c->kp.pagemap) {
		snprintf(err, errlen, "%s", MT_WHY_NO_PAGEMAP);
		mt_kernel_probe_release(&c->kp);
		mt_procfs_close(&c->pf);
		free(c);
		return NULL;
	}
	c->can_pfns = c->kp.pfns;
	c->kpf_fd = c->kp.kpf_fd;
	c->can_kpf = c->kpf_fd >= 0;
	c->zero_pfn = c->kp.zero_pfn;
	c->huge_zero_pfn = c->kp.huge_zero_pfn;
	c->scan_ok = -1;
	c->scan_guard = -1;
	c->sysr = mt_sysreader_new(&c->pf, MT_SYSREADER_KEEP_AUTO);
	c->pm = xmalloc(MT_PAGEMAP_BATCH * sizeof(uint64_t));
	c->kf = xmalloc(((UINT64_C(1) << c->pmd_order) + 1) * sizeof(uint64_t));
	return c;
}

void mt_scan_ctx_free(struct mt_scan_ctx *c)
{
	if (!c)
		return;
	mt_procfs_close(&c->pf);
	mt_kernel_probe_release(&c->kp);
	mt_buf_free(&c->maps);
	mt_buf_free(&c->status);
	mt_buf_free(&c->smaps);
	free(c->pm);
	free(c->kf);
	for (size_t i = 0; i < c->nusers; i++)
		free(c->users[i].name);
	free(c->users);
	mt_snapshot_unref(c->prev);
	mt_sysreader_free(c->sysr);
	mt_numa_free(&c->numa);
	mt_intern_free(&c->paths);
	mt_intern_free(&c->hists);
	free(c->scratch);
	free(c->huge.r);
	free(c->hwin.r);
	free(c);
}

unsigned mt_scan_page_size(const struct mt_scan_ctx *c) { return c->page_size; }
unsigned mt_scan_pmd_order(const struct mt_scan_ctx *c) { return c->pmd_order; }
bool mt_scan_can_pfns(const struct mt_scan_ctx *c) { return c->can_pfns; }
bool mt_scan_can_kpageflags(const struct mt_scan_ctx *c) { return c->can_kpf; }
const struct mt_procfs *mt_scan_procfs(const struct mt_scan_ctx *c)
{
	return &c->pf;
}

static const char *user_name(struct mt_scan_ctx *c, uid_t uid)
{
	for (size_t i = 0; i < c->nusers; i++)
		if (c->users[i].uid == uid)
			return c->users[i].name;
	char buf[4096], num[16];
	struct passwd pw, *res = NULL;
	const char *name = num;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
		name = res->pw_name;
	else
		snprintf(num, sizeof(num), "%u", (unsigned)uid);
	c->users = xrealloc(c->users, (c->nusers + 1) * sizeof(*c->users));
	c->users[c->nusers].uid = uid;
	c->users[c->nusers].name = xstrdup(name);
	return c->users[c->nusers++].name;
}

static bool pid_wanted(const struct mt_scan_opts *o, pid_t pid)
{
	if (!o->npids)
		return true;
	size_t lo = 0, hi = o->npids;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (o->pids[mid] == pid)
			return true;
		if (o->pids[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void count_error(struct mt_scan_stats *st, int err)
{
	switch (mt_err_class(err)) {
	case MT_ERR_GONE: st->vanished++; break;
	case MT_ERR_DENIED: st->denied++; break;
	default: st->errors++; break;
	}
}

static const char *intern_path(struct mt_scan_ctx *c, struct mt_snapshot *s,
			       const char *p, size_t n)
{
	return n ? mt_intern(&c->paths, s->arena, p, n) : "";
}

static void load_smaps(struct proc_scan *ps)
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

static const struct mt_smaps_vma *smaps_find(struct proc_scan *ps,
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

static bool cancelled(const struct mt_scan_opts *o)
{
	return o->cancel &&
	       atomic_load_explicit(o->cancel, memory_order_relaxed);
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

static bool is_pmd_mapped(void *ctx, uint64_t vpage)
{
	struct proc_scan *ps = ctx;
	struct mt_scan_ctx *c = ps->c;
	if (ps->huge_known) {
		uint64_t end = vpage + (UINT64_C(1) << c->pmd_order);
		const struct range *h = ranges_find(&c->huge, vpage);
		if (h && !h->zero && h->hi >= end)
			return true;
		const struct range *win = ranges_find(&c->hwin, vpage);
		if (win && win->hi >= end)
			return false; /* looked at, and not PMD-mapped */
	}
	if (c->scan_ok == 0)
		return true; /* no way to tell: an aligned PMD-order folio */
	unsigned sh = c->page_shift;
	uint64_t start = vpage << sh;
	uint64_t end = (vpage + (UINT64_C(1) << c->pmd_order)) << sh;
	uint64_t found = end;
	int r = mt_pagemap_next_populated(ps->pm_fd, start, end, MT_PSC_HUGE,
					  &found, &ps->s->stats.scan_ioctls);
	if (r < 0) {
		if (r == -ENOTTY || r == -EINVAL || r == -EOPNOTSUPP)
			c->scan_ok = 0;
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
		    c->scan_ok != 0 && is_pmd_mapped(ps, vpage)) {
			uint64_t f;
			if (mt_kpageflags_read(c->kpf_fd, pfn, &f, 1) < 0)
				return;
			if ((f & MT_KPF_COMPOUND_HEAD) && (f & MT_KPF_THP)) {
				ps->fs.pmd[(f & MT_KPF_ANON) ? 0 : 1] += pmd;
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

/* Shared by every VMA of a snapshot with nothing present. */
struct scan_shared {
	struct mt_folio_stats *zero_folios;
};

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
	mt_hist_acc_init(&ps->acc, w->tmp_p, mappable, ps->s->max_order);
	ps->acc.zero_pfn = ps->c->zero_pfn;
	if (ps->c->huge_zero_pfn != UINT64_MAX) {
		ps->acc.huge_zero_pfn = ps->c->huge_zero_pfn;
		ps->acc.huge_zero_n = UINT64_C(1) << ps->c->pmd_order;
	}
	mt_hist_acc_track_pmd(&ps->acc, ps->c->pmd_order, vma->start >> sh,
			      vma->end >> sh);
	w->vs = vma->start >> sh;
	w->ve = vma->end >> sh;
	if (ps->want_folios) {
		memset(&ps->fs, 0, sizeof(ps->fs));
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

static void add_hist(uint64_t *dst, const uint64_t *src, unsigned nord)
{
	for (unsigned o = 0; o < nord; o++)
		dst[o] += src[o];
}

/* Add a file-backed VMA's figures to the process's file sums. */
static void add_file_sums(struct mt_snapshot *s, struct mt_sums *f,
			  const struct mt_vma *v, const uint64_t *present,
			  const uint64_t *mappable,
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
		if (fs)
			f->folios = mt_arena_alloc(s->arena, sizeof(*fs));
	}
	add_hist(f->present_hist, present, s->nord);
	if (mappable)
		add_hist(f->mappable_hist, mappable, s->nord);
	if (fs)
		mt_folio_add(f->folios, fs);
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
	if (!vma->pmd_full)
		vma->pmd_mapped = 0; /* a PMD maps only a full slot */
	else if (ps->want_folios)
		vma->pmd_mapped = (ps->fs.pmd[0] + ps->fs.pmd[1]) >> po;
	else if (w->scanned && !ps->want_pfns)
		vma->pmd_mapped = ps->huge_pages >> po;
	else
		vma->pmd_mapped = MT_UNKNOWN;

	const struct mt_folio_stats *fs = ps->want_folios ? &ps->fs : NULL;
	bool has_folios = fs && mt_folio_total(fs);
	add_hist(p->present_hist, w->tmp_p, s->nord);
	p->present_pages += vma->present_pages;
	p->swapped_pages += vma->swapped_pages;
	p->zero_pages += vma->zero_pages;
	p->pmd_slots += vma->pmd_slots;
	p->pmd_full += vma->pmd_full;
	p->pmd_touched += vma->pmd_touched;
	if (vma->pmd_mapped == MT_UNKNOWN || p->pmd_mapped == MT_UNKNOWN)
		p->pmd_mapped = MT_UNKNOWN;
	else
		p->pmd_mapped += vma->pmd_mapped;
	if (ps->want_pfns)
		add_hist(p->mappable_hist, w->tmp_m, s->nord);
	if (has_folios)
		mt_folio_add(p->folios, fs);
	if (vma->file_backed)
		add_file_sums(s, &p->file, vma, w->tmp_p,
			      ps->want_pfns ? w->tmp_m : NULL, fs);

	if (!ps->keep_vmas)
		return; /* a scratch VMA: the sums are all that stays */
	vma->present_hist = keep_hist(ps->c, s, w->tmp_p);
	if (ps->want_pfns)
		vma->mappable_hist = keep_hist(ps->c, s, w->tmp_m);
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
			acc->zero_pages += k;
		} else if (cats & MT_PSC_PRESENT) {
			mt_hist_acc_present(acc, vpage, k);
			if (cats & MT_PSC_HUGE)
				w->ps->huge_pages += k;
		} else if ((cats & MT_PSC_SWAPPED) && !(cats & MT_PSC_GUARD)) {
			acc->swapped_pages += k; /* a guard region is not swap */
		}
	}
}

/*
 * Could the kernel's walk leave this VMA out (VM_PFNMAP)? Only a driver
 * or a special mapping makes one: [vvar], device files (/dev, /sys, /proc
 * mmaps), anon_inode: objects. Anonymous memory and ordinary files never.
 */
static bool may_be_pfnmap(const char *p, size_t n)
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
	if (cancelled(ps->o)) {
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
		ranges_add(&w->ps->c->huge, reg[i].start >> sh,
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
		ranges_add(&ps->c->hwin, v, wend, false);
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
		if (cancelled(ps->o))
			return -ECANCELED;
		while (hi < c->huge.n && c->huge.r[hi].hi <= v)
			hi++;
		if (hi < c->huge.n && c->huge.r[hi].lo <= v) {
			const struct range *h = &c->huge.r[hi];
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
		uint64_t known_to = c->hwin.n ? c->hwin.r[c->hwin.n - 1].hi : 0;
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
		if (hi < c->huge.n)
			lim = MT_MIN(lim, c->huge.r[hi].lo);
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
		load_smaps(ps);
		if (ps->gone)
			return -ESRCH;
		const struct mt_smaps_vma *sv = smaps_find(ps, vma->start);
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
		if (cancelled(ps->o))
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
		if (c->scan_guard != 0)
			ret |= MT_PSC_GUARD;
		int r = mt_pagemap_scan(ps->pm_fd, start, end, MT_PSC_PRESENT, 0,
					MT_PSC_PRESENT | MT_PSC_PFNZERO |
						MT_PSC_HUGE,
					ret, 0, walk_regions, w,
					&ps->s->stats.scan_ioctls);
		if (r == -EINVAL && c->scan_guard == -1 &&
		    w->pos == start >> c->page_shift) {
			c->scan_guard = 0; /* before 6.15: no guard category */
			continue;
		}
		if (r == 0 && c->scan_guard == -1)
			c->scan_guard = 1;
		return r;
	}
}

static void scan_vmas(struct proc_scan *ps, struct mt_proc *p,
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
	if (nscan && ps->o->method != MT_PM_PREAD && c->scan_ok != 0) {
		int r;
		if (ps->want_pfns) {
			ps->huge_known = true;
			c->huge.n = c->hwin.n = 0;
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
			c->scan_ok = 1;
			/* close the scanned VMAs, up to the last one */
			uint64_t last_end = p->vmas[nscan - 1].end >> c->page_shift;
			walk_to(&w, last_end);
		} else {
			if ((r == -ENOTTY || r == -EINVAL || r == -EOPNOTSUPP) &&
			    c->scan_ok != 1)
				c->scan_ok = 0; /* old kernel, plain file */
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
		if (cancelled(ps->o))
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

static void attach_smaps(struct proc_scan *ps, struct mt_proc *p)
{
	load_smaps(ps);
	if (!ps->nsmaps)
		return;
	p->has_smaps = true;
	for (size_t i = 0; i < p->nvmas; i++) {
		struct mt_vma *v = &p->vmas[i];
		const struct mt_smaps_vma *sv = smaps_find(ps, v->start);
		if (!sv)
			continue;
		v->has_smaps = true;
		v->smaps_rss_kb = sv->rss_kb;
		v->smaps_anon_huge_kb = sv->anon_huge_kb;
		v->thp_eligible = sv->thp_eligible;
		v->vmflags = sv->vmflags;
	}
}

/* Parse the maps buffer into the process's VMAs: into the snapshot when
 * their details are kept, else into the scratch array. */
static void parse_vmas(struct mt_scan_ctx *c, struct mt_snapshot *s,
		       const struct mt_scan_opts *o, struct mt_proc *p,
		       bool *keep)
{
	size_t lines = 0;
	for (size_t i = 0; i < c->maps.len; i++)
		lines += c->maps.data[i] == '\n';
	lines++;
	*keep = !o->vma_detail_limit || p->pid == o->smaps_pid ||
		c->kept_vmas + lines <= o->vma_detail_limit;
	if (*keep) {
		p->vmas = mt_arena_alloc(s->arena, lines * sizeof(struct mt_vma));
		c->kept_vmas += lines;
	} else {
		if (lines > c->scratch_cap) {
			c->scratch_cap = lines;
			c->scratch = xrealloc(c->scratch,
					      lines * sizeof(struct mt_vma));
		}
		memset(c->scratch, 0, lines * sizeof(struct mt_vma));
		p->vmas = c->scratch;
	}
	size_t pos = 0, n;
	const char *line;
	while ((line = mt_next_line(c->maps.data, c->maps.len, &pos, &n))) {
		struct mt_maps_entry e;
		if (n == 0)
			continue;
		if (mt_parse_maps_line(line, n, &e) < 0 ||
		    (e.start & (c->page_size - 1)) ||
		    (e.end & (c->page_size - 1)) || e.end == e.start) {
			s->stats.bad_lines++;
			continue;
		}
		struct mt_vma *v = &p->vmas[p->nvmas++];
		v->start = e.start;
		v->end = e.end;
		v->offset = e.offset;
		v->inode = e.inode;
		v->dev_major = e.dev_major;
		v->dev_minor = e.dev_minor;
		memcpy(v->perms, e.perms, sizeof(v->perms));
		v->kind = mt_classify_vma(e.path, e.path_len, e.perms);
		v->file_backed = v->kind == MT_KIND_FILE;
		/* from the path, which a VMA without details does not keep */
		v->maybe_pfnmap = may_be_pfnmap(e.path, e.path_len);
		v->path = *keep ? intern_path(c, s, e.path, e.path_len) : "";
		v->path_len = *keep ? e.path_len : 0;
		v->thp_eligible = -1;
	}
}

/* Scan one process into p; false if it is to be left out. */
static bool scan_proc(struct mt_scan_ctx *c, struct mt_snapshot *s,
		      const struct mt_scan_opts *o, pid_t pid,
		      struct mt_proc *p, const struct scan_shared *sh)
{
	struct mt_scan_stats *st = &s->stats;
	int dirfd = mt_procfs_open_pid(&c->pf, pid);
	if (dirfd < 0) {
		if (dirfd == -ENOENT && o->npids)
			st->listed--; /* asked for with -p, and not there */
		else
			count_error(st, dirfd);
		return false;
	}
	struct proc_scan ps = {.c = c, .s = s, .o = o, .pm_fd = -1,
			       .dirfd = dirfd};
	bool keep = false;
	struct mt_status status;
	int r = mt_read_at(dirfd, "status", &c->status);
	if (r < 0) {
		count_error(st, r);
		goto out;
	}
	if (mt_parse_status(c->status.data, c->status.len, &status) < 0) {
		/* an empty status is a process that just went away */
		if (c->status.len == 0)
			st->vanished++;
		else
			st->errors++;
		goto out;
	}
	if (status.state == 'Z' || status.state == 'X') {
		st->vanished++; /* exited, not yet reaped: no memory left */
		goto out;
	}
	if (o->uid_set && status.uid != o->uid) {
		st->filtered++;
		goto out;
	}
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = status.ppid;
	p->uid = status.uid;
	p->comm = mt_arena_strndup(s->arena, status.name, status.name_len);
	const char *user = user_name(c, status.uid);
	p->user = mt_arena_strndup(s->arena, user, strlen(user));
	p->status_rss_kb = status.rss_kb;
	p->kthread = status.kthread == 1 ||
		     (status.kthread == -1 && (pid == 2 || status.ppid == 2));
	p->cgroup = "";
	if (!p->kthread && mt_read_at(dirfd, "cgroup", &c->status) == 0) {
		const char *cg;
		size_t cl;
		if (mt_parse_cgroup(c->status.data, c->status.len, &cg, &cl) == 0)
			p->cgroup = mt_arena_strndup(s->arena, cg, cl);
	}
	p->present_hist = mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_pfns)
		p->mappable_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_kpageflags)
		p->folios = mt_arena_alloc(s->arena, sizeof(*p->folios));
	if (s->have_kpageflags && s->nnodes)
		p->thp_node_pages =
			mt_arena_alloc(s->arena, s->nnodes * sizeof(uint64_t));
	if (p->kthread) {
		st->kthreads++;
		keep = true;
		goto out;
	}
	r = mt_read_at(dirfd, "maps", &c->maps);
	if (r < 0) {
		count_error(st, r);
		goto out;
	}
	parse_vmas(c, s, o, p, &ps.keep_vmas);
	p->vma_count = p->nvmas;
	if (!p->nvmas && c->maps.len == 0) {
		/* a user process without a single mapping has exited (a
		 * zombie, or gone between status and maps) */
		st->vanished++;
		goto out;
	}
	if (p->nvmas) {
		ps.pm_fd = mt_open_at(dirfd, "pagemap");
		if (ps.pm_fd < 0) {
			if (mt_err_class(ps.pm_fd) == MT_ERR_GONE) {
				st->vanished++;
			} else {
				st->pagemap_denied++;
			}
			goto out;
		}
		ps.want_pfns = s->have_pfns;
		ps.want_folios = s->have_kpageflags;
		ps.node_pages = p->thp_node_pages;
		scan_vmas(&ps, p, sh);
		/* Exited while it was read? Its figures would be cut short.
		 * Once a process has exited its pagemap reads nothing: one
		 * entry of its first VMA tells. */
		if (!ps.gone && c->pf.live && !((p->vmas[0].start) >> 63)) {
			uint64_t e;
			if (mt_pagemap_read(ps.pm_fd,
					    p->vmas[0].start >> c->page_shift, &e,
					    1) == -ENODATA)
				ps.gone = true;
		}
		if (ps.gone) {
			st->vanished++;
			goto out;
		}
	}
	if (!ps.keep_vmas) {
		p->vmas = NULL;
		p->nvmas = 0;
	}
	if (o->smaps_all || o->smaps_pid == pid)
		attach_smaps(&ps, p);
	keep = true;
out:
	if (!keep && p->vmas == c->scratch)
		p->vmas = NULL;
	if (ps.pm_fd >= 0)
		close(ps.pm_fd);
	free(ps.smaps);
	close(dirfd);
	return keep;
}

/*
 * The system counters are read on a thread of their own while the
 * processes are walked, as long as their files are still being opened
 * (some 200 sysfs files: a millisecond and more that would otherwise add
 * to every one-shot run). Its CPU time is added to the snapshot's. Once
 * the files are kept open, reading them is a few hundred preads, done in
 * line.
 */
struct sys_job {
	struct mt_sysreader *r;
	struct mt_arena *arena;
	const struct mt_sysinfo *prev;
	struct mt_sysinfo *out;
	uint64_t cpu_ns;
};

static void *sys_job_main(void *arg)
{
	struct sys_job *j = arg;
	uint64_t t0 = mt_thread_cpu_ns();
	j->out = mt_sysinfo_read(j->r, j->arena, j->prev);
	j->cpu_ns = mt_thread_cpu_ns() - t0;
	return NULL;
}

static bool sys_job_start(struct sys_job *j, pthread_t *t)
{
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return false;
	pthread_attr_setstacksize(&attr, 256 * 1024);
	/* signals stay with the threads that handle them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int r = pthread_create(t, &attr, sys_job_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	return r == 0;
}

struct mt_snapshot *mt_scan(struct mt_scan_ctx *c,
			    const struct mt_scan_opts *o)
{
	struct mt_snapshot *s = mt_snapshot_new();
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	s->time_ns = (uint64_t)rt.tv_sec * 1000000000u + (uint64_t)rt.tv_nsec;
	uint64_t t0 = mt_now_ns();

	mt_intern_reset(&c->paths);
	mt_intern_reset(&c->hists);
	c->kept_vmas = 0;
	s->page_size = c->page_size;
	s->page_shift = c->page_shift;
	s->pmd_order = c->pmd_order;
	s->max_order = o->max_order_set ? o->max_order : c->pmd_order;
	if (s->max_order > MT_ORDER_LIMIT)
		s->max_order = MT_ORDER_LIMIT;
	s->nord = s->max_order + 1;
	s->have_pfns = c->can_pfns && !o->no_pfns;
	s->have_kpageflags = s->have_pfns && c->can_kpf && !o->no_folios;
	s->pfns_why = !s->have_pfns ? (c->kp.pfns_why ? c->kp.pfns_why
						      : "--no-pfns")
				    : NULL;
	if (!s->have_kpageflags)
		s->kpageflags_why = !s->have_pfns ? s->pfns_why
				    : c->kp.kpf_why ? c->kp.kpf_why
						    : "--no-folios";
	if (s->pfns_why)
		s->pfns_why = mt_arena_strndup(s->arena, s->pfns_why,
					       strlen(s->pfns_why));
	if (s->kpageflags_why)
		s->kpageflags_why = mt_arena_strndup(
			s->arena, s->kpageflags_why, strlen(s->kpageflags_why));
	s->zero_page = c->kp.zero_page;
	s->huge_zero_page = c->kp.huge_zero_page;
	s->sys_arena = mt_arena_new();
	struct sys_job job = {.r = c->sysr,
			      .arena = s->sys_arena,
			      .prev = c->prev ? c->prev->sys : NULL};
	pthread_t sys_thread;
	bool threaded = !mt_sysreader_warm(c->sysr) &&
			sys_job_start(&job, &sys_thread);
	if (!threaded)
		sys_job_main(&job);

	struct scan_shared sh = {
		.zero_folios = mt_arena_alloc(s->arena, sizeof(struct mt_folio_stats)),
	};
	s->present_hist = mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_pfns)
		s->mappable_hist =
			mt_arena_alloc(s->arena, s->nord * sizeof(uint64_t));
	if (s->have_kpageflags)
		s->folios = mt_arena_alloc(s->arena, sizeof(*s->folios));
	if (s->have_kpageflags && !c->numa_loaded) {
		mt_numa_load(&c->numa, &c->pf, c->page_size);
		c->numa_loaded = true;
	}
	if (s->have_kpageflags && c->numa.nnodes) {
		s->nnodes = c->numa.nnodes;
		s->thp_node_pages =
			mt_arena_alloc(s->arena, s->nnodes * sizeof(uint64_t));
	}

	/* -p: the pids asked for (sorted), without listing every process */
	pid_t *pids = NULL;
	size_t npids = 0;
	if (o->npids) {
		pids = xmalloc(o->npids * sizeof(pid_t));
		for (size_t i = 0; i < o->npids; i++)
			if (!npids || o->pids[i] != pids[npids - 1])
				pids[npids++] = o->pids[i];
	} else if (mt_procfs_list_pids(&c->pf, &pids, &npids) < 0) {
		s->stats.errors++;
	}
	s->stats.listed = npids;
	s->procs = mt_arena_alloc(s->arena,
				  (npids ? npids : 1) * sizeof(struct mt_proc));
	for (size_t i = 0; i < npids && !cancelled(o); i++) {
		if (!pid_wanted(o, pids[i])) {
			s->stats.filtered++;
			continue;
		}
		struct mt_proc *p = &s->procs[s->nprocs];
		if (!scan_proc(c, s, o, pids[i], p, &sh))
			continue;
		s->nprocs++;
		s->present_pages += p->present_pages;
		add_hist(s->present_hist, p->present_hist, s->nord);
		if (s->mappable_hist)
			add_hist(s->mappable_hist, p->mappable_hist, s->nord);
		if (s->folios)
			mt_folio_add(s->folios, p->folios);
		for (unsigned n = 0; s->thp_node_pages && n < s->nnodes; n++)
			s->thp_node_pages[n] += p->thp_node_pages[n];
	}
	free(pids);
	if (threaded)
		pthread_join(sys_thread, NULL);
	s->sys = job.out;
	s->sys_cpu_ns = threaded ? job.cpu_ns : 0;
	s->thp_enabled = s->sys->thp_enabled;
	s->thp_defrag = s->sys->thp_defrag;
	mt_snapshot_unref(c->prev);
	c->prev = NULL;
	s->stats.scanned = s->nprocs;
	s->used_pagemap_scan = c->scan_ok == 1;
	s->have_pmd_mapped = s->have_kpageflags ||
			     (!s->have_pfns && s->used_pagemap_scan);
	s->duration_ns = mt_now_ns() - t0;
	/* buffers sized by one huge process are not kept between scans */
	if (c->scratch_cap > 4096) {
		free(c->scratch);
		c->scratch = NULL;
		c->scratch_cap = 0;
	}
	if (c->maps.cap > (1u << 20))
		mt_buf_free(&c->maps);
	if (c->smaps.cap > (1u << 20))
		mt_buf_free(&c->smaps);
	mt_snapshot_ref(s);
	c->prev = s;
	return s;
}
