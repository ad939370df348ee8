/*
 * probe.c - what the running kernel does with memtop's own memory.
 *
 * Three questions, each answered by the kernel's own account of a page
 * memtop maps for the purpose: are PFNs shown (a written page reads back
 * a PFN that is not 0), does a read fault map the zero page, does it map
 * the huge zero page. A PFN that looks like a zero page is taken as one
 * only when the kernel says so (PAGEMAP_SCAN's PFNZERO, or KPF_ZERO_PAGE
 * in /proc/kpageflags, or smaps leaving the page out of Rss): a kernel
 * that never maps zero pages hands out a real page there, and taking its
 * PFN for the zero page would hide that memory once it is reused.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memtop/hist.h"
#include "memtop/pagemap.h"
#include "memtop/parse.h"
#include "memtop/probe.h"

const char *mt_why_short(const char *why)
{
	if (!why)
		return "unavailable";
	if (!strncmp(why, "PFNs hidden", 11))
		return "PFNs hidden";
	if (!strncmp(why, "needs root", 10))
		return "needs root";
	if (!strncmp(why, "--", 2))
		return "off";
	return "unavailable";
}

enum mt_tri mt_zero_verdict(const struct mt_zero_evidence *e)
{
	if (!e->present)
		return MT_TRI_UNKNOWN;
	if (e->scan_zero != MT_TRI_UNKNOWN)
		return (enum mt_tri)e->scan_zero;
	if (e->pfn && e->kpf_zero != MT_TRI_UNKNOWN)
		return (enum mt_tri)e->kpf_zero;
	if (e->rss_kb >= 0)
		return e->rss_kb == 0 ? MT_TRI_YES : MT_TRI_NO;
	return MT_TRI_UNKNOWN;
}

enum mt_tri mt_huge_zero_verdict(const struct mt_zero_evidence *e)
{
	if (!e->present)
		return MT_TRI_UNKNOWN;
	if (e->scan_huge == MT_TRI_YES && e->scan_zero != MT_TRI_UNKNOWN)
		return (enum mt_tri)e->scan_zero;
	if (e->scan_huge == MT_TRI_NO)
		return MT_TRI_UNKNOWN; /* no PMD mapping: THP did not apply */
	if (e->pfn && e->kpf_zero == MT_TRI_YES && e->pfn_aligned)
		return MT_TRI_YES;
	if (e->pfn && e->kpf_zero == MT_TRI_NO && e->kpf_thp == MT_TRI_YES)
		return MT_TRI_NO; /* a real huge page */
	if (e->anon_huge_kb > 0)
		return MT_TRI_NO;
	return MT_TRI_UNKNOWN;
}

struct first_cats {
	bool any;
	uint64_t cats;
};

static int take_first(void *ctx, const struct mt_region *r, size_t n)
{
	struct first_cats *f = ctx;
	(void)n;
	f->any = true;
	f->cats = r->categories;
	return 1;
}

/* PAGEMAP_SCAN's categories of the first present page in [a, a + len). */
static void scan_evidence(int fd, uintptr_t a, size_t len,
			  struct mt_zero_evidence *e)
{
	struct first_cats f = {0};
	int r = mt_pagemap_scan(fd, a, a + len, 0, 0, MT_PSC_PRESENT,
				MT_PSC_PRESENT | MT_PSC_PFNZERO | MT_PSC_HUGE,
				1, take_first, &f, NULL);
	if (r < 0 || !f.any)
		return; /* no ioctl (before 6.7): other evidence decides */
	e->scan_zero = (f.cats & MT_PSC_PFNZERO) ? MT_TRI_YES : MT_TRI_NO;
	e->scan_huge = (f.cats & MT_PSC_HUGE) ? MT_TRI_YES : MT_TRI_NO;
}

static void kpf_evidence(int kpf_fd, struct mt_zero_evidence *e)
{
	uint64_t f;
	if (kpf_fd < 0 || !e->pfn || mt_kpageflags_read(kpf_fd, e->pfn, &f, 1) < 0)
		return;
	e->kpf_zero = (f & MT_KPF_ZERO_PAGE) ? MT_TRI_YES : MT_TRI_NO;
	e->kpf_thp = ((f & MT_KPF_THP) && (f & MT_KPF_COMPOUND_HEAD))
			     ? MT_TRI_YES
			     : MT_TRI_NO;
}

/* smaps of the mapping at a: the last word when nothing else tells. */
static void smaps_evidence(const struct mt_procfs *pf, uintptr_t a,
			   struct mt_zero_evidence *e)
{
	struct mt_buf b = {0};
	struct mt_smaps_vma *v = NULL;
	if (mt_read_at(pf->proc_fd, "self/smaps", &b) == 0) {
		size_t n = mt_parse_smaps(b.data, b.len, &v, NULL);
		for (size_t i = 0; i < n; i++) {
			if (v[i].start == a) {
				e->rss_kb = (int64_t)v[i].rss_kb;
				e->anon_huge_kb = (int64_t)v[i].anon_huge_kb;
				break;
			}
		}
	}
	free(v);
	mt_buf_free(&b);
}

static void evidence_init(struct mt_zero_evidence *e)
{
	memset(e, 0, sizeof(*e));
	e->scan_zero = e->scan_huge = MT_TRI_UNKNOWN;
	e->kpf_zero = e->kpf_thp = MT_TRI_UNKNOWN;
	e->rss_kb = e->anon_huge_kb = -1;
}

/* Read n pagemap entries of our own at address a. */
static bool own_entries(int fd, uintptr_t a, unsigned page_shift,
			uint64_t *e, size_t n)
{
	return mt_pagemap_read(fd, a >> page_shift, e, n) == 0;
}

static void gather(const struct mt_procfs *pf, int pm_fd, int kpf_fd,
		   uintptr_t a, size_t len, unsigned page_shift,
		   unsigned pmd_order, struct mt_zero_evidence *e)
{
	uint64_t ent[2] = {0, 0};
	size_t n = len > ((size_t)1 << page_shift) ? 2 : 1;
	evidence_init(e);
	if (!own_entries(pm_fd, a, page_shift, ent, n))
		return;
	e->present = (ent[0] & MT_PM_PRESENT) != 0;
	e->pfn = e->present ? ent[0] & MT_PM_PFN_MASK : 0;
	e->pfn_aligned = e->pfn &&
			 !(e->pfn & ((UINT64_C(1) << pmd_order) - 1)) &&
			 n == 2 && ent[1] == ent[0] + 1;
	scan_evidence(pm_fd, a, len, e);
	kpf_evidence(kpf_fd, e);
	if (e->scan_zero == MT_TRI_UNKNOWN && e->kpf_zero == MT_TRI_UNKNOWN)
		smaps_evidence(pf, a, e);
}

static void probe_zero(const struct mt_procfs *pf, int pm_fd,
		       unsigned page_shift, struct mt_kernel_probe *out)
{
	size_t ps = (size_t)1 << page_shift;
	volatile char *p = mmap(NULL, ps, PROT_READ,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	madvise((void *)p, ps, MADV_NOHUGEPAGE);
	(void)p[0]; /* a read fault: the zero page, where the kernel uses it */
	struct mt_zero_evidence e;
	gather(pf, pm_fd, out->kpf_fd, (uintptr_t)p, ps, page_shift, 0, &e);
	out->zero_page = mt_zero_verdict(&e);
	if (out->zero_page == MT_TRI_YES && out->pfns && e.pfn)
		out->zero_pfn = e.pfn;
	munmap((void *)p, ps);
}

static void probe_huge_zero(const struct mt_procfs *pf, int pm_fd,
			    unsigned page_shift, unsigned pmd_order,
			    struct mt_kernel_probe *out)
{
	uint64_t use = 0;
	int r = mt_sysfs_read_u64(
		pf, "kernel/mm/transparent_hugepage/use_zero_page", &use);
	if (r == -ENOENT) {
		struct mt_buf b = {0};
		/* no THP at all: no huge zero page */
		if (mt_sysfs_read(pf, "kernel/mm/transparent_hugepage/enabled",
				  &b) == -ENOENT)
			out->huge_zero_page = MT_TRI_NO;
		mt_buf_free(&b);
		return;
	}
	if (r < 0)
		return;
	if (use == 0) {
		out->huge_zero_page = MT_TRI_NO;
		return;
	}
	size_t pmd = (size_t)1 << (page_shift + pmd_order), len = 2 * pmd;
	char *raw = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (raw == MAP_FAILED)
		return;
	uintptr_t a = ((uintptr_t)raw + pmd - 1) & ~(uintptr_t)(pmd - 1);
	/* only the aligned range: the rest is unmapped at once */
	if (a > (uintptr_t)raw)
		munmap(raw, a - (uintptr_t)raw);
	if ((uintptr_t)raw + len > a + pmd)
		munmap((void *)(a + pmd), (uintptr_t)raw + len - (a + pmd));
	volatile char *p = (volatile char *)a;
	struct mt_zero_evidence e;
	evidence_init(&e);
	if (madvise((void *)a, pmd, MADV_HUGEPAGE) == 0) {
		(void)p[0];
		gather(pf, pm_fd, out->kpf_fd, a, pmd, page_shift, pmd_order,
		       &e);
	}
	out->huge_zero_page = mt_huge_zero_verdict(&e);
	if (out->huge_zero_page == MT_TRI_YES && out->pfns && e.pfn_aligned) {
		/* the kernel's page, not ours: kept mapped so that it stays
		 * where it was found; children do not inherit the mapping */
		madvise((void *)a, pmd, MADV_DONTFORK);
		out->huge_zero_pfn = e.pfn;
		out->hz_hold = (void *)a;
		out->hz_hold_len = pmd;
	} else {
		munmap((void *)a, pmd); /* a real huge page is freed at once */
	}
}

/* Is a written page of our own shown with its PFN? */
static void probe_pfns(int pm_fd, unsigned page_shift, bool cap,
		       struct mt_kernel_probe *out)
{
	size_t ps = (size_t)1 << page_shift;
	volatile char *p = mmap(NULL, ps, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out->pfns = cap;
	if (p == MAP_FAILED)
		goto out;
	p[0] = 1;
	uint64_t e = 0;
	if (own_entries(pm_fd, (uintptr_t)p, page_shift, &e, 1) &&
	    (e & MT_PM_PRESENT))
		out->pfns = (e & MT_PM_PFN_MASK) != 0;
	munmap((void *)p, ps);
out:
	if (!out->pfns)
		out->pfns_why = cap ? MT_WHY_PFNS_HIDDEN : MT_WHY_PFNS_NOCAP;
}

static void open_kpageflags(const struct mt_procfs *pf,
			    struct mt_kernel_probe *out)
{
	if (!out->pfns) {
		out->kpf_why = out->pfns_why; /* folios are found by PFN */
		return;
	}
	int fd = mt_procfs_open_kpageflags(pf);
	uint64_t w;
	int r = fd >= 0 && pf->live ? mt_kpageflags_read(fd, 0, &w, 1) : 0;
	if (r < 0) {
		close(fd);
		fd = r;
	}
	if (fd < 0) {
		/* denied: root would do; missing or failing: root would not */
		bool denied = fd == -EACCES || fd == -EPERM;
		snprintf(out->kpf_why_buf, sizeof(out->kpf_why_buf),
			 "%s/proc/kpageflags: %s%s", denied ? "needs root (" : "",
			 strerror(-fd), denied ? ")" : "");
		out->kpf_why = out->kpf_why_buf;
		return;
	}
	out->kpf_fd = fd;
}

void mt_kernel_probe(const struct mt_procfs *pf, unsigned pmd_order,
		     bool cap_sys_admin, struct mt_kernel_probe *out)
{
	memset(out, 0, sizeof(*out));
	out->kpf_fd = -1;
	out->zero_page = out->huge_zero_page = MT_TRI_UNKNOWN;
	out->zero_pfn = out->huge_zero_pfn = UINT64_MAX;
	out->pagemap = true;
	long psz = sysconf(_SC_PAGESIZE);
	unsigned page_shift = 0;
	while (psz > 1 && ((long)1 << page_shift) < psz)
		page_shift++;

	int pm_fd = -1;
	if (pf->live) {
		pm_fd = mt_open_at(pf->proc_fd, "self/pagemap");
		if (pm_fd == -ENOENT)
			out->pagemap = false;
	} else {
		int self = mt_open_at(pf->proc_fd, "self/maps");
		if (self >= 0) {
			close(self);
			int pm = mt_open_at(pf->proc_fd, "self/pagemap");
			if (pm == -ENOENT)
				out->pagemap = false;
			if (pm >= 0)
				close(pm);
		}
	}
	if (!out->pagemap) {
		out->pfns_why = out->kpf_why = MT_WHY_NO_PAGEMAP;
		return;
	}
	if (pm_fd >= 0)
		probe_pfns(pm_fd, page_shift, cap_sys_admin, out);
	else if (!(out->pfns = cap_sys_admin))
		out->pfns_why = MT_WHY_PFNS_NOCAP;
	open_kpageflags(pf, out);
	if (pm_fd >= 0) {
		probe_zero(pf, pm_fd, page_shift, out);
		probe_huge_zero(pf, pm_fd, page_shift, pmd_order, out);
		close(pm_fd);
	}
}

void mt_kernel_probe_release(struct mt_kernel_probe *p)
{
	if (p->kpf_fd >= 0)
		close(p->kpf_fd);
	p->kpf_fd = -1;
	if (p->hz_hold)
		munmap(p->hz_hold, p->hz_hold_len);
	p->hz_hold = NULL;
}
